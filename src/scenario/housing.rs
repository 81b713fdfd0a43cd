//! New housing (DESIGN §2.8): `housing.csv` and `[housing]`, checked into [`Housing`].
//! Yields and type multipliers may be ranges (§2.6); they stand here at their central values
//! and are listed in [`Scenario::inputs`](super::Scenario::inputs) like every uncertain number.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use super::raw::{DelayRaw, HousingRaw};
use super::table::{CsvTable, Fields, Reads};
use super::uncertain::Target;
use super::validate::{district_of, Validator};
use super::{DelayProfile, DistrictIx, Origin, Scenario, ScenarioError, Year};

type Result<T> = std::result::Result<T, ScenarioError>;

/// Children one dwelling can bring at one age: far above any survey's (≈ 0.1), low enough
/// to catch a yield written per 100 dwellings.
const MAX_YIELD: f64 = 5.0;
/// Largest type multiplier accepted.
const MAX_MULTIPLIER: f64 = 10.0;
/// Most dwellings one row may hold (a whole new town is ≈ 10⁵).
const MAX_DWELLINGS: f64 = 1e7;
/// Latest completion year accepted (after the horizon an estate adds nothing).
const LAST_YEAR: i64 = 2300;

/// The housing pipeline and what each dwelling brings (none by default).
#[derive(Debug, Clone)]
pub struct Housing {
    /// Estates in file order; ids unique.
    pub estates: Vec<Estate>,
    /// Children per dwelling at each age `0..=max_age` on first occupation (central values).
    pub yields: Vec<f64>,
    /// `[housing.types]`: `(type, multiplier)` in key order (central values).
    pub types: Vec<(String, f64)>,
    /// The origin the children join.
    pub origin: Origin,
    /// `[housing.delay]`: years late each estate may complete (default: on time).
    pub delay: DelayProfile,
    /// `[housing.delay] correlation`: ρ of the copula coupling the estates' delays, in [0, 1).
    pub delay_correlation: f64,
    /// Residents per dwelling (> 0), for `check`'s seats per 1,000 residents; not used by the
    /// projection.
    pub persons_per_dwelling: Option<f64>,
}

/// One residential development of `housing.csv`.
#[derive(Debug, Clone)]
pub struct Estate {
    /// Unique ASCII id (keys its delay draw).
    pub id: String,
    /// Where it is built.
    pub district: DistrictIx,
    /// Dwellings completed (≥ 0).
    pub dwellings: f64,
    /// Year first occupied, after the base year (after the horizon it adds nothing).
    pub completion_year: Year,
    /// Its type's position in [`Housing::types`]; `None` = multiplier 1.
    pub kind: Option<usize>,
}

impl Housing {
    /// No housing: nothing is added.
    pub fn none(max_age: usize) -> Self {
        Self {
            estates: Vec::new(),
            yields: vec![0.0; max_age + 1],
            types: Vec::new(),
            origin: Origin::Migrant,
            delay: DelayProfile::on_time(),
            delay_correlation: 0.0,
            persons_per_dwelling: None,
        }
    }

    /// Children the estates of `district` completing within `years` bring at `ages`, and
    /// their dwellings, at the central yields and multipliers (for `check`).
    pub fn arrivals(
        &self,
        district: DistrictIx,
        years: std::ops::RangeInclusive<Year>,
        ages: std::ops::RangeInclusive<usize>,
    ) -> (f64, f64) {
        let estates = (self.estates.iter())
            .filter(|e| e.district == district && years.contains(&e.completion_year));
        let per_dwelling: f64 = self.yields[ages].iter().sum();
        estates.fold((0.0, 0.0), |(children, dwellings), e| {
            let m = e.kind.map_or(1.0, |k| self.types[k].1);
            (
                children + e.dwellings * m * per_dwelling,
                dwellings + e.dwellings,
            )
        })
    }
}

impl Validator<'_> {
    /// `[housing]` without its table of estates (read later by [`read_estates`]).
    pub(super) fn housing(&self, h: Option<HousingRaw>, max_age: usize) -> Result<Housing> {
        let mut out = Housing::none(max_age);
        let Some(h) = h else { return Ok(out) };
        if let Some(values) = h.yields {
            if values.len() != max_age + 1 {
                return Err(self.err("housing.yield", format!(
                    "housing.yield has {} values: it needs {} (children per dwelling at each age 0..={max_age}, the oldest stage's last age)",
                    values.len(), max_age + 1
                )));
            }
            for (a, v) in values.iter().enumerate() {
                let key = format!("housing.yield.{a}");
                out.yields[a] = self.scalar(
                    &key,
                    Some(v.clone()),
                    0.0,
                    (0.0, MAX_YIELD),
                    Target::HousingYield(a),
                )?;
            }
        }
        for (i, (kind, v)) in h.types.unwrap_or_default().into_iter().enumerate() {
            let key = format!("housing.types.{kind}");
            let m = self.scalar(
                &key,
                Some(v),
                1.0,
                (0.0, MAX_MULTIPLIER),
                Target::HousingType(i),
            )?;
            out.types.push((kind, m));
        }
        out.origin = match h.origin.as_deref() {
            None | Some("migrant") => Origin::Migrant,
            Some("local") => Origin::Local,
            Some(other) => {
                return Err(self.err(
                    "housing.origin",
                    format!(
                    "housing.origin = \"{other}\": must be \"migrant\" (the default) or \"local\""
                ),
                ))
            }
        };
        out.persons_per_dwelling = (h.persons_per_dwelling)
            .map(|x| {
                self.num(
                    "housing.persons_per_dwelling",
                    x,
                    |x| x > 0.0 && x <= 20.0,
                    "> 0 and at most 20",
                )
            })
            .transpose()?;
        self.housing_delay(h.delay, &mut out)?;
        Ok(out)
    }

    fn housing_delay(&self, d: Option<DelayRaw>, out: &mut Housing) -> Result<()> {
        let Some(d) = d else { return Ok(()) };
        out.delay_correlation = self.opt_num(
            "housing.delay.correlation",
            d.correlation,
            0.0,
            |x| (0.0..1.0).contains(&x),
            "from 0 (independent estates) up to but not including 1",
        )?;
        let p = |v: Option<f64>| v.unwrap_or(0.0);
        out.delay = DelayProfile::new(p(d.on_time), p(d.one_year), p(d.two_years), p(d.never))
            .map_err(|e| self.err("housing.delay", format!("[housing.delay]: {e}")))?;
        Ok(())
    }
}

/// Columns of `housing.csv`, in order, before the optional `type`.
pub const HOUSING_COLUMNS: [&str; 4] = ["id", "district", "dwellings", "completion_year"];

/// Reads `housing.csv` into `s.housing.estates`.
pub(super) fn read_estates(s: &mut Scenario, path: &Path, reads: &mut Reads) -> Result<()> {
    let table = CsvTable::read(path, &HOUSING_COLUMNS, &["type"], reads)?;
    let types: BTreeMap<&str, usize> = (s.housing.types.iter().enumerate())
        .map(|(i, (t, _))| (t.as_str(), i))
        .collect();
    let mut seen = HashSet::new();
    let mut estates = Vec::new();
    for row in table.rows() {
        let id = row.ident("id")?;
        if !seen.insert(id.to_string()) {
            return Err(row.error(format!("id = {id}: duplicate estate id")));
        }
        let kind = match row.raw("type") {
            "" => None,
            t => Some(*types.get(t).ok_or_else(|| {
                let valid: Vec<_> = types.keys().copied().collect();
                row.error(format!(
                    "type = {t}: not a type of [housing.types] ({}); leave it empty for multiplier 1",
                    if valid.is_empty() { "none given".to_string() } else { valid.join(", ") }
                ))
            })?),
        };
        let first = i64::from(s.base_year.0) + 1;
        estates.push(Estate {
            id: id.to_string(),
            district: district_of(s, &row)?,
            dwellings: row.number_where(
                "dwellings",
                |x| (0.0..=MAX_DWELLINGS).contains(&x),
                "≥ 0 and at most 10000000",
            )?,
            completion_year: Year(row.whole("completion_year", first, LAST_YEAR)? as i32),
            kind,
        });
    }
    if s.housing.yields.iter().all(|&y| y == 0.0) && !estates.is_empty() {
        return Err(ScenarioError::in_file(
            path,
            "estates are listed but [housing] yield is missing or all 0: give children per dwelling at each age",
        ));
    }
    let any = !estates.is_empty();
    s.stages.iter_mut().for_each(|st| st.housing = any);
    s.housing.estates = estates;
    Ok(())
}
