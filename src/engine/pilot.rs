//! The pilot that frames a run's quantile sketches (DESIGN §2.5): the first trials of the
//! run's own seed, whose exact moments give every cell-metric a centre and a bin width.
//!
//! Every process of a run — each worker, each `--shard k/n` — recomputes the same pilot
//! trials, and exact moments do not depend on how those were split over threads, so every
//! sketch of a cell-metric has the same frame and merges exactly with the others.

use std::sync::atomic::AtomicBool;

use super::parallel::{run_chunks, Cancelled};
use super::trial::{Draws, Engine, Workspace};
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
                let xs = values(ws, Draws::Random { seed, trial });
                for ((m, l), &x) in seen.iter_mut().zip(xs) {
                    if !x.is_nan() {
                        m.add(x);
                        l.add(x);
                    }
                }
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

/// Frames of `engine`'s values (`[cell × metric]`) for a run of `trials` trials under `seed`.
pub fn engine_frames(
    engine: &Engine,
    seed: u64,
    trials: u64,
    threads: usize,
    cancel: &AtomicBool,
) -> Result<Vec<Frame>, Cancelled> {
    frames(
        pilot_trials(trials),
        engine.layout().n_values(),
        threads,
        cancel,
        || engine.workspace(),
        |ws: &mut Workspace, draws| {
            engine.run_trial(draws, ws);
            &ws.values
        },
        seed,
    )
}
