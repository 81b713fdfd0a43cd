//! Integer bin counts of consecutive keys, two bytes a bin: the store behind every sketch.

use serde::{Deserialize, Serialize};

/// Bins added beyond the one needed when a store grows past the range it was first given,
/// so that a store grows a few times at most as trials reach further into the tails.
const GROWTH_SLACK: usize = 16;

/// Counts of consecutive keys: key `offset + i` was seen `low[i] + 2⁸ · mid[i] + 2¹⁶ · t`
/// times, where `t` is the entry of that key in `top` (0 if none).
///
/// A city's sketches hold ≈ 1.5 million bins, far more than a core's cache, and counting a
/// value is a visit to a random one of them. Split this way, counting touches one byte per
/// bin (`mid` only once in 256 counts), so a worker's hot bytes stay in its L2 cache; and a
/// bin takes two bytes, because only bins holding 65,536 values or more — a handful, even at
/// millions of trials — need a `top` entry. Stored (serde) as plain counts.
#[derive(Debug, Clone, Default)]
pub(super) struct Bins {
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
    pub(super) fn counts(&self) -> impl Iterator<Item = (i32, u64)> + '_ {
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
    pub(super) fn add(&mut self, key: i32, n: u64) {
        let i = self.index(key);
        // A batch of one repeated value, as most of a run's additions of `n` are, fits in
        // the two bytes.
        let small = u64::from(self.mid[i]) << 8 | u64::from(self.low[i]);
        if self.top.is_none() && small + n < 1 << 16 {
            let new = small + n;
            (self.low[i], self.mid[i]) = (new as u8, (new >> 8) as u8);
            return;
        }
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

    /// Prefetches the low bytes of the bins from `lo` to `hi` (see [`super::prefetch`]), so
    /// that the misses of many sketches are in flight together before their keys are counted.
    #[inline]
    pub(super) fn prefetch(&self, lo: i32, hi: i32) {
        let first = (lo.wrapping_sub(self.offset) as u32 as usize).min(self.low.len());
        let last = (hi.wrapping_sub(self.offset) as u32 as usize).min(self.low.len());
        if let Some(bins) = self.low.get(first..=last.max(first)) {
            super::prefetch::prefetch(bins);
        }
    }

    /// Adds one to the count of `key`.
    #[inline]
    pub(super) fn increment(&mut self, key: i32) {
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
        if !self.low.is_empty() {
            let at = (old.0 - first) as usize;
            low[at..at + self.low.len()].copy_from_slice(&self.low);
            mid[at..at + self.mid.len()].copy_from_slice(&self.mid);
        }
        (self.offset, self.low, self.mid) = (first, low.into(), mid.into());
        (key - self.offset) as usize
    }

    /// Gives an empty store the keys `first..=last` at once, so that values inside that range
    /// never make it grow.
    pub(super) fn reserve(&mut self, first: i32, last: i32) {
        debug_assert!(self.low.is_empty() && first <= last);
        let len = (last - first + 1) as usize;
        (self.offset, self.low, self.mid) = (first, vec![0; len].into(), vec![0; len].into());
    }

    /// Adds another store's counts to this one.
    pub(super) fn merge(&mut self, other: &Self) {
        for (key, n) in other.counts() {
            if n > 0 {
                self.add(key, n);
            }
        }
    }

    /// Number of values counted.
    pub(super) fn total(&self) -> u64 {
        let sum = |bytes: &[u8]| bytes.iter().map(|&b| u64::from(b)).sum::<u64>();
        let top: u64 = self.top.iter().flat_map(|t| t.iter()).map(|(_, t)| t).sum();
        sum(&self.low) + (sum(&self.mid) << 8) + (top << 16)
    }

    /// Key of the value of rank `rank` (0-based, ascending keys).
    pub(super) fn key_at(&self, rank: u64) -> i32 {
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
