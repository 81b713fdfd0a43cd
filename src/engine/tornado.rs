//! The tornado in seats (DESIGN §2.5): for every driver of `sensitivity.csv` — each uncertain
//! input's label and each city shock series — the city's shortfall (district `ALL`) of each
//! stage in its worst year (the projection year of the largest expected shortfall over the
//! trials) when the driver moves from its low end (its P5) to its high end (its P95) with every
//! other driver, and every other random quantity, central. Deterministic re-runs: two per
//! driver, whatever the number of trials.

use super::layout::Place;
use super::{Accumulator, Engine};
use crate::model::metrics::Metric;
use crate::scenario::StageIx;

/// The quantile of a driver's low end.
pub const LOW: f64 = 0.05;
/// The quantile of a driver's high end.
pub const HIGH: f64 = 0.95;

/// One driver moved from low to high, and the city's shortfall of one stage at each end.
#[derive(Debug, Clone, PartialEq)]
pub struct Swing {
    /// The stage.
    pub stage: StageIx,
    /// The year number (0 = base year) of the stage's worst year.
    pub year: usize,
    /// The driver's number in [`super::Drivers`] (its name in `Layout::drivers`).
    pub driver: usize,
    /// The driver's value at its low end (see [`Engine::run_moved`]).
    pub low_value: f64,
    /// The driver's value at its high end.
    pub high_value: f64,
    /// The city's shortfall, in seats, with the driver at its low end.
    pub shortfall_low: f64,
    /// The city's shortfall, in seats, with the driver at its high end.
    pub shortfall_high: f64,
}

impl Swing {
    /// The signed change in seats from low to high.
    pub fn change(&self) -> f64 {
        self.shortfall_high - self.shortfall_low
    }
}

/// The worst year of every stage: the projection year of the largest expected city shortfall
/// in `acc` (the earliest of equals; the first projection year when the city is never short).
pub fn worst_years(engine: &Engine, acc: &Accumulator) -> Vec<usize> {
    let (s, layout) = (engine.scenario(), engine.layout());
    (0..s.stages.len())
        .map(|st| {
            let row = layout.row(Place::All, StageIx(st));
            let mean = |yi: usize| {
                row.and_then(|r| acc.metric(layout.cell(r, yi), Metric::Shortfall).summary())
                    .map_or(0.0, |m| m.mean)
            };
            (1..layout.years.len())
                .fold(None, |best: Option<(usize, f64)>, yi| match best {
                    Some((_, m)) if m >= mean(yi) => best,
                    _ => Some((yi, mean(yi))),
                })
                .map_or(0, |(yi, _)| yi)
        })
        .collect()
}

/// The swing of every driver in every stage's year `years[stage]`, stage by stage, drivers in
/// `sensitivity.csv`'s order.
pub fn swings(engine: &Engine, years: &[usize]) -> Vec<Swing> {
    let layout = engine.layout();
    let mut ws = engine.workspace();
    let mut ends = Vec::with_capacity(layout.drivers.len());
    for driver in 0..layout.drivers.len() {
        let mut end = |q| {
            let value = engine.run_moved(driver, q, &mut ws);
            (value, city_shortfalls(engine, &ws.values, years))
        };
        ends.push((end(LOW), end(HIGH)));
    }
    let mut out = Vec::new();
    for (st, &year) in years.iter().enumerate() {
        for (driver, ((low_value, low), (high_value, high))) in ends.iter().enumerate() {
            out.push(Swing {
                stage: StageIx(st),
                year,
                driver,
                low_value: *low_value,
                high_value: *high_value,
                shortfall_low: low[st],
                shortfall_high: high[st],
            });
        }
    }
    out
}

/// The city's shortfall of each stage in its year `years[stage]`, from one run's `values`.
fn city_shortfalls(engine: &Engine, values: &[f64], years: &[usize]) -> Vec<f64> {
    let layout = engine.layout();
    years
        .iter()
        .enumerate()
        .map(|(st, &yi)| {
            layout.row(Place::All, StageIx(st)).map_or(0.0, |row| {
                values[layout.cell(row, yi) * Metric::COUNT + Metric::Shortfall as usize]
            })
        })
        .collect()
}
