//! Reading a finished run folder (`run.json`, `summary.csv`, `risk.csv`) into checked values the
//! charts draw from; every district, stage and year must agree with `run.json`.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::PlotError;
use crate::report::csv::{RISK_HEADER, SUMMARY_HEADER};
use crate::scenario::quoted;

/// District id of the city totals.
pub(crate) const ALL: &str = "ALL";

/// The parts of `run.json` the charts use; unknown fields are ignored so the file can grow.
#[derive(Debug, Deserialize)]
pub(crate) struct RunInfo {
    /// Version of seatsim that ran.
    pub seatsim_version: Option<String>,
    /// The scenario run.
    pub scenario: ScenarioInfo,
    /// Seed of the random streams.
    pub seed: Option<u64>,
    /// Monte Carlo trials.
    pub trials: Option<u64>,
    /// Worker threads used.
    pub threads: Option<u64>,
    /// Whether every shock was held at its central value.
    pub deterministic: Option<bool>,
    /// The observed year.
    pub base_year: i32,
    /// The last projected year.
    pub horizon: i32,
    /// Wall-clock time of the run.
    pub elapsed_seconds: Option<f64>,
    /// Districts in the scenario's order.
    pub districts: Vec<DistrictInfo>,
    /// Stages in the scenario's order.
    pub stages: Vec<StageInfo>,
    /// Class-size standards.
    pub standards: Option<Standards>,
    /// Warning thresholds: level (`red`, `amber`) → `risk.csv` column → threshold.
    pub warnings: Option<BTreeMap<String, BTreeMap<String, f64>>>,
    /// File name of the boundaries in the run folder, if the scenario has a map.
    pub map: Option<String>,
}

/// The scenario a run came from.
#[derive(Debug, Deserialize)]
pub(crate) struct ScenarioInfo {
    /// Scenario name.
    pub name: String,
    /// Path of the scenario file.
    pub file: Option<String>,
    /// SHA-256 of the scenario file.
    pub sha256: Option<String>,
}

/// A district as the scenario names it, and where it is on the map.
#[derive(Debug, Deserialize)]
pub(crate) struct DistrictInfo {
    /// ASCII id used in the CSV files.
    pub id: String,
    /// Name in the scenario's own language and script.
    pub name: String,
    /// Romanised name, for PNG charts whose font lacks the scenario's script.
    pub name_en: Option<String>,
    /// The GeoJSON feature the district is drawn as (or inside).
    pub map_feature: Option<String>,
    /// How the district appears on the map.
    pub map_kind: Option<MapKind>,
}

/// How a district appears on the map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum MapKind {
    /// The district is the map feature's polygon.
    Polygon,
    /// A functional zone with no polygon of its own, drawn as a circle inside the feature.
    Point,
}

/// A school stage.
#[derive(Debug, Deserialize)]
pub(crate) struct StageInfo {
    /// ASCII id used in the CSV files.
    pub id: String,
    /// First and last age of the stage.
    pub ages: Option<[u32; 2]>,
    /// Standard class size.
    pub class_size: Option<u32>,
    /// `district`, or `city` for a stage pooled city-wide.
    pub catchment: Option<String>,
    /// Pupils per teacher, if the scenario has `[teachers]` for the stage.
    pub pupils_per_teacher: Option<f64>,
    /// Yuan per seat of a new school, if the scenario has `[costs]` for the stage.
    pub seat_cost_new: Option<f64>,
}

impl StageInfo {
    /// Whether the stage is pooled city-wide and so reported for `ALL` only.
    pub fn is_city_wide(&self) -> bool {
        self.catchment.as_deref() == Some("city")
    }
}

/// Class-size standards of the scenario.
#[derive(Debug, Deserialize)]
pub(crate) struct Standards {
    /// Pupils from which a class is large.
    pub large_class: Option<f64>,
    /// Pupils from which a class is super-large.
    pub super_large_class: Option<f64>,
    /// Share of large classes the policy tolerates (`p_large_classes` counts trials above it).
    pub large_class_target: Option<f64>,
    /// Share of demand a cell may be short before `p_shortfall` counts it.
    pub shortfall_tolerance: Option<f64>,
}

impl Standards {
    /// When a trial counts as short, for chart text: "has more pupils than public seats", or
    /// beyond the tolerance "is short of more than 1% of its demand in public seats".
    pub fn shortfall_event(standards: Option<&Self>) -> String {
        match standards
            .and_then(|s| s.shortfall_tolerance)
            .filter(|&t| t > 0.0)
        {
            Some(t) => format!(
                "is short of more than {} of its demand in public seats",
                super::labels::percent(t)
            ),
            None => "has more pupils than public seats".into(),
        }
    }
}

/// P5, P25, P50, P75 and P95 of one quantity in one year.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Quantiles {
    /// Mean over the trials (0 when `summary.csv` leaves it empty).
    pub mean: f64,
    /// 5th percentile.
    pub p05: f64,
    /// 25th percentile.
    pub p25: f64,
    /// Median.
    pub p50: f64,
    /// 75th percentile.
    pub p75: f64,
    /// 95th percentile.
    pub p95: f64,
}

/// Demand quantiles and median capacity of one district-stage, by year.
#[derive(Debug, Default)]
pub(crate) struct Trajectory {
    /// Demand for public seats, by year.
    pub demand: BTreeMap<i32, Quantiles>,
    /// Median seats, by year.
    pub capacity: BTreeMap<i32, f64>,
}

/// The warning level of a district-stage-year, from `risk.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Warning {
    /// Below the amber thresholds.
    Green,
    /// At or above an amber threshold.
    Amber,
    /// At or above a red threshold.
    Red,
    /// The base year: observed, not warned.
    Observed,
}

impl Warning {
    /// The level as written in `risk.csv`.
    pub fn name(self) -> &'static str {
        match self {
            Warning::Green => "green",
            Warning::Amber => "amber",
            Warning::Red => "red",
            Warning::Observed => "observed",
        }
    }
}

/// One row of `risk.csv`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct RiskRow {
    /// District id, or `ALL`.
    pub district: String,
    /// Stage id.
    pub stage: String,
    /// School year.
    pub year: i32,
    /// Probability that demand exceeds seats.
    pub p_shortfall: Option<f64>,
    /// Probability of some large classes.
    pub p_large_classes: Option<f64>,
    /// Probability of super-large classes beyond the target.
    pub p_super_large_classes: Option<f64>,
    /// Expected shortfall in pupils.
    pub expected_shortfall: Option<f64>,
    /// Probability that utilisation is below the under-use threshold.
    pub p_underused: Option<f64>,
    /// Seats to add so that P(shortfall) falls under 10% (P90 of shortfall), if the run wrote it.
    pub seats_for_p10: Option<f64>,
    /// Place in the run's one ranking (1 = most severe), if the run wrote it.
    pub rank: Option<u32>,
    /// Warning level.
    pub warning: Warning,
}

impl RiskRow {
    /// Checks that probabilities lie in 0–1 and the expected shortfall is a finite number ≥ 0.
    fn check(&self) -> Result<(), String> {
        let probabilities = [
            ("p_shortfall", self.p_shortfall),
            ("p_large_classes", self.p_large_classes),
        ];
        for (name, p) in probabilities {
            if let Some(p) = p.filter(|p| !(0.0..=1.0).contains(p)) {
                return Err(format!("{name} = {p}: must be between 0 and 1"));
            }
        }
        match self.expected_shortfall {
            Some(e) if !(e.is_finite() && e >= 0.0) => Err(format!(
                "expected_shortfall = {e}: must be a finite number ≥ 0"
            )),
            _ => Ok(()),
        }
    }
}

/// A run folder, read and checked.
#[derive(Debug)]
pub(crate) struct Run {
    /// The run folder.
    pub dir: PathBuf,
    /// Its `run.json`.
    pub info: RunInfo,
    /// Demand and capacity by (district, stage), from `summary.csv`.
    pub trajectories: BTreeMap<(String, String), Trajectory>,
    /// Quantiles of every metric of `summary.csv`, by (district, stage, year, metric).
    metrics: HashMap<(String, String, i32, String), Quantiles>,
    /// The rows of `risk.csv`, in file order.
    pub risk: Vec<RiskRow>,
    /// Position in `risk` of each (district, stage, year).
    risk_index: HashMap<(String, String, i32), usize>,
}

impl Run {
    /// Reads `run.json`, `summary.csv` and `risk.csv` from `dir`.
    pub fn load(dir: &Path) -> Result<Run, PlotError> {
        Run::read(dir, &|path| {
            let file = File::open(path).map_err(|source| PlotError::Read {
                path: path.to_path_buf(),
                source,
            })?;
            Ok(Box::new(file))
        })
    }

    /// The run whose `run.json`, `summary.csv` and `risk.csv` are these bytes, held in memory
    /// (a live what-if); `dir` names it in errors.
    pub fn from_memory(
        dir: &Path,
        run_json: &[u8],
        summary: &[u8],
        risk: &[u8],
    ) -> Result<Run, PlotError> {
        Run::read(dir, &|path| {
            let bytes = match path.file_name().and_then(|n| n.to_str()) {
                Some("run.json") => run_json,
                Some("summary.csv") => summary,
                _ => risk,
            };
            Ok(Box::new(bytes))
        })
    }

    /// Reads and checks the run's three files, each opened by `open` from its path in `dir`.
    fn read<'a>(dir: &Path, open: &Open<'a>) -> Result<Run, PlotError> {
        let path = dir.join("run.json");
        let info = read_run_info(&path, open(&path)?)?;
        let index = Index::new(&info);
        let path = dir.join("summary.csv");
        let (trajectories, metrics) = read_summary(&path, open(&path)?, &index)?;
        let path = dir.join("risk.csv");
        let risk = read_risk(&path, open(&path)?, &index)?;
        let risk_index = risk
            .iter()
            .enumerate()
            .map(|(i, r)| ((r.district.clone(), r.stage.clone(), r.year), i))
            .collect();
        Ok(Run {
            dir: dir.to_path_buf(),
            info,
            trajectories,
            metrics,
            risk,
            risk_index,
        })
    }

    /// The `risk.csv` row of a district-stage-year.
    pub fn risk_at(&self, district: &str, stage: &str, year: i32) -> Option<&RiskRow> {
        let key = (district.to_string(), stage.to_string(), year);
        self.risk_index.get(&key).map(|&i| &self.risk[i])
    }

    /// The quantiles of `metric` in a district-stage-year, if `summary.csv` has them all.
    pub fn metric(
        &self,
        district: &str,
        stage: &str,
        year: i32,
        metric: &str,
    ) -> Option<Quantiles> {
        let key = (
            district.to_string(),
            stage.to_string(),
            year,
            metric.to_string(),
        );
        self.metrics.get(&key).copied()
    }

    /// The riskiest year of a district-stage (see [`by_risk`]).
    pub fn peak_risk(&self, district: &str, stage: &str) -> Option<&RiskRow> {
        self.years()
            .filter_map(|year| self.risk_at(district, stage, year))
            .max_by(|a, b| by_risk(a, b))
    }

    /// The district called `id`, if the scenario has it (`ALL` has none).
    pub fn district(&self, id: &str) -> Option<&DistrictInfo> {
        self.info.districts.iter().find(|d| d.id == id)
    }

    /// The years of the run, base year first.
    pub fn years(&self) -> std::ops::RangeInclusive<i32> {
        self.info.base_year..=self.info.horizon
    }
}

/// Orders risk rows from least to most severe: by the run's `rank` where both rows have one (a
/// ranked row is above an unranked one), else by `p_shortfall`, then `expected_shortfall`; a
/// missing value ranks lowest.
pub(crate) fn by_risk(a: &RiskRow, b: &RiskRow) -> Ordering {
    match (a.rank, b.rank) {
        (Some(ra), Some(rb)) => return rb.cmp(&ra),
        (Some(_), None) => return Ordering::Greater,
        (None, Some(_)) => return Ordering::Less,
        (None, None) => {}
    }
    let key = |r: &RiskRow| {
        (
            r.p_shortfall.unwrap_or(f64::NEG_INFINITY),
            r.expected_shortfall.unwrap_or(f64::NEG_INFINITY),
        )
    };
    let (ka, kb) = (key(a), key(b));
    ka.0.total_cmp(&kb.0).then(ka.1.total_cmp(&kb.1))
}

/// Opens one of a run's files, by its path.
type Open<'a> = dyn Fn(&Path) -> Result<Box<dyn Read + 'a>, PlotError> + 'a;

/// Reads and checks `run.json` (at `path`) from `reader`.
fn read_run_info(path: &Path, mut reader: impl Read) -> Result<RunInfo, PlotError> {
    let mut text = String::new();
    reader
        .read_to_string(&mut text)
        .map_err(|source| PlotError::Read {
            path: path.to_path_buf(),
            source,
        })?;
    let info: RunInfo = serde_json::from_str(&text).map_err(|e| PlotError::Invalid {
        path: path.to_path_buf(),
        line: Some(e.line() as u64),
        message: e.to_string(),
    })?;
    if info.horizon < info.base_year {
        return Err(invalid(
            path,
            None,
            format!(
                "horizon {} is before base_year {}",
                info.horizon, info.base_year
            ),
        ));
    }
    Ok(info)
}

/// What a CSV row may name: the run's districts (plus `ALL`), stages and years.
struct Index {
    districts: HashSet<String>,
    stages: HashSet<String>,
    years: std::ops::RangeInclusive<i32>,
}

impl Index {
    /// The index of `info`.
    fn new(info: &RunInfo) -> Index {
        let mut districts: HashSet<String> = info.districts.iter().map(|d| d.id.clone()).collect();
        districts.insert(ALL.to_string());
        Index {
            districts,
            stages: info.stages.iter().map(|s| s.id.clone()).collect(),
            years: info.base_year..=info.horizon,
        }
    }

    /// Checks that a row's district, stage and year belong to the run.
    fn check(&self, district: &str, stage: &str, year: i32) -> Result<(), String> {
        if !self.districts.contains(district) {
            return Err(format!(
                "district `{}` is not in run.json (nor `{ALL}`)",
                quoted(district)
            ));
        }
        if !self.stages.contains(stage) {
            return Err(format!("stage `{}` is not in run.json", quoted(stage)));
        }
        if !self.years.contains(&year) {
            return Err(format!(
                "year {year} is outside the run's years {}–{}",
                self.years.start(),
                self.years.end()
            ));
        }
        Ok(())
    }
}

/// One row of `summary.csv`.
#[derive(Debug, Deserialize)]
struct SummaryRow {
    district: String,
    stage: String,
    year: i32,
    metric: String,
    mean: Option<f64>,
    sd: Option<f64>,
    p05: Option<f64>,
    p25: Option<f64>,
    p50: Option<f64>,
    p75: Option<f64>,
    p95: Option<f64>,
}

impl SummaryRow {
    /// Checks that every number given is finite.
    fn check_finite(&self) -> Result<(), String> {
        let values = [
            self.mean, self.sd, self.p05, self.p25, self.p50, self.p75, self.p95,
        ];
        match values.into_iter().flatten().find(|v| !v.is_finite()) {
            Some(v) => Err(format!(
                "{} has the value {v}: must be a finite number",
                self.metric
            )),
            None => Ok(()),
        }
    }

    /// The five quantiles, if none is empty.
    fn quantiles(&self) -> Option<Quantiles> {
        Some(Quantiles {
            mean: self.mean.unwrap_or(0.0),
            p05: self.p05?,
            p25: self.p25?,
            p50: self.p50?,
            p75: self.p75?,
            p95: self.p95?,
        })
    }
}

/// Reads the demand and capacity trajectories from `summary.csv` (at `path`) in `reader`.
fn read_summary(
    path: &Path,
    reader: impl Read,
    index: &Index,
) -> Result<(Trajectories, Metrics), PlotError> {
    let mut out: Trajectories = BTreeMap::new();
    let mut metrics: Metrics = HashMap::new();
    // `min` and `max` are not drawn: folders written before they existed still plot.
    read_csv_from(path, reader, &SUMMARY_HEADER[..11], |row: SummaryRow| {
        index.check(&row.district, &row.stage, row.year)?;
        row.check_finite()?;
        let key = (row.district.clone(), row.stage.clone());
        if let Some(q) = row.quantiles() {
            let cell = (row.district.clone(), row.stage.clone(), row.year);
            metrics.insert((cell.0, cell.1, cell.2, row.metric.clone()), q);
        }
        match (row.metric.as_str(), row.quantiles()) {
            ("demand", Some(q)) => {
                out.entry(key).or_default().demand.insert(row.year, q);
            }
            ("capacity", Some(q)) => {
                out.entry(key).or_default().capacity.insert(row.year, q.p50);
            }
            _ => {}
        }
        Ok(())
    })?;
    out.retain(|_, t| !t.demand.is_empty());
    if out.is_empty() {
        return Err(invalid(
            path,
            None,
            "no row with metric `demand` and all quantiles".into(),
        ));
    }
    Ok((out, metrics))
}

/// Demand and capacity by (district, stage).
type Trajectories = BTreeMap<(String, String), Trajectory>;
/// Quantiles by (district, stage, year, metric).
type Metrics = HashMap<(String, String, i32, String), Quantiles>;

/// Reads and checks `risk.csv` (at `path`) from `reader`.
fn read_risk(path: &Path, reader: impl Read, index: &Index) -> Result<Vec<RiskRow>, PlotError> {
    let mut out = Vec::new();
    // `seats_for_p10`, `severity` and `rank` are optional: folders written before they
    // existed still plot.
    read_csv_from(path, reader, &RISK_HEADER[..9], |row: RiskRow| {
        index.check(&row.district, &row.stage, row.year)?;
        row.check()?;
        out.push(row);
        Ok(())
    })?;
    Ok(out)
}

/// Reads a CSV file with the given columns, handing each row to `each`; an `Err` from `each`
/// becomes a `PlotError` naming the file and line.
pub(crate) fn read_csv<T: DeserializeOwned>(
    path: &Path,
    columns: &[&str],
    each: impl FnMut(T) -> Result<(), String>,
) -> Result<(), PlotError> {
    let file = File::open(path).map_err(|source| PlotError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    read_csv_from(path, file, columns, each)
}

/// [`read_csv`] of a table that may have no rows (a plan that builds nothing).
pub(crate) fn read_csv_maybe_empty<T: DeserializeOwned>(
    path: &Path,
    columns: &[&str],
    each: impl FnMut(T) -> Result<(), String>,
) -> Result<(), PlotError> {
    match read_csv(path, columns, each) {
        Err(PlotError::Invalid { line: None, .. }) if has_header_only(path) => Ok(()),
        other => other,
    }
}

/// Whether the CSV file at `path` is one header line and nothing else.
fn has_header_only(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|text| text.trim_end().lines().count() == 1)
}

/// [`read_csv`] of the CSV text in `input`, `path` naming it in errors.
fn read_csv_from<T: DeserializeOwned>(
    path: &Path,
    input: impl Read,
    columns: &[&str],
    mut each: impl FnMut(T) -> Result<(), String>,
) -> Result<(), PlotError> {
    let mut reader = csv::Reader::from_reader(input);
    let headers = reader.headers().map_err(|e| csv_error(path, &e))?.clone();
    if let Some(missing) = columns.iter().find(|c| !headers.iter().any(|h| h == **c)) {
        let message = format!(
            "header has no column `{missing}`; expected `{}`",
            columns.join(",")
        );
        return Err(invalid(path, Some(1), message));
    }
    let mut rows = 0usize;
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(path, &e))?;
        let line = record.position().map(|p| p.line());
        let row: T = record
            .deserialize(Some(&headers))
            .map_err(|e| invalid(path, line, deserialize_message(&e, &headers)))?;
        each(row).map_err(|message| invalid(path, line, message))?;
        rows += 1;
    }
    match rows {
        0 => Err(invalid(path, None, "has a header but no data rows".into())),
        _ => Ok(()),
    }
}

/// A `PlotError::Invalid` for `path`.
pub(crate) fn invalid(path: &Path, line: Option<u64>, message: String) -> PlotError {
    PlotError::Invalid {
        path: path.to_path_buf(),
        line,
        message,
    }
}

/// A `PlotError` for a CSV error that is not about one field (bad UTF-8, ragged rows, I/O).
fn csv_error(path: &Path, e: &csv::Error) -> PlotError {
    let line = e.position().map(|p| p.line());
    match e.kind() {
        csv::ErrorKind::Io(io) => PlotError::Read {
            path: path.to_path_buf(),
            source: std::io::Error::new(io.kind(), io.to_string()),
        },
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => invalid(
            path,
            line,
            format!("{len} fields where the header has {expected_len}"),
        ),
        csv::ErrorKind::Utf8 { .. } => invalid(path, line, "is not valid UTF-8".into()),
        _ => invalid(path, line, e.to_string()),
    }
}

/// "column `year`: invalid digit…" for a field that does not parse.
fn deserialize_message(e: &csv::Error, headers: &csv::StringRecord) -> String {
    match e.kind() {
        csv::ErrorKind::Deserialize { err, .. } => {
            let column = err.field().and_then(|i| headers.get(i as usize));
            match column {
                Some(column) => format!("column `{column}`: {}", err.kind()),
                None => err.kind().to_string(),
            }
        }
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_text_counts_a_shortfall_as_risk_csv_does() {
        let with = |tolerance| Standards {
            large_class: Some(56.0),
            super_large_class: Some(66.0),
            large_class_target: None,
            shortfall_tolerance: tolerance,
        };
        let event = |t| Standards::shortfall_event(Some(&with(t)));
        assert_eq!(event(None), "has more pupils than public seats");
        assert_eq!(event(Some(0.0)), "has more pupils than public seats");
        assert_eq!(
            event(Some(0.01)),
            "is short of more than 1% of its demand in public seats"
        );
        assert_eq!(
            Standards::shortfall_event(None),
            "has more pupils than public seats"
        );
    }

    #[test]
    fn index_rejects_unknown_district_stage_and_year() {
        let info: RunInfo = serde_json::from_str(
            r#"{"scenario":{"name":"x"},"base_year":2020,"horizon":2022,"new_field":1,
                "districts":[{"id":"a","name":"甲"}],"stages":[{"id":"primary"}],"map":null}"#,
        )
        .expect("minimal run.json parses");
        let index = Index::new(&info);
        assert!(index.check("a", "primary", 2021).is_ok());
        assert!(index.check(ALL, "primary", 2020).is_ok());
        assert!(index
            .check("b", "primary", 2021)
            .unwrap_err()
            .contains("`b`"));
        assert!(index
            .check("a", "senior", 2021)
            .unwrap_err()
            .contains("`senior`"));
        assert!(index
            .check("a", "primary", 2023)
            .unwrap_err()
            .contains("2023"));
    }

    #[test]
    fn the_runs_rank_orders_rows_before_probabilities_do() {
        let row = |p: f64, rank: Option<u32>| RiskRow {
            district: "a".into(),
            stage: "primary".into(),
            year: 2021,
            p_shortfall: Some(p),
            p_large_classes: None,
            p_super_large_classes: None,
            expected_shortfall: None,
            p_underused: None,
            seats_for_p10: None,
            rank,
            warning: Warning::Red,
        };
        // Rank 1 is the most severe, whatever the probabilities say; a ranked row outranks an
        // unranked one (the base year has no rank); without ranks, P(shortfall) decides.
        assert_eq!(
            by_risk(&row(0.2, Some(1)), &row(0.9, Some(2))),
            Ordering::Greater
        );
        assert_eq!(
            by_risk(&row(0.2, Some(7)), &row(1.0, None)),
            Ordering::Greater
        );
        assert_eq!(by_risk(&row(0.2, None), &row(0.9, None)), Ordering::Less);
    }
}
