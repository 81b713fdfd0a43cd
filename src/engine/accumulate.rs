//! Per-cell statistics over trials: moments and sketches of every metric, and the counts
//! behind the risk probabilities. Merging is exact, so any split of trials gives the same
//! result.
//!
//! A trial is recorded in two halves (see [`Pending`]): as it ends, its values update the
//! moments in cell order and leave their quantile bins in a [`Batch`]; once per batch, the
//! bins are counted sketch by sketch. A city's sketches (≈ 8,000, with ≈ 1.5 million bins) are
//! far larger than a core's cache, and counting each sketch's batch together keeps its bins in
//! cache for the batch instead of fetching them once per trial.

use serde::{Deserialize, Serialize};

use super::layout::Layout;
use crate::model::metrics::Metric;
use crate::scenario::Standards;
use crate::stats::{MetricStats, Pending};

/// Trials in which each risk event happened, for one cell.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskCounts {
    /// Shortfall > 0.
    pub shortfall: u64,
    /// Large-class share > 0.
    pub large_classes: u64,
    /// Super-large-class share > 0.
    pub super_large_classes: u64,
    /// Utilization defined and below the under-use threshold.
    pub underused: u64,
}

/// Quantile bins of recorded trials not yet counted, one `[cell × metric]` row per trial.
/// Its buffer is reused, so a worker's memory stays that of its largest batch.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    rows: Vec<Pending>,
}

/// Everything a run remembers of its trials: O(cells), whatever the number of trials.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Accumulator {
    trials: u64,
    metrics: Vec<MetricStats>,
    risk: Vec<RiskCounts>,
}

impl Accumulator {
    /// An empty accumulator for `layout`.
    pub fn new(layout: &Layout) -> Self {
        Self {
            trials: 0,
            metrics: vec![MetricStats::default(); layout.n_values()],
            risk: vec![RiskCounts::default(); layout.n_cells()],
        }
    }

    /// Records one trial's values (`[cell × metric]`).
    pub fn add_trial(&mut self, values: &[f64], standards: &Standards) {
        let mut batch = Batch::default();
        self.record(values, standards, &mut batch);
        self.count(&mut batch);
    }

    /// First half of recording a trial: its moments, risk counts and extremes now, its
    /// quantile bins into `batch` for [`Accumulator::count`].
    pub fn record(&mut self, values: &[f64], standards: &Standards, batch: &mut Batch) {
        debug_assert_eq!(values.len(), self.metrics.len());
        self.trials += 1;
        let noted = self.metrics.iter_mut().zip(values).map(|(s, &x)| s.note(x));
        batch.rows.extend(noted);
        for (risk, cell) in self.risk.iter_mut().zip(values.chunks_exact(Metric::COUNT)) {
            let [_, _, _, shortfall, _, util, large, super_large, _, _] = cell else {
                unreachable!("chunks are Metric::COUNT long");
            };
            risk.shortfall += u64::from(*shortfall > 0.0);
            risk.large_classes += u64::from(*large > 0.0);
            risk.super_large_classes += u64::from(*super_large > 0.0);
            risk.underused += u64::from(*util < standards.underuse_threshold);
        }
    }

    /// Second half: counts the quantile bins of every trial in `batch`, and empties it.
    pub fn count(&mut self, batch: &mut Batch) {
        let width = self.metrics.len();
        for (j, stats) in self.metrics.iter_mut().enumerate() {
            stats.count(batch.rows[j..].iter().step_by(width).copied());
        }
        batch.rows.clear();
    }

    /// Adds another accumulator's trials.
    pub fn merge(&mut self, other: &Self) {
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
