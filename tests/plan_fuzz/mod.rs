//! `seatsim plan` against brute force on random small problems (a differential sweep).
//!
//! [`generate`] draws a problem from DESIGN §8's options (districts, stages and city-wide
//! catchments, popularity, admission caps, surge classes, delays, closures, `[[changes]]`,
//! costs, the pipeline kept, dropped or re-timed, the plan window), [`brute`] scores every
//! portfolio with `run` of a scenario that builds it, and each problem is then planned in
//! several settings — the weighted form and the risk-target form (α, β or both, a margin,
//! `target_from`, `target_stages`), each under no budget or one or two binding budgets of
//! every kind, given as `[plan]` keys or `--budget` — and the plan is checked against the
//! enumeration: the optimum of its form within the budgets, the objective, cost and
//! `exact`/`gap` it reports, the `unmet` cells and their reasons, and the same bytes with
//! one thread and two.
//!
//! The CI test runs a few fixed seeds. The larger sweep is ignored; run it with
//!
//! ```text
//! PLANFUZZ_FROM=0 PLANFUZZ_COUNT=300 cargo test --release --test integration \
//!     plan_fuzz::sweep -- --ignored --nocapture
//! ```
//!
//! It prints every mismatch with its seed; `PLANFUZZ_FROM=<seed> PLANFUZZ_COUNT=1` replays one.

mod brute;
mod generate;

use std::collections::BTreeSet;
use std::fmt::Write;

use brute::Portfolio;
use generate::{Problem, Rng};

use crate::support::{read_rows, Fixture};

/// Budget kinds, as `--budget` and `[plan] budget_<kind>` name them.
const KINDS: [&str; 4] = ["yuan", "classes", "yuan_per_year", "classes_per_year"];

/// The form a setting asks for.
#[derive(Debug, Clone)]
enum Form {
    /// `w_short`, `w_spare`, `w_cost`.
    Weights(f64, f64, f64),
    /// α, β, `target_from`, `target_stages` (indices), `target_margin`.
    Target {
        alpha: Option<f64>,
        beta: Option<f64>,
        from: Option<i32>,
        stages: Option<Vec<usize>>,
        margin: f64,
    },
}

/// One way of planning a problem: a form and its budgets `(kind, limit, given by flag)`.
#[derive(Debug, Clone)]
struct Setting {
    form: Form,
    budgets: Vec<(&'static str, f64, bool)>,
}

impl Setting {
    /// The scenario of this setting: `s.toml` with its `[plan]` keys.
    fn toml(&self, p: &Problem) -> String {
        let mut t = "[scenario]\nextends = \"s.toml\"\n[plan]\n".to_string();
        match &self.form {
            Form::Weights(short, spare, cost) => {
                writeln!(t, "w_short = {short}\nw_spare = {spare}\nw_cost = {cost}").unwrap()
            }
            Form::Target {
                alpha,
                beta,
                from,
                stages,
                margin,
            } => {
                let mut key = |name: &str, v: Option<String>| {
                    if let Some(v) = v {
                        writeln!(t, "{name} = {v}").unwrap();
                    }
                };
                key("target_p_shortfall", alpha.map(|a| a.to_string()));
                key("target_p_large_classes", beta.map(|b| b.to_string()));
                key("target_from", from.map(|y| y.to_string()));
                let ids = |st: &Vec<usize>| {
                    let quoted: Vec<String> = st
                        .iter()
                        .map(|&i| format!("\"{}\"", p.stages[i].id))
                        .collect();
                    format!("[{}]", quoted.join(", "))
                };
                key("target_stages", stages.as_ref().map(ids));
                key("target_margin", (*margin > 0.0).then(|| margin.to_string()));
            }
        }
        for (kind, limit, flag) in &self.budgets {
            if !flag {
                writeln!(t, "budget_{kind} = {limit}").unwrap();
            }
        }
        t
    }

    /// The command line planning `scenario` in this setting.
    fn args(&self, p: &Problem, scenario: &str, out: &str) -> Vec<String> {
        let mut a: Vec<String> = [
            "plan",
            scenario,
            "--candidates",
            "candidates.csv",
            "--quiet",
        ]
        .map(String::from)
        .to_vec();
        a.extend([
            "--out".into(),
            out.into(),
            "--write".into(),
            "w.toml".into(),
        ]);
        if p.mode_flag {
            let mode = format!("{:?}", p.mode).to_lowercase();
            a.extend(["--keep-pipeline".into(), mode]);
        }
        for (kind, limit, flag) in &self.budgets {
            if *flag {
                a.extend(["--budget".into(), format!("{kind}={limit}")]);
            }
        }
        a
    }

    /// Whether `x` keeps every budget.
    fn feasible(&self, x: &Portfolio) -> bool {
        self.budgets.iter().all(|(k, l, _)| x.within(k, *l))
    }
}

/// The targeted cells of a target form: `(district, stage, year)`.
fn targeted(p: &Problem, form: &Form) -> Vec<(String, String, i32)> {
    let Form::Target { from, stages, .. } = form else {
        return Vec::new();
    };
    let from = from.unwrap_or((p.window.0 + 1).min(p.years.1));
    let with_choice: BTreeSet<usize> = p.choices.iter().map(|c| c.stage).collect();
    let stages = stages.clone().unwrap_or(with_choice.into_iter().collect());
    let mut out = Vec::new();
    for &st in &stages {
        let stage = &p.stages[st];
        let places = match stage.city {
            true => vec!["ALL".to_string()],
            false => p.districts.clone(),
        };
        for d in places {
            out.extend((from..=p.years.1).map(|y| (d.clone(), stage.id.clone(), y)));
        }
    }
    out
}

/// `Σ max(0, p − α) + Σ max(0, p_large − β)` of `x` over `cells`.
fn excess(
    x: &Portfolio,
    cells: &[(String, String, i32)],
    alpha: Option<f64>,
    beta: Option<f64>,
) -> f64 {
    let over = |t: Option<f64>, p: f64| t.map_or(0.0, |t| (p - t).max(0.0));
    cells
        .iter()
        .map(|c| {
            let (short, large) = x.cells[c];
            over(alpha, short) + over(beta, large)
        })
        .sum()
}

/// A random setting of problem `p`, with budgets that bind against its enumeration `all`.
fn setting(rng: &mut Rng, p: &Problem, all: &[Portfolio]) -> Setting {
    let form = if rng.chance(0.4) {
        Form::Weights(
            rng.grid(0.5, 2.0, 0.5),
            rng.grid(0.0, 0.3, 0.1),
            if rng.chance(0.5) {
                rng.grid(0.0, 0.05, 0.01)
            } else {
                0.0
            },
        )
    } else {
        let alpha = rng.chance(0.8).then(|| rng.grid(0.05, 0.4, 0.05));
        let beta = (alpha.is_none() || rng.chance(0.3)).then(|| rng.grid(0.1, 0.5, 0.1));
        let lowest = alpha.unwrap_or(1.0).min(beta.unwrap_or(1.0));
        Form::Target {
            alpha,
            beta,
            from: rng
                .chance(0.3)
                .then(|| p.window.0 + rng.int(0, i64::from(p.years.1 - p.window.0)) as i32),
            stages: (p.stages.len() > 1 && rng.chance(0.3)).then(|| vec![rng.int(0, 1) as usize]),
            margin: if rng.chance(0.3) {
                rng.grid(0.0, lowest, 0.01).min(lowest)
            } else {
                0.0
            },
        }
    };
    let mut s = Setting {
        form,
        budgets: Vec::new(),
    };
    let n = match rng.int(0, 9) {
        0..=2 => 0,
        3..=6 => 1,
        _ => 2,
    };
    for _ in 0..n {
        let free = best(p, &s, all);
        let kind = KINDS[rng.int(0, 3) as usize];
        if s.budgets.iter().any(|b| b.0 == kind) {
            continue;
        }
        let used = free.map_or(0.0, |x| x.usage(kind));
        let limit = (used * rng.grid(0.0, 0.9, 0.1)).floor();
        s.budgets.push((kind, limit, rng.chance(0.5)));
    }
    s
}

/// The best feasible portfolio of setting `s`: the least weighted objective, or the
/// lexicographic (excess over the tightened targets, cost, spare seat-years).
fn best<'a>(p: &Problem, s: &Setting, all: &'a [Portfolio]) -> Option<&'a Portfolio> {
    let key = key_of(p, &s.form);
    all.iter()
        .filter(|x| s.feasible(x))
        .min_by(|a, b| compare(&key(a), &key(b)))
}

/// What the form minimises, lexicographically: `[first, cost, spare]`.
fn key_of<'a>(p: &'a Problem, form: &'a Form) -> impl Fn(&Portfolio) -> [f64; 3] + 'a {
    let cells = targeted(p, form);
    move |x: &Portfolio| match form {
        Form::Weights(short, spare, cost) => {
            [short * x.short + spare * x.spare + cost * x.cost, 0.0, 0.0]
        }
        Form::Target {
            alpha,
            beta,
            margin,
            ..
        } => {
            let tight = |t: Option<f64>| t.map(|t| t - margin);
            [
                excess(x, &cells, tight(*alpha), tight(*beta)),
                x.cost,
                x.spare,
            ]
        }
    }
}

/// Lexicographic order with ties: probabilities are multiples of 1/trials (80 at most) and
/// summary.csv keeps 6 decimals of each of some 40 means, so 1e-4 parts in the first.
fn compare(a: &[f64; 3], b: &[f64; 3]) -> std::cmp::Ordering {
    let tol = [1e-4, 1e-6, 1e-3];
    for i in 0..3 {
        if (a[i] - b[i]).abs() > tol[i] * a[i].abs().max(b[i].abs()).max(1.0) {
            return a[i].total_cmp(&b[i]);
        }
    }
    std::cmp::Ordering::Equal
}

/// Plans `p` in setting `s` (in the fixture `f`, whose enumeration is `all`) and returns
/// every way the plan disagrees with the enumeration or with what it claims.
fn check(f: &Fixture, p: &Problem, s: &Setting, all: &[Portfolio], threads: bool) -> Vec<String> {
    std::fs::write(f.path("v.toml"), s.toml(p)).unwrap();
    let args = s.args(p, "v.toml", "out");
    let out = f.seatsim(&args.iter().map(String::as_str).collect::<Vec<_>>());
    if !out.status.success() {
        return vec![format!(
            "plan failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )];
    }
    let mut bad = Vec::new();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(f.path("out/plan.json")).unwrap()).unwrap();
    let mut picks: Vec<(String, i32)> = read_rows(&f.path("out/plan.csv"))
        .iter()
        .map(|r| (r["id"].clone(), r["planned_year"].parse().unwrap()))
        .collect();
    picks.sort();
    let Some(got) = all.iter().find(|x| x.picks == picks) else {
        return vec![format!(
            "plan builds {picks:?}, not a portfolio of the choices"
        )];
    };
    if !s.feasible(got) {
        bad.push(format!("plan {picks:?} breaks a budget"));
    }
    let key = key_of(p, &s.form);
    let optimum = best(p, s, all).expect("building nothing keeps every budget");
    if compare(&key(got), &key(optimum)) == std::cmp::Ordering::Greater {
        bad.push(format!(
            "not optimal: plan {picks:?} scores {:?}, {:?} scores {:?}",
            key(got),
            optimum.picks,
            key(optimum)
        ));
    }
    bad.extend(claims(p, s, all, got, &json));
    bad.extend(written_and_fresh(f, p, s, got, &json));
    if threads {
        bad.extend(same_bytes_with_two_threads(f, &args));
    }
    bad
}

/// What plan.json says of the plan `got`: its objective and cost, `exact` and `gap`, and the
/// unmet cells with their reasons.
fn claims(
    p: &Problem,
    s: &Setting,
    all: &[Portfolio],
    got: &Portfolio,
    json: &serde_json::Value,
) -> Vec<String> {
    let mut bad = Vec::new();
    let in_sample = &json["objective"]["in_sample"];
    let mut near = |what: &str, claimed: Option<f64>, truth: f64, tol: f64| {
        if claimed.is_none_or(|c| (c - truth).abs() > tol * truth.abs().max(1.0)) {
            bad.push(format!(
                "{what}: plan.json says {claimed:?}, run gives {truth}"
            ));
        }
    };
    near("cost_yuan", in_sample["cost_yuan"].as_f64(), got.cost, 1e-9);
    let cells = targeted(p, &s.form);
    match &s.form {
        Form::Weights(short, spare, cost) => {
            let truth = short * got.short + spare * got.spare + cost * got.cost;
            near("weighted", in_sample["weighted"].as_f64(), truth, 1e-4);
        }
        Form::Target { alpha, beta, .. } => {
            let truth = excess(got, &cells, *alpha, *beta);
            near(
                "excess_risk",
                in_sample["excess_risk"].as_f64(),
                truth,
                1e-9,
            );
        }
    }
    if json["exact"] != true || json["gap"].as_f64() != Some(0.0) {
        bad.push(format!(
            "exact {} gap {} on an enumerable problem",
            json["exact"], json["gap"]
        ));
    }
    // Proved optimal: the bound is the plan's own value of the criterion it is of.
    let of = json["bound_of"].as_str().unwrap_or("");
    let value = in_sample[of].as_f64().unwrap_or(f64::NAN);
    if (json["bound"].as_f64()).is_none_or(|b| (b - value).abs() > 1e-6 * value.abs().max(1.0)) {
        bad.push(format!(
            "bound {} of {of}, the plan's {of} is {value}",
            json["bound"]
        ));
    }
    if let Form::Target { alpha, beta, .. } = &s.form {
        bad.extend(unmet_claims(all, got, &cells, (*alpha, *beta), json));
    }
    bad
}

/// `unmet` lists (beyond `out_of_sample`) exactly the targeted cells over a target as given,
/// and a reason that says building cannot help (`no_candidates`, `too_early`, `window`) is
/// true of every portfolio.
fn unmet_claims(
    all: &[Portfolio],
    got: &Portfolio,
    cells: &[(String, String, i32)],
    (alpha, beta): (Option<f64>, Option<f64>),
    json: &serde_json::Value,
) -> Vec<String> {
    let mut bad = Vec::new();
    let mut over = BTreeSet::new();
    for c in cells {
        let (short, large) = got.cells[c];
        for (name, t, v) in [
            ("p_shortfall", alpha, short),
            ("p_large_classes", beta, large),
        ] {
            if t.is_some_and(|t| v > t + 1e-12) {
                over.insert((c.clone(), name));
            }
        }
    }
    let mut listed = BTreeSet::new();
    for u in json["unmet"].as_array().unwrap() {
        let reason = u["reason"].as_str().unwrap();
        if reason == "out_of_sample" {
            continue;
        }
        let cell = (
            u["district"].as_str().unwrap().to_string(),
            u["stage"].as_str().unwrap().to_string(),
            u["year"].as_i64().unwrap() as i32,
        );
        let target = u["target"].as_str().unwrap_or("p_shortfall");
        let (name, limit) = match target {
            "p_large_classes" => ("p_large_classes", beta.unwrap()),
            _ => ("p_shortfall", alpha.unwrap()),
        };
        let reachable = all.iter().any(|x| {
            let (short, large) = x.cells[&cell];
            let v = if name == "p_shortfall" { short } else { large };
            v <= limit + 1e-12
        });
        if reachable && reason != "budget" {
            bad.push(format!(
                "unmet {cell:?} {name}: reason {reason}, but a portfolio meets it"
            ));
        }
        listed.insert((cell, name));
    }
    if over != listed {
        bad.push(format!(
            "unmet lists {listed:?}, the cells over target are {over:?}"
        ));
    }
    bad
}

/// `run` of the scenario `--write` wrote sees what the enumeration saw of the plan `got`;
/// on the fresh seed, every targeted cell over its target + 3 standard errors is listed
/// (`out_of_sample` when met in-sample) with the fresh probability `run` gives.
fn written_and_fresh(
    f: &Fixture,
    p: &Problem,
    s: &Setting,
    got: &Portfolio,
    json: &serde_json::Value,
) -> Vec<String> {
    let mut bad = Vec::new();
    let (short, spare, cells) = brute::measure(p, &f.run("w.toml", "w-out", &[]));
    if cells != got.cells || (short - got.short).abs() > 1e-6 || (spare - got.spare).abs() > 1e-6 {
        bad.push("run of the written scenario differs from the portfolio's".into());
    }
    let Form::Target { alpha, beta, .. } = &s.form else {
        return bad;
    };
    let fresh_seed = json["fresh_seed"].as_u64().unwrap().to_string();
    let (_, _, fresh) = brute::measure(p, &f.run("w.toml", "fresh-out", &["--seed", &fresh_seed]));
    let n = json["fresh_trials"].as_f64().unwrap();
    let mut expected = BTreeSet::new();
    for c in targeted(p, &s.form) {
        for (name, t, i) in [("p_shortfall", alpha, 0), ("p_large_classes", beta, 1)] {
            let Some(t) = *t else { continue };
            let pick = |v: (f64, f64)| if i == 0 { v.0 } else { v.1 };
            let (p_in, p_fresh) = (pick(got.cells[&c]), pick(fresh[&c]));
            if p_in <= t + 1e-12 && p_fresh > t + 3.0 * (t * (1.0 - t) / n).sqrt() {
                expected.insert((c.clone(), name));
            }
        }
    }
    let mut listed = BTreeSet::new();
    for u in json["unmet"].as_array().unwrap() {
        let cell = (
            u["district"].as_str().unwrap().to_string(),
            u["stage"].as_str().unwrap().to_string(),
            u["year"].as_i64().unwrap() as i32,
        );
        let name = u["target"].as_str().unwrap_or("p_shortfall");
        let truth = if name == "p_shortfall" {
            fresh[&cell].0
        } else {
            fresh[&cell].1
        };
        if u["p_fresh"]
            .as_f64()
            .is_none_or(|v| (v - truth).abs() > 1e-9)
        {
            bad.push(format!(
                "unmet {cell:?} {name}: p_fresh {} but run gives {truth}",
                u["p_fresh"]
            ));
        }
        if u["reason"] == "out_of_sample" {
            listed.insert((cell, name));
        }
    }
    if listed != expected {
        bad.push(format!(
            "out_of_sample lists {listed:?}, fresh run has {expected:?}"
        ));
    }
    bad
}

/// The plan's files with `--threads 1` and `--threads 2` are the same bytes.
fn same_bytes_with_two_threads(f: &Fixture, args: &[String]) -> Vec<String> {
    let mut bad = Vec::new();
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let mut a: Vec<&str> = args.iter().map(String::as_str).collect();
        let dir = format!("t{threads}");
        let i = a.iter().position(|x| *x == "out").unwrap();
        a[i] = &dir;
        a.extend(["--threads", threads]);
        assert!(f.seatsim(&a).status.success());
        let read = |name: &str| std::fs::read(f.path(&format!("{dir}/{name}"))).unwrap();
        outputs.push([
            read("plan.json"),
            read("plan.csv"),
            read("plan_summary.csv"),
        ]);
    }
    if outputs[0] != outputs[1] {
        bad.push("plan's files differ between --threads 1 and 2".into());
    }
    bad
}

/// Generates problem `seed` (at most `max_portfolios` portfolios), enumerates it, plans it in
/// `settings` random settings; returns the report of every mismatch (empty when none).
fn fuzz(seed: u64, max_portfolios: u64, settings: usize) -> Vec<String> {
    let p = generate::problem(seed, max_portfolios);
    let files: Vec<(&str, &str)> = p
        .files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let f = Fixture::new(&files);
    let all = brute::enumerate(&f, &p);
    let rng = &mut Rng::new(seed ^ 0xfeed);
    let mut report = Vec::new();
    for i in 0..settings {
        let s = setting(rng, &p, &all);
        for m in check(&f, &p, &s, &all, i == 0) {
            report.push(format!("seed {seed} setting {i} {s:?}: {m}"));
        }
    }
    report
}

/// A few fixed problems, each in four settings: the plan is the enumeration's optimum and
/// says so truly.
#[test]
fn plan_agrees_with_enumeration_on_random_problems() {
    let report: Vec<String> = (0..6).flat_map(|seed| fuzz(seed, 40, 4)).collect();
    assert!(report.is_empty(), "{}", report.join("\n"));
}

/// The sweep: `PLANFUZZ_COUNT` problems (default 200) from seed `PLANFUZZ_FROM` (default
/// 1000), up to `PLANFUZZ_MAX` portfolios each (default 200), six settings each.
#[test]
#[ignore = "a sweep of minutes; run by hand (see the module's doc)"]
fn sweep() {
    let env = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .map_or(default, |v| v.parse().unwrap())
    };
    let (from, count, max) = (
        env("PLANFUZZ_FROM", 1000),
        env("PLANFUZZ_COUNT", 200),
        env("PLANFUZZ_MAX", 200),
    );
    let mut failed = 0;
    for seed in from..from + count {
        let report = fuzz(seed, max, 6);
        for line in &report {
            println!("{line}");
        }
        failed += usize::from(!report.is_empty());
    }
    assert_eq!(failed, 0, "{failed} of {count} problems disagree");
}
