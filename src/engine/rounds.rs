//! A Monte Carlo run in rounds: the workers run a round's trials into one block of rows and
//! add the whole block to the cells' statistics, a share of the cells a task, while the next
//! round's trials run into a second block.
//!
//! A run so holds one set of statistics whatever the number of workers — a nation's are a
//! gigabyte, and one copy per worker was most of its memory — and each cell-metric's
//! statistics are fetched once a round rather than once a trial. Statistics are exact and
//! independent of the order of their trials, so the result does not depend on the workers.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
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
/// Most bytes of the blocks of rows a run holds: a city's 32 trials take ≈ 3 MB, a nation's
/// ≈ 19 MB each, so a nation's rounds are shorter.
pub const ROUND_BYTES: usize = 256 << 20;
/// Blocks of rows a run holds: one being added while the trials of the next round run into
/// the other.
const BLOCKS: usize = 2;
/// Shares of the cells per worker: enough that a worker with cheaper cells takes another.
const SHARES_PER_WORKER: usize = 4;
/// How often progress is reported.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// Trials of one round of a run whose rows hold `width` values.
pub fn round_trials(width: usize, threads: usize) -> usize {
    let fits = ROUND_BYTES / BLOCKS / (width.max(1) * std::mem::size_of::<f64>());
    fits.clamp(threads.max(1), ROUND_TRIALS.max(threads))
}

/// Trials whose rows a run of `width` values holds at once: a round's in each block.
pub fn held_trials(width: usize, threads: usize) -> usize {
    BLOCKS * round_trials(width, threads)
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

/// Runs trials `range` under `seed` in rounds on `threads` workers, one state from `states`
/// per worker: every trial's workspace and values go to `after_trial(state, trial, ws,
/// values)`, and each round's block of rows (`[trial][cell × metric]`) to `add_block`,
/// called on the pool so that it may add the block in parallel. Returns the workers' states.
///
/// Rounds overlap: round k's block is added while round k + 1's trials run into the other
/// block, all of them tasks of one pool, so the workers meet once a round and a worker held
/// up in one kind of task is made up for by the other taking more of either kind.
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
    assert_eq!(states.len(), threads, "one state per worker");
    let width = engine.layout().n_values();
    let round = round_trials(width, threads);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool can be built");
    let trials = Trials {
        engine,
        seed,
        width,
        after_trial: &after_trial,
    };
    let mut workers: Vec<_> = states
        .into_iter()
        .map(|w| (engine.workspace(), w))
        .collect();
    let (mut ready, mut fresh) = (vec![0.0; round * width], vec![0.0; round * width]);
    let mut reported = Instant::now();
    let (mut next, mut added) = (range.start, range.start);
    pool.install(|| loop {
        let n = (range.end - next).min(round as u64) as usize;
        let waiting = ((next - added) as usize) * width;
        if n > 0 && cancel.load(Ordering::Relaxed) {
            return Err(Cancelled);
        }
        if n == 0 && waiting == 0 {
            return Ok(());
        }
        let block = &ready[..waiting];
        let rows = &mut fresh[..n * width];
        rayon::join(
            || (waiting > 0).then(|| add_block(block)),
            || trials.run(next, rows, &mut workers),
        );
        (added, next) = (next, next + n as u64);
        std::mem::swap(&mut ready, &mut fresh);
        if reported.elapsed() >= PROGRESS_EVERY {
            on_progress(added - range.start);
            reported = Instant::now();
        }
    })?;
    on_progress(range.end - range.start);
    Ok(workers.into_iter().map(|(_, w)| w).collect())
}

/// What runs a round's trials: the engine, the run's seed, its row width and what is done
/// with each trial.
struct Trials<'a, F> {
    engine: &'a Engine,
    seed: u64,
    width: usize,
    after_trial: &'a F,
}

impl<F> Trials<'_, F> {
    /// Runs the trials numbered from `first` into the rows of `block`, one task a trial.
    ///
    /// A task claims the next trial and a free worker's state together, so a state's trials
    /// reach `after_trial` in increasing order (`--keep-trials` merges its workers' files
    /// on it). A task runs no other task, so no more than the pool's threads run at once and
    /// a state is always free.
    fn run<W: Send>(&self, first: u64, block: &mut [f64], workers: &mut Vec<(Workspace, W)>)
    where
        F: Fn(&mut W, u64, &Workspace, &[f64]) + Sync,
    {
        let n = block.len() / self.width;
        let claims = Mutex::new((block.chunks_exact_mut(self.width).zip(first..), workers));
        (0..n).into_par_iter().for_each(|_| {
            let (row, trial, mut worker) = {
                let mut claims = claims.lock().expect("no task panics");
                let (row, trial) = claims.0.next().expect("a task per trial");
                let worker = claims.1.pop().expect("a state per running task");
                (row, trial, worker)
            };
            let (ws, w) = &mut worker;
            let draws = Draws::Random {
                seed: self.seed,
                trial,
            };
            self.engine.run_trial_into(draws, ws, row);
            (self.after_trial)(w, trial, ws, row);
            claims.lock().expect("no task panics").1.push(worker);
        });
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicU64;

    use super::*;
    use crate::engine::pilot::engine_frames;
    use crate::scenario::Scenario;

    const SEED: u64 = 9;

    fn example() -> Engine {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/example.toml");
        Engine::new(Scenario::load(&path).expect("the example scenario loads"))
    }

    /// Keeps the numbers of a worker's trials in the order they arrive, and sets `cancel`
    /// when trial `cancel_at` arrives.
    struct Order<'a> {
        cancel_at: u64,
        cancel: &'a AtomicBool,
        seen: AtomicU64,
    }

    impl Keep for Order<'_> {
        type Part = Vec<u64>;
        fn part(&self) -> Vec<u64> {
            Vec::new()
        }
        fn keep(&self, part: &mut Vec<u64>, trial: u64, _: &[f64]) {
            part.push(trial);
            self.seen.fetch_add(1, Ordering::Relaxed);
            if trial == self.cancel_at {
                self.cancel.store(true, Ordering::Relaxed);
            }
        }
    }

    fn order(cancel_at: u64, cancel: &AtomicBool) -> Order<'_> {
        Order {
            cancel_at,
            cancel,
            seen: AtomicU64::new(0),
        }
    }

    /// Runs trials `range` on `threads` workers; the statistics' bytes, the workers' trials
    /// and the progress reported.
    fn rounds(
        engine: &Engine,
        range: Range<u64>,
        threads: usize,
        keep: &Order<'_>,
    ) -> Result<(Vec<u8>, Vec<Vec<u64>>, Vec<u64>), Cancelled> {
        let frames = engine_frames(engine, SEED, 100, 1, &AtomicBool::new(false))?;
        let progress = Mutex::new(Vec::new());
        let report = |done| progress.lock().unwrap().push(done);
        let (acc, parts) = run_rounds(
            engine,
            SEED,
            range,
            &frames,
            threads,
            keep.cancel,
            &report,
            keep,
        )?;
        let bytes = postcard::to_allocvec(&acc).expect("statistics serialise");
        Ok((bytes, parts, progress.into_inner().unwrap()))
    }

    #[test]
    fn overlapping_rounds_give_the_statistics_of_the_trials_added_one_after_another() {
        let engine = example();
        let range = 7..7 + 2 * ROUND_TRIALS as u64 + 9;
        let frames = engine_frames(&engine, SEED, 100, 1, &AtomicBool::new(false)).unwrap();
        let mut one_by_one = Accumulator::new(engine.layout(), &frames);
        let mut ws = engine.workspace();
        for trial in range.clone() {
            engine.run_trial(Draws::Random { seed: SEED, trial }, &mut ws);
            one_by_one.add_trial(&ws.values, &engine.scenario().standards);
            one_by_one.record_drivers(&ws.drivers, &ws.values);
        }
        let expected = postcard::to_allocvec(&one_by_one).unwrap();
        for threads in [1, 3] {
            let cancel = AtomicBool::new(false);
            let keep = order(u64::MAX, &cancel);
            let (bytes, parts, progress) = rounds(&engine, range.clone(), threads, &keep).unwrap();
            assert!(bytes == expected, "{threads} thread(s)");
            assert_eq!(parts.len(), threads);
            for part in &parts {
                assert!(part.is_sorted(), "a worker's trials in order: {part:?}");
            }
            let mut all: Vec<u64> = parts.concat();
            all.sort_unstable();
            assert_eq!(all, range.clone().collect::<Vec<_>>());
            assert!(progress.is_sorted(), "{progress:?}");
            assert_eq!(progress.last(), Some(&(range.end - range.start)));
        }
    }

    #[test]
    fn a_cancelled_run_stops_after_the_round_under_way() {
        let engine = example();
        let round = ROUND_TRIALS as u64;
        for threads in [1, 3] {
            let cancel = AtomicBool::new(false);
            let keep = order(round + 3, &cancel);
            let run = rounds(&engine, 0..10 * round, threads, &keep);
            assert_eq!(run.err(), Some(Cancelled), "{threads} thread(s)");
            assert_eq!(keep.seen.load(Ordering::Relaxed), 2 * round);
        }
        let cancel = AtomicBool::new(true);
        let keep = order(u64::MAX, &cancel);
        assert_eq!(rounds(&engine, 0..round, 2, &keep).err(), Some(Cancelled));
        assert_eq!(keep.seen.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn rounds_are_short_for_wide_rows_but_never_below_one_trial_per_worker() {
        assert_eq!(round_trials(10_000, 2), ROUND_TRIALS);
        assert_eq!(round_trials(2_350_000, 2), 7);
        assert_eq!(held_trials(2_350_000, 2), 14);
        assert_eq!(round_trials(usize::MAX / 16, 2), 2);
        assert_eq!(round_trials(10_000, 64), 64);
    }
}
