//! `[drift]`: enrolment, private-share and trend drift follow their AR(1) (sd at horizon h as
//! the formula says), hold at 0 up to `from`, vanish in deterministic mode, and leave every
//! other draw of the trial unchanged. Seeds are fixed; tolerances are 4 standard errors of the
//! sample sd, `sd·√(2/(n−1))·…`, the sample being normal.

use seatsim::engine::{Draws, Engine, Place};
use seatsim::model::metrics::Metric;
use seatsim::scenario::{DistrictIx, Scenario, StageIx};

use crate::support::Fixture;

/// One district; stage s0 = age 0 (births of 1000 a year, or an inflow of 1000 newborn
/// migrants), s1 = age 1, 1000 children each in the base year; horizon 2030.
fn one_district(keys: &str, births: u32, inflow: u32) -> Scenario {
    let toml = format!(
        "[scenario]\nbase_year = 2020\nhorizon = 2030\n\
         [stages.s0]\nages = [0, 0]\nclass_size = 10\n[stages.s1]\nages = [1, 1]\nclass_size = 10\n\
         [migration]\nage_profile = [1, 0]\n{keys}\n\
         [data]\ndistricts = \"d.csv\"\npopulation = \"p.csv\"\ncapacity = \"c.csv\"\n"
    );
    let f = Fixture::new(&[
        ("s.toml", &toml),
        (
            "d.csv",
            &format!(
                "id,name,births_base,rate_local,rate_migrant,inflow\nx,X,{births},0,0,{inflow}\n"
            ),
        ),
        (
            "p.csv",
            "district,age,local,migrant\nx,0,1000,0\nx,1,1000,0\n",
        ),
        (
            "c.csv",
            "district,stage,schools,classes\nx,s0,1,100\nx,s1,1,100\n",
        ),
    ]);
    Scenario::load(&f.path("s.toml")).unwrap()
}

#[test]
fn check_lists_every_drift_series_with_its_sd_at_the_horizon() {
    let f = Fixture::copy_of("tests/broken/base");
    let toml = std::fs::read_to_string(f.path("scenario.toml")).unwrap();
    let drift = "[drift]\ntrend = { sigma = 0.1, rho = 0.5, from = 2022 }\n\
                 [drift.enrolment]\nprimary = { sigma = 0.02 }\n\n[data]";
    std::fs::write(f.path("scenario.toml"), toml.replacen("[data]", drift, 1)).unwrap();
    let out = f.seatsim_ok(&["check", "scenario.toml"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Horizon 2030: primary √10 · 0.02 = 0.0632; trend 8 years of ρ 0.5: 0.1·√(4/3·(1 − 4⁻⁸)).
    for line in [
        "drift     enrolment.primary: random walk, σ 0.02 a year from 2020; sd 0.0632 by 2030",
        "drift     trend: AR(1) ρ 0.5, σ 0.1 a year from 2022; sd 0.1155 by 2030",
    ] {
        assert!(stdout.contains(line), "{line}\n{stdout}");
    }
}

/// `metric` of stage `st` in every year, trial by trial.
fn per_trial(engine: &Engine, n: u64, st: usize, metric: Metric) -> Vec<Vec<f64>> {
    let layout = engine.layout();
    let m = Metric::ALL.iter().position(|&x| x == metric).unwrap();
    let row = layout
        .row(Place::District(DistrictIx(0)), StageIx(st))
        .unwrap();
    let mut ws = engine.workspace();
    (0..n)
        .map(|trial| {
            engine.run_trial(Draws::Random { seed: 17, trial }, &mut ws);
            (0..layout.years.len())
                .map(|yi| ws.values[layout.cell(row, yi) * Metric::COUNT + m])
                .collect()
        })
        .collect()
}

/// Sample sd of `f(values[trial][yi])` over trials.
fn sd_of(values: &[Vec<f64>], yi: usize, f: impl Fn(f64) -> f64) -> f64 {
    let x: Vec<f64> = values.iter().map(|v| f(v[yi])).collect();
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    (x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
}

/// The sd of a series at every year against `want(h)`, `h` the years after 2020.
fn check_sd(values: &[Vec<f64>], f: impl Fn(f64) -> f64 + Copy, want: impl Fn(i32) -> f64) {
    let n = values.len() as f64;
    for h in 0..=10 {
        let (got, want) = (sd_of(values, h as usize, f), want(h));
        let tol = 4.0 * want * (2.0 / (n - 1.0)).sqrt() + 1e-12;
        assert!(
            (got - want).abs() <= tol,
            "h = {h}: sd {got} vs {want} ± {tol}"
        );
    }
}

const N: u64 = 4000;

#[test]
fn enrolment_drift_is_a_random_walk_on_the_log_rate() {
    let s = one_district("[drift.enrolment]\ns0 = { sigma = 0.03 }", 1000, 0);
    let engine = Engine::new(s);
    let values = per_trial(&engine, N, 0, Metric::Enrolled);
    // enrolled = 1000 · e^{x_t}; x_t has sd 0.03·√h.
    check_sd(
        &values,
        |e| (e / 1000.0).ln(),
        |h| 0.03 * f64::from(h).sqrt(),
    );
}

#[test]
fn private_share_drift_is_an_ar1_on_the_log_odds_after_from() {
    let s = one_district(
        "[private_share]\ns1 = 0.2\n[drift.private_share]\ns1 = { sigma = 0.2, rho = 0.6, from = 2023 }",
        1000,
        0,
    );
    let engine = Engine::new(s);
    let demand = per_trial(&engine, N, 1, Metric::Demand);
    let logit = |d: f64| {
        let p = 1.0 - d / 1000.0;
        (p / (1.0 - p)).ln()
    };
    let ar1 = |h: i32| {
        let k = (h - 3).max(0);
        0.2 * ((1.0 - 0.36f64.powi(k)) / (1.0 - 0.36)).sqrt()
    };
    check_sd(&demand, logit, ar1);
}

#[test]
fn trend_drift_scales_the_migrant_inflow() {
    let s = one_district("[drift]\ntrend = { sigma = 0.1, rho = 0.9 }", 0, 1000);
    let engine = Engine::new(s);
    let values = per_trial(&engine, N, 0, Metric::Enrolled);
    let ar1 = |h: i32| 0.1 * ((1.0 - 0.81f64.powi(h)) / (1.0 - 0.81)).sqrt();
    check_sd(&values[..], |e| (e / 1000.0).ln(), ar1);
}

#[test]
fn trend_drift_on_the_level_adds_to_the_trend_and_stops_at_zero() {
    // Trend 1 and σ 0.05: inflow 1000·(1 + x_t), x_t of sd 0.05·√h (never near 0 here).
    let s = one_district(
        "[drift]\ntrend = { sigma = 0.05, scale = \"level\" }",
        0,
        1000,
    );
    let values = per_trial(&Engine::new(s), N, 0, Metric::Enrolled);
    check_sd(
        &values,
        |e| e / 1000.0 - 1.0,
        |h| 0.05 * f64::from(h).sqrt(),
    );
    // Trend 0.1 and σ 0.2: max(0, 0.1 + x_t); by 2030 (sd 0.632) P(x_t < −0.1) = Φ(−0.158).
    let s = one_district(
        "trend = 0.1\n[drift]\ntrend = { sigma = 0.2, scale = \"level\" }",
        0,
        1000,
    );
    let values = per_trial(&Engine::new(s), N, 0, Metric::Enrolled);
    let last: Vec<f64> = values.iter().map(|v| v[10]).collect();
    assert!(last.iter().all(|&e| e >= 0.0), "no negative children");
    let at_zero = last.iter().filter(|&&e| e == 0.0).count() as f64 / N as f64;
    let want = 0.4372; // Φ(−0.1 / (0.2·√10))
    let tol = 4.0 * (want * (1.0 - want) / N as f64).sqrt();
    assert!((at_zero - want).abs() <= tol, "{at_zero} vs {want} ± {tol}");
}

#[test]
fn drift_leaves_every_other_draw_and_the_deterministic_run_unchanged() {
    let shocks = "[births]\nsigma_city = 0.05\nrho = 0.5\nsigma_district = 0.02\n";
    let plain = Engine::new(one_district(shocks, 1000, 0));
    let drifted = Engine::new(one_district(
        &format!("{shocks}[drift.enrolment]\ns1 = {{ sigma = 0.05 }}"),
        1000,
        0,
    ));
    // s0 (age 0) carries the births shocks only: identical trial by trial.
    assert_eq!(
        per_trial(&plain, 50, 0, Metric::Enrolled),
        per_trial(&drifted, 50, 0, Metric::Enrolled)
    );
    let moved = per_trial(&drifted, 50, 1, Metric::Enrolled);
    assert_ne!(per_trial(&plain, 50, 1, Metric::Enrolled), moved);
    let (mut a, mut b) = (plain.workspace(), drifted.workspace());
    plain.run_trial(Draws::Central, &mut a);
    drifted.run_trial(Draws::Random { seed: 1, trial: 0 }, &mut b);
    drifted.run_trial(Draws::Central, &mut b);
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(
        bits(&a.values),
        bits(&b.values),
        "no drift in deterministic mode"
    );
}
