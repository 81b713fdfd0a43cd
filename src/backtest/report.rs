//! The files and terminal table of a backtest, each file written atomically.
//!
//! `backtest.csv`: one row per origin × observation, origins in command-line order, each
//! origin's rows in its observed file's order —
//! `origin,district,stage,year,horizon,metric,observed,p05,p25,p50,p75,p95,error,abs_pct_error,in_p05_p95,in_p25_p75,interval_score_90,interval_score_50,pit,crps,deterministic,crps_deterministic,persistence,crps_persistence`.
//! `horizon` = year − the origin's base year; `error` = P50 − observed; `abs_pct_error` in
//! percent (empty when observed = 0); `in_*` are `true`/`false` (empty, like the quantiles,
//! when the metric is undefined in every trial); `interval_score_*` and `crps*` in the
//! metric's unit (see [`super::score::interval_score`], [`super::proper::crps`]); `pit` the
//! share of trials below the observation, ties half; `deterministic` and `persistence` the
//! two point forecasts (empty when not available), whose CRPS is their absolute error.
//!
//! `backtest_summary.csv`: one row per origin × metric × stage × horizon, with `all` for the
//! groups over every origin (when there are several), stage or horizon after the base year —
//! `origin,metric,stage,horizon,observations,mape,mean_error,mean_abs_error,coverage_p05_p95,coverage_p25_p75,interval_score_90_pct,interval_score_50_pct,crps,crps_pct,skill_deterministic,skill_persistence`.
//! `mape`, the interval scores and `crps_pct` in percent of the observed value; coverages are
//! shares in [0, 1] (nominally 0.9 and 0.5); skills are `1 − CRPS / CRPS of the reference`.
//!
//! `backtest_pit.csv`: the PIT histogram of every group of the summary —
//! `origin,metric,stage,horizon,bin,low,high,count` (ten bins of width 0.1).
//!
//! `backtest.json`: the origins (scenario, base year, horizon, trials, seed, observed file,
//! observations scored) and every group of the summary with its scores and PIT histogram.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::json;

use super::observed::Observation;
use super::proper::PIT_BINS;
use super::score::{Accuracy, GroupKey, Score, Scored};
use crate::report::csv::number;
use crate::report::{create_dir, write_atomic};
use crate::Error;

/// One origin of a back-test as the files describe it.
#[derive(Debug, Clone)]
pub struct Origin {
    /// Its id in the files: the scenario file's stem.
    pub id: String,
    /// The scenario file.
    pub scenario: PathBuf,
    /// The scenario's name.
    pub name: String,
    /// Its base year.
    pub base_year: i32,
    /// Its last year.
    pub horizon: i32,
    /// Trials run (1 for the deterministic projection).
    pub trials: u64,
    /// Seed.
    pub seed: u64,
    /// Whether the deterministic projection was scored.
    pub deterministic: bool,
    /// The observed file scored.
    pub observed: PathBuf,
}

/// Writes `backtest.csv`, `backtest_summary.csv`, `backtest_pit.csv` and `backtest.json`
/// into `dir`; returns their paths.
pub fn write_backtest(
    dir: &Path,
    origins: &[Origin],
    scored: &[Scored],
    summary: &[(GroupKey, Accuracy)],
) -> Result<Vec<PathBuf>, Error> {
    create_dir(dir)?;
    let names = [
        "backtest.csv",
        "backtest_summary.csv",
        "backtest_pit.csv",
        "backtest.json",
    ];
    let paths = names.map(|n| dir.join(n));
    write_atomic(&paths[0], |w| write_scores(w, scored))?;
    write_atomic(&paths[1], |w| write_summary(w, summary))?;
    write_atomic(&paths[2], |w| write_pit(w, summary))?;
    write_atomic(&paths[3], |w| write_json(w, origins, scored, summary))?;
    Ok(paths.to_vec())
}

fn write_scores(w: &mut impl Write, scored: &[Scored]) -> std::io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record([
        "origin",
        "district",
        "stage",
        "year",
        "horizon",
        "metric",
        "observed",
        "p05",
        "p25",
        "p50",
        "p75",
        "p95",
        "error",
        "abs_pct_error",
        "in_p05_p95",
        "in_p25_p75",
        "interval_score_90",
        "interval_score_50",
        "pit",
        "crps",
        "deterministic",
        "crps_deterministic",
        "persistence",
        "crps_persistence",
    ])?;
    for origin in scored {
        for (o, s) in origin.observations.iter().zip(origin.scores) {
            out.write_record(score_record(origin.origin, o, s))?;
        }
    }
    out.flush()
}

fn score_record(origin: &str, o: &Observation, s: &Score) -> Vec<String> {
    let flag = |b: Option<bool>| b.map_or(String::new(), |b| b.to_string());
    let mut record = vec![
        origin.to_string(),
        o.district.clone(),
        o.stage.clone(),
        o.year.to_string(),
        o.horizon.to_string(),
        o.metric.name().to_string(),
        number(o.value),
    ];
    record.extend(s.quantiles.map(number));
    record.extend([number(s.error), number(s.abs_pct_error)]);
    record.extend([flag(s.in_p05_p95), flag(s.in_p25_p75)]);
    record.extend(
        [
            s.interval_score_90,
            s.interval_score_50,
            s.pit,
            s.crps,
            s.references.deterministic,
            s.crps_deterministic(),
            s.references.persistence,
            s.crps_persistence(),
        ]
        .map(number),
    );
    record
}

/// How to read one score from an [`Accuracy`].
type Reader = fn(&Accuracy) -> f64;

/// The summary's score columns, in file order, with how to read each from an [`Accuracy`].
const SCORES: [(&str, Reader); 11] = [
    ("mape", Accuracy::mape),
    ("mean_error", Accuracy::mean_error),
    ("mean_abs_error", Accuracy::mean_abs_error),
    ("coverage_p05_p95", Accuracy::coverage_p05_p95),
    ("coverage_p25_p75", Accuracy::coverage_p25_p75),
    ("interval_score_90_pct", Accuracy::interval_score_90_pct),
    ("interval_score_50_pct", Accuracy::interval_score_50_pct),
    ("crps", Accuracy::crps),
    ("crps_pct", Accuracy::crps_pct),
    ("skill_deterministic", Accuracy::skill_deterministic),
    ("skill_persistence", Accuracy::skill_persistence),
];

/// The four key columns of a group.
fn key_record(k: &GroupKey) -> Vec<String> {
    vec![
        k.origin.to_string(),
        k.metric.name().to_string(),
        k.stage.to_string(),
        k.horizon.to_string(),
    ]
}

const KEY: [&str; 4] = ["origin", "metric", "stage", "horizon"];

fn write_summary(w: &mut impl Write, summary: &[(GroupKey, Accuracy)]) -> std::io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    let header = KEY
        .into_iter()
        .chain(["observations"])
        .chain(SCORES.map(|(name, _)| name));
    out.write_record(header)?;
    for (key, a) in summary {
        let mut record = key_record(key);
        record.push(a.observations().to_string());
        record.extend(SCORES.map(|(_, f)| number(f(a))));
        out.write_record(&record)?;
    }
    out.flush()
}

fn write_pit(w: &mut impl Write, summary: &[(GroupKey, Accuracy)]) -> std::io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(KEY.into_iter().chain(["bin", "low", "high", "count"]))?;
    for (key, a) in summary {
        for (bin, count) in a.pit_histogram().into_iter().enumerate() {
            let mut record = key_record(key);
            let width = 1.0 / PIT_BINS as f64;
            record.extend([
                bin.to_string(),
                number(bin as f64 * width),
                number((bin + 1) as f64 * width),
                count.to_string(),
            ]);
            out.write_record(&record)?;
        }
    }
    out.flush()
}

fn write_json(
    w: &mut impl Write,
    origins: &[Origin],
    scored: &[Scored],
    summary: &[(GroupKey, Accuracy)],
) -> std::io::Result<()> {
    let origins: Vec<_> = origins
        .iter()
        .zip(scored)
        .map(|(o, s)| {
            json!({
                "id": o.id,
                "scenario": o.scenario.display().to_string(),
                "name": o.name,
                "base_year": o.base_year,
                "horizon": o.horizon,
                "trials": o.trials,
                "seed": o.seed,
                "deterministic": o.deterministic,
                "observed": o.observed.display().to_string(),
                "observations": s.observations.len(),
            })
        })
        .collect();
    let groups: Vec<_> = summary
        .iter()
        .map(|(k, a)| {
            let mut g = json!({
                "origin": k.origin.to_string(),
                "metric": k.metric.name(),
                "stage": k.stage.to_string(),
                "horizon": k.horizon.to_string(),
                "observations": a.observations(),
                "pit_histogram": a.pit_histogram(),
            });
            for (name, f) in SCORES {
                g[name] = json!(f(a));
            }
            g
        })
        .collect();
    let doc = json!({
        "seatsim_version": env!("CARGO_PKG_VERSION"),
        "origins": origins,
        "summary": groups,
    });
    serde_json::to_writer_pretty(&mut *w, &doc)?;
    writeln!(w)
}

/// The terminal table: coverage, CRPS, skill and MAPE by origin, metric, stage and horizon.
pub fn accuracy_table(summary: &[(GroupKey, Accuracy)]) -> String {
    let mut out = format!(
        "  {:<16} {:<12} {:<13} {:>7} {:>4} {:>7} {:>7} {:>7} {:>7} {:>8} {:>8}\n",
        "origin",
        "metric",
        "stage",
        "horizon",
        "n",
        "MAPE %",
        "P5–P95",
        "P25–P75",
        "CRPS %",
        "skill/det",
        "skill/pers"
    );
    let or_dash = |x: f64| {
        if x.is_nan() {
            "–".to_string()
        } else {
            format!("{x:.2}")
        }
    };
    let pct = |x: f64| format!("{:.0}%", x * 100.0);
    for (k, a) in summary {
        out += &format!(
            "  {:<16} {:<12} {:<13} {:>7} {:>4} {:>7} {:>7} {:>7} {:>7} {:>9} {:>10}\n",
            k.origin.to_string(),
            k.metric.name(),
            k.stage.to_string(),
            k.horizon.to_string(),
            a.observations(),
            or_dash(a.mape()),
            pct(a.coverage_p05_p95()),
            pct(a.coverage_p25_p75()),
            or_dash(a.crps_pct()),
            or_dash(a.skill_deterministic()),
            or_dash(a.skill_persistence())
        );
    }
    out + "  (nominal coverage: P5–P95 90%, P25–P75 50%; MAPE and CRPS in % of observed values \
           ≠ 0; skill = 1 − CRPS / CRPS of the deterministic run or of persistence, the base \
           year's value carried forward; horizon all = every year after the base year)\n"
}
