//! How each observation fares against the projection, and the accuracy summary by metric and
//! horizon that projection programmes publish: MAPE of the median and coverage of the bands.
//!
//! Projected values are taken at the precision of `summary.csv` (6 decimals), so an observed
//! file written from seatsim's own output is matched exactly.

use std::collections::BTreeMap;
use std::fmt;

use super::observed::Observation;
use crate::engine::Accumulator;
use crate::model::metrics::Metric;
use crate::report::csv::number;

/// The projection of one observed cell and how the observation compares with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    /// P5, P25, P50, P75, P95 of the projection (`NaN` when undefined in every trial).
    pub quantiles: [f64; 5],
    /// Signed error of the median: P50 − observed.
    pub error: f64,
    /// `|error| / |observed| × 100`; `NaN` when the observed value is 0.
    pub abs_pct_error: f64,
    /// Whether P5 ≤ observed ≤ P95 (`None` when the projection is undefined).
    pub in_p05_p95: Option<bool>,
    /// Whether P25 ≤ observed ≤ P75 (`None` when the projection is undefined).
    pub in_p25_p75: Option<bool>,
}

impl Score {
    /// Scores `obs` against the run's statistics `acc`.
    pub fn of(obs: &Observation, acc: &Accumulator) -> Self {
        let quantiles = acc
            .metric(obs.cell, obs.metric)
            .summary()
            .map_or([f64::NAN; 5], |s| s.quantiles.map(at_csv_precision));
        let [p05, p25, p50, p75, p95] = quantiles;
        let x = obs.value;
        let error = p50 - x;
        let inside = |lo: f64, hi: f64| (!p50.is_nan()).then_some(lo <= x && x <= hi);
        Self {
            quantiles,
            error,
            abs_pct_error: if x == 0.0 {
                f64::NAN
            } else {
                (error / x).abs() * 100.0
            },
            in_p05_p95: inside(p05, p95),
            in_p25_p75: inside(p25, p75),
        }
    }
}

/// `x` as written to `summary.csv`.
fn at_csv_precision(x: f64) -> f64 {
    number(x).parse().unwrap_or(f64::NAN)
}

/// Years after the base year, or all horizons together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Horizon {
    /// This many years after the base year.
    Years(i32),
    /// Every horizon.
    All,
}

impl fmt::Display for Horizon {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Horizon::Years(h) => h.fmt(f),
            Horizon::All => f.write_str("all"),
        }
    }
}

/// Accuracy over a group of observations whose projection is defined.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Accuracy {
    observations: u64,
    with_pct: u64,
    sum_pct: f64,
    sum_error: f64,
    sum_abs_error: f64,
    in_p05_p95: u64,
    in_p25_p75: u64,
}

impl Accuracy {
    fn add(&mut self, s: &Score) {
        let (Some(wide), Some(narrow)) = (s.in_p05_p95, s.in_p25_p75) else {
            return;
        };
        self.observations += 1;
        if !s.abs_pct_error.is_nan() {
            self.with_pct += 1;
            self.sum_pct += s.abs_pct_error;
        }
        self.sum_error += s.error;
        self.sum_abs_error += s.error.abs();
        self.in_p05_p95 += u64::from(wide);
        self.in_p25_p75 += u64::from(narrow);
    }

    /// Observations scored.
    pub fn observations(&self) -> u64 {
        self.observations
    }

    /// Mean absolute percentage error of the median, over observations ≠ 0 (`NaN` if none).
    pub fn mape(&self) -> f64 {
        self.sum_pct / self.with_pct as f64
    }

    /// Mean signed error of the median (P50 − observed).
    pub fn mean_error(&self) -> f64 {
        self.sum_error / self.observations as f64
    }

    /// Mean absolute error of the median.
    pub fn mean_abs_error(&self) -> f64 {
        self.sum_abs_error / self.observations as f64
    }

    /// Share of observations inside P5–P95 (nominally 0.9).
    pub fn coverage_p05_p95(&self) -> f64 {
        self.in_p05_p95 as f64 / self.observations as f64
    }

    /// Share of observations inside P25–P75 (nominally 0.5).
    pub fn coverage_p25_p75(&self) -> f64 {
        self.in_p25_p75 as f64 / self.observations as f64
    }
}

/// Accuracy by metric (in [`Metric::ALL`] order) and horizon (ascending, then all), for the
/// metrics and horizons that have scored observations.
pub fn summarize(
    observations: &[Observation],
    scores: &[Score],
) -> Vec<(Metric, Horizon, Accuracy)> {
    let mut groups: BTreeMap<(usize, Horizon), Accuracy> = BTreeMap::new();
    for (obs, score) in observations.iter().zip(scores) {
        let m = Metric::ALL
            .iter()
            .position(|&x| x == obs.metric)
            .expect("metric is in ALL");
        for h in [Horizon::Years(obs.horizon), Horizon::All] {
            groups.entry((m, h)).or_default().add(score);
        }
    }
    groups
        .into_iter()
        .filter(|(_, a)| a.observations > 0)
        .map(|((m, h), a)| (Metric::ALL[m], h, a))
        .collect()
}
