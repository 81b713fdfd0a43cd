//! `seatsim backtest`: scoring a projection against observed values.
//!
//! "Observed" files are written from a deterministic projection's `summary.csv`, so the exact
//! answer is known: zero error and full coverage, or an error equal to a shift applied to them.

use std::collections::HashMap;

use crate::support::{example_table, example_toml, extends_example, read_rows, Fixture};

/// Metrics that do not depend on school popularity draws.
const POPULATION_METRICS: [&str; 7] = [
    "enrolled",
    "demand",
    "capacity",
    "shortfall",
    "surplus",
    "utilization",
    "migrant_share",
];

type Rows = Vec<HashMap<String, String>>;

/// `summary.csv` of `seatsim run <scenario> --deterministic`.
fn deterministic_summary(fx: &Fixture, scenario: &str) -> Rows {
    fx.seatsim_ok(&[
        "run",
        scenario,
        "--deterministic",
        "--quiet",
        "--no-plots",
        "--out",
        "det",
    ]);
    read_rows(&fx.path("det/summary.csv"))
}

/// An observed file of every defined mean of `metrics` (all if empty), plus `shift`.
fn observed_from(summary: &Rows, metrics: &[&str], shift: f64) -> String {
    let mut out = String::from("district,stage,year,metric,value\n");
    let wanted = |m: &str| metrics.is_empty() || metrics.contains(&m);
    for r in summary
        .iter()
        .filter(|r| !r["mean"].is_empty() && wanted(&r["metric"]))
    {
        let value = r["mean"].parse::<f64>().unwrap() + shift;
        out += &format!(
            "{},{},{},{},{value}\n",
            r["district"], r["stage"], r["year"], r["metric"]
        );
    }
    out
}

fn num(row: &HashMap<String, String>, col: &str) -> f64 {
    row[col]
        .parse()
        .unwrap_or_else(|_| panic!("{col} = {:?} in {row:?}", row[col]))
}

/// Runs `seatsim backtest` on `observed` (written to obs.csv) into `out`; returns its rows
/// and its summary rows.
fn backtest(
    fx: &Fixture,
    scenario: &str,
    observed: &str,
    extra: &[&str],
    out: &str,
) -> (Rows, Rows) {
    std::fs::write(fx.path("obs.csv"), observed).unwrap();
    let mut args = vec![
        "backtest",
        scenario,
        "--observed",
        "obs.csv",
        "--quiet",
        "--out",
        out,
    ];
    args.extend_from_slice(extra);
    fx.seatsim_ok(&args);
    let dir = fx.path(out);
    (
        read_rows(&dir.join("backtest.csv")),
        read_rows(&dir.join("backtest_summary.csv")),
    )
}

#[track_caller]
fn assert_exact_and_covered(rows: &Rows, summary: &Rows) {
    for r in rows {
        assert_eq!(r["error"], "0", "{r:?}");
        let observed_zero = num(r, "observed") == 0.0;
        assert_eq!(
            r["abs_pct_error"],
            if observed_zero { "" } else { "0" },
            "{r:?}"
        );
        assert_eq!(
            (r["in_p05_p95"].as_str(), r["in_p25_p75"].as_str()),
            ("true", "true"),
            "{r:?}"
        );
    }
    for s in summary {
        assert_eq!(
            (s["mean_error"].as_str(), s["mean_abs_error"].as_str()),
            ("0", "0"),
            "{s:?}"
        );
        assert_eq!(
            (
                s["coverage_p05_p95"].as_str(),
                s["coverage_p25_p75"].as_str()
            ),
            ("1", "1"),
            "{s:?}"
        );
        assert!(matches!(s["mape"].as_str(), "0" | ""), "{s:?}");
    }
}

#[test]
fn backtest_of_the_deterministic_projection_has_zero_error_and_full_coverage() {
    let fx = Fixture::new(&[]);
    let example = example_toml().display().to_string();
    let observed = observed_from(&deterministic_summary(&fx, &example), &[], 0.0);
    let (rows, summary) = backtest(&fx, &example, &observed, &["--deterministic"], "bt");
    assert_eq!(rows.len(), observed.lines().count() - 1);
    assert!(
        rows.len() > 1000,
        "every defined cell and metric is observed"
    );
    assert_exact_and_covered(&rows, &summary);
    let overall = summary
        .iter()
        .filter(|s| s["horizon"] == "all" && s["stage"] == "all")
        .count();
    assert_eq!(overall, 10, "one overall row per metric");
}

/// Monte Carlo trials of a scenario without shocks or delays: every trial is the
/// deterministic projection, so the sketch's bands collapse onto it.
#[test]
fn monte_carlo_backtest_without_shocks_has_zero_error_and_full_coverage() {
    let toml = extends_example(
        "",
        "[births]\nsigma_city = 0.0\nsigma_district = 0.0\n[migration]\nsigma = 0.0\n\
         [construction.delay]\non_time = 1.0\none_year = 0.0\ntwo_years = 0.0\nnever = 0.0\n\
         [data]\nprojects = \"projects.csv\"\n",
    );
    // The example's projects without their own delay profiles.
    let projects: String = example_table("projects.csv")
        .lines()
        .map(|l| l.split(',').take(8).collect::<Vec<_>>().join(",") + "\n")
        .collect();
    let fx = Fixture::new(&[("calm.toml", &toml), ("projects.csv", &projects)]);
    let observed = observed_from(
        &deterministic_summary(&fx, "calm.toml"),
        &POPULATION_METRICS,
        0.0,
    );
    let (rows, summary) = backtest(&fx, "calm.toml", &observed, &["--trials", "40"], "bt");
    assert_exact_and_covered(&rows, &summary);
}

#[test]
fn a_shifted_observed_file_gives_an_error_equal_to_the_shift() {
    const SHIFT: f64 = 250.0;
    let fx = Fixture::new(&[]);
    let example = example_toml().display().to_string();
    let summary = deterministic_summary(&fx, &example);
    let metrics = ["enrolled", "demand", "capacity"];
    let observed = observed_from(&summary, &metrics, SHIFT);
    let (rows, summary) = backtest(&fx, &example, &observed, &["--deterministic"], "bt");
    for r in &rows {
        let (error, observed) = (num(r, "error"), num(r, "observed"));
        assert!((error + SHIFT).abs() < 1e-6, "{r:?}");
        let ape = SHIFT / observed * 100.0;
        assert!((num(r, "abs_pct_error") - ape).abs() < 1e-6, "{r:?}");
        // The base year is observed, not projected: it counts as inside whatever its error.
        let inside = if r["horizon"] == "0" { "true" } else { "false" };
        assert_eq!(
            (r["in_p05_p95"].as_str(), r["in_p25_p75"].as_str()),
            (inside, inside)
        );
        // A point mass missed by SHIFT: the P5–P95 interval score is 2/0.1 × SHIFT.
        if r["horizon"] != "0" {
            assert!(
                (num(r, "interval_score_90") - 20.0 * SHIFT).abs() < 1e-6,
                "{r:?}"
            );
        }
    }
    for s in &summary {
        assert!((num(s, "mean_error") + SHIFT).abs() < 1e-6, "{s:?}");
        let coverage = (
            s["coverage_p05_p95"].as_str(),
            s["coverage_p25_p75"].as_str(),
        );
        match s["horizon"].as_str() {
            "0" => assert_eq!(coverage, ("1", "1")),
            "all" => {}
            _ => assert_eq!(coverage, ("0", "0")),
        }
    }
}

/// With random trials, shifting every observation by `s` moves every error by exactly −s:
/// the projection's median does not depend on the observed file.
#[test]
fn a_shift_moves_every_monte_carlo_error_by_the_shift() {
    const SHIFT: f64 = 125.0;
    let fx = Fixture::new(&[]);
    let example = example_toml().display().to_string();
    let summary = deterministic_summary(&fx, &example);
    let metrics = ["demand", "shortfall", "surplus"];
    let mc = ["--trials", "100"];
    let (plain, _) = backtest(
        &fx,
        &example,
        &observed_from(&summary, &metrics, 0.0),
        &mc,
        "a",
    );
    let (shifted, _) = backtest(
        &fx,
        &example,
        &observed_from(&summary, &metrics, SHIFT),
        &mc,
        "b",
    );
    assert_eq!(plain.len(), shifted.len());
    let errors_differ = plain.iter().any(|r| r["error"] != "0");
    assert!(
        errors_differ,
        "random trials give a median other than the deterministic value"
    );
    for (a, b) in plain.iter().zip(&shifted) {
        assert_eq!(a["p50"], b["p50"]);
        assert!(
            (num(b, "error") - num(a, "error") + SHIFT).abs() < 1e-6,
            "{a:?} vs {b:?}"
        );
    }
}

#[test]
fn errors_in_the_observed_file_name_the_line_and_nothing_is_written() {
    let header = "district,stage,year,metric,value\n";
    let good = "centre,primary,2021,demand,5\n";
    let cases = [
        (
            "nowhere,primary,2021,demand,1",
            "obs.csv:3: district = \"nowhere\": not a district of the scenario",
        ),
        (
            "centre,college,2021,demand,1",
            "obs.csv:3: stage = \"college\": not a stage of the scenario",
        ),
        (
            "centre,primary,2021,seats,1",
            "obs.csv:3: metric = \"seats\": unknown",
        ),
        (
            "centre,primary,2031,demand,1",
            "obs.csv:3: year = 2031: outside the scenario's years 2020–2030",
        ),
        (
            "centre,primary,2021,demand,lots",
            "obs.csv:3: value = \"lots\": not a number",
        ),
        (
            "centre,senior,2021,demand,1",
            "obs.csv:3: stage senior is pooled city-wide",
        ),
        (
            "centre,primary,2021,demand,7",
            "obs.csv:3: duplicate observation: same district, stage, year and metric as line 2",
        ),
        (
            "centre,primary,2021,demand",
            "obs.csv:3: this row has 4 fields but the header has 5",
        ),
    ];
    let fx = Fixture::new(&[]);
    let example = example_toml().display().to_string();
    let run = |text: &str| {
        std::fs::write(fx.path("obs.csv"), text).unwrap();
        fx.seatsim(&[
            "backtest",
            &example,
            "--observed",
            "obs.csv",
            "--out",
            "out",
        ])
    };
    let mut all = cases
        .map(|(line, msg)| (format!("{header}{good}{line}\n"), msg.to_string()))
        .to_vec();
    all.push((
        "district,stage,year,metric\n".into(),
        "obs.csv:1: missing column `value`".into(),
    ));
    all.push((header.into(), "obs.csv: no observations".into()));
    for (text, expected) in all {
        let o = run(&text);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{text}: {stderr}");
        assert!(
            stderr.contains(&expected),
            "expected {expected:?}, got {stderr}"
        );
        assert!(!fx.path("out").exists(), "nothing is written for {text}");
    }
}
