//! Every quantile of `summary.csv` against the exact trial values `--keep-trials` writes
//! (DESIGN §2.5): within 0.05 sd of the exact quantile (rank ⌊q·(n−1)⌋) or exact, within the
//! exact [min, max], in order; `min` and `max` exact.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::support::{example_toml, read_rows, Fixture};

/// The error DESIGN §2.5 allows, in standard deviations of the cell's trials.
const TOLERANCE_SD: f64 = 0.05;
/// `summary.csv` writes 10 significant digits: a value read back is within this share of it.
const PRINTED: f64 = 1e-9;

type Key = (String, String, String, String);

/// Each kept cell-metric's defined values over trials, sorted.
fn trial_values(dir: &Path) -> HashMap<Key, Vec<f64>> {
    let mut out: HashMap<Key, Vec<f64>> = HashMap::new();
    let mut reader = csv::Reader::from_path(dir.join("trials.csv")).unwrap();
    for record in reader.records() {
        let r = record.unwrap();
        if r[5].is_empty() {
            continue;
        }
        let key = (r[1].into(), r[2].into(), r[3].into(), r[4].into());
        out.entry(key).or_default().push(r[5].parse().unwrap());
    }
    for v in out.values_mut() {
        v.sort_by(f64::total_cmp);
    }
    out
}

/// What the check found: cells checked, those with spread, and point masses with spread.
#[derive(Debug, Default)]
struct Checked {
    cells: usize,
    spread: usize,
    point_masses: usize,
    worst_sd: f64,
}

/// Checks every row of `dir/summary.csv` kept in `dir/trials.csv`.
fn check_quantiles(dir: &Path) -> Checked {
    let exact = trial_values(dir);
    let mut seen = Checked::default();
    for row in read_rows(&dir.join("summary.csv")) {
        let key = (
            row["district"].clone(),
            row["stage"].clone(),
            row["year"].clone(),
            row["metric"].clone(),
        );
        let Some(v) = exact.get(&key) else { continue };
        seen.cells += 1;
        let n = v.len();
        let get = |c: &str| row[c].parse::<f64>().unwrap();
        let same = |a: f64, b: f64| (a - b).abs() <= PRINTED * b.abs().max(1e-300);
        let (min, max) = (get("min"), get("max"));
        assert!(same(min, v[0]) && same(max, v[n - 1]), "{key:?}: min/max");
        let mean = v.iter().sum::<f64>() / n as f64;
        let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n as f64 - 1.0)).sqrt();
        let spread = v[0] != v[n - 1];
        seen.spread += usize::from(spread);
        let mode_share = v.iter().filter(|&&x| x == v[n / 2]).count() as f64 / n as f64;
        seen.point_masses += usize::from(spread && mode_share > 0.3);
        let mut last = f64::NEG_INFINITY;
        for (column, q) in [
            ("p05", 0.05),
            ("p25", 0.25),
            ("p50", 0.5),
            ("p75", 0.75),
            ("p95", 0.95),
        ] {
            let (got, want) = (get(column), v[(q * (n - 1) as f64) as usize]);
            assert!(
                got >= last,
                "{key:?}: {column} {got} below the quantile before it"
            );
            assert!(
                got >= min - PRINTED * min.abs() && got <= max + PRINTED * max.abs(),
                "{key:?}: {column} {got} outside [{min}, {max}]"
            );
            let error = ((got - want).abs() - PRINTED * want.abs()).max(0.0);
            if spread {
                assert!(
                    error <= TOLERANCE_SD * sd,
                    "{key:?}: {column} {got} vs exact {want}: {:.3} sd",
                    error / sd
                );
                seen.worst_sd = seen.worst_sd.max(error / sd);
            } else {
                assert_eq!(error, 0.0, "{key:?}: {column} {got} of a constant {want}");
            }
            last = got;
        }
    }
    seen
}

fn zhengzhou() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/zhengzhou.toml")
}

#[test]
fn zhengzhou_quantiles_are_within_a_twentieth_of_an_sd_of_the_exact_ones() {
    let f = Fixture::new(&[]);
    let cells = "ALL/*/*,jinshui/*/*,zhongmu/*/*";
    let scenario = zhengzhou().display().to_string();
    let dir = f.run(
        &scenario,
        "out",
        &["--trials", "1500", "--keep-trials", cells],
    );
    let seen = check_quantiles(&dir);
    // ALL: 4 stages, the two districts 3 (senior is city-wide); 16 years, 12 metrics each
    // (Zhengzhou gives every stage [teachers] and [costs]), and `surge_classes` for primary
    // and junior.
    assert_eq!(
        seen.cells,
        12 * 16 * (4 + 3 + 3) + 16 * (2 + 2 + 2),
        "{seen:?}"
    );
    assert!(seen.spread > seen.cells / 2, "{seen:?}");
    eprintln!("Zhengzhou: {seen:?}");
}

#[test]
fn point_masses_are_reported_exactly_and_spreads_within_tolerance() {
    let f = Fixture::new(&[]);
    let scenario = example_toml().display().to_string();
    let dir = f.run(
        &scenario,
        "out",
        &["--trials", "3000", "--keep-trials", "*/*/*"],
    );
    let seen = check_quantiles(&dir);
    assert!(
        seen.point_masses > 10,
        "cells with a point mass and a spread (e.g. a shortfall 0 in most trials): {seen:?}"
    );
}

#[test]
fn kept_trials_are_the_trials_of_the_run_whatever_the_threads() {
    let f = Fixture::new(&[]);
    let scenario = example_toml().display().to_string();
    let keep = ["--trials", "300", "--keep-trials", "ALL/*/*/demand"];
    let one = f.run(&scenario, "one", &[&keep[..], &["--threads", "1"]].concat());
    let two = f.run(&scenario, "two", &[&keep[..], &["--threads", "2"]].concat());
    let read = |d: &Path| std::fs::read(d.join("trials.csv")).unwrap();
    assert_eq!(read(&one), read(&two));
    let rows = read_rows(&one.join("trials.csv"));
    let trials: Vec<u64> = rows.iter().map(|r| r["trial"].parse().unwrap()).collect();
    assert!(trials.windows(2).all(|w| w[0] <= w[1]), "in trial order");
    assert_eq!((trials[0], *trials.last().unwrap()), (0, 299));
}

#[test]
fn a_keep_trials_pattern_that_names_nothing_is_refused_before_the_run() {
    let f = Fixture::new(&[]);
    let scenario = example_toml().display().to_string();
    for (pattern, says) in [
        ("ALL/primary", "DISTRICT/STAGE/YEAR"),
        ("nowhere/*/*", "district \"nowhere\" is not in the run"),
        ("*/*/1999", "year \"1999\" is not in the run"),
        ("*/*/*/seats", "metric \"seats\" is not in the run"),
    ] {
        let o = f.seatsim(&["run", &scenario, "--out", "out", "--keep-trials", pattern]);
        assert_eq!(o.status.code(), Some(2), "{pattern}");
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(stderr.contains(says), "{pattern}: {stderr}");
        assert!(
            !f.path("out/summary.csv").exists(),
            "{pattern}: nothing written"
        );
    }
}
