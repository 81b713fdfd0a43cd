//! The observed file of a backtest: tidy CSV `district,stage,year,metric,value` (`district`
//! may be `ALL`; other columns are ignored), checked row by row against the scenario. Every
//! error names the file and line, the bad value and what would be valid.

use std::collections::HashMap;
use std::path::Path;

use crate::engine::{Engine, Place};
use crate::model::metrics::Metric;
use crate::scenario::{
    quoted, CsvTable, Fields, Reads, Scenario, ScenarioError, Stage, StageIx, Year,
};

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

/// Reads and checks the observed file `path` against `engine`'s scenario and layout. It is
/// read as a scenario's tables are (UTF-8 with or without BOM, or GB18030; CRLF; blank lines),
/// its other columns ignored.
pub fn read_observed(
    path: &Path,
    engine: &Engine,
    other_years: OtherYears,
) -> Result<Vec<Observation>, ScenarioError> {
    let table = CsvTable::read_among_others(path, &COLUMNS, &mut Reads::default())?;
    let mut first_seen: HashMap<(usize, &str), usize> = HashMap::new();
    let mut out = Vec::new();
    for row in table.rows() {
        let fields = COLUMNS.map(|c| row.raw(c));
        if other_years == OtherYears::Skip && !in_years(engine.scenario(), fields[2]) {
            continue;
        }
        let obs = parse(engine, row.line(), fields).map_err(|m| row.error(m))?;
        if let Some(first) = first_seen.insert((obs.cell, obs.metric.name()), row.line()) {
            return Err(row.error(format!(
                "duplicate observation: same district, stage, year and metric as line {first}"
            )));
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
    let metric = metric_of(required("metric", metric)?, &s.stages[stage_ix.0])?;
    Ok(Observation {
        line,
        district: district.to_string(),
        stage: stage.to_string(),
        year,
        horizon,
        metric,
        cell: engine.layout().cell(row, horizon as usize),
        value: value_of(metric, required("value", value)?)?,
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

/// The metric called `name`, which `stage` must have in this scenario.
fn metric_of(name: &str, stage: &Stage) -> Result<Metric, String> {
    let metric = Metric::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = Metric::ALL.iter().map(|m| m.name()).collect();
        format!(
            "metric = \"{}\": unknown (expected one of {})",
            quoted(name),
            names.join(", ")
        )
    })?;
    if metric.defined_for(stage) {
        return Ok(metric);
    }
    let st = &stage.id;
    let why = match metric {
        Metric::TeachersNeeded => "no [teachers] ratio".to_string(),
        Metric::Spending => format!("no [costs.{st}]"),
        Metric::SurgeClasses => format!("no [stages.{st}] surge"),
        _ => "no estates in housing.csv".to_string(),
    };
    Err(format!(
        "metric = \"{name}\": stage {st} has none in this scenario ({why})"
    ))
}

/// The observed value of `metric`: a finite number the metric can take — never negative, and
/// a share at most 1 (a percentage is the usual slip).
fn value_of(metric: Metric, text: &str) -> Result<f64, String> {
    let x = match text.parse::<f64>() {
        Ok(x) if x.is_finite() => x,
        Ok(_) => return Err(format!("value = {}: must be a finite number", quoted(text))),
        Err(_) => return Err(format!("value = \"{}\": not a number", quoted(text))),
    };
    let name = metric.name();
    let share = matches!(
        metric,
        Metric::LargeClassShare | Metric::SuperLargeClassShare | Metric::MigrantShare
    );
    if x < 0.0 {
        Err(format!(
            "value = {text}: {name} is never negative: must be ≥ 0"
        ))
    } else if share && x > 1.0 {
        Err(format!(
            "value = {text}: {name} is a share from 0 to 1 ({text}% is {})",
            (x * 1e8).round() / 1e10
        ))
    } else {
        Ok(x)
    }
}
