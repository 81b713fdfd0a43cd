//! Mergeable quantile sketch with a bounded relative error (DDSketch).
//!
//! Wraps `sketches-ddsketch` with the accuracy seatsim documents: every reported quantile is
//! within [`SKETCH_RELATIVE_ERROR`] (0.5%) of a value whose rank is the requested one
//! (rank ⌊q·(n−1)⌋ of the sorted trials). Bin counts are integers, so merging is exact and
//! independent of order. Estimates are clamped to the observed [min, max], which makes a
//! constant metric come out exactly.

use serde::{Deserialize, Serialize};
use sketches_ddsketch::{Config, DDSketch};

/// Relative accuracy α of every quantile estimate.
pub const SKETCH_RELATIVE_ERROR: f64 = 0.005;
/// Bins per sign; at α = 0.5% they span a factor of about 10¹⁷ before the lowest collapse.
const MAX_BINS: u32 = 4096;
/// Magnitudes below this are counted as exactly zero.
const MIN_MAGNITUDE: f64 = 1e-9;

/// A DDSketch of one metric's values over trials.
#[derive(Clone, Serialize, Deserialize)]
pub struct QuantileSketch(DDSketch);

impl Default for QuantileSketch {
    fn default() -> Self {
        Self(DDSketch::new(Config::new(
            SKETCH_RELATIVE_ERROR,
            MAX_BINS,
            MIN_MAGNITUDE,
        )))
    }
}

impl std::fmt::Debug for QuantileSketch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QuantileSketch")
            .field("count", &self.0.count())
            .field("min", &self.0.min())
            .field("max", &self.0.max())
            .finish()
    }
}

impl QuantileSketch {
    /// Records one value.
    #[inline]
    pub fn add(&mut self, x: f64) {
        self.0.add(x);
    }

    /// Adds another sketch's values (same configuration by construction).
    pub fn merge(&mut self, other: &Self) {
        self.0
            .merge(&other.0)
            .expect("every QuantileSketch is built with the same configuration");
    }

    /// The single value seen, when every value recorded was the same.
    pub fn constant(&self) -> Option<f64> {
        match (self.0.min(), self.0.max()) {
            (Some(lo), Some(hi)) if lo == hi => Some(lo),
            _ => None,
        }
    }

    /// Estimated `q`-quantile, `q` in [0, 1]; `NaN` when empty.
    pub fn quantile(&self, q: f64) -> f64 {
        match (self.0.quantile(q), self.0.min(), self.0.max()) {
            (Ok(Some(v)), Some(lo), Some(hi)) => v.clamp(lo, hi),
            _ => f64::NAN,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact_quantile(sorted: &[f64], q: f64) -> f64 {
        sorted[(q * (sorted.len() - 1) as f64) as usize]
    }

    #[test]
    fn quantiles_are_within_the_stated_relative_error_of_exact_ones() {
        // A skewed, wide sample: squares of a low-discrepancy sequence, 1 .. 1e6.
        let mut xs: Vec<f64> = (1..=20_000)
            .map(|i| {
                let u = (i as f64 * 0.618_033_988_749_895).fract();
                1.0 + 1e6 * u * u
            })
            .collect();
        let mut s = QuantileSketch::default();
        xs.iter().for_each(|&x| s.add(x));
        xs.sort_by(f64::total_cmp);
        for q in [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99] {
            let exact = exact_quantile(&xs, q);
            let est = s.quantile(q);
            assert!(
                (est - exact).abs() <= SKETCH_RELATIVE_ERROR * exact,
                "q={q}: estimate {est} vs exact {exact}"
            );
        }
    }

    #[test]
    fn zeros_and_negatives_are_ranked_correctly() {
        let mut s = QuantileSketch::default();
        for x in [-5.0, -1.0, 0.0, 0.0, 0.0, 2.0, 8.0] {
            s.add(x);
        }
        assert_eq!(s.quantile(0.5), 0.0);
        assert!((s.quantile(0.0) + 5.0).abs() < 1e-12);
        assert!((s.quantile(1.0) - 8.0).abs() < 1e-12);
    }

    #[test]
    fn a_constant_is_reported_exactly() {
        let mut s = QuantileSketch::default();
        (0..10).for_each(|_| s.add(1234.5678));
        assert_eq!(s.constant(), Some(1234.5678));
        assert_eq!(s.quantile(0.05), 1234.5678);
    }

    #[test]
    fn merge_order_does_not_change_quantiles() {
        let xs: Vec<f64> = (0..5000)
            .map(|i| ((i * 7919) % 5003) as f64 + 0.5)
            .collect();
        let mut whole = QuantileSketch::default();
        xs.iter().for_each(|&x| whole.add(x));
        let (mut a, mut b) = (QuantileSketch::default(), QuantileSketch::default());
        xs[..1234].iter().for_each(|&x| a.add(x));
        xs[1234..].iter().for_each(|&x| b.add(x));
        b.merge(&a);
        for q in [0.05, 0.5, 0.95] {
            assert_eq!(b.quantile(q).to_bits(), whole.quantile(q).to_bits());
        }
    }
}
