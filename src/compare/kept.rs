//! The unchanged scenario's side of many paired runs (a live what-if asks for one alternative
//! after another against the same base, trials and seed): its statistics and every trial's
//! values, run once and kept, so that each alternative runs only its own trials
//! ([`super::Comparison::run_against`]) — on the same common random numbers, with the same
//! result as a paired run of both.

use std::sync::atomic::AtomicBool;

use crate::engine::pilot::engine_frames;
use crate::engine::{run_chunks, Accumulator, Batch, Cancelled, Draws, Engine};

/// Trials `0..trials` of a base scenario under one seed: the statistics a paired run keeps of
/// it and each trial's values (`[trial × cell × metric]`).
#[derive(Debug, Clone)]
pub struct KeptBase {
    seed: u64,
    trials: u64,
    width: usize,
    values: Vec<f64>,
    stats: Accumulator,
}

impl KeptBase {
    /// Runs trials `0..trials` of `base` under `seed` on `threads` workers (cancelled as
    /// [`run_chunks`] is).
    pub fn run(
        base: &Engine,
        seed: u64,
        trials: u64,
        threads: usize,
        cancel: &AtomicBool,
    ) -> Result<KeptBase, Cancelled> {
        let frames = engine_frames(base, seed, trials, threads, cancel)?;
        let standards = &base.scenario().standards;
        let width = base.layout().n_values();
        let (_, _, stats, mut parts) = run_chunks(
            0..trials,
            threads,
            cancel,
            &|_| {},
            || {
                let stats = Accumulator::new(base.layout(), &frames);
                (base.workspace(), Batch::default(), stats, Vec::new())
            },
            |(ws, batch, stats, parts), chunk| {
                let mut values = Vec::with_capacity(width * chunk.clone().count());
                for trial in chunk.clone() {
                    base.run_trial(Draws::Random { seed, trial }, ws);
                    stats.record(&ws.values, standards, batch);
                    values.extend_from_slice(&ws.values);
                }
                stats.flush(batch);
                parts.push((chunk.start, values));
            },
            |(_, _, stats, parts), (_, _, more_stats, more)| {
                stats.merge(&more_stats);
                parts.extend(more);
            },
        )?;
        parts.sort_by_key(|&(start, _)| start);
        Ok(KeptBase {
            seed,
            trials,
            width,
            values: parts.into_iter().flat_map(|(_, v)| v).collect(),
            stats,
        })
    }

    /// The seed of the trials.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The number of trials, numbered from 0.
    pub fn trials(&self) -> u64 {
        self.trials
    }

    /// Values per trial (the base's `[cell × metric]`).
    pub fn width(&self) -> usize {
        self.width
    }

    /// Bytes the kept values take.
    pub fn bytes(&self) -> usize {
        std::mem::size_of_val(self.values.as_slice())
    }

    /// The base's statistics over all the trials.
    pub fn stats(&self) -> &Accumulator {
        &self.stats
    }

    /// The values of trial `trial`.
    pub fn values(&self, trial: u64) -> &[f64] {
        let start = usize::try_from(trial).expect("a kept trial") * self.width;
        &self.values[start..start + self.width]
    }
}
