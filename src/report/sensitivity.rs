//! `sensitivity.csv` (DESIGN §2.5, §6): `input,district,stage,year,metric,share` — for every
//! driver (an uncertain input's label, or a city-level shock series `shock:births-city`,
//! `shock:migration-city`, `shock:delay-common`), every `ALL` cell and the metrics
//! `shortfall`, `demand`, `large_class_share`, the share of the metric's variance over the
//! trials that the driver explains (its squared correlation with the driver's number in each
//! trial; see [`crate::engine::Sensitivity`]). Drivers in scenario order, then stages by age,
//! years ascending, metrics in that order. `share` is empty where the driver or the metric does
//! not vary (e.g. the shock series in the base year, or a deterministic run).

use std::io::Write;

use super::csv::number;
use crate::engine::{Accumulator, Engine, Sensitivity};

/// Column names of `sensitivity.csv`, in order.
pub const SENSITIVITY_HEADER: [&str; 6] = ["input", "district", "stage", "year", "metric", "share"];

/// Writes `sensitivity.csv`.
pub fn write_sensitivity(
    w: &mut impl Write,
    engine: &Engine,
    acc: &Accumulator,
) -> std::io::Result<()> {
    let (s, layout) = (engine.scenario(), engine.layout());
    let mut out = csv::Writer::from_writer(w);
    out.write_record(SENSITIVITY_HEADER)?;
    let sens = acc.sensitivity();
    for (d, name) in layout.drivers.iter().enumerate() {
        for (o, cell) in Sensitivity::cells(layout).enumerate() {
            let stage = &s.stages[layout.rows[cell.row].stage.0].id;
            out.write_record([
                name.as_str(),
                "ALL",
                stage,
                &layout.years[cell.year].to_string(),
                cell.metric.name(),
                &sens.share(d, o).map_or(String::new(), number),
            ])?;
        }
    }
    out.flush()
}
