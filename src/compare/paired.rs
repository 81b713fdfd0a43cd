//! The paired run: trial `t` of both scenarios under one seed, and the difference ALT − BASE
//! of every shared cell and metric recorded trial by trial in a mergeable [`MetricStats`].

use std::ops::Range;
use std::sync::atomic::AtomicBool;

use super::matching::Matching;
use crate::engine::{first_out_of_range, run_chunks, Accumulator, Cancelled, Draws, Engine};
use crate::model::metrics::Metric;
use crate::stats::MetricStats;

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

    /// Runs trials `trials` of both scenarios under `seed` on `threads` workers.
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
        run_chunks(
            trials,
            threads,
            cancel,
            on_progress,
            || {
                (
                    self.base.workspace(),
                    self.alt.workspace(),
                    Paired::new(self),
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
}

/// Statistics of a paired run: per-trial differences of the shared cells, and each
/// scenario's own statistics (for its means and risk probabilities).
#[derive(Debug, Clone)]
pub struct Paired {
    /// `[pair × metric]`: ALT − BASE, skipped in trials where either side is undefined.
    diffs: Vec<MetricStats>,
    base: Accumulator,
    alt: Accumulator,
}

impl Paired {
    fn new(c: &Comparison) -> Self {
        Self {
            diffs: vec![MetricStats::default(); c.matching.pairs.len() * Metric::COUNT],
            base: Accumulator::new(c.base.layout()),
            alt: Accumulator::new(c.alt.layout()),
        }
    }

    /// Records one trial of both scenarios (`[cell × metric]` values of each).
    fn add_trial(&mut self, c: &Comparison, base: &[f64], alt: &[f64]) {
        self.base.add_trial(base, &c.base.scenario().standards);
        self.alt.add_trial(alt, &c.alt.scenario().standards);
        let diffs = self.diffs.chunks_exact_mut(Metric::COUNT);
        for (stats, pair) in diffs.zip(&c.matching.pairs) {
            let b = &base[pair.base * Metric::COUNT..][..Metric::COUNT];
            let a = &alt[pair.alt * Metric::COUNT..][..Metric::COUNT];
            for ((s, x), y) in stats.iter_mut().zip(a).zip(b) {
                s.add(x - y);
            }
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
