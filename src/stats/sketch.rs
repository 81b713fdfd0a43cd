//! Mergeable quantile sketch whose error is relative to a cell-metric's spread (DESIGN §2.5).
//!
//! Values are binned by their distance from the [`Frame`]'s centre: within ±5 pilot standard
//! deviations in bins 0.05 pilot sd wide, beyond that in bins whose width is 0.5% of their
//! distance from the centre (a logarithmic DDSketch mapping, Masson, Rim & Lee, VLDB 2019).
//! A quantile is the centre of the bin holding the value of its rank — rank ⌊q·(n−1)⌋ of the
//! sorted trials — so it is within 0.025 pilot sd of that value inside ±5 sd, and within 0.5%
//! of its distance from the centre beyond; it is never outside the exact [min, max], and a rank
//! that falls among the values equal to the min or the max gets that exact value (a shortfall of 0, the
//! capacity of a pipeline all on time). A cell-metric that takes at most [`DISTINCT`](super::DISTINCT) values
//! over the run has them kept exactly, and its quantiles are exact.
//!
//! A frame without spread (a pilot whose trials all agreed: a shortfall that is 0 in the
//! pilot and rarely positive later) counts the values at its centre apart and bins the others
//! by their distance from it, 0.5% of it wide, on each side: their bins then span only the
//! distances seen, however far from the centre those are.
//!
//! Bin counts are integers and every worker and shard uses the same frames, so merging is
//! exact and independent of order.

use serde::{Deserialize, Serialize};

use super::bins::Bins;
use super::distinct::Distinct;
use super::frame::{Frame, CENTRAL_BINS};
use super::mapping::Mapping;
use super::nearest_integer;

/// Distance from the centre, in central bin widths, where the tail bins begin.
pub(super) const TAIL_START: f64 = CENTRAL_BINS as f64 + 0.5;

/// A sketch of one metric's values over trials.
#[derive(Clone, Serialize, Deserialize)]
pub struct QuantileSketch {
    frame: Frame,
    min: f64,
    max: f64,
    /// How many values equal `min` and `max`: a quantile whose rank falls among them is exact.
    at_min: u64,
    at_max: u64,
    /// The bins of every value; for a frame without spread, of the values above the centre.
    bins: Bins,
    /// For a frame without spread: values below the centre, by distance from it (boxed:
    /// eight bytes while empty).
    below: Option<Box<Bins>>,
    /// For a frame without spread: values exactly at the centre.
    at_centre: u64,
    /// The values themselves while there are few of them; `None` once there were too many.
    /// Boxed: eight bytes when given up, as it is for most cell-metrics.
    exact: Option<Box<Distinct>>,
}

impl Default for QuantileSketch {
    fn default() -> Self {
        Self::new(Frame::default())
    }
}

impl std::fmt::Debug for QuantileSketch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QuantileSketch")
            .field("frame", &self.frame)
            .field("count", &self.total())
            .field("min", &self.min)
            .field("max", &self.max)
            .finish()
    }
}

impl QuantileSketch {
    /// An empty sketch binned in `frame`.
    pub fn new(frame: Frame) -> Self {
        let mut bins = Bins::default();
        if frame.has_spread() {
            // The central bins at once, with a few tail bins: the trials of a run rarely
            // reach further, so the store does not grow as more trials run.
            bins.reserve(-CENTRAL_BINS - 8, CENTRAL_BINS + 8);
        }
        Self {
            frame,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            at_min: 0,
            at_max: 0,
            bins,
            below: None,
            at_centre: 0,
            exact: Some(Box::default()),
        }
    }

    /// The frame the sketch bins in.
    pub fn frame(&self) -> Frame {
        self.frame
    }

    /// Key of the bin of `x`, for a frame with spread.
    #[inline]
    pub(super) fn key(&self, x: f64) -> i32 {
        let t = self.frame.offset(x);
        if t.abs() <= TAIL_START {
            nearest_integer(t) as i32
        } else {
            tail_key(t)
        }
    }

    /// The value reported for every member of bin `key`, for a frame with spread.
    fn representative(&self, key: i32) -> f64 {
        let (centre, width) = (self.frame.centre(), self.frame.width());
        if key.abs() <= CENTRAL_BINS {
            return centre + f64::from(key) * width;
        }
        let beyond = key.abs() - CENTRAL_BINS - 1 + Mapping::key(1.0);
        let distance = TAIL_START * width * Mapping::representative(beyond);
        centre + f64::from(key.signum()) * distance
    }

    /// Records one value (not `NaN`).
    pub fn add(&mut self, x: f64) {
        self.add_slice(&[x]);
    }

    /// Records `x` (not `NaN`) `n` times.
    pub fn add_repeated(&mut self, x: f64, n: u64) {
        if let Some(key) = self.stage_repeated(x, n) {
            self.count_repeated(key, n);
        }
    }

    /// Records `x` (not `NaN`) `n` times but for the bins of a frame with spread, and returns
    /// the key those `n` are to be counted in by [`QuantileSketch::count_repeated`].
    #[inline]
    pub(super) fn stage_repeated(&mut self, x: f64, n: u64) -> Option<i32> {
        (self.min, self.at_min) = lowest((self.min, self.at_min), (x, n));
        (self.max, self.at_max) = highest((self.max, self.at_max), (x, n));
        if let Some(exact) = &mut self.exact {
            if !exact.add(x, n) {
                self.exact = None;
            }
        }
        if self.frame.has_spread() {
            return Some(self.key(x));
        }
        self.add_about_centre(x, n);
        None
    }

    /// Counts `n` values in the bin of `key`, staged by [`QuantileSketch::stage_repeated`].
    #[inline]
    pub(super) fn count_repeated(&mut self, key: i32, n: u64) {
        self.bins.add(key, n);
    }

    /// For a frame without spread: counts `x` `n` times at the centre, or in the bins of its
    /// side by its distance from the centre.
    fn add_about_centre(&mut self, x: f64, n: u64) {
        let d = x - self.frame.centre();
        if d > 0.0 {
            self.bins.add(Mapping::key(d), n);
        } else if d < 0.0 {
            self.below
                .get_or_insert_with(Box::default)
                .add(Mapping::key(-d), n);
        } else {
            self.at_centre += n;
        }
    }

    /// Records several values (none `NaN`).
    pub fn add_slice(&mut self, xs: &[f64]) {
        if self.add_all_but_bins(xs) {
            for &x in xs {
                let key = self.key(x);
                self.bins.increment(key);
            }
        }
    }

    /// Records the extremes and exact values of `xs` (none `NaN`), and, for a frame without
    /// spread, the values themselves; returns whether their bins, of a frame with spread,
    /// are still to be counted.
    #[inline]
    fn add_all_but_bins(&mut self, xs: &[f64]) -> bool {
        // Plain comparisons: `f64::min` also handles NaN, which never reaches here.
        let lo = xs
            .iter()
            .fold(f64::INFINITY, |m, &x| if x < m { x } else { m });
        let hi = xs
            .iter()
            .fold(f64::NEG_INFINITY, |m, &x| if x > m { x } else { m });
        let count = |v: f64| xs.iter().map(|&x| u64::from(x == v)).sum::<u64>();
        let runs = xs.iter().map(|&x| (x, 1));
        self.add_batch((lo, count(lo)), (hi, count(hi)), runs)
    }

    /// [`QuantileSketch::add_all_but_bins`] of a batch given as `runs` of one value `(x, n)`
    /// (none `NaN`, in trial order: a value may recur in a later run), whose lowest and
    /// highest values, with how often each occurs, are `lo` and `hi`.
    ///
    /// Each part is its own pass over `runs`, which are short and in the first-level cache.
    #[inline]
    pub(super) fn add_batch(
        &mut self,
        lo: (f64, u64),
        hi: (f64, u64),
        runs: impl Iterator<Item = (f64, u64)> + Clone,
    ) -> bool {
        (self.min, self.at_min) = lowest((self.min, self.at_min), lo);
        (self.max, self.at_max) = highest((self.max, self.at_max), hi);
        if let Some(set) = &mut self.exact {
            if !runs.clone().all(|(x, n)| set.add(x, n)) {
                self.exact = None;
            }
        }
        if self.frame.has_spread() {
            return true;
        }
        runs.for_each(|(x, n)| self.add_about_centre(x, n));
        false
    }

    /// Prefetches the box of the exact values' set, if kept (see [`super::prefetch`]).
    #[inline]
    pub(super) fn prefetch_exact(&self) {
        if let Some(exact) = &self.exact {
            super::prefetch::prefetch(std::slice::from_ref(exact.as_ref()));
        }
    }

    /// Prefetches the values of the exact values' set, if kept: its box should be in cache.
    #[inline]
    pub(super) fn prefetch_exact_values(&self) {
        if let Some(exact) = &self.exact {
            exact.prefetch();
        }
    }

    /// Prefetches the bins of `keys` (see [`Bins::prefetch`]).
    #[inline]
    pub(super) fn prefetch(&self, keys: &[i32]) {
        let lo = keys.iter().copied().min();
        let hi = keys.iter().copied().max();
        if let (Some(lo), Some(hi)) = (lo, hi) {
            self.bins.prefetch(lo, hi);
        }
    }

    /// Counts keys staged for a frame with spread (see [`QuantileSketch::add_batch`]).
    #[inline]
    pub(super) fn count_staged(&mut self, keys: impl Iterator<Item = i32>) {
        for key in keys {
            self.bins.increment(key);
        }
    }

    /// Adds another sketch's values; both must have the same frame (see
    /// [`QuantileSketch::frame`]), as every sketch of one cell-metric in a run has.
    pub fn merge(&mut self, other: &Self) {
        debug_assert_eq!(self.frame, other.frame, "sketches of one run share frames");
        self.bins.merge(&other.bins);
        if let Some(theirs) = &other.below {
            self.below.get_or_insert_with(Box::default).merge(theirs);
        }
        self.at_centre += other.at_centre;
        self.exact = match (self.exact.take(), &other.exact) {
            (Some(mut mine), Some(theirs)) => mine.merge(theirs).then_some(mine),
            _ => None,
        };
        (self.min, self.at_min) = lowest((self.min, self.at_min), (other.min, other.at_min));
        (self.max, self.at_max) = highest((self.max, self.at_max), (other.max, other.at_max));
    }

    /// Number of values recorded.
    fn total(&self) -> u64 {
        self.bins.total() + self.below_total() + self.at_centre
    }

    fn below_total(&self) -> u64 {
        self.below.as_ref().map_or(0, |b| b.total())
    }

    /// The smallest and largest values recorded, if any.
    pub fn extremes(&self) -> Option<(f64, f64)> {
        (self.min <= self.max).then_some((self.min, self.max))
    }

    /// The single value seen, when every value recorded was the same.
    pub fn constant(&self) -> Option<f64> {
        (self.min == self.max).then_some(self.min)
    }

    /// Whether every value recorded is kept exactly (at most [`DISTINCT`](super::DISTINCT) distinct values).
    pub fn is_exact(&self) -> bool {
        self.exact.is_some()
    }

    /// Estimated `q`-quantile, `q` in [0, 1] (rank ⌊q·(n−1)⌋); `NaN` when empty.
    pub fn quantile(&self, q: f64) -> f64 {
        let n = self.total();
        if n == 0 {
            return f64::NAN;
        }
        // The extremes are known exactly.
        if q <= 0.0 {
            return self.min;
        }
        if q >= 1.0 {
            return self.max;
        }
        let rank = (q * (n - 1) as f64) as u64;
        if let Some(x) = self.exact.as_ref().and_then(|e| e.value_at(rank)) {
            return x;
        }
        if rank < self.at_min {
            return self.min;
        }
        if rank >= n - self.at_max {
            return self.max;
        }
        let value = if self.frame.has_spread() {
            self.representative(self.bins.key_at(rank))
        } else {
            match self.about_centre(rank) {
                Some(x) => x,
                None => return self.frame.centre(),
            }
        };
        self.frame.snap(value).clamp(self.min, self.max)
    }

    /// For a frame without spread: the value reported for rank `rank`; `None` for a value at
    /// the centre.
    fn about_centre(&self, rank: u64) -> Option<f64> {
        let centre = self.frame.centre();
        let below = self.below_total();
        let (side, key) = if rank < below {
            let bins = self.below.as_ref().expect("values below the centre");
            (-1.0, bins.key_at(below - 1 - rank))
        } else if rank < below + self.at_centre {
            return None;
        } else {
            (1.0, self.bins.key_at(rank - below - self.at_centre))
        };
        Some(centre + side * Mapping::representative(key))
    }
}

/// The lower of two extremes with their counts, adding the counts where they are equal.
fn lowest(a: (f64, u64), b: (f64, u64)) -> (f64, u64) {
    if a.0 == b.0 {
        (a.0, a.1 + b.1)
    } else if b.0 < a.0 {
        b
    } else {
        a
    }
}

/// The higher of two extremes with their counts, adding the counts where they are equal.
fn highest(a: (f64, u64), b: (f64, u64)) -> (f64, u64) {
    let (x, n) = lowest((-a.0, a.1), (-b.0, b.1));
    (-x, n)
}

/// Key of a value `t` central bin widths from the centre, beyond the central bins.
#[cold]
fn tail_key(t: f64) -> i32 {
    let beyond = Mapping::key(t.abs() / TAIL_START) - Mapping::key(1.0);
    let key = CENTRAL_BINS + 1 + beyond;
    if t < 0.0 {
        -key
    } else {
        key
    }
}

#[cfg(test)]
mod tests {
    use super::super::mapping::TAIL_RELATIVE_ERROR;
    use super::*;

    fn exact_quantile(sorted: &[f64], q: f64) -> f64 {
        sorted[(q * (sorted.len() - 1) as f64) as usize]
    }

    /// A sketch of `xs`, framed on their own mean and sd as a pilot would.
    fn framed(xs: &[f64]) -> QuantileSketch {
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        let mut s = QuantileSketch::new(Frame::new(mean, sd));
        s.add_slice(xs);
        s
    }

    /// `n` values of a low-discrepancy sequence mapped through `f`.
    fn sample(n: usize, f: impl Fn(f64) -> f64) -> Vec<f64> {
        (1..=n)
            .map(|i| f((i as f64 * 0.618_033_988_749_895).fract()))
            .collect()
    }

    #[test]
    fn a_city_total_shows_its_spread_not_its_level() {
        // A million pupils ± 2,400: a relative sketch's error (0.5% = 5,000) would hide it.
        let xs = sample(10_000, |u| 1.14e6 + 2_400.0 * (u * 6.0 - 3.0));
        let s = framed(&xs);
        let sd = 2_400.0 * 3f64.sqrt();
        let mut sorted = xs.clone();
        sorted.sort_by(f64::total_cmp);
        for q in [0.05, 0.25, 0.5, 0.75, 0.95] {
            let (est, exact) = (s.quantile(q), exact_quantile(&sorted, q));
            assert!((est - exact).abs() <= 0.025 * sd, "q={q}: {est} vs {exact}");
        }
    }

    #[test]
    fn heavy_tails_are_within_their_stated_error() {
        // Squares: most values near 0, a long tail to 1e6.
        let xs = sample(20_000, |u| 1.0 + 1e6 * u.powi(4));
        let s = framed(&xs);
        let mut sorted = xs.clone();
        sorted.sort_by(f64::total_cmp);
        let frame = s.frame();
        for q in [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99] {
            let (est, exact) = (s.quantile(q), exact_quantile(&sorted, q));
            let distance = (exact - frame.centre()).abs();
            let tol = (frame.width() / 2.0).max(TAIL_RELATIVE_ERROR * distance * 1.01);
            assert!((est - exact).abs() <= tol, "q={q}: {est} vs {exact}");
        }
    }

    #[test]
    fn quantiles_stay_in_order_and_inside_the_extremes() {
        let xs = sample(5_000, |u| if u < 0.7 { 0.0 } else { 1e4 * (u - 0.7) });
        let s = framed(&xs);
        let qs: Vec<f64> = [0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0]
            .iter()
            .map(|&q| s.quantile(q))
            .collect();
        assert!(qs.windows(2).all(|w| w[0] <= w[1]), "{qs:?}");
        assert_eq!(qs[0], 0.0);
        // A point mass at the minimum is reported exactly.
        assert_eq!(s.quantile(0.5), 0.0);
        assert!(qs.iter().all(|&q| (0.0..=3e3).contains(&q)));
    }

    #[test]
    fn ranks_among_the_extremes_are_exact_and_the_others_within_half_a_bin() {
        // 30% zeros, then a spread: P25 is the min itself; P50 is not pulled onto it.
        let xs = sample(10_000, |u| {
            if u < 0.3 {
                0.0
            } else {
                0.2 + (u - 0.3) * 100.0
            }
        });
        let mut s = framed(&xs);
        s.exact = None;
        let mut sorted = xs.clone();
        sorted.sort_by(f64::total_cmp);
        assert_eq!(s.quantile(0.25), 0.0);
        let half_bin = s.frame().width() / 2.0;
        for q in [0.31, 0.5, 0.95] {
            let (est, exact) = (s.quantile(q), exact_quantile(&sorted, q));
            assert!(
                (est - exact).abs() <= half_bin * 1.000_001,
                "{q}: {est} vs {exact}"
            );
        }
    }

    #[test]
    fn few_distinct_values_are_reported_exactly() {
        let xs: Vec<f64> = (0..1000)
            .map(|i| 94_500.0 - 45.0 * f64::from(i % 7))
            .collect();
        let s = framed(&xs);
        assert!(s.is_exact());
        let mut sorted = xs.clone();
        sorted.sort_by(f64::total_cmp);
        for q in [0.05, 0.25, 0.5, 0.75, 0.95] {
            assert_eq!(s.quantile(q), exact_quantile(&sorted, q));
        }
        let many = framed(&sample(1000, |u| u));
        assert!(!many.is_exact());
    }

    #[test]
    fn a_constant_is_reported_exactly() {
        let mut s = QuantileSketch::default();
        (0..10).for_each(|_| s.add(1234.5678));
        assert_eq!(s.constant(), Some(1234.5678));
        assert_eq!(s.quantile(0.05), 1234.5678);
        assert_eq!(QuantileSketch::default().constant(), None);
        assert!(QuantileSketch::default().quantile(0.5).is_nan());
    }

    #[test]
    fn rare_values_beside_a_pilots_point_mass_take_few_bins() {
        // Shortfall 0 in the pilot; later 0.5% of trials short by 100 to 5,000 seats.
        let mut s = QuantileSketch::new(Frame::new(0.0, 0.0));
        let xs = sample(20_000, |u| {
            if u < 0.995 {
                0.0
            } else {
                100.0 + 1e6 * (u - 0.995)
            }
        });
        s.add_slice(&xs);
        s.exact = None;
        assert!(
            s.bins.counts().count() < 1_000,
            "{}",
            s.bins.counts().count()
        );
        let mut sorted = xs.clone();
        sorted.sort_by(f64::total_cmp);
        for q in [0.5, 0.995, 0.999] {
            let (est, exact) = (s.quantile(q), exact_quantile(&sorted, q));
            let tol = TAIL_RELATIVE_ERROR * exact * 1.01;
            assert!((est - exact).abs() <= tol, "{q}: {est} vs {exact}");
        }
        assert_eq!(s.quantile(0.5), 0.0);
        // Below a point mass too.
        let mut t = QuantileSketch::new(Frame::new(94_500.0, 0.0));
        t.add_slice(&[94_500.0, 94_500.0, 93_150.0, 91_800.0]);
        t.exact = None;
        assert_eq!(t.quantile(0.0), 91_800.0);
        assert!((t.quantile(0.34) - 93_150.0).abs() <= TAIL_RELATIVE_ERROR * 1_350.0);
        assert_eq!(t.quantile(0.9), 94_500.0);
    }

    #[test]
    fn an_unframed_sketch_is_relative_to_each_values_magnitude() {
        let xs = sample(20_000, |u| 1.0 + 1e6 * u * u);
        let mut s = QuantileSketch::default();
        xs.iter().for_each(|&x| s.add(x));
        s.exact = None; // the values are all distinct anyway
        let mut sorted = xs.clone();
        sorted.sort_by(f64::total_cmp);
        for q in [0.01, 0.05, 0.5, 0.95, 0.99] {
            let (est, exact) = (s.quantile(q), exact_quantile(&sorted, q));
            assert!(
                (est - exact).abs() <= TAIL_RELATIVE_ERROR * exact * 1.01,
                "q={q}: {est} vs {exact}"
            );
        }
    }

    #[test]
    fn adding_in_batches_equals_adding_one_by_one() {
        let xs: Vec<f64> = (0..300).map(|i| ((i * 37) % 101) as f64 - 20.0).collect();
        let frame = Frame::new(30.0, 29.0);
        let (mut a, mut b) = (QuantileSketch::new(frame), QuantileSketch::new(frame));
        xs.iter().for_each(|&x| a.add(x));
        xs.chunks(16).for_each(|c| b.add_slice(c));
        for q in [0.0, 0.05, 0.3, 0.5, 0.77, 0.95, 1.0] {
            assert_eq!(a.quantile(q).to_bits(), b.quantile(q).to_bits());
        }
        assert_eq!((a.total(), b.total()), (300, 300));
    }

    #[test]
    fn a_repeated_value_counts_as_that_many_values() {
        let frame = Frame::new(1.0, 2.0);
        let (mut a, mut b) = (QuantileSketch::new(frame), QuantileSketch::new(frame));
        a.add_slice(&[3.0, 3.0, 3.0, 0.0, -2.0, -2.0]);
        b.add_repeated(3.0, 3);
        b.add_repeated(0.0, 1);
        b.add_repeated(-2.0, 2);
        for q in [0.0, 0.2, 0.5, 0.7, 1.0] {
            assert_eq!(a.quantile(q).to_bits(), b.quantile(q).to_bits());
        }
    }

    #[test]
    fn bins_past_65536_values_count_exactly_through_merges_and_storage() {
        let frame = Frame::new(5.0, 2.0);
        let mut a = QuantileSketch::new(frame);
        a.add_repeated(5.0, (1 << 16) - 3);
        a.add_slice(&[5.0; 10]); // carries into `top` by increments
        a.add_slice(&[9.0; 300]);
        a.add_repeated(1.0, 3 << 20);
        (0..40).for_each(|i| a.add(20.0 + f64::from(i))); // too many values to keep exactly
        assert!(!a.is_exact());
        let mut b = QuantileSketch::new(frame);
        b.add_repeated(5.0, 1 << 17);
        b.merge(&a);
        assert_eq!(b.total(), a.total() + (1 << 17));
        let stored = serde_json::to_string(&b).unwrap();
        let back: QuantileSketch = serde_json::from_str(&stored).unwrap();
        assert_eq!(back.total(), b.total());
        // Ranks: 3·2²⁰ ones, then 2¹⁷ + 2¹⁶ + 7 fives, then 300 nines, then 40 more.
        let n = b.total() as f64 - 1.0;
        for (rank, value) in [
            (3u64 << 20, 5.0),
            (b.total() - 341, 5.0),
            (b.total() - 340, 9.0),
        ] {
            let q = (rank as f64 + 0.5) / n;
            let got = back.quantile(q);
            assert!((got - value).abs() <= 0.05, "{rank}: {got}");
        }
    }

    #[test]
    fn merge_order_does_not_change_quantiles() {
        let xs: Vec<f64> = (0..5000)
            .map(|i| ((i * 7919) % 5003) as f64 + 0.5)
            .collect();
        let frame = Frame::new(2500.0, 1400.0);
        let mut whole = QuantileSketch::new(frame);
        xs.iter().for_each(|&x| whole.add(x));
        let (mut a, mut b) = (QuantileSketch::new(frame), QuantileSketch::new(frame));
        xs[..1234].iter().for_each(|&x| a.add(x));
        xs[1234..].iter().for_each(|&x| b.add(x));
        b.merge(&a);
        for q in [0.05, 0.5, 0.95] {
            assert_eq!(b.quantile(q).to_bits(), whole.quantile(q).to_bits());
        }
    }

    #[test]
    fn stores_grow_both_ways_and_merge_into_empty_ones() {
        let frame = Frame::new(10.0, 1.0);
        let mut a = QuantileSketch::new(frame);
        for x in [100.0, 1e-3, 1e7, -2.0, -3e5] {
            a.add(x);
        }
        let mut b = QuantileSketch::new(frame);
        b.merge(&a);
        for q in [0.0, 0.25, 0.5, 0.75, 1.0] {
            assert_eq!(a.quantile(q).to_bits(), b.quantile(q).to_bits());
        }
    }

    #[test]
    fn tail_keys_continue_the_central_ones_in_order() {
        let s = QuantileSketch::new(Frame::new(0.0, 20.0)); // bins 1 wide
        let ts = [-1e6, -150.0, -100.6, -100.0, 0.0, 100.0, 100.6, 150.0, 1e6];
        let keys: Vec<i32> = ts.iter().map(|&t| s.key(t)).collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "{keys:?}");
        for &t in &ts {
            let r = s.representative(s.key(t));
            assert!((r - t).abs() <= 0.5_f64.max(TAIL_RELATIVE_ERROR * t.abs() * 1.01));
        }
    }
}
