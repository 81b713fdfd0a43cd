//! `seatsim plan`: the portfolio it finds against brute-force enumeration in both forms and
//! under every kind of budget (each portfolio scored by `run` itself), with a target on large
//! classes too, its reported objective against `run` of the scenario it writes, budgets,
//! thread-count independence, Ctrl-C and bad input.

use std::collections::HashMap;
use std::path::Path;

use crate::support::{read_rows, read_summary, Fixture};

/// Two growing districts with births shocks and late or failed openings.
const TOML: &str = r#"
[scenario]
name = "plan"
base_year = 2020
horizon = 2023
trials = 100
seed = 5

[stages.p]
ages = [0, 1]
class_size = 10

[births]
sigma_city = 0.15

[construction.delay]
on_time = 0.7
one_year = 0.2
never = 0.1

[plan]
w_short = 1
w_spare = 0.1

[data]
districts = "districts.csv"
population = "population.csv"
capacity = "capacity.csv"
"#;

const DISTRICTS: &str = "id,name,births_base,rate_local,rate_migrant,inflow
a,Alpha,130,0,0,0
b,Beta,112,0,0,0
";

const POPULATION: &str = "district,age,local,migrant
a,0,100,0
a,1,100,0
b,0,90,0
b,1,90,0
";

const CAPACITY: &str = "district,stage,schools,classes
a,p,1,20
b,p,1,18
";

const CANDIDATES: &str = "id,name,district,stage,kind,classes,earliest_year,latest_year,cost
n1,New A1,a,p,new,4,2021,2022,60
n2,New A2,a,p,new,3,2021,2022,40
x1,Expand A,a,p,expansion,2,2021,2021,20
nb,New B,b,p,new,4,2021,2022,50
xb,Expand B,b,p,expansion,2,2022,2023,15
";

fn fixture() -> Fixture {
    Fixture::new(&[
        ("s.toml", TOML),
        ("districts.csv", DISTRICTS),
        ("population.csv", POPULATION),
        ("capacity.csv", CAPACITY),
        ("candidates.csv", CANDIDATES),
    ])
}

/// The fixture with fewer pupils spread unevenly over several schools (popularity of
/// variance 1/6), surge classes (which close as new seats open), and classes of 12 or more
/// large: the schools built and where they are decide how
/// many classes are large, not only the seats.
fn large_class_fixture() -> Fixture {
    let toml = TOML.replace(
        "class_size = 10\n",
        "class_size = 10\ndispersion = 6\nsurge = { extra_classes = 0.1 }\n\n[standards]\nlarge_class = 12\nlarge_class_target = 0.25\n",
    );
    let districts = DISTRICTS.replace("130,", "100,").replace("112,", "90,");
    let population = "district,age,local,migrant\na,0,100,0\na,1,100,0\nb,0,90,0\nb,1,90,0\n";
    Fixture::new(&[
        ("s.toml", &toml),
        ("districts.csv", &districts),
        ("population.csv", population),
        (
            "capacity.csv",
            "district,stage,schools,classes\na,p,3,20\nb,p,2,18\n",
        ),
        ("candidates.csv", CANDIDATES),
    ])
}

/// `plan SCENARIO --candidates candidates.csv --quiet --out out` plus `extra`, asserting
/// success.
fn plan_candidates(f: &Fixture, scenario: &str, extra: &[&str]) {
    let args = [
        "plan",
        scenario,
        "--candidates",
        "candidates.csv",
        "--quiet",
        "--out",
        "out",
    ];
    f.seatsim_ok(&[&args[..], extra].concat());
}

fn plan_json(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("plan.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// `E[Σ (w_short·shortfall + w_spare·surplus)]` of a run folder, from summary.csv means:
/// district rows of district stages, `ALL` of city stages (every seat counted once).
fn run_objective(dir: &Path, w_spare: f64, city_stages: &[&str]) -> f64 {
    read_summary(dir)
        .iter()
        .filter(|((d, st, _, _), _)| (d == "ALL") == city_stages.contains(&st.as_str()))
        .map(|((_, _, _, m), row)| match m.as_str() {
            "shortfall" => row.mean.unwrap_or(0.0),
            "surplus" => w_spare * row.mean.unwrap_or(0.0),
            _ => 0.0,
        })
        .sum()
}

/// One portfolio of the fixture's candidates, scored by `run`.
#[derive(Debug, Clone)]
struct Portfolio {
    /// `(candidate id, planned year)`, sorted.
    picks: Vec<(String, i32)>,
    /// `E[Σ shortfall + 0.1·surplus]` from run's summary.csv.
    seat_years: f64,
    /// `Σ_{district, year ≥ 2022} max(0, p_shortfall − 0.1)` from run's risk.csv.
    excess: f64,
    /// The targeted cells (district rows from 2022) from run's risk.csv: `(district, year,
    /// p_shortfall, p_large_classes)`.
    cells: Vec<(String, i32, f64, f64)>,
    /// Expected spare seat-years.
    spare: f64,
    cost: f64,
    classes: f64,
    /// Per planned year: (yuan, classes).
    by_year: HashMap<i32, (f64, f64)>,
}

impl Portfolio {
    /// `Σ max(0, p_shortfall − α) + Σ max(0, p_large_classes − β)` over the targeted cells
    /// (a target that is `None` adds nothing).
    fn excess_over(&self, alpha: Option<f64>, beta: Option<f64>) -> f64 {
        let part = |target: Option<f64>, p: f64| target.map_or(0.0, |t| (p - t).max(0.0));
        let cell = |&(_, _, short, large): &(String, i32, f64, f64)| {
            part(alpha, short) + part(beta, large)
        };
        self.cells.iter().map(cell).sum()
    }

    /// Whether it keeps the budget `kind=limit`.
    fn within(&self, kind: &str, limit: f64) -> bool {
        let years = || self.by_year.values();
        match kind {
            "yuan" => self.cost <= limit,
            "classes" => self.classes <= limit,
            "yuan_per_year" => years().all(|y| y.0 <= limit),
            "classes_per_year" => years().all(|y| y.1 <= limit),
            _ => unreachable!("{kind}"),
        }
    }
}

/// Writes `<name>.toml`, the fixture's scenario building `picks` (candidate line, planned
/// year) as its projects; returns its file name.
fn scenario_building(f: &Fixture, name: &str, picks: &[(&str, i32)]) -> String {
    let mut csv = "id,name,district,stage,kind,classes,planned_year\n".to_string();
    for (line, year) in picks {
        let cols: Vec<&str> = line.split(',').collect();
        csv += &format!("{},{year}\n", cols[..6].join(","));
    }
    std::fs::write(f.path(&format!("{name}.csv")), csv).unwrap();
    let toml = format!("[scenario]\nextends = \"s.toml\"\n[data]\nprojects = \"{name}.csv\"\n");
    std::fs::write(f.path(&format!("{name}.toml")), toml).unwrap();
    format!("{name}.toml")
}

/// Every portfolio of the fixture's candidates (each unbuilt or in a year of its window),
/// scored by `run` of a scenario that builds it.
fn enumerate(f: &Fixture) -> Vec<Portfolio> {
    let raw: Vec<&str> = CANDIDATES.lines().skip(1).collect();
    let lines: Vec<Vec<&str>> = raw.iter().map(|l| l.split(',').collect()).collect();
    let options: Vec<Vec<Option<i32>>> = lines
        .iter()
        .map(|c| {
            let (lo, hi): (i32, i32) = (c[6].parse().unwrap(), c[7].parse().unwrap());
            std::iter::once(None).chain((lo..=hi).map(Some)).collect()
        })
        .collect();
    let total: usize = options.iter().map(Vec::len).product();
    (0..total)
        .map(|mut code| {
            let mut built = Vec::new();
            let mut p = Portfolio {
                picks: Vec::new(),
                seat_years: 0.0,
                excess: 0.0,
                cells: Vec::new(),
                spare: 0.0,
                cost: 0.0,
                classes: 0.0,
                by_year: HashMap::new(),
            };
            for ((c, opts), line) in lines.iter().zip(&options).zip(&raw) {
                let pick = opts[code % opts.len()];
                code /= opts.len();
                let Some(year) = pick else { continue };
                built.push((*line, year));
                let (cost, classes): (f64, f64) = (c[8].parse().unwrap(), c[5].parse().unwrap());
                p.picks.push((c[0].to_string(), year));
                p.cost += cost;
                p.classes += classes;
                let y = p.by_year.entry(year).or_default();
                (y.0, y.1) = (y.0 + cost, y.1 + classes);
            }
            p.picks.sort();
            let toml = scenario_building(f, "enum", &built);
            let run = f.run(&toml, "enum-out", &[]);
            p.seat_years = run_objective(&run, 0.1, &[]);
            p.spare = run_objective(&run, 1.0, &[]) - run_objective(&run, 0.0, &[]);
            p.cells = read_rows(&run.join("risk.csv"))
                .iter()
                .map(|r| {
                    let number = |key: &str| r[key].parse::<f64>().unwrap();
                    let year = r["year"].parse().unwrap();
                    let (short, large) = (number("p_shortfall"), number("p_large_classes"));
                    (r["district"].clone(), year, short, large)
                })
                .filter(|(district, year, _, _)| *year >= 2022 && district != "ALL")
                .collect();
            p.excess = p.excess_over(Some(0.1), None);
            p
        })
        .collect()
}

/// The portfolio plan.csv in `out` builds.
fn chosen<'a>(all: &'a [Portfolio], out: &Path) -> &'a Portfolio {
    let mut picks: Vec<(String, i32)> = read_rows(&out.join("plan.csv"))
        .iter()
        .map(|r| (r["id"].clone(), r["planned_year"].parse().unwrap()))
        .collect();
    picks.sort();
    all.iter()
        .find(|p| p.picks == picks)
        .expect("plan builds a portfolio of the candidates")
}

/// Plans `scenario` under the budget `kind=limit` (none when `limit` is 0); returns the
/// portfolios within that budget, the one the plan chose (asserted within it) and plan.json.
fn plan_within<'a>(
    f: &Fixture,
    all: &'a [Portfolio],
    scenario: &str,
    (kind, limit): (&str, f64),
) -> (Vec<&'a Portfolio>, &'a Portfolio, serde_json::Value) {
    let budget = if limit > 0.0 {
        vec!["--budget".to_string(), format!("{kind}={limit}")]
    } else {
        Vec::new()
    };
    let flags: Vec<&str> = budget.iter().map(String::as_str).collect();
    plan_candidates(f, scenario, &flags);
    let feasible = all
        .iter()
        .filter(|p| limit == 0.0 || p.within(kind, limit))
        .collect();
    let got = chosen(all, &f.path("out"));
    assert!(
        limit == 0.0 || got.within(kind, limit),
        "{kind}={limit}: {got:?}"
    );
    (feasible, got, plan_json(&f.path("out")))
}

#[test]
fn plan_finds_the_optimum_enumeration_finds_in_both_forms_under_every_kind_of_budget() {
    let f = fixture();
    let all = enumerate(&f);
    assert_eq!(all.len(), 162);
    let cases: [(&str, f64); 5] = [
        ("yuan", 0.0),
        ("yuan", 70.0),
        ("classes", 7.0),
        ("yuan_per_year", 60.0),
        ("classes_per_year", 5.0),
    ];
    // Weighted form, w_cost = 0.02 a yuan: the least weighted objective within each budget.
    std::fs::write(
        f.path("w.toml"),
        TOML.replace("w_spare = 0.1", "w_spare = 0.1\nw_cost = 0.02"),
    )
    .unwrap();
    let weighted = |p: &Portfolio| p.seat_years + 0.02 * p.cost;
    let free = all
        .iter()
        .min_by(|a, b| weighted(a).total_cmp(&weighted(b)));
    for (kind, limit) in cases {
        let (feasible, got, json) = plan_within(&f, &all, "w.toml", (kind, limit));
        assert!(
            limit == 0.0 || !free.unwrap().within(kind, limit),
            "{kind}={limit} binds"
        );
        let best = feasible
            .iter()
            .map(|p| weighted(p))
            .fold(f64::INFINITY, f64::min);
        // summary.csv keeps 6 decimals of ~10 means: they agree to 1e-4.
        assert!(
            (weighted(got) - best).abs() < 1e-4,
            "{kind}={limit}: plan {got:?}, best {best}"
        );
        let reported = json["objective"]["in_sample"]["weighted"].as_f64().unwrap();
        assert!(
            (reported - weighted(got)).abs() < 1e-4,
            "{kind}={limit}: reported {reported}"
        );
        assert_eq!(json["exact"], true);
        assert_eq!(json["gap"].as_f64(), Some(0.0));
    }
    // Target form, P(shortfall) ≤ 0.1 from 2022: the least excess, then the least cost.
    let target = TOML.replace("w_spare = 0.1", "target_p_shortfall = 0.1");
    std::fs::write(f.path("t.toml"), target).unwrap();
    let lexicographic = |a: &&Portfolio, b: &&Portfolio| {
        if (a.excess - b.excess).abs() < 1e-9 {
            a.cost.total_cmp(&b.cost)
        } else {
            a.excess.total_cmp(&b.excess)
        }
    };
    let free = all.iter().min_by(lexicographic).unwrap();
    for (kind, limit) in [("yuan", 0.0), ("yuan", 60.0), ("classes_per_year", 4.0)] {
        let (feasible, got, json) = plan_within(&f, &all, "t.toml", (kind, limit));
        assert!(
            limit == 0.0 || !free.within(kind, limit),
            "{kind}={limit} binds"
        );
        let least = feasible
            .iter()
            .map(|p| p.excess)
            .fold(f64::INFINITY, f64::min);
        let cheapest = feasible
            .iter()
            .filter(|p| p.excess < least + 1e-9)
            .map(|p| p.cost)
            .fold(f64::INFINITY, f64::min);
        assert!(
            got.excess < least + 1e-9 && got.cost <= cheapest,
            "{kind}={limit}: plan {got:?}, least excess {least}, then cost {cheapest}"
        );
        let reported = json["objective"]["in_sample"]["excess_risk"]
            .as_f64()
            .unwrap();
        assert!(
            (reported - got.excess).abs() < 1e-9,
            "{kind}={limit}: reported {reported}"
        );
        assert_eq!(json["form"], "target");
        assert_eq!(json["exact"], true);
        fresh_trials_keep_the_target(&f, &json);
    }
}

/// The feasible portfolio that is least in the target form's order: least excess over `α`
/// and `β`, then least cost, then fewest spare seat-years.
fn lexicographic_best(
    feasible: &[&Portfolio],
    alpha: Option<f64>,
    beta: Option<f64>,
) -> (f64, f64, f64) {
    let least = |values: &mut dyn Iterator<Item = f64>| values.fold(f64::INFINITY, f64::min);
    let excess = least(&mut feasible.iter().map(|p| p.excess_over(alpha, beta)));
    let at_least = |p: &&&Portfolio| p.excess_over(alpha, beta) < excess + 1e-9;
    let cost = least(&mut feasible.iter().filter(at_least).map(|p| p.cost));
    let spare = least(
        &mut feasible
            .iter()
            .filter(|p| at_least(p) && p.cost <= cost)
            .map(|p| p.spare),
    );
    (excess, cost, spare)
}

#[test]
fn with_a_large_class_target_plan_finds_the_optimum_enumeration_finds() {
    let f = large_class_fixture();
    let all = enumerate(&f);
    let both = "target_p_shortfall = 0.1\ntarget_p_large_classes = 0.3";
    // (the target keys, α, β, a budget: none when its limit is 0)
    let cases = [
        (both, Some(0.1), Some(0.3), ("yuan", 0.0)),
        (
            "target_p_large_classes = 0.2",
            None,
            Some(0.2),
            ("yuan", 0.0),
        ),
        (both, Some(0.1), Some(0.3), ("yuan", 100.0)),
        (
            "target_p_shortfall = 0.1\ntarget_p_large_classes = 0.2",
            Some(0.1),
            Some(0.2),
            ("classes_per_year", 6.0),
        ),
    ];
    let mut chosen_cost = HashMap::new();
    for (keys, alpha, beta, (kind, limit)) in cases {
        let toml = std::fs::read_to_string(f.path("s.toml")).unwrap();
        std::fs::write(f.path("t.toml"), toml.replace("w_spare = 0.1", keys)).unwrap();
        let (feasible, got, json) = plan_within(&f, &all, "t.toml", (kind, limit));
        let free = lexicographic_best(&all.iter().collect::<Vec<_>>(), alpha, beta);
        let (excess, cost, spare) = lexicographic_best(&feasible, alpha, beta);
        assert!(
            limit == 0.0 || (excess, cost) != (free.0, free.1),
            "{keys}, {kind}={limit}: the budget binds"
        );
        let case = format!("{keys}, {kind}={limit}: plan {got:?}, best {excess} {cost} {spare}");
        assert!(got.excess_over(alpha, beta) < excess + 1e-9, "{case}");
        assert!(got.cost <= cost, "{case}");
        // summary.csv keeps 6 decimals of ~10 means: spare seat-years agree to 1e-4.
        assert!(got.spare < spare + 1e-4, "{case}");
        let reported = json["objective"]["in_sample"]["excess_risk"]
            .as_f64()
            .unwrap();
        assert!(
            (reported - got.excess_over(alpha, beta)).abs() < 1e-9,
            "{case}: reported {reported}"
        );
        assert_eq!(json["exact"], true, "{case}");
        assert!(json["proof"].as_str().unwrap().contains("no monotonicity"));
        assert_eq!(json["targets"]["target_p_large_classes"].as_f64(), beta);
        assert_eq!(json["targets"]["target_p_shortfall"].as_f64(), alpha);
        // Every cell over β on the plan's trials is listed as unmet, and no other.
        let mut over: Vec<(String, i64)> = (got.cells.iter())
            .filter(|c| c.3 > beta.unwrap() + 1e-12)
            .map(|c| (c.0.clone(), i64::from(c.1)))
            .collect();
        let mut listed: Vec<(String, i64)> = (json["unmet"].as_array().unwrap().iter())
            .filter(|u| u["target"] == "p_large_classes" && u["reason"] != "out_of_sample")
            .map(|u| {
                (
                    u["district"].as_str().unwrap().into(),
                    u["year"].as_i64().unwrap(),
                )
            })
            .collect();
        over.sort();
        listed.sort();
        assert_eq!(over, listed, "{case}");
        let html = std::fs::read_to_string(f.path("out/plan.html")).unwrap();
        assert!(html.contains("P(large classes) at most"), "{case}");
        chosen_cost.insert((keys, limit.to_bits()), got.cost);
    }
    // β binds: α alone would build something cheaper that leaves cells over β.
    let everything: Vec<&Portfolio> = all.iter().collect();
    let (_, alpha_cost, _) = lexicographic_best(&everything, Some(0.1), None);
    let alpha_only = (all.iter())
        .filter(|p| p.excess_over(Some(0.1), None) < 1e-9 && p.cost <= alpha_cost)
        .collect::<Vec<_>>();
    assert!(alpha_only
        .iter()
        .all(|p| p.excess_over(None, Some(0.3)) > 0.0));
    assert!(alpha_cost < chosen_cost[&(both, 0f64.to_bits())]);
}

/// With surge classes (which close as new seats open) and no large-class target, both forms
/// still score a portfolio as `run` of its written scenario does: the plan is the optimum the
/// enumeration finds and reports `run`'s objective.
#[test]
fn with_surge_classes_plan_finds_the_optimum_enumeration_finds_in_both_forms() {
    let f = large_class_fixture();
    let all = enumerate(&f);
    let toml = std::fs::read_to_string(f.path("s.toml")).unwrap();
    let weighted_toml = toml.replace("w_spare = 0.1", "w_spare = 0.1\nw_cost = 0.02");
    std::fs::write(f.path("w.toml"), weighted_toml).unwrap();
    let weighted = |p: &Portfolio| p.seat_years + 0.02 * p.cost;
    let (feasible, got, json) = plan_within(&f, &all, "w.toml", ("yuan", 0.0));
    let best = (feasible.iter().map(|p| weighted(p))).fold(f64::INFINITY, f64::min);
    assert!(
        (weighted(got) - best).abs() < 1e-4,
        "plan {got:?}, best {best}"
    );
    let reported = json["objective"]["in_sample"]["weighted"].as_f64().unwrap();
    assert!(
        (reported - weighted(got)).abs() < 1e-4,
        "reported {reported}"
    );
    let target = toml.replace("w_spare = 0.1", "target_p_shortfall = 0.1");
    std::fs::write(f.path("t.toml"), target).unwrap();
    for budget in [("yuan", 0.0), ("classes_per_year", 6.0)] {
        let (feasible, got, json) = plan_within(&f, &all, "t.toml", budget);
        let (excess, cost, _) = lexicographic_best(&feasible, Some(0.1), None);
        let case = format!("{budget:?}: plan {got:?}, best {excess} {cost}");
        assert!(got.excess < excess + 1e-9 && got.cost <= cost, "{case}");
        let reported = json["objective"]["in_sample"]["excess_risk"]
            .as_f64()
            .unwrap();
        assert!(
            (reported - got.excess).abs() < 1e-9,
            "{case}: reported {reported}"
        );
    }
}

/// `run` of the written scenario on 2,000 fresh trials keeps every targeted cell not listed
/// as unmet within the target + 3 standard errors.
fn fresh_trials_keep_the_target(f: &Fixture, json: &serde_json::Value) {
    let unmet: Vec<(String, i64)> = json["unmet"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["district"].as_str().unwrap().to_string(),
                u["year"].as_i64().unwrap(),
            )
        })
        .collect();
    let lines = read_rows(&f.path("out/plan.csv"));
    let picks: Vec<(&str, i32)> = CANDIDATES
        .lines()
        .skip(1)
        .filter_map(|c| {
            let id = c.split(',').next().unwrap();
            let row = lines.iter().find(|l| l["id"] == id)?;
            Some((c, row["planned_year"].parse().unwrap()))
        })
        .collect();
    let toml = scenario_building(f, "fresh", &picks);
    let run = f.run(&toml, "fresh-out", &["--trials", "2000", "--seed", "99"]);
    let limit = 0.1 + 3.0 * (0.1f64 * 0.9 / 2000.0).sqrt();
    for r in read_rows(&run.join("risk.csv")) {
        let year: i64 = r["year"].parse().unwrap();
        let cell = (r["district"].clone(), year);
        if year >= 2022 && r["district"] != "ALL" && !unmet.contains(&cell) {
            let p: f64 = r["p_shortfall"].parse().unwrap();
            assert!(p <= limit, "{cell:?}: p = {p} on fresh trials");
        }
    }
}

#[test]
fn the_objective_plan_reports_is_what_run_of_the_written_scenario_gives() {
    let f = Fixture::scenario("example");
    f.seatsim_ok(&[
        "plan",
        "example.toml",
        "--trials",
        "60",
        "--quiet",
        "--out",
        "out",
        "--write",
        "planned.toml",
    ]);
    let report = plan_json(&f.path("out"));
    let run = f.run("planned.toml", "run", &["--trials", "60"]);
    let from_run = run_objective(&run, 0.1, &["senior"]);
    let reported = report["objective"]["in_sample"]["weighted"]
        .as_f64()
        .unwrap();
    assert!(
        (from_run - reported).abs() < 1e-5 * reported.abs().max(1.0),
        "plan says {reported}, run of the written scenario gives {from_run}"
    );
    // The written scenario keeps the pipeline and adds the plan.
    let projects = read_rows(&f.path("planned-projects.csv"));
    let pipeline = read_rows(&f.path("example/projects.csv"));
    let built: usize = read_rows(&f.path("out/plan.csv"))
        .iter()
        .map(|r| r["count"].parse::<usize>().unwrap())
        .sum();
    assert_eq!(projects.len(), pipeline.len() + built);
}

#[test]
fn a_greedy_plan_with_a_large_class_target_reports_the_risk_run_of_its_scenario_gives() {
    let f = Fixture::scenario("example");
    let costs: String = ["kindergarten", "primary", "junior", "senior"]
        .iter()
        .map(|st| format!("[costs.{st}]\nnew = 30000\nexpansion = 25000\n"))
        .collect();
    let toml = format!(
        "[scenario]\nextends = \"example.toml\"\n{costs}[plan]\ntarget_p_shortfall = 0.1\ntarget_p_large_classes = 0.3\nlast_year = 2024\n"
    );
    std::fs::write(f.path("beta.toml"), toml).unwrap();
    let args = [
        "plan",
        "beta.toml",
        "--trials",
        "40",
        "--quiet",
        "--out",
        "out",
    ];
    f.seatsim_ok(&[&args[..], &["--write", "planned.toml"]].concat());
    let json = plan_json(&f.path("out"));
    assert_eq!(
        json["exact"], false,
        "generated candidates are filled greedily"
    );
    let run = f.run("planned.toml", "run", &["--trials", "40"]);
    // Every stage has candidates; targeted from 2022; senior high is city-wide.
    let excess: f64 = read_rows(&run.join("risk.csv"))
        .iter()
        .filter(|r| r["year"].parse::<i32>().unwrap() >= 2022)
        .filter(|r| (r["district"] == "ALL") == (r["stage"] == "senior"))
        .map(|r| {
            let over = |key: &str, target: f64| (r[key].parse::<f64>().unwrap() - target).max(0.0);
            over("p_shortfall", 0.1) + over("p_large_classes", 0.3)
        })
        .sum();
    let reported = json["objective"]["in_sample"]["excess_risk"]
        .as_f64()
        .unwrap();
    assert!(
        (reported - excess).abs() < 1e-9,
        "plan says {reported}, run of the written scenario gives {excess}"
    );
    let unmet = json["unmet"].as_array().unwrap();
    assert!(
        unmet.iter().any(|u| u["target"] == "p_large_classes"),
        "{unmet:?}"
    );
}

#[test]
fn budgets_are_never_exceeded() {
    let f = Fixture::scenario("example");
    let args = [
        "plan",
        "example.toml",
        "--trials",
        "40",
        "--quiet",
        "--out",
        "out",
    ];
    let budget = ["--budget", "classes=100", "--budget", "classes_per_year=30"];
    f.seatsim_ok(&[&args[..], &budget[..]].concat());
    let rows = read_rows(&f.path("out/plan.csv"));
    assert!(!rows.is_empty());
    let classes =
        |r: &std::collections::HashMap<String, String>| r["classes"].parse::<u32>().unwrap();
    assert!(rows.iter().map(classes).sum::<u32>() <= 100);
    for year in 2021..=2030 {
        let in_year = rows
            .iter()
            .filter(|r| r["planned_year"] == year.to_string());
        assert!(in_year.map(classes).sum::<u32>() <= 30, "year {year}");
    }
    let json = plan_json(&f.path("out"));
    for b in json["budgets"].as_array().unwrap() {
        assert!(b["used"].as_f64() <= b["limit"].as_f64(), "{b}");
    }
}

#[test]
fn with_w_spare_zero_and_no_budget_it_builds_until_no_trial_is_short() {
    let f = fixture();
    // Projects open on time, so every projection year can be covered.
    let toml = TOML
        .replace("w_spare = 0.1", "w_spare = 0")
        .replace("on_time = 0.7\none_year = 0.2\nnever = 0.1", "on_time = 1");
    std::fs::write(f.path("s.toml"), toml).unwrap();
    f.seatsim_ok(&[
        "plan", "s.toml", "--quiet", "--out", "out", "--write", "w.toml",
    ]);
    let run = f.run("w.toml", "run", &[]);
    for r in read_rows(&run.join("risk.csv")) {
        if r["year"] != "2020" {
            assert_eq!(r["p_shortfall"], "0", "{r:?}");
        }
    }
}

#[test]
fn plan_output_is_byte_identical_whatever_the_thread_count() {
    let f = Fixture::scenario("example");
    let go = |threads: &str, out: &str| {
        let w = format!("{out}.toml");
        f.seatsim_ok(&[
            "plan",
            "example.toml",
            "--trials",
            "70",
            "--quiet",
            "--threads",
            threads,
            "--out",
            out,
            "--write",
            &w,
        ]);
    };
    go("1", "one");
    go("2", "two");
    let read = |p: &str| std::fs::read(f.path(p)).unwrap();
    assert_eq!(read("one/plan.csv"), read("two/plan.csv"));
    assert_eq!(read("one-projects.csv"), read("two-projects.csv"));
    assert_eq!(read("one/plan_summary.csv"), read("two/plan_summary.csv"));
    assert_eq!(read("one/plan.json"), read("two/plan.json"));
}

#[test]
fn bad_candidates_budgets_and_weights_are_refused_with_where_and_nothing_written() {
    let f = fixture();
    let bad = CANDIDATES.replace(
        "x1,Expand A,a,p,expansion,2,2021,2021,20",
        "x1,Expand A,a,p,closure,2,2021,2021,20",
    );
    std::fs::write(f.path("bad.csv"), bad).unwrap();
    let err = f.refused(&["plan", "s.toml", "--candidates", "bad.csv", "--out", "out"]);
    assert!(
        err.contains("bad.csv:4:")
            && err.contains("kind = closure")
            && err.contains("new or expansion"),
        "{err}"
    );
    let late = CANDIDATES.replace("2021,2022,40", "2022,2030,40");
    std::fs::write(f.path("late.csv"), late).unwrap();
    let err = f.refused(&["plan", "s.toml", "--candidates", "late.csv", "--out", "out"]);
    assert!(
        err.contains("late.csv:3:") && err.contains("latest_year = 2030"),
        "{err}"
    );
    let err = f.refused(&["plan", "s.toml", "--budget", "yuan=-3", "--out", "out"]);
    assert!(
        err.contains("--budget yuan=-3") && err.contains("≥ 0"),
        "{err}"
    );
    let err = f.refused(&["plan", "s.toml", "--budget", "euros=3", "--out", "out"]);
    assert!(err.contains("KIND must be"), "{err}");
    std::fs::write(
        f.path("s.toml"),
        TOML.replace("w_short = 1", "w_short = -1"),
    )
    .unwrap();
    let err = f.refused(&["plan", "s.toml", "--out", "out"]);
    assert!(
        err.contains("s.toml:") && err.contains("plan.w_short = -1"),
        "{err}"
    );
    let bad_keys = [
        ("target_p_shortfall = 1.5", "plan.target_p_shortfall = 1.5"),
        (
            "target_p_shortfall = 0.1\ntarget_stages = [\"q\"]",
            "unknown stage \"q\"",
        ),
        (
            "target_p_shortfall = 0.1\ntarget_from = 1999",
            "plan.target_from = 1999",
        ),
        (
            "target_p_shortfall = 0.1\ntarget_margin = 0.2",
            "plan.target_margin = 0.2",
        ),
        ("target_margin = 0.01", "neither plan.target_p_shortfall"),
        ("target_p_shortfal = 0.1", "target_p_shortfal"),
    ];
    for (keys, says) in bad_keys {
        std::fs::write(f.path("s.toml"), TOML.replace("w_spare = 0.1", keys)).unwrap();
        let err = f.refused(&["plan", "s.toml", "--out", "out"]);
        assert!(
            err.contains("s.toml") && err.contains(says),
            "{keys}: {err}"
        );
    }
    assert!(!f.path("out").exists(), "nothing is written");
}

#[test]
fn drop_and_retime_keep_the_closures_and_retime_plans_the_pipelines_own_projects() {
    let f = Fixture::scenario("example");
    let pipeline = read_rows(&f.path("example/projects.csv"));
    let ids = |rows: &[std::collections::HashMap<String, String>], kind: &str| -> Vec<String> {
        let of_kind = rows.iter().filter(|r| kind.is_empty() || r["kind"] == kind);
        of_kind.map(|r| r["id"].clone()).collect()
    };
    for mode in ["drop", "retime"] {
        let w = format!("{mode}.toml");
        let args = [
            "plan",
            "example.toml",
            "--trials",
            "30",
            "--quiet",
            "--out",
            mode,
        ];
        f.seatsim_ok(&[&args[..], &["--keep-pipeline", mode, "--write", &w]].concat());
        let written = read_rows(&f.path(&format!("{mode}-projects.csv")));
        assert_eq!(
            ids(&written, "closure"),
            ids(&pipeline, "closure"),
            "{mode}"
        );
        let chosen = read_rows(&f.path(&format!("{mode}/plan.csv")));
        let own = ids(&pipeline, "");
        for id in ids(&chosen, "") {
            let generated = id.starts_with("plan-");
            assert!(
                generated || (mode == "retime" && own.contains(&id)),
                "{mode}: {id}"
            );
        }
        f.run(&w, &format!("{mode}-run"), &["--trials", "5"]);
    }
}

#[test]
fn ctrl_c_stops_a_plan_and_keeps_the_previous_results() {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    let f = Fixture::scenario("example");
    let args = ["plan", "example.toml", "--quiet", "--out", "out"];
    f.seatsim_ok(&[&args[..], &["--trials", "20"]].concat());
    let before = std::fs::read(f.path("out/plan.json")).unwrap();
    // 100,000 trials keep a debug build projecting for many seconds: only the signal ends it.
    let mut child = Command::new(env!("CARGO_BIN_EXE_seatsim"))
        .args(args)
        .args(["--trials", "100000", "--write", "w.toml"])
        .current_dir(f.dir.path())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(2));
    let pid = child.id().to_string();
    let sent = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(sent.success());
    let signalled = Instant::now();
    while child.try_wait().unwrap().is_none() {
        assert!(signalled.elapsed() < Duration::from_secs(10), "no stop");
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert_eq!(std::fs::read(f.path("out/plan.json")).unwrap(), before);
    assert!(!f.path("w.toml").exists(), "nothing is written");
}

/// The unmet cells of plan.json `out` over P(shortfall) `reason`: `(district, year)`.
fn unmet_for(json: &serde_json::Value, reason: &str) -> Vec<(String, i64)> {
    (json["unmet"].as_array().unwrap().iter())
        .filter(|u| u["reason"] == reason)
        .map(|u| {
            (
                u["district"].as_str().unwrap().into(),
                u["year"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// A cell over target that some portfolio of its row would meet is unmet for the `budget`,
/// also when the budget is far from used up (30 yuan: the plan can afford one expansion, 15
/// or 20) or is 0 (nothing used, nothing left); `window` is said only of cells no portfolio
/// meets, which stay unmet without a budget too.
#[test]
fn an_unmet_cell_a_portfolio_would_meet_is_blamed_on_the_budget() {
    let f = large_class_fixture();
    let toml = std::fs::read_to_string(f.path("s.toml")).unwrap();
    let target = toml.replace("w_spare = 0.1", "target_p_shortfall = 0.1");
    std::fs::write(f.path("t.toml"), target).unwrap();
    plan_candidates(&f, "t.toml", &[]);
    let free = plan_json(&f.path("out"));
    let beyond_reach = unmet_for(&free, "window");
    for budget in ["yuan=30", "classes=0"] {
        plan_candidates(&f, "t.toml", &["--budget", budget]);
        let json = plan_json(&f.path("out"));
        let used = &json["budgets"][0];
        let limit = used["limit"].as_f64().unwrap();
        assert!(used["used"].as_f64().unwrap() < 0.9 * limit || limit == 0.0);
        let blamed = unmet_for(&json, "budget");
        assert!(!blamed.is_empty(), "{budget}: {}", json["unmet"]);
        assert!(blamed.iter().all(|c| !beyond_reach.contains(c)), "{budget}");
        for cell in unmet_for(&json, "window") {
            assert!(
                beyond_reach.contains(&cell),
                "{budget}: {cell:?} is met without it"
            );
        }
    }
}

/// With a pipeline edited by `[[changes]]` (a delay, a drop), the scenario `--write` writes
/// runs what the plan scored, the pipeline kept, dropped or re-timed: the original's changes
/// are applied once, not again to the written pipeline (a second delay, a drop of a project
/// already gone).
#[test]
fn the_written_scenario_of_a_pipeline_edited_by_changes_runs_what_the_plan_scored() {
    let f = fixture();
    let projects = "id,name,district,stage,kind,classes,planned_year\np1,P1,a,p,new,3,2021\np2,P2,b,p,expansion,2,2022\n";
    std::fs::write(f.path("projects.csv"), projects).unwrap();
    let edited = "[scenario]\nextends = \"s.toml\"\n[data]\nprojects = \"projects.csv\"\n[[changes]]\ndelay = \"p1\"\nyears = 1\n[[changes]]\ndrop = \"p2\"\n";
    std::fs::write(f.path("e.toml"), edited).unwrap();
    for mode in ["keep", "drop", "retime"] {
        let flags = ["--keep-pipeline", mode, "--write", "w.toml"];
        plan_candidates(&f, "e.toml", &flags);
        let planned = plan_json(&f.path("out"))["objective"]["in_sample"]["weighted"]
            .as_f64()
            .unwrap();
        let run = f.run("w.toml", "w-out", &[]);
        let from_run = run_objective(&run, 0.1, &[]);
        assert!(
            (from_run - planned).abs() < 1e-4,
            "{mode}: plan says {planned}, run of the written scenario gives {from_run}"
        );
    }
}

/// With a `target_margin` the plan minimises the excess over the tightened targets: plan.json
/// names that criterion as what its bound is of and writes its value, so a proved bound is
/// the plan's own value (not above the excess against α as given).
#[test]
fn with_a_margin_the_bound_is_of_the_excess_over_the_tightened_targets() {
    let f = fixture();
    let keys = "target_p_shortfall = 0.3\ntarget_margin = 0.1";
    std::fs::write(f.path("t.toml"), TOML.replace("w_spare = 0.1", keys)).unwrap();
    plan_candidates(&f, "t.toml", &[]);
    let json = plan_json(&f.path("out"));
    assert_eq!(json["exact"], true);
    assert_eq!(json["bound_of"], "excess_risk_tightened");
    let in_sample = &json["objective"]["in_sample"];
    let tightened = in_sample["excess_risk_tightened"].as_f64().unwrap();
    let given = in_sample["excess_risk"].as_f64().unwrap();
    assert!(tightened > given, "{in_sample}");
    assert!(
        (json["bound"].as_f64().unwrap() - tightened).abs() < 1e-12,
        "{json}"
    );
}
