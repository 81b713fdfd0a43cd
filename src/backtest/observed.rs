//! The observed file of a backtest: tidy CSV `district,stage,year,metric,value` (`district`
//! may be `ALL`; other columns are ignored), checked row by row against the scenario. Every
//! error names the file and line, the bad value and what would be valid.

use std::collections::HashMap;
use std::path::Path;

use csv::StringRecord;

use crate::engine::{Engine, Place};
use crate::model::metrics::Metric;
use crate::scenario::{quoted, Scenario, ScenarioError, StageIx, Year};

/// The columns the observed file must have.
const COLUMNS: [&str; 5] = ["district", "stage", "year", "metric", "value"];

/// One observed value, located in the scenario's layout.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// Line of the observed file it came from.
    pub line: usize,
    /// District id, or `ALL`.
    pub district: String,
    /// Stage id.
    pub stage: String,
    /// The year observed.
    pub year: Year,
    /// Years after the scenario's base year (0 = the base year itself).
    pub horizon: i32,
    /// Which metric.
    pub metric: Metric,
    /// Cell number in the engine's layout.
    pub cell: usize,
    /// The observed value.
    pub value: f64,
}

/// What to do with a row whose year is outside the scenario's years.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtherYears {
    /// It is an error (one scenario, its own observed file).
    Refuse,
    /// It is left out: another origin of a rolling back-test scores it.
    Skip,
}

/// Reads and checks the observed file `path` against `engine`'s scenario and layout.
pub fn read_observed(
    path: &Path,
    engine: &Engine,
    other_years: OtherYears,
) -> Result<Vec<Observation>, ScenarioError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ScenarioError::in_file(path, format!("cannot read the file: {e}")))?;
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| csv_error(path, &e))?;
    let columns = columns(header).map_err(|m| ScenarioError::at_line(path, 1, m))?;
    let mut first_seen: HashMap<(usize, &str), usize> = HashMap::new();
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(path, &e))?;
        if record.iter().all(str::is_empty) {
            continue;
        }
        let line = record.position().map_or(0, |p| p.line() as usize);
        let fields = columns.map(|c| record.get(c).unwrap_or(""));
        if other_years == OtherYears::Skip && !in_years(engine.scenario(), fields[2]) {
            continue;
        }
        let obs = parse(engine, line, fields).map_err(|m| ScenarioError::at_line(path, line, m))?;
        if let Some(first) = first_seen.insert((obs.cell, obs.metric.name()), line) {
            let message = format!(
                "duplicate observation: same district, stage, year and metric as line {first}"
            );
            return Err(ScenarioError::at_line(path, line, message));
        }
        out.push(obs);
    }
    if out.is_empty() {
        let s = engine.scenario();
        let message = format!(
            "no observations of the years {}–{}: expected rows of {}",
            s.base_year,
            s.horizon,
            COLUMNS.join(",")
        );
        return Err(ScenarioError::in_file(path, message));
    }
    Ok(out)
}

/// Position of each of [`COLUMNS`] in the header.
fn columns(header: &StringRecord) -> Result<[usize; 5], String> {
    let mut at = [0; 5];
    for (slot, name) in at.iter_mut().zip(COLUMNS) {
        *slot = header.iter().position(|h| h == name).ok_or_else(|| {
            format!(
                "missing column `{name}`: expected columns {}",
                COLUMNS.join(",")
            )
        })?;
    }
    Ok(at)
}

fn csv_error(path: &Path, e: &csv::Error) -> ScenarioError {
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("this row has {len} fields but the header has {expected_len}"),
        _ => e.to_string(),
    };
    match e.position() {
        Some(p) => ScenarioError::at_line(path, p.line() as usize, message),
        None => ScenarioError::in_file(path, message),
    }
}

/// Checks one row's fields (in [`COLUMNS`] order) and locates them in the layout.
fn parse(engine: &Engine, line: usize, fields: [&str; 5]) -> Result<Observation, String> {
    let [district, stage, year, metric, value] = fields;
    let s = engine.scenario();
    let place = place(s, required("district", district)?)?;
    let stage_ix = stage_ix(s, required("stage", stage)?)?;
    let row = engine.layout().row(place, stage_ix).ok_or_else(|| {
        format!("stage {stage} is pooled city-wide (catchment = \"city\"): use district ALL")
    })?;
    let year = year_of(s, required("year", year)?)?;
    let horizon = year.0 - s.base_year.0;
    Ok(Observation {
        line,
        district: district.to_string(),
        stage: stage.to_string(),
        year,
        horizon,
        metric: metric_of(required("metric", metric)?)?,
        cell: engine.layout().cell(row, horizon as usize),
        value: value_of(required("value", value)?)?,
    })
}

fn required<'a>(column: &str, text: &'a str) -> Result<&'a str, String> {
    match text {
        "" => Err(format!("{column} is empty: a value is required")),
        s => Ok(s),
    }
}

fn place(s: &Scenario, id: &str) -> Result<Place, String> {
    if id == "ALL" {
        return Ok(Place::All);
    }
    s.district_ix(id).map(Place::District).ok_or_else(|| {
        let ids: Vec<&str> = s.districts.iter().map(|d| d.id.as_str()).collect();
        format!(
            "district = \"{}\": not a district of the scenario (expected one of {}, or ALL)",
            quoted(id),
            ids.join(", ")
        )
    })
}

fn stage_ix(s: &Scenario, id: &str) -> Result<StageIx, String> {
    s.stage_ix(id).ok_or_else(|| {
        let ids: Vec<&str> = s.stages.iter().map(|st| st.id.as_str()).collect();
        format!(
            "stage = \"{}\": not a stage of the scenario (expected one of {})",
            quoted(id),
            ids.join(", ")
        )
    })
}

/// Whether `text` is a year of the scenario (anything else is checked by [`year_of`]).
fn in_years(s: &Scenario, text: &str) -> bool {
    text.parse::<i32>()
        .map_or(true, |y| (s.base_year..=s.horizon).contains(&Year(y)))
}

fn year_of(s: &Scenario, text: &str) -> Result<Year, String> {
    let year = text
        .parse::<i32>()
        .map(Year)
        .map_err(|_| format!("year = \"{}\": not a whole number", quoted(text)))?;
    if (s.base_year..=s.horizon).contains(&year) {
        Ok(year)
    } else {
        Err(format!(
            "year = {year}: outside the scenario's years {}–{}",
            s.base_year, s.horizon
        ))
    }
}

fn metric_of(name: &str) -> Result<Metric, String> {
    Metric::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = Metric::ALL.iter().map(|m| m.name()).collect();
        format!(
            "metric = \"{}\": unknown (expected one of {})",
            quoted(name),
            names.join(", ")
        )
    })
}

fn value_of(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        Ok(_) => Err(format!("value = {}: must be a finite number", quoted(text))),
        Err(_) => Err(format!("value = \"{}\": not a number", quoted(text))),
    }
}
