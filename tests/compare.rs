//! `seatsim compare`: common random numbers make the paired difference isolate the change.
//!
//! The example scenario is compared with itself, and with a copy that adds one new primary
//! school in `centre` (30 classes of 45 = 1350 seats, planned for 2024, default delay profile).

use std::sync::atomic::AtomicBool;

use rand::RngExt;
use seatsim::compare::Comparison;
use seatsim::engine::{Draws, Engine, EntityKey, Place, TrialKey, Workspace};
use seatsim::model::metrics::Metric;
use seatsim::scenario::{Scenario, Year};

use crate::support::{example_table, example_toml, extends_example, read_rows, thousands, Fixture};

const SEED: u64 = 2024;
const TRIALS: u64 = 200;
/// The new school; its delay profile columns (on_time,one_year,two_years,never) follow.
const NEW_SCHOOL: &str = "c-p9,Centre primary No. 9,centre,primary,new,30,2024,planned,";
/// Its delay profile: the scenario's (60% on time, 25% one year late, 10% two, 5% never).
const DEFAULT_DELAYS: &str = ",,,";

/// The example plus one new school with delay profile `delays`, as `alt.toml`.
fn with_new_school(delays: &str) -> Fixture {
    let toml = extends_example(
        "name = \"Example + Centre primary No. 9\"",
        "[data]\nprojects = \"projects.csv\"\n",
    );
    let projects = format!("{}{NEW_SCHOOL}{delays}\n", example_table("projects.csv"));
    Fixture::new(&[("alt.toml", &toml), ("projects.csv", &projects)])
}

fn engine(path: &std::path::Path) -> Engine {
    Engine::new(Scenario::load(path).unwrap())
}

fn value(ws: &Workspace, cell: usize, metric: Metric) -> f64 {
    let m = Metric::ALL.iter().position(|&x| x == metric).unwrap();
    ws.values[cell * Metric::COUNT + m]
}

/// Metrics compare.csv lists for a cell whose stage has no `surge` (the example's).
fn listed() -> usize {
    Metric::ALL
        .iter()
        .filter(|m| m.listed_when_undefined())
        .count()
}

fn sd(xs: &[f64]) -> f64 {
    let mean = xs.iter().sum::<f64>() / xs.len() as f64;
    let ss: f64 = xs.iter().map(|x| (x - mean) * (x - mean)).sum();
    (ss / (xs.len() - 1) as f64).sqrt()
}

#[test]
fn comparing_a_scenario_with_itself_gives_exactly_zero_differences() {
    let fx = Fixture::new(&[]);
    let example = example_toml().display().to_string();
    fx.seatsim_ok(&[
        "compare", &example, &example, "--trials", "100", "--quiet", "--out", "out",
    ]);
    let rows = read_rows(&fx.path("out/compare.csv"));
    assert_eq!(
        rows.len(),
        143 * listed(),
        "every cell and metric is compared"
    );
    for row in &rows {
        assert_eq!(row["base_mean"], row["alt_mean"], "{row:?}");
        let undefined = row["base_mean"].is_empty();
        for col in ["mean", "sd", "p05", "p50", "p95"] {
            let expected = if undefined { "" } else { "0" };
            assert_eq!(row[col], expected, "{col} in {row:?}");
        }
    }
    for row in read_rows(&fx.path("out/compare_risk.csv")) {
        for (col, v) in row.iter().filter(|(c, _)| c.starts_with("delta_")) {
            assert_eq!(v, "0", "{col} in {row:?}");
        }
    }
    let json = std::fs::read_to_string(fx.path("out/compare.json")).unwrap();
    assert!(json.contains("\"notes\": []"), "{json}");
}

/// Per trial, at library level: the new school leaves every demand figure unchanged and adds
/// exactly its seats to its district (and the city total) from the year it opened — the
/// opening year re-derived here from its keyed delay draw `(seed, trial, "delay", id)`.
#[test]
fn adding_a_project_changes_no_demand_and_capacity_by_exactly_its_seats_once_open() {
    let fx = with_new_school(DEFAULT_DELAYS);
    let (base, alt) = (engine(&example_toml()), engine(&fx.path("alt.toml")));
    let layout = base.layout();
    assert_eq!(layout.rows, alt.layout().rows);
    let p = alt
        .scenario()
        .projects
        .iter()
        .find(|p| p.id == "c-p9")
        .unwrap();
    let seats = f64::from(p.classes * alt.scenario().stages[p.stage.0].class_size);
    let own = layout.row(Place::District(p.district), p.stage).unwrap();
    let all = layout.row(Place::All, p.stage).unwrap();
    let (mut wb, mut wa) = (base.workspace(), alt.workspace());
    let mut not_on_time = 0;
    for trial in 0..TRIALS {
        let draws = Draws::Random { seed: SEED, trial };
        base.run_trial(draws, &mut wb);
        alt.run_trial(draws, &mut wa);
        let u: f64 = TrialKey::new(SEED, trial)
            .stream(EntityKey::new("delay", &p.id))
            .random();
        let opening = p.delay.delay_for(u).map(|late| p.planned_year.0 + late);
        not_on_time += u64::from(opening != Some(p.planned_year.0));
        for r in 0..layout.rows.len() {
            for (yi, year) in layout.years.iter().enumerate() {
                let cell = layout.cell(r, yi);
                for m in [Metric::Enrolled, Metric::Demand, Metric::MigrantShare] {
                    let (a, b) = (value(&wa, cell, m), value(&wb, cell, m));
                    assert_eq!(
                        a.to_bits(),
                        b.to_bits(),
                        "trial {trial} row {r} {year} {m:?}"
                    );
                }
                let open = opening.is_some_and(|y| y <= year.0);
                let expected = if open && (r == own || r == all) {
                    seats
                } else {
                    0.0
                };
                let change =
                    value(&wa, cell, Metric::Capacity) - value(&wb, cell, Metric::Capacity);
                assert_eq!(
                    change, expected,
                    "trial {trial} row {r} {year}: opens {opening:?}"
                );
            }
        }
    }
    assert!(
        (1..TRIALS).contains(&not_on_time),
        "both on-time and late/never openings are exercised ({not_on_time} of {TRIALS} not on time)"
    );
}

/// The paired sd of the change in centre primary's utilization (2027) is far below the sd of
/// the same difference taken between independent trials; the compare module's sd is the
/// paired one, accumulated trial by trial. The school opens on time for sure here, so what
/// remains of the paired sd is the change's own dependence on demand.
#[test]
fn paired_difference_sd_is_far_below_the_unpaired_sd() {
    let fx = with_new_school("1,0,0,0");
    let c = Comparison::new(engine(&example_toml()), engine(&fx.path("alt.toml")));
    let (base, alt) = (c.base(), c.alt());
    let row = base
        .layout()
        .row(
            Place::District(base.scenario().district_ix("centre").unwrap()),
            base.scenario().stage_ix("primary").unwrap(),
        )
        .unwrap();
    let year = Year(2027);
    let cell = base
        .layout()
        .cell(row, (year.0 - base.scenario().base_year.0) as usize);
    let (mut wb, mut wa) = (base.workspace(), alt.workspace());
    let mut diff = |base_trial, alt_trial| {
        base.run_trial(
            Draws::Random {
                seed: SEED,
                trial: base_trial,
            },
            &mut wb,
        );
        alt.run_trial(
            Draws::Random {
                seed: SEED,
                trial: alt_trial,
            },
            &mut wa,
        );
        value(&wa, cell, Metric::Utilization) - value(&wb, cell, Metric::Utilization)
    };
    let paired: Vec<f64> = (0..TRIALS).map(|t| diff(t, t)).collect();
    let unpaired: Vec<f64> = (0..TRIALS).map(|t| diff(t, t + TRIALS)).collect();
    let (sd_paired, sd_unpaired) = (sd(&paired), sd(&unpaired));
    let factor = sd_unpaired / sd_paired;
    println!("utilization change, centre primary {year}: paired sd {sd_paired:.5}, unpaired sd {sd_unpaired:.5}, factor {factor:.1}");
    assert!(
        factor > 10.0,
        "paired sd {sd_paired} vs unpaired {sd_unpaired}: factor {factor}"
    );

    let run = c
        .run(SEED, 0..TRIALS, 2, &AtomicBool::new(false), &|_| {})
        .unwrap();
    let pair = c
        .matching()
        .pairs
        .iter()
        .position(|p| p.base == cell)
        .unwrap();
    let module = run.diff(pair, Metric::Utilization).summary().unwrap();
    assert!(
        (module.sd - sd_paired).abs() < 1e-6,
        "compare sd {} vs paired {sd_paired}",
        module.sd
    );
}

#[test]
fn compare_output_does_not_depend_on_the_thread_count() {
    let fx = with_new_school(DEFAULT_DELAYS);
    let example = example_toml().display().to_string();
    for (threads, out) in [("1", "one"), ("2", "two")] {
        fx.seatsim_ok(&[
            "compare",
            &example,
            "alt.toml",
            "--trials",
            "150",
            "--threads",
            threads,
            "--quiet",
            "--out",
            out,
        ]);
    }
    for file in ["compare.csv", "compare_risk.csv"] {
        let read = |dir: &str| std::fs::read(fx.path(dir).join(file)).unwrap();
        assert_eq!(read("one"), read("two"), "{file}");
    }
}

#[test]
fn what_the_new_school_buys_is_shown_for_its_district_and_stage() {
    let fx = with_new_school(DEFAULT_DELAYS);
    let example = example_toml().display().to_string();
    let o = fx.seatsim_ok(&[
        "compare", &example, "alt.toml", "--trials", "100", "--out", "out",
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    let table = stdout
        .split("Largest reductions in large-class risk")
        .nth(1)
        .unwrap_or_else(|| panic!("no large-class table in:\n{stdout}"));
    let first = table.lines().nth(2).unwrap_or_default();
    assert!(
        first.trim_start().starts_with("centre         primary"),
        "{stdout}"
    );
}

/// ALT drops district `south`, stops in 2026 and pools senior high by district: the
/// comparison keeps what both report and names the rest.
#[test]
fn scenarios_that_differ_are_compared_on_what_they_share() {
    let without_south = |name: &str| {
        let text = example_table(name);
        text.lines()
            .filter(|l| !l.to_lowercase().contains("south"))
            .map(|l| format!("{l}\n"))
            .collect::<String>()
    };
    let tables = [
        "districts.csv",
        "population.csv",
        "capacity.csv",
        "projects.csv",
    ];
    let data: Vec<(String, String)> = tables
        .iter()
        .map(|t| (format!("alt/{t}"), without_south(t)))
        .collect();
    let toml = extends_example(
        "horizon = 2026",
        "[stages.senior]\ncatchment = \"district\"\n[data]\ndistricts = \"alt/districts.csv\"\npopulation = \"alt/population.csv\"\ncapacity = \"alt/capacity.csv\"\nprojects = \"alt/projects.csv\"\n",
    );
    let mut files: Vec<(&str, &str)> = data.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    files.push(("alt.toml", &toml));
    let fx = Fixture::new(&files);
    let example = example_toml().display().to_string();
    let o = fx.seatsim_ok(&[
        "compare", &example, "alt.toml", "--trials", "20", "--quiet", "--out", "out",
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    for note in [
        "note: districts only in BASE, left out: south",
        "note: years only in BASE, left out: 2027, 2028, 2029, 2030",
        "note: rows (catchment differs) only in ALT, left out: centre/senior, north/senior",
        "note: city totals (ALL) are compared but cover different districts",
    ] {
        assert!(stderr.contains(note), "missing {note:?} in:\n{stderr}");
    }
    let rows = read_rows(&fx.path("out/compare.csv"));
    let cells: std::collections::BTreeSet<(String, String)> = rows
        .iter()
        .map(|r| (r["district"].clone(), r["stage"].clone()))
        .collect();
    let expected: std::collections::BTreeSet<(String, String)> = [
        ("centre", "kindergarten"),
        ("centre", "primary"),
        ("centre", "junior"),
        ("north", "kindergarten"),
        ("north", "primary"),
        ("north", "junior"),
        ("ALL", "kindergarten"),
        ("ALL", "primary"),
        ("ALL", "junior"),
        ("ALL", "senior"),
    ]
    .map(|(d, s)| (d.to_string(), s.to_string()))
    .into();
    assert_eq!(cells, expected);
    assert!(rows
        .iter()
        .all(|r| r["year"].parse::<i32>().unwrap() <= 2026));
    assert_eq!(rows.len(), 10 * 7 * listed());
    let json = std::fs::read_to_string(fx.path("out/compare.json")).unwrap();
    assert!(
        json.contains("\"districts\": [\n        \"south\"\n      ]"),
        "{json}"
    );
}

#[test]
fn a_missing_alternative_is_a_usage_error_and_writes_nothing() {
    let fx = Fixture::new(&[]);
    let example = example_toml().display().to_string();
    let o = fx.seatsim(&["compare", &example, "nope.toml", "--out", "out"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nope.toml"));
    assert!(!fx.path("out").exists());
}

#[test]
fn compare_draws_what_the_change_buys_and_plot_redraws_a_compare_folder() {
    let fx = with_new_school(DEFAULT_DELAYS);
    let example = example_toml().display().to_string();
    let o = fx.seatsim_ok(&[
        "compare", &example, "alt.toml", "--trials", "100", "--out", "out",
    ]);
    let last = String::from_utf8_lossy(&o.stdout)
        .lines()
        .last()
        .unwrap_or_default()
        .to_string();
    assert!(last.contains("compare.html"), "{last}");
    let png = image::open(fx.path("out/plots/compare_shortfall_primary.png")).unwrap();
    assert!(png.width() >= 1000 && png.height() >= 600);
    let svg = std::fs::read_to_string(fx.path("out/plots/compare_shortfall_primary.svg")).unwrap();
    assert!(svg.starts_with("<svg"));
    // The page's numbers are compare.csv's: the city's median change in primary shortfall.
    let page = std::fs::read_to_string(fx.path("out/compare.html")).unwrap();
    let table = page
        .split("<table class=\"years\" data-stage=\"primary\"")
        .nth(1)
        .and_then(|t| t.split("</table>").next())
        .expect("a primary table");
    let rows = read_rows(&fx.path("out/compare.csv"));
    for r in rows
        .iter()
        .filter(|r| r["district"] == "ALL" && r["stage"] == "primary" && r["metric"] == "shortfall")
    {
        let cell = format!("<th>{}</th>", r["year"]);
        let row = table.split("<tr>").find(|t| t.starts_with(&cell)).unwrap();
        let median = thousands(r["p50"].parse().unwrap());
        let band = format!(
            "{}–{}",
            thousands(r["p05"].parse().unwrap()),
            thousands(r["p95"].parse().unwrap())
        );
        assert!(
            row.contains(&format!(">{median}<")) && row.contains(&band),
            "{row}: {median}, {band}"
        );
    }
    // `plot` redraws the folder, and refuses a map year it cannot show.
    std::fs::remove_file(fx.path("out/compare.html")).unwrap();
    fx.seatsim_ok(&["plot", "out"]);
    assert!(fx.path("out/compare.html").is_file());
    let err = fx.refused(&["plot", "out", "--map-year", "2021"]);
    assert!(err.contains("--map-year"), "{err}");
}
