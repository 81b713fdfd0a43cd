//! The unchanged scenario's side of many paired runs (a live what-if asks for one alternative
//! after another against the same base, trials and seed): its statistics and every trial's
//! values, run once and kept, so that each alternative runs only its own trials
//! ([`super::Comparison::run_against`]) — on the same common random numbers, with the same
//! result as a paired run of both.

use std::sync::atomic::AtomicBool;

use crate::engine::{run_keeping, Accumulator, Cancelled, Engine, Keep, Mode};

/// Keeps every trial's values: each worker's trial numbers and their rows.
struct All {
    width: usize,
}

impl Keep for All {
    type Part = (Vec<u64>, Vec<f64>);

    fn part(&self) -> Self::Part {
        (Vec::new(), Vec::new())
    }

    fn keep(&self, (trials, rows): &mut Self::Part, trial: u64, values: &[f64]) {
        debug_assert_eq!(values.len(), self.width);
        trials.push(trial);
        rows.extend_from_slice(values);
    }
}

/// Trials `0..trials` of a base scenario under one seed: the statistics a paired run keeps of
/// it (with the sensitivity sums of a plain run besides, which no comparison reports) and each
/// trial's values (`[trial × cell × metric]`).
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
    /// [`run_keeping`] is).
    pub fn run(
        base: &Engine,
        seed: u64,
        trials: u64,
        threads: usize,
        cancel: &AtomicBool,
    ) -> Result<KeptBase, Cancelled> {
        let width = base.layout().n_values();
        let mode = Mode::MonteCarlo {
            seed,
            range: 0..trials,
            total: trials,
        };
        let (stats, parts) = run_keeping(base, &mode, threads, cancel, &|_| {}, &All { width })?;
        let rows = usize::try_from(trials).expect("kept trials fit in memory");
        let mut values = vec![0.0; rows * width];
        for (trials, part) in parts {
            for (trial, row) in trials.into_iter().zip(part.chunks_exact(width)) {
                let start = usize::try_from(trial).expect("a kept trial") * width;
                values[start..start + width].copy_from_slice(row);
            }
        }
        Ok(KeptBase {
            seed,
            trials,
            width,
            values,
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
