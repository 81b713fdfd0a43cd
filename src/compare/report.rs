//! The files of a comparison, each written atomically.
//!
//! `compare.csv`: one row per shared district × stage × year × metric —
//! `district,stage,year,metric,base_mean,alt_mean,mean,sd,p05,p50,p95`. `base_mean` and
//! `alt_mean` are each scenario's own mean; `mean … p95` describe the per-trial difference
//! ALT − BASE (trials where either side is undefined, e.g. utilization without capacity, are
//! skipped). Rows in the base scenario's order; numbers as in `summary.csv`.
//!
//! `compare_risk.csv`: one row per shared district × stage × year — `district,stage,year` then,
//! for each of `p_shortfall, p_large_classes, p_super_large_classes, p_underused,
//! expected_shortfall`, the columns `base_<x>,alt_<x>,delta_<x>` (delta = ALT − BASE).
//!
//! `compare.json`: both scenarios (name, file, SHA-256), seed, trials, threads, elapsed
//! seconds, the number of shared cells and what was left out (per side, and as notes).

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::matching::LeftOut;
use super::paired::{Comparison, Paired};
use crate::engine::Accumulator;
use crate::model::metrics::Metric;
use crate::report::csv::{number, CellRisk};
use crate::report::{create_dir, write_atomic, DistrictJson};
use crate::scenario::Scenario;
use crate::stats::Summary;
use crate::Error;

/// Settings of a finished comparison that are in neither scenario.
#[derive(Debug, Clone)]
pub struct CompareSettings {
    /// Seed used for both scenarios.
    pub seed: u64,
    /// Worker threads.
    pub threads: usize,
    /// Wall-clock seconds of the paired run.
    pub elapsed_seconds: f64,
}

/// Column names of `compare.csv`, in order.
pub const COMPARE_HEADER: [&str; 11] = [
    "district",
    "stage",
    "year",
    "metric",
    "base_mean",
    "alt_mean",
    "mean",
    "sd",
    "p05",
    "p50",
    "p95",
];

/// The risk measures of `compare_risk.csv`, in column order.
const RISKS: [&str; 5] = [
    "p_shortfall",
    "p_large_classes",
    "p_super_large_classes",
    "p_underused",
    "expected_shortfall",
];

/// Writes `compare.csv`, `compare_risk.csv` and `compare.json` into `dir`; returns their paths.
pub fn write_compare(
    dir: &Path,
    c: &Comparison,
    paired: &Paired,
    settings: &CompareSettings,
) -> Result<Vec<PathBuf>, Error> {
    create_dir(dir)?;
    let paths = ["compare.csv", "compare_risk.csv", "compare.json"].map(|n| dir.join(n));
    write_atomic(&paths[0], |w| write_diffs(w, c, paired))?;
    write_atomic(&paths[1], |w| write_risks(w, c, paired))?;
    let json = CompareJson::new(c, paired, settings);
    let text = serde_json::to_string_pretty(&json).expect("compare.json serializes");
    write_atomic(&paths[2], |w| writeln!(w, "{text}"))?;
    Ok(paths.to_vec())
}

/// Writes `compare.csv`.
pub fn write_diffs(w: &mut impl Write, c: &Comparison, p: &Paired) -> std::io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(COMPARE_HEADER)?;
    for (i, pair) in c.matching().pairs.iter().enumerate() {
        for metric in Metric::ALL {
            let summary = |acc: &Accumulator, cell| acc.metric(cell, metric).summary();
            let (base, alt) = (summary(p.base(), pair.base), summary(p.alt(), pair.alt));
            if !metric.listed_when_undefined() && base.is_none() && alt.is_none() {
                continue;
            }
            let mean = |s: Option<Summary>| number(s.map_or(f64::NAN, |s| s.mean));
            let mut record = vec![
                pair.district.clone(),
                pair.stage.clone(),
                pair.year.to_string(),
                metric.name().to_string(),
                mean(base),
                mean(alt),
            ];
            match p.diff(i, metric).summary() {
                Some(s) => {
                    let [p05, _, p50, _, p95] = s.quantiles;
                    record.extend([s.mean, s.sd, p05, p50, p95].map(number));
                }
                None => record.extend(std::iter::repeat_n(String::new(), 5)),
            }
            out.write_record(&record)?;
        }
    }
    out.flush()
}

/// Writes `compare_risk.csv`.
fn write_risks(w: &mut impl Write, c: &Comparison, p: &Paired) -> std::io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    let measures = RISKS.iter().flat_map(|r| {
        [
            format!("base_{r}"),
            format!("alt_{r}"),
            format!("delta_{r}"),
        ]
    });
    let header = ["district", "stage", "year"].map(String::from);
    out.write_record(header.into_iter().chain(measures))?;
    for pair in &c.matching().pairs {
        let base = risk_values(&CellRisk::of(p.base(), pair.base));
        let alt = risk_values(&CellRisk::of(p.alt(), pair.alt));
        let values = base
            .iter()
            .zip(&alt)
            .flat_map(|(&b, &a)| [b, a, a - b].map(number));
        let cell = [
            pair.district.clone(),
            pair.stage.clone(),
            pair.year.to_string(),
        ];
        out.write_record(cell.into_iter().chain(values))?;
    }
    out.flush()
}

/// A cell's risk measures in [`RISKS`] order.
fn risk_values(r: &CellRisk) -> [f64; 5] {
    [
        r.p_shortfall,
        r.p_large_classes,
        r.p_super_large_classes,
        r.p_underused,
        r.expected_shortfall,
    ]
}

/// The contents of `compare.json`.
#[derive(Debug, Serialize)]
struct CompareJson<'a> {
    seatsim_version: &'static str,
    base: ScenarioJson<'a>,
    alt: ScenarioJson<'a>,
    seed: u64,
    trials: u64,
    threads: usize,
    elapsed_seconds: f64,
    shared_cells: usize,
    left_out: &'a LeftOut,
    notes: Vec<String>,
    /// The base scenario's districts, so that the page can name them.
    districts: Vec<DistrictJson<'a>>,
}

/// Which scenario file was run.
#[derive(Debug, Serialize)]
struct ScenarioJson<'a> {
    name: &'a str,
    file: String,
    sha256: &'a str,
}

impl<'a> CompareJson<'a> {
    fn new(c: &'a Comparison, paired: &Paired, settings: &CompareSettings) -> Self {
        let m = c.matching();
        Self {
            seatsim_version: env!("CARGO_PKG_VERSION"),
            base: ScenarioJson::new(c.base().scenario()),
            alt: ScenarioJson::new(c.alt().scenario()),
            seed: settings.seed,
            trials: paired.trials(),
            threads: settings.threads,
            elapsed_seconds: (settings.elapsed_seconds * 1000.0).round() / 1000.0,
            shared_cells: m.pairs.len(),
            left_out: &m.left_out,
            notes: m.left_out.notes(),
            districts: c
                .base()
                .scenario()
                .districts
                .iter()
                .map(DistrictJson::of)
                .collect(),
        }
    }
}

impl<'a> ScenarioJson<'a> {
    fn new(s: &'a Scenario) -> Self {
        Self {
            name: &s.name,
            file: s.file.display().to_string(),
            sha256: &s.sha256,
        }
    }
}
