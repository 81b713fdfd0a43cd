//! `seatsim backtest`: how far can the projection be trusted? One scenario or several
//! (a rolling-origin back-test, each origin a scenario built from what was known by its base
//! year) is run and compared with observed values ([`read_observed`]). Each observation gets
//! the error of the median, whether it lies inside the P5–P95 and P25–P75 bands, the interval
//! score of the bands, and — from the trials' exact values, not from quantiles — its PIT and
//! CRPS, beside the CRPS of two point forecasts: the deterministic run and persistence (the
//! base year's observed value carried forward) ([`Score`]). [`summarize`] groups them by
//! origin, metric, stage and horizon, as projection programmes report their accuracy.
//!
//! The bands come from the run's quantile sketch, so their ends carry its error of at most
//! 0.025 pilot standard deviations (see [`crate::stats::BIN_WIDTH_SD`]); PIT and CRPS are exact.

mod kept;
mod observed;
mod proper;
mod report;
mod score;

pub use kept::{Both, ObservedValues};
pub use observed::{read_observed, Observation, OtherYears};
pub use proper::{crps, pit, PIT_BINS};
pub use report::{accuracy_table, write_backtest, Origin};
pub use score::{
    interval_score, summarize, Accuracy, Group, GroupKey, Horizon, References, Score, Scored,
};

use crate::engine::Accumulator;

/// Scores `observations` against a run's statistics `acc` and its trials' values `kept`
/// (as [`ObservedValues::sorted`] returns them), with the deterministic run's values
/// `deterministic` (same shape; `None` when the run itself is deterministic) and persistence
/// taken from the observations of the base year.
pub fn score_all(
    observations: &[Observation],
    acc: &Accumulator,
    kept: &[Vec<f64>],
    deterministic: Option<&[Vec<f64>]>,
) -> Vec<Score> {
    let persistence = persistence(observations);
    observations
        .iter()
        .enumerate()
        .map(|(i, obs)| {
            let point = match deterministic {
                Some(d) => d[i].first().copied(),
                None => kept[i].first().copied(),
            };
            let references = References {
                deterministic: point.unwrap_or(f64::NAN),
                persistence: persistence[i],
            };
            Score::of(obs, acc, &kept[i], references)
        })
        .collect()
}

/// For each observation, the observed value of its district, stage and metric in the base
/// year (`NaN` when the base year is not observed).
fn persistence(observations: &[Observation]) -> Vec<f64> {
    let key = |o: &Observation| (o.district.clone(), o.stage.clone(), o.metric.name());
    let base: std::collections::HashMap<_, f64> = observations
        .iter()
        .filter(|o| o.horizon == 0)
        .map(|o| (key(o), o.value))
        .collect();
    observations
        .iter()
        .map(|o| base.get(&key(o)).copied().unwrap_or(f64::NAN))
        .collect()
}
