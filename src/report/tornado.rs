//! `tornado.csv`: `stage,year,input,label_zh,label_en,low_value,high_value,shortfall_low,shortfall_high,change`
//! — for every stage (by age) and every driver of `sensitivity.csv` (in its order), the city's
//! shortfall in seats in the stage's worst year with the driver at its P5 and at its P95, the
//! rest central, and the signed change from low to high (see [`crate::engine::tornado`]).
//! `low_value`/`high_value` are the driver's value at each end: the first number of an input's
//! label, a city shock series' log shock, or the delay copula's common factor `Z`.

use std::io::Write;

use super::csv::number;
use crate::engine::tornado::{swings, worst_years};
use crate::engine::{Accumulator, Engine};

/// Column names of `tornado.csv`, in order.
pub const TORNADO_HEADER: [&str; 10] = [
    "stage",
    "year",
    "input",
    "label_zh",
    "label_en",
    "low_value",
    "high_value",
    "shortfall_low",
    "shortfall_high",
    "change",
];

/// Writes `tornado.csv`.
pub fn write_tornado(
    w: &mut impl Write,
    engine: &Engine,
    acc: &Accumulator,
) -> std::io::Result<()> {
    let (s, layout) = (engine.scenario(), engine.layout());
    let mut out = csv::Writer::from_writer(w);
    out.write_record(TORNADO_HEADER)?;
    for swing in swings(engine, &worst_years(engine, acc)) {
        let input = &layout.drivers[swing.driver];
        let name = s.driver_name(input);
        out.write_record([
            s.stages[swing.stage.0].id.as_str(),
            &layout.years[swing.year].to_string(),
            input,
            &name.zh,
            &name.en,
            &number(swing.low_value),
            &number(swing.high_value),
            &number(swing.shortfall_low),
            &number(swing.shortfall_high),
            &number(swing.change()),
        ])?;
    }
    out.flush()
}
