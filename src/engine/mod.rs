//! The Monte Carlo engine (DESIGN §3): trials with keyed random streams, run in parallel
//! chunks, accumulated into streaming statistics.

mod accumulate;
mod inputs;
mod layout;
mod parallel;
mod streams;
mod trial;

use std::ops::Range;
use std::sync::atomic::AtomicBool;

pub use accumulate::{first_out_of_range, Accumulator, Batch, RiskCounts, BATCH_TRIALS};
pub use layout::{Layout, Place, Row};
pub use parallel::{run_chunks, Cancelled};
pub use streams::{EntityKey, Stream, TrialKey};
pub use trial::{Draws, Engine, Workspace};

/// What to run: a range of trial numbers with keyed draws, or the deterministic projection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Trials `range` (0-based, of the run's full numbering) under `seed`.
    MonteCarlo {
        /// The run's seed.
        seed: u64,
        /// Which trials.
        range: Range<u64>,
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

/// Runs `mode` on `threads` workers and returns the accumulated statistics.
pub fn run(
    engine: &Engine,
    mode: &Mode,
    threads: usize,
    cancel: &AtomicBool,
    on_progress: &(dyn Fn(u64) + Sync),
) -> Result<Accumulator, Cancelled> {
    let standards = &engine.scenario().standards;
    let layout = engine.layout();
    match mode {
        Mode::Deterministic => {
            let mut ws = engine.workspace();
            let mut acc = Accumulator::new(layout);
            engine.run_trial(Draws::Central, &mut ws);
            acc.add_trial(&ws.values, standards);
            on_progress(1);
            Ok(acc)
        }
        Mode::MonteCarlo { seed, range } => run_chunks(
            range.clone(),
            threads,
            cancel,
            on_progress,
            || {
                (
                    engine.workspace(),
                    Batch::default(),
                    Accumulator::new(layout),
                )
            },
            |(ws, batch, acc), chunk| {
                for trial in chunk {
                    engine.run_trial(Draws::Random { seed: *seed, trial }, ws);
                    acc.record(&ws.values, standards, batch);
                }
                acc.flush(batch);
            },
            |(_, _, total), (_, _, part)| total.merge(&part),
        )
        .map(|(_, _, acc)| acc),
    }
}
