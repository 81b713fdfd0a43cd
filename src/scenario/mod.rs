//! Scenarios: the raw TOML/CSV files, and the checked [`Scenario`] the model runs on.
//!
//! Loading goes one way: files → raw serde types ([`raw`]) → [`validate`] → [`Scenario`].
//! Everything past this module can rely on the invariants documented on the checked types.

mod candidates;
mod changes;
mod delay;
mod drift;
mod encoding;
mod error;
pub mod geojson;
mod housing;
mod labels;
mod load;
mod map;
mod path;
mod plan;
mod raw;
mod resources;
mod table;
mod uncertain;
mod validate;
mod weights;

use std::fmt;
use std::ops::RangeInclusive;
use std::path::PathBuf;

use ndarray::Array3;

pub use candidates::Candidate;
pub use changes::{Change, ProjectRow};
pub use drift::{DriftSeries, DriftTarget};
pub use encoding::{TableFile, TextEncoding};
pub use error::ScenarioError;
pub(crate) use error::{quoted, short_numbers};
pub use housing::{Estate, Housing, HOUSING_COLUMNS};
pub use labels::{stage_zh, Labels, Name};
pub use map::MapFile;
pub use path::YearPath;
pub use plan::{Budgets, KeepPipeline, PlanSettings, Targets, Weights, MAX_PLAN_VALUE};
pub use resources::SeatCost;
pub(crate) use table::{CsvTable, Fields, Reads};
pub use uncertain::{Dist, PathId, Target, Uncertain, SHOCK_PREFIX, U_MAX, U_MIN};
pub use validate::{DELAY_COLUMNS, MAX_TRIALS, MIN_DISPERSION, PROJECT_COLUMNS};

/// A school year, named by the calendar year in which it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Year(pub i32);

impl std::ops::Add<i32> for Year {
    type Output = Year;
    fn add(self, years: i32) -> Year {
        Year(self.0 + years)
    }
}

impl fmt::Display for Year {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Position of a district in [`Scenario::districts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DistrictIx(pub usize);

/// Position of a stage in [`Scenario::stages`] (stages are ordered by age).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StageIx(pub usize);

/// Children's origin: registered locally, or migrant-worker children (随迁子女).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Registered in the city.
    Local = 0,
    /// Migrant-worker children.
    Migrant = 1,
}

impl Origin {
    /// Both origins, in array order.
    pub const ALL: [Origin; 2] = [Origin::Local, Origin::Migrant];
}

/// A checked, ready-to-run scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Human-readable name.
    pub name: String,
    /// The TOML file it was loaded from.
    pub file: PathBuf,
    /// SHA-256 (hex) over the TOML chain and every table, in load order.
    pub sha256: String,
    /// Year of the observed state.
    pub base_year: Year,
    /// Last projected year (> base year).
    pub horizon: Year,
    /// Default number of Monte Carlo trials (≥ 1).
    pub trials: u64,
    /// Default seed.
    pub seed: u64,
    /// School stages ordered by age, non-overlapping.
    pub stages: Vec<Stage>,
    /// Class-size standards and risk thresholds.
    pub standards: Standards,
    /// Districts in file order; ids unique ASCII, never `ALL`.
    pub districts: Vec<District>,
    /// Base-year population, `[district, origin, age]`, ages `0..=max_age()`; all ≥ 0.
    pub population: Array3<f64>,
    /// Births model.
    pub births: Births,
    /// `survival[a]`: probability a child aged `a` reaches `a + 1`, in [0, 1].
    pub survival: Vec<f64>,
    /// Migration model.
    pub migration: Migration,
    /// Existing public schools, `[district][stage]`.
    pub capacity: Vec<Vec<Capacity>>,
    /// The construction pipeline.
    pub projects: Vec<Project>,
    /// `[construction.delay] correlation`: ρ of the Gaussian copula coupling every project's
    /// delay, in [0, 1).
    pub delay_correlation: f64,
    /// Warning-level thresholds for risk.csv.
    pub warnings: Warnings,
    /// Numbers given as distributions (DESIGN §2.6), in key order; each stands above at its
    /// central value.
    pub inputs: Vec<Uncertain>,
    /// Chinese and English names of the uncertain inputs and shocks (`[labels]`).
    pub labels: Labels,
    /// GeoJSON boundaries for maps, if the scenario names one, as read at load.
    pub map: Option<MapFile>,
    /// Weights and budgets of `seatsim plan` (`[plan]`).
    pub plan: PlanSettings,
    /// The delay profile of projects that do not override it (`[construction.delay]`).
    pub delay: DelayProfile,
    /// The CSV tables read, in order, and how each was decoded.
    pub tables: Vec<TableFile>,
    /// The TOML files of its `extends` chain, parents first (the last is `file`).
    pub chain: Vec<PathBuf>,
    /// `[drift]`: processes on enrolment, private shares and the trend (none by default).
    pub drift: Vec<DriftSeries>,
    /// `[housing]` and `housing.csv`: estates whose children join the population (none by
    /// default).
    pub housing: Housing,
}

impl Scenario {
    /// Loads and validates a scenario TOML file (with its `extends` chain and tables).
    pub fn load(path: &std::path::Path) -> Result<Scenario, ScenarioError> {
        Self::load_with(path, &[])
    }

    /// Loads a scenario as [`Scenario::load`], then applies `changes` after its own
    /// `[[changes]]` (a what-if of `seatsim serve`); a bad change is named `change #k`.
    pub fn load_with(
        path: &std::path::Path,
        changes: &[Change],
    ) -> Result<Scenario, ScenarioError> {
        let files = load::load_files(path, changes)?;
        validate::validate(files)
    }

    /// Oldest modelled age (`A_max`): the last age of the oldest stage.
    pub fn max_age(&self) -> usize {
        self.stages.last().map_or(0, |s| *s.ages.end())
    }

    /// Base year then every projection year.
    pub fn years(&self) -> impl Iterator<Item = Year> + Clone {
        (self.base_year.0..=self.horizon.0).map(Year)
    }

    /// Number of reported years including the base year.
    pub fn n_years(&self) -> usize {
        (self.horizon.0 - self.base_year.0) as usize + 1
    }

    /// Index of a district by id.
    pub fn district_ix(&self, id: &str) -> Option<DistrictIx> {
        self.districts
            .iter()
            .position(|d| d.id == id)
            .map(DistrictIx)
    }

    /// Index of a stage by id.
    pub fn stage_ix(&self, id: &str) -> Option<StageIx> {
        self.stages.iter().position(|s| s.id == id).map(StageIx)
    }

    /// Whether `path` is a file the scenario was read from (a TOML file of its chain, a
    /// table or its map): a command that writes a file must never write over its own input.
    pub fn reads(&self, path: &std::path::Path) -> bool {
        let Ok(path) = path.canonicalize() else {
            return false;
        };
        let tables = self.tables.iter().map(|t| &t.path);
        let map = self.map.iter().map(|m| &m.path);
        self.chain
            .iter()
            .chain(tables)
            .chain(map)
            .any(|input| input.canonicalize().is_ok_and(|p| p == path))
    }
}

/// A school stage: its ages, class size and how it is enrolled.
#[derive(Debug, Clone)]
pub struct Stage {
    /// ASCII id (`primary`).
    pub id: String,
    /// Ages (completed years on 1 September) that attend it, inclusive.
    pub ages: RangeInclusive<usize>,
    /// Standard class size (pupils per class, ≥ 1).
    pub class_size: u32,
    /// Popularity dispersion κ (> 0); `None` = every school equally popular.
    pub dispersion: Option<f64>,
    /// Pupils per class at which a school stops admitting (≥ `class_size`); `None` = no cap.
    pub admission_cap: Option<f64>,
    /// Whether demand and capacity are pooled city-wide.
    pub catchment: Catchment,
    /// Extra classes opened in existing schools when pupils outgrow the standard seats
    /// (`[stages.X] surge`); `None` = none.
    pub surge: Option<Surge>,
    /// Gross enrolment rate by year (≥ 0).
    pub enrolment: YearPath,
    /// Private share of enrolled pupils by year, in [0, 1].
    pub private_share: YearPath,
    /// Pupils per full-time teacher (> 0, `[teachers]`); `None` = no `teachers_needed`.
    pub teachers: Option<f64>,
    /// Capital cost of a seat (`[costs.<stage>]`); `None` = no `spending`.
    pub seat_cost: Option<SeatCost>,
    /// Whether the scenario lists estates, so that the stage reports `housing_pupils`.
    pub housing: bool,
}

/// `[stages.X] surge`: a district-stage opens up to `extra_classes` × its existing schools'
/// classes again as extra classes in those buildings when demand exceeds its standard seats.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Surge {
    /// The limit, a share of the existing schools' classes that year, in [0, 1].
    pub extra_classes: f64,
}

/// Where a stage's pupils may take a seat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Catchment {
    /// Within their own district.
    District,
    /// Anywhere in the city: reported for district `ALL` only.
    City,
}

/// National standards and thresholds used by the metrics.
#[derive(Debug, Clone, PartialEq)]
pub struct Standards {
    /// A class with at least this many pupils is "large" (大班额).
    pub large_class: f64,
    /// A class with at least this many pupils is "super-large" (超大班额).
    pub super_large_class: f64,
    /// Utilization below this counts as under-used.
    pub underuse_threshold: f64,
    /// Large-class share the policy tolerates, in [0, 1]: above it a cell has large classes.
    pub large_class_target: f64,
    /// Super-large-class share the policy tolerates, in [0, 1].
    pub super_large_class_target: f64,
    /// Share of demand, in [0, 1], a cell may be short before it counts as short.
    pub shortfall_tolerance: f64,
}

impl Standards {
    /// The defaults: the national large and super-large sizes (56, 66), under-use below 0.7,
    /// and no tolerance (every large class, every seat short counts).
    pub const DEFAULT: Standards = Standards {
        large_class: 56.0,
        super_large_class: 66.0,
        underuse_threshold: 0.7,
        large_class_target: 0.0,
        super_large_class_target: 0.0,
        shortfall_tolerance: 0.0,
    };
}

/// A district (county-level unit) and its demographic rates.
#[derive(Debug, Clone)]
pub struct District {
    /// ASCII id used in every table and output.
    pub id: String,
    /// Display name (any UTF-8).
    pub name: String,
    /// Romanised label for fonts without the name's glyphs.
    pub name_en: Option<String>,
    /// Births in the base year (≥ 0).
    pub births_base: f64,
    /// Net migration rate of local children per year (> −1).
    pub rate_local: f64,
    /// Net migration rate of migrant children per year (> −1).
    pub rate_migrant: f64,
    /// Migrant children arriving per year (≥ 0).
    pub inflow: f64,
    /// How the district is drawn on the map, if there is one.
    pub map: Option<MapLink>,
}

/// Link from a district to a feature of the scenario's GeoJSON map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapLink {
    /// The feature's `adcode` (or `name`).
    pub feature: String,
    /// Whether the district is the feature's polygon or a point inside it.
    pub kind: MapKind,
}

/// How a district appears on the map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapKind {
    /// The district is the feature's polygon.
    Polygon,
    /// A zone without a polygon of its own, drawn as a marker inside the feature.
    Point,
}

/// Births: base-year births per district, an index path and log-normal shocks.
#[derive(Debug, Clone)]
pub struct Births {
    /// Births relative to the base year.
    pub index: YearPath,
    /// Marginal sd of the city-wide AR(1) log shock (≥ 0).
    pub sigma_city: f64,
    /// Autocorrelation of the city shock, |ρ| < 1.
    pub rho: f64,
    /// Sd of the independent per-district log shock (≥ 0).
    pub sigma_district: f64,
}

/// Migration of children: rates, migrant inflow and its shocks.
#[derive(Debug, Clone)]
pub struct Migration {
    /// Share of migrant children who stay at the first senior-high age, in [0, 1].
    pub migrant_stay: f64,
    /// Multiplier on rates and inflow by year (≥ 0).
    pub trend: YearPath,
    /// Multiplier of every district's `inflow` (≥ 0; central value if uncertain).
    pub inflow_scale: f64,
    /// Multiplier of every district's `rate_migrant` (≥ 0; central value if uncertain).
    pub rate_scale: f64,
    /// Share of inflow at each age `0..=max_age`, sums to 1.
    pub age_profile: Vec<f64>,
    /// Marginal sd of the city-wide AR(1) log shock added to every district's (≥ 0).
    pub sigma_city: f64,
    /// Autocorrelation of the city shock, |ρ| < 1.
    pub rho_city: f64,
    /// Marginal sd of each district's AR(1) log shock (≥ 0).
    pub sigma: f64,
    /// Its autocorrelation, |ρ| < 1.
    pub rho: f64,
}

/// Existing public schools of one district and stage in the base year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capacity {
    /// Number of schools; classes ≥ schools when schools > 0, classes = 0 otherwise.
    pub schools: u32,
    /// Number of classes (教学班).
    pub classes: u32,
}

/// One construction project.
#[derive(Debug, Clone)]
pub struct Project {
    /// Unique ASCII id (keys its delay draw and its school's popularity draw).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Where it is built.
    pub district: DistrictIx,
    /// Which stage it serves.
    pub stage: StageIx,
    /// New school, expansion or closure.
    pub kind: ProjectKind,
    /// Classes added (new, expansion) or removed (closure), ≥ 1.
    pub classes: u32,
    /// Planned opening year, after the base year (after the horizon: never opens in the run).
    pub planned_year: Year,
    /// Its delay profile (the scenario's unless overridden).
    pub delay: DelayProfile,
}

/// What a project does to capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectKind {
    /// A new school with its own classes.
    New,
    /// Classes added to the district's existing schools of the stage.
    Expansion,
    /// Classes removed from the district's existing schools of the stage.
    Closure,
}

/// Probabilities that a project opens on time, one or two years late, or never.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DelayProfile {
    cumulative: [f64; 3],
    /// `Φ⁻¹(cumulative)`: the same outcomes for a standard normal draw (the copula's).
    normal: [f64; 3],
    /// The four probabilities as given, so that a written scenario reproduces them exactly.
    given: [f64; 4],
}

impl DelayProfile {
    /// A profile from four probabilities in [0, 1] that sum to 1 (within 1e-6).
    pub fn new(on_time: f64, one_year: f64, two_years: f64, never: f64) -> Result<Self, String> {
        let p = [on_time, one_year, two_years, never];
        let names = ["on_time", "one_year", "two_years", "never"];
        if let Some(i) = p.iter().position(|x| !(0.0..=1.0).contains(x)) {
            return Err(format!(
                "{} = {}: must be a probability from 0 to 1",
                names[i], p[i]
            ));
        }
        let sum: f64 = p.iter().sum();
        if (sum - 1.0).abs() > 1e-6 {
            let terms: Vec<_> = names
                .iter()
                .zip(p)
                .map(|(n, x)| format!("{n} {x}"))
                .collect();
            return Err(format!(
                "{} = {}: the four probabilities must sum to 1",
                terms.join(" + "),
                (sum * 1e9).round() / 1e9
            ));
        }
        let cumulative = [on_time, on_time + one_year, on_time + one_year + two_years];
        Ok(Self {
            cumulative,
            normal: cumulative.map(|c| crate::stats::normal::quantile(c.min(1.0))),
            given: p,
        })
    }

    /// Every project opens on time.
    pub fn on_time() -> Self {
        Self {
            cumulative: [1.0; 3],
            normal: [f64::INFINITY; 3],
            given: [1.0, 0.0, 0.0, 0.0],
        }
    }

    /// `[on_time, one_year, two_years, never]` as given.
    pub fn probabilities(&self) -> [f64; 4] {
        self.given
    }

    /// Years of delay for a uniform draw `u` in [0, 1): `Some(0..=2)`, or `None` = never opens.
    pub fn delay_for(&self, u: f64) -> Option<i32> {
        self.cumulative
            .iter()
            .position(|&c| u < c)
            .map(|i| i as i32)
    }

    /// Years of delay for a standard normal draw `x`: the outcome of `u = Φ(x)`, compared
    /// on the normal scale so that a trial evaluates no Φ.
    pub fn delay_for_normal(&self, x: f64) -> Option<i32> {
        self.normal.iter().position(|&c| x < c).map(|i| i as i32)
    }
}

/// Thresholds that turn risk probabilities into red / amber / green warnings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Warnings {
    /// Red at or above these.
    pub red: WarningThresholds,
    /// Amber at or above these (below red).
    pub amber: WarningThresholds,
}

/// Probability thresholds for one warning level: a cell reaches the level when any of its
/// risk probabilities reaches its threshold.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct WarningThresholds {
    /// On `p_shortfall`.
    pub p_shortfall: f64,
    /// On `p_large_classes`.
    pub p_large_classes: f64,
    /// On `p_super_large_classes`.
    pub p_super_large_classes: f64,
    /// On `p_underused`.
    pub p_underused: f64,
}

impl WarningThresholds {
    /// The thresholds as `(risk.csv column, value)`, in column order.
    pub fn columns(&self) -> [(&'static str, f64); 4] {
        [
            ("p_shortfall", self.p_shortfall),
            ("p_large_classes", self.p_large_classes),
            ("p_super_large_classes", self.p_super_large_classes),
            ("p_underused", self.p_underused),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_profile_maps_uniform_draws_to_delays() {
        let p = DelayProfile::new(0.6, 0.25, 0.1, 0.05).unwrap();
        assert_eq!(p.delay_for(0.0), Some(0));
        assert_eq!(p.delay_for(0.59), Some(0));
        assert_eq!(p.delay_for(0.6), Some(1));
        assert_eq!(p.delay_for(0.84), Some(1));
        assert_eq!(p.delay_for(0.9), Some(2));
        assert_eq!(p.delay_for(0.96), None);
        assert_eq!(DelayProfile::on_time().delay_for(0.999_999), Some(0));
    }

    #[test]
    fn normal_draws_give_the_outcome_of_their_uniform() {
        let p = DelayProfile::new(0.6, 0.25, 0.1, 0.05).unwrap();
        for u in [
            0.001, 0.3, 0.599, 0.601, 0.8, 0.849, 0.851, 0.94, 0.951, 0.999,
        ] {
            let x = crate::stats::normal::quantile(u);
            assert_eq!(p.delay_for_normal(x), p.delay_for(u), "u = {u}");
        }
        assert_eq!(DelayProfile::on_time().delay_for_normal(40.0), Some(0));
    }

    #[test]
    fn delay_profile_refuses_bad_probabilities() {
        assert!(DelayProfile::new(0.6, 0.25, 0.1, 0.1)
            .unwrap_err()
            .contains("must sum to 1"));
        assert!(DelayProfile::new(1.2, -0.2, 0.0, 0.0).is_err());
    }
}
