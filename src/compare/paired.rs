//! The paired run: trial `t` of both scenarios under one seed, and the difference ALT − BASE
//! of every shared cell and metric recorded trial by trial in a mergeable [`MetricStats`].

use std::ops::Range;
use std::sync::atomic::AtomicBool;

use super::matching::Matching;
use crate::engine::pilot::{frames, pilot_trials};
use crate::engine::{
    first_out_of_range, run_chunks, Accumulator, Cancelled, Draws, Engine, Workspace,
};
use crate::model::metrics::Metric;
use crate::stats::{Frame, MetricStats};

/// Two scenarios prepared for comparison, with their shared cells.
pub struct Comparison {
    base: Engine,
    alt: Engine,
    matching: Matching,
}

impl Comparison {
    /// Matches the cells of `base` and `alt`.
    pub fn new(base: Engine, alt: Engine) -> Self {
        let matching = Matching::new(&base, &alt);
        Self {
            base,
            alt,
            matching,
        }
    }

    /// The base scenario's engine.
    pub fn base(&self) -> &Engine {
        &self.base
    }

    /// The alternative scenario's engine.
    pub fn alt(&self) -> &Engine {
        &self.alt
    }

    /// The shared cells and what was left out.
    pub fn matching(&self) -> &Matching {
        &self.matching
    }

    /// Runs trials `trials` of both scenarios under `seed` on `threads` workers, after a
    /// pilot of their first trials that frames every sketch (see [`crate::engine::pilot`]).
    ///
    /// Progress and cancellation work as in [`run_chunks`]; the result does not depend on
    /// `threads`.
    pub fn run(
        &self,
        seed: u64,
        trials: Range<u64>,
        threads: usize,
        cancel: &AtomicBool,
        on_progress: &(dyn Fn(u64) + Sync),
    ) -> Result<Paired, Cancelled> {
        let frames = self.frames(seed, trials.end, threads, cancel)?;
        run_chunks(
            trials,
            threads,
            cancel,
            on_progress,
            || {
                (
                    self.base.workspace(),
                    self.alt.workspace(),
                    Paired::new(self, &frames),
                )
            },
            |(wb, wa, paired), chunk| {
                for trial in chunk {
                    let draws = Draws::Random { seed, trial };
                    self.base.run_trial(draws, wb);
                    self.alt.run_trial(draws, wa);
                    paired.add_trial(self, &wb.values, &wa.values);
                }
            },
            |(_, _, total), (_, _, part)| total.merge(&part),
        )
        .map(|(_, _, paired)| paired)
    }

    /// Frames of a paired run of `trials` trials: base values, then alternative values, then
    /// differences.
    fn frames(
        &self,
        seed: u64,
        trials: u64,
        threads: usize,
        cancel: &AtomicBool,
    ) -> Result<PairedFrames, Cancelled> {
        let width = self.base.layout().n_values()
            + self.alt.layout().n_values()
            + self.matching.pairs.len() * Metric::COUNT;
        let init = || (self.base.workspace(), self.alt.workspace(), Vec::new());
        let mut all = frames(
            pilot_trials(trials),
            width,
            threads,
            cancel,
            init,
            |(wb, wa, all): &mut (Workspace, Workspace, Vec<f64>), draws| {
                self.base.run_trial(draws, wb);
                self.alt.run_trial(draws, wa);
                all.clear();
                all.extend_from_slice(&wb.values);
                all.extend_from_slice(&wa.values);
                all.resize(width, 0.0);
                let start = wb.values.len() + wa.values.len();
                self.differences(&wb.values, &wa.values, &mut all[start..]);
                all
            },
            seed,
        )?;
        let diffs = all.split_off(width - self.matching.pairs.len() * Metric::COUNT);
        let alt = all.split_off(self.base.layout().n_values());
        Ok(PairedFrames {
            base: all,
            alt,
            diffs,
        })
    }

    /// Writes ALT − BASE of every shared cell and metric (`[pair × metric]`) into `out`.
    fn differences(&self, base: &[f64], alt: &[f64], out: &mut [f64]) {
        let out = out.chunks_exact_mut(Metric::COUNT);
        for (d, pair) in out.zip(&self.matching.pairs) {
            let b = &base[pair.base * Metric::COUNT..][..Metric::COUNT];
            let a = &alt[pair.alt * Metric::COUNT..][..Metric::COUNT];
            for ((d, x), y) in d.iter_mut().zip(a).zip(b) {
                *d = x - y;
            }
        }
    }
}

/// The frames of a paired run's three sets of statistics.
struct PairedFrames {
    base: Vec<Frame>,
    alt: Vec<Frame>,
    diffs: Vec<Frame>,
}

/// Statistics of a paired run: per-trial differences of the shared cells, and each
/// scenario's own statistics (for its means and risk probabilities).
#[derive(Debug, Clone)]
pub struct Paired {
    /// `[pair × metric]`: ALT − BASE, skipped in trials where either side is undefined.
    diffs: Vec<MetricStats>,
    base: Accumulator,
    alt: Accumulator,
    /// One trial's differences, reused.
    scratch: Vec<f64>,
}

impl Paired {
    fn new(c: &Comparison, frames: &PairedFrames) -> Self {
        Self {
            diffs: frames.diffs.iter().map(|&f| MetricStats::new(f)).collect(),
            base: Accumulator::new(c.base.layout(), &frames.base),
            alt: Accumulator::new(c.alt.layout(), &frames.alt),
            scratch: Vec::new(),
        }
    }

    /// Records one trial of both scenarios (`[cell × metric]` values of each).
    fn add_trial(&mut self, c: &Comparison, base: &[f64], alt: &[f64]) {
        self.base.add_trial(base, &c.base.scenario().standards);
        self.alt.add_trial(alt, &c.alt.scenario().standards);
        self.scratch.resize(self.diffs.len(), 0.0);
        c.differences(base, alt, &mut self.scratch);
        for (s, &d) in self.diffs.iter_mut().zip(&self.scratch) {
            s.add(d);
        }
    }

    /// Adds another paired run's trials.
    pub fn merge(&mut self, other: &Self) {
        for (a, b) in self.diffs.iter_mut().zip(&other.diffs) {
            a.merge(b);
        }
        self.base.merge(&other.base);
        self.alt.merge(&other.alt);
    }

    /// Number of trials recorded.
    pub fn trials(&self) -> u64 {
        self.base.trials()
    }

    /// Statistics of ALT − BASE of `metric` in shared cell number `pair`.
    pub fn diff(&self, pair: usize, metric: Metric) -> &MetricStats {
        let m = Metric::ALL
            .iter()
            .position(|&x| x == metric)
            .expect("metric is in ALL");
        &self.diffs[pair * Metric::COUNT + m]
    }

    /// The first shared cell (pair number, metric) whose differences left the range the
    /// statistics hold exactly, with the difference furthest out.
    pub fn diff_out_of_range(&self) -> Option<(usize, Metric, f64)> {
        first_out_of_range(&self.diffs)
    }

    /// The base scenario's own statistics.
    pub fn base(&self) -> &Accumulator {
        &self.base
    }

    /// The alternative scenario's own statistics.
    pub fn alt(&self) -> &Accumulator {
        &self.alt
    }
}
