//! The paired run: trial `t` of both scenarios under one seed, and the difference ALT − BASE
//! of every shared cell and metric recorded trial by trial in a mergeable [`MetricStats`].

use std::ops::Range;
use std::sync::atomic::AtomicBool;

use super::kept::KeptBase;
use super::matching::Matching;
use crate::engine::pilot::{frames, pilot_trials};
use crate::engine::{
    first_out_of_range, run_chunks, Accumulator, Cancelled, Draws, Engine, Workspace, ROUND_TRIALS,
};
use crate::model::metrics::Metric;
use crate::stats::{Frame, MetricStats, Staging};

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
        self.run_paired(seed, trials, None, threads, cancel, on_progress)
    }

    /// [`Comparison::run`] of `kept`'s trials under its seed, the base's side read from `kept`
    /// (which must have been run from this comparison's base engine): only the alternative's
    /// trials run, and the result is the same.
    pub fn run_against(
        &self,
        kept: &KeptBase,
        threads: usize,
        cancel: &AtomicBool,
    ) -> Result<Paired, Cancelled> {
        assert_eq!(
            kept.width(),
            self.base.layout().n_values(),
            "the base's values"
        );
        let trials = 0..kept.trials();
        let mut paired =
            self.run_paired(kept.seed(), trials, Some(kept), threads, cancel, &|_| {})?;
        paired.base = kept.stats().clone();
        Ok(paired)
    }

    /// The paired run, the base's values run or read from `kept`.
    fn run_paired(
        &self,
        seed: u64,
        trials: Range<u64>,
        kept: Option<&KeptBase>,
        threads: usize,
        cancel: &AtomicBool,
        on_progress: &(dyn Fn(u64) + Sync),
    ) -> Result<Paired, Cancelled> {
        let frames = self.frames(seed, trials.end, kept, threads, cancel)?;
        run_chunks(
            trials,
            threads,
            cancel,
            on_progress,
            || {
                (
                    self.base.workspace(),
                    self.alt.workspace(),
                    Batches::default(),
                    Paired::new(self, &frames),
                )
            },
            |(wb, wa, batches, paired), chunk| {
                for trial in chunk {
                    let draws = Draws::Random { seed, trial };
                    self.alt.run_trial(draws, wa);
                    let base = self.base_values(kept, draws, wb);
                    paired.record(self, base, &wa.values, kept.is_some(), batches);
                }
                paired.flush(self, batches);
            },
            |(_, _, _, total), (_, _, _, part)| total.merge(&part),
        )
        .map(|(_, _, _, paired)| paired)
    }

    /// The base's values of the trial of `draws`: read from `kept`, else run in `ws`.
    fn base_values<'a>(
        &self,
        kept: Option<&'a KeptBase>,
        draws: Draws,
        ws: &'a mut Workspace,
    ) -> &'a [f64] {
        match (kept, draws) {
            (Some(k), Draws::Random { trial, .. }) => k.values(trial),
            _ => {
                self.base.run_trial(draws, ws);
                &ws.values
            }
        }
    }

    /// Frames of a paired run of `trials` trials: base values, then alternative values, then
    /// differences.
    fn frames(
        &self,
        seed: u64,
        trials: u64,
        kept: Option<&KeptBase>,
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
                self.alt.run_trial(draws, wa);
                let base = self.base_values(kept, draws, wb);
                all.clear();
                all.extend_from_slice(base);
                all.extend_from_slice(&wa.values);
                all.resize(width, 0.0);
                let start = base.len() + wa.values.len();
                self.differences(base, &wa.values, &mut all[start..]);
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

/// Most bytes of a worker's [`Batches`]: a city's 32 trials of both scenarios and their
/// differences take ≈ 12 MB; a nation's trial alone is larger, and is added as it ends.
const BATCH_BYTES: usize = 16 << 20;

/// A worker's trials waiting to be added to its [`Paired`]: a block of each scenario's values
/// and of their differences, `[trial × value]`. Adding a block at a time, as the engine's
/// rounds do, rather than each trial fetches each sketch's bins once per block and counts a
/// cell-metric no trial moved once.
#[derive(Default)]
struct Batches {
    base: Vec<f64>,
    alt: Vec<f64>,
    diffs: Vec<f64>,
    trials: usize,
    staging: Staging,
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
}

impl Paired {
    fn new(c: &Comparison, frames: &PairedFrames) -> Self {
        Self {
            diffs: frames.diffs.iter().map(|&f| MetricStats::new(f)).collect(),
            base: Accumulator::new(c.base.layout(), &frames.base),
            alt: Accumulator::new(c.alt.layout(), &frames.alt),
        }
    }

    /// Records one trial of both scenarios (`[cell × metric]` values of each) through
    /// `batches`; the base's own statistics only when they are not `kept` elsewhere.
    fn record(&mut self, c: &Comparison, base: &[f64], alt: &[f64], kept: bool, b: &mut Batches) {
        if !kept {
            b.base.extend_from_slice(base);
        }
        b.alt.extend_from_slice(alt);
        let start = b.diffs.len();
        b.diffs.resize(start + self.diffs.len(), 0.0);
        c.differences(base, alt, &mut b.diffs[start..]);
        b.trials += 1;
        let row = std::mem::size_of_val(base) + std::mem::size_of_val(alt) + self.diffs.len() * 8;
        if b.trials >= (BATCH_BYTES / row.max(1)).clamp(1, ROUND_TRIALS) {
            self.flush(c, b);
        }
    }

    /// Adds the trials waiting in `b`, and empties it.
    fn flush(&mut self, c: &Comparison, b: &mut Batches) {
        if b.trials > 0 {
            let st = &mut b.staging;
            for (acc, rows, e) in [
                (&mut self.base, &b.base, c.base()),
                (&mut self.alt, &b.alt, c.alt()),
            ] {
                acc.add_block(rows, e.layout().n_values(), &e.scenario().standards, st);
            }
            let width = self.diffs.len();
            MetricStats::add_block(&mut self.diffs, &b.diffs, width, 0, st);
        }
        b.base.clear();
        b.alt.clear();
        b.diffs.clear();
        b.trials = 0;
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
