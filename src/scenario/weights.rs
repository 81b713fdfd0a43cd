//! Turning relative weights (such as `[migration] age_profile`) into shares that sum to 1,
//! without overflow: weights are scaled by the largest before they are summed, so any finite
//! weights, however large, keep their proportions instead of summing to infinity.

/// The shares `w / Σw` of non-negative finite `weights`, or `None` when they sum to 0.
pub(super) fn shares(weights: &[f64]) -> Option<Vec<f64>> {
    let max = weights.iter().copied().fold(0.0, f64::max);
    if max <= 0.0 {
        return None;
    }
    // Each scaled weight is at most 1, so their sum is at most the number of weights.
    let scaled: Vec<f64> = weights.iter().map(|w| w / max).collect();
    let total: f64 = scaled.iter().sum();
    Some(scaled.iter().map(|w| w / total).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_finite_weights_keep_their_proportions() {
        let got = shares(&[1e308, 1e308, f64::MAX]).unwrap();
        let sum: f64 = got.iter().sum();
        assert!((sum - 1.0).abs() < 1e-12, "{got:?}");
        assert!(got.iter().all(|s| s.is_finite() && *s > 0.0), "{got:?}");
        assert_eq!(shares(&[1.0, 3.0]).unwrap(), vec![0.25, 0.75]);
    }

    #[test]
    fn weights_that_sum_to_zero_have_no_shares() {
        assert_eq!(shares(&[0.0, 0.0]), None);
        assert_eq!(shares(&[]), None);
    }
}
