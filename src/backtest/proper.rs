//! Scores of a whole predictive distribution, computed from the run's trials themselves (an
//! empirical distribution of `n` values) rather than from a handful of its quantiles: the
//! continuous ranked probability score and the probability integral transform.

/// CRPS of the empirical distribution of `sorted` (ascending, not empty) for the observation
/// `x`: `E|X − x| − ½ E|X − X'|` with `X, X'` drawn independently from the trials (Gneiting &
/// Raftery, JASA 2007, eq. 21). In the unit of the values; 0 only for a point mass at `x`; a
/// point forecast scores its absolute error.
pub fn crps(sorted: &[f64], x: f64) -> f64 {
    let n = sorted.len() as f64;
    let to_obs: f64 = sorted.iter().map(|v| (v - x).abs()).sum::<f64>() / n;
    // Σ_i Σ_j |v_i − v_j| = 2 Σ_i (2i − n − 1) v_(i) for 1-based ranks i of sorted values.
    let spread: f64 = sorted
        .iter()
        .enumerate()
        .map(|(i, v)| (2.0 * i as f64 + 1.0 - n) * v)
        .sum::<f64>()
        * 2.0
        / (n * n);
    to_obs - spread / 2.0
}

/// The probability integral transform of `x` under the empirical distribution of `sorted`
/// (ascending, not empty): the share of trials below `x`, ties counted half (the mid-PIT), so
/// that a calibrated forecast's PIT values are uniform on [0, 1] without a random tie-break.
pub fn pit(sorted: &[f64], x: f64) -> f64 {
    let below = sorted.partition_point(|&v| v < x);
    let not_above = sorted.partition_point(|&v| v <= x);
    (below + not_above) as f64 / 2.0 / sorted.len() as f64
}

/// Bins of the PIT histogram.
pub const PIT_BINS: usize = 10;

/// The PIT histogram bin of `u` ∈ [0, 1]: bin k holds [k/10, (k+1)/10), the last also 1.
pub fn pit_bin(u: f64) -> usize {
    ((u * PIT_BINS as f64) as usize).min(PIT_BINS - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Brute force: ½ the mean over all pairs, the definition itself.
    fn crps_by_pairs(v: &[f64], x: f64) -> f64 {
        let n = v.len() as f64;
        let a: f64 = v.iter().map(|a| (a - x).abs()).sum::<f64>() / n;
        let b: f64 = v
            .iter()
            .flat_map(|a| v.iter().map(move |b| (a - b).abs()))
            .sum::<f64>()
            / (n * n);
        a - b / 2.0
    }

    #[test]
    fn crps_of_a_point_is_the_absolute_error() {
        assert_eq!(crps(&[5.0], 5.0), 0.0);
        assert_eq!(crps(&[5.0], 8.0), 3.0);
        assert_eq!(crps(&[5.0, 5.0, 5.0], 2.0), 3.0);
    }

    #[test]
    fn crps_by_hand_and_by_pairs() {
        // {0, 2}, x = 1: E|X − 1| = 1, E|X − X'| = (0 + 2 + 2 + 0) / 4 = 1, CRPS = 1 − 0.5.
        assert_eq!(crps(&[0.0, 2.0], 1.0), 0.5);
        let v = [1.0, 1.5, 4.0, 7.0, 7.0, 10.0];
        for x in [-3.0, 1.0, 5.2, 7.0, 20.0] {
            assert!(
                (crps(&v, x) - crps_by_pairs(&v, x)).abs() < 1e-12,
                "x = {x}"
            );
        }
    }

    /// A large sample of the normal quantiles approaches the closed form
    /// CRPS(N(μ, σ²), x) = σ [z (2Φ(z) − 1) + 2φ(z) − 1/√π], z = (x − μ)/σ.
    #[test]
    fn crps_of_a_normal_sample_matches_the_closed_form() {
        use crate::stats::normal;
        use std::f64::consts::PI;
        let (mu, sigma, n) = (100.0, 15.0, 20_000);
        let sample: Vec<f64> = (0..n)
            .map(|i| mu + sigma * normal::quantile((i as f64 + 0.5) / n as f64))
            .collect();
        for x in [70.0, 100.0, 112.0, 160.0] {
            let z = (x - mu) / sigma;
            let density = (-z * z / 2.0).exp() / (2.0 * PI).sqrt();
            let exact =
                sigma * (z * (2.0 * normal::cdf(z) - 1.0) + 2.0 * density - 1.0 / PI.sqrt());
            // The midpoint sample's E|X − X'| falls short of 2σ/√π by O(ln n / n) of σ.
            assert!((crps(&sample, x) - exact).abs() < 2e-3 * sigma, "x = {x}");
        }
    }

    #[test]
    fn pit_counts_trials_below_and_half_the_ties() {
        let v = [1.0, 2.0, 2.0, 3.0];
        assert_eq!(pit(&v, 0.0), 0.0);
        assert_eq!(pit(&v, 1.5), 0.25);
        assert_eq!(pit(&v, 2.0), 0.5);
        assert_eq!(pit(&v, 9.0), 1.0);
        // A point mass at the observation: the middle.
        assert_eq!(pit(&[4.0], 4.0), 0.5);
    }

    #[test]
    fn pit_bins_split_the_unit_interval_into_tenths() {
        assert_eq!(pit_bin(0.0), 0);
        assert_eq!(pit_bin(0.0999), 0);
        assert_eq!(pit_bin(0.1), 1);
        assert_eq!(pit_bin(0.95), 9);
        assert_eq!(pit_bin(1.0), 9);
    }
}
