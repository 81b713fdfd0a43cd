//! The Monte Carlo engine (DESIGN §3): trials with keyed random streams, run in parallel
//! chunks, accumulated into streaming statistics.

mod accumulate;
mod inputs;
mod keep;
mod layout;
mod parallel;
pub mod pilot;
mod popularity;
mod rounds;
mod sensitivity;
mod streams;
pub mod tornado;
mod trial;

use std::ops::Range;
use std::sync::atomic::AtomicBool;

pub use accumulate::{first_out_of_range, Accumulator, RiskCounts, RiskTally, Share};
pub use keep::{Discard, Keep};
pub use layout::{Layout, Place, Row};
pub use parallel::{run_chunks, Cancelled};
use rounds::run_rounds;
pub use rounds::{round_trials, ROUND_TRIALS};
pub use sensitivity::{Drivers, Output, Sensitivity, Shock, METRICS as SENSITIVITY_METRICS};
pub use streams::{EntityKey, Stream, TrialKey};
pub use trial::{
    delay_common_key, delay_key, project_delay, DelayCopula, Draws, Engine, Workspace,
};

/// What to run: a range of trial numbers with keyed draws, or the deterministic projection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Trials `range` (0-based, of the run's full numbering) under `seed`.
    MonteCarlo {
        /// The run's seed.
        seed: u64,
        /// Which trials.
        range: Range<u64>,
        /// Trials of the whole run (all shards together), which sets its pilot.
        total: u64,
    },
    /// One trial with every shock at its central value.
    Deterministic,
}

impl Mode {
    /// Number of trials this mode runs.
    pub fn trials(&self) -> u64 {
        match self {
            Mode::MonteCarlo { range, .. } => range.end - range.start,
            Mode::Deterministic => 1,
        }
    }
}

/// Runs `mode` on `threads` workers and returns the accumulated statistics; a Monte Carlo
/// run first runs its pilot (see [`pilot`]).
pub fn run(
    engine: &Engine,
    mode: &Mode,
    threads: usize,
    cancel: &AtomicBool,
    on_progress: &(dyn Fn(u64) + Sync),
) -> Result<Accumulator, Cancelled> {
    run_keeping(engine, mode, threads, cancel, on_progress, &Discard).map(|(acc, _)| acc)
}

/// [`run`], handing every trial's values to `keep` as well; returns the workers' parts of
/// it with the statistics.
pub fn run_keeping<K: Keep>(
    engine: &Engine,
    mode: &Mode,
    threads: usize,
    cancel: &AtomicBool,
    on_progress: &(dyn Fn(u64) + Sync),
    keep: &K,
) -> Result<(Accumulator, Vec<K::Part>), Cancelled> {
    let standards = &engine.scenario().standards;
    let layout = engine.layout();
    match mode {
        Mode::Deterministic => {
            let mut ws = engine.workspace();
            let mut acc = Accumulator::unframed(layout);
            engine.run_trial(Draws::Central, &mut ws);
            acc.add_trial(&ws.values, standards);
            acc.record_drivers(&ws.drivers, &ws.values);
            let mut part = keep.part();
            keep.keep(&mut part, 0, &ws.values);
            on_progress(1);
            Ok((acc, vec![part]))
        }
        Mode::MonteCarlo { seed, range, total } => {
            let frames = pilot::engine_frames(engine, *seed, *total, threads, cancel)?;
            let range = range.clone();
            run_rounds(
                engine,
                *seed,
                range,
                &frames,
                threads,
                cancel,
                on_progress,
                keep,
            )
        }
    }
}
