//! Serde shapes of a scenario TOML file, as written by hand: every key optional (a file may
//! `extends` another), unknown keys refused, values unchecked.

use std::collections::BTreeMap;

use serde::Deserialize;

/// One scenario TOML file, or the merge of an `extends` chain.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    pub scenario: Option<ScenarioSection>,
    pub stages: Option<BTreeMap<String, StageRaw>>,
    pub standards: Option<StandardsRaw>,
    pub enrolment: Option<BTreeMap<String, PathRaw>>,
    pub private_share: Option<BTreeMap<String, PathRaw>>,
    pub births: Option<BirthsRaw>,
    pub demography: Option<DemographyRaw>,
    pub migration: Option<MigrationRaw>,
    pub construction: Option<ConstructionRaw>,
    pub warnings: Option<WarningsRaw>,
    pub data: Option<DataRaw>,
    pub teachers: Option<BTreeMap<String, f64>>,
    pub costs: Option<BTreeMap<String, CostRaw>>,
    pub plan: Option<PlanRaw>,
    /// What-if edits (DESIGN §4), taken out by the loader; declared so the schema checks them.
    #[serde(rename = "changes")]
    pub _changes: Option<Vec<super::changes::ChangeRaw>>,
    pub drift: Option<DriftRaw>,
    pub housing: Option<HousingRaw>,
    pub labels: Option<BTreeMap<String, LabelRaw>>,
}

/// `[labels] "<key>" = { zh = "…", en = "…" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelRaw {
    pub zh: Option<String>,
    pub en: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSection {
    pub name: Option<String>,
    pub base_year: Option<i64>,
    pub horizon: Option<i64>,
    pub trials: Option<i64>,
    pub seed: Option<i64>,
    /// Read and removed by the loader before merging; declared so the schema accepts it.
    #[serde(rename = "extends")]
    pub _extends: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageRaw {
    pub ages: Option<Vec<i64>>,
    pub class_size: Option<i64>,
    pub dispersion: Option<f64>,
    pub admission_cap: Option<f64>,
    pub catchment: Option<String>,
    pub surge: Option<SurgeRaw>,
}

/// `[stages.X] surge = { extra_classes = f }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurgeRaw {
    pub extra_classes: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StandardsRaw {
    pub large_class: Option<f64>,
    pub super_large_class: Option<f64>,
    pub underuse_threshold: Option<f64>,
    pub large_class_target: Option<f64>,
    pub super_large_class_target: Option<f64>,
    pub shortfall_tolerance: Option<f64>,
}

/// A piecewise-linear path (`{ 2020 = 1.0, 2025 = 0.7 }`), a plain number or a distribution
/// (`{ dist = "uniform", … }`), checked in validation (an untagged serde enum would only say
/// "did not match any variant").
pub type PathRaw = toml::Value;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BirthsRaw {
    pub index: Option<PathRaw>,
    pub sigma_city: Option<f64>,
    pub rho: Option<f64>,
    pub sigma_district: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemographyRaw {
    pub survival: Option<Vec<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MigrationRaw {
    pub migrant_stay: Option<PathRaw>,
    pub trend: Option<PathRaw>,
    pub inflow_scale: Option<PathRaw>,
    pub rate_scale: Option<PathRaw>,
    pub age_profile: Option<Vec<f64>>,
    pub sigma_city: Option<f64>,
    pub rho_city: Option<f64>,
    pub sigma: Option<f64>,
    pub rho: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConstructionRaw {
    pub delay: Option<DelayRaw>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DelayRaw {
    pub on_time: Option<f64>,
    pub one_year: Option<f64>,
    pub two_years: Option<f64>,
    pub never: Option<f64>,
    pub correlation: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WarningsRaw {
    pub red: Option<ThresholdsRaw>,
    pub amber: Option<ThresholdsRaw>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThresholdsRaw {
    pub p_shortfall: Option<f64>,
    pub p_large_classes: Option<f64>,
    pub p_super_large_classes: Option<f64>,
    pub p_underused: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataRaw {
    pub districts: Option<String>,
    pub population: Option<String>,
    pub capacity: Option<String>,
    pub projects: Option<String>,
    pub map: Option<String>,
    pub housing: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostRaw {
    pub new: Option<f64>,
    pub expansion: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanRaw {
    pub w_short: Option<f64>,
    pub w_spare: Option<f64>,
    pub w_cost: Option<f64>,
    pub budget_yuan: Option<f64>,
    pub budget_classes: Option<f64>,
    pub budget_yuan_per_year: Option<f64>,
    pub budget_classes_per_year: Option<f64>,
    pub first_year: Option<i64>,
    pub last_year: Option<i64>,
    pub pipeline: Option<String>,
    pub target_p_shortfall: Option<f64>,
    pub target_from: Option<i64>,
    pub target_stages: Option<Vec<String>>,
    pub target_margin: Option<f64>,
    pub target_p_large_classes: Option<f64>,
}

/// `[drift]`: per-stage tables of enrolment and private-share drift, and the trend's.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DriftRaw {
    pub enrolment: Option<BTreeMap<String, DriftSpecRaw>>,
    pub private_share: Option<BTreeMap<String, DriftSpecRaw>>,
    pub trend: Option<DriftSpecRaw>,
}

/// One drift series as written: `{ sigma = 0.02, rho = 0.9, from = 2022 }` (the trend's may
/// add `scale = "level"`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DriftSpecRaw {
    pub sigma: Option<f64>,
    pub rho: Option<f64>,
    pub from: Option<i64>,
    pub scale: Option<String>,
}

/// `[housing]` (DESIGN §2.8): yields by age, type multipliers, origin and delay profile.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HousingRaw {
    #[serde(rename = "yield")]
    pub yields: Option<Vec<toml::Value>>,
    pub types: Option<BTreeMap<String, toml::Value>>,
    pub origin: Option<String>,
    pub persons_per_dwelling: Option<f64>,
    pub delay: Option<DelayRaw>,
}
