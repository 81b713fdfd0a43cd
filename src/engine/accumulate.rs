//! Per-cell statistics over trials: moments and sketches of every metric, and the counts
//! behind the risk probabilities. Merging is exact, so any split of trials gives the same
//! result.
//!
//! Trials wait in a small [`Batch`] and are added cell-metric by cell-metric: a city's
//! statistics (≈ 8,000 moments and sketches, with ≈ 2 million bins) are far larger than a
//! core's cache, and adding one trial at a time would fetch each of them once per trial.

use serde::{Deserialize, Serialize};

use super::layout::Layout;
use super::sensitivity::Sensitivity;
use crate::model::metrics::Metric;
use crate::scenario::Standards;
use crate::stats::{Frame, MetricStats, Staging};

/// Trials in which each risk event happened, for one cell: worse than the policy allows
/// (the `[standards]` targets, DESIGN §2.5).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskCounts {
    /// Shortfall > `shortfall_tolerance` × demand.
    pub shortfall: u64,
    /// Large-class share > `large_class_target`.
    pub large_classes: u64,
    /// Super-large-class share > `super_large_class_target`.
    pub super_large_classes: u64,
    /// Utilization defined and below the under-use threshold.
    pub underused: u64,
}

/// Most trials per [`Batch`]: each cache line of a sketch's bins fetched while a batch is
/// added then counts many values (32 trials ran 3–5% faster than 16, 64 no faster than 32).
pub const BATCH_TRIALS: usize = 32;
/// Most bytes per [`Batch`] (a city's batch of 32 trials is ≈ 2 MB); a national run, with
/// 14 MB of values per trial, adds each trial as it ends instead of holding 32 of them.
const BATCH_BYTES: usize = 4 << 20;

/// Cell-metrics whose sketch bins are counted together (see [`MetricStats::add_rows`]):
/// enough to keep many cache misses in flight, few enough that their staged keys stay in
/// the first-level cache.
const GROUP: usize = 64;

/// Trials' values waiting to be added to an [`Accumulator`], one `[cell × metric]` row per
/// trial. Reused, so memory stays one batch.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    values: Vec<f64>,
    trials: usize,
    staging: Staging,
}

impl Batch {
    fn push(&mut self, values: &[f64]) {
        self.values.extend_from_slice(values);
        self.trials += 1;
    }
}

/// Everything a run remembers of its trials: O(cells), whatever the number of trials.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Accumulator {
    trials: u64,
    metrics: Vec<MetricStats>,
    risk: Vec<RiskCounts>,
    /// What drives the variance of the `ALL` cells (DESIGN §2.5).
    sensitivity: Sensitivity,
}

impl Accumulator {
    /// An empty accumulator for `layout` whose sketches bin in `frames` (`[cell × metric]`,
    /// from the run's pilot; see [`super::pilot`]).
    pub fn new(layout: &Layout, frames: &[Frame]) -> Self {
        assert_eq!(frames.len(), layout.n_values(), "one frame per value");
        Self {
            trials: 0,
            metrics: frames.iter().map(|&f| MetricStats::new(f)).collect(),
            risk: vec![RiskCounts::default(); layout.n_cells()],
            sensitivity: Sensitivity::new(layout),
        }
    }

    /// Records one trial's sensitivity drivers beside its values (`[cell × metric]`).
    pub fn record_drivers(&mut self, drivers: &[i64], values: &[f64]) {
        self.sensitivity.add(drivers, values);
    }

    /// The sums behind `sensitivity.csv`.
    pub fn sensitivity(&self) -> &Sensitivity {
        &self.sensitivity
    }

    /// An empty accumulator for `layout` without a pilot: sketches relative to each value's
    /// magnitude, as for the one trial of a deterministic run.
    pub fn unframed(layout: &Layout) -> Self {
        Self::new(layout, &vec![Frame::default(); layout.n_values()])
    }

    /// Whether `other` has this accumulator's layout and frames, so that the two can merge.
    pub fn mergeable_with(&self, other: &Self) -> bool {
        self.risk.len() == other.risk.len()
            && self.metrics.len() == other.metrics.len()
            && self
                .metrics
                .iter()
                .zip(&other.metrics)
                .all(|(a, b)| a.frame() == b.frame())
    }

    /// Records one trial's values (`[cell × metric]`).
    pub fn add_trial(&mut self, values: &[f64], standards: &Standards) {
        let mut batch = Batch::default();
        self.record(values, standards, &mut batch);
        self.flush(&mut batch);
    }

    /// Records one trial's values (`[cell × metric]`): its risk counts at once, the rest
    /// through `batch`, added when full or by [`Accumulator::flush`].
    pub fn record(&mut self, values: &[f64], standards: &Standards, batch: &mut Batch) {
        debug_assert_eq!(values.len(), self.metrics.len());
        self.trials += 1;
        for (risk, cell) in self.risk.iter_mut().zip(values.chunks_exact(Metric::COUNT)) {
            let [_, demand, _, shortfall, _, util, large, super_large, ..] = cell else {
                unreachable!("chunks are Metric::COUNT long");
            };
            let tolerated = standards.shortfall_tolerance * demand;
            risk.shortfall += u64::from(*shortfall > tolerated);
            risk.large_classes += u64::from(*large > standards.large_class_target);
            risk.super_large_classes +=
                u64::from(*super_large > standards.super_large_class_target);
            risk.underused += u64::from(*util < standards.underuse_threshold);
        }
        batch.push(values);
        let fits = (BATCH_BYTES / std::mem::size_of_val(values)).clamp(1, BATCH_TRIALS);
        if batch.trials >= fits {
            self.flush(batch);
        }
    }

    /// Adds the trials waiting in `batch`, and empties it.
    pub fn flush(&mut self, batch: &mut Batch) {
        if batch.trials == 0 {
            return;
        }
        let width = self.metrics.len();
        for (g, group) in self.metrics.chunks_mut(GROUP).enumerate() {
            MetricStats::add_rows(group, &batch.values, width, g * GROUP, &mut batch.staging);
        }
        batch.values.clear();
        batch.trials = 0;
    }

    /// Adds another accumulator's trials; it must be [`Accumulator::mergeable_with`] this one.
    pub fn merge(&mut self, other: &Self) {
        debug_assert!(self.mergeable_with(other), "accumulators of one run");
        self.trials += other.trials;
        for (a, b) in self.metrics.iter_mut().zip(&other.metrics) {
            a.merge(b);
        }
        for (a, b) in self.risk.iter_mut().zip(&other.risk) {
            a.shortfall += b.shortfall;
            a.large_classes += b.large_classes;
            a.super_large_classes += b.super_large_classes;
            a.underused += b.underused;
        }
        self.sensitivity.merge(&other.sensitivity);
    }

    /// The first cell-metric (cell number, metric) whose values left the range the
    /// statistics hold exactly, with the value furthest out; `None` when all are within it.
    pub fn out_of_range(&self) -> Option<(usize, Metric, f64)> {
        first_out_of_range(&self.metrics)
    }

    /// Statistics it holds: (cell-metric values, cells); those of [`Accumulator::new`]`(layout)`
    /// are `(layout.n_values(), layout.n_cells())`, which one read from a file must match.
    pub fn shape(&self) -> (usize, usize) {
        (self.metrics.len(), self.risk.len())
    }

    /// Number of trials recorded.
    pub fn trials(&self) -> u64 {
        self.trials
    }

    /// Statistics of `metric` in cell number `cell`.
    pub fn metric(&self, cell: usize, metric: Metric) -> &MetricStats {
        let m = Metric::ALL
            .iter()
            .position(|&x| x == metric)
            .expect("metric is in ALL");
        &self.metrics[cell * Metric::COUNT + m]
    }

    /// Risk counts of cell number `cell`.
    pub fn risk(&self, cell: usize) -> RiskCounts {
        self.risk[cell]
    }
}

/// The first of `[row × metric]` statistics whose values left the range they hold exactly:
/// (row number, metric, the value furthest out).
pub fn first_out_of_range(stats: &[MetricStats]) -> Option<(usize, Metric, f64)> {
    stats.iter().enumerate().find_map(|(j, s)| {
        let x = s.out_of_range()?;
        Some((j / Metric::COUNT, Metric::ALL[j % Metric::COUNT], x))
    })
}
