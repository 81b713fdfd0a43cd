//! The files and terminal table of a backtest, each file written atomically.
//!
//! `backtest.csv`: one row per observation, in the observed file's order —
//! `district,stage,year,horizon,metric,observed,p05,p25,p50,p75,p95,error,abs_pct_error,in_p05_p95,in_p25_p75,interval_score_90,interval_score_50`.
//! `horizon` = year − base year; `error` = P50 − observed; `abs_pct_error` in percent (empty
//! when observed = 0); `in_*` are `true`/`false` (empty, like the quantiles, when the metric
//! is undefined in every trial); `interval_score_*` in the metric's unit (see
//! [`super::score::interval_score`]).
//!
//! `backtest_summary.csv`: one row per metric × stage × horizon, with `stage` = `all` and
//! `horizon` = `all` for the groups over every stage or horizon —
//! `metric,stage,horizon,observations,mape,mean_error,mean_abs_error,coverage_p05_p95,coverage_p25_p75,interval_score_90_pct,interval_score_50_pct`.
//! `mape` and the interval scores in percent of the observed value; coverages are shares in
//! [0, 1] (nominally 0.9 and 0.5).

use std::io::Write;
use std::path::{Path, PathBuf};

use super::observed::Observation;
use super::score::{Accuracy, Horizon, Score, StageGroup};
use crate::model::metrics::Metric;
use crate::report::csv::number;
use crate::report::{create_dir, write_atomic};
use crate::Error;

/// Accuracy by metric and horizon, as returned by [`super::summarize`].
pub type AccuracySummary = [(Metric, StageGroup, Horizon, Accuracy)];

/// Writes `backtest.csv` and `backtest_summary.csv` into `dir`; returns their paths.
pub fn write_backtest(
    dir: &Path,
    observations: &[Observation],
    scores: &[Score],
    summary: &AccuracySummary,
) -> Result<Vec<PathBuf>, Error> {
    create_dir(dir)?;
    let paths = ["backtest.csv", "backtest_summary.csv"].map(|n| dir.join(n));
    write_atomic(&paths[0], |w| write_scores(w, observations, scores))?;
    write_atomic(&paths[1], |w| write_summary(w, summary))?;
    Ok(paths.to_vec())
}

fn write_scores(w: &mut impl Write, obs: &[Observation], scores: &[Score]) -> std::io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record([
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
    ])?;
    let flag = |b: Option<bool>| b.map_or(String::new(), |b| b.to_string());
    for (o, s) in obs.iter().zip(scores) {
        let mut record = vec![
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
        record.extend([number(s.interval_score_90), number(s.interval_score_50)]);
        out.write_record(&record)?;
    }
    out.flush()
}

fn write_summary(w: &mut impl Write, summary: &AccuracySummary) -> std::io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record([
        "metric",
        "stage",
        "horizon",
        "observations",
        "mape",
        "mean_error",
        "mean_abs_error",
        "coverage_p05_p95",
        "coverage_p25_p75",
        "interval_score_90_pct",
        "interval_score_50_pct",
    ])?;
    for (metric, stage, horizon, a) in summary {
        let mut record = vec![
            metric.name().to_string(),
            stage.to_string(),
            horizon.to_string(),
            a.observations().to_string(),
        ];
        record.extend(
            [
                a.mape(),
                a.mean_error(),
                a.mean_abs_error(),
                a.coverage_p05_p95(),
                a.coverage_p25_p75(),
                a.interval_score_90_pct(),
                a.interval_score_50_pct(),
            ]
            .map(number),
        );
        out.write_record(&record)?;
    }
    out.flush()
}

/// The terminal table: MAPE, mean error, band coverage and interval score by metric, stage
/// and horizon.
pub fn accuracy_table(summary: &AccuracySummary) -> String {
    let mut out = format!(
        "  {:<22} {:<13} {:>7} {:>5} {:>8} {:>13} {:>7} {:>7} {:>8}\n",
        "metric", "stage", "horizon", "n", "MAPE %", "mean error", "P5–P95", "P25–P75", "IS90 %"
    );
    let or_dash = |x: f64| {
        if x.is_nan() {
            "–".to_string()
        } else {
            format!("{x:.2}")
        }
    };
    for (metric, stage, horizon, a) in summary {
        let pct = |x: f64| format!("{:.0}%", x * 100.0);
        out += &format!(
            "  {:<22} {:<13} {:>7} {:>5} {:>8} {:>13.1} {:>7} {:>7} {:>8}\n",
            metric.name(),
            stage.to_string(),
            horizon.to_string(),
            a.observations(),
            or_dash(a.mape()),
            a.mean_error(),
            pct(a.coverage_p05_p95()),
            pct(a.coverage_p25_p75()),
            or_dash(a.interval_score_90_pct())
        );
    }
    out + "  (nominal coverage: P5–P95 90%, P25–P75 50%; MAPE and IS90 — the P5–P95 band's \
           interval score — in % of observed values ≠ 0; the base year counts as inside)\n"
}
