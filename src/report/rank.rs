//! The one ranking of a run's risks, shared by the terminal table, `risk.csv` (`rank`) and
//! the report (which reads `rank` from `risk.csv`).
//!
//! Ranked cells are the projected years (not the base year, which is observed) of the cells a
//! planner acts on: the districts of a district-catchment stage, and `ALL` of a city-catchment
//! one (a district stage's `ALL` is the sum of its districts and would outrank them all).
//! Severity is the expected seat-years short (`expected_shortfall`); ties — many cells are
//! never short — go to the seats needed to bring P(shortfall) under 10%, then
//! `p_super_large_classes`, `p_large_classes`, `p_shortfall`, and last to file order, so that
//! every rank is distinct.

use std::cmp::Ordering;

use super::csv::CellRisk;
use crate::engine::{Accumulator, Engine, Place};
use crate::scenario::Catchment;

/// Every cell's risk and, for the ranked cells, its rank (1 = most severe).
#[derive(Debug, Clone)]
pub struct Ranking {
    risks: Vec<CellRisk>,
    ranks: Vec<Option<u32>>,
    /// Ranked cells, most severe first.
    order: Vec<usize>,
}

impl Ranking {
    /// Ranks the cells of a finished run.
    pub fn new(engine: &Engine, acc: &Accumulator) -> Self {
        let layout = engine.layout();
        let risks: Vec<CellRisk> = (0..layout.n_cells())
            .map(|cell| CellRisk::of(acc, cell))
            .collect();
        let mut order: Vec<usize> = (0..layout.rows.len())
            .filter(|&row| is_ranked(engine, row))
            .flat_map(|row| (1..layout.years.len()).map(move |yi| layout.cell(row, yi)))
            .collect();
        order.sort_by(|&a, &b| more_severe(&risks[a], &risks[b]).then(a.cmp(&b)));
        let mut ranks = vec![None; risks.len()];
        for (k, &cell) in order.iter().enumerate() {
            ranks[cell] = Some(k as u32 + 1);
        }
        Self {
            risks,
            ranks,
            order,
        }
    }

    /// The risk of cell number `cell`.
    pub fn risk(&self, cell: usize) -> &CellRisk {
        &self.risks[cell]
    }

    /// The rank of cell number `cell`, if it is ranked.
    pub fn rank(&self, cell: usize) -> Option<u32> {
        self.ranks[cell]
    }

    /// The ranked cells, most severe first.
    pub fn ranked(&self) -> &[usize] {
        &self.order
    }
}

/// Whether row number `row` is one a planner acts on (see the module header).
pub fn is_ranked(engine: &Engine, row: usize) -> bool {
    let row = engine.layout().rows[row];
    row.place != Place::All || engine.scenario().stages[row.stage.0].catchment == Catchment::City
}

/// `Less` when `a` is more severe than `b`: the ranking's order.
fn more_severe(a: &CellRisk, b: &CellRisk) -> Ordering {
    let key = |r: &CellRisk| {
        [
            r.severity(),
            r.seats_for_p10,
            r.p_super_large_classes,
            r.p_large_classes,
            r.p_shortfall,
        ]
    };
    let (ka, kb) = (key(a), key(b));
    ka.iter()
        .zip(&kb)
        .map(|(x, y)| y.total_cmp(x))
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn risk(expected_shortfall: f64, seats_for_p10: f64, p_large_classes: f64) -> CellRisk {
        CellRisk {
            p_shortfall: 0.0,
            p_large_classes,
            p_super_large_classes: 0.0,
            p_underused: 0.0,
            expected_shortfall,
            seats_for_p10,
        }
    }

    #[test]
    fn seat_years_short_come_first_then_seats_for_p10_then_classes() {
        let (a, b, c) = (
            risk(100.0, 0.0, 0.0),
            risk(10.0, 500.0, 1.0),
            risk(10.0, 400.0, 1.0),
        );
        assert_eq!(more_severe(&a, &b), Ordering::Less);
        assert_eq!(more_severe(&b, &c), Ordering::Less);
        let (d, e) = (risk(0.0, 0.0, 0.4), risk(0.0, 0.0, 0.1));
        assert_eq!(more_severe(&d, &e), Ordering::Less);
        assert_eq!(more_severe(&e, &e), Ordering::Equal);
    }
}
