//! Per-cell statistics over trials: moments and sketches of every metric, and the counts
//! behind the risk probabilities. Merging is exact, so any split of trials gives the same
//! result.
//!
//! Trials are added a block of rows at a time, cell-metric by cell-metric, through a
//! [`Share`] of the cells: a city's statistics (≈ 10,000 moments and sketches, with ≈ 2
//! million bins) are far larger than a core's cache, and adding one trial at a time would
//! fetch each of them once per trial.

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
        self.add_block(values, values.len(), standards, &mut Staging::default());
    }

    /// Records every trial of `rows` (`[cell × metric]` rows of `width` values): their risk
    /// counts, then their statistics a group of cell-metrics at a time.
    pub fn add_block(
        &mut self,
        rows: &[f64],
        width: usize,
        standards: &Standards,
        st: &mut Staging,
    ) {
        for row in rows.chunks_exact(width) {
            count_risks(&mut self.risk, row, standards);
        }
        for mut share in self.shares(1) {
            share.add(rows, width, st);
        }
        self.trials += (rows.len() / width.max(1)) as u64;
    }

    /// Adds risk counts kept apart from the statistics ([`RiskTally`]).
    pub fn add_risks(&mut self, tally: &RiskTally) {
        for (a, b) in self.risk.iter_mut().zip(&tally.0) {
            a.add(b);
        }
    }

    /// The cells' statistics split into at most `n` runs of consecutive cells, each to be
    /// given the same trials by [`Share::add`], which [`Accumulator::count_trials`] then
    /// counts; their risk counts go through a [`RiskTally`].
    pub fn shares(&mut self, n: usize) -> Vec<Share<'_>> {
        let cells = self.risk.len().div_ceil(n.max(1)).max(1);
        self.metrics
            .chunks_mut(cells * Metric::COUNT)
            .enumerate()
            .map(|(k, metrics)| Share {
                first: k * cells * Metric::COUNT,
                metrics,
            })
            .collect()
    }

    /// Counts `n` trials that every [`Share`] has added.
    pub fn count_trials(&mut self, n: u64) {
        self.trials += n;
    }

    /// Adds the sensitivity sums of trials recorded apart from the statistics.
    pub fn merge_sensitivity(&mut self, other: &Sensitivity) {
        self.sensitivity.merge(other);
    }

    /// Adds another accumulator's trials; it must be [`Accumulator::mergeable_with`] this one.
    pub fn merge(&mut self, other: &Self) {
        debug_assert!(self.mergeable_with(other), "accumulators of one run");
        self.trials += other.trials;
        for (a, b) in self.metrics.iter_mut().zip(&other.metrics) {
            a.merge(b);
        }
        for (a, b) in self.risk.iter_mut().zip(&other.risk) {
            a.add(b);
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

/// The statistics of consecutive cells of an [`Accumulator`], to which one worker adds
/// blocks of trials.
pub struct Share<'a> {
    /// The share's first value in a `[cell × metric]` row.
    first: usize,
    metrics: &'a mut [MetricStats],
}

impl Share<'_> {
    /// Records every trial of `rows` (`[cell × metric]` rows of `width` values) in the
    /// statistics of the share's cells, a group of cell-metrics at a time.
    pub fn add(&mut self, rows: &[f64], width: usize, st: &mut Staging) {
        MetricStats::add_block(self.metrics, rows, width, self.first, st);
    }
}

/// Every cell's risk counts, kept by one worker as it runs its trials — counted while a
/// trial's values are in cache, where counting them from a round's block missed it — and
/// added to the accumulator at the end ([`Accumulator::add_risks`]).
#[derive(Debug, Clone)]
pub struct RiskTally(Vec<RiskCounts>);

impl RiskTally {
    /// No trial counted yet, for the cells of `layout`.
    pub fn new(layout: &Layout) -> Self {
        Self(vec![RiskCounts::default(); layout.n_cells()])
    }

    /// Counts one trial's values (`[cell × metric]`).
    pub fn count(&mut self, values: &[f64], standards: &Standards) {
        count_risks(&mut self.0, values, standards);
    }
}

impl RiskCounts {
    /// Adds another count's trials.
    fn add(&mut self, other: &Self) {
        self.shortfall += other.shortfall;
        self.large_classes += other.large_classes;
        self.super_large_classes += other.super_large_classes;
        self.underused += other.underused;
    }
}

/// Counts the risk events of one trial's `values` (`[cell × metric]`) in `risk`, a cell each.
fn count_risks(risk: &mut [RiskCounts], values: &[f64], standards: &Standards) {
    for (risk, cell) in risk.iter_mut().zip(values.chunks_exact(Metric::COUNT)) {
        let [_, demand, _, shortfall, _, util, large, super_large, ..] = cell else {
            unreachable!("chunks are Metric::COUNT long");
        };
        let tolerated = standards.shortfall_tolerance * demand;
        risk.shortfall += u64::from(*shortfall > tolerated);
        risk.large_classes += u64::from(*large > standards.large_class_target);
        risk.super_large_classes += u64::from(*super_large > standards.super_large_class_target);
        risk.underused += u64::from(*util < standards.underuse_threshold);
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
