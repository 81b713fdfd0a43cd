//! Where a cell-metric's values lie and how wide its sketch's bins are, fixed before the run
//! from a pilot of its first trials (DESIGN §2.5).
//!
//! A quantile sketch whose error is relative to the *level* of a value cannot show the spread
//! of a city total: 0.5% of a million pupils is more than their whole spread. A frame instead
//! centres the bins on the pilot's mean and makes them a fixed share of the pilot's standard
//! deviation wide, so that a quantile's error is a share of the cell's spread. The pilot is
//! the same trials of the same seed in every process, so every worker and shard of a run
//! builds the same frames and their sketches merge exactly.

use serde::{Deserialize, Serialize};

use super::moments::Moments;

/// Width of a central bin as a share of the pilot's standard deviation. A value is reported
/// as its bin's centre, at most half a bin from it: 0.025 pilot sd.
pub const BIN_WIDTH_SD: f64 = 0.05;
/// Central bins on each side of the centre: ±5 pilot sd. Beyond them bins widen in proportion
/// to their distance from the centre (see [`super::mapping`]), so that the tails of a
/// skewed or heavy-tailed metric take a few hundred bins, not thousands.
pub const CENTRAL_BINS: i32 = 100;
/// Bin width of a frame without spread (a pilot whose trials all agreed, or the default
/// frame), relative to the magnitude of its centre: values that differ from the centre at all
/// fall in the tail bins, whose error is then 0.5% of their distance from it.
const DEGENERATE_WIDTH: f64 = 1e-9;

/// The centre and bin width of one cell-metric's sketch, and the lattice its values lie on.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Frame {
    centre: f64,
    width: f64,
    /// `1 / width`: a value's bin is found by a multiplication, not a division.
    per_width: f64,
    /// The step between the values the pilot took, where they were whole numbers (seats,
    /// classes): quantiles are reported on it when it is finer than half a bin; 0 for none.
    lattice: f64,
}

impl Default for Frame {
    /// The frame of a sketch built without a pilot: centred on 0, so that its bins are
    /// relative to each value's magnitude.
    fn default() -> Self {
        Self::new(0.0, 0.0)
    }
}

impl Frame {
    /// A frame centred on `centre` whose central bins are `BIN_WIDTH_SD × sd` wide.
    pub fn new(centre: f64, sd: f64) -> Self {
        let width = BIN_WIDTH_SD * sd;
        let floor = DEGENERATE_WIDTH * centre.abs().max(1.0);
        let width = if width > floor { width } else { floor };
        Self {
            centre,
            width,
            per_width: 1.0 / width,
            lattice: 0.0,
        }
    }

    /// The frame a pilot gives: its mean and standard deviation, and the lattice of its
    /// values where that is fine enough to report on.
    pub fn of(pilot: &Moments, lattice: &Lattice) -> Self {
        if pilot.count() == 0 {
            return Self::default();
        }
        let mut frame = Self::new(pilot.mean(), pilot.variance().sqrt());
        if let Some(step) = lattice.step() {
            // Rounding to the lattice then moves a quantile by at most a quarter of a bin.
            if step <= frame.width / 2.0 {
                frame.lattice = step;
            }
        }
        frame
    }

    /// `x` on the frame's lattice, if it has one.
    pub(super) fn snap(&self, x: f64) -> f64 {
        if self.lattice > 0.0 {
            (x / self.lattice).round() * self.lattice
        } else {
            x
        }
    }

    /// Whether the frame has central bins as wide as a pilot's spread (not degenerate).
    pub(super) fn has_spread(&self) -> bool {
        self.width > DEGENERATE_WIDTH * self.centre.abs().max(1.0)
    }

    /// The centre.
    #[inline]
    pub(super) fn centre(&self) -> f64 {
        self.centre
    }

    /// The width of a central bin.
    #[inline]
    pub(super) fn width(&self) -> f64 {
        self.width
    }

    /// Central bins per unit of value: `1 / width`.
    #[inline]
    pub(super) fn per_width(&self) -> f64 {
        self.per_width
    }

    /// Central bin widths from the centre to `x`.
    #[inline]
    pub(super) fn offset(&self, x: f64) -> f64 {
        (x - self.centre) * self.per_width
    }
}

/// The largest whole number that divides every value seen, while all are whole numbers:
/// mergeable in any order, like the moments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lattice {
    /// gcd of the values' magnitudes so far (0 before any, or when all were 0).
    gcd: u64,
    whole: bool,
}

impl Default for Lattice {
    fn default() -> Self {
        Self {
            gcd: 0,
            whole: true,
        }
    }
}

/// Magnitudes up to which a whole `f64` is exact: beyond, gcds mean nothing.
const WHOLE_LIMIT: f64 = 9.007_199_254_740_992e15; // 2⁵³

impl Lattice {
    /// Takes one value into account.
    pub fn add(&mut self, x: f64) {
        if !self.whole {
            return;
        }
        if x.fract() != 0.0 || x.abs() >= WHOLE_LIMIT {
            self.whole = false;
            return;
        }
        self.gcd = gcd(self.gcd, x.abs() as u64);
    }

    /// Combines with another's values.
    pub fn merge(&mut self, other: &Self) {
        self.whole &= other.whole;
        self.gcd = gcd(self.gcd, other.gcd);
    }

    /// The step between values, when they were all whole and not all zero.
    fn step(&self) -> Option<f64> {
        (self.whole && self.gcd > 0).then_some(self.gcd as f64)
    }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pilot_frames_its_bins_on_its_mean_and_spread() {
        let mut m = Moments::default();
        [10.0, 20.0, 30.0].iter().for_each(|&x| m.add(x));
        let f = Frame::of(&m, &Lattice::default());
        assert_eq!(f.centre(), 20.0);
        assert!((f.width() - BIN_WIDTH_SD * 10.0).abs() < 1e-9);
        assert!(f.has_spread());
    }

    #[test]
    fn a_pilot_without_spread_gives_a_degenerate_frame() {
        let mut m = Moments::default();
        m.add_repeated(94_500.0, 256);
        let f = Frame::of(&m, &Lattice::default());
        assert_eq!(f.centre(), 94_500.0);
        assert!(!f.has_spread());
        assert!(f.width() > 0.0);
        assert!(!Frame::default().has_spread());
    }

    #[test]
    fn whole_values_give_their_common_step_in_any_split() {
        let (mut a, mut b, mut whole) =
            (Lattice::default(), Lattice::default(), Lattice::default());
        for (i, x) in [94_500.0, 93_150.0, -450.0, 0.0, 89_100.0]
            .into_iter()
            .enumerate()
        {
            whole.add(x);
            if i % 2 == 0 {
                a.add(x)
            } else {
                b.add(x)
            }
        }
        a.merge(&b);
        assert_eq!(a, whole);
        assert_eq!(whole.step(), Some(450.0));
        whole.add(0.5);
        assert_eq!(whole.step(), None);
        assert_eq!(Lattice::default().step(), None);
    }

    #[test]
    fn a_lattice_coarser_than_half_a_bin_is_not_used() {
        let mut m = Moments::default();
        let mut fine = Lattice::default();
        for x in [0.0, 45.0, 90.0, 4500.0, 9000.0] {
            m.add(x);
            fine.add(x);
        }
        let f = Frame::of(&m, &fine);
        assert_eq!(f.snap(1000.0), 990.0);
        let mut coarse = Moments::default();
        [0.0, 45.0].iter().for_each(|&x| coarse.add(x));
        let g = Frame::of(&coarse, &fine);
        assert_eq!(g.snap(1000.3), 1000.3);
    }
}
