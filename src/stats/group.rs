//! Adding a batch of trials to a group of consecutive cell-metrics, in vector lanes across
//! the cell-metrics.
//!
//! A run adds ≈ 11,600 values per trial, one to each cell-metric, a round's block of trials
//! at a time. Vectorised over one cell-metric's 32 trials, each cell-metric paid for a column
//! of its own (the block transposed), horizontal sums and several short passes — about a
//! third of a run. Here one pass over the trials, reading each trial's row where it lies,
//! works on eight cell-metrics in each vector instruction (the defined count, the moments'
//! lane sums, the extremes with their counts, whether the batch repeated one value, the
//! central sketch keys), and each cell-metric is left a short scalar finish. The sketches'
//! bins, far more than a core's cache holds, are counted only after the whole group is
//! staged, so that the cache misses of many sketches are in flight together rather than one
//! sketch at a time.

use super::moments::{fixed_point, LaneSums, LANE_CHUNK};
use super::prefetch::prefetch;
use super::sketch::TAIL_START;
use super::{nearest_integer, MetricStats, EXACT_RANGE, GROUP};

/// Cell-metrics one vector instruction covers: eight `f64` in an AVX-512 register.
const LANES: usize = 8;

/// Most trials of one pass: the group's staged keys (16 KB) stay in the first-level cache.
const TRIALS: usize = 64;
const _: () = assert!(
    TRIALS <= LANE_CHUNK,
    "lane sums are exact for LANE_CHUNK values"
);

/// How many cell-metrics ahead the finish prefetches an exact values' set.
const EXACT_AHEAD: usize = 8;

/// The key staged for an undefined value (`NaN`): not counted.
const UNDEFINED: i32 = i32::MIN;

/// Sketch keys staged by [`MetricStats::add_block`] before they are counted; reused.
#[derive(Debug, Clone, Default)]
pub struct Staging {
    /// Central keys, `[trial][cell-metric in the group]`.
    keys: Vec<i32>,
    /// `(cell-metric in the group, whether some of its keys are UNDEFINED)` of the
    /// cell-metrics whose keys are to be counted.
    staged: Vec<(usize, bool)>,
    /// `(cell-metric in the group, key, count)` of the batches that repeat one value.
    repeats: Vec<(usize, i32, u64)>,
}

/// What one pass over a batch of trials found in eight consecutive cell-metrics.
struct Eight {
    /// Trials that defined the value (not `NaN`).
    defined: [u64; LANES],
    /// Whether every defined value was within ±[`EXACT_RANGE`] (the sums are then exact).
    within: [bool; LANES],
    /// Whether every trial had the bits of the first.
    same: [bool; LANES],
    /// Whether some value lies beyond the central bins (its staged key is then wrong).
    tail: [bool; LANES],
    sums: [LaneSums; LANES],
    /// The lowest and highest defined values, with how often each occurs.
    lo: [(f64, u64); LANES],
    hi: [(f64, u64); LANES],
}

/// The centres and central bins per unit of eight cell-metrics' frames.
struct Frames {
    centre: [f64; LANES],
    per_width: [f64; LANES],
}

impl Frames {
    fn of(stats: &[MetricStats]) -> Self {
        let mut f = Frames {
            centre: [0.0; LANES],
            per_width: [0.0; LANES],
        };
        for (l, s) in stats.iter().enumerate() {
            let frame = s.frame();
            (f.centre[l], f.per_width[l]) = (frame.centre(), frame.per_width());
        }
        f
    }
}

impl MetricStats {
    /// Records a block of trials in consecutive cell-metrics: `rows` holds the trials, `width`
    /// values each, and `stats[k]` takes each trial's value number `first + k` (`NaN`
    /// skipped), [`GROUP`] cell-metrics at a time. The state is that of adding each
    /// cell-metric's values one at a time in trial order.
    pub fn add_block(
        stats: &mut [MetricStats],
        rows: &[f64],
        width: usize,
        first: usize,
        st: &mut Staging,
    ) {
        let end = first + stats.len();
        for g in 0..stats.len().div_ceil(GROUP) {
            // The next group's values, a short run in each trial's row, are put in flight
            // while this group is added: a round's block is larger than a core's cache.
            let next = (first + (g + 1) * GROUP).min(end)..(first + (g + 2) * GROUP).min(end);
            for row in rows.chunks_exact(width) {
                prefetch(&row[next.clone()]);
            }
            let (done, ahead) = stats.split_at_mut(((g + 1) * GROUP).min(stats.len()));
            let group = &mut done[g * GROUP..];
            for (b, batch) in rows.chunks(TRIALS * width).enumerate() {
                // The next group's statistics are fetched along the first batch.
                let ahead = if b == 0 {
                    &ahead[..GROUP.min(ahead.len())]
                } else {
                    &[]
                };
                Self::add_rows(group, ahead, batch, width, first + g * GROUP, st);
            }
        }
    }

    /// Records a batch of at most [`TRIALS`] trials (see [`MetricStats::add_block`]) in a
    /// group of at most [`GROUP`] cell-metrics, putting `ahead`, the next group, in flight.
    fn add_rows(
        stats: &mut [MetricStats],
        ahead: &[MetricStats],
        rows: &[f64],
        width: usize,
        first: usize,
        st: &mut Staging,
    ) {
        let trials = rows.len() / width;
        st.keys.clear();
        st.keys.resize(trials * GROUP, 0);
        st.staged.clear();
        st.repeats.clear();
        // The exact values' sets live apart, a box and its values: their misses are put in
        // flight ahead of use, the boxes of the whole group first, each set's values a few
        // cell-metrics ahead (the box then in cache).
        stats.iter().for_each(|s| s.sketch.prefetch_exact());
        for s in stats.iter().take(EXACT_AHEAD) {
            s.sketch.prefetch_exact_values();
        }
        let end = first + stats.len();
        for lane0 in (0..stats.len()).step_by(LANES) {
            let n = (stats.len() - lane0).min(LANES);
            let frames = Frames::of(&stats[lane0..lane0 + n]);
            let at = first + lane0;
            // The next eight cell-metrics' values, a cache line in each trial's row, and eight
            // of the next group's statistics (which all at once would crowd out the rows).
            let next = (at + LANES).min(end)..(at + 2 * LANES).min(end);
            for row in rows.chunks_exact(width) {
                prefetch(&row[next.clone()]);
            }
            prefetch(
                ahead
                    .get(lane0..(lane0 + LANES).min(ahead.len()))
                    .unwrap_or(&[]),
            );
            let keys = &mut st.keys[lane0..];
            // Two copies of the pass: whole vectors straight from the rows, and the
            // group's last few cell-metrics padded.
            let eight = if n == LANES {
                pass(rows, width, &frames, keys, |row| {
                    row[at..at + LANES].try_into().expect("eight values")
                })
            } else {
                pass(rows, width, &frames, keys, |row| {
                    let mut xs = [0.0; LANES];
                    xs[..n].copy_from_slice(&row[at..at + n]);
                    xs
                })
            };
            for l in 0..n {
                let k = lane0 + l;
                if let Some(ahead) = stats.get(k + EXACT_AHEAD) {
                    ahead.sketch.prefetch_exact_values();
                }
                let column = rows.chunks_exact(width).map(|row| row[at + l]);
                stats[k].finish(&eight, l, column, (k, trials), st);
            }
        }
        for &(k, undefined) in &st.staged {
            let keys = st.keys.iter().skip(k).step_by(GROUP).copied();
            let sketch = &mut stats[k].sketch;
            if undefined {
                sketch.count_staged(keys.filter(|&key| key != UNDEFINED));
            } else {
                sketch.count_staged(keys);
            }
        }
        for &(k, key, n) in &st.repeats {
            stats[k].sketch.count_repeated(key, n);
        }
    }

    /// Adds lane `l` of `eight`, the values `column` of `trials` trials (in trial order,
    /// `NaN` for undefined), to the moments, extremes and exact values, and stages its bins'
    /// keys (number `k` of the group in `st`) with a prefetch of their bins.
    #[inline]
    fn finish(
        &mut self,
        eight: &Eight,
        l: usize,
        column: impl Iterator<Item = f64> + Clone,
        (k, trials): (usize, usize),
        st: &mut Staging,
    ) {
        let n = eight.defined[l];
        if n == 0 {
            return;
        }
        // A batch that repeats one value — a cell-metric no trial of the batch moved, such as
        // capacity before any project can open or a large-class share of 0 — costs one value.
        if eight.same[l] {
            let x = column.clone().next().expect("a defined value");
            self.moments.add_repeated(x, n);
            if let Some(key) = self.sketch.stage_repeated(x, n) {
                self.sketch.prefetch(&[key]);
                st.repeats.push((k, key, n));
            }
            return;
        }
        let defined = column.clone().filter(|x| !x.is_nan());
        if eight.within[l] {
            self.moments.add_sums(&eight.sums[l], n);
        } else {
            self.moments.add_slice(&defined.clone().collect::<Vec<_>>());
        }
        let (lo, hi) = (eight.lo[l], eight.hi[l]);
        if !self.sketch.add_batch(lo, hi, defined.map(|x| (x, 1))) {
            return;
        }
        if eight.tail[l] {
            let keys = st.keys.iter_mut().skip(k).step_by(GROUP);
            for (key, x) in keys.zip(column.clone()) {
                if !x.is_nan() {
                    *key = self.sketch.key(x);
                }
            }
        }
        // Keys grow with the value: the extremes' keys bound the batch's.
        self.sketch
            .prefetch(&[self.sketch.key(lo.0), self.sketch.key(hi.0)]);
        st.staged.push((k, n < trials as u64));
    }
}

/// One pass over `rows` (trials of `width` values) for eight consecutive cell-metrics, each
/// trial's eight values given by `load`: [`Eight`], and each value's central key (or
/// [`UNDEFINED`]) staged in `keys`, `[trial][cell-metric]` with [`GROUP`] per trial.
///
/// Written lane by lane over fixed arrays, without a branch, so that the compiler keeps the
/// eight lanes of each running figure in one vector register.
#[inline(always)]
fn pass(
    rows: &[f64],
    width: usize,
    frames: &Frames,
    keys: &mut [i32],
    load: impl Fn(&[f64]) -> [f64; LANES],
) -> Eight {
    let mut defined = [0u64; LANES];
    let (mut within, mut same, mut tail) = ([true; LANES], [true; LANES], [false; LANES]);
    let (mut sum, mut hh, mut hl, mut ll) = ([0i64; LANES], [0; LANES], [0; LANES], [0; LANES]);
    let (mut lo, mut at_lo) = ([f64::INFINITY; LANES], [0u64; LANES]);
    let (mut hi, mut at_hi) = ([f64::NEG_INFINITY; LANES], [0u64; LANES]);
    let rows = rows.chunks_exact(width);
    let firsts = rows.clone().next().map_or([0.0; LANES], &load);
    for (row, keys) in rows.zip(keys.chunks_mut(GROUP)) {
        let xs = load(row);
        let keys = &mut keys[..LANES];
        for l in 0..LANES {
            let x = xs[l];
            let nan = x.is_nan();
            // An undefined value adds 0 to the sums; the comparisons below leave it out.
            let v = if nan { 0.0 } else { x };
            defined[l] += u64::from(!nan);
            within[l] &= v.abs() <= EXACT_RANGE;
            let (q, h, low) = fixed_point(v);
            sum[l] += q;
            hh[l] += h * h;
            hl[l] += h * low;
            ll[l] += low * low;
            // The count restarts where a value passes the running extreme, so it ends as
            // the count of the final one; the first of equal extremes (0 or −0) is kept.
            at_lo[l] = if x < lo[l] {
                1
            } else {
                at_lo[l] + u64::from(x == lo[l])
            };
            lo[l] = if x < lo[l] { x } else { lo[l] };
            at_hi[l] = if x > hi[l] {
                1
            } else {
                at_hi[l] + u64::from(x == hi[l])
            };
            hi[l] = if x > hi[l] { x } else { hi[l] };
            same[l] &= x.to_bits() == firsts[l].to_bits();
            let t = (x - frames.centre[l]) * frames.per_width[l];
            tail[l] |= t.abs() > TAIL_START;
            let key = nearest_integer(t.clamp(-TAIL_START, TAIL_START)) as i32;
            keys[l] = if nan { UNDEFINED } else { key };
        }
    }
    Eight {
        defined,
        within,
        same,
        tail,
        sums: std::array::from_fn(|l| LaneSums {
            sum: sum[l],
            hh: hh[l],
            hl: hl[l],
            ll: ll[l],
        }),
        lo: std::array::from_fn(|l| (lo[l], at_lo[l])),
        hi: std::array::from_fn(|l| (hi[l], at_hi[l])),
    }
}

#[cfg(test)]
mod tests {
    use super::super::Frame;
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// The values of cell-metric `k` in trial `t`: each kind of cell-metric a run meets.
    fn value(k: usize, t: usize, rng: &mut Xoshiro256PlusPlus) -> f64 {
        let u: f64 = rng.random();
        let centre = 1_000.0 * k as f64;
        match k % 12 {
            0 | 1 => centre + 30.0 * (u - 0.5),
            // Undefined in some trials, or in all.
            2 if u < 0.3 => f64::NAN,
            2 => centre + u,
            3 => f64::NAN,
            // One value repeated, −0 and 0 among the extremes.
            4 => 7.25,
            5 => [0.0, -0.0, 3.0][t % 3],
            // Beyond the exact range in one trial.
            6 if t == 5 => 3e9,
            6 => -u,
            // In the tails of the frame.
            7 if t % 4 == 0 => centre + 1e4 * (u - 0.5),
            7 => centre + u,
            // Few distinct values: kept exactly, or more than DISTINCT part-way through.
            8 => (t % 5) as f64,
            9 => ((t + k) % 23) as f64,
            // A frame without spread: mostly at its centre, now and then beside it; or two
            // values about it, the higher first.
            10 if u < 0.8 => centre,
            10 => centre + 50.0 * (u - 0.3),
            _ if t % 3 == 1 => centre - 4.0,
            _ => centre + 2.0,
        }
    }

    /// Statistics of `n` cell-metrics framed as a pilot would (without spread for 10, 11).
    fn framed(n: usize) -> Vec<MetricStats> {
        (0..n)
            .map(|k| {
                let centre = 1_000.0 * k as f64;
                let sd = if k % 12 >= 10 { 0.0 } else { 10.0 };
                MetricStats::new(Frame::new(centre, sd))
            })
            .collect()
    }

    fn state(stats: &[MetricStats]) -> Vec<u8> {
        postcard::to_stdvec(stats).expect("serialisable")
    }

    #[test]
    fn a_group_gets_the_state_of_one_value_at_a_time() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(24);
        // A row wider than the groups; a share of a whole group and a shorter last one, a
        // share shorter than a group, and a single cell-metric.
        let width: usize = 110;
        for (first, n) in [(3, 100), (70, 37), (0, 1)] {
            let mut grouped = framed(n);
            let mut one_by_one = framed(n);
            let mut st = Staging::default();
            // Blocks of a round, one shorter, and one longer than a pass.
            for trials in [32, 7, 100] {
                let rows: Vec<f64> = (0..trials * width)
                    .map(|i| value((i % width + width - first) % width, i / width, &mut rng))
                    .collect();
                MetricStats::add_block(&mut grouped, &rows, width, first, &mut st);
                for (k, s) in one_by_one.iter_mut().enumerate() {
                    rows.chunks(width).for_each(|row| s.add(row[first + k]));
                }
                assert_eq!(state(&grouped), state(&one_by_one), "first {first}, n {n}");
            }
            for (g, o) in grouped.iter().zip(&one_by_one) {
                assert_eq!(g.summary(), o.summary());
            }
            let kinds = grouped.iter().map(|s| (s.sketch.is_exact(), s.count() > 0));
            if n > GROUP {
                // The cases the values were made for did occur.
                assert!(kinds.clone().any(|(exact, _)| exact));
                assert!(kinds.clone().any(|(exact, _)| !exact));
                assert!(kinds.clone().any(|(_, defined)| !defined));
                assert!(grouped.iter().any(|s| s.out_of_range().is_some()));
            }
        }
    }
}
