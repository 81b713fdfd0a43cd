//! New housing (DESIGN §2.8) against hand calculations: one estate's children ageing through
//! the stages in deterministic mode, a delay moving them by exactly the delay, a ranged
//! multiplier's mean and sd, and outputs without housing unchanged.

use crate::golden::{CAPACITY, DISTRICTS, POPULATION};
use crate::support::{close, mean, read_summary, Fixture};

/// Two districts, ages 0–4; `early` (ages 1–2) by district, `late` (3–4) city-wide with a
/// senior-high return at age 3. No shocks: every trial differs only by housing draws.
const TOML: &str = r#"
[scenario]
name = "housing"
base_year = 2020
horizon = 2023
trials = 50

[stages.early]
ages = [1, 2]
class_size = 10
[stages.late]
ages = [3, 4]
class_size = 10
catchment = "city"

[enrolment]
late = 0.5
[private_share]
early = 0.1

[demography]
survival = [0.9, 0.95, 1.0, 0.98, 1.0]

[migration]
migrant_stay = 0.5

[housing]
yield = [0.1, 0.2, 0.1, 0.05, 0.0]
types = { flat = MULTIPLIER }
DELAY
[data]
districts = "districts.csv"
population = "population.csv"
capacity = "capacity.csv"
housing = "housing.csv"
"#;

/// e1: 100 flats (multiplier 0.5) in a, 2021; e2: 40 homes in b, 2022; e3 after the horizon.
const HOUSING: &str = "id,district,dwellings,completion_year,type
e1,a,100,2021,flat
e2,b,40,2022,
e3,a,5000,2031,
";

fn fixture(multiplier: &str, delay: &str, with_housing: bool) -> Fixture {
    let mut toml = TOML
        .replace("MULTIPLIER", multiplier)
        .replace("DELAY", delay);
    if !with_housing {
        toml = toml.replace("housing = \"housing.csv\"\n", "");
    }
    Fixture::new(&[
        ("s.toml", &toml),
        ("districts.csv", DISTRICTS),
        ("population.csv", POPULATION),
        ("capacity.csv", CAPACITY),
        ("housing.csv", HOUSING),
    ])
}

/// The housing cohort's public-seat pupils by hand, `(district or ALL, stage, year, value)`.
fn hand() -> Vec<(&'static str, &'static str, i32, f64)> {
    // e1 arrives in a in 2021, after step 4: 100 · 0.5 · yield = [5, 10, 5, 2.5, 0], migrant.
    let a21 = [5.0, 10.0, 5.0, 2.5, 0.0];
    // Each later year: age with survival, half of age 3 returns home for senior high, then
    // × growth (1 − 0.2 in a, 1 + 0.05 in b: each district's migrant rate).
    let next = |p: [f64; 5], g: f64| {
        [
            0.0,
            p[0] * 0.9 * g,
            p[1] * 0.95 * g,
            p[2] * 1.0 * 0.5 * g,
            p[3] * 0.98 * g,
        ]
    };
    let a22 = next(a21, 0.8);
    let a23 = next(a22, 0.8);
    // e2 arrives in b in 2022: 40 · 1 · yield = [4, 8, 4, 2, 0].
    let b22 = [4.0, 8.0, 4.0, 2.0, 0.0];
    let b23 = next(b22, 1.05);
    // early: ages 1–2, enrolment 1, private 0.1; late: ages 3–4, enrolment 0.5, city-wide.
    let early = |p: [f64; 5]| (p[1] + p[2]) * 0.9;
    let late = |p: [f64; 5]| (p[3] + p[4]) * 0.5;
    vec![
        ("a", "early", 2020, 0.0),
        ("a", "early", 2021, early(a21)),
        ("a", "early", 2022, early(a22)),
        ("a", "early", 2023, early(a23)),
        ("b", "early", 2021, 0.0),
        ("b", "early", 2022, early(b22)),
        ("b", "early", 2023, early(b23)),
        ("ALL", "early", 2022, early(a22) + early(b22)),
        ("ALL", "late", 2021, late(a21)),
        ("ALL", "late", 2022, late(a22) + late(b22)),
        // e3 completes after the horizon: nothing.
        ("ALL", "late", 2023, late(a23) + late(b23)),
    ]
}

#[test]
fn one_estates_children_age_through_the_stages_as_by_hand() {
    let f = fixture("0.5", "", true);
    let s = read_summary(&f.run("s.toml", "out", &["--deterministic"]));
    for (d, st, y, want) in hand() {
        let got = mean(&s, d, st, y, "housing_pupils");
        close(got, want, &format!("{d}/{st}/{y} housing_pupils"));
    }
    // 13.5, 10.08, 2.4624 in a/early 2021–2023: primary-first, then the wave moves on.
    close(
        mean(&s, "a", "early", 2021, "housing_pupils"),
        13.5,
        "a 2021",
    );
    close(
        mean(&s, "a", "early", 2023, "housing_pupils"),
        2.4624,
        "a 2023",
    );
}

#[test]
fn housing_pupils_are_exactly_the_demand_the_estates_add() {
    let with = fixture("0.5", "", true);
    let w = read_summary(&with.run("s.toml", "out", &["--deterministic"]));
    let without = fixture("0.5", "", false);
    let o = read_summary(&without.run("s.toml", "out", &["--deterministic"]));
    for (d, st, y, want) in hand() {
        let added = mean(&w, d, st, y, "demand") - mean(&o, d, st, y, "demand");
        close(added, want, &format!("{d}/{st}/{y} demand added"));
    }
    assert!(
        !o.keys().any(|k| k.3 == "housing_pupils"),
        "no housing_pupils rows without estates"
    );
}

#[test]
fn a_delay_moves_the_children_by_exactly_the_delay() {
    let f = fixture("0.5", "[housing.delay]\none_year = 1.0\n", true);
    let s = read_summary(&f.run("s.toml", "out", &["--trials", "20"]));
    let hand = hand();
    let at = |d: &str, st: &str, y| {
        let row = hand.iter().find(|h| (h.0, h.1, h.2) == (d, st, y));
        row.map(|h| h.3).expect("a hand value")
    };
    close(
        mean(&s, "a", "early", 2021, "housing_pupils"),
        0.0,
        "a 2021",
    );
    for (d, y) in [("a", 2022), ("a", 2023), ("b", 2023)] {
        let got = mean(&s, d, "early", y, "housing_pupils");
        close(got, at(d, "early", y - 1), &format!("{d} {y}"));
    }
    let sd = s[&("a".into(), "early".into(), 2022, "housing_pupils".into())].sd;
    assert_eq!(sd, Some(0.0), "every trial one year late");
}

#[test]
fn a_ranged_multiplier_gives_its_mean_and_spread() {
    let f = fixture("{ dist = \"uniform\", low = 0.3, high = 0.7 }", "", true);
    let n = 2000f64;
    let s = read_summary(&f.run("s.toml", "out", &["--trials", "2000", "--seed", "3"]));
    // a/early/2021 = 100 · m · (0.2 + 0.1) · 0.9 = 27·m, m ~ U(0.3, 0.7).
    let (mu, sigma) = (27.0 * 0.5, 27.0 * 0.4 / 12f64.sqrt());
    let row = &s[&("a".into(), "early".into(), 2021, "housing_pupils".into())];
    let (m, sd) = (row.mean.unwrap(), row.sd.unwrap());
    // 4 standard errors: of the mean σ/√n; of the sd of a uniform σ·√(0.2/n).
    assert!((m - mu).abs() < 4.0 * sigma / n.sqrt(), "mean {m} vs {mu}");
    assert!(
        (sd - sigma).abs() < 4.0 * sigma * (0.2 / n).sqrt(),
        "sd {sd} vs {sigma}"
    );
    // b's estate has no type: multiplier 1 in every trial.
    let b = &s[&("b".into(), "early".into(), 2022, "housing_pupils".into())];
    assert_eq!(b.sd, Some(0.0));
}

#[test]
fn without_housing_the_outputs_are_byte_identical_to_an_empty_pipeline() {
    // An empty housing.csv and no [data] housing give the same bytes.
    let empty = Fixture::new(&[
        (
            "s.toml",
            &TOML.replace("MULTIPLIER", "0.5").replace("DELAY", ""),
        ),
        ("districts.csv", DISTRICTS),
        ("population.csv", POPULATION),
        ("capacity.csv", CAPACITY),
        ("housing.csv", "id,district,dwellings,completion_year\n"),
    ]);
    let none = fixture("0.5", "", false);
    let args = ["--trials", "30", "--keep-trials", "*/*/*"];
    let (a, b) = (
        empty.run("s.toml", "out", &args),
        none.run("s.toml", "out", &args),
    );
    for file in ["summary.csv", "risk.csv", "trials.csv"] {
        let read = |dir: &std::path::Path| std::fs::read(dir.join(file)).unwrap();
        assert_eq!(read(&a), read(&b), "{file}");
    }
}

#[test]
fn an_estate_leaves_every_other_districts_draws_and_values_unchanged() {
    // The example scenario with shocks, delays and popularity draws, with and without one
    // estate in `centre`: common random numbers keep every cell of the other districts.
    let housing = "[housing]\nyield = [0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, \
                   0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02]\n\
                   [housing.delay]\non_time = 0.5\none_year = 0.5\n\
                   [data]\nhousing = \"housing.csv\"\n";
    let f = Fixture::new(&[
        ("with.toml", &crate::support::extends_example("", housing)),
        ("without.toml", &crate::support::extends_example("", "")),
        (
            "housing.csv",
            "id,district,dwellings,completion_year\nnew-town,centre,3000,2024\n",
        ),
    ]);
    let args = ["--trials", "200"];
    let with = read_summary(&f.run("with.toml", "a", &args));
    let without = read_summary(&f.run("without.toml", "b", &args));
    let mut compared = 0;
    for (key, row) in &without {
        if key.0 == "centre" || key.0 == "ALL" {
            continue;
        }
        let other = &with[key];
        assert_eq!(
            (row.mean, row.sd, row.q),
            (other.mean, other.sd, other.q),
            "{key:?}"
        );
        compared += 1;
    }
    assert!(compared > 100);
    let centre = |s: &crate::support::Summary| mean(s, "centre", "primary", 2026, "demand");
    assert!(
        centre(&with) > centre(&without),
        "the estate adds pupils in centre"
    );
}

#[test]
fn the_report_shows_pupils_from_new_housing_only_where_there_are_estates() {
    for (with_housing, shown) in [(true, true), (false, false)] {
        let f = fixture("0.5", "", with_housing);
        f.seatsim_ok(&[
            "run",
            "s.toml",
            "--quiet",
            "--deterministic",
            "--out",
            "out",
        ]);
        let page = std::fs::read_to_string(f.path("out/report.html")).unwrap();
        assert_eq!(page.contains("Pupils from new housing"), shown, "{page}");
        if shown {
            // one row per district-stage with estates, named as the run names it
            assert!(page.contains("<td>Alpha</td><td>early</td>"), "{page}");
            // and district a's own section names the estates' peak: 13.5 early pupils in 2021, shown whole
            let section = &page[page.find("id=\"district-a\"").unwrap()..];
            let section = &section[..section.find("</section>").unwrap()];
            assert!(section.contains("early 2021: 14 (14–14)"), "{section}");
        }
    }
}
