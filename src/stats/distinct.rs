//! The exact values of a cell-metric that takes few of them.
//!
//! Many metrics take a handful of values over all trials: capacity (whole classes, moved only
//! by which projects have opened), a share of large classes that is 0 in most trials, the
//! classes missing in a district with one school. Their quantiles are then reported exactly,
//! values that really occur, rather than a bin's centre. The set is given up, for good, once
//! it would hold more than [`DISTINCT`] values; whether it survives depends only on the values
//! of the whole run, not on how the trials were split, so merging stays exact.

use serde::{Deserialize, Serialize};

/// Most distinct values kept exactly.
pub const DISTINCT: usize = 16;

/// The distinct values seen and how often, while there are at most [`DISTINCT`] of them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct Distinct {
    values: Vec<(f64, u64)>,
}

impl Distinct {
    /// Counts `x` (not `NaN`) `n` times; `false` when that makes too many distinct values.
    #[inline]
    pub(super) fn add(&mut self, x: f64, n: u64) -> bool {
        // −0 and 0 are one value.
        let x = x + 0.0;
        // Runs of one value are common (a capacity no project has yet changed): the last
        // value added is looked at first.
        if let Some(last) = self.values.last_mut().filter(|(v, _)| *v == x) {
            last.1 += n;
            return true;
        }
        if let Some(slot) = self.values.iter_mut().find(|(v, _)| *v == x) {
            slot.1 += n;
            return true;
        }
        if self.values.len() == DISTINCT {
            return false;
        }
        self.values.push((x, n));
        true
    }

    /// Prefetches the values (see [`super::prefetch`]).
    #[inline]
    pub(super) fn prefetch(&self) {
        super::prefetch::prefetch(&self.values);
    }

    /// Adds another set's counts; `false` when the union has too many distinct values.
    pub(super) fn merge(&mut self, other: &Self) -> bool {
        other.values.iter().all(|&(x, n)| self.add(x, n))
    }

    /// The value of rank `rank` (0-based, ascending), if that many values were counted.
    pub(super) fn value_at(&self, rank: u64) -> Option<f64> {
        let mut sorted = self.values.clone();
        sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut seen = 0;
        sorted.into_iter().find_map(|(x, n)| {
            seen += n;
            (seen > rank).then_some(x)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_are_taken_over_the_sorted_values_with_their_counts() {
        let mut d = Distinct::default();
        for (x, n) in [(5.0, 2), (-1.0, 1), (3.0, 3), (5.0, 1)] {
            assert!(d.add(x, n));
        }
        let ranks: Vec<_> = (0..7).map(|r| d.value_at(r)).collect();
        let want = [-1.0, 3.0, 3.0, 3.0, 5.0, 5.0, 5.0].map(Some);
        assert_eq!(ranks, want[..7].to_vec());
        assert_eq!(d.value_at(7), None);
    }

    #[test]
    fn the_set_is_given_up_past_its_size_whatever_the_split() {
        let mut whole = Distinct::default();
        let all_fit = (0..=DISTINCT).all(|i| whole.add(i as f64, 1));
        assert!(!all_fit, "{} values cannot all be kept", DISTINCT + 1);
        let (mut a, mut b) = (Distinct::default(), Distinct::default());
        (0..DISTINCT / 2).for_each(|i| assert!(a.add(i as f64, 1)));
        (DISTINCT / 2..=DISTINCT).for_each(|i| assert!(b.add(i as f64, 1)));
        assert!(!a.merge(&b));
    }

    #[test]
    fn negative_zero_is_zero() {
        let mut d = Distinct::default();
        d.add(0.0, 1);
        d.add(-0.0, 1);
        assert_eq!(d.values.len(), 1);
    }
}
