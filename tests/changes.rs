//! `[[changes]]` (DESIGN §4): what-ifs that edit an inherited pipeline. `compare` against the
//! parent shows exactly the capacity a drop loses and a delay moves; projects after the horizon
//! are accepted with a note.

use crate::support::{read_rows, Fixture};

/// The broken-corpus base with every project on time, so that capacity is certain.
fn on_time_parent() -> Fixture {
    let fx = Fixture::copy_of("tests/broken/base");
    let toml = std::fs::read_to_string(fx.path("scenario.toml")).unwrap();
    let delays = "on_time = 0.6\none_year = 0.25\ntwo_years = 0.1\nnever = 0.05";
    assert!(toml.contains(delays));
    let toml = toml.replace(delays, "on_time = 1.0");
    std::fs::write(fx.path("scenario.toml"), toml).unwrap();
    fx
}

/// Writes `what-if.toml`: the parent with `changes` appended.
fn what_if(fx: &Fixture, changes: &str) {
    let toml = format!("[scenario]\nextends = \"scenario.toml\"\nname = \"what if\"\n{changes}");
    std::fs::write(fx.path("what-if.toml"), toml).unwrap();
}

#[test]
fn compare_against_the_parent_shows_the_capacity_a_drop_loses_and_a_delay_moves() {
    let fx = on_time_parent();
    // s-p1: 36 primary classes in south from 2022; s-p2: 24 classes from 2024 (45 per class).
    what_if(
        &fx,
        "[[changes]]\ndrop = \"s-p1\"\n[[changes]]\ndelay = \"s-p2\"\nyears = 2\n",
    );
    let o = fx.seatsim(&[
        "compare",
        "scenario.toml",
        "what-if.toml",
        "--trials",
        "40",
        "--out",
        "cmp",
        "--quiet",
        "--no-plots",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rows = read_rows(&fx.path("cmp/compare.csv"));
    let lost = |year: i32| {
        let row = rows
            .iter()
            .find(|r| {
                r["district"] == "south"
                    && r["stage"] == "primary"
                    && r["metric"] == "capacity"
                    && r["year"] == year.to_string()
            })
            .unwrap_or_else(|| panic!("no south primary capacity row for {year}"));
        ["mean", "p05", "p50", "p95"].map(|c| row[c].parse::<f64>().unwrap())
    };
    let (dropped, delayed) = (-36.0 * 45.0, -24.0 * 45.0);
    for (year, expected) in [
        (2021, 0.0),
        (2022, dropped),
        (2023, dropped),
        (2024, dropped + delayed),
        (2025, dropped + delayed),
        (2026, dropped),
        (2030, dropped),
    ] {
        assert_eq!(lost(year), [expected; 4], "{year}");
    }
}

#[test]
fn added_and_resized_projects_open_with_their_classes() {
    let fx = on_time_parent();
    what_if(
        &fx,
        "[[changes]]\nresize = \"s-p1\"\nclasses = 10\n[[changes]]\nadd = { id = \"n-new\", name = \"北区新建小学\", district = \"north\", stage = \"primary\", kind = \"new\", classes = 20, planned_year = 2023 }\n",
    );
    let base = fx.run("scenario.toml", "base", &["--deterministic"]);
    let alt = fx.run("what-if.toml", "alt", &["--deterministic"]);
    let capacity = |dir: &std::path::Path, district: &str, year: &str| {
        let rows = read_rows(&dir.join("summary.csv"));
        let row = rows
            .iter()
            .find(|r| {
                (
                    r["district"].as_str(),
                    r["stage"].as_str(),
                    r["year"].as_str(),
                    r["metric"].as_str(),
                ) == (district, "primary", year, "capacity")
            })
            .unwrap()
            .clone();
        row["mean"].parse::<f64>().unwrap()
    };
    let change = |d, y| capacity(&alt, d, y) - capacity(&base, d, y);
    assert_eq!(change("south", "2022"), (10.0 - 36.0) * 45.0);
    assert_eq!(change("north", "2022"), 0.0);
    assert_eq!(change("north", "2023"), 20.0 * 45.0);
}

#[test]
fn an_unknown_id_is_refused_naming_the_change_and_nothing_is_written() {
    let fx = on_time_parent();
    what_if(
        &fx,
        "[[changes]]\ndrop = \"s-p1\"\n[[changes]]\ndelay = \"s-p3\"\nyears = 1\n",
    );
    let o = fx.seatsim(&["run", "what-if.toml", "--out", "out", "--quiet"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        "error: what-if.toml:6: [[changes]] #2 (delay = \"s-p3\"): no project \"s-p3\" in the \
         pipeline; did you mean \"s-p2\"?"
    );
    assert!(!fx.path("out").exists());
}

#[test]
fn projects_after_the_horizon_are_accepted_with_a_note_and_never_open() {
    let fx = on_time_parent();
    let projects = std::fs::read_to_string(fx.path("projects.csv")).unwrap();
    let late = "late,Far-off primary,north,primary,new,30,2034,planned,,,,\n";
    std::fs::write(fx.path("projects.csv"), projects.clone() + late).unwrap();
    what_if(&fx, "[[changes]]\ndelay = \"s-p2\"\nyears = 9\n");
    let note = "note: 2 project(s) planned after the horizon 2030 never open within the run: \
                s-p2 (2033), late (2034)";
    let check = fx.seatsim(&["check", "what-if.toml"]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(String::from_utf8_lossy(&check.stdout).contains(note));
    let o = fx.seatsim(&[
        "run",
        "what-if.toml",
        "--out",
        "late",
        "--trials",
        "20",
        "--no-plots",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains(note));
    // Nothing of either opens by the horizon: the same capacity as without them.
    std::fs::write(fx.path("projects.csv"), projects).unwrap();
    what_if(&fx, "[[changes]]\ndrop = \"s-p2\"\n");
    let without = fx.run("what-if.toml", "without", &["--trials", "20"]);
    let capacity = |dir: &std::path::Path| {
        read_rows(&dir.join("summary.csv"))
            .into_iter()
            .filter(|r| r["metric"] == "capacity")
            .map(|r| r["mean"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(capacity(&fx.path("late")), capacity(&without));
}

#[test]
fn a_what_if_sent_as_json_gives_the_rows_of_the_same_changes_saved_as_a_file() {
    let fx = Fixture::copy_of("tests/broken/base");
    what_if(
        &fx,
        "[[changes]]\ndrop = \"s-p1\"\n[[changes]]\ndelay = \"c-sh\"\nyears = 1\n",
    );
    let o = fx.seatsim(&[
        "compare",
        "scenario.toml",
        "what-if.toml",
        "--trials",
        "25",
        "--seed",
        "3",
        "--out",
        "cmp",
        "--quiet",
        "--no-plots",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let request: seatsim::whatif::Request = serde_json::from_str(
        r#"{"trials": 25, "seed": 3, "changes": [{"drop": "s-p1"}, {"delay": "c-sh", "years": 1}]}"#,
    )
    .unwrap();
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let answer = seatsim::whatif::answer(&fx.path("scenario.toml"), &request, 2, &cancel).unwrap();
    let same = |json: &[serde_json::Map<String, serde_json::Value>], csv: &str| {
        let rows = read_rows(&fx.path(csv));
        assert_eq!(json.len(), rows.len(), "{csv}");
        for (j, r) in json.iter().zip(&rows) {
            for (column, field) in r {
                let value = &j[column];
                let agrees = match field.parse::<f64>() {
                    _ if field.is_empty() => value.is_null(),
                    Ok(x) if !value.is_string() => value.as_f64() == Some(x),
                    _ => value.as_str() == Some(field.as_str()),
                };
                assert!(agrees, "{csv}: {column} = {field} but JSON has {value}");
            }
        }
    };
    same(&answer.compare, "cmp/compare.csv");
    let alt = fx.run("what-if.toml", "alt", &["--trials", "25", "--seed", "3"]);
    assert!(alt.ends_with("alt"));
    same(&answer.risk, "alt/risk.csv");
}
