//! The default Zhengzhou scenario: its base year reproduces the city's 2020 figures, and each
//! what-if moves the projection in the expected direction.

use std::path::PathBuf;

use crate::support::{mean, read_rows, read_summary, Fixture, Summary};

fn scenario(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name);
    p.to_string_lossy().into_owned()
}

/// Runs a Zhengzhou scenario with the scenario's own seed (the one `calibrate` used).
fn run(name: &str, trials: &str) -> Summary {
    let f = Fixture::new(&[]);
    read_summary(&f.run(&scenario(name), "out", &["--trials", trials]))
}

#[test]
fn base_year_reproduces_the_2020_bulletin() {
    let s = run("zhengzhou.toml", "200");
    // 2020年郑州市教育事业发展统计公报: pupils by stage (public and private).
    for (stage, bulletin) in [
        ("kindergarten", 438_680.0),
        ("primary", 1_003_648.0),
        ("junior", 448_644.0),
        ("senior", 213_766.0),
    ] {
        let enrolled = mean(&s, "ALL", stage, 2020, "enrolled");
        assert!(
            (enrolled / bulletin - 1.0).abs() < 0.02,
            "{stage}: {enrolled} vs {bulletin}"
        );
    }
    // Compulsory education (primary + junior): 8.88% large classes, super-large eliminated.
    let classes = |st: &str, size: f64| mean(&s, "ALL", st, 2020, "capacity") / size;
    let (cp, cj) = (classes("primary", 45.0), classes("junior", 50.0));
    let share = |m: &str| {
        (mean(&s, "ALL", "primary", 2020, m) * cp + mean(&s, "ALL", "junior", 2020, m) * cj)
            / (cp + cj)
    };
    let large = share("large_class_share");
    assert!((large - 0.0888).abs() <= 0.01, "large-class share {large}");
    // Admission caps at 65 keep classes of 66+ out, as the 2018 elimination goal did.
    let super_large = share("super_large_class_share");
    assert!(super_large < 0.001, "super-large share {super_large}");
}

#[test]
fn every_what_if_moves_the_projection_the_expected_way() {
    let base = run("zhengzhou.toml", "20");
    let at = |s: &Summary, st: &str, y: i32, m: &str| mean(s, "ALL", st, y, m);
    let none = run("zhengzhou-no-construction.toml", "20");
    for st in ["kindergarten", "primary", "junior", "senior"] {
        assert!(
            at(&none, st, 2025, "capacity") < at(&base, st, 2025, "capacity"),
            "{st} capacity"
        );
        assert!(
            at(&none, st, 2025, "shortfall") > at(&base, st, 2025, "shortfall"),
            "{st} shortfall"
        );
    }
    let low = run("zhengzhou-low-births.toml", "20");
    assert!(at(&low, "kindergarten", 2028, "demand") < at(&base, "kindergarten", 2028, "demand"));
    assert!(at(&low, "primary", 2032, "demand") < at(&base, "primary", 2032, "demand"));
    assert_eq!(
        at(&low, "junior", 2030, "demand"),
        at(&base, "junior", 2030, "demand"),
        "born before 2021"
    );
    let high = run("zhengzhou-high-migration.toml", "20");
    for st in ["kindergarten", "primary", "junior"] {
        assert!(
            at(&high, st, 2030, "demand") > at(&base, st, 2030, "demand"),
            "{st} demand"
        );
    }
    let late = run("zhengzhou-delays.toml", "20");
    assert!(at(&late, "junior", 2023, "capacity") < at(&base, "junior", 2023, "capacity"));
    assert!(at(&late, "junior", 2023, "shortfall") > at(&base, "junior", 2023, "shortfall"));
    assert_eq!(
        at(&late, "primary", 2025, "demand"),
        at(&base, "primary", 2025, "demand"),
        "delays change no demand"
    );
}

const STAGES: [&str; 4] = ["kindergarten", "primary", "junior", "senior"];

#[test]
fn one_ranking_covers_every_stage_and_the_terminal_agrees_with_risk_csv() {
    let f = Fixture::new(&[]);
    let args = [
        "run",
        &scenario("zhengzhou.toml"),
        "--trials",
        "40",
        "--no-plots",
    ];
    let o = f.seatsim(&[&args[..], &["--out", "out"]].concat());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rows = read_rows(&f.path("out/risk.csv"));
    let rank_of = |d: &str, st: &str, y: &str| {
        let r = rows
            .iter()
            .find(|r| r["district"] == d && r["stage"] == st && r["year"] == y);
        r.map(|r| r["rank"].clone()).expect("a risk.csv row")
    };
    // The table: "rank district-id name stage year …"; ALL rows read "ALL (city-wide)".
    let stdout = String::from_utf8_lossy(&o.stdout);
    let table: Vec<(u32, String, String, String)> = stdout
        .lines()
        .filter_map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            let rank = words.first()?.parse().ok()?;
            // Skip other lines that start with a number ("40 trials in …").
            let (d, st, y) = (words.get(1)?, words.get(3)?, words.get(4)?);
            STAGES
                .contains(st)
                .then(|| (rank, d.to_string(), st.to_string(), y.to_string()))
        })
        .collect();
    for stage in STAGES {
        assert!(
            table.iter().any(|t| t.2 == stage),
            "{stage} missing:\n{stdout}"
        );
    }
    for (rank, d, st, y) in &table {
        assert_eq!(rank_of(d, st, y), rank.to_string(), "{d} {st} {y}");
    }
    assert!(table.windows(2).all(|w| w[0].0 < w[1].0), "rank order");
    assert_eq!(table[0].0, 1, "the most severe cell heads the table");
    // Ranks are distinct, 1..=n, and the base year is observed, not warned nor ranked.
    let mut ranks: Vec<u32> = rows.iter().filter_map(|r| r["rank"].parse().ok()).collect();
    ranks.sort();
    assert_eq!(ranks, (1..=ranks.len() as u32).collect::<Vec<_>>());
    for r in rows.iter().filter(|r| r["year"] == "2020") {
        assert_eq!(
            (r["warning"].as_str(), r["rank"].as_str()),
            ("observed", "")
        );
    }
}
