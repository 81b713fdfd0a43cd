//! Raw scenario → checked [`Scenario`]: every range, reference and completeness rule, with an
//! error that names the key (TOML) or the line and column (CSV).

use std::cell::RefCell;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use ndarray::Array3;
use sha2::Digest;

use super::error::{close_match, did_you_mean};
use super::labels::Labels;
use super::load::{LoadedFiles, Origins};
use super::raw::{self, PathRaw, ScenarioFile};
use super::table::{CsvTable, Fields, Reads};
use super::uncertain::{PathId, Target, Uncertain};
use super::*;

mod cap;
mod drift;
mod standards;
mod surge;
mod warnings;

type Result<T> = std::result::Result<T, ScenarioError>;

/// Largest accepted trial count (the exact moment sums are sized for it).
pub const MAX_TRIALS: u64 = 100_000_000;
/// Longest accepted projection, in years.
const MAX_HORIZON_YEARS: i64 = 100;
/// Oldest accepted stage age.
const MAX_AGE: i64 = 30;
/// Largest accepted count of children in one CSV cell: far above any district's, so that a
/// slipped digit is caught rather than projected (statistics stay exact below 1e9 per cell).
const MAX_COUNT: f64 = 1e8;
/// Valid range of the births index, the migration trend and the migration scales.
const SCALE_RANGE: (f64, f64) = (0.0, 100.0);
/// Smallest popularity dispersion κ. Below about 0.02 a Gamma(κ, 1/κ) draw, `U^(1/κ) · …`,
/// underflows to 0 or a subnormal: a catchment whose weights all do has `Σ c_j w_j` = 0 (or
/// `D / Σ` overflows), and its class sizes are infinite although DESIGN §2.4's split is finite.
/// At 0.1 the smallest draw is still ≥ (2⁻⁵³)¹⁰ · … ≈ 10⁻¹⁶⁰, so the split stays exact.
pub const MIN_DISPERSION: f64 = 0.1;
/// Above this every school is equally popular to within rounding; leave it out instead.
const MAX_DISPERSION: f64 = 1e9;
/// Largest sd of a log shock: e⁵ ≈ 150 times the central value at one sd is a slip, not a
/// scenario (and far larger ones overflow the projection to infinity).
const MAX_SIGMA: f64 = 5.0;

/// The valid sds of a log shock, in words.
fn sigma_range() -> String {
    format!(
        "≥ 0 and at most {MAX_SIGMA} (the sd of a log shock: e^{MAX_SIGMA} ≈ 150 times at one sd)"
    )
}

/// The valid seeds, in words.
fn seed_range() -> String {
    format!("a whole number from 0 to {}", i64::MAX)
}

/// The valid dispersions κ, in words.
fn dispersion_range() -> String {
    format!("from {MIN_DISPERSION} to {MAX_DISPERSION:e} (larger = schools more evenly popular)")
}

/// What is valid for the number at key path `key`, in words, where a message about a value
/// that cannot even be read (beyond what TOML or a 64-bit float holds) should say it too.
pub(super) fn valid_range(key: &str) -> Option<String> {
    let last = key.rsplit('.').next().unwrap_or(key);
    Some(match key {
        "scenario.seed" => seed_range(),
        "scenario.trials" => format!("a whole number from 1 to {MAX_TRIALS}"),
        "scenario.base_year" => "a year between 1900 and 2200".into(),
        "scenario.horizon" => {
            format!("a year after base_year, at most {MAX_HORIZON_YEARS} years later")
        }
        _ if key.starts_with("stages.") && last == "dispersion" => dispersion_range(),
        _ if key.starts_with("stages.") && last == "class_size" => {
            "a whole number from 1 to 1000".into()
        }
        _ if key.starts_with("drift.") && last == "sigma" => "between 0 and 2".into(),
        _ if last.starts_with("sigma") => sigma_range(),
        _ if last.starts_with("rho") => "strictly between -1 and 1".into(),
        _ => return None,
    })
}

/// Turns loaded files into a checked scenario, reading the CSV tables they name.
pub fn validate(files: LoadedFiles) -> Result<Scenario> {
    let LoadedFiles {
        root,
        raw,
        origins,
        hasher,
        changes,
        chain,
    } = files;
    let mut reads = Reads {
        hasher,
        tables: Vec::new(),
    };
    let v = Validator {
        origins: &origins,
        inputs: RefCell::default(),
    };
    let ScenarioFile {
        scenario,
        stages,
        standards,
        enrolment,
        private_share,
        births,
        demography,
        migration,
        construction,
        warnings,
        data,
        teachers,
        costs,
        plan,
        _changes: _,
        drift,
        labels,
        housing,
    } = raw;
    let head = v.head(&root, scenario)?;
    let stages = v.stages(stages, enrolment, private_share)?;
    let stages = super::resources::apply(&origins, teachers, costs, stages)?;
    let max_age = stages.last().map_or(0, |s| *s.ages.end());
    let data = v.data(data)?;
    let delay_raw = construction.and_then(|c| c.delay);
    let delay_correlation = v.delay_correlation(delay_raw.as_ref())?;
    let delay = v.delay(delay_raw)?;
    let drift = v.drift(drift, &stages, (head.base_year, head.horizon))?;
    let housing = v.housing(housing, max_age)?;
    let mut scenario = Scenario {
        name: head.name,
        file: root.clone(),
        sha256: String::new(),
        base_year: head.base_year,
        horizon: head.horizon,
        trials: head.trials,
        seed: head.seed,
        standards: v.standards(standards)?,
        births: v.births(births)?,
        survival: v.survival(demography, max_age)?,
        migration: v.migration(migration, max_age)?,
        warnings: v.warnings(warnings)?,
        plan: super::plan::settings(&origins, plan, (head.base_year, head.horizon), &stages)?,
        map: super::map::read(data.map.as_deref(), &mut reads.hasher)?,
        population: Array3::zeros((0, 2, max_age + 1)),
        districts: Vec::new(),
        capacity: Vec::new(),
        projects: Vec::new(),
        delay_correlation,
        inputs: Vec::new(),
        drift,
        labels: Labels::default(),
        housing,
        stages,
        delay,
        tables: Vec::new(),
        chain,
    };
    read_tables(&mut scenario, &data, delay, &mut reads)?;
    let projects = data.projects.as_deref().unwrap_or(&root);
    check_pipeline(&scenario).map_err(|m| ScenarioError::in_file(projects, m))?;
    super::changes::apply(&mut scenario, &changes, delay)?;
    scenario.sha256 = hex(&reads.hasher.finalize());
    scenario.tables = reads.tables;
    scenario.inputs = v.inputs.take();
    scenario.labels = v.labels(labels, &scenario.inputs)?;
    Ok(scenario)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

struct Head {
    name: String,
    base_year: Year,
    horizon: Year,
    trials: u64,
    seed: u64,
}

struct DataPaths {
    districts: PathBuf,
    population: PathBuf,
    capacity: PathBuf,
    projects: Option<PathBuf>,
    map: Option<PathBuf>,
    housing: Option<PathBuf>,
}

/// Key-level checks, with errors located through the origins of the keys.
pub(super) struct Validator<'a> {
    origins: &'a Origins,
    /// Uncertain inputs met so far, in the order of their keys.
    pub(super) inputs: RefCell<Vec<Uncertain>>,
}

impl Validator<'_> {
    pub(super) fn err(&self, key: &str, message: impl Into<String>) -> ScenarioError {
        self.origins.error(key, message)
    }

    pub(super) fn missing(&self, key: &str, what: &str) -> ScenarioError {
        let (table, name) = key.rsplit_once('.').unwrap_or(("", key));
        self.err(key, format!("missing key `{name}` in [{table}]: {what}"))
    }

    /// `value` if it is finite and `ok`, else an error naming `key`, the value and `valid`.
    pub(super) fn num(
        &self,
        key: &str,
        value: f64,
        ok: impl Fn(f64) -> bool,
        valid: &str,
    ) -> Result<f64> {
        if value.is_finite() && ok(value) {
            Ok(value)
        } else {
            Err(self.err(key, format!("{key} = {value}: must be {valid}")))
        }
    }

    pub(super) fn opt_num(
        &self,
        key: &str,
        value: Option<f64>,
        default: f64,
        ok: impl Fn(f64) -> bool,
        valid: &str,
    ) -> Result<f64> {
        value.map_or(Ok(default), |x| self.num(key, x, ok, valid))
    }

    fn sigma(&self, key: &str, value: Option<f64>) -> Result<f64> {
        let ok = |x| (0.0..=MAX_SIGMA).contains(&x);
        self.opt_num(key, value, 0.0, ok, &sigma_range())
    }

    fn rho(&self, key: &str, value: Option<f64>) -> Result<f64> {
        self.opt_num(
            key,
            value,
            0.0,
            |x| x.abs() < 1.0,
            "strictly between -1 and 1",
        )
    }

    fn head(&self, root: &Path, s: Option<raw::ScenarioSection>) -> Result<Head> {
        let s = s.ok_or_else(|| {
            ScenarioError::in_file(
                root,
                "missing table [scenario] (name, base_year, horizon, …)",
            )
        })?;
        let base = s.base_year.ok_or_else(|| {
            self.missing(
                "scenario.base_year",
                "the year of the observed state, e.g. 2020",
            )
        })?;
        if !(1900..=2200).contains(&base) {
            return Err(self.err(
                "scenario.base_year",
                format!("scenario.base_year = {base}: must be a year between 1900 and 2200"),
            ));
        }
        let horizon = s.horizon.ok_or_else(|| {
            self.missing("scenario.horizon", "the last projected year, e.g. 2035")
        })?;
        if horizon <= base || horizon - base > MAX_HORIZON_YEARS {
            return Err(self.err(
                "scenario.horizon",
                format!("scenario.horizon = {horizon}: must be after base_year {base} and at most {MAX_HORIZON_YEARS} years later"),
            ));
        }
        let trials = s.trials.unwrap_or(10_000);
        if !(1..=MAX_TRIALS as i64).contains(&trials) {
            return Err(self.err(
                "scenario.trials",
                format!("scenario.trials = {trials}: must be between 1 and {MAX_TRIALS}"),
            ));
        }
        let seed = s.seed.unwrap_or(1);
        if seed < 0 {
            return Err(self.err(
                "scenario.seed",
                format!("scenario.seed = {seed}: must be {}", seed_range()),
            ));
        }
        // A blank name would head every report and chart with nothing.
        if s.name.as_deref().is_some_and(|n| n.trim().is_empty()) {
            return Err(self.err(
                "scenario.name",
                "scenario.name is blank: give a name, or leave the key out (the file name is used)",
            ));
        }
        let stem = root.file_stem().map(|s| s.to_string_lossy().into_owned());
        Ok(Head {
            name: s.name.or(stem).unwrap_or_default(),
            base_year: Year(base as i32),
            horizon: Year(horizon as i32),
            trials: trials as u64,
            seed: seed as u64,
        })
    }

    fn stages(
        &self,
        raw: Option<BTreeMap<String, raw::StageRaw>>,
        enrolment: Option<BTreeMap<String, PathRaw>>,
        private: Option<BTreeMap<String, PathRaw>>,
    ) -> Result<Vec<Stage>> {
        let raw = raw.filter(|m| !m.is_empty()).ok_or_else(|| {
            self.err(
                "stages",
                "no stages: add at least one [stages.<id>] table with ages and class_size",
            )
        })?;
        let mut enrolment = enrolment.unwrap_or_default();
        let mut private = private.unwrap_or_default();
        let mut stages = raw
            .into_iter()
            .map(|(id, s)| {
                let enrol = self.path(
                    &format!("enrolment.{id}"),
                    enrolment.remove(&id),
                    1.0,
                    (0.0, 3.0),
                    PathId::Enrolment(id.clone()),
                )?;
                let priv_ = self.path(
                    &format!("private_share.{id}"),
                    private.remove(&id),
                    0.0,
                    (0.0, 1.0),
                    PathId::PrivateShare(id.clone()),
                )?;
                self.stage(id, s, enrol, priv_)
            })
            .collect::<Result<Vec<_>>>()?;
        for (table, rest) in [("enrolment", &enrolment), ("private_share", &private)] {
            if let Some(id) = rest.keys().next() {
                let stages = stages.iter().map(|s| s.id.as_str());
                return Err(self.err(
                    &format!("{table}.{id}"),
                    format!(
                        "[{table}] {id}: no stage `{id}` is defined in [stages]{}",
                        did_you_mean(id, stages)
                    ),
                ));
            }
        }
        stages.sort_by_key(|s| *s.ages.start());
        for pair in stages.windows(2) {
            if pair[1].ages.start() <= pair[0].ages.end() {
                return Err(self.err(
                    &format!("stages.{}.ages", pair[1].id),
                    format!(
                        "stages `{}` (ages [{}, {}]) and `{}` (ages [{}, {}]) overlap: each age belongs to at most one stage",
                        pair[0].id, pair[0].ages.start(), pair[0].ages.end(),
                        pair[1].id, pair[1].ages.start(), pair[1].ages.end()
                    ),
                ));
            }
        }
        Ok(stages)
    }

    fn stage(
        &self,
        id: String,
        s: raw::StageRaw,
        enrolment: YearPath,
        private_share: YearPath,
    ) -> Result<Stage> {
        let key = |k: &str| format!("stages.{id}.{k}");
        if id == "ALL"
            || id.is_empty()
            || !id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_-".contains(&b))
        {
            return Err(self.err(
                &format!("stages.{id}"),
                format!("stage id `{id}`: use ASCII letters, digits, `_` or `-` (and not ALL)"),
            ));
        }
        let ages = s
            .ages
            .ok_or_else(|| self.missing(&key("ages"), "first and last age, e.g. [6, 11]"))?;
        let (a0, a1) = match ages[..] {
            [a0, a1] if 0 <= a0 && a0 <= a1 && a1 <= MAX_AGE => (a0 as usize, a1 as usize),
            _ => {
                return Err(self.err(
                    &key("ages"),
                    format!(
                        "{} = {ages:?}: must be [first, last] with 0 ≤ first ≤ last ≤ {MAX_AGE}",
                        key("ages")
                    ),
                ))
            }
        };
        let size = s.class_size.ok_or_else(|| {
            self.missing(&key("class_size"), "pupils per standard class, e.g. 45")
        })?;
        if !(1..=1000).contains(&size) {
            return Err(self.err(
                &key("class_size"),
                format!("{} = {size}: must be between 1 and 1000", key("class_size")),
            ));
        }
        let dispersion = s
            .dispersion
            .map(|k| {
                self.num(
                    &key("dispersion"),
                    k,
                    |k| (MIN_DISPERSION..=MAX_DISPERSION).contains(&k),
                    &dispersion_range(),
                )
            })
            .transpose()?;
        let admission_cap = self.admission_cap(&key("admission_cap"), s.admission_cap, size)?;
        let catchment = match s.catchment.as_deref() {
            None | Some("district") => Catchment::District,
            Some("city") => Catchment::City,
            Some(other) => {
                return Err(self.err(
                    &key("catchment"),
                    format!(
                        "{} = \"{other}\": must be \"district\" or \"city\"",
                        key("catchment")
                    ),
                ))
            }
        };
        let surge = self.surge(&key("surge"), s.surge, catchment)?;
        Ok(Stage {
            id,
            ages: a0..=a1,
            class_size: size as u32,
            dispersion,
            admission_cap,
            catchment,
            surge,
            enrolment,
            private_share,
            teachers: None,
            seat_cost: None,
            housing: false,
        })
    }

    fn births(&self, b: Option<raw::BirthsRaw>) -> Result<Births> {
        let b = b.unwrap_or(raw::BirthsRaw {
            index: None,
            sigma_city: None,
            rho: None,
            sigma_district: None,
        });
        Ok(Births {
            index: self.path(
                "births.index",
                b.index,
                1.0,
                SCALE_RANGE,
                PathId::BirthsIndex,
            )?,
            sigma_city: self.sigma("births.sigma_city", b.sigma_city)?,
            rho: self.rho("births.rho", b.rho)?,
            sigma_district: self.sigma("births.sigma_district", b.sigma_district)?,
        })
    }

    /// A per-age list of `max_age + 1` values, each checked by `ok`.
    fn per_age(
        &self,
        key: &str,
        values: Vec<f64>,
        max_age: usize,
        ok: impl Fn(f64) -> bool,
        valid: &str,
    ) -> Result<Vec<f64>> {
        if values.len() != max_age + 1 {
            return Err(self.err(key, format!(
                "{key} has {} values: it needs {} (one per age 0..={max_age}, the oldest stage's last age)",
                values.len(), max_age + 1
            )));
        }
        for (age, &x) in values.iter().enumerate() {
            if !(x.is_finite() && ok(x)) {
                return Err(self.err(key, format!("{key}[age {age}] = {x}: must be {valid}")));
            }
        }
        Ok(values)
    }

    fn survival(&self, d: Option<raw::DemographyRaw>, max_age: usize) -> Result<Vec<f64>> {
        match d.and_then(|d| d.survival) {
            None => Ok(vec![1.0; max_age + 1]),
            Some(v) => self.per_age(
                "demography.survival",
                v,
                max_age,
                |x| (0.0..=1.0).contains(&x),
                "a probability between 0 and 1",
            ),
        }
    }

    fn migration(&self, m: Option<raw::MigrationRaw>, max_age: usize) -> Result<Migration> {
        let m = m.unwrap_or(raw::MigrationRaw {
            migrant_stay: None,
            trend: None,
            inflow_scale: None,
            rate_scale: None,
            age_profile: None,
            sigma_city: None,
            rho_city: None,
            sigma: None,
            rho: None,
        });
        let profile = match m.age_profile {
            None => vec![1.0; max_age + 1],
            Some(v) => self.per_age("migration.age_profile", v, max_age, |x| x >= 0.0, "≥ 0")?,
        };
        let Some(age_profile) = super::weights::shares(&profile) else {
            return Err(self.err(
                "migration.age_profile",
                "migration.age_profile: the weights sum to 0; give at least one positive weight",
            ));
        };
        Ok(Migration {
            migrant_stay: self.scalar(
                "migration.migrant_stay",
                m.migrant_stay,
                1.0,
                (0.0, 1.0),
                Target::MigrantStay,
            )?,
            trend: self.path("migration.trend", m.trend, 1.0, SCALE_RANGE, PathId::Trend)?,
            inflow_scale: self.scalar(
                "migration.inflow_scale",
                m.inflow_scale,
                1.0,
                SCALE_RANGE,
                Target::InflowScale,
            )?,
            rate_scale: self.scalar(
                "migration.rate_scale",
                m.rate_scale,
                1.0,
                SCALE_RANGE,
                Target::RateScale,
            )?,
            age_profile,
            sigma_city: self.sigma("migration.sigma_city", m.sigma_city)?,
            rho_city: self.rho("migration.rho_city", m.rho_city)?,
            sigma: self.sigma("migration.sigma", m.sigma)?,
            rho: self.rho("migration.rho", m.rho)?,
        })
    }

    fn delay(&self, d: Option<raw::DelayRaw>) -> Result<DelayProfile> {
        let Some(d) = d else {
            return Ok(DelayProfile::on_time());
        };
        let p = |v: Option<f64>| v.unwrap_or(0.0);
        DelayProfile::new(p(d.on_time), p(d.one_year), p(d.two_years), p(d.never))
            .map_err(|e| self.err("construction.delay", format!("[construction.delay]: {e}")))
    }

    fn data(&self, d: Option<raw::DataRaw>) -> Result<DataPaths> {
        let d = d.ok_or_else(|| {
            self.err(
                "data",
                "missing table [data] (districts, population, capacity, projects)",
            )
        })?;
        let need = |v: Option<String>, key: &str, what: &str| {
            self.file(key, v)?.ok_or_else(|| self.missing(key, what))
        };
        Ok(DataPaths {
            districts: need(d.districts, "data.districts", "path of districts.csv")?,
            population: need(d.population, "data.population", "path of population.csv")?,
            capacity: need(d.capacity, "data.capacity", "path of capacity.csv")?,
            projects: self.file("data.projects", d.projects)?,
            map: self.file("data.map", d.map)?,
            housing: self.file("data.housing", d.housing)?,
        })
    }

    /// The path in `[data] key`, if set, after checking that it names a regular file.
    fn file(&self, key: &str, path: Option<String>) -> Result<Option<PathBuf>> {
        let Some(path) = path.map(PathBuf::from) else {
            return Ok(None);
        };
        if path.as_os_str().is_empty() {
            return Err(self.err(
                key,
                format!("{key} = \"\": give the path of a file (relative to the TOML file)"),
            ));
        }
        if path.is_file() {
            return Ok(Some(path));
        }
        let problem = if path.exists() {
            "is not a regular file"
        } else {
            "does not exist (paths are relative to the TOML file that names them)"
        };
        Err(self.err(key, format!("{key}: {} {problem}", path.display())))
    }
}

impl table::Row<'_> {
    /// A number of children in `column`: from 0 to [`MAX_COUNT`].
    fn count(&self, column: &str) -> Result<f64> {
        self.number_where(
            column,
            |x| (0.0..=MAX_COUNT).contains(&x),
            "≥ 0 and at most 100000000",
        )
    }
}

/// Reads the CSV tables into the scenario.
fn read_tables(
    s: &mut Scenario,
    data: &DataPaths,
    delay: DelayProfile,
    reads: &mut Reads,
) -> Result<()> {
    s.districts = read_districts(&data.districts, s.map.as_ref(), reads)?;
    s.population = read_population(s, &data.population, reads)?;
    s.capacity = read_capacity(s, &data.capacity, reads)?;
    if let Some(path) = &data.projects {
        s.projects = read_projects(s, path, delay, reads)?;
    }
    if let Some(path) = &data.housing {
        super::housing::read_estates(s, path, reads)?;
    }
    Ok(())
}

fn read_districts(path: &Path, map: Option<&MapFile>, reads: &mut Reads) -> Result<Vec<District>> {
    let table = CsvTable::read(
        path,
        &[
            "id",
            "name",
            "births_base",
            "rate_local",
            "rate_migrant",
            "inflow",
        ],
        &["name_en", "map_feature", "map_kind"],
        reads,
    )?;
    let mut seen = HashSet::new();
    let mut districts = Vec::new();
    for row in table.rows() {
        let id = row.ident("id")?;
        if id == "ALL" {
            return Err(row.error("id = ALL: ALL is reserved for city totals"));
        }
        if !seen.insert(id.to_string()) {
            return Err(row.error(format!("id = {id}: duplicate district id")));
        }
        let rate = |c| {
            row.number_where(
                c,
                |x| x > -1.0 && x <= 1.0,
                "a yearly rate greater than -1 and at most 1",
            )
        };
        districts.push(District {
            id: id.to_string(),
            name: row.text("name")?.to_string(),
            name_en: Some(row.raw("name_en"))
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            births_base: row.count("births_base")?,
            rate_local: rate("rate_local")?,
            rate_migrant: rate("rate_migrant")?,
            inflow: row.count("inflow")?,
            map: map_link(&row, map)?,
        });
    }
    if districts.is_empty() {
        return Err(ScenarioError::in_file(
            path,
            "no districts: add at least one row",
        ));
    }
    Ok(districts)
}

fn map_link(row: &table::Row<'_>, map: Option<&MapFile>) -> Result<Option<MapLink>> {
    let (feature, kind) = (row.raw("map_feature"), row.raw("map_kind"));
    if feature.is_empty() {
        return match kind {
            "" => Ok(None),
            _ => Err(row.error(format!("map_kind = {kind} needs a map_feature"))),
        };
    }
    let Some(map) = map else {
        return Err(row.error("map_feature is set but the scenario has no [data] map"));
    };
    // A typo would leave the district off every map without a word.
    if !map.has_feature(feature) {
        return Err(row.error(format!(
            "map_feature = {}: no feature of {} has this adcode, id or name",
            quoted(feature),
            map.path.display()
        )));
    }
    let kind = match kind {
        "" | "polygon" => MapKind::Polygon,
        "point" => MapKind::Point,
        other => return Err(row.error(format!("map_kind = {other}: must be polygon or point"))),
    };
    Ok(Some(MapLink {
        feature: feature.to_string(),
        kind,
    }))
}

pub(super) fn district_of(s: &Scenario, row: &impl Fields) -> Result<DistrictIx> {
    let id = row.text("district")?;
    s.district_ix(id).ok_or_else(|| {
        let ids = s.districts.iter().map(|d| d.id.as_str());
        row.error(format!(
            "district = {}: not a district id of districts.csv{}",
            quoted(id),
            did_you_mean(id, ids)
        ))
    })
}

pub(super) fn stage_of(s: &Scenario, row: &impl Fields) -> Result<StageIx> {
    let id = row.text("stage")?;
    s.stage_ix(id).ok_or_else(|| {
        let ids: Vec<_> = s.stages.iter().map(|s| s.id.as_str()).collect();
        let hint = close_match(id, ids.iter().copied());
        row.error(format!(
            "stage = {}: not a stage of the scenario ({}){hint}",
            quoted(id),
            ids.join(", ")
        ))
    })
}

fn read_population(s: &Scenario, path: &Path, reads: &mut Reads) -> Result<Array3<f64>> {
    let table = CsvTable::read(path, &["district", "age", "local", "migrant"], &[], reads)?;
    let max_age = s.max_age();
    let mut pop = Array3::zeros((s.districts.len(), 2, max_age + 1));
    let mut seen = HashSet::new();
    for row in table.rows() {
        let d = district_of(s, &row)?;
        let age = row.whole("age", 0, max_age as i64)? as usize;
        if !seen.insert((d, age)) {
            return Err(row.error(format!(
                "district {} age {age} appears twice",
                s.districts[d.0].id
            )));
        }
        pop[[d.0, Origin::Local as usize, age]] = row.count("local")?;
        pop[[d.0, Origin::Migrant as usize, age]] = row.count("migrant")?;
    }
    for (i, d) in s.districts.iter().enumerate() {
        if let Some(age) = (0..=max_age).find(|&a| !seen.contains(&(DistrictIx(i), a))) {
            return Err(ScenarioError::in_file(
                path,
                format!(
                    "no row for district {} age {age}: every district needs ages 0..={max_age}",
                    d.id
                ),
            ));
        }
    }
    Ok(pop)
}

fn read_capacity(s: &Scenario, path: &Path, reads: &mut Reads) -> Result<Vec<Vec<Capacity>>> {
    let table = CsvTable::read(
        path,
        &["district", "stage", "schools", "classes"],
        &[],
        reads,
    )?;
    let mut cap: Vec<Vec<Option<Capacity>>> = vec![vec![None; s.stages.len()]; s.districts.len()];
    for row in table.rows() {
        let (d, st) = (district_of(s, &row)?, stage_of(s, &row)?);
        let schools = row.whole("schools", 0, 1_000_000)? as u32;
        let classes = row.whole("classes", 0, 10_000_000)? as u32;
        if schools == 0 && classes > 0 {
            return Err(row.error(format!(
                "classes = {classes} with schools = 0: classes need a school"
            )));
        }
        let slot = &mut cap[d.0][st.0];
        if slot.replace(Capacity { schools, classes }).is_some() {
            return Err(row.error(format!(
                "district {} stage {} appears twice",
                s.districts[d.0].id, s.stages[st.0].id
            )));
        }
    }
    cap.into_iter()
        .enumerate()
        .map(|(d, row)| {
            row.into_iter()
                .enumerate()
                .map(|(st, c)| {
                    c.ok_or_else(|| ScenarioError::in_file(path, format!(
                        "no row for district {} stage {}: give every district and stage (0 schools, 0 classes if none)",
                        s.districts[d].id, s.stages[st].id
                    )))
                })
                .collect()
        })
        .collect()
}

/// Columns of `projects.csv`, in order, before the optional ones.
pub const PROJECT_COLUMNS: [&str; 7] = [
    "id",
    "name",
    "district",
    "stage",
    "kind",
    "classes",
    "planned_year",
];
/// Optional columns of a project's own delay profile.
pub const DELAY_COLUMNS: [&str; 4] = ["on_time", "one_year", "two_years", "never"];

fn read_projects(
    s: &Scenario,
    path: &Path,
    default: DelayProfile,
    reads: &mut Reads,
) -> Result<Vec<Project>> {
    let table = CsvTable::read(
        path,
        &PROJECT_COLUMNS,
        &["status", "on_time", "one_year", "two_years", "never"],
        reads,
    )?;
    let mut seen = HashSet::new();
    let mut projects = Vec::new();
    for row in table.rows() {
        let project = project(s, &row, default)?;
        if !seen.insert(project.id.clone()) {
            return Err(row.error(format!("id = {}: duplicate project id", project.id)));
        }
        projects.push(project);
    }
    Ok(projects)
}

/// Most classes one project may add or remove.
pub(super) const MAX_PROJECT_CLASSES: i64 = 100_000;

/// First and last planned year a project may have: after the base year, and up to
/// [`MAX_HORIZON_YEARS`] after the horizon (a project after the horizon never opens within the
/// run, but a pipeline file may hold the whole programme).
pub(super) fn project_years(s: &Scenario) -> (i64, i64) {
    let (b, h) = (i64::from(s.base_year.0), i64::from(s.horizon.0));
    (b + 1, h + MAX_HORIZON_YEARS)
}

/// One project from a `projects.csv` row or a `[[changes]] add` row.
pub(super) fn project(s: &Scenario, row: &impl Fields, default: DelayProfile) -> Result<Project> {
    let id = row.ident("id")?;
    let kind = match row.text("kind")? {
        "new" => ProjectKind::New,
        "expansion" => ProjectKind::Expansion,
        "closure" => ProjectKind::Closure,
        other => {
            return Err(row.error(format!("kind = {other}: must be new, expansion or closure")))
        }
    };
    match row.raw("status") {
        "" | "planned" | "estimated" => {}
        other => return Err(row.error(format!("status = {other}: must be planned or estimated"))),
    }
    let (first, last) = project_years(s);
    Ok(Project {
        id: id.to_string(),
        name: row.text("name")?.to_string(),
        district: district_of(s, row)?,
        stage: stage_of(s, row)?,
        kind,
        classes: row.whole("classes", 1, MAX_PROJECT_CLASSES)? as u32,
        planned_year: Year(row.whole("planned_year", first, last)? as i32),
        delay: project_delay(row, default)?,
    })
}

pub(super) fn project_delay(row: &impl Fields, default: DelayProfile) -> Result<DelayProfile> {
    let filled = DELAY_COLUMNS
        .iter()
        .filter(|c| !row.raw(c).is_empty())
        .count();
    match filled {
        0 => Ok(default),
        4 => {
            let [a, b, c, d] = DELAY_COLUMNS.map(|c| {
                row.number_where(c, |x| (0.0..=1.0).contains(&x), "a probability from 0 to 1")
            });
            DelayProfile::new(a?, b?, c?, d?).map_err(|e| row.error(format!("delay profile: {e}")))
        }
        _ => Err(row.error("on_time, one_year, two_years, never: fill all four (summing to 1) or none (the scenario's [construction.delay])")),
    }
}

/// Expansions and closures act on existing schools, and closures cannot remove more than is
/// there: checked on the pipeline as read, then after each change that edits it.
pub(super) fn check_pipeline(s: &Scenario) -> std::result::Result<(), String> {
    for (d, district) in s.districts.iter().enumerate() {
        for (st, stage) in s.stages.iter().enumerate() {
            let of = |kind| {
                s.projects
                    .iter()
                    .filter(move |p| p.district.0 == d && p.stage.0 == st && p.kind == kind)
            };
            let cap = s.capacity[d][st];
            if let Some(p) = of(ProjectKind::Expansion)
                .chain(of(ProjectKind::Closure))
                .next()
                .filter(|_| cap.schools == 0)
            {
                return Err(format!(
                    "project {}: district {} has no existing {} school to expand or close (add it as kind = new)",
                    p.id, district.id, stage.id
                ));
            }
            let sum = |kind| of(kind).map(|p| u64::from(p.classes)).sum::<u64>();
            let (added, removed) = (sum(ProjectKind::Expansion), sum(ProjectKind::Closure));
            if removed > u64::from(cap.classes) + added {
                return Err(format!(
                    "closures in district {} stage {} remove {removed} classes but it has only {} (+{added} from expansions)",
                    district.id, stage.id, cap.classes
                ));
            }
        }
    }
    Ok(())
}
