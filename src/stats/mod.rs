//! Streaming statistics over trials: exact mergeable moments and a mergeable quantile sketch.
//!
//! Every accumulator here is *exactly* associative and commutative (integer state), so the
//! result of a run does not depend on how trials were split over threads or shards.

mod moments;
mod sketch;

pub use moments::Moments;
pub use sketch::{QuantileSketch, SKETCH_RELATIVE_ERROR};

/// The quantiles reported for every cell, in output order (P5, P25, P50, P75, P95).
pub const QUANTILES: [f64; 5] = [0.05, 0.25, 0.50, 0.75, 0.95];

/// Mean, standard deviation and quantiles of one metric over trials.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Number of trials in which the metric was defined.
    pub count: u64,
    /// Mean over trials.
    pub mean: f64,
    /// Sample standard deviation (n − 1 denominator; 0 for a single trial).
    pub sd: f64,
    /// Values at [`QUANTILES`].
    pub quantiles: [f64; 5],
}

/// Moments and quantile sketch of one metric of one cell.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct MetricStats {
    moments: Moments,
    sketch: QuantileSketch,
}

impl MetricStats {
    /// Records one trial's value; `NaN` means "undefined in this trial" and is skipped.
    #[inline]
    pub fn add(&mut self, x: f64) {
        if x.is_nan() {
            return;
        }
        self.moments.add(x);
        self.sketch.add(x);
    }

    /// Adds another accumulator's trials to this one.
    pub fn merge(&mut self, other: &Self) {
        self.moments.merge(&other.moments);
        self.sketch.merge(&other.sketch);
    }

    /// The summary, or `None` when no trial defined the metric.
    pub fn summary(&self) -> Option<Summary> {
        if self.moments.count() == 0 {
            return None;
        }
        // A constant metric (always the case in deterministic mode) is reported exactly,
        // not through the fixed-point mean or the sketch's bins.
        let (mean, sd) = match self.sketch.constant() {
            Some(v) => (v, 0.0),
            None => (self.moments.mean(), self.moments.variance().sqrt()),
        };
        Some(Summary {
            count: self.moments.count(),
            mean,
            sd,
            quantiles: QUANTILES.map(|q| self.sketch.quantile(q)),
        })
    }
}
