//! Exact, order-independent mean and variance.
//!
//! Floating-point running sums depend on the order of additions, which would make output
//! depend on the thread count or on how shards are merged. Values are therefore rounded (ties
//! to even) to a fixed-point grid of 2⁻²⁰ (≈ 1e-6) and summed in 128-bit integers, which is
//! exact.
//! Valid while |x| ≤ 1e9 and the trial count ≤ 1e8 (Σx² then stays below 2¹²⁷).

use serde::{Deserialize, Serialize};

use super::nearest_integer;

/// Largest magnitude whose moments are exact (with at most 10⁸ trials): larger values make
/// the fixed-point sums overflow.
pub const EXACT_RANGE: f64 = 1e9;

/// Fixed-point scale: values are stored as x · 2²⁰ rounded to an integer.
const SCALE: f64 = (1u64 << 20) as f64;

/// Most values summed in 64-bit lanes before they are added to the 128-bit sums (see
/// [`LaneSums`] for the bound).
pub(super) const LANE_CHUNK: usize = 1_024;

/// The sums of at most [`LANE_CHUNK`] fixed-point values `q = h·2²⁶ + l` (see
/// [`fixed_point`]) in 64-bit integers, from which [`Moments::add_sums`] makes the 128-bit
/// sums: `q² = h²·2⁵² + h·l·2²⁷ + l²`, and over 1,024 values (|q| ≤ 2⁵⁰, `0 ≤ l < 2²⁶`)
/// each of the three sums stays below 2⁶².
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct LaneSums {
    pub(super) sum: i64,
    pub(super) hh: i64,
    pub(super) hl: i64,
    pub(super) ll: i64,
}

/// The fixed-point value `q` of `x` clamped to ±[`EXACT_RANGE`], and its high and low parts
/// `h = q >> 26` and `l = q mod 2²⁶`.
#[inline]
pub(super) fn fixed_point(x: f64) -> (i64, i64, i64) {
    const LOW: i64 = (1 << 26) - 1;
    let q = nearest_integer(x.clamp(-EXACT_RANGE, EXACT_RANGE) * SCALE);
    (q, q >> 26, q & LOW)
}

/// Mergeable count, sum and sum of squares on a fixed-point grid.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moments {
    n: u64,
    sum: i128,
    sum_sq: i128,
}

impl Moments {
    /// Records one value.
    ///
    /// Values beyond ±[`EXACT_RANGE`] make the sums meaningless (they wrap rather than
    /// panic); the run checks the extremes its sketches keep and refuses such results.
    #[inline]
    pub fn add(&mut self, x: f64) {
        self.add_slice(std::slice::from_ref(&x));
    }

    /// Records every value of `xs`.
    #[inline]
    pub fn add_slice(&mut self, xs: &[f64]) {
        for chunk in xs.chunks(LANE_CHUNK) {
            if !self.add_in_lanes(chunk) {
                self.add_wide(chunk);
            }
        }
        self.n += xs.len() as u64;
    }

    /// Adds the sums of `xs` (at most [`LANE_CHUNK`] values) in 64-bit lanes, which the
    /// compiler turns into vector instructions — the same integers as [`Moments::add_wide`]
    /// sums in 128 bits one value at a time, so the same state — if every value is within
    /// ±[`EXACT_RANGE`]; returns whether they were (if not, nothing is added).
    #[inline]
    fn add_in_lanes(&mut self, xs: &[f64]) -> bool {
        let mut sums = LaneSums::default();
        let mut within = true;
        for &x in xs {
            // Out of range, the wrapping sums are thrown away: a check without a branch
            // keeps the loop in vector instructions.
            within &= x.abs() <= EXACT_RANGE;
            let (q, h, l) = fixed_point(x);
            sums.sum += q;
            sums.hh += h * h;
            sums.hl += h * l;
            sums.ll += l * l;
        }
        if within {
            self.add_sums(&sums, 0);
        }
        within
    }

    /// Adds `n` values whose [`LaneSums`] are `sums` (each value within ±[`EXACT_RANGE`]).
    #[inline]
    pub(super) fn add_sums(&mut self, sums: &LaneSums, n: u64) {
        let sq = (i128::from(sums.hh) << 52) + (i128::from(sums.hl) << 27) + i128::from(sums.ll);
        self.n += n;
        self.sum = self.sum.wrapping_add(i128::from(sums.sum));
        self.sum_sq = self.sum_sq.wrapping_add(sq);
    }

    /// Adds the sums of `xs` one value at a time in 128 bits, whatever their magnitude.
    fn add_wide(&mut self, xs: &[f64]) {
        // Summed in locals: the loop then carries its sums in registers.
        let (mut sum, mut sum_sq) = (self.sum, self.sum_sq);
        for &x in xs {
            let q = i128::from(nearest_integer(x * SCALE));
            sum = sum.wrapping_add(q);
            sum_sq = sum_sq.wrapping_add(q.wrapping_mul(q));
        }
        (self.sum, self.sum_sq) = (sum, sum_sq);
    }

    /// Records `x` `n` times.
    pub fn add_repeated(&mut self, x: f64, n: u64) {
        let q = i128::from(nearest_integer(x * SCALE));
        let n128 = i128::from(n);
        self.n += n;
        self.sum = self.sum.wrapping_add(n128.wrapping_mul(q));
        self.sum_sq = self
            .sum_sq
            .wrapping_add(n128.wrapping_mul(q).wrapping_mul(q));
    }

    /// Adds another accumulator's values.
    pub fn merge(&mut self, other: &Self) {
        self.n += other.n;
        self.sum = self.sum.wrapping_add(other.sum);
        self.sum_sq = self.sum_sq.wrapping_add(other.sum_sq);
    }

    /// Number of values recorded.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// Mean of the values (0 when empty).
    pub fn mean(&self) -> f64 {
        if self.n == 0 {
            return 0.0;
        }
        self.sum as f64 / self.n as f64 / SCALE
    }

    /// Sample variance with the n − 1 denominator (0 for fewer than two values).
    pub fn variance(&self) -> f64 {
        if self.n < 2 {
            return 0.0;
        }
        let n = self.n as i128;
        // With m = ⌊Σq/n⌋ and r = Σq − n·m, Σ(q − m)² = Σq² − n·m² − 2·m·r exactly in
        // integers; the mean is m + r/n, so Σ(q − mean)² = Σ(q − m)² − r²/n. This avoids the
        // cancellation of Σq² − (Σq)²/n in floating point.
        let m = self.sum.div_euclid(n);
        let r = self.sum.rem_euclid(n);
        // Wrapping like the sums: beyond EXACT_RANGE they are meaningless, and the run refuses
        // them after its pilot has framed them.
        let centred = self
            .sum_sq
            .wrapping_sub(n.wrapping_mul(m).wrapping_mul(m))
            .wrapping_sub(m.wrapping_mul(r).wrapping_mul(2));
        let ss = centred as f64 - (r as f64) * (r as f64) / n as f64;
        (ss / (n - 1) as f64).max(0.0) / (SCALE * SCALE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    fn of(xs: &[f64]) -> Moments {
        let mut m = Moments::default();
        xs.iter().for_each(|&x| m.add(x));
        m
    }

    #[test]
    fn values_beyond_the_exact_range_give_a_number_not_a_panic() {
        // A run whose projection runs away is refused after its pilot framed its values.
        let m = of(&[[f64::INFINITY; 16].as_slice(), &[1e300, -1e30, 5.0]].concat());
        assert!(m.variance() >= 0.0 && m.mean().is_finite());
    }

    #[test]
    fn mean_and_variance_match_the_textbook_formulas() {
        let m = of(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
        assert_eq!(m.count(), 8);
        assert_relative_eq!(m.mean(), 5.0);
        assert_relative_eq!(m.variance(), 32.0 / 7.0, max_relative = 1e-12);
    }

    #[test]
    fn large_offset_does_not_cancel_small_variance() {
        let m = of(&[1_000_000.0, 1_000_001.0, 1_000_002.0]);
        assert_relative_eq!(m.variance(), 1.0, max_relative = 1e-9);
    }

    #[test]
    fn constant_values_have_exactly_zero_variance() {
        assert_eq!(of(&[438_680.3; 50]).variance(), 0.0);
    }

    #[test]
    fn negative_values_are_handled() {
        let m = of(&[-3.0, -1.0, 1.0, 3.0]);
        assert_relative_eq!(m.mean(), 0.0);
        assert_relative_eq!(m.variance(), 20.0 / 3.0, max_relative = 1e-12);
    }

    #[test]
    fn a_repeated_value_counts_as_that_many_values() {
        let mut m = of(&[2.5, -1.0]);
        m.add_repeated(7.25, 3);
        assert_eq!(m, of(&[2.5, -1.0, 7.25, 7.25, 7.25]));
    }

    #[test]
    fn lanes_give_the_state_of_one_value_at_a_time() {
        // Magnitudes up to the exact range, negative ones, and values past it (wide sums).
        let mut xs: Vec<f64> = (0..20_000)
            .map(|i| (f64::from(i) * 0.618_033_988_749_895).fract())
            .map(|u| (u - 0.5) * 2.0 * EXACT_RANGE * u.powi(7))
            .collect();
        xs.extend([EXACT_RANGE, -EXACT_RANGE, 0.0, -0.0, 1e-7, -3.5e-7]);
        let mut one_by_one = Moments::default();
        for &x in &xs {
            one_by_one.n += 1;
            one_by_one.add_wide(&[x]);
        }
        let mut in_lanes = Moments::default();
        xs.chunks(37).for_each(|c| in_lanes.add_slice(c));
        assert_eq!(in_lanes, one_by_one);
        let mut whole = Moments::default();
        whole.add_slice(&xs);
        assert_eq!(whole, one_by_one);
        let wide = [3e12, -7e15, 1.5];
        let mut a = Moments::default();
        a.add_slice(&wide);
        let mut b = Moments::default();
        wide.iter().for_each(|&x| b.add_wide(&[x]));
        b.n = 3;
        assert_eq!(a, b);
    }

    #[test]
    fn merging_in_any_split_gives_identical_state() {
        let xs: Vec<f64> = (0..1000).map(|i| (i as f64 * 0.731).sin() * 1e4).collect();
        let whole = of(&xs);
        for cut in [1, 10, 333, 999] {
            let mut a = of(&xs[cut..]);
            a.merge(&of(&xs[..cut]));
            assert_eq!(a, whole);
        }
    }
}
