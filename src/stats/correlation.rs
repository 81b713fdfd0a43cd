//! Exact, mergeable sums for squared correlations (the variance share of DESIGN §2.5).
//!
//! As in [`Moments`](super::Moments), values are rounded to a fixed-point grid and summed in
//! 128-bit integers, so any split of the trials gives the same sums. Drivers (an input's
//! quantile, a shock) are small numbers and take a finer grid than outputs: 2⁻³² for |x| ≤ 2¹⁰,
//! outputs 2⁻²⁰ for |y| ≤ 10⁹, which keeps Σxy below 2¹²⁰ for 10⁸ trials.

use serde::{Deserialize, Serialize};

use super::nearest_integer;

/// Fixed-point scale of a driver.
const X_SCALE: f64 = (1u64 << 32) as f64;
/// Fixed-point scale of an output (that of the moments).
const Y_SCALE: f64 = (1u64 << 20) as f64;

/// A driver on its fixed-point grid.
#[inline]
pub fn fixed_driver(x: f64) -> i64 {
    nearest_integer(x * X_SCALE)
}

/// An output on its fixed-point grid.
#[inline]
pub fn fixed_output(y: f64) -> i64 {
    nearest_integer(y * Y_SCALE)
}

/// `Σq` and `Σq²` of one series of fixed-point values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sums {
    sum: i128,
    sum_sq: i128,
}

impl Sums {
    /// Adds one fixed-point value.
    #[inline]
    pub fn add(&mut self, q: i64) {
        let q = i128::from(q);
        self.sum = self.sum.wrapping_add(q);
        self.sum_sq = self.sum_sq.wrapping_add(q.wrapping_mul(q));
    }

    /// Adds another series' sums.
    pub fn merge(&mut self, other: &Self) {
        self.sum = self.sum.wrapping_add(other.sum);
        self.sum_sq = self.sum_sq.wrapping_add(other.sum_sq);
    }

    /// `Σ(q − mean)²` over `n` values, exactly centred in integers first (see
    /// [`Moments::variance`](super::Moments::variance)).
    fn centred(&self, n: i128) -> f64 {
        let (m, r) = (self.sum.div_euclid(n), self.sum.rem_euclid(n));
        let ss = self.sum_sq - n * m * m - 2 * m * r;
        ss as f64 - (r as f64) * (r as f64) / n as f64
    }
}

/// The squared correlation of `x` and `y` over `n` trials from their sums and `Σxy`; `None`
/// when either does not vary (the share is then undefined).
pub fn r_squared(n: u64, x: &Sums, y: &Sums, xy: i128) -> Option<f64> {
    if n < 2 {
        return None;
    }
    let n = i128::from(n);
    let (sxx, syy) = (x.centred(n), y.centred(n));
    if sxx <= 0.0 || syy <= 0.0 {
        return None;
    }
    // Σ(x − x̄)(y − ȳ) = Σxy − Σx·Σy/n, with Σy = n·m + r: the part Σxy − Σx·m is exact.
    let (m, r) = (y.sum.div_euclid(n), y.sum.rem_euclid(n));
    let sxy = xy.wrapping_sub(x.sum.wrapping_mul(m)) as f64 - x.sum as f64 * r as f64 / n as f64;
    Some((sxy * sxy / (sxx * syy)).clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn share(xs: &[f64], ys: &[f64]) -> Option<f64> {
        let (mut x, mut y, mut xy) = (Sums::default(), Sums::default(), 0i128);
        for (&a, &b) in xs.iter().zip(ys) {
            let (p, q) = (fixed_driver(a), fixed_output(b));
            x.add(p);
            y.add(q);
            xy += i128::from(p) * i128::from(q);
        }
        r_squared(xs.len() as u64, &x, &y, xy)
    }

    #[test]
    fn a_linear_output_is_fully_explained_and_a_textbook_case_matches() {
        let xs: Vec<f64> = (0..100).map(|i| f64::from(i) / 100.0).collect();
        let ys: Vec<f64> = xs.iter().map(|x| 1e6 - 3e4 * x).collect();
        assert!((share(&xs, &ys).unwrap() - 1.0).abs() < 1e-12);
        // x = 1, 2, 3, 4; y = 2, 1, 4, 3: r = 0.6.
        let r2 = share(&[1.0, 2.0, 3.0, 4.0], &[2.0, 1.0, 4.0, 3.0]).unwrap();
        assert!((r2 - 0.36).abs() < 1e-12, "{r2}");
    }

    #[test]
    fn a_constant_has_no_share() {
        assert_eq!(share(&[0.1, 0.5, 0.9], &[7.0; 3]), None);
        assert_eq!(share(&[0.3; 3], &[1.0, 2.0, 3.0]), None);
        assert_eq!(share(&[0.3], &[1.0]), None);
    }
}
