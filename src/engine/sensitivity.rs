//! What drives the risk (DESIGN §2.5): for every uncertain input and every city-level shock
//! series, the share of the variance of each `ALL` cell's shortfall, demand and large-class
//! share that it explains — the squared correlation over trials of one number per trial with
//! the cell's value, accumulated exactly (integer sums) so that threads and shards merge to
//! the same bytes.
//!
//! The number of a driver in a trial, for a cell of year `t`:
//! - an uncertain input (one per label): its uniform `u` — the quantile every number of the
//!   label takes, monotone in each of them;
//! - `shock:births-city`, `shock:migration-city` (present when their σ > 0): the mean of the
//!   city AR(1) log shock over the projection years up to `t` (what has accumulated by then;
//!   undefined in the base year);
//! - `shock:delay-common` (present when the delay correlation > 0): the copula's `Z`;
//! - `shock:drift-<key>` (each `[drift]` series with σ > 0): the series' value in year `t`.

use serde::{Deserialize, Serialize};

use super::layout::{Layout, Place};
use crate::model::metrics::Metric;
use crate::scenario::{Scenario, SHOCK_PREFIX};
use crate::stats::correlation::{fixed_driver, fixed_output, r_squared, Sums};

/// The metrics whose variance is split, in output order.
pub const METRICS: [Metric; 3] = [Metric::Shortfall, Metric::Demand, Metric::LargeClassShare];

/// The drivers of a scenario, in output order: inputs by label, then the shock series.
#[derive(Debug, Clone)]
pub struct Drivers {
    /// `input` column values.
    pub names: Vec<String>,
    inputs: usize,
    births_city: bool,
    migration_city: bool,
    delay_common: bool,
    /// Per `[drift]` series: whether it is a driver (σ > 0).
    drift: Vec<bool>,
}

/// A city-level shock series that is a driver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shock {
    /// `shock:births-city`: the city AR(1) births log shock.
    BirthsCity,
    /// `shock:migration-city`: the city AR(1) migration log shock.
    MigrationCity,
    /// `shock:delay-common`: the delay copula's common factor `Z`.
    DelayCommon,
    /// `shock:drift-<key>`: `[drift]` series number `k` of the scenario.
    Drift(usize),
}

impl Drivers {
    /// The shock series driver number `d` is, or `None` for an uncertain input.
    pub fn shock(&self, d: usize) -> Option<Shock> {
        let series = [
            (self.births_city, Shock::BirthsCity),
            (self.migration_city, Shock::MigrationCity),
            (self.delay_common, Shock::DelayCommon),
        ];
        let on = series.into_iter().filter(|(on, _)| *on).map(|(_, s)| s);
        let drift = (self.drift.iter().enumerate())
            .filter(|(_, on)| **on)
            .map(|(k, _)| Shock::Drift(k));
        on.chain(drift).nth(d.checked_sub(self.inputs)?)
    }

    /// The drivers of a checked scenario.
    pub fn of(s: &Scenario) -> Self {
        let births_city = s.births.sigma_city > 0.0;
        let migration_city = s.migration.sigma_city > 0.0;
        let delay_common = s.delay_correlation > 0.0;
        let mut names = s.input_labels();
        let inputs = names.len();
        for (on, series) in [
            (births_city, "births-city"),
            (migration_city, "migration-city"),
            (delay_common, "delay-common"),
        ] {
            if on {
                names.push(format!("{SHOCK_PREFIX}{series}"));
            }
        }
        let drift: Vec<bool> = s.drift.iter().map(|d| d.sigma > 0.0).collect();
        for (d, _) in s.drift.iter().zip(&drift).filter(|(_, on)| **on) {
            names.push(format!("{SHOCK_PREFIX}drift-{}", d.key));
        }
        Self {
            names,
            inputs,
            births_city,
            migration_city,
            delay_common,
            drift,
        }
    }

    /// Writes one trial's drivers into `out`, `[driver × year number]`, on their fixed-point
    /// grid (quantised once here rather than once per cell), from the inputs' uniforms `u`,
    /// the city series (index 0 the base year), the copula's `z` and the drift series
    /// (`[series × year number]`).
    pub fn fill(&self, u: &[f64], city: [&[f64]; 2], z: f64, drift: &[f64], out: &mut [i64]) {
        let [births, migration] = city;
        let n_y = births.len();
        let mut rows = out.chunks_exact_mut(n_y);
        for (&u, row) in u[..self.inputs].iter().zip(&mut rows) {
            row.fill(fixed_driver(u));
        }
        let series = [(self.births_city, births), (self.migration_city, migration)];
        for (_, series) in series.into_iter().filter(|(on, _)| *on) {
            if let Some(row) = rows.next() {
                let mut sum = 0.0;
                for (yi, (x, &e)) in row.iter_mut().zip(series).enumerate() {
                    sum += e;
                    *x = fixed_driver(if yi == 0 { 0.0 } else { sum / yi as f64 });
                }
            }
        }
        if self.delay_common {
            if let Some(row) = rows.next() {
                row.fill(fixed_driver(z));
            }
        }
        let drift = drift.chunks_exact(n_y).zip(&self.drift);
        for ((levels, _), row) in drift.filter(|(_, on)| **on).zip(rows) {
            for (x, &level) in row.iter_mut().zip(levels) {
                *x = fixed_driver(level);
            }
        }
    }
}

/// Exact sums behind every share: O(drivers × `ALL` cells), whatever the number of trials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sensitivity {
    n: u64,
    drivers: usize,
    years: usize,
    /// Per output (`ALL` row × year × [`METRICS`]): its index in a trial's values.
    outputs: Vec<usize>,
    /// `[driver × year]`.
    x: Vec<Sums>,
    /// `[output]`.
    y: Vec<Sums>,
    /// `[output × driver]`: Σxy.
    xy: Vec<i128>,
}

/// One output of [`Sensitivity`]: where it is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Output {
    /// Row number in the layout (an `ALL` row).
    pub row: usize,
    /// Year number.
    pub year: usize,
    /// Metric.
    pub metric: Metric,
}

impl Sensitivity {
    /// Empty sums for `layout`'s `ALL` cells and drivers.
    pub fn new(layout: &Layout) -> Self {
        let n_y = layout.years.len();
        let drivers = layout.drivers.len();
        let mut s = Self {
            n: 0,
            drivers,
            years: n_y,
            outputs: Vec::new(),
            x: vec![Sums::default(); drivers * n_y],
            y: Vec::new(),
            xy: Vec::new(),
        };
        for o in Self::cells(layout) {
            let m = Metric::ALL.iter().position(|&m| m == o.metric);
            let at = layout.cell(o.row, o.year) * Metric::COUNT + m.expect("metric is in ALL");
            s.outputs.push(at);
        }
        s.y = vec![Sums::default(); s.outputs.len()];
        s.xy = vec![0; s.outputs.len() * drivers];
        s
    }

    /// The outputs of `layout`, in output order.
    pub fn cells(layout: &Layout) -> impl Iterator<Item = Output> + '_ {
        let all = layout
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| r.place == Place::All);
        all.flat_map(move |(row, _)| {
            (0..layout.years.len())
                .flat_map(move |year| METRICS.map(|metric| Output { row, year, metric }))
        })
    }

    /// Records one trial: `drivers` as [`Drivers::fill`] wrote them, `values` its metrics.
    pub fn add(&mut self, drivers: &[i64], values: &[f64]) {
        if self.drivers == 0 {
            return;
        }
        self.n += 1;
        for (x, &d) in self.x.iter_mut().zip(drivers) {
            x.add(d);
        }
        let per_year = METRICS.len();
        for (o, (&at, y)) in self.outputs.iter().zip(&mut self.y).enumerate() {
            let q = fixed_output(values[at]);
            y.add(q);
            let year = (o / per_year) % self.years;
            let xy = &mut self.xy[o * self.drivers..(o + 1) * self.drivers];
            for (k, s) in xy.iter_mut().enumerate() {
                let p = drivers[k * self.years + year];
                *s = s.wrapping_add(i128::from(p) * i128::from(q));
            }
        }
    }

    /// Adds another accumulator's trials.
    pub fn merge(&mut self, other: &Self) {
        self.n += other.n;
        for (a, b) in self.x.iter_mut().zip(&other.x) {
            a.merge(b);
        }
        for (a, b) in self.y.iter_mut().zip(&other.y) {
            a.merge(b);
        }
        for (a, b) in self.xy.iter_mut().zip(&other.xy) {
            *a = a.wrapping_add(*b);
        }
    }

    /// The share of output number `output`'s variance that driver `driver` explains; `None`
    /// where either does not vary.
    pub fn share(&self, driver: usize, output: usize) -> Option<f64> {
        let year = (output / METRICS.len()) % self.years;
        r_squared(
            self.n,
            &self.x[driver * self.years + year],
            &self.y[output],
            self.xy[output * self.drivers + driver],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_drivers_are_running_means_and_drift_drivers_their_levels() {
        let d = Drivers {
            names: ["a", "b", "c", "d"].map(String::from).to_vec(),
            inputs: 1,
            births_city: false,
            migration_city: true,
            delay_common: true,
            drift: vec![false, true],
        };
        let mut out = [9; 12];
        let drift = [7.0, 7.0, 7.0, 0.0, 0.1, -0.2];
        d.fill(
            &[0.25],
            [&[0.0; 3], &[0.0, 0.2, 0.4]],
            -1.5,
            &drift,
            &mut out,
        );
        let expected = [
            0.25, 0.25, 0.25, 0.0, 0.2, 0.3, -1.5, -1.5, -1.5, 0.0, 0.1, -0.2,
        ];
        assert_eq!(out, expected.map(fixed_driver), "{out:?}");
    }
}
