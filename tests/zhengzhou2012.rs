//! The Zhengzhou rolling-origin back-test: the 2012 and 2016 origins (horizon 2020) and the
//! default scenario (base 2020) load, each base year reproduces its education figures, and
//! `seatsim backtest` scores each origin on the observed years within its own years.

use std::path::PathBuf;

use crate::support::{read_rows, Fixture};

fn scenarios() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

#[test]
fn rolling_backtest_reproduces_each_base_year_and_scores_every_observation() {
    let fx = Fixture::new(&[]);
    let path = |p: &str| scenarios().join(p).to_string_lossy().into_owned();
    let observed = scenarios().join("zhengzhou-2012/observed.csv");
    fx.seatsim_ok(&[
        "backtest",
        "--origin",
        &path("zhengzhou-2012.toml"),
        "--origin",
        &path("zhengzhou-2016.toml"),
        "--origin",
        &path("zhengzhou.toml"),
        "--observed",
        &observed.to_string_lossy(),
        "--trials",
        "400",
        "--quiet",
        "--no-plots",
        "--out",
        "bt",
    ]);
    let rows = read_rows(&fx.path("bt/backtest.csv"));
    let observed_rows = read_rows(&observed);
    let of = |origin: &'static str| rows.iter().filter(move |r| r["origin"] == origin);
    assert_eq!(of("zhengzhou-2012").count(), observed_rows.len());
    // The 2020 origin scores only what it can: the 2020 rows (no 2021–2022 bulletin found);
    // the 2016 origin its base year and 2020.
    assert!(of("zhengzhou").all(|r| r["year"] == "2020"));
    assert!(of("zhengzhou-2016").all(|r| r["year"] == "2016" || r["year"] == "2020"));
    assert_eq!(of("zhengzhou-2016").count(), 11);
    // The 2012 and 2020 education bulletins and R2016, pupils by stage: each base year is built
    // from them, so only the rounding of population.csv (one decimal per district and age)
    // separates the two. (Kindergarten 2016 was not published.)
    for (origin, year, stages) in [
        ("zhengzhou-2012", "2012", 4),
        ("zhengzhou-2016", "2016", 3),
        ("zhengzhou", "2020", 4),
    ] {
        let base: Vec<_> = of(origin)
            .filter(|r| r["year"] == year && r["metric"] == "enrolled")
            .collect();
        assert_eq!(base.len(), stages, "every stage observed in {year}");
        for r in base {
            let (model, bulletin): (f64, f64) =
                (r["p50"].parse().unwrap(), r["observed"].parse().unwrap());
            assert!(
                (model / bulletin - 1.0).abs() < 1e-4,
                "{origin} {}: {model} vs {bulletin}",
                r["stage"]
            );
        }
    }
    // Every observation after 2012 is scored from the trials; nothing was tuned on them, so
    // their coverage is reported (README, "The Zhengzhou rolling-origin back-test"), not asserted.
    let later: Vec<_> = of("zhengzhou-2012")
        .filter(|r| r["horizon"] != "0")
        .collect();
    assert_eq!(later.len(), 14);
    for r in later {
        let (pit, crps): (f64, f64) = (r["pit"].parse().unwrap(), r["crps"].parse().unwrap());
        assert!((0.0..=1.0).contains(&pit) && crps >= 0.0, "{r:?}");
        assert!(
            !r["persistence"].is_empty(),
            "{r:?}: the 2012 value carried forward"
        );
    }
}
