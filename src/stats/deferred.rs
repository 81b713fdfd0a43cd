//! Cell-metrics that have taken one value in every trial so far, held aside as that value
//! and a count rather than recorded round after round.
//!
//! Of a city's ≈ 11,600 cell-metrics about 3,100 never move over a run: a metric its stage
//! does not have (`NaN` in every trial), the base year, a share that stays 0. Recording them
//! cost a visit to their statistics each round — the moments, extremes, exact values and a
//! bin, cache misses all — for nothing new. Held here they cost a comparison of their values.
//! A cell-metric whose value changes is first recorded with the count it held, then
//! recorded as it comes, so its statistics see the same values in the same order of first
//! appearance (the exact values' set and the bins' growth keep that order): their state is
//! what recording every round would have left. The count must be recorded
//! ([`Deferred::flush`]) before the statistics are read.

use super::MetricStats;

/// The count of a cell-metric whose values have differed: it is recorded as it comes.
const LIVE: u64 = u64::MAX;

/// Per cell-metric of a run of consecutive statistics: the one value seen so far and in how
/// many trials, none yet recorded.
#[derive(Debug, Clone, Default)]
pub struct Deferred {
    held: Vec<Held>,
}

/// One cell-metric's value held so far: `(bits of the value, trials)`; 0 trials: nothing
/// seen yet; [`LIVE`]: recorded as it comes.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Held(u64, u64);

impl Deferred {
    /// The holds of the first `n` cell-metrics.
    pub(super) fn first(&mut self, n: usize) -> &mut [Held] {
        if self.held.len() < n {
            self.held.resize(n, Held::default());
        }
        &mut self.held[..n]
    }

    /// Records in `stats` (those [`Deferred::first`] was for, by the same numbers) every
    /// value still held, and forgets it.
    pub fn flush(&mut self, stats: &mut [MetricStats]) {
        for (s, held) in stats.iter_mut().zip(&self.held) {
            if held.1 != LIVE {
                record(s, *held);
            }
        }
        self.held.clear();
    }
}

impl Held {
    /// Holds `column` — the cell-metric's values in a batch of trials (at least one) — if
    /// it repeats the value held so far (or is the first batch and repeats one value), and
    /// returns `true`; otherwise first records in `stats` what was held and returns `false`,
    /// the batch to be recorded by the caller.
    #[inline]
    pub(super) fn hold(&mut self, column: &[f64], stats: &mut MetricStats) -> bool {
        let Held(bits, count) = *self;
        if count == LIVE {
            return false;
        }
        let first = column[0].to_bits();
        // Folded without a branch, into vector instructions.
        let same = column
            .iter()
            .fold(true, |same, x| same & (x.to_bits() == first));
        if same && (count == 0 || first == bits) {
            *self = Held(first, count + column.len() as u64);
            return true;
        }
        record(stats, *self);
        self.1 = LIVE;
        false
    }
}

/// Records the value held as many times as it was held (nothing for `NaN`, "undefined", or
/// no trial), as [`MetricStats::add_defined`] records a batch that repeats one value.
fn record(stats: &mut MetricStats, Held(bits, count): Held) {
    let x = f64::from_bits(bits);
    if count > 0 && !x.is_nan() {
        stats.moments.add_repeated(x, count);
        stats.sketch.add_repeated(x, count);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::{Frame, Staging};

    /// The statistics of four cell-metrics over `rows` (`[trial × 4]`), added in batches of
    /// `batch` trials, with or without holding.
    fn stats(rows: &[f64], batch: usize, deferred: Option<&mut Deferred>) -> Vec<MetricStats> {
        let frame = Frame::new(10.0, 2.0);
        let mut stats = vec![MetricStats::new(frame); 4];
        let mut st = Staging::default();
        match deferred {
            Some(d) => {
                for rows in rows.chunks(batch * 4) {
                    MetricStats::add_block(&mut stats, rows, 4, 0, &mut st, Some(&mut *d));
                }
                d.flush(&mut stats);
            }
            None => {
                for rows in rows.chunks(batch * 4) {
                    MetricStats::add_block(&mut stats, rows, 4, 0, &mut st, None);
                }
            }
        }
        stats
    }

    #[test]
    fn holding_leaves_the_state_of_recording_every_batch() {
        let nan = f64::NAN;
        // Columns: constant throughout; undefined throughout; constant, then another value
        // in the third batch; constant with -0.0 against 0.0, then varying.
        let mut rows = Vec::new();
        for t in 0..40 {
            let late = if t < 17 { 7.0 } else { 12.5 };
            let signed = match t {
                0..=9 => 0.0,
                10..=19 => -0.0,
                _ => f64::from(t % 5),
            };
            rows.extend([3.0, nan, late, signed]);
        }
        for batch in [1, 4, 8, 40] {
            let plain = stats(&rows, batch, None);
            let held = stats(&rows, batch, Some(&mut Deferred::default()));
            for (a, b) in plain.iter().zip(&held) {
                let (a, b) = (state_of(a), state_of(b));
                assert_eq!(a, b, "batch {batch}");
            }
        }
    }

    /// The state of `s`, as a shard file stores it.
    fn state_of(s: &MetricStats) -> String {
        serde_json::to_string(s).expect("statistics serialize")
    }
}
