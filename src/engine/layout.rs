//! Which cells a run reports and where each lives in the flat per-trial value buffer.

use super::sensitivity::Drivers;
use crate::model::metrics::Metric;
use crate::scenario::{Catchment, DistrictIx, Scenario, StageIx, Year};

/// A district, or the whole city (`ALL`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// One district.
    District(DistrictIx),
    /// The city total, reported as district `ALL`.
    All,
}

/// One reported district (or `ALL`) × stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    /// Where.
    pub place: Place,
    /// Which stage.
    pub stage: StageIx,
}

/// The reported rows (districts in file order, then `ALL`; stages by age) and years.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Reported rows in output order.
    pub rows: Vec<Row>,
    /// Base year then projection years.
    pub years: Vec<Year>,
    /// Names of the drivers whose variance shares are reported ([`Drivers`]).
    pub drivers: Vec<String>,
    n_stages: usize,
    n_districts: usize,
    /// Row number of `(place slot, stage)`; slot `n_districts` is `ALL`.
    index: Vec<Option<usize>>,
}

impl Layout {
    /// The layout of a scenario: city-catchment stages are reported for `ALL` only.
    pub fn new(s: &Scenario) -> Self {
        let n_d = s.districts.len();
        let n_s = s.stages.len();
        let places = (0..n_d)
            .map(|d| Place::District(DistrictIx(d)))
            .chain([Place::All]);
        let mut rows = Vec::new();
        let mut index = vec![None; (n_d + 1) * n_s];
        for (slot, place) in places.enumerate() {
            for (st, stage) in s.stages.iter().enumerate() {
                if stage.catchment == Catchment::City && place != Place::All {
                    continue;
                }
                index[slot * n_s + st] = Some(rows.len());
                rows.push(Row {
                    place,
                    stage: StageIx(st),
                });
            }
        }
        Self {
            rows,
            years: s.years().collect(),
            drivers: Drivers::of(s).names,
            n_stages: n_s,
            n_districts: n_d,
            index,
        }
    }

    /// Row number of `place` × `stage`, if reported.
    pub fn row(&self, place: Place, stage: StageIx) -> Option<usize> {
        let slot = match place {
            Place::District(d) => d.0,
            Place::All => self.n_districts,
        };
        self.index[slot * self.n_stages + stage.0]
    }

    /// Number of row × year cells.
    pub fn n_cells(&self) -> usize {
        self.rows.len() * self.years.len()
    }

    /// Cell number of `row` in year number `year_ix`.
    pub fn cell(&self, row: usize, year_ix: usize) -> usize {
        row * self.years.len() + year_ix
    }

    /// Length of the per-trial value buffer: cells × metrics.
    pub fn n_values(&self) -> usize {
        self.n_cells() * Metric::COUNT
    }
}
