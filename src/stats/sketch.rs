//! Mergeable quantile sketch with a bounded relative error (DDSketch).
//!
//! Every reported quantile is within [`SKETCH_RELATIVE_ERROR`] (0.5%) of a value whose rank is
//! the requested one (rank ⌊q·(n−1)⌋ of the sorted trials). Bin counts are integers, so merging
//! is exact and independent of order. Estimates are clamped to the observed [min, max], which
//! makes a constant metric come out exactly; P0 and P100 are the exact min and max.
//!
//! This is DDSketch (Masson, Rim & Lee, VLDB 2019) with a logarithmic index mapping read
//! from a table instead of computed with a `ln`: a run bins every metric of every cell of every
//! trial (≈ 8,000 values per trial for a city), and the `ln` was the largest single cost of the
//! statistics. Bins are as wide as α allows (about 70 per octave), which keeps a city's bins
//! few enough for a core's cache (see [`Mapping`]).

use serde::{Deserialize, Serialize};

/// Relative accuracy α of every quantile estimate.
pub const SKETCH_RELATIVE_ERROR: f64 = 0.005;
/// Magnitudes below this are counted as exactly zero.
const MIN_MAGNITUDE: f64 = 1e-9;
/// Bins added beyond the one needed when a store grows. Large enough that a cell's store is
/// sized once for the range its values take, so memory stays flat as trials reach further
/// into the tails (+13% from 2k to 100k trials; +18% with 32) and the per-trial loop does not
/// reallocate on new extremes.
const GROWTH_SLACK: usize = 256;

/// The index mapping: the key of `v > 0` is its binary exponent times
/// [`Mapping::PER_OCTAVE`] plus its bin within the octave.
///
/// The top 12 bits of the mantissa cut an octave `[2^e, 2^(e+1))` into 4,096 slices of equal
/// width. A table built at compile time groups consecutive slices into bins, each as wide as it
/// can be while its upper edge stays within a factor `γ = (1 + α)/(1 − α)` of its lower edge:
/// its representative `2·lo·hi/(lo + hi)` is then within `(hi − lo)/(hi + lo) ≤ α` of every
/// value in it. A logarithmic mapping needs `log₂ 2 / log₂ γ = 69.3` bins per octave; the
/// table has [`Mapping::PER_OCTAVE`].
struct Mapping;

/// Slices per octave: `2^FINE_BITS`.
const FINE_BITS: u32 = 12;
const FINE: usize = 1 << FINE_BITS;

/// The table of [`Mapping`]: the bin of each slice, the first slice of each bin (the last
/// entry in use is `FINE`), and the number of bins.
struct Table {
    bin_of_slice: [u8; FINE],
    first_slice: [u16; 256],
    bins: usize,
}

impl Table {
    const fn build() -> Table {
        // γ shrunk by one part in 10¹² so that rounding in the representative cannot push it
        // past α.
        let alpha = SKETCH_RELATIVE_ERROR;
        let gamma = (1.0 + alpha) / (1.0 - alpha) * (1.0 - 1e-12);
        let mut t = Table {
            bin_of_slice: [0; FINE],
            first_slice: [0; 256],
            bins: 0,
        };
        let mut start = 0;
        while start < FINE {
            // Slice `i` spans [1 + i/FINE, 1 + (i+1)/FINE) times 2^e.
            let mut end = start + 1;
            while end < FINE && (FINE + end + 1) as f64 / (FINE + start) as f64 <= gamma {
                end += 1;
            }
            let mut i = start;
            while i < end {
                t.bin_of_slice[i] = t.bins as u8;
                i += 1;
            }
            t.first_slice[t.bins] = start as u16;
            t.bins += 1;
            start = end;
        }
        t.first_slice[t.bins] = FINE as u16;
        t
    }
}

impl Mapping {
    const TABLE: Table = Table::build();
    /// Bins per octave.
    const PER_OCTAVE: i32 = Self::TABLE.bins as i32;

    /// Key of a positive value (at least [`MIN_MAGNITUDE`], so normal).
    #[inline]
    fn key(v: f64) -> i32 {
        let bits = v.to_bits();
        let exponent = (bits >> 52) as i32; // biased, below 2¹¹: keys stay below 2¹⁸
        let slice = (bits >> (52 - FINE_BITS)) as usize & (FINE - 1);
        exponent * Self::PER_OCTAVE + i32::from(Self::TABLE.bin_of_slice[slice])
    }

    /// The value reported for every member of bin `key`.
    fn representative(key: i32) -> f64 {
        let (exponent, bin) = (key / Self::PER_OCTAVE, key % Self::PER_OCTAVE);
        let edge = |slice: u16| {
            let bits = ((exponent as u64) << 52) + ((slice as u64) << (52 - FINE_BITS));
            f64::from_bits(bits) // slice FINE carries into the next octave: 2^(e+1)
        };
        let lo = edge(Self::TABLE.first_slice[bin as usize]);
        let hi = edge(Self::TABLE.first_slice[bin as usize + 1]);
        2.0 * lo * hi / (lo + hi)
    }
}

/// Counts of consecutive keys: key `offset + i` was seen `low[i] + 2⁸ · mid[i] + 2¹⁶ · t`
/// times, where `t` is the entry of that key in `top` (0 if none).
///
/// A city's sketches hold ≈ 1.5 million bins, far more than a core's cache, and counting a
/// value is a visit to a random one of them. Split this way, counting touches one byte per
/// bin (`mid` only once in 256 counts), so a worker's hot bytes stay in its L2 cache; and a
/// bin takes two bytes, because only bins holding 65,536 values or more — a handful, even at
/// millions of trials — need a `top` entry. Stored (serde) as plain counts.
#[derive(Debug, Clone, Default)]
struct Bins {
    offset: i32,
    // Boxed slices rather than vectors, and `top` boxed: a cell-metric's statistics then fit
    // in two cache lines.
    low: Box<[u8]>,
    mid: Box<[u8]>,
    /// `(key, count >> 16)` of the bins holding 2¹⁶ values or more, by key. Boxed: eight
    /// bytes while empty, as it nearly always is, where a vector takes twenty-four.
    #[allow(clippy::box_collection)]
    top: Option<Box<Vec<(i32, u64)>>>,
}

/// [`Bins`] as stored: one count per key.
#[derive(Serialize, Deserialize)]
struct StoredBins {
    offset: i32,
    counts: Vec<u64>,
}

impl Serialize for Bins {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let counts = self.counts().map(|(_, n)| n).collect();
        StoredBins {
            offset: self.offset,
            counts,
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Bins {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = StoredBins::deserialize(deserializer)?;
        let mut b = Bins {
            offset: s.offset,
            low: vec![0; s.counts.len()].into(),
            mid: vec![0; s.counts.len()].into(),
            top: None,
        };
        for (i, &n) in s.counts.iter().enumerate() {
            b.set_count(i, n);
        }
        Ok(b)
    }
}

impl Bins {
    /// `(key, count)` of every bin, in key order.
    fn counts(&self) -> impl Iterator<Item = (i32, u64)> + '_ {
        let top = self.top.as_deref().map_or(&[][..], |t| t.as_slice());
        let mut next = top.iter().peekable();
        (0..self.low.len()).map(move |i| {
            let key = self.offset + i as i32;
            let mut n = u64::from(self.mid[i]) << 8 | u64::from(self.low[i]);
            if let Some((_, t)) = next.next_if(|&&(k, _)| k == key) {
                n += t << 16;
            }
            (key, n)
        })
    }

    /// Sets the count of position `i` to `n`.
    fn set_count(&mut self, i: usize, n: u64) {
        self.low[i] = n as u8;
        self.mid[i] = (n >> 8) as u8;
        let (key, t) = (self.offset + i as i32, n >> 16);
        if t == 0 && self.top.is_none() {
            return;
        }
        let top = self.top.get_or_insert_with(Box::default);
        match (top.binary_search_by_key(&key, |&(k, _)| k), t) {
            (Ok(at), 0) => {
                top.remove(at);
            }
            (Ok(at), t) => top[at].1 = t,
            (Err(_), 0) => {}
            (Err(at), t) => top.insert(at, (key, t)),
        }
        if top.is_empty() {
            self.top = None;
        }
    }

    /// Count of position `i`.
    fn count(&self, i: usize) -> u64 {
        let key = self.offset + i as i32;
        let top = self.top.as_deref().map_or(&[][..], |t| t.as_slice());
        let t = top
            .binary_search_by_key(&key, |&(k, _)| k)
            .map_or(0, |at| top[at].1);
        t << 16 | u64::from(self.mid[i]) << 8 | u64::from(self.low[i])
    }

    /// Adds `n` to the count of `key`.
    fn add(&mut self, key: i32, n: u64) {
        let i = self.index(key);
        self.set_count(i, self.count(i) + n);
    }

    /// Position of `key`, growing the range to it if needed.
    #[inline]
    fn index(&mut self, key: i32) -> usize {
        let i = key.wrapping_sub(self.offset) as u32 as usize;
        if i < self.low.len() {
            i
        } else {
            self.grow_to(key)
        }
    }

    /// Adds one to the count of `key`.
    #[inline]
    fn increment(&mut self, key: i32) {
        let i = self.index(key);
        let low = &mut self.low[i];
        *low = low.wrapping_add(1);
        if *low == 0 {
            let mid = &mut self.mid[i];
            *mid = mid.wrapping_add(1);
            if *mid == 0 {
                self.carry_to_top(i);
            }
        }
    }

    /// Adds 2¹⁶ to the count of position `i`, whose `low` and `mid` have just wrapped to 0.
    #[cold]
    fn carry_to_top(&mut self, i: usize) {
        let n = self.count(i);
        self.set_count(i, n + (1 << 16));
    }

    /// Extends the range to `key`, with slack on that side, and returns its position.
    #[cold]
    fn grow_to(&mut self, key: i32) -> usize {
        let slack = GROWTH_SLACK as i32;
        let old = (self.offset, self.offset + self.low.len() as i32 - 1);
        let (first, last) = match (self.low.is_empty(), key < self.offset) {
            (true, _) => (key - slack / 2, key + slack / 2),
            (false, true) => (key - slack, old.1),
            (false, false) => (old.0, key + slack),
        };
        let len = (last - first + 1) as usize;
        let (mut low, mut mid) = (vec![0; len], vec![0; len]);
        let at = (old.0 - first).max(0) as usize;
        low[at..at + self.low.len()].copy_from_slice(&self.low);
        mid[at..at + self.mid.len()].copy_from_slice(&self.mid);
        (self.offset, self.low, self.mid) = (first, low.into(), mid.into());
        (key - self.offset) as usize
    }

    fn merge(&mut self, other: &Self) {
        for (key, n) in other.counts() {
            if n > 0 {
                self.add(key, n);
            }
        }
    }

    fn total(&self) -> u64 {
        let sum = |bytes: &[u8]| bytes.iter().map(|&b| u64::from(b)).sum::<u64>();
        let top: u64 = self.top.iter().flat_map(|t| t.iter()).map(|(_, t)| t).sum();
        sum(&self.low) + (sum(&self.mid) << 8) + (top << 16)
    }

    /// Key of the value of rank `rank` (0-based, ascending keys).
    fn key_at(&self, rank: u64) -> i32 {
        let mut seen = 0;
        for (key, n) in self.counts() {
            seen += n;
            if seen > rank {
                return key;
            }
        }
        unreachable!("rank {rank} is below the count {seen}")
    }
}

/// A DDSketch of one metric's values over trials.
#[derive(Clone, Serialize, Deserialize)]
pub struct QuantileSketch {
    min: f64,
    max: f64,
    zeros: u64,
    positive: Bins,
    /// Keys of `−x` for the negative values, which no metric of seatsim has: boxed, it costs
    /// eight bytes while empty.
    negative: Option<Box<Bins>>,
}

impl Default for QuantileSketch {
    fn default() -> Self {
        Self {
            positive: Bins::default(),
            negative: None,
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

impl QuantileSketch {
    /// Records one value (not `NaN`).
    pub fn add(&mut self, x: f64) {
        self.add_all(std::iter::once(x));
    }

    /// Records `x` (not `NaN`) `n` times.
    pub fn add_repeated(&mut self, x: f64, n: u64) {
        self.min = self.min.min(x);
        self.max = self.max.max(x);
        if x > MIN_MAGNITUDE {
            self.positive.add(Mapping::key(x), n);
        } else if x < -MIN_MAGNITUDE {
            self.negative
                .get_or_insert_with(Box::default)
                .add(Mapping::key(-x), n);
        } else {
            self.zeros += n;
        }
    }

    /// Records several values (none `NaN`).
    pub fn add_all(&mut self, xs: impl Iterator<Item = f64>) {
        let mut positive = std::mem::take(&mut self.positive);
        self.classify(xs, |key| positive.increment(key));
        self.positive = positive;
    }

    /// Records the extremes, zeros and negatives of `xs` (none `NaN`), and appends the keys
    /// of its positive values to `keys`, for [`QuantileSketch::count_staged`].
    #[inline]
    pub(super) fn stage(&mut self, xs: impl Iterator<Item = f64>, keys: &mut Vec<i32>) {
        self.classify(xs, |key| keys.push(key));
    }

    /// Records the extremes, zeros and negatives of `xs` (none `NaN`), and hands the key of
    /// each positive value to `positive`.
    #[inline]
    fn classify(&mut self, xs: impl Iterator<Item = f64>, mut positive: impl FnMut(i32)) {
        let (mut min, mut max) = (self.min, self.max);
        for x in xs {
            // Plain comparisons: `f64::min` also handles NaN, which never reaches here.
            if x < min {
                min = x;
            }
            if x > max {
                max = x;
            }
            if x > MIN_MAGNITUDE {
                positive(Mapping::key(x));
            } else if x < -MIN_MAGNITUDE {
                self.negative
                    .get_or_insert_with(Box::default)
                    .increment(Mapping::key(-x));
            } else {
                self.zeros += 1;
            }
        }
        (self.min, self.max) = (min, max);
    }

    /// Counts positive values staged by [`QuantileSketch::stage`].
    #[inline]
    pub(super) fn count_staged(&mut self, keys: &[i32]) {
        for &key in keys {
            self.positive.increment(key);
        }
    }

    /// Adds another sketch's values.
    pub fn merge(&mut self, other: &Self) {
        self.positive.merge(&other.positive);
        if let Some(theirs) = &other.negative {
            self.negative.get_or_insert_with(Box::default).merge(theirs);
        }
        self.zeros += other.zeros;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    fn negatives(&self) -> u64 {
        self.negative.as_ref().map_or(0, |b| b.total())
    }

    /// Number of values recorded.
    fn total(&self) -> u64 {
        self.positive.total() + self.negatives() + self.zeros
    }

    /// The smallest and largest values recorded, if any.
    pub fn extremes(&self) -> Option<(f64, f64)> {
        (self.min <= self.max).then_some((self.min, self.max))
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
        let negatives = self.negatives();
        let v = if let Some(negative) = self.negative.as_ref().filter(|_| rank < negatives) {
            let key = negative.key_at(negatives - 1 - rank);
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
    fn bins_are_about_as_wide_as_the_accuracy_allows() {
        assert!(
            (70..=72).contains(&Mapping::PER_OCTAVE),
            "{}",
            Mapping::PER_OCTAVE
        );
    }

    #[test]
    fn every_bin_is_within_the_stated_relative_error() {
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
    fn adding_in_batches_equals_adding_one_by_one() {
        let xs: Vec<f64> = (0..300).map(|i| ((i * 37) % 101) as f64 - 20.0).collect();
        let (mut a, mut b) = (QuantileSketch::default(), QuantileSketch::default());
        xs.iter().for_each(|&x| a.add(x));
        xs.chunks(16).for_each(|c| b.add_all(c.iter().copied()));
        for q in [0.0, 0.05, 0.3, 0.5, 0.77, 0.95, 1.0] {
            assert_eq!(a.quantile(q).to_bits(), b.quantile(q).to_bits());
        }
        assert_eq!((a.total(), b.total()), (300, 300));
    }

    #[test]
    fn a_repeated_value_counts_as_that_many_values() {
        let (mut a, mut b) = (QuantileSketch::default(), QuantileSketch::default());
        a.add_all([3.0, 3.0, 3.0, 0.0, -2.0, -2.0].into_iter());
        b.add_repeated(3.0, 3);
        b.add_repeated(0.0, 1);
        b.add_repeated(-2.0, 2);
        for q in [0.0, 0.2, 0.5, 0.7, 1.0] {
            assert_eq!(a.quantile(q).to_bits(), b.quantile(q).to_bits());
        }
    }

    #[test]
    fn counts_carry_past_a_byte_and_survive_storage() {
        let mut s = QuantileSketch::default();
        s.add_all((0..1000).map(|i| f64::from(i % 3)));
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
    fn bins_past_65536_values_count_exactly_through_merges_and_storage() {
        let mut a = QuantileSketch::default();
        a.add_repeated(5.0, (1 << 16) - 3);
        a.add_all(std::iter::repeat_n(5.0, 10)); // carries into `top` by increments
        a.add_all(std::iter::repeat_n(9.0, 300));
        a.add_repeated(1.0, 3 << 20);
        assert_eq!(a.total(), (1 << 16) + 7 + 300 + (3 << 20));
        let mut b = QuantileSketch::default();
        b.add_repeated(5.0, 1 << 17);
        b.merge(&a);
        assert_eq!(b.total(), a.total() + (1 << 17));
        let stored = serde_json::to_string(&b).unwrap();
        let back: QuantileSketch = serde_json::from_str(&stored).unwrap();
        assert_eq!(back.total(), b.total());
        // Ranks: 3·2²⁰ ones, then 2¹⁷ + 2¹⁶ + 7 fives, then 300 nines.
        let n = b.total() as f64 - 1.0;
        for (rank, value) in [
            (3u64 << 20, 5.0),
            (b.total() - 301, 5.0),
            (b.total() - 300, 9.0),
        ] {
            let q = (rank as f64 + 0.5) / n;
            let got = back.quantile(q);
            assert!(
                (got - value).abs() <= SKETCH_RELATIVE_ERROR * value,
                "{rank}: {got}"
            );
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
