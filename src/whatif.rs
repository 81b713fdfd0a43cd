//! The engine-side core of a live what-if (DESIGN §10, `POST /api/whatif`): a scenario with
//! [`Change`]s applied after its own, run with its unchanged self on the same trials and seed,
//! answered as `risk.csv` and `compare.csv` rows — JSON objects with the CSV's column names,
//! written by the very writers of `run` and `compare`, so the page and the files never differ.
//! A web server calls [`run`]; it is not one. The unchanged scenario's trials are the same for
//! every what-if of one trial count and seed, so [`Bases`] keeps them and each what-if runs only
//! its changed scenario against them, on the same common random numbers.

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use sha2::{Digest, Sha256};

use crate::compare::{write_diffs, Comparison, KeptBase, Paired};
use crate::engine::{Cancelled, Engine};
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

/// A what-if run: the unchanged and the changed scenario and their paired statistics.
pub struct Outcome {
    /// The two scenarios' engines.
    pub comparison: Comparison,
    /// Their statistics.
    pub paired: Paired,
}

impl Outcome {
    /// The answer: the what-if's `risk.csv` and `compare.csv` rows.
    pub fn response(&self) -> Result<Response, Error> {
        let (c, paired) = (&self.comparison, &self.paired);
        let mut risk = Vec::new();
        write_risk(&mut risk, c.alt(), paired.alt()).map_err(unwritable)?;
        let mut compare = Vec::new();
        write_diffs(&mut compare, c, paired).map_err(unwritable)?;
        Ok(Response {
            risk: rows(&risk),
            compare: rows(&compare),
        })
    }
}

/// Runs the what-if `request` on the scenario at `path` with `threads` workers, the unchanged
/// scenario's side taken from `bases` when it holds it; `cancel` stops a superseded run
/// ([`Error::Interrupted`]). A bad change is [`Error::Scenario`], with the message the command
/// line gives, the change named `change #k`.
pub fn run(
    path: &Path,
    request: &Request,
    threads: usize,
    cancel: &AtomicBool,
    bases: &Bases,
) -> Result<Outcome, Error> {
    if !(1..=MAX_TRIALS).contains(&request.trials) {
        return Err(Error::Usage(format!(
            "trials = {}: must be from 1 to {MAX_TRIALS}",
            request.trials
        )));
    }
    let base = Scenario::load(path)?;
    let alt = Scenario::load_with(path, &request.changes)?;
    let seed = request.seed.unwrap_or(base.seed);
    let threads = threads.max(1);
    let comparison = Comparison::new(Engine::new(base), Engine::new(alt));
    let kept = bases
        .kept(comparison.base(), seed, request.trials, threads, cancel)
        .map_err(|_| Error::Interrupted)?;
    let paired = match kept {
        Some(kept) => comparison.run_against(&kept, threads, cancel),
        None => comparison.run(seed, 0..request.trials, threads, cancel, &|_| {}),
    }
    .map_err(|_| Error::Interrupted)?;
    crate::compare::check_range(&comparison, &paired)?;
    Ok(Outcome { comparison, paired })
}

/// [`run`]'s answer, with nothing kept for the next what-if.
pub fn answer(
    path: &Path,
    request: &Request,
    threads: usize,
    cancel: &AtomicBool,
) -> Result<Response, Error> {
    run(path, request, threads, cancel, &Bases::default())?.response()
}

/// Bytes of kept base runs [`Bases`] holds at most: a few of Zhengzhou's at the page's
/// trials (≈ 60 MB at 500 trials); a run larger than this is paired in full instead.
const KEPT_BYTES: usize = 256 << 20;

/// Kept base runs [`Bases`] holds at most.
const KEPT_RUNS: usize = 4;

/// The unchanged scenario's trials of recent what-ifs ([`KeptBase`]), by the scenario's
/// contents, trials and seed: each what-if then runs only its changed scenario. The oldest
/// go first beyond [`KEPT_RUNS`] runs or [`KEPT_BYTES`].
#[derive(Default)]
pub struct Bases(Mutex<Vec<(BaseKey, Arc<KeptBase>)>>);

/// What a kept base run was run from.
#[derive(Debug, Clone, PartialEq, Eq)]
struct BaseKey {
    /// SHA-256 of the checked scenario's every value, so an edited file is run again.
    scenario: Vec<u8>,
    trials: u64,
    seed: u64,
}

impl Bases {
    /// The kept run of `base` for `trials` trials under `seed`, run now if not held; `None`
    /// when it would not fit in [`KEPT_BYTES`].
    fn kept(
        &self,
        base: &Engine,
        seed: u64,
        trials: u64,
        threads: usize,
        cancel: &AtomicBool,
    ) -> Result<Option<Arc<KeptBase>>, Cancelled> {
        let width = base.layout().n_values() * std::mem::size_of::<f64>();
        if usize::try_from(trials).map_or(true, |t| t.saturating_mul(width) > KEPT_BYTES) {
            return Ok(None);
        }
        let key = BaseKey {
            scenario: Sha256::digest(format!("{:?}", base.scenario())).to_vec(),
            trials,
            seed,
        };
        if let Some(kept) = self.take(&key) {
            return Ok(Some(kept));
        }
        let kept = Arc::new(KeptBase::run(base, seed, trials, threads, cancel)?);
        let mut runs = self.0.lock().unwrap_or_else(|e| e.into_inner());
        runs.retain(|(k, _)| *k != key);
        runs.push((key, Arc::clone(&kept)));
        while runs.len() > KEPT_RUNS
            || runs.iter().map(|(_, r)| r.bytes()).sum::<usize>() > KEPT_BYTES
        {
            runs.remove(0);
        }
        Ok(Some(kept))
    }

    /// The run kept under `key`, moved to the newest place.
    fn take(&self, key: &BaseKey) -> Option<Arc<KeptBase>> {
        let mut runs = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let at = runs.iter().position(|(k, _)| k == key)?;
        let entry = runs.remove(at);
        let kept = Arc::clone(&entry.1);
        runs.push(entry);
        Some(kept)
    }
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
    fn a_kept_base_gives_the_very_rows_of_a_full_paired_run() {
        let bases = Bases::default();
        let cancel = AtomicBool::new(false);
        // Fewer trials than the pilot's, and more.
        for (trials, kept) in [(40, 1), (300, 2)] {
            let request: Request = serde_json::from_str(&format!(
                r#"{{"trials": {trials}, "seed": 4, "changes": [{{"delay": "s-p2", "years": 1}}]}}"#
            ))
            .unwrap();
            let first = run(&base(), &request, 2, &cancel, &bases).unwrap();
            let again = run(&base(), &request, 3, &cancel, &bases).unwrap();
            assert_eq!(
                bases.0.lock().unwrap().len(),
                kept,
                "one kept run per trial count"
            );
            let full = Outcome {
                paired: first
                    .comparison
                    .run(4, 0..trials, 2, &cancel, &|_| {})
                    .unwrap(),
                comparison: Comparison::new(
                    Engine::new(Scenario::load(&base()).unwrap()),
                    Engine::new(Scenario::load_with(&base(), &request.changes).unwrap()),
                ),
            };
            let first = first.response().unwrap();
            assert_eq!(first, again.response().unwrap());
            assert_eq!(first, full.response().unwrap());
            assert!(first
                .compare
                .iter()
                .any(|r| r["mean"] != 0.0 && r["mean"].is_number()));
        }
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
