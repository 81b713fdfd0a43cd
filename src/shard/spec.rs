//! `--shard k/n`: which of `n` equal trial ranges a shard runs.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Part `k` of `n` of a run: trials `[(k−1)·T/n, k·T/n)` of its `T` trials (1 ≤ k ≤ n).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ShardSpec {
    k: u64,
    n: u64,
}

impl ShardSpec {
    /// Part `k` of `n`; refuses `k = 0` and `k > n`.
    pub fn new(k: u64, n: u64) -> Result<Self, String> {
        if k == 0 || k > n {
            return Err(format!("{k}/{n}: need 1 ≤ K ≤ N"));
        }
        Ok(Self { k, n })
    }

    /// The part number `k` (1-based).
    pub fn k(self) -> u64 {
        self.k
    }

    /// The number of parts `n`.
    pub fn n(self) -> u64 {
        self.n
    }

    /// This part's trials out of `total`; refuses more parts than trials.
    pub fn range(self, total: u64) -> Result<Range<u64>, String> {
        if self.n > total {
            return Err(format!(
                "{self}: {n} shards need at least {n} trials, the run has {total}",
                n = self.n
            ));
        }
        let at = |k: u64| (u128::from(k) * u128::from(total) / u128::from(self.n)) as u64;
        Ok(at(self.k - 1)..at(self.k))
    }
}

impl fmt::Display for ShardSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

impl FromStr for ShardSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("{s:?}: expected K/N, e.g. 2/8 for the second of eight parts");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let whole = |x: &str| x.trim().parse::<u64>().map_err(|_| bad());
        Self::new(whole(k)?, whole(n)?)
    }
}

impl TryFrom<String> for ShardSpec {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<ShardSpec> for String {
    fn from(s: ShardSpec) -> String {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_k_over_n_and_refuses_the_rest() {
        assert_eq!("2/8".parse(), Ok(ShardSpec { k: 2, n: 8 }));
        for bad in ["0/4", "5/4", "2", "a/4", "2/", "-1/4", "1/0"] {
            assert!(bad.parse::<ShardSpec>().is_err(), "{bad}");
        }
    }

    #[test]
    fn ranges_follow_the_formula() {
        let r = |k, n, t| ShardSpec::new(k, n).unwrap().range(t).unwrap();
        assert_eq!(r(1, 4, 203), 0..50);
        assert_eq!(r(2, 4, 203), 50..101);
        assert_eq!(r(4, 4, 203), 152..203);
        assert_eq!(r(1, 1, 7), 0..7);
        assert!(ShardSpec::new(1, 8).unwrap().range(7).is_err());
    }

    proptest! {
        #[test]
        fn the_parts_cover_every_trial_once(total in 1u64..100_000_000, n in 1u64..500) {
            prop_assume!(n <= total);
            let mut next = 0;
            for k in 1..=n {
                let r = ShardSpec::new(k, n).unwrap().range(total).unwrap();
                prop_assert_eq!(r.start, next);
                prop_assert!(r.end > r.start);
                next = r.end;
            }
            prop_assert_eq!(next, total);
        }
    }
}
