//! `seatsim plan`: the portfolio it finds against enumeration, its objective against `run` of
//! the scenario it writes, budgets, districts without demand, `w_spare = 0`, thread-count
//! independence and bad input.

use std::path::Path;

use crate::support::{read_rows, read_summary, Fixture};

/// One district-stage with pupils (`a`, growing, with births shocks) and one without (`b`).
const TOML: &str = r#"
[scenario]
name = "plan"
base_year = 2020
horizon = 2023
trials = 100
seed = 5

[stages.p]
ages = [0, 1]
class_size = 10

[births]
sigma_city = 0.15

[construction.delay]
on_time = 0.7
one_year = 0.2
never = 0.1

[plan]
w_short = 1
w_spare = 0.1

[data]
districts = "districts.csv"
population = "population.csv"
capacity = "capacity.csv"
"#;

const DISTRICTS: &str = "id,name,births_base,rate_local,rate_migrant,inflow
a,Alpha,130,0,0,0
b,Beta,0,0,0,0
";

const POPULATION: &str = "district,age,local,migrant
a,0,100,0
a,1,100,0
b,0,0,0
b,1,0,0
";

const CAPACITY: &str = "district,stage,schools,classes
a,p,1,20
b,p,1,2
";

const CANDIDATES: &str = "id,name,district,stage,kind,classes,earliest_year,latest_year,cost
n1,New A1,a,p,new,4,2021,2022,60
n2,New A2,a,p,new,3,2021,2022,40
x1,Expand A,a,p,expansion,2,2021,2022,20
xb,Expand B,b,p,expansion,5,2021,2022,10
";

fn fixture() -> Fixture {
    Fixture::new(&[
        ("s.toml", TOML),
        ("districts.csv", DISTRICTS),
        ("population.csv", POPULATION),
        ("capacity.csv", CAPACITY),
        ("candidates.csv", CANDIDATES),
    ])
}

/// `plan s.toml --candidates candidates.csv --quiet --out out` plus `extra`, asserting success.
fn plan_candidates(f: &Fixture, extra: &[&str]) {
    let args = [
        "plan",
        "s.toml",
        "--candidates",
        "candidates.csv",
        "--quiet",
        "--out",
        "out",
    ];
    f.seatsim_ok(&[&args[..], extra].concat());
}

fn plan_json(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("plan.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// `E[Σ (w_short·shortfall + w_spare·surplus)]` of a run folder, from summary.csv means:
/// district rows of district stages, `ALL` of city stages (every seat counted once).
fn run_objective(dir: &Path, w_spare: f64, city_stages: &[&str]) -> f64 {
    read_summary(dir)
        .iter()
        .filter(|((d, st, _, _), _)| (d == "ALL") == city_stages.contains(&st.as_str()))
        .map(|((_, _, _, m), row)| match m.as_str() {
            "shortfall" => row.mean.unwrap_or(0.0),
            "surplus" => w_spare * row.mean.unwrap_or(0.0),
            _ => 0.0,
        })
        .sum()
}

/// Writes a scenario building `chosen` (`(candidate line, year)`) and returns its objective
/// from `run` on the same trials.
fn objective_of(f: &Fixture, chosen: &[(&str, i32)]) -> f64 {
    let mut csv = "id,name,district,stage,kind,classes,planned_year\n".to_string();
    for (line, year) in chosen {
        let cols: Vec<&str> = line.split(',').collect();
        csv += &format!("{},{year}\n", cols[..6].join(","));
    }
    std::fs::write(f.path("enum.csv"), csv).unwrap();
    let toml = "[scenario]\nextends = \"s.toml\"\n[data]\nprojects = \"enum.csv\"\n";
    std::fs::write(f.path("enum.toml"), toml).unwrap();
    run_objective(&f.run("enum.toml", "enum-out", &[]), 0.1, &[])
}

#[test]
fn plan_finds_the_best_portfolio_that_enumeration_finds() {
    let f = fixture();
    plan_candidates(&f, &["--budget", "yuan=100"]);
    let found = plan_json(&f.path("out"))["in_sample"]["total"]
        .as_f64()
        .unwrap();
    let lines: Vec<&str> = CANDIDATES.lines().skip(1).collect();
    let costs = [60.0, 40.0, 20.0, 10.0];
    let mut best = f64::INFINITY;
    // Each candidate: not built, 2021 or 2022; within the budget of 100 yuan.
    for code in 0..3usize.pow(4) {
        let picks: Vec<usize> = (0..4).map(|i| code / 3usize.pow(i) % 3).collect();
        let cost: f64 = (0..4).filter(|&i| picks[i] > 0).map(|i| costs[i]).sum();
        if cost > 100.0 {
            continue;
        }
        let chosen: Vec<(&str, i32)> = (0..4)
            .filter(|&i| picks[i] > 0)
            .map(|i| (lines[i], 2020 + picks[i] as i32))
            .collect();
        best = best.min(objective_of(&f, &chosen));
    }
    // The CSV keeps 6 decimals of ~10 means: the two agree to 1e-4.
    assert!(
        (found - best).abs() < 1e-4,
        "plan {found}, best by enumeration {best}"
    );
}

#[test]
fn the_objective_plan_reports_is_what_run_of_the_written_scenario_gives() {
    let f = Fixture::scenario("example");
    f.seatsim_ok(&[
        "plan",
        "example.toml",
        "--trials",
        "60",
        "--quiet",
        "--out",
        "out",
        "--write",
        "planned.toml",
    ]);
    let report = plan_json(&f.path("out"));
    let run = f.run("planned.toml", "run", &["--trials", "60"]);
    let from_run = run_objective(&run, 0.1, &["senior"]);
    let reported = report["in_sample"]["total"].as_f64().unwrap();
    assert!(
        (from_run - reported).abs() < 1e-5 * reported.abs().max(1.0),
        "plan says {reported}, run of the written scenario gives {from_run}"
    );
    // The written scenario keeps the pipeline and adds the plan.
    let projects = read_rows(&f.path("planned-projects.csv"));
    let pipeline = read_rows(&f.path("example/projects.csv"));
    assert_eq!(
        projects.len(),
        pipeline.len() + report["projects"].as_u64().unwrap() as usize
    );
}

#[test]
fn budgets_are_never_exceeded() {
    let f = Fixture::scenario("example");
    let args = [
        "plan",
        "example.toml",
        "--trials",
        "40",
        "--quiet",
        "--out",
        "out",
    ];
    let budget = ["--budget", "classes=100", "--budget", "classes_per_year=30"];
    f.seatsim_ok(&[&args[..], &budget[..]].concat());
    let rows = read_rows(&f.path("out/plan.csv"));
    assert!(!rows.is_empty());
    let classes =
        |r: &std::collections::HashMap<String, String>| r["classes"].parse::<u32>().unwrap();
    assert!(rows.iter().map(classes).sum::<u32>() <= 100);
    for year in 2021..=2030 {
        let in_year = rows.iter().filter(|r| r["year"] == year.to_string());
        assert!(in_year.map(classes).sum::<u32>() <= 30, "year {year}");
    }
}

#[test]
fn a_candidate_in_a_district_without_demand_is_never_chosen() {
    let f = fixture();
    plan_candidates(&f, &[]);
    let rows = read_rows(&f.path("out/plan.csv"));
    assert!(rows.iter().any(|r| r["district"] == "a"));
    assert!(rows.iter().all(|r| r["district"] != "b"), "{rows:?}");
}

#[test]
fn with_w_spare_zero_and_no_budget_it_builds_until_no_trial_is_short() {
    let f = fixture();
    // Projects open on time, so every projection year can be covered.
    let toml = TOML
        .replace("w_spare = 0.1", "w_spare = 0")
        .replace("on_time = 0.7\none_year = 0.2\nnever = 0.1", "on_time = 1");
    std::fs::write(f.path("s.toml"), toml).unwrap();
    f.seatsim_ok(&[
        "plan", "s.toml", "--quiet", "--out", "out", "--write", "w.toml",
    ]);
    let run = f.run("w.toml", "run", &[]);
    for r in read_rows(&run.join("risk.csv")) {
        if r["year"] != "2020" {
            assert_eq!(r["p_shortfall"], "0", "{r:?}");
        }
    }
}

#[test]
fn plan_output_is_byte_identical_whatever_the_thread_count() {
    let f = Fixture::scenario("example");
    let go = |threads: &str, out: &str| {
        let w = format!("{out}.toml");
        f.seatsim_ok(&[
            "plan",
            "example.toml",
            "--trials",
            "70",
            "--quiet",
            "--threads",
            threads,
            "--out",
            out,
            "--write",
            &w,
        ]);
    };
    go("1", "one");
    go("2", "two");
    let read = |p: &str| std::fs::read(f.path(p)).unwrap();
    assert_eq!(read("one/plan.csv"), read("two/plan.csv"));
    assert_eq!(read("one-projects.csv"), read("two-projects.csv"));
    let json = |p: &str| {
        let mut v = plan_json(&f.path(p));
        v["seconds"] = 0.into();
        v
    };
    assert_eq!(json("one"), json("two"));
}

#[test]
fn bad_candidates_budgets_and_weights_are_refused_with_where_and_nothing_written() {
    let f = fixture();
    let bad = CANDIDATES.replace(
        "x1,Expand A,a,p,expansion,2,2021,2022,20",
        "x1,Expand A,a,p,closure,2,2021,2022,20",
    );
    std::fs::write(f.path("bad.csv"), bad).unwrap();
    let err = f.refused(&["plan", "s.toml", "--candidates", "bad.csv", "--out", "out"]);
    assert!(
        err.contains("bad.csv:4:")
            && err.contains("kind = closure")
            && err.contains("new or expansion"),
        "{err}"
    );
    let late = CANDIDATES.replace("2021,2022,40", "2022,2030,40");
    std::fs::write(f.path("late.csv"), late).unwrap();
    let err = f.refused(&["plan", "s.toml", "--candidates", "late.csv", "--out", "out"]);
    assert!(
        err.contains("late.csv:3:") && err.contains("latest_year = 2030"),
        "{err}"
    );
    let err = f.refused(&["plan", "s.toml", "--budget", "yuan=-3", "--out", "out"]);
    assert!(
        err.contains("--budget yuan=-3") && err.contains("≥ 0"),
        "{err}"
    );
    let err = f.refused(&["plan", "s.toml", "--budget", "euros=3", "--out", "out"]);
    assert!(err.contains("KIND must be"), "{err}");
    std::fs::write(
        f.path("s.toml"),
        TOML.replace("w_short = 1", "w_short = -1"),
    )
    .unwrap();
    let err = f.refused(&["plan", "s.toml", "--out", "out"]);
    assert!(
        err.contains("s.toml:") && err.contains("plan.w_short = -1"),
        "{err}"
    );
    assert!(!f.path("out").exists(), "nothing is written");
}

#[test]
fn drop_and_retime_keep_the_closures_and_retime_plans_the_pipelines_own_projects() {
    let f = Fixture::scenario("example");
    let pipeline = read_rows(&f.path("example/projects.csv"));
    let ids = |rows: &[std::collections::HashMap<String, String>], kind: &str| -> Vec<String> {
        let of_kind = rows.iter().filter(|r| kind.is_empty() || r["kind"] == kind);
        of_kind.map(|r| r["id"].clone()).collect()
    };
    for mode in ["drop", "retime"] {
        let w = format!("{mode}.toml");
        let args = [
            "plan",
            "example.toml",
            "--trials",
            "30",
            "--quiet",
            "--out",
            mode,
        ];
        f.seatsim_ok(&[&args[..], &["--keep-pipeline", mode, "--write", &w]].concat());
        let written = read_rows(&f.path(&format!("{mode}-projects.csv")));
        assert_eq!(
            ids(&written, "closure"),
            ids(&pipeline, "closure"),
            "{mode}"
        );
        let chosen = read_rows(&f.path(&format!("{mode}/plan.csv")));
        let own = ids(&pipeline, "");
        for id in ids(&chosen, "") {
            let generated = id.starts_with("plan-");
            assert!(
                generated || (mode == "retime" && own.contains(&id)),
                "{mode}: {id}"
            );
        }
        f.run(&w, &format!("{mode}-run"), &["--trials", "5"]);
    }
}
