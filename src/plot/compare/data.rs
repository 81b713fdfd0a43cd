//! Reading a finished comparison folder (`compare.json`, `compare.csv`, `compare_risk.csv`):
//! the city's paired changes ALT − BASE by stage and year.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::super::data::{invalid, read_csv, ALL};
use super::super::PlotError;
use crate::compare::COMPARE_HEADER;

/// One scenario of a comparison, as `compare.json` names it.
#[derive(Debug, Deserialize)]
pub(crate) struct Side {
    /// Scenario name.
    pub name: String,
}

/// The parts of `compare.json` the page uses.
#[derive(Debug, Deserialize)]
pub(crate) struct CompareInfo {
    /// The base scenario.
    pub base: Side,
    /// The alternative.
    pub alt: Side,
    /// Seed of both runs.
    pub seed: Option<u64>,
    /// Paired trials.
    pub trials: Option<u64>,
    /// The base scenario's districts (older folders lack them: ids are shown instead).
    #[serde(default)]
    pub districts: Vec<DistrictName>,
}

/// A district's id and names, as `compare.json` lists them.
#[derive(Debug, Deserialize)]
pub(crate) struct DistrictName {
    /// ASCII id.
    pub id: String,
    /// Name in the scenario's language.
    pub name: String,
    /// Romanised name.
    pub name_en: Option<String>,
}

/// One cell's risk in both scenarios: P(shortfall) and expected shortfall, BASE and ALT.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CellPair {
    /// P(shortfall), BASE and ALT.
    pub p_shortfall: (f64, f64),
    /// Expected shortfall, BASE and ALT.
    pub expected: (f64, f64),
}

/// Each scenario's mean and the per-trial change ALT − BASE of one metric in one year.
#[derive(Debug, Clone, Copy, Deserialize)]
pub(crate) struct Change {
    /// The base scenario's mean.
    pub base_mean: f64,
    /// The alternative's mean.
    pub alt_mean: f64,
    /// 5th percentile of the change.
    pub p05: f64,
    /// Median change.
    pub p50: f64,
    /// 95th percentile of the change.
    pub p95: f64,
}

/// One row of `compare.csv`; a metric undefined in some trials may leave numbers empty.
#[derive(Debug, Deserialize)]
struct ChangeRow {
    district: String,
    stage: String,
    year: i32,
    metric: String,
    base_mean: Option<f64>,
    alt_mean: Option<f64>,
    p05: Option<f64>,
    p50: Option<f64>,
    p95: Option<f64>,
}

/// One row of `compare_risk.csv`, the columns the page shows.
#[derive(Debug, Deserialize)]
struct RiskRow {
    district: String,
    stage: String,
    year: i32,
    base_p_shortfall: Option<f64>,
    alt_p_shortfall: Option<f64>,
    base_expected_shortfall: Option<f64>,
    alt_expected_shortfall: Option<f64>,
}

/// City changes by (stage, metric) and year.
pub(crate) type Changes = BTreeMap<(String, String), BTreeMap<i32, Change>>;

/// A comparison folder, read.
#[derive(Debug)]
pub(crate) struct Compared {
    /// The comparison folder.
    pub dir: PathBuf,
    /// Its `compare.json`.
    pub info: CompareInfo,
    /// Stages in the files' order.
    pub stages: Vec<String>,
    /// The city's changes.
    pub changes: Changes,
    /// The city's P(shortfall), base and alternative, by (stage, year).
    pub p_shortfall: BTreeMap<(String, i32), (f64, f64)>,
    /// Every place's risk in both scenarios by (stage, place), then year.
    pub cells: BTreeMap<(String, String), BTreeMap<i32, CellPair>>,
}

impl Compared {
    /// Reads the comparison in `dir`.
    pub fn load(dir: &Path) -> Result<Compared, PlotError> {
        let json = dir.join("compare.json");
        let text = std::fs::read_to_string(&json).map_err(|source| PlotError::Read {
            path: json.clone(),
            source,
        })?;
        let info: CompareInfo = serde_json::from_str(&text)
            .map_err(|e| invalid(&json, Some(e.line() as u64), e.to_string()))?;
        let mut stages: Vec<String> = Vec::new();
        let mut changes: Changes = BTreeMap::new();
        let csv = dir.join("compare.csv");
        read_csv(&csv, &COMPARE_HEADER, |r: ChangeRow| {
            if r.district != ALL {
                return Ok(());
            }
            if !stages.contains(&r.stage) {
                stages.push(r.stage.clone());
            }
            let numbers = [r.base_mean, r.alt_mean, r.p05, r.p50, r.p95];
            if let Some(v) = numbers.iter().flatten().find(|v| !v.is_finite()) {
                return Err(format!(
                    "{} has the value {v}: must be a finite number",
                    r.metric
                ));
            }
            if let [Some(base_mean), Some(alt_mean), Some(p05), Some(p50), Some(p95)] = numbers {
                let change = Change {
                    base_mean,
                    alt_mean,
                    p05,
                    p50,
                    p95,
                };
                changes
                    .entry((r.stage, r.metric))
                    .or_default()
                    .insert(r.year, change);
            }
            Ok(())
        })?;
        if stages.is_empty() {
            return Err(invalid(
                &csv,
                None,
                format!("no row for the city (`{ALL}`)"),
            ));
        }
        let mut p_shortfall = BTreeMap::new();
        let mut cells: BTreeMap<(String, String), BTreeMap<i32, CellPair>> = BTreeMap::new();
        let columns = [
            "district",
            "stage",
            "year",
            "base_p_shortfall",
            "alt_p_shortfall",
        ];
        read_csv(&dir.join("compare_risk.csv"), &columns, |r: RiskRow| {
            if let (Some(b), Some(a)) = (r.base_p_shortfall, r.alt_p_shortfall) {
                if r.district == ALL {
                    p_shortfall.insert((r.stage.clone(), r.year), (b, a));
                }
                let pair = CellPair {
                    p_shortfall: (b, a),
                    expected: (
                        r.base_expected_shortfall.unwrap_or(0.0),
                        r.alt_expected_shortfall.unwrap_or(0.0),
                    ),
                };
                cells
                    .entry((r.stage, r.district))
                    .or_default()
                    .insert(r.year, pair);
            }
            Ok(())
        })?;
        Ok(Compared {
            dir: dir.to_path_buf(),
            info,
            stages,
            changes,
            p_shortfall,
            cells,
        })
    }

    /// The city's change in `metric` for `stage`, by year (empty if the files lack it).
    pub fn change(&self, stage: &str, metric: &str) -> Option<&BTreeMap<i32, Change>> {
        self.changes.get(&(stage.to_string(), metric.to_string()))
    }
}
