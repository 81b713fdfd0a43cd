//! The pilot that frames a run's quantile sketches (DESIGN §2.5): the first trials of the
//! run's own seed, whose exact moments give every cell-metric a centre and a bin width.
//!
//! Every process of a run — each worker, each `--shard k/n` — recomputes the same pilot
//! trials, and exact moments do not depend on how those were split over threads, so every
//! sketch of a cell-metric has the same frame and merges exactly with the others.

use std::sync::atomic::AtomicBool;

use rayon::prelude::*;

use super::parallel::{run_chunks, Cancelled};
use super::rounds::{in_rounds, Control};
use super::trial::{Draws, Engine};
use crate::stats::{Frame, Lattice, Moments};

/// Trials of the pilot: its standard deviations are within ≈ 5% of the run's (normal
/// values), so bins 0.05 pilot sd wide stay within 0.05 sd of the run's spread.
pub const PILOT_TRIALS: u64 = 256;

/// The pilot of a run of `trials` trials: the first `min(trials, PILOT_TRIALS)`.
pub fn pilot_trials(trials: u64) -> u64 {
    trials.min(PILOT_TRIALS)
}

/// Frames of each of a run's values, `[value]`, from trials `0..pilot` under `seed`.
///
/// `values(ws, draws)` runs one trial in the worker's state `ws` and returns its values;
/// `NaN` means undefined and is left out of the moments.
pub fn frames<W: Send>(
    pilot: u64,
    width: usize,
    threads: usize,
    cancel: &AtomicBool,
    init: impl Fn() -> W + Sync,
    values: impl Fn(&mut W, Draws) -> &[f64] + Sync,
    seed: u64,
) -> Result<Vec<Frame>, Cancelled> {
    let (_, moments) = run_chunks(
        0..pilot,
        threads,
        cancel,
        &|_| {},
        || {
            (
                init(),
                vec![(Moments::default(), Lattice::default()); width],
            )
        },
        |(ws, seen), chunk| {
            for trial in chunk {
                see(seen, values(ws, Draws::Random { seed, trial }));
            }
        },
        |(_, total), (_, part)| {
            for ((m, l), (pm, pl)) in total.iter_mut().zip(&part) {
                m.merge(pm);
                l.merge(pl);
            }
        },
    )?;
    Ok(moments.iter().map(|(m, l)| Frame::of(m, l)).collect())
}

/// Values of a pilot's block that one task takes through every trial of the block before
/// moving on: their moments and lattices stay in cache.
const SPAN: usize = 512;

/// Frames of `engine`'s values (`[cell × metric]`) for a run of `trials` trials under `seed`.
///
/// The pilot runs in rounds like the run itself (`in_rounds`): one set of moments, added a
/// block of trials at a time — a nation's pilot kept one set per worker and fetched each
/// of its 2.4 million moments once a trial.
pub fn engine_frames(
    engine: &Engine,
    seed: u64,
    trials: u64,
    threads: usize,
    cancel: &AtomicBool,
) -> Result<Vec<Frame>, Cancelled> {
    let width = engine.layout().n_values();
    let mut seen = vec![(Moments::default(), Lattice::default()); width];
    let control: Control<'_> = (cancel, &|_| {});
    let states = vec![(); threads.max(1)];
    in_rounds(
        engine,
        seed,
        0..pilot_trials(trials),
        threads,
        control,
        states,
        |_, _, _, _| {},
        |block| {
            seen.par_chunks_mut(SPAN).enumerate().for_each(|(k, span)| {
                let first = k * SPAN;
                for row in block.chunks_exact(width) {
                    see(span, &row[first..first + span.len()]);
                }
            })
        },
    )?;
    Ok(seen.iter().map(|(m, l)| Frame::of(m, l)).collect())
}

/// Adds `xs` to the moments and lattices `seen`, one each; `NaN` (undefined) is left out.
fn see(seen: &mut [(Moments, Lattice)], xs: &[f64]) {
    for ((m, l), &x) in seen.iter_mut().zip(xs) {
        if !x.is_nan() {
            m.add(x);
            l.add(x);
        }
    }
}
