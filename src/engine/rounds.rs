//! A Monte Carlo run in rounds: the workers first run a round's trials side by side into one
//! block of rows, then each adds the whole block to its own share of the cells' statistics.
//!
//! A run so holds one set of statistics whatever the number of workers — a nation's are a
//! gigabyte, and one copy per worker was most of its memory — and each cell-metric's
//! statistics are fetched once a round rather than once a trial. Statistics are exact and
//! independent of the order of their trials, so the result does not depend on the workers.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use super::accumulate::{Accumulator, RiskTally};
use super::keep::Keep;
use super::parallel::Cancelled;
use super::sensitivity::Sensitivity;
use super::trial::{Draws, Engine, Workspace};
use crate::stats::{Frame, Staging};

/// Most trials per round: each cache line of a sketch's bins fetched while a round is added
/// then counts many values (32 trials ran 3–5% faster than 16, 64 no faster than 32).
pub const ROUND_TRIALS: usize = 32;
/// Most bytes of a round's block: a city's 32 trials take ≈ 3 MB, a nation's ≈ 19 MB each,
/// so a nation's rounds are shorter.
pub const ROUND_BYTES: usize = 256 << 20;
/// Shares of the cells per worker: enough that a worker with cheaper cells takes another.
const SHARES_PER_WORKER: usize = 4;
/// How often progress is reported.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// Trials of one round of a run whose rows hold `width` values.
pub fn round_trials(width: usize, threads: usize) -> usize {
    let fits = ROUND_BYTES / (width.max(1) * std::mem::size_of::<f64>());
    fits.clamp(threads.max(1), ROUND_TRIALS.max(threads))
}

/// What a worker of [`run_rounds`] keeps of its trials besides the statistics.
struct Kept<P> {
    risk: RiskTally,
    sensitivity: Sensitivity,
    part: P,
}

/// Runs trials `range` under `seed` with sketches framed by `frames`, on `threads` workers,
/// handing every trial's values to `keep` too; returns the statistics and the workers'
/// parts of `keep`. `on_progress(done)` is called about ten times a second; setting `cancel`
/// stops the run after the round under way.
#[allow(clippy::too_many_arguments)]
pub fn run_rounds<K: Keep>(
    engine: &Engine,
    seed: u64,
    range: Range<u64>,
    frames: &[Frame],
    threads: usize,
    cancel: &AtomicBool,
    on_progress: &(dyn Fn(u64) + Sync),
    keep: &K,
) -> Result<(Accumulator, Vec<K::Part>), Cancelled> {
    let layout = engine.layout();
    let width = layout.n_values();
    let mut acc = Accumulator::new(layout, frames);
    let kept = (0..threads.max(1))
        .map(|_| Kept {
            risk: RiskTally::new(layout),
            sensitivity: Sensitivity::new(layout),
            part: keep.part(),
        })
        .collect();
    let shares = threads.max(1) * SHARES_PER_WORKER;
    let mut staging = vec![Staging::default(); shares];
    let standards = &engine.scenario().standards;
    let kept = in_rounds(
        engine,
        seed,
        range,
        threads,
        (cancel, on_progress),
        kept,
        |k, trial, ws, values| {
            k.risk.count(values, standards);
            k.sensitivity.add(&ws.drivers, values);
            keep.keep(&mut k.part, trial, values);
        },
        |block| {
            acc.shares(shares)
                .into_par_iter()
                .zip(staging.par_iter_mut())
                .for_each(|(mut share, st)| share.add(block, width, st));
            acc.count_trials((block.len() / width) as u64);
        },
    )?;
    let mut parts = Vec::with_capacity(kept.len());
    for k in kept {
        acc.add_risks(&k.risk);
        acc.merge_sensitivity(&k.sensitivity);
        parts.push(k.part);
    }
    Ok((acc, parts))
}

/// Cancellation flag and progress callback of a run.
pub type Control<'a> = (&'a AtomicBool, &'a (dyn Fn(u64) + Sync));

/// Runs trials `range` under `seed` in rounds on `threads` workers, each with its state
/// from `states`: every trial's workspace and values go to `after_trial(state, trial, ws,
/// values)`, and each
/// round's block of rows (`[trial][cell × metric]`) to `add_block`, called on the pool so that
/// it may add the block in parallel. Returns the workers' states.
#[allow(clippy::too_many_arguments)]
pub fn in_rounds<W: Send>(
    engine: &Engine,
    seed: u64,
    range: Range<u64>,
    threads: usize,
    (cancel, on_progress): Control<'_>,
    states: Vec<W>,
    after_trial: impl Fn(&mut W, u64, &Workspace, &[f64]) + Sync,
    mut add_block: impl FnMut(&[f64]) + Send,
) -> Result<Vec<W>, Cancelled> {
    let threads = threads.max(1);
    let width = engine.layout().n_values();
    let round = round_trials(width, threads);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool can be built");
    let mut workers: Vec<_> = states
        .into_iter()
        .map(|w| (engine.workspace(), w))
        .collect();
    let mut rows = vec![0.0; round * width];
    let mut reported = Instant::now();
    let mut start = range.start;
    pool.install(|| {
        while start < range.end {
            if cancel.load(Ordering::Relaxed) {
                return Err(Cancelled);
            }
            let n = (range.end - start).min(round as u64) as usize;
            let block = &mut rows[..n * width];
            run_round(engine, seed, start, block, &mut workers, &after_trial);
            add_block(block);
            start += n as u64;
            if reported.elapsed() >= PROGRESS_EVERY {
                on_progress(start - range.start);
                reported = Instant::now();
            }
        }
        Ok(())
    })?;
    on_progress(range.end - range.start);
    Ok(workers.into_iter().map(|(_, w)| w).collect())
}

/// Runs the trials numbered from `first` into the rows of `block`, the workers each taking
/// consecutive rows (so a worker's trials reach `after_trial` in increasing order).
fn run_round<W: Send>(
    engine: &Engine,
    seed: u64,
    first: u64,
    block: &mut [f64],
    workers: &mut [(Workspace, W)],
    after_trial: &(impl Fn(&mut W, u64, &Workspace, &[f64]) + Sync),
) {
    let width = engine.layout().n_values();
    let n = block.len() / width;
    let per = n.div_ceil(workers.len());
    block
        .par_chunks_mut(per * width)
        .zip(workers.par_iter_mut())
        .enumerate()
        .for_each(|(k, (rows, (ws, w)))| {
            for (j, row) in rows.chunks_exact_mut(width).enumerate() {
                let trial = first + (k * per + j) as u64;
                engine.run_trial_into(Draws::Random { seed, trial }, ws, row);
                after_trial(w, trial, ws, row);
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_are_short_for_wide_rows_but_never_below_one_trial_per_worker() {
        assert_eq!(round_trials(10_000, 2), ROUND_TRIALS);
        assert_eq!(round_trials(2_350_000, 2), 14);
        assert_eq!(round_trials(usize::MAX / 16, 2), 2);
        assert_eq!(round_trials(10_000, 64), 64);
    }
}
