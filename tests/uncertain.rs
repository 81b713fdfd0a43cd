//! Uncertain inputs (DESIGN §2.6): draws follow their distributions, `--deterministic` takes
//! the central values, a shared label shares the draw (also across scenarios), and `check`
//! lists them. Seeds are fixed; tolerances are 4 standard errors plus the sketch's stated
//! relative error for quantiles.

use std::sync::atomic::AtomicBool;

use seatsim::engine::{self, Draws, Engine, Mode, Place};
use seatsim::model::metrics::Metric;
use seatsim::scenario::{DistrictIx, Scenario, StageIx};
use seatsim::stats::normal;
use seatsim::stats::BIN_WIDTH_SD;

use crate::support::{mean, read_summary, Fixture};

/// One district, four one-age stages (ages 0–3) of 1000 local children each in the base year,
/// so base-year demand of stage `s` is `1000 · enrol_s · (1 − private_s)`.
fn four_stages(numbers: &str) -> Fixture {
    let stages: String = (0..4)
        .map(|a| format!("[stages.s{a}]\nages = [{a}, {a}]\nclass_size = 10\n"))
        .collect();
    let toml = format!(
        "[scenario]\nbase_year = 2020\nhorizon = 2022\n{stages}{numbers}\n\
         [data]\ndistricts = \"d.csv\"\npopulation = \"p.csv\"\ncapacity = \"c.csv\"\n"
    );
    let capacity: String = (0..4).map(|a| format!("x,s{a},1,100\n")).collect();
    Fixture::new(&[
        ("s.toml", &toml),
        (
            "d.csv",
            "id,name,births_base,rate_local,rate_migrant,inflow\nx,X,1000,0,0,0\n",
        ),
        (
            "p.csv",
            "district,age,local,migrant\nx,0,1000,0\nx,1,1000,0\nx,2,1000,0\nx,3,1000,0\n",
        ),
        (
            "c.csv",
            &format!("district,stage,schools,classes\n{capacity}"),
        ),
    ])
}

const NUMBERS: &str = "[private_share]\n\
    s0 = { dist = \"uniform\", low = 0.1, high = 0.3 }\n\
    s1 = { 2020 = { dist = \"triangular\", low = 0.0, mode = 0.1, high = 0.4 }, 2022 = 0.0 }\n\
    s2 = { dist = \"normal\", mean = 0.05, sd = 0.1 }\n\
    [enrolment]\n\
    s3 = { dist = \"lognormal\", median = 0.9, sd_log = 0.1 }\n";

/// Base-year cell of stage `st`.
fn base_cell(engine: &Engine, st: usize) -> usize {
    let row = engine
        .layout()
        .row(Place::District(DistrictIx(0)), StageIx(st))
        .unwrap();
    engine.layout().cell(row, 0)
}

/// Quantile function, mean and sd of base-year demand of each stage of [`NUMBERS`].
fn theory(st: usize) -> (Box<dyn Fn(f64) -> f64>, f64, f64) {
    let (phi, cdf) = (
        |x: f64| (-x * x / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt(),
        normal::cdf,
    );
    match st {
        // D = 1000 (1 − p): the q-quantile of D is 1000 (1 − p at 1 − q).
        0 => (
            Box::new(|q| 1000.0 * (1.0 - (0.1 + 0.2 * (1.0 - q)))),
            800.0,
            200.0 / 12f64.sqrt(),
        ),
        1 => {
            let p = |q: f64| {
                if q < 0.25 {
                    (q * 0.4 * 0.1).sqrt()
                } else {
                    0.4 - ((1.0 - q) * 0.4 * 0.3).sqrt()
                }
            };
            let var = (0.01 + 0.16 - 0.04) / 18.0;
            (
                Box::new(move |q| 1000.0 * (1.0 - p(1.0 - q))),
                1000.0 * (1.0 - 0.5 / 3.0),
                1000.0 * f64::sqrt(var),
            )
        }
        2 => {
            // N(0.05, 0.1²) truncated to [0, 1]: α = −0.5, β = 9.5.
            let (m, s, a, b) = (0.05, 0.1, -0.5, 9.5);
            let z = cdf(b) - cdf(a);
            let d = (phi(a) - phi(b)) / z;
            let var = s * s * (1.0 + (a * phi(a) - b * phi(b)) / z - d * d);
            let p = move |q: f64| m + s * normal::quantile(cdf(a) + q * z);
            (
                Box::new(move |q| 1000.0 * (1.0 - p(1.0 - q))),
                1000.0 * (1.0 - (m + s * d)),
                1000.0 * var.sqrt(),
            )
        }
        _ => {
            let s2 = 0.01f64;
            (
                Box::new(|q| 900.0 * (0.1 * normal::quantile(q)).exp()),
                900.0 * (s2 / 2.0).exp(),
                900.0 * ((s2.exp() - 1.0) * s2.exp()).sqrt(),
            )
        }
    }
}

#[test]
fn uncertain_inputs_are_drawn_from_their_distributions() {
    let f = four_stages(NUMBERS);
    let engine = Engine::new(Scenario::load(&f.path("s.toml")).unwrap());
    let n = 20_000u64;
    let mode = Mode::MonteCarlo {
        seed: 31,
        range: 0..n,
        total: n,
    };
    let acc = engine::run(&engine, &mode, 2, &AtomicBool::new(false), &|_| {}).unwrap();
    let root_n = (n as f64).sqrt();
    for st in 0..4 {
        let sum = acc
            .metric(base_cell(&engine, st), Metric::Demand)
            .summary()
            .unwrap();
        let (quantile, m, sd) = theory(st);
        assert!(
            (sum.mean - m).abs() < 4.0 * sd / root_n,
            "s{st}: mean {} vs {m}",
            sum.mean
        );
        // The sample sd's relative standard error is ≈ √((κ − 1)/4n) for kurtosis κ ≤ 9 here.
        assert!(
            (sum.sd / sd - 1.0).abs() < 4.0 * (2.0 / n as f64).sqrt(),
            "s{st}: sd {} vs {sd}",
            sum.sd
        );
        for (i, q) in [0.05, 0.25, 0.5, 0.75, 0.95].into_iter().enumerate() {
            let x = quantile(q);
            // Quantile sampling sd √(q(1−q)/n) / f(x), with 1/f the slope of the quantile.
            let slope = (quantile(q + 1e-4) - quantile(q - 1e-4)) / 2e-4;
            // The sketch is within one bin (BIN_WIDTH_SD pilot sds) of the exact quantile.
            let tol = 4.0 * (q * (1.0 - q) / n as f64).sqrt() * slope + BIN_WIDTH_SD * sd;
            let got = sum.quantiles[i];
            assert!(
                (got - x).abs() < tol,
                "s{st} P{}: {got} vs {x} ± {tol}",
                q * 100.0
            );
        }
    }
}

#[test]
fn deterministic_mode_uses_the_central_values() {
    let f = four_stages(NUMBERS);
    let out = f.run("s.toml", "out", &["--deterministic"]);
    let s = read_summary(&out);
    // Uniform mean 0.2, triangular mode 0.1, normal mean 0.05, lognormal median 0.9.
    for (st, demand) in [(0, 800.0), (1, 900.0), (2, 950.0), (3, 900.0)] {
        let got = mean(&s, "x", &format!("s{st}"), 2020, "demand");
        assert!((got - demand).abs() < 1e-6, "s{st}: {got} vs {demand}");
    }
    // The triangular knot of 2020 leads to 0 in 2022: 2021 is halfway, 1000·(1 − 0.05).
    assert!((mean(&s, "x", "s1", 2021, "enrolled") - 1000.0).abs() < 1e-6);
}

/// Base-year private share of stage `st` in the last trial run in `ws`.
fn private(engine: &Engine, values: &[f64], st: usize) -> f64 {
    let m = Metric::ALL
        .iter()
        .position(|&x| x == Metric::Demand)
        .unwrap();
    1.0 - values[base_cell(engine, st) * Metric::COUNT + m] / 1000.0
}

#[test]
fn numbers_sharing_a_label_share_their_draw_in_one_and_in_two_scenarios() {
    let a = four_stages(
        "[private_share]\ns0 = { dist = \"uniform\", low = 0.1, high = 0.3, draw = \"p\" }\n\
         s1 = { dist = \"uniform\", low = 0.1, high = 0.3 }\n",
    );
    let b = four_stages(
        "[private_share]\ns0 = { dist = \"uniform\", low = 0.2, high = 0.4, draw = \"p\" }\n\
         s2 = { dist = \"uniform\", low = 0.0, high = 0.5, draw = \"p\" }\n",
    );
    let load = |f: &Fixture| Engine::new(Scenario::load(&f.path("s.toml")).unwrap());
    let (ea, eb) = (load(&a), load(&b));
    assert_eq!(ea.input_labels(), ["p", "private_share.s1"]);
    assert_eq!(eb.input_labels(), ["p"]);
    let (mut wa, mut wb) = (ea.workspace(), eb.workspace());
    let mut apart = 0;
    for trial in 0..200 {
        let draws = Draws::Random { seed: 4, trial };
        ea.run_trial(draws, &mut wa);
        eb.run_trial(draws, &mut wb);
        let u = (private(&ea, &wa.values, 0) - 0.1) / 0.2;
        assert!((u - (private(&eb, &wb.values, 0) - 0.2) / 0.2).abs() < 1e-9);
        assert!((u - private(&eb, &wb.values, 2) / 0.5).abs() < 1e-9);
        assert_eq!(wa.input_draws()[0], wb.input_draws()[0]);
        // Without a label, s1 is its own draw.
        apart += usize::from(((private(&ea, &wa.values, 1) - 0.1) / 0.2 - u).abs() > 1e-6);
    }
    assert_eq!(apart, 200);
}

#[test]
fn check_lists_every_uncertain_input_with_its_range() {
    let f = four_stages(NUMBERS);
    let o = f.seatsim(&["check", "s.toml"]);
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    for line in [
        "uncertain private_share.s0: uniform 0.1–0.3; central 0.2, range 0.1–0.3",
        "uncertain private_share.s1.2020: triangular 0–0.4, mode 0.1; central 0.1, range 0–0.4",
        "uncertain private_share.s2: normal mean 0.05 sd 0.1, kept within 0–1; central 0.05, range 0–",
        "uncertain enrolment.s3: lognormal median 0.9 sd_log 0.1; central 0.9, range 0.39",
    ] {
        assert!(text.contains(line), "missing `{line}` in:\n{text}");
    }
}

#[test]
fn migration_scales_multiply_every_districts_inflow_and_migrant_rate() {
    let f = four_stages(
        "[migration]\ninflow_scale = { dist = \"triangular\", low = 0, mode = 0.5, high = 1 }\n\
         rate_scale = { dist = \"uniform\", low = 1, high = 3 }\n",
    );
    std::fs::write(
        f.path("d.csv"),
        "id,name,births_base,rate_local,rate_migrant,inflow\nx,X,1000,0,0.5,1000\n",
    )
    .unwrap();
    std::fs::write(
        f.path("p.csv"),
        "district,age,local,migrant\nx,0,1000,1000\nx,1,1000,0\nx,2,1000,0\nx,3,1000,0\n",
    )
    .unwrap();
    let s = read_summary(&f.run("s.toml", "out", &["--deterministic"]));
    // Age 1 in 2021: 1000 local; migrants 1000 · (1 + 0.5 · 2) + 1000 · 0.5 · ¼ of the inflow.
    let got = mean(&s, "x", "s1", 2021, "enrolled");
    assert!((got - (1000.0 + 2000.0 + 125.0)).abs() < 1e-6, "{got}");
}
