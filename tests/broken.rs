//! The broken-scenario corpus (`tests/broken/cases.toml`): every case is one mutation of the
//! valid scenario in `tests/broken/base/`, and must be refused with exit code 2, one short
//! message naming where, the bad value and what is valid, no panic, and no output folder.

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde::Deserialize;

use crate::support::Fixture;

/// One case of the corpus, as written in `cases.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    #[serde(default = "default_file")]
    file: String,
    replace: Option<[String; 2]>,
    content: Option<String>,
    #[serde(default)]
    delete: bool,
    append_bytes: Option<Vec<u8>>,
    #[serde(default)]
    crlf: bool,
    #[serde(default)]
    files: BTreeMap<String, String>,
    expect: Vec<String>,
}

fn default_file() -> String {
    "scenario.toml".into()
}

#[derive(Debug, Deserialize)]
struct Corpus {
    case: Vec<Case>,
}

/// Lines an error message may take: the message, and a quoted source line.
const MAX_LINES: usize = 3;

fn corpus() -> Vec<Case> {
    let text = include_str!("broken/cases.toml");
    toml::from_str::<Corpus>(text)
        .expect("cases.toml parses")
        .case
}

impl Case {
    /// The base scenario with this case's mutation applied, in a temp dir.
    fn fixture(&self) -> Fixture {
        let fx = Fixture::copy_of("tests/broken/base");
        for (name, text) in &self.files {
            std::fs::write(fx.path(name), text).unwrap();
        }
        let path = fx.path(&self.file);
        if self.delete {
            std::fs::remove_file(&path).unwrap();
            return fx;
        }
        let mut text = std::fs::read_to_string(&path).unwrap();
        if let Some([old, new]) = &self.replace {
            assert!(
                text.contains(old.as_str()),
                "{}: `{old}` not in {}",
                self.name,
                self.file
            );
            text = text.replacen(old.as_str(), new, 1);
        }
        if let Some(content) = &self.content {
            text.clone_from(content);
        }
        if self.crlf {
            text = text.replace('\n', "\r\n");
        }
        let mut bytes = text.into_bytes();
        bytes.extend(self.append_bytes.iter().flatten());
        std::fs::write(&path, bytes).unwrap();
        fx
    }

    /// What is wrong with seatsim's answer to this case, if anything.
    fn check(&self) -> Option<String> {
        let fx = self.fixture();
        let out = fx.seatsim(&[
            "run",
            "scenario.toml",
            "--out",
            "out",
            "--quiet",
            "--no-plots",
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let mut problems = Vec::new();
        if out.status.code() != Some(2) {
            problems.push(format!("exit code {:?}, expected 2", out.status.code()));
        }
        if !stderr.starts_with("error: ") || stderr.lines().count() > MAX_LINES {
            problems.push(format!("not one `error: …` message of ≤ {MAX_LINES} lines"));
        }
        for fragment in &self.expect {
            if !stderr.contains(fragment.as_str()) {
                problems.push(format!("missing `{fragment}`"));
            }
        }
        if fx.path("out").exists() {
            problems.push("an output folder was created".into());
        }
        (!problems.is_empty()).then(|| {
            format!(
                "{}: {}\n  stderr: {}",
                self.name,
                problems.join("; "),
                stderr.trim_end()
            )
        })
    }
}

#[test]
fn the_corpus_has_at_least_forty_cases_with_unique_names() {
    let cases = corpus();
    assert!(cases.len() >= 40, "only {} cases", cases.len());
    let mut names: Vec<_> = cases.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), cases.len(), "duplicate case names");
}

#[test]
fn the_base_scenario_is_valid() {
    let fx = Fixture::copy_of("tests/broken/base");
    let out = fx.seatsim(&["check", "scenario.toml"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_huge_but_finite_age_profile_keeps_its_proportions() {
    // Weights scaled by 2^1020 (exact in binary) sum beyond f64::MAX; they must give the same
    // projection as the weights themselves, not lose the migrant inflow to an infinite sum.
    const PROFILE: &str = "[1, 1, 1, 1, 1, 1, 1.4, 1, 1, 1, 1, 1, 1.2, 1, 1, 0.5, 0.5, 0.5]";
    const WEIGHTS: [f64; 18] = [
        1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.4, 1.0, 1.0, 1.0, 1.0, 1.0, 1.2, 1.0, 1.0, 0.5, 0.5, 0.5,
    ];
    let run = |scale: f64| {
        let fx = Fixture::copy_of("tests/broken/base");
        let list: Vec<String> = WEIGHTS.iter().map(|w| format!("{:e}", w * scale)).collect();
        let toml = std::fs::read_to_string(fx.path("scenario.toml")).unwrap();
        assert!(toml.contains(PROFILE));
        let toml = toml.replace(PROFILE, &format!("[{}]", list.join(", ")));
        std::fs::write(fx.path("scenario.toml"), toml).unwrap();
        let out = fx.run("scenario.toml", "out", &["--deterministic"]);
        std::fs::read(out.join("summary.csv")).unwrap()
    };
    assert!(WEIGHTS.iter().sum::<f64>() * 2f64.powi(1020) == f64::INFINITY);
    assert_eq!(run(1.0), run(2f64.powi(1020)));
}

#[test]
fn a_100000_character_csv_field_is_quoted_cut() {
    let fx = Fixture::copy_of("tests/broken/base");
    let districts = std::fs::read_to_string(fx.path("districts.csv")).unwrap();
    let long = format!("2400{}", "x".repeat(100_000));
    std::fs::write(
        fx.path("districts.csv"),
        districts.replacen("2400", &long, 1),
    )
    .unwrap();
    let o = fx.seatsim(&["run", "scenario.toml", "--out", "out"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        &stderr[..stderr.len().min(300)]
    );
    assert!(
        stderr.starts_with("error: districts.csv:2: births_base = 2400xxx"),
        "{stderr:.300}"
    );
    assert!(stderr.contains("… (100004 characters)"), "{stderr:.300}");
    assert!(stderr.len() < 300, "{} bytes: {stderr:.300}", stderr.len());
}

#[test]
fn every_broken_scenario_is_refused_with_a_located_message_and_nothing_written() {
    let failures: Vec<String> = corpus().iter().filter_map(Case::check).collect();
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Adds `n` districts to the base scenario's tables, each with population and schools.
fn add_districts(fx: &Fixture, n: usize) {
    let append = |name: &str, rows: String| {
        let mut text = std::fs::read_to_string(fx.path(name)).unwrap();
        text += &rows;
        std::fs::write(fx.path(name), text).unwrap();
    };
    let ids: Vec<String> = (0..n).map(|i| format!("extra{i}")).collect();
    append(
        "districts.csv",
        ids.iter()
            .map(|d| format!("{d},{d},,1000,0,0,0\n"))
            .collect(),
    );
    append(
        "population.csv",
        ids.iter()
            .flat_map(|d| (0..=17).map(move |age| format!("{d},{age},1000,100\n")))
            .collect(),
    );
    let stages = ["kindergarten", "primary", "junior", "senior"];
    append(
        "capacity.csv",
        ids.iter()
            .flat_map(|d| stages.map(|s| format!("{d},{s},1,10\n")))
            .collect(),
    );
}

#[test]
fn a_run_too_big_for_memory_is_refused_up_front_with_the_estimate_and_the_limit() {
    let fx = Fixture::copy_of("tests/broken/base");
    // A run holds one set of statistics (≈ 1 KB a value) and a round of trials per
    // thread: 1,000 districts over a century on 1,024 threads need ≈ 100 GB.
    add_districts(&fx, 1000);
    let toml = std::fs::read_to_string(fx.path("scenario.toml")).unwrap();
    std::fs::write(
        fx.path("scenario.toml"),
        toml.replace("horizon = 2030", "horizon = 2120"),
    )
    .unwrap();
    std::fs::write(
        fx.path("observed.csv"),
        "district,stage,year,metric,value\ncentre,primary,2021,enrolled,1000\n",
    )
    .unwrap();
    // Every command that runs trials checks, not only `run`.
    let commands: [&[&str]; 3] = [
        &["run", "scenario.toml"],
        &["backtest", "scenario.toml", "--observed", "observed.csv"],
        &["compare", "scenario.toml", "scenario.toml"],
    ];
    for command in commands {
        let args = [command, &["--out", "out", "--threads", "1024", "--quiet"]].concat();
        let o = fx.seatsim(&args);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{}: {stderr}", command[0]);
        for fragment in [
            "would need about",
            "1024 thread(s)",
            "GiB",
            "more than",
            "--threads",
        ] {
            assert!(stderr.contains(fragment), "missing `{fragment}`: {stderr}");
        }
        assert!(!fx.path("out").exists(), "{}", command[0]);
    }
}

/// Random edits per run of the loader test (raise it locally to hunt for panics).
const LOADER_CASES: u32 = 200;

/// Files of the base scenario that a random mutation may hit.
const BASE_FILES: [&str; 5] = [
    "scenario.toml",
    "districts.csv",
    "population.csv",
    "capacity.csv",
    "projects.csv",
];

/// Applies one random edit to `bytes`: splice `insert` in at `at`, after removing `cut` bytes.
fn splice(bytes: &mut Vec<u8>, at: usize, cut: usize, insert: &[u8]) {
    let at = at % (bytes.len() + 1);
    let end = (at + cut).min(bytes.len());
    bytes.splice(at..end, insert.iter().copied());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(LOADER_CASES))]

    /// The stable-toolchain companion of the cargo-fuzz target (fuzz/): random edits of the
    /// base files, some with tokens of the format, must load or fail with a located error.
    #[test]
    fn the_loader_never_panics_on_randomly_edited_files(
        file in 0..BASE_FILES.len(),
        edits in prop::collection::vec(
            (
                any::<usize>(),
                0usize..40,
                prop_oneof![
                    prop::collection::vec(any::<u8>(), 0..12),
                    prop::sample::select(vec![
                        "nan", "inf", "-1", "1e308", "\"", "[", "]", "=", ",", "\n", "\r\n",
                        "ALL", "extends = \"scenario.toml\"\n", "[stages.x]\n", "0", "2020",
                    ])
                    .prop_map(|t: &str| t.as_bytes().to_vec()),
                ],
            ),
            1..4,
        ),
    ) {
        let fx = Fixture::copy_of("tests/broken/base");
        let path = fx.path(BASE_FILES[file]);
        let mut bytes = std::fs::read(&path).unwrap();
        for (at, cut, insert) in &edits {
            splice(&mut bytes, *at, *cut, insert);
        }
        std::fs::write(&path, bytes).unwrap();
        if let Err(e) = seatsim::scenario::Scenario::load(&fx.path("scenario.toml")) {
            prop_assert!(!e.message.is_empty());
            prop_assert!(BASE_FILES.iter().any(|f| e.file.ends_with(f)), "{e}");
        }
    }
}
