//! Monte Carlo draws against their known distributions. Seeds are fixed; every tolerance is
//! derived from the sampling error of the statistic (4 standard errors) plus the quantile
//! sketch's stated relative error where quantiles are involved.

use std::sync::atomic::AtomicBool;

use seatsim::engine::{self, Accumulator, Draws, Engine, Mode, Place};
use seatsim::model::metrics::Metric;
use seatsim::scenario::{DistrictIx, Scenario, StageIx};
use seatsim::stats::BIN_WIDTH_SD;

use crate::support::Fixture;

/// One district whose only stage is the newborns (age 0), so `enrolled` is the births.
fn newborns(births: &str, delay: &str, projects: &str) -> (Fixture, Scenario) {
    let toml = format!(
        "[scenario]\nbase_year = 2020\nhorizon = 2025\n[stages.infants]\nages = [0, 0]\nclass_size = 10\n\
         [births]\n{births}\n[construction.delay]\n{delay}\n\
         [data]\ndistricts = \"d.csv\"\npopulation = \"p.csv\"\ncapacity = \"c.csv\"\nprojects = \"pr.csv\"\n"
    );
    let f = Fixture::new(&[
        ("s.toml", &toml),
        (
            "d.csv",
            "id,name,births_base,rate_local,rate_migrant,inflow\nx,X,1000,0,0,0\n",
        ),
        ("p.csv", "district,age,local,migrant\nx,0,1000,0\n"),
        ("c.csv", "district,stage,schools,classes\nx,infants,1,100\n"),
        (
            "pr.csv",
            &format!("id,name,district,stage,kind,classes,planned_year\n{projects}"),
        ),
    ]);
    let s = Scenario::load(&f.path("s.toml")).unwrap();
    (f, s)
}

fn run(engine: &Engine, trials: u64) -> Accumulator {
    let mode = Mode::MonteCarlo {
        seed: 2024,
        range: 0..trials,
        total: trials,
    };
    engine::run(engine, &mode, 2, &AtomicBool::new(false), &|_| {}).unwrap()
}

fn cell(engine: &Engine, year_ix: usize) -> usize {
    let row = engine
        .layout()
        .row(Place::District(DistrictIx(0)), StageIx(0))
        .unwrap();
    engine.layout().cell(row, year_ix)
}

/// Standard normal quantiles at the reported probabilities (P5 … P95).
const Z: [f64; 5] = [-1.644_853_6, -0.674_489_8, 0.0, 0.674_489_8, 1.644_853_6];
const Q: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

#[test]
fn district_births_shock_gives_lognormal_births() {
    let sigma: f64 = 0.1;
    let n = 20_000u64;
    let (_f, s) = newborns(&format!("sigma_district = {sigma}"), "on_time = 1", "");
    let engine = Engine::new(s);
    let acc = run(&engine, n);
    let sum = acc
        .metric(cell(&engine, 1), Metric::Enrolled)
        .summary()
        .unwrap();
    // E[1000·e^ε] = 1000·e^{σ²/2}; Var = 1000²·(e^{σ²} − 1)·e^{σ²}.
    let mean = 1000.0 * (sigma * sigma / 2.0).exp();
    let sd = 1000.0 * (((sigma * sigma).exp() - 1.0) * (sigma * sigma).exp()).sqrt();
    assert!(
        (sum.mean - mean).abs() < 4.0 * sd / (n as f64).sqrt(),
        "mean {} vs {mean}",
        sum.mean
    );
    // The sample sd of a near-normal variable has relative standard error ≈ 1/√(2n).
    assert!(
        (sum.sd / sd - 1.0).abs() < 4.0 / (2.0 * n as f64).sqrt() + 0.01,
        "sd {} vs {sd}",
        sum.sd
    );
    for i in 0..5 {
        let x = 1000.0 * (sigma * Z[i]).exp();
        // Quantile sampling sd: √(q(1−q)/n) / f(x), with the lognormal density f(x) = φ(z)/(xσ).
        let phi = (-Z[i] * Z[i] / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt();
        let se = (Q[i] * (1.0 - Q[i]) / n as f64).sqrt() * x * sigma / phi;
        // The sketch reports a bin centre: within half a bin, 0.025 pilot sd (the pilot sd
        // within a few % of the sample sd).
        let tol = 4.0 * se + BIN_WIDTH_SD * sum.sd;
        assert!(
            (sum.quantiles[i] - x).abs() < tol,
            "P{}: {} vs {x} ± {tol}",
            Q[i] * 100.0,
            sum.quantiles[i]
        );
    }
    // The base year is observed, not drawn.
    let base = acc
        .metric(cell(&engine, 0), Metric::Enrolled)
        .summary()
        .unwrap();
    assert_eq!((base.mean, base.sd), (1000.0, 0.0));
}

#[test]
fn city_births_shock_is_stationary_ar1() {
    let (sigma, rho) = (0.2f64, 0.6f64);
    let n = 4_000;
    let (_f, s) = newborns(
        &format!("sigma_city = {sigma}\nrho = {rho}"),
        "on_time = 1",
        "",
    );
    let engine = Engine::new(s);
    let mut ws = engine.workspace();
    let at = |yi: usize| cell(&engine, yi) * Metric::COUNT;
    let mut logs = vec![Vec::new(); 6];
    for trial in 0..n {
        engine.run_trial(Draws::Random { seed: 5, trial }, &mut ws);
        for (yi, l) in logs.iter_mut().enumerate().skip(1) {
            l.push((ws.values[at(yi)] / 1000.0).ln());
        }
    }
    let stats = |x: &[f64]| {
        let m = x.iter().sum::<f64>() / x.len() as f64;
        (
            m,
            (x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (x.len() - 1) as f64).sqrt(),
        )
    };
    // Each year's log shock is N(0, σ²): the sd is σ in the first year and every later one.
    for l in &logs[1..] {
        let (m, sd) = stats(l);
        assert!(m.abs() < 4.0 * sigma / (n as f64).sqrt());
        assert!((sd / sigma - 1.0).abs() < 4.0 / (2.0 * n as f64).sqrt());
    }
    // Lag-k correlation is ρ^k; its standard error is about (1 − ρ^{2k})/√n.
    for k in 1..=2 {
        let (a, b) = (&logs[1][..], &logs[1 + k][..]);
        let ((ma, sa), (mb, sb)) = (stats(a), stats(b));
        let cov = a
            .iter()
            .zip(b)
            .map(|(x, y)| (x - ma) * (y - mb))
            .sum::<f64>()
            / (n - 1) as f64;
        let r = cov / (sa * sb);
        let expected = rho.powi(k as i32);
        assert!(
            (r - expected).abs() < 4.0 * (1.0 - expected * expected) / (n as f64).sqrt(),
            "lag {k}: {r}"
        );
    }
}

#[test]
fn delay_frequencies_match_the_profile() {
    let n = 20_000u64;
    let (_f, s) = newborns(
        "",
        "on_time = 0.6\none_year = 0.25\ntwo_years = 0.1\nnever = 0.05",
        "p,New,x,infants,new,10,2022\n",
    );
    let engine = Engine::new(s);
    let acc = run(&engine, n);
    // Capacity is 1000 seats, plus 100 once the school opens: its mean share of trials open by
    // 2022, 2023, 2024 is 0.6, 0.85, 0.95 (and stays 0.95: 5% never open).
    for (yi, p) in [(1, 0.0), (2, 0.6), (3, 0.85), (4, 0.95), (5, 0.95)] {
        let cap = acc
            .metric(cell(&engine, yi), Metric::Capacity)
            .summary()
            .unwrap()
            .mean;
        let share = (cap - 1000.0) / 100.0;
        let tol = 4.0 * (p * (1.0 - p) / n as f64).sqrt() + 1e-9;
        assert!(
            (share - p).abs() <= tol,
            "year {yi}: open share {share} vs {p}"
        );
    }
}

/// At the smallest dispersion a scenario takes (κ = 0.1), a catchment with one school still
/// seats every pupil there: its weight cancels from `D · c w / Σ c w` (DESIGN §2.4), so the
/// golden scenario's city-wide stage (one school, four classes, a closure) gives the same
/// numbers, trial by trial, as without dispersion. Below 0.1 the weight could underflow to 0
/// and the class size became infinite (κ = 0.01 stopped the run); such κ are now refused.
#[test]
fn a_one_school_catchment_ignores_its_weight_at_the_smallest_dispersion() {
    use crate::golden::{CAPACITY, DISTRICTS, GOLDEN_TOML, POPULATION, PROJECTS};
    use crate::support::{read_summary, Fixture};
    let dispersed = GOLDEN_TOML.replace(
        "catchment = \"city\"",
        &format!(
            "catchment = \"city\"\ndispersion = {}",
            seatsim::scenario::MIN_DISPERSION
        ),
    );
    assert_ne!(dispersed, GOLDEN_TOML);
    let f = Fixture::new(&[
        ("even.toml", GOLDEN_TOML),
        ("dispersed.toml", &dispersed),
        ("districts.csv", DISTRICTS),
        ("population.csv", POPULATION),
        ("capacity.csv", CAPACITY),
        ("projects.csv", PROJECTS),
    ]);
    let args = ["--trials", "20000", "--seed", "3"];
    let even = read_summary(&f.run("even.toml", "even", &args));
    let dispersed = read_summary(&f.run("dispersed.toml", "dispersed", &args));
    let late: Vec<_> = even.keys().filter(|k| k.1 == "late").collect();
    assert!(
        late.len() > 20,
        "{} rows of the city-wide stage",
        late.len()
    );
    for k in late {
        let (a, b) = (&even[k], &dispersed[k]);
        let same = |x: Option<f64>, y: Option<f64>| match (x, y) {
            (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * x.abs().max(1.0),
            _ => x == y,
        };
        assert!(
            same(a.mean, b.mean) && same(a.sd, b.sd),
            "{k:?}: {a:?} vs {b:?}"
        );
    }
}
