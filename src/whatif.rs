//! The engine-side core of a live what-if (DESIGN §10, `POST /api/whatif`): a scenario with
//! [`Change`]s applied after its own, run with its unchanged self on the same trials and seed,
//! answered as `risk.csv` and `compare.csv` rows — JSON objects with the CSV's column names,
//! written by the very writers of `run` and `compare`, so the page and the files never differ.
//! A web server calls [`answer`]; it is not one.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::compare::{write_diffs, Comparison};
use crate::engine::Engine;
use crate::report::csv::write_risk;
use crate::scenario::{Change, Scenario};
use crate::Error;

/// Most trials one what-if may ask for: a page answers in about a second at its default, and
/// a request must not tie up the machine.
pub const MAX_TRIALS: u64 = 100_000;

/// The body of `POST /api/whatif`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// Trials to run (1 to [`MAX_TRIALS`]).
    pub trials: u64,
    /// Random seed (default: the scenario's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// The edits, applied in order after the scenario's own `[[changes]]`.
    #[serde(default)]
    pub changes: Vec<Change>,
}

/// The answer: the what-if's `risk.csv` rows and its `compare.csv` rows against the unchanged
/// scenario, each row an object keyed by the CSV's column names (numbers as numbers, an empty
/// field as `null`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Response {
    /// Rows of `risk.csv`.
    pub risk: Vec<Map<String, Value>>,
    /// Rows of `compare.csv` (what-if − unchanged).
    pub compare: Vec<Map<String, Value>>,
}

/// Runs the what-if `request` on the scenario at `path` with `threads` workers; `cancel` stops
/// a superseded run ([`Error::Interrupted`]). A bad change is [`Error::Scenario`], with the
/// message the command line gives, the change named `change #k`.
pub fn answer(
    path: &Path,
    request: &Request,
    threads: usize,
    cancel: &AtomicBool,
) -> Result<Response, Error> {
    if !(1..=MAX_TRIALS).contains(&request.trials) {
        return Err(Error::Usage(format!(
            "trials = {}: must be from 1 to {MAX_TRIALS}",
            request.trials
        )));
    }
    let base = Scenario::load(path)?;
    let alt = Scenario::load_with(path, &request.changes)?;
    let seed = request.seed.unwrap_or(base.seed);
    let c = Comparison::new(Engine::new(base), Engine::new(alt));
    let paired = c
        .run(seed, 0..request.trials, threads.max(1), cancel, &|_| {})
        .map_err(|_| Error::Interrupted)?;
    let mut risk = Vec::new();
    write_risk(&mut risk, c.alt(), paired.alt()).map_err(unwritable)?;
    let mut compare = Vec::new();
    write_diffs(&mut compare, &c, &paired).map_err(unwritable)?;
    Ok(Response {
        risk: rows(&risk),
        compare: rows(&compare),
    })
}

/// Writing into memory fails only if a writer itself does; said as a plain message.
fn unwritable(e: std::io::Error) -> Error {
    Error::Usage(format!("cannot write the answer: {e}"))
}

/// The records of CSV `bytes` as JSON objects.
fn rows(bytes: &[u8]) -> Vec<Map<String, Value>> {
    let mut reader = csv::Reader::from_reader(bytes);
    let header = reader.headers().cloned().unwrap_or_default();
    reader
        .records()
        .flatten()
        .map(|record| {
            header
                .iter()
                .zip(record.iter())
                .map(|(column, field)| (column.to_string(), value(column, field)))
                .collect()
        })
        .collect()
}

/// A CSV field as JSON: `null` when empty, a number (whole where it is one) in a numeric
/// column, else text.
fn value(column: &str, field: &str) -> Value {
    if field.is_empty() {
        return Value::Null;
    }
    if crate::report::xlsx::TEXT_COLUMNS.contains(&column) {
        return Value::String(field.to_string());
    }
    if let Ok(n) = field.parse::<i64>() {
        return Value::from(n);
    }
    let number = field
        .parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64);
    number.map_or_else(|| Value::String(field.to_string()), Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/broken/base/scenario.toml")
    }

    fn ask(json: &str) -> Result<Response, Error> {
        let request: Request = serde_json::from_str(json).unwrap();
        answer(&base(), &request, 2, &AtomicBool::new(false))
    }

    #[test]
    fn dropping_a_school_loses_its_capacity_and_changes_nothing_elsewhere() {
        let r = ask(r#"{"trials": 30, "seed": 5, "changes": [{"drop": "s-p1"}]}"#).unwrap();
        let cell = |d: &str, year: i64, metric: &str| {
            r.compare
                .iter()
                .find(|row| {
                    row["district"] == d
                        && row["stage"] == "primary"
                        && row["year"] == year
                        && row["metric"] == metric
                })
                .unwrap()
                .clone()
        };
        // 36 classes of 45 from 2022, unless it never opens (5% of projects in the base).
        let lost = cell("south", 2030, "capacity");
        assert!(lost["p50"] == -1620.0 && lost["p05"] == -1620.0, "{lost:?}");
        assert_eq!(cell("south", 2021, "capacity")["p95"], 0.0);
        assert_eq!(cell("north", 2030, "capacity")["mean"], 0.0);
        assert_eq!(cell("north", 2030, "demand")["mean"], 0.0);
        // risk.csv rows of the what-if: one per district × stage × year, with its columns.
        let first = &r.risk[0];
        let columns: Vec<&str> = first.keys().map(String::as_str).collect();
        assert!(columns.contains(&"p_shortfall") && columns.contains(&"rank"));
        assert_eq!(first["year"], 2020);
        assert!(r.risk.iter().all(|row| row["warning"].is_string()));
    }

    #[test]
    fn a_bad_change_or_trial_count_is_refused_with_the_command_lines_words() {
        let e = ask(
            r#"{"trials": 10, "changes": [{"drop": "s-p1"}, {"resize": "s-p9", "classes": 3}]}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("change #2 (resize = \"s-p9\"): no project \"s-p9\" in the pipeline; did you mean \"s-p2\"?"),
            "{e}"
        );
        let e = ask(r#"{"trials": 0, "changes": []}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("trials = 0: must be from 1 to 100000"), "{e}");
        assert!(serde_json::from_str::<Request>(r#"{"trials": 5, "chnages": []}"#).is_err());
    }

    #[test]
    fn an_unchanged_what_if_differs_by_exactly_nothing() {
        let r = ask(r#"{"trials": 20}"#).unwrap();
        assert!(r.compare.iter().all(|row| {
            ["mean", "p05", "p95"]
                .iter()
                .all(|c| row[*c].is_null() || row[*c] == 0.0)
        }));
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(serde_json::from_str::<Response>(&json).unwrap(), r);
    }
}
