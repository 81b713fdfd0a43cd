//! The tornado in seats (`tornado.csv`) and the names of its inputs (`[labels]`): a hand check
//! of one input moved from its low to its high value, and the label table's overrides and
//! errors.

use crate::support::{extends_example, read_rows, read_summary, Fixture};

/// The example with a city-wide senior stage short of seats in every year and its private share
/// uncertain (uniform 0.2–0.4), plus `labels`.
fn scenario(labels: &str) -> String {
    let rest = format!(
        "[enrolment]\nsenior = 0.9\n\n[private_share]\nsenior = {{ dist = \"uniform\", low = 0.2, high = 0.4 }}\n\n{labels}"
    );
    extends_example("", &rest)
}

#[test]
fn one_input_moved_low_to_high_changes_the_shortfall_by_the_hand_computed_seats() {
    let fixture = Fixture::new(&[("t.toml", &scenario(""))]);
    let out = fixture.run("t.toml", "out", &["--deterministic"]);
    let rows = read_rows(&out.join("tornado.csv"));
    let row = rows
        .iter()
        .find(|r| r["stage"] == "senior" && r["input"] == "private_share.senior")
        .expect("the senior private share has a row");
    let num = |k: &str| row[k].parse::<f64>().unwrap();
    // The worst year is the year of the largest (here: the only, deterministic) shortfall.
    let summary = read_summary(&out);
    let year: i32 = row["year"].parse().unwrap();
    let shortfall = |y: i32| crate::support::mean(&summary, "ALL", "senior", y, "shortfall");
    assert!((2021..=2030).all(|y| shortfall(y) <= shortfall(year)));
    // Senior is pooled city-wide: shortfall = enrolled × (1 − share) − seats, at P5 = 0.21 and
    // P95 = 0.39 of the uniform; enrolled and seats do not depend on the private share.
    let enrolled = crate::support::mean(&summary, "ALL", "senior", year, "enrolled");
    let seats = crate::support::mean(&summary, "ALL", "senior", year, "capacity");
    let (low, high) = (0.2 + 0.05 * 0.2, 0.2 + 0.95 * 0.2);
    assert!((num("low_value") - low).abs() < 1e-9 && (num("high_value") - high).abs() < 1e-9);
    let at = |share: f64| enrolled * (1.0 - share) - seats;
    assert!(
        at(high) > 0.0,
        "short at both ends, so the change is linear"
    );
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * b.abs().max(1.0);
    assert!(close(num("shortfall_low"), at(low)), "{row:?}");
    assert!(close(num("shortfall_high"), at(high)), "{row:?}");
    assert!(close(num("change"), -0.18 * enrolled), "{row:?}");
    // Nothing else is uncertain about senior's demand: the births shock leaves 15–17-year-olds
    // of the first projection years alone.
    assert_eq!(row["label_en"], "Private school share, senior");
}

#[test]
fn labels_override_the_default_names_by_key_path_prefix_or_draw_label() {
    let labels = "[labels]\n\"private_share.senior\" = { zh = \"民办高中占比\", en = \"Private senior high share\" }\n\"shock:births-city\" = { en = \"Birth wave\" }\n";
    let fixture = Fixture::new(&[("t.toml", &scenario(labels))]);
    let out = fixture.run("t.toml", "out", &["--deterministic"]);
    let rows = read_rows(&out.join("tornado.csv"));
    let of = |input: &str| {
        let row = rows.iter().find(|r| r["input"] == input).unwrap();
        (row["label_zh"].clone(), row["label_en"].clone())
    };
    assert_eq!(
        of("private_share.senior"),
        ("民办高中占比".into(), "Private senior high share".into())
    );
    // A name left out keeps its default.
    assert_eq!(
        of("shock:births-city"),
        ("全市出生波动".into(), "Birth wave".into())
    );
}

#[test]
fn a_label_for_nothing_or_a_blank_name_is_refused_naming_file_line_and_key() {
    let typo = "[labels]\n\"private_share.senoir\" = { zh = \"民办高中占比\" }\n";
    let fixture = Fixture::new(&[("t.toml", &scenario(typo))]);
    let err = fixture.refused(&["run", "t.toml", "--out", "out"]);
    assert!(err.contains("t.toml:"), "{err}");
    assert!(
        err.contains("\"private_share.senoir\"") && err.contains("private_share.senior"),
        "names the key and what is valid: {err}"
    );
    assert!(!fixture.path("out").exists(), "nothing written");

    let blank = "[labels]\n\"private_share.senior\" = { zh = \" \", en = \"x\" }\n";
    let fixture = Fixture::new(&[("t.toml", &scenario(blank))]);
    let err = fixture.refused(&["check", "t.toml"]);
    assert!(err.contains("zh is blank"), "{err}");

    let unknown = "[labels]\n\"private_share.senior\" = { fr = \"part du privé\" }\n";
    let fixture = Fixture::new(&[("t.toml", &scenario(unknown))]);
    let err = fixture.refused(&["check", "t.toml"]);
    assert!(err.contains("fr"), "{err}");
}
