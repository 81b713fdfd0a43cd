//! City-wide shocks (DESIGN §2.1, §2.3): the city migration AR(1) shared by every district, and
//! programme-wide construction delays through a Gaussian copula. Seeds are fixed; tolerances
//! are 4 standard errors of the statistic tested.

use seatsim::engine::{Draws, Engine, Place};
use seatsim::model::metrics::Metric;
use seatsim::scenario::{DistrictIx, Scenario, StageIx};

use crate::support::Fixture;

/// Two districts of newborn-age migrants only: each year `enrolled[d] = 1000 · e^{ξ_d(t)}`
/// (no births, no one ageing into age 0, inflow 1000 at the only age).
fn arrivals(migration: &str, delay: &str, projects: &str) -> (Fixture, Scenario) {
    let toml = format!(
        "[scenario]\nbase_year = 2020\nhorizon = 2026\n[stages.infants]\nages = [0, 0]\nclass_size = 10\n\
         [migration]\n{migration}\n[construction.delay]\n{delay}\n\
         [data]\ndistricts = \"d.csv\"\npopulation = \"p.csv\"\ncapacity = \"c.csv\"\nprojects = \"pr.csv\"\n"
    );
    let f = Fixture::new(&[
        ("s.toml", &toml),
        (
            "d.csv",
            "id,name,births_base,rate_local,rate_migrant,inflow\nx,X,0,0,0,1000\ny,Y,0,0,0,1000\n",
        ),
        (
            "p.csv",
            "district,age,local,migrant\nx,0,0,1000\ny,0,0,1000\n",
        ),
        (
            "c.csv",
            "district,stage,schools,classes\nx,infants,1,100\ny,infants,1,100\n",
        ),
        (
            "pr.csv",
            &format!("id,name,district,stage,kind,classes,planned_year\n{projects}"),
        ),
    ]);
    let s = Scenario::load(&f.path("s.toml")).unwrap();
    (f, s)
}

/// `values[trial][year number][district]` of `metric`, years after the base year.
fn per_trial(engine: &Engine, trials: u64, metric: Metric) -> Vec<Vec<[f64; 2]>> {
    let layout = engine.layout();
    let m = Metric::ALL.iter().position(|&x| x == metric).unwrap();
    let at = |d: usize, yi: usize| {
        let row = layout
            .row(Place::District(DistrictIx(d)), StageIx(0))
            .unwrap();
        layout.cell(row, yi) * Metric::COUNT + m
    };
    let mut ws = engine.workspace();
    (0..trials)
        .map(|trial| {
            engine.run_trial(Draws::Random { seed: 9, trial }, &mut ws);
            (1..layout.years.len())
                .map(|yi| [ws.values[at(0, yi)], ws.values[at(1, yi)]])
                .collect()
        })
        .collect()
}

/// Sample correlation of two series.
fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let var = |x: &[f64], m: f64| x.iter().map(|v| (v - m).powi(2)).sum::<f64>();
    cov / (var(a, ma) * var(b, mb)).sqrt()
}

fn sd(a: &[f64]) -> f64 {
    let n = a.len() as f64;
    let m = a.iter().sum::<f64>() / n;
    (a.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
}

#[test]
fn city_migration_shock_is_shared_and_stationary() {
    let (sc, rc, sd_own, r_own) = (0.15f64, 0.8f64, 0.2f64, 0.3f64);
    let n = 4_000u64;
    let (_f, s) = arrivals(
        &format!("sigma_city = {sc}\nrho_city = {rc}\nsigma = {sd_own}\nrho = {r_own}"),
        "on_time = 1",
        "",
    );
    let engine = Engine::new(s);
    let runs = per_trial(&engine, n, Metric::Enrolled);
    let xi = |yi: usize, d: usize| -> Vec<f64> {
        runs.iter().map(|t| (t[yi][d] / 1000.0).ln()).collect()
    };
    let total = sc * sc + sd_own * sd_own;
    let se_r = |r: f64| 4.0 * (1.0 - r * r) / (n as f64).sqrt();
    for yi in 0..6 {
        // ξ_d = ξ_city + ξ'_d: marginal sd √(σc² + σ²) every year.
        let s = sd(&xi(yi, 0));
        assert!(
            (s / total.sqrt() - 1.0).abs() < 4.0 / (2.0 * n as f64).sqrt(),
            "year {yi}: sd {s}"
        );
        // Two districts share only the city part: correlation σc² / (σc² + σ²).
        let r = correlation(&xi(yi, 0), &xi(yi, 1));
        let expected = sc * sc / total;
        assert!((r - expected).abs() < se_r(expected), "year {yi}: {r}");
    }
    // Lag-k autocorrelation of a district: (σc²·ρc^k + σ²·ρ^k) / (σc² + σ²).
    for k in 1..=2 {
        let r = correlation(&xi(0, 0), &xi(k, 0));
        let expected =
            (sc * sc * rc.powi(k as i32) + sd_own * sd_own * r_own.powi(k as i32)) / total;
        assert!((r - expected).abs() < se_r(expected), "lag {k}: {r}");
    }
}

#[test]
fn without_a_city_sigma_districts_migrate_independently() {
    let n = 4_000u64;
    let (_f, s) = arrivals("sigma = 0.2\nrho = 0.5", "on_time = 1", "");
    let runs = per_trial(&Engine::new(s), n, Metric::Enrolled);
    let xi = |d: usize| -> Vec<f64> { runs.iter().map(|t| (t[2][d] / 1000.0).ln()).collect() };
    let r = correlation(&xi(0), &xi(1));
    assert!(r.abs() < 4.0 / (n as f64).sqrt(), "{r}");
}

/// Per trial, whether each district's new school (planned 2022, 10 classes) is open in year
/// number `yi`.
fn open_in(runs: &[Vec<[f64; 2]>], yi: usize) -> Vec<[bool; 2]> {
    runs.iter()
        .map(|t| t[yi - 1].map(|cap| cap > 1000.0))
        .collect()
}

const TWO_SCHOOLS: &str = "a,A,x,infants,new,10,2022\nb,B,y,infants,new,10,2022\n";

#[test]
fn correlated_delays_keep_each_projects_outcome_frequencies() {
    let n = 20_000u64;
    let delay = "on_time = 0.6\none_year = 0.25\ntwo_years = 0.1\nnever = 0.05\ncorrelation = 0.7";
    let (_f, s) = arrivals("", delay, TWO_SCHOOLS);
    let runs = per_trial(&Engine::new(s), n, Metric::Capacity);
    // Open by 2022, 2023, 2024 (year numbers 2, 3, 4): 0.6, 0.85, 0.95.
    for (yi, p) in [(2, 0.6), (3, 0.85), (4, 0.95)] {
        let open = open_in(&runs, yi);
        for d in 0..2 {
            let share = open.iter().filter(|o| o[d]).count() as f64 / n as f64;
            let tol = 4.0 * (p * (1.0 - p) / n as f64).sqrt();
            assert!(
                (share - p).abs() < tol,
                "year {yi} district {d}: {share} vs {p}"
            );
        }
    }
}

#[test]
fn delay_correlation_couples_projects_as_a_gaussian_copula() {
    let n = 20_000u64;
    for rho in [0.0f64, 0.3, 0.8] {
        let delay = format!("on_time = 0.5\none_year = 0.5\ncorrelation = {rho}");
        let (_f, s) = arrivals("", &delay, TWO_SCHOOLS);
        let runs = per_trial(&Engine::new(s), n, Metric::Capacity);
        let both = open_in(&runs, 2).iter().filter(|o| o[0] && o[1]).count() as f64 / n as f64;
        // u_i = Φ(√ρ·Z + √(1−ρ)·ε_i): the latent normals have correlation ρ, and both fall
        // below their medians with probability 1/4 + asin(ρ)/(2π) (Sheppard).
        let p = 0.25 + rho.asin() / (2.0 * std::f64::consts::PI);
        let tol = 4.0 * (p * (1.0 - p) / n as f64).sqrt();
        assert!(
            (both - p).abs() < tol,
            "ρ {rho}: both on time {both} vs {p}"
        );
    }
}
