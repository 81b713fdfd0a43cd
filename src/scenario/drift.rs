//! `[drift]` (README "Drift: uncertainty that grows with the horizon"): an optional AR(1) on the
//! log of a stage's enrolment rate, the log-odds of its private share or the migration trend
//! (its log, or itself with `scale = "level"`), started at 0 so that its spread grows with the
//! years since `from`.

use super::{StageIx, Year};

/// What one drift series moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriftTarget {
    /// `enrol[s](t) · e^{x_t}`.
    Enrolment(StageIx),
    /// `logistic(logit(private[s](t)) + x_t)` (a share of exactly 0 or 1 stays put).
    PrivateShare(StageIx),
    /// `trend(t) · e^{x_t}`.
    Trend,
    /// `max(0, trend(t) + x_t)`: for a trend near 0, whose log changes grow as it falls while
    /// its changes do not, and which a log scale would let explode upwards.
    TrendLevel,
}

/// One checked drift series: `x_t = 0` for `t ≤ from`, then `x_t = ρ·x_{t−1} + σ·N(0, 1)`.
#[derive(Debug, Clone, PartialEq)]
pub struct DriftSeries {
    /// Its key path without `drift.` (`enrolment.primary`, `trend`): names its stream and its
    /// sensitivity driver.
    pub key: String,
    /// What it moves.
    pub target: DriftTarget,
    /// Sd of one year's innovation (≥ 0).
    pub sigma: f64,
    /// Persistence, in [0, 1] (1 = random walk).
    pub rho: f64,
    /// Last year held at 0 (base year ≤ `from` < horizon): the last observed year.
    pub from: Year,
}

impl DriftSeries {
    /// Sd of `x` at `h ≥ 0` years after `from`: `σ·√(Σ_{k<h} ρ^{2k})` (`σ√h` for a random walk).
    pub fn sd_after(&self, h: u32) -> f64 {
        let var: f64 = (0..h).map(|k| self.rho.powi(2 * k as i32)).sum();
        self.sigma * var.sqrt()
    }
}
