//! Calibration of popularity dispersion κ to an observed base-year large-class share
//! (DESIGN §2.4): root finding on κ with common random numbers, so that every evaluation sees
//! the same popularity draws and the search is not thrown off by noise. Several stages can
//! share one κ and be calibrated on their class-weighted share together (Zhengzhou reports one
//! large-class ratio for primary and junior-middle schools combined).
//!
//! The share is not monotone in κ: with κ → ∞ every school is equally popular (the share tends
//! to its deterministic value), with κ → 0 almost all pupils crowd into a few schools (few
//! classes, so again a small share). seatsim looks for the *least dispersed* κ that reproduces
//! the target: it walks down from an even κ until the share reaches the target, then bisects.

use std::sync::atomic::AtomicBool;

use crate::engine::{run_chunks, Cancelled, Draws, Engine, Place};
use crate::model::metrics::Metric;
use crate::scenario::{Scenario, StageIx, Year, MIN_DISPERSION};

/// Largest κ tried: schools practically equally popular.
const KAPPA_MAX: f64 = 1e4;
/// Smallest κ tried: the smallest a scenario accepts, so a κ found can be written and run.
const KAPPA_MIN: f64 = MIN_DISPERSION;
/// Factor between successive κ while looking for a bracket.
const STEP: f64 = 1.5;
/// Bisection stops when the bracket is this narrow (relative).
const KAPPA_TOLERANCE: f64 = 1e-4;

/// What calibration found.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    /// The dispersion κ.
    pub kappa: f64,
    /// Mean base-year large-class share at κ (city total, class-weighted over the stages).
    pub large_class_share: f64,
    /// Mean base-year super-large-class share at κ.
    pub super_large_class_share: f64,
}

/// Why calibration could not reach the target.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CalibrationError {
    /// Even equally popular schools give a larger share than the target.
    #[error("even with equally popular schools the base-year large-class share is {even:.4}, above the target {target:.4}: classes are too full on average for any dispersion to give fewer large classes")]
    AboveTargetWhenEven {
        /// The target.
        target: f64,
        /// The share with κ = 10⁴.
        even: f64,
    },
    /// No dispersion gives a share as large as the target.
    #[error("no dispersion reaches the target {target:.4}: the largest base-year large-class share found is {best:.4} (at κ = {at:.3})")]
    Unreachable {
        /// The target.
        target: f64,
        /// The largest share seen.
        best: f64,
        /// Where.
        at: f64,
    },
    /// The cancel flag (Ctrl-C, SIGTERM) was set before calibration finished.
    #[error("interrupted before calibration finished")]
    Interrupted,
}

impl From<Cancelled> for CalibrationError {
    fn from(_: Cancelled) -> Self {
        CalibrationError::Interrupted
    }
}

/// How calibration runs its evaluations: trials each (the same ones every time), seed,
/// worker threads, and the flag that stops it.
#[derive(Debug, Clone, Copy)]
pub struct Evaluations<'a> {
    /// Trials per evaluation.
    pub trials: u64,
    /// Seed of every evaluation (common random numbers).
    pub seed: u64,
    /// Worker threads.
    pub threads: usize,
    /// Set (by Ctrl-C, say) to stop after the chunks under way.
    pub cancel: &'a AtomicBool,
}

/// Mean base-year city shares (large, super-large) of `stages` together, weighted by their
/// classes, when every one of them has dispersion `kappa`; `Cancelled` if `how.cancel` is set.
pub fn base_year_shares(
    s: &Scenario,
    stages: &[StageIx],
    kappa: f64,
    how: Evaluations<'_>,
) -> Result<(f64, f64), Cancelled> {
    let Evaluations {
        trials,
        seed,
        threads,
        cancel,
    } = how;
    let mut s = s.clone();
    for st in stages {
        s.stages[st.0].dispersion = Some(kappa);
    }
    // Only the base year matters: project a single year.
    s.horizon = Year(s.base_year.0 + 1);
    let classes = |st: &StageIx| {
        s.capacity
            .iter()
            .map(|d| f64::from(d[st.0].classes))
            .sum::<f64>()
    };
    let total = stages.iter().map(classes).sum::<f64>().max(1.0);
    let weights: Vec<f64> = stages.iter().map(|st| classes(st) / total).collect();
    let engine = Engine::new(s);
    let index = |st: StageIx, m: Metric| {
        let row = engine
            .layout()
            .row(Place::All, st)
            .expect("ALL is reported for every stage");
        let metric = Metric::ALL.iter().position(|&x| x == m).expect("metric");
        engine.layout().cell(row, 0) * Metric::COUNT + metric
    };
    let cells: Vec<(usize, usize, f64)> = stages
        .iter()
        .zip(weights)
        .map(|(&st, w)| {
            (
                index(st, Metric::LargeClassShare),
                index(st, Metric::SuperLargeClassShare),
                w,
            )
        })
        .collect();
    let sums = run_chunks(
        0..trials,
        threads,
        cancel,
        &|_| {},
        || (engine.workspace(), [0.0f64; 2]),
        |(ws, sum), chunk| {
            for trial in chunk {
                engine.run_trial(Draws::Random { seed, trial }, ws);
                for &(large, super_large, w) in &cells {
                    sum[0] += w * ws.values[large];
                    sum[1] += w * ws.values[super_large];
                }
            }
        },
        |(_, a), (_, b)| {
            a[0] += b[0];
            a[1] += b[1];
        },
    )?
    .1;
    Ok((sums[0] / trials as f64, sums[1] / trials as f64))
}

/// Finds the least dispersed κ, shared by `stages`, whose mean base-year large-class share of
/// those stages together (weighted by classes) is `target`.
pub fn calibrate(
    s: &Scenario,
    stages: &[StageIx],
    target: f64,
    how: Evaluations<'_>,
) -> Result<Calibration, CalibrationError> {
    let share = |k: f64| base_year_shares(s, stages, k, how);
    let even = share(KAPPA_MAX)?.0;
    if even > target {
        return Err(CalibrationError::AboveTargetWhenEven { target, even });
    }
    let (mut hi, mut lo) = (KAPPA_MAX, KAPPA_MAX / STEP);
    let mut best = (even, KAPPA_MAX);
    loop {
        let f = share(lo)?.0;
        if f >= target {
            break;
        }
        if f > best.0 {
            best = (f, lo);
        }
        if lo <= KAPPA_MIN {
            return Err(CalibrationError::Unreachable {
                target,
                best: best.0,
                at: best.1,
            });
        }
        (hi, lo) = (lo, (lo / STEP).max(KAPPA_MIN));
    }
    // share(lo) ≥ target > share(hi): bisect in log κ.
    while hi / lo > 1.0 + KAPPA_TOLERANCE {
        let mid = (lo * hi).sqrt();
        if share(mid)?.0 >= target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let kappa = (lo * hi).sqrt();
    let (large_class_share, super_large_class_share) = share(kappa)?;
    Ok(Calibration {
        kappa,
        large_class_share,
        super_large_class_share,
    })
}
