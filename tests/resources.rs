//! `[teachers]` and `[costs]` (DESIGN §2.7) against hand calculations: teachers needed from
//! demand, spending in the year a project opens — delays moving the money, closures free.

use crate::support::{close, mean, read_summary, Fixture};

/// Two districts, no shocks, no migration: every trial is the same, so means are exact.
const TOML: &str = r#"
[scenario]
name = "resources"
base_year = 2020
horizon = 2023

[stages.early]
ages = [0, 1]
class_size = 10
[stages.late]
ages = [2, 3]
class_size = 10
catchment = "city"

[teachers]
early = 8

[costs.early]
new = 1000
expansion = 400
[costs.late]
new = 2000
expansion = 900

[data]
districts = "districts.csv"
population = "population.csv"
capacity = "capacity.csv"
projects = "projects.csv"
"#;

const DISTRICTS: &str = "id,name,births_base,rate_local,rate_migrant,inflow
a,Alpha,40,0,0,0
b,Beta,20,0,0,0
";

const POPULATION: &str = "district,age,local,migrant
a,0,40,0
a,1,40,0
a,2,40,0
a,3,40,0
b,0,20,0
b,1,20,0
b,2,20,0
b,3,20,0
";

const CAPACITY: &str = "district,stage,schools,classes
a,early,1,8
a,late,1,8
b,early,1,4
b,late,1,4
";

/// `xa` is always one year late (its own delay profile); `cb` is a closure.
const PROJECTS: &str =
    "id,name,district,stage,kind,classes,planned_year,on_time,one_year,two_years,never
na,New in A,a,early,new,3,2021,1,0,0,0
xa,Expansion in A,a,early,expansion,2,2021,0,1,0,0
nb,New senior in B,b,late,new,1,2022,1,0,0,0
cb,Closure in B,b,late,closure,1,2022,1,0,0,0
";

fn fixture() -> Fixture {
    Fixture::new(&[
        ("s.toml", TOML),
        ("districts.csv", DISTRICTS),
        ("population.csv", POPULATION),
        ("capacity.csv", CAPACITY),
        ("projects.csv", PROJECTS),
    ])
}

#[test]
fn teachers_needed_is_demand_over_the_ratio_and_the_city_total_sums_districts() {
    let f = fixture();
    let s = read_summary(&f.run("s.toml", "out", &["--trials", "4"]));
    // Demand of `early` = two cohorts: a 80, b 40, every year; 8 pupils per teacher.
    for y in 2020..=2023 {
        close(
            mean(&s, "a", "early", y, "teachers_needed"),
            80.0 / 8.0,
            "a",
        );
        close(
            mean(&s, "b", "early", y, "teachers_needed"),
            40.0 / 8.0,
            "b",
        );
        close(
            mean(&s, "ALL", "early", y, "teachers_needed"),
            120.0 / 8.0,
            "ALL",
        );
    }
    // `late` is not in [teachers]: no row at all.
    assert!(!s.contains_key(&("ALL".into(), "late".into(), 2021, "teachers_needed".into())));
}

#[test]
fn spending_counts_in_the_year_a_project_opens_so_a_delay_moves_it() {
    let f = fixture();
    let s = read_summary(&f.run("s.toml", "out", &["--trials", "4"]));
    // `spending` is in millions of yuan.
    let spend = |d: &str, st: &str, y| mean(&s, d, st, y, "spending") * 1e6;
    // na: 3 classes × 10 seats × 1000 in 2021; xa planned 2021, opens 2022: 2 × 10 × 400.
    let expected_a = [0.0, 30_000.0, 8_000.0, 0.0];
    for (y, want) in (2020..=2023).zip(expected_a) {
        close(spend("a", "early", y), want, &format!("a early {y}"));
        close(spend("b", "early", y), 0.0, &format!("b early {y}"));
        close(spend("ALL", "early", y), want, &format!("ALL early {y}"));
    }
    // nb: 1 × 10 × 2000 in 2022; the closure costs nothing.
    for (y, want) in (2020..=2023).zip([0.0, 0.0, 20_000.0, 0.0]) {
        close(spend("ALL", "late", y), want, &format!("ALL late {y}"));
    }
}

#[test]
fn the_deterministic_projection_opens_every_project_on_time_and_spends_then() {
    let f = fixture();
    let s = read_summary(&f.run("s.toml", "out", &["--deterministic"]));
    close(
        mean(&s, "a", "early", 2021, "spending"),
        0.038,
        "both in 2021 (million yuan)",
    );
    close(
        mean(&s, "a", "early", 2022, "spending"),
        0.0,
        "nothing in 2022",
    );
}

#[test]
fn a_stage_without_costs_or_teachers_has_neither_row() {
    let toml = TOML
        .replace("[teachers]\nearly = 8\n", "")
        .replace("[costs.early]\nnew = 1000\nexpansion = 400\n", "");
    let f = fixture();
    std::fs::write(f.path("s.toml"), toml).unwrap();
    let s = read_summary(&f.run("s.toml", "out", &["--trials", "2"]));
    let has = |st: &str, m: &str| s.contains_key(&("ALL".into(), st.into(), 2021, m.into()));
    assert!(!has("early", "teachers_needed") && !has("early", "spending"));
    assert!(has("late", "spending") && has("early", "demand"));
}
