//! Results whose values outgrew what the statistics hold exactly ([`EXACT_RANGE`]) are refused
//! before anything is written or answered — better one message naming the cell than a wrong
//! mean or spread. `run`, `merge`, `compare` and `serve`'s what-ifs all go through here.

use crate::engine::{Accumulator, Engine, Place};
use crate::model::metrics::Metric;
use crate::stats::EXACT_RANGE;
use crate::Error;

/// Refuses the results of `engine`'s scenario when a metric left the range its statistics
/// hold exactly ([`EXACT_RANGE`]), naming the first such cell: growth that runs away is a
/// scenario error.
pub fn check_range(engine: &Engine, acc: &Accumulator) -> Result<(), Error> {
    match acc.out_of_range() {
        Some((cell, metric, value)) => Err(out_of_range(engine, cell, metric, value, "reaches")),
        None => Ok(()),
    }
}

/// The error for `metric` of `engine`'s cell number `cell`, which `what` `value` (e.g.
/// "reaches 3.4e12") in some trial.
pub fn out_of_range(engine: &Engine, cell: usize, metric: Metric, value: f64, what: &str) -> Error {
    let (s, layout) = (engine.scenario(), engine.layout());
    let years = layout.years.len();
    let row = layout.rows[cell / years];
    let place = match row.place {
        Place::District(d) => format!(
            "district {} ({})",
            s.districts[d.0].id, s.districts[d.0].name
        ),
        Place::All => "the city total (ALL)".to_string(),
    };
    Error::OutOfRange(format!(
        "{}: {} of {place}, stage {}, {} {what} {value:.3e} in some trial, beyond the ±{EXACT_RANGE:e} \
         seatsim summarises exactly; check what drives it: the district's births, rate_local, \
         rate_migrant and inflow, and the [births] and [migration] paths",
        s.file.display(),
        metric.name(),
        s.stages[row.stage.0].id,
        layout.years[cell % years].0,
    ))
}
