//! Streaming statistics over trials: exact mergeable moments and a mergeable quantile sketch.
//!
//! Every accumulator here is *exactly* associative and commutative (integer state), so the
//! result of a run does not depend on how trials were split over threads or shards.

mod bins;
pub mod correlation;
mod distinct;
mod frame;
mod group;
mod mapping;
mod moments;
pub mod normal;
pub(crate) mod prefetch;
mod sketch;

pub use distinct::DISTINCT;
pub use frame::{Frame, Lattice, BIN_WIDTH_SD, CENTRAL_BINS};
pub use group::Staging;
pub use mapping::TAIL_RELATIVE_ERROR;
pub use moments::{Moments, EXACT_RANGE};
pub use sketch::QuantileSketch;

/// `y` rounded to the nearest integer, ties to even, for |y| < 2⁵¹.
///
/// Adding 1.5·2⁵² leaves the rounded integer in the low bits of the sum's mantissa: three
/// instructions, where `f64::round` is a library call on baseline x86-64 and `as i64` checks
/// for overflow and NaN. The statistics round ≈ 16,000 numbers per trial.
#[inline]
fn nearest_integer(y: f64) -> i64 {
    const MAGIC: f64 = 6_755_399_441_055_744.0; // 1.5 · 2⁵²
    (y + MAGIC).to_bits() as i64 - MAGIC.to_bits() as i64
}

/// Cell-metrics whose sketch bins [`MetricStats::add_block`] counts together: enough to keep
/// many cache misses in flight, few enough that their staged keys stay in the first-level
/// cache.
pub const GROUP: usize = 64;

/// The quantiles reported for every cell, in output order (P5, P25, P50, P75, P95).
pub const QUANTILES: [f64; 5] = [0.05, 0.25, 0.50, 0.75, 0.95];

/// Mean, standard deviation, extremes and quantiles of one metric over trials.
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
    /// Smallest value over trials (exact).
    pub min: f64,
    /// Largest value over trials (exact).
    pub max: f64,
}

/// Moments and quantile sketch of one metric of one cell.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct MetricStats {
    moments: Moments,
    sketch: QuantileSketch,
}

impl MetricStats {
    /// Empty statistics whose sketch bins in `frame` (see [`Frame`]).
    pub fn new(frame: Frame) -> Self {
        Self {
            moments: Moments::default(),
            sketch: QuantileSketch::new(frame),
        }
    }

    /// The frame of the sketch.
    pub fn frame(&self) -> Frame {
        self.sketch.frame()
    }

    /// Records one trial's value; `NaN` means "undefined in this trial" and is skipped.
    pub fn add(&mut self, x: f64) {
        if !x.is_nan() {
            self.add_defined(&[x]);
        }
    }

    /// Records the values of several trials (`NaN` skipped).
    pub fn add_all(&mut self, xs: impl Iterator<Item = f64>) {
        let defined: Vec<f64> = xs.filter(|x| !x.is_nan()).collect();
        self.add_defined(&defined);
    }

    /// Records `xs` (none `NaN`) in the moments and the sketch.
    #[inline]
    fn add_defined(&mut self, xs: &[f64]) {
        let Some(&first) = xs.first() else {
            return;
        };
        // A batch that repeats one value — a cell-metric no trial of the batch moved, such as
        // capacity before any project can open or a large-class share of 0 — costs one value.
        if xs.iter().all(|x| x.to_bits() == first.to_bits()) {
            let n = xs.len() as u64;
            self.moments.add_repeated(first, n);
            self.sketch.add_repeated(first, n);
            return;
        }
        self.moments.add_slice(xs);
        self.sketch.add_slice(xs);
    }

    /// The recorded value furthest beyond ±[`EXACT_RANGE`], if any: the moments of such
    /// values are not exact and must not be reported.
    pub fn out_of_range(&self) -> Option<f64> {
        let (lo, hi) = self.sketch.extremes()?;
        if hi > EXACT_RANGE {
            Some(hi)
        } else if lo < -EXACT_RANGE {
            Some(lo)
        } else {
            None
        }
    }

    /// Adds another accumulator's trials to this one.
    pub fn merge(&mut self, other: &Self) {
        self.moments.merge(&other.moments);
        self.sketch.merge(&other.sketch);
    }

    /// Trials that defined the metric.
    pub fn count(&self) -> u64 {
        self.moments.count()
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
        let (min, max) = self.sketch.extremes()?;
        Some(Summary {
            count: self.moments.count(),
            mean,
            sd,
            quantiles: QUANTILES.map(|q| self.sketch.quantile(q)),
            min,
            max,
        })
    }

    /// The `q`-quantile (rank ⌊q·(n−1)⌋, `q` in [0, 1]) within the sketch's error, or
    /// `None` when no trial defined the metric.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        (self.moments.count() > 0).then(|| self.sketch.quantile(q))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_metrics_statistics_fill_at_most_three_cache_lines() {
        // Moments (48 bytes), and the sketch's frame, extremes and bin store.
        assert!(std::mem::size_of::<MetricStats>() <= 192);
    }

    #[test]
    fn values_beyond_the_exact_range_are_flagged_without_a_panic() {
        let mut s = MetricStats::default();
        s.add_all([1.0, EXACT_RANGE, -EXACT_RANGE].into_iter());
        assert_eq!(s.out_of_range(), None);
        s.add_all([-4e12, 7e18, f64::NAN].into_iter());
        assert_eq!(s.out_of_range(), Some(7e18));
        let mut low = MetricStats::default();
        low.add(-2e9);
        assert_eq!(low.out_of_range(), Some(-2e9));
    }

    #[test]
    fn nearest_integer_rounds_ties_to_even() {
        let ys = [
            0.0,
            0.5,
            1.5,
            2.5,
            -0.5,
            -1.5,
            2.499_999,
            -7.3,
            1e15 + 0.5,
            -(2f64.powi(50)),
        ];
        for y in ys {
            assert_eq!(nearest_integer(y), y.round_ties_even() as i64, "{y}");
        }
    }
}
