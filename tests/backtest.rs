//! `seatsim backtest`: scoring a projection against observed values.
//!
//! "Observed" files are written from a deterministic projection's `summary.csv`, so the exact
//! answer is known: zero error and full coverage, or an error equal to a shift applied to them;
//! or placed on a run's own quantiles, so that the coverage is known; PIT and CRPS are checked
//! by brute force against the trials kept in `trials.csv`. A rolling back-test adds a second
//! origin, the example from 2024.

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
        (
            "centre,primary,2021,enrolled,-5",
            "obs.csv:3: value = -5: enrolled is never negative",
        ),
        (
            "centre,primary,2021,large_class_share,8.88",
            "obs.csv:3: value = 8.88: large_class_share is a share from 0 to 1 (8.88% is 0.0888)",
        ),
        (
            "centre,primary,2021,teachers_needed,900",
            "obs.csv:3: metric = \"teachers_needed\": stage primary has none in this scenario (no [teachers] ratio)",
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
    all.push((
        format!("district,stage,year,metric,value,value\n{good}"),
        "obs.csv:1: column `value` appears twice".into(),
    ));
    // Spreadsheets write CRLF: lines are still counted as a reader sees them.
    all.push((
        format!("{header}{good}centre,primary,2022,demand,lots\n").replace('\n', "\r\n"),
        "obs.csv:3: value = \"lots\": not a number".into(),
    ));
    all.push(("".into(), "obs.csv:1: the file is empty".into()));
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

/// `backtest.csv`'s rows keyed by origin, stage, year and metric.
fn by_cell(rows: &Rows) -> HashMap<(String, String, String, String), HashMap<String, String>> {
    rows.iter()
        .map(|r| {
            let key = (
                r["origin"].clone(),
                r["stage"].clone(),
                r["year"].clone(),
                r["metric"].clone(),
            );
            (key, r.clone())
        })
        .collect()
}

/// The PIT and CRPS of `backtest.csv` are those of the kept trials themselves: brute force
/// over `trials.csv` — the share of trials below (ties half) and the mean over all pairs.
#[test]
fn pit_and_crps_are_exact_over_the_trials() {
    let fx = Fixture::new(&[]);
    let example = example_toml().display().to_string();
    let observed = "district,stage,year,metric,value\n\
                    ALL,primary,2020,enrolled,15000\n\
                    ALL,primary,2025,enrolled,15500\n\
                    ALL,junior,2027,demand,7000\n\
                    centre,primary,2023,demand,4000\n";
    let keep = [
        "--trials",
        "150",
        "--keep-trials",
        "ALL/primary/2025/enrolled,ALL/junior/2027/demand,centre/primary/2023/demand",
    ];
    let (rows, _) = backtest(&fx, &example, observed, &keep, "bt");
    let trials = read_rows(&fx.path("bt/trials.csv"));
    let mut checked = 0;
    for r in rows.iter().filter(|r| r["year"] != "2020") {
        let values: Vec<f64> = trials
            .iter()
            .filter(|t| {
                (&t["district"], &t["stage"], &t["year"], &t["metric"])
                    == (&r["district"], &r["stage"], &r["year"], &r["metric"])
            })
            .map(|t| num(t, "value"))
            .collect();
        assert_eq!(values.len(), 150, "{r:?}");
        let x = num(r, "observed");
        let n = values.len() as f64;
        let below = values.iter().filter(|&&v| v < x).count() as f64;
        let ties = values.iter().filter(|&&v| v == x).count() as f64;
        let pit = (below + ties / 2.0) / n;
        let to_obs = values.iter().map(|v| (v - x).abs()).sum::<f64>() / n;
        let pairs = values
            .iter()
            .flat_map(|a| values.iter().map(move |b| (a - b).abs()))
            .sum::<f64>()
            / (n * n);
        let crps = to_obs - pairs / 2.0;
        assert!((num(r, "pit") - pit).abs() < 1e-9, "{r:?}: PIT {pit}");
        assert!(
            (num(r, "crps") - crps).abs() < 1e-6 * crps.max(1.0),
            "{r:?}: CRPS {crps}"
        );
        checked += 1;
    }
    assert_eq!(checked, 3);
    // Persistence: the base year's observed value of the same district, stage and metric.
    let p2025 = rows.iter().find(|r| r["year"] == "2025").unwrap();
    assert_eq!(p2025["persistence"], "15000");
    assert!((num(p2025, "crps_persistence") - 500.0).abs() < 1e-9);
    let unobserved_base = rows.iter().find(|r| r["year"] == "2027").unwrap();
    assert_eq!(unobserved_base["persistence"], "");
}

/// The rows of `rows` (of a summary or PIT file) of `origin`, metric `enrolled`, every stage
/// and `horizon`.
fn enrolled_group<'a>(
    rows: &'a Rows,
    origin: &'a str,
    horizon: &'a str,
) -> impl Iterator<Item = &'a HashMap<String, String>> {
    rows.iter().filter(move |r| {
        (
            r["origin"].as_str(),
            r["metric"].as_str(),
            r["stage"].as_str(),
            r["horizon"].as_str(),
        ) == (origin, "enrolled", "all", horizon)
    })
}

/// A second origin four years later: the example from 2024, its projects after 2024.
fn late_origin() -> Fixture {
    let toml = extends_example(
        "name = \"Example from 2024\"\nbase_year = 2024",
        "[data]\nprojects = \"projects.csv\"\n",
    );
    let projects = "id,name,district,stage,kind,classes,planned_year,status\n\
                    s-p9,South primary No. 9,south,primary,new,24,2026,planned\n";
    Fixture::new(&[("late.toml", &toml), ("projects.csv", projects)])
}

/// Quantiles of `backtest.csv` by (origin, stage, year, metric): P5, P25, P50, P75, P95.
fn quantiles(rows: &Rows) -> HashMap<(String, String, String, String), [f64; 5]> {
    by_cell(rows)
        .into_iter()
        .map(|(k, r)| (k, ["p05", "p25", "p50", "p75", "p95"].map(|q| num(&r, q))))
        .collect()
}

/// Observations placed on each origin's own quantiles give a coverage known in advance:
/// the example (base 2020) sees its median in 2024, a value between P75 and P95 in 2026 and
/// one far above P95 in 2028; the late origin (base 2024) its median in 2026 and one far
/// below P5 in 2028 — for two stages each.
#[test]
fn a_rolling_backtest_scores_each_origin_on_its_own_years_with_known_coverage() {
    let fx = late_origin();
    let example = example_toml().display().to_string();
    let stages = ["primary", "junior"];
    let cells: Vec<(&str, i32)> = stages
        .iter()
        .flat_map(|s| [2020, 2024, 2026, 2028].map(|y| (*s, y)))
        .collect();
    let file = |value: &dyn Fn(&str, i32) -> Option<f64>| {
        let mut out = String::from("district,stage,year,metric,value\n");
        for &(s, y) in &cells {
            if let Some(v) = value(s, y) {
                out += &format!("ALL,{s},{y},enrolled,{v}\n");
            }
        }
        out
    };
    std::fs::write(fx.path("dummy.csv"), file(&|_, _| Some(1.0))).unwrap();
    let args = |early: &str, late: &str, out: &str| {
        let mut a = vec![
            "backtest",
            "--origin",
            &example,
            "--origin",
            "late.toml",
            "--observed",
        ];
        a.extend([
            early,
            "--observed",
            late,
            "--trials",
            "200",
            "--quiet",
            "--no-plots",
        ]);
        a.extend(["--out", out]);
        a.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let run = |a: Vec<String>| fx.seatsim_ok(&a.iter().map(String::as_str).collect::<Vec<_>>());
    run(args("dummy.csv", "dummy.csv", "first"));
    let q = quantiles(&read_rows(&fx.path("first/backtest.csv")));
    let at = |origin: &str, s: &str, y: i32| {
        q[&(origin.into(), s.into(), y.to_string(), "enrolled".into())]
    };
    for s in stages {
        let [_, _, _, p75, p95] = at("example", s, 2026);
        assert!(
            p75 < p95,
            "{s} 2026 has a spread to place an observation in"
        );
    }
    let early = file(&|s, y| {
        let [p05, _, p50, p75, p95] = at("example", s, y);
        Some(match y {
            2026 => (p75 + p95) / 2.0,
            2028 => p95 + (p95 - p05) + 100.0,
            _ => p50,
        })
    });
    let late = file(&|s, y| {
        (y >= 2024).then(|| {
            let [p05, _, p50, _, p95] = at("late", s, y);
            if y == 2028 {
                p05 - (p95 - p05) - 100.0
            } else {
                p50
            }
        })
    });
    std::fs::write(fx.path("early.csv"), early).unwrap();
    std::fs::write(fx.path("late.csv"), late).unwrap();
    run(args("early.csv", "late.csv", "second"));
    let rows = read_rows(&fx.path("second/backtest.csv"));
    assert_eq!(rows.iter().filter(|r| r["origin"] == "example").count(), 8);
    assert_eq!(rows.iter().filter(|r| r["origin"] == "late").count(), 6);
    // Each origin's run does not depend on the other's or on the observations.
    assert_eq!(quantiles(&rows), q);
    let summary = read_rows(&fx.path("second/backtest_summary.csv"));
    let coverage = |origin: &str, horizon: &str| {
        let r = enrolled_group(&summary, origin, horizon)
            .next()
            .unwrap_or_else(|| panic!("no summary row for {origin} {horizon}"));
        (
            num(r, "observations"),
            num(r, "coverage_p05_p95"),
            num(r, "coverage_p25_p75"),
        )
    };
    assert_eq!(coverage("example", "4"), (2.0, 1.0, 1.0));
    assert_eq!(coverage("example", "6"), (2.0, 1.0, 0.0));
    assert_eq!(coverage("example", "8"), (2.0, 0.0, 0.0));
    assert_eq!(coverage("late", "2"), (2.0, 1.0, 1.0));
    assert_eq!(coverage("late", "4"), (2.0, 0.0, 0.0));
    assert_eq!(coverage("all", "all"), (10.0, 0.6, 0.4));
    // The PIT histogram: the late origin's two misses below P5 in the first tenth, the
    // example's two above P95 in the last.
    let pit = read_rows(&fx.path("second/backtest_pit.csv"));
    let count = |origin: &str, bin: &str| {
        let mut rows = enrolled_group(&pit, origin, "all");
        num(rows.find(|r| r["bin"] == bin).unwrap(), "count")
    };
    assert_eq!(count("late", "0"), 2.0);
    assert_eq!(count("example", "9"), 2.0);
    // Persistence for the late origin is its own base year, 2024.
    let cell = by_cell(&rows);
    for s in stages {
        let base = &cell[&("late".into(), s.into(), "2024".into(), "enrolled".into())];
        let later = &cell[&("late".into(), s.into(), "2028".into(), "enrolled".into())];
        assert_eq!(later["persistence"], base["observed"]);
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fx.path("second/backtest.json")).unwrap())
            .unwrap();
    let origins = json["origins"].as_array().unwrap();
    assert_eq!(origins.len(), 2);
    assert_eq!(origins[1]["base_year"], 2024);
    assert_eq!(origins[1]["observations"], 6);
}

/// The late origin's fixture with `observed` as obs.csv, and the arguments that run the
/// example and the late origin on it.
fn both_origins(observed: &str) -> (Fixture, [String; 6]) {
    let fx = late_origin();
    std::fs::write(fx.path("obs.csv"), observed).unwrap();
    let example = example_toml().display().to_string();
    let args = [
        "--origin",
        &example,
        "--origin",
        "late.toml",
        "--observed",
        "obs.csv",
    ];
    (fx, args.map(String::from))
}

#[test]
fn a_rolling_backtest_draws_its_chart_and_page() {
    let (fx, both) = both_origins(
        "district,stage,year,metric,value\nALL,primary,2024,enrolled,15000\nALL,primary,2027,enrolled,15000\n",
    );
    let mut args = vec!["backtest"];
    args.extend(both.iter().map(String::as_str));
    args.extend(["--trials", "50", "--quiet", "--out", "bt"]);
    fx.seatsim_ok(&args);
    for f in [
        "backtest.html",
        "plots/backtest_enrolled.png",
        "plots/backtest_enrolled.svg",
    ] {
        assert!(fx.path("bt").join(f).exists(), "{f}");
    }
    let page = std::fs::read_to_string(fx.path("bt/backtest.html")).unwrap();
    assert!(page.contains("回测") && page.contains("Back-test"));
    // `seatsim plot` redraws them from the folder's files alone.
    std::fs::remove_dir_all(fx.path("bt/plots")).unwrap();
    fx.seatsim_ok(&["plot", "bt"]);
    assert!(fx.path("bt/plots/backtest_enrolled.svg").exists());
    assert_eq!(
        std::fs::read_to_string(fx.path("bt/backtest.html")).unwrap(),
        page
    );
}

#[test]
fn bad_rolling_command_lines_are_refused_and_nothing_is_written() {
    let (fx, both) =
        both_origins("district,stage,year,metric,value\nALL,primary,2025,enrolled,1\n");
    let both: Vec<&str> = both.iter().map(String::as_str).collect();
    let cases: [(Vec<&str>, &str); 4] = [
        (
            [
                &both[..],
                &["--observed", "obs.csv", "--observed", "obs.csv"],
            ]
            .concat(),
            "--observed is given 3 times for 2 origins",
        ),
        (
            [&both[..], &["--keep-trials", "ALL/*/*"]].concat(),
            "--keep-trials works with one origin only",
        ),
        (
            vec![
                "--origin",
                "late.toml",
                "--origin",
                "late.toml",
                "--observed",
                "obs.csv",
            ],
            "two origins named late",
        ),
        (vec!["--observed", "obs.csv"], "backtest needs a scenario"),
    ];
    for (extra, expected) in cases {
        let mut args = vec!["backtest", "--out", "out"];
        args.extend(extra);
        let o = fx.seatsim(&args);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(expected),
            "expected {expected:?}, got {stderr}"
        );
        assert!(!fx.path("out").exists());
    }
}
