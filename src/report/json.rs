//! `run.json`: what was run and how — enough for `seatsim plot` to redraw charts from the run
//! folder alone.

use serde::Serialize;

use crate::scenario::{Catchment, District, MapKind, Scenario, WarningThresholds};

/// Settings of a finished run that are not in the scenario.
#[derive(Debug, Clone)]
pub struct RunSettings {
    /// Seed used.
    pub seed: u64,
    /// Trials run.
    pub trials: u64,
    /// Worker threads.
    pub threads: usize,
    /// Whether this was the deterministic projection.
    pub deterministic: bool,
    /// Wall-clock seconds of the projection.
    pub elapsed_seconds: f64,
    /// Whether the scenario's map was copied into the run folder as `map.geojson`.
    pub map_copied: bool,
}

/// The contents of `run.json`.
#[derive(Debug, Serialize)]
pub struct RunJson<'a> {
    seatsim_version: &'static str,
    scenario: ScenarioJson<'a>,
    seed: u64,
    trials: u64,
    threads: usize,
    deterministic: bool,
    base_year: i32,
    horizon: i32,
    elapsed_seconds: f64,
    districts: Vec<DistrictJson<'a>>,
    stages: Vec<StageJson<'a>>,
    standards: StandardsJson,
    warnings: WarningsJson,
    map: Option<&'static str>,
}

#[derive(Debug, Serialize)]
struct ScenarioJson<'a> {
    name: &'a str,
    file: String,
    sha256: &'a str,
}

/// A district as the pages name and draw it (`run.json`, `compare.json`).
#[derive(Debug, Serialize)]
pub struct DistrictJson<'a> {
    id: &'a str,
    name: &'a str,
    name_en: Option<&'a str>,
    map_feature: Option<&'a str>,
    map_kind: Option<&'static str>,
}

impl<'a> DistrictJson<'a> {
    /// The district `d`.
    pub fn of(d: &'a District) -> Self {
        DistrictJson {
            id: &d.id,
            name: &d.name,
            name_en: d.name_en.as_deref(),
            map_feature: d.map.as_ref().map(|m| m.feature.as_str()),
            map_kind: d.map.as_ref().map(|m| match m.kind {
                MapKind::Polygon => "polygon",
                MapKind::Point => "point",
            }),
        }
    }
}

#[derive(Debug, Serialize)]
struct StageJson<'a> {
    id: &'a str,
    ages: [usize; 2],
    class_size: u32,
    catchment: &'static str,
    /// Pupils per teacher (`[teachers]`), for the teachers a page says extra seats need.
    #[serde(skip_serializing_if = "Option::is_none")]
    pupils_per_teacher: Option<f64>,
    /// Yuan per seat of a new school (`[costs.<stage>] new`), for what extra seats cost.
    #[serde(skip_serializing_if = "Option::is_none")]
    seat_cost_new: Option<f64>,
}

#[derive(Debug, Serialize)]
struct StandardsJson {
    large_class: f64,
    super_large_class: f64,
    underuse_threshold: f64,
    large_class_target: f64,
    super_large_class_target: f64,
    shortfall_tolerance: f64,
}

#[derive(Debug, Serialize)]
struct WarningsJson {
    red: WarningThresholds,
    amber: WarningThresholds,
}

impl<'a> RunJson<'a> {
    /// Describes a run of `s` with `settings`.
    pub fn new(s: &'a Scenario, settings: &RunSettings) -> Self {
        Self {
            seatsim_version: env!("CARGO_PKG_VERSION"),
            scenario: ScenarioJson {
                name: &s.name,
                file: s.file.display().to_string(),
                sha256: &s.sha256,
            },
            seed: settings.seed,
            trials: settings.trials,
            threads: settings.threads,
            deterministic: settings.deterministic,
            base_year: s.base_year.0,
            horizon: s.horizon.0,
            elapsed_seconds: (settings.elapsed_seconds * 1000.0).round() / 1000.0,
            districts: s.districts.iter().map(DistrictJson::of).collect(),
            stages: s
                .stages
                .iter()
                .map(|st| StageJson {
                    id: &st.id,
                    ages: [*st.ages.start(), *st.ages.end()],
                    class_size: st.class_size,
                    catchment: match st.catchment {
                        Catchment::District => "district",
                        Catchment::City => "city",
                    },
                    pupils_per_teacher: st.teachers,
                    seat_cost_new: st.seat_cost.map(|c| c.new),
                })
                .collect(),
            standards: StandardsJson {
                large_class: s.standards.large_class,
                super_large_class: s.standards.super_large_class,
                underuse_threshold: s.standards.underuse_threshold,
                large_class_target: s.standards.large_class_target,
                super_large_class_target: s.standards.super_large_class_target,
                shortfall_tolerance: s.standards.shortfall_tolerance,
            },
            warnings: WarningsJson {
                red: s.warnings.red,
                amber: s.warnings.amber,
            },
            map: settings.map_copied.then_some("map.geojson"),
        }
    }
}
