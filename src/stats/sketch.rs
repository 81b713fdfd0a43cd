//! Mergeable quantile sketch with a bounded relative error (DDSketch).
//!
//! Every reported quantile is within [`SKETCH_RELATIVE_ERROR`] (0.5%) of a value whose rank is
//! the requested one (rank ⌊q·(n−1)⌋ of the sorted trials). Bin counts are integers, so merging
//! is exact and independent of order. Estimates are clamped to the observed [min, max], which
//! makes a constant metric come out exactly; P0 and P100 are the exact min and max.
//!
//! This is DDSketch (Masson, Rim & Lee, VLDB 2019) with the *cubically interpolated* index
//! mapping of Datadog's own implementations (sketches-java, sketches-go): a value's bin is read
//! from its binary exponent and a cubic in its mantissa instead of a `ln`. A run adds every
//! metric of every cell of every trial (≈ 8,000 values per trial for a city), so the `ln` was
//! the largest single cost of the statistics; the cubic needs about 1% more bins for the same
//! accuracy (see [`Mapping`]).

use serde::{Deserialize, Serialize};

use super::nearest_integer;

/// Relative accuracy α of every quantile estimate.
pub const SKETCH_RELATIVE_ERROR: f64 = 0.005;
/// Magnitudes below this are counted as exactly zero.
const MIN_MAGNITUDE: f64 = 1e-9;
/// Bins added beyond the one needed when a store grows, so that a drifting metric does not
/// reallocate on every new extreme.
const GROWTH_SLACK: usize = 32;

/// The index mapping: `key(v) = ⌊M · (e + P(s))⌋` for `v = 2^e · (1 + s)`, `s ∈ [0, 1)`.
///
/// `P(s) = A s³ + B s² + C s` interpolates `log₂(1 + s)` with `P(0) = 0`, `P(1) = 1`, so
/// `f(v) = e + P(s)` is continuous and increasing. Its slope against `log₂ v` is
/// `P′(s)(1 + s) ln 2 = (18s³ − 24s² + 8s + 50)/35 · ln 2 ≥ (10/7) ln 2` (minimum at `s = 0` and
/// `s = 2/3`), so a bin of width `1/M` in `f` spans at most `1/(M (10/7) ln 2)` in `log₂ v`.
/// With `M ≥ 0.7 / ln γ` a bin spans at most a factor `γ = (1 + α)/(1 − α)`, and its
/// representative `2·lo·hi/(lo + hi)` is within `α` of every value in it.
struct Mapping;

impl Mapping {
    const A: f64 = 6.0 / 35.0;
    const B: f64 = -3.0 / 5.0;
    const C: f64 = 10.0 / 7.0;
    /// `M`: 70 bins per octave, just above `0.7 / ln γ = 69.998` for α = 0.5%; the margin
    /// covers the rounding of `f` and of its inverse.
    const M: f64 = 70.0;

    /// `f(v)` for a positive, normal `v`.
    #[inline]
    fn approx_log2(v: f64) -> f64 {
        const MANTISSA: u64 = (1 << 52) - 1;
        let bits = v.to_bits();
        let exponent = ((bits >> 52) & 0x7ff) as i64 - 1023;
        let s = f64::from_bits((bits & MANTISSA) | 1.0f64.to_bits()) - 1.0;
        exponent as f64 + ((Self::A * s + Self::B) * s + Self::C) * s
    }

    /// Key of a positive value of at least [`MIN_MAGNITUDE`].
    #[inline]
    fn key(v: f64) -> i32 {
        floor_to_i32(Self::approx_log2(v) * Self::M)
    }

    /// The `v` with `f(v) = y`: `e = ⌊y⌋`, then `P(s) = y − e` by bisection (P is increasing).
    fn inverse(y: f64) -> f64 {
        let e = y.floor();
        let target = y - e;
        let (mut lo, mut hi) = (0.0f64, 1.0f64);
        for _ in 0..64 {
            let mid = 0.5 * (lo + hi);
            if ((Self::A * mid + Self::B) * mid + Self::C) * mid < target {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        (1.0 + 0.5 * (lo + hi)) * e.exp2()
    }

    /// The value reported for every member of bin `key`.
    fn representative(key: i32) -> f64 {
        let lo = Self::inverse(f64::from(key) / Self::M);
        let hi = Self::inverse(f64::from(key + 1) / Self::M);
        2.0 * lo * hi / (lo + hi)
    }
}

/// `⌊x⌋` for |x| < 2³¹ (keys of finite values stay within ±2¹⁷).
#[inline]
fn floor_to_i32(x: f64) -> i32 {
    let nearest = nearest_integer(x);
    (nearest - i64::from(nearest as f64 > x)) as i32
}

/// Counts of consecutive keys: key `offset + i` was seen `256 · high[i] + low[i]` times.
///
/// A city's sketches hold ≈ 1.5 million bins, far more than a core's cache, and counting a
/// value is a visit to a random one of them. Split this way, counting touches one byte per
/// bin (`high` only once in 256 counts), and a worker's bytes (≈ 1.5 MB) stay in its L2
/// cache; with 8-byte counts, every count was a trip to memory. A bin holds at most 2⁴⁰
/// values. Stored (serde) as plain counts.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(from = "StoredBins", into = "StoredBins")]
struct Bins {
    offset: i32,
    low: Vec<u8>,
    high: Vec<u32>,
}

/// [`Bins`] as stored: one count per key.
#[derive(Serialize, Deserialize)]
struct StoredBins {
    offset: i32,
    counts: Vec<u64>,
}

impl From<Bins> for StoredBins {
    fn from(b: Bins) -> Self {
        let counts = (0..b.low.len()).map(|i| b.count(i)).collect();
        Self {
            offset: b.offset,
            counts,
        }
    }
}

impl From<StoredBins> for Bins {
    fn from(s: StoredBins) -> Self {
        let mut b = Bins {
            offset: s.offset,
            low: vec![0; s.counts.len()],
            high: vec![0; s.counts.len()],
        };
        for (i, &n) in s.counts.iter().enumerate() {
            b.set_count(i, n);
        }
        b
    }
}

impl Bins {
    fn count(&self, i: usize) -> u64 {
        u64::from(self.high[i]) << 8 | u64::from(self.low[i])
    }

    fn set_count(&mut self, i: usize, n: u64) {
        self.low[i] = n as u8;
        self.high[i] = u32::try_from(n >> 8).expect("a sketch bin holds at most 2^40 values");
    }

    /// Adds `n` to the count of `key`.
    fn add(&mut self, key: i32, n: u64) {
        let i = self.index(key);
        self.set_count(i, self.count(i) + n);
    }

    /// Position of `key`, growing the range to it if needed.
    fn index(&mut self, key: i32) -> usize {
        let i = key.wrapping_sub(self.offset) as u32 as usize;
        if i < self.low.len() {
            i
        } else {
            self.grow_to(key)
        }
    }

    /// Adds one to the count of each of `keys`: the range is extended once, then the
    /// increments run back to back, so that their cache misses overlap.
    fn add_keys(&mut self, keys: &[i32]) {
        let (Some(&lo), Some(&hi)) = (keys.iter().min(), keys.iter().max()) else {
            return;
        };
        self.index(lo);
        self.index(hi);
        for &k in keys {
            let i = (k - self.offset) as usize;
            self.low[i] = self.low[i].wrapping_add(1);
            if self.low[i] == 0 {
                self.high[i] = self.high[i]
                    .checked_add(1)
                    .expect("a sketch bin holds at most 2^40 values");
            }
        }
    }

    /// Extends the range to `key`, with slack on that side, and returns its position.
    #[cold]
    fn grow_to(&mut self, key: i32) -> usize {
        let slack = GROWTH_SLACK as i32;
        if self.low.is_empty() {
            self.offset = key - slack / 2;
            self.low.resize(GROWTH_SLACK, 0);
            self.high.resize(GROWTH_SLACK, 0);
        } else if key < self.offset {
            let new_offset = key - slack;
            let extra = (self.offset - new_offset) as usize;
            self.low.splice(0..0, std::iter::repeat_n(0, extra));
            self.high.splice(0..0, std::iter::repeat_n(0, extra));
            self.offset = new_offset;
        } else {
            let end = (key - self.offset + 1 + slack) as usize;
            self.low.resize(end, 0);
            self.high.resize(end, 0);
        }
        (key - self.offset) as usize
    }

    fn merge(&mut self, other: &Self) {
        for i in 0..other.low.len() {
            let n = other.count(i);
            if n > 0 {
                self.add(other.offset + i as i32, n);
            }
        }
    }

    fn total(&self) -> u64 {
        (0..self.low.len()).map(|i| self.count(i)).sum()
    }

    /// Key of the value of rank `rank` (0-based, ascending keys).
    fn key_at(&self, rank: u64) -> i32 {
        let mut seen = 0;
        for i in 0..self.low.len() {
            seen += self.count(i);
            if seen > rank {
                return self.offset + i as i32;
            }
        }
        unreachable!("rank {rank} is below the count {seen}")
    }
}

/// A DDSketch of one metric's values over trials.
///
/// The extremes come first: every value updates them, the bins are counted in batches (see
/// [`MetricStats`](super::MetricStats)).
#[derive(Clone, Serialize, Deserialize)]
#[repr(C)]
pub struct QuantileSketch {
    min: f64,
    max: f64,
    zeros: u64,
    positive: Bins,
    /// Keys of `−x` for the negative values.
    negative: Bins,
}

impl Default for QuantileSketch {
    fn default() -> Self {
        Self {
            positive: Bins::default(),
            negative: Bins::default(),
            zeros: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }
}

impl std::fmt::Debug for QuantileSketch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QuantileSketch")
            .field("count", &self.total())
            .field("min", &self.min)
            .field("max", &self.max)
            .finish()
    }
}

/// A value noted by [`QuantileSketch::note`] whose bin is yet to be counted.
///
/// Noting and counting are apart so that a run can note each trial's values as the trial ends,
/// in cell order, and count them a batch of trials at a time, sketch by sketch: a city's bins
/// (≈ 1.5 million) are far larger than a cache, and counting one sketch's batch together keeps
/// its bins in cache and lets the misses overlap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pending(i32);

impl Pending {
    /// Nothing to count: the value was undefined.
    pub const NONE: Pending = Pending(i32::MIN);
    /// A zero (magnitude below [`MIN_MAGNITUDE`]).
    const ZERO: Pending = Pending(i32::MIN + 1);
    /// Keys of negative values are held shifted down by this, below every positive key
    /// (keys of finite values stay within ±2¹⁷).
    const NEGATIVE_SHIFT: i32 = 1 << 28;
}

impl QuantileSketch {
    /// Records one value (not `NaN`).
    pub fn add(&mut self, x: f64) {
        let pending = self.note(x);
        self.count(std::iter::once(pending));
    }

    /// First half of recording `x` (not `NaN`): notes its extremes and returns its bin, for
    /// [`QuantileSketch::count`].
    #[inline]
    pub fn note(&mut self, x: f64) -> Pending {
        self.note_extremes(x);
        if x > MIN_MAGNITUDE {
            Pending(Mapping::key(x))
        } else if x < -MIN_MAGNITUDE {
            Pending(Mapping::key(-x) - Pending::NEGATIVE_SHIFT)
        } else {
            Pending::ZERO
        }
    }

    /// Second half of recording values: counts their bins.
    pub fn count(&mut self, pending: impl Iterator<Item = Pending>) {
        const RUN: usize = 64;
        let mut keys = [0i32; RUN];
        let mut n = 0;
        for Pending(p) in pending {
            if p >= -(Pending::NEGATIVE_SHIFT / 2) {
                keys[n] = p;
                n += 1;
                if n == RUN {
                    self.positive.add_keys(&keys);
                    n = 0;
                }
            } else if p > Pending::ZERO.0 {
                self.negative.add(p + Pending::NEGATIVE_SHIFT, 1);
            } else if p == Pending::ZERO.0 {
                self.zeros += 1;
            }
        }
        self.positive.add_keys(&keys[..n]);
    }

    #[inline]
    fn note_extremes(&mut self, x: f64) {
        // Plain comparisons: `f64::min` also handles NaN, which never reaches here.
        if x < self.min {
            self.min = x;
        }
        if x > self.max {
            self.max = x;
        }
    }

    /// Adds another sketch's values.
    pub fn merge(&mut self, other: &Self) {
        self.positive.merge(&other.positive);
        self.negative.merge(&other.negative);
        self.zeros += other.zeros;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// Number of values recorded.
    fn total(&self) -> u64 {
        self.positive.total() + self.negative.total() + self.zeros
    }

    /// The single value seen, when every value recorded was the same.
    pub fn constant(&self) -> Option<f64> {
        (self.min == self.max).then_some(self.min)
    }

    /// Estimated `q`-quantile, `q` in [0, 1]; `NaN` when empty.
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
        let negatives = self.negative.total();
        let v = if rank < negatives {
            let key = self.negative.key_at(negatives - 1 - rank);
            -Mapping::representative(key)
        } else if rank < negatives + self.zeros {
            0.0
        } else {
            let key = self.positive.key_at(rank - negatives - self.zeros);
            Mapping::representative(key)
        };
        v.clamp(self.min, self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact_quantile(sorted: &[f64], q: f64) -> f64 {
        sorted[(q * (sorted.len() - 1) as f64) as usize]
    }

    #[test]
    fn every_bin_is_within_the_stated_relative_error() {
        let gamma = (1.0 + SKETCH_RELATIVE_ERROR) / (1.0 - SKETCH_RELATIVE_ERROR);
        assert!(Mapping::M >= 0.7 / gamma.ln());
        // Sweep 18 decades finely: each value's bin representative is within α of it.
        let mut v = MIN_MAGNITUDE;
        while v < 1e9 {
            let r = Mapping::representative(Mapping::key(v));
            assert!(
                (r - v).abs() <= SKETCH_RELATIVE_ERROR * v,
                "{v} reported as {r}"
            );
            v *= 1.000_37;
        }
    }

    #[test]
    fn keys_increase_with_the_value_across_octaves() {
        let vs = [0.99, 1.0, 1.5, 1.999_999, 2.0, 3.0, 1e6];
        for w in vs.windows(2) {
            assert!(Mapping::key(w[0]) <= Mapping::key(w[1]));
        }
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
        assert!((s.quantile(1.0 / 6.0) + 1.0).abs() <= SKETCH_RELATIVE_ERROR);
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
    fn noting_then_counting_in_batches_equals_adding_one_by_one() {
        let xs: Vec<f64> = (0..300).map(|i| ((i * 37) % 101) as f64 - 20.0).collect();
        let (mut a, mut b) = (QuantileSketch::default(), QuantileSketch::default());
        xs.iter().for_each(|&x| a.add(x));
        let mut pending: Vec<Pending> = xs.iter().map(|&x| b.note(x)).collect();
        pending.push(Pending::NONE);
        b.count(pending.into_iter());
        for q in [0.0, 0.05, 0.3, 0.5, 0.77, 0.95, 1.0] {
            assert_eq!(a.quantile(q).to_bits(), b.quantile(q).to_bits());
        }
        assert_eq!((a.total(), b.total()), (300, 300));
    }

    #[test]
    fn counts_carry_past_a_byte_and_survive_storage() {
        let mut s = QuantileSketch::default();
        let pending: Vec<Pending> = (0..1000).map(|i| s.note(f64::from(i % 3))).collect();
        s.count(pending.into_iter());
        assert_eq!(s.total(), 1000);
        assert!((s.quantile(0.5) - 1.0).abs() <= SKETCH_RELATIVE_ERROR);
        let stored = serde_json::to_string(&s).unwrap();
        let back: QuantileSketch = serde_json::from_str(&stored).unwrap();
        assert_eq!(back.total(), 1000);
        for q in [0.2, 0.5, 0.9] {
            assert_eq!(back.quantile(q).to_bits(), s.quantile(q).to_bits());
        }
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

    #[test]
    fn stores_grow_both_ways_and_merge_into_empty_ones() {
        let mut a = QuantileSketch::default();
        for x in [100.0, 1e-3, 1e7, -2.0, -3e5] {
            a.add(x);
        }
        let mut b = QuantileSketch::default();
        b.merge(&a);
        for q in [0.0, 0.25, 0.5, 0.75, 1.0] {
            assert_eq!(a.quantile(q).to_bits(), b.quantile(q).to_bits());
        }
        assert!((a.quantile(0.5) - 1e-3).abs() <= SKETCH_RELATIVE_ERROR * 1e-3);
    }
}
