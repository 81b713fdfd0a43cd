//! `[stages.X] surge`: extra classes in existing schools when pupils outgrow the standard
//! seats (README model note 15), by hand; without the key, or at a share of 0, nothing changes.

use crate::support::{close, extends_example, mean, read_summary, Fixture};

const SURGE_TOML: &str = r#"
[scenario]
name = "surge"
base_year = 2020
horizon = 2022

[stages.s]
ages = [1, 2]
class_size = 10
surge = { extra_classes = 0.5 }

[standards]
large_class = 12
super_large_class = 15

[births]
index = 1.0

[demography]
survival = [1.0, 1.0, 1.0]

[data]
districts = "districts.csv"
population = "population.csv"
capacity = "capacity.csv"
projects = "projects.csv"
"#;

const DISTRICTS: &str = "id,name,births_base,rate_local,rate_migrant,inflow
a,Alpha,60,0,0,0
";

const POPULATION: &str = "district,age,local,migrant
a,0,30,0
a,1,25,0
a,2,20,0
";

const CAPACITY: &str = "district,stage,schools,classes
a,s,2,4
";

const PROJECTS: &str = "id,name,district,stage,kind,classes,planned_year
n,New school,a,s,new,2,2022
";

#[test]
fn surge_classes_match_the_hand_calculation() {
    let f = Fixture::new(&[
        ("surge.toml", SURGE_TOML),
        ("districts.csv", DISTRICTS),
        ("population.csv", POPULATION),
        ("capacity.csv", CAPACITY),
        ("projects.csv", PROJECTS),
    ]);
    let out = f.run("surge.toml", "out", &["--deterministic"]);
    let s = read_summary(&out);
    // Existing schools: 2 with 4 classes; limit ⌊0.5 · 4⌋ = 2 extra classes.
    // 2020 (base year, observed): demand 25 + 20 = 45 over 40 seats, no surge: short 5;
    //       22.5 pupils in each school's 2 classes, ⌈2.25⌉ − 2 = 1 class missing each.
    // 2021: ages 1–2 are 30 + 25 = 55; ⌈55/10 − 4⌉ = 2 ≤ 2 extra: 6 classes (3 + 3), 60
    //       seats, surplus 5, 27.5 pupils a school = 9.17 a class, no class missing.
    // 2022: 60 + 30 = 90; the new school's 2 classes open: 6 classes, ⌈9 − 6⌉ = 3 missing, 2
    //       allowed: 8 classes, 80 seats, short 10; 11.25 a class (under 12); classes missing:
    //       existing ⌈33.75/10⌉ − 3 = 1 each, new ⌈22.5/10⌉ − 2 = 1: 3.
    let expected = [
        (2020, 0.0, 45.0, 40.0, 2.0),
        (2021, 2.0, 55.0, 60.0, 0.0),
        (2022, 2.0, 90.0, 80.0, 3.0),
    ];
    for (year, surge, demand, capacity, extra) in expected {
        for d in ["a", "ALL"] {
            let m = |metric: &str| mean(&s, d, "s", year, metric);
            let what = |metric: &str| format!("{d} {year} {metric}");
            close(m("surge_classes"), surge, &what("surge_classes"));
            close(m("demand"), demand, &what("demand"));
            close(m("capacity"), capacity, &what("capacity"));
            close(
                m("shortfall"),
                (demand - capacity).max(0.0),
                &what("shortfall"),
            );
            close(m("surplus"), (capacity - demand).max(0.0), &what("surplus"));
            close(m("utilization"), demand / capacity, &what("utilization"));
            close(m("large_class_share"), 0.0, &what("large"));
            close(m("extra_classes_needed"), extra, &what("extra"));
        }
    }
}

/// The example scenario, its district stages given `surge` (a TOML fragment), if any.
fn example_with(surge: Option<&str>) -> Fixture {
    let stages = surge.map_or(String::new(), |s| {
        ["kindergarten", "primary", "junior"]
            .map(|st| format!("[stages.{st}]\nsurge = {s}\n"))
            .concat()
    });
    Fixture::new(&[("s.toml", &extends_example("", &stages))])
}

fn file(dir: &std::path::Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

#[test]
fn a_zero_share_changes_nothing_but_adds_its_rows() {
    let args = ["--trials", "200", "--seed", "3"];
    let off = example_with(None);
    let off = off.run("s.toml", "out", &args);
    let zero = example_with(Some("{ extra_classes = 0.0 }"));
    let zero = zero.run("s.toml", "out", &args);
    for name in ["risk.csv", "sensitivity.csv"] {
        assert_eq!(file(&off, name), file(&zero, name), "{name}");
    }
    let summary = file(&zero, "summary.csv");
    assert!(summary.contains(",surge_classes,"));
    assert!(!file(&off, "summary.csv").contains("surge_classes"));
    let without: String = summary
        .lines()
        .filter(|l| !l.contains(",surge_classes,"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(file(&off, "summary.csv"), without);
}

#[test]
fn surge_outputs_are_identical_across_thread_counts() {
    let f = example_with(Some("{ extra_classes = 0.1 }"));
    let dirs: Vec<_> = ["1", "2", "3"]
        .iter()
        .map(|t| {
            let out = format!("t{t}");
            f.run(
                "s.toml",
                &out,
                &["--trials", "300", "--seed", "5", "--threads", t],
            )
        })
        .collect();
    let surged = file(&dirs[0], "summary.csv");
    let opened = surged
        .lines()
        .filter(|l| l.contains(",surge_classes,"))
        .any(|l| {
            l.split(',')
                .nth(4)
                .is_some_and(|m| m.parse::<f64>().unwrap_or(0.0) > 0.0)
        });
    assert!(opened, "some district opens surge classes");
    for d in &dirs[1..] {
        for name in ["summary.csv", "risk.csv", "sensitivity.csv"] {
            assert_eq!(
                file(&dirs[0], name),
                file(d, name),
                "{name} in {}",
                d.display()
            );
        }
    }
}
