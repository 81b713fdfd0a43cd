//! What `seatsim plan` writes (the agreed schema, PLAN_SCHEMA.md): `plan.csv` (the projects,
//! generated copies of one candidate and year in one row with a `count`), `plan_summary.csv`
//! (per district × stage × year: what is added and the risk before and after on fresh trials)
//! and `plan.json` (settings, budgets, objectives, bound and gap, stages, unmet cells).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::outcome::{names, BudgetUse, Outcome, Unmet};
use super::score::RowCells;
use super::solve::Problem;
use super::{KeepPipeline, Planner};
use crate::report::csv::number;
use crate::report::{create_dir, Batch};
use crate::scenario::{ProjectKind, Scenario};
use crate::Error;

/// The columns of plan.csv.
const PLAN_CSV: &str =
    "id,name,district,district_name,stage,kind,count,classes,seats,planned_year,cost_yuan";
/// The columns of plan_summary.csv.
const SUMMARY_CSV: &str = "district,district_name,stage,year,targeted,classes_added,seats_added,cost_yuan,p_shortfall_before,p_shortfall_after,p_large_classes_before,p_large_classes_after,expected_shortfall_before,expected_shortfall_after";
/// Yuan in one 亿元.
const YI: f64 = 1e8;
/// Cells reported over target in the weighted form, which has no target of its own.
const REPORT_ALPHA: f64 = 0.1;

/// The settings of the run that `plan.json` records.
pub struct Run {
    /// Seed and trials searched.
    pub seed: u64,
    /// Trials searched.
    pub trials: u64,
    /// Seed and trials of the fresh check.
    pub fresh_seed: u64,
}

/// The objective's parts.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Objective {
    /// `Σ_targeted max(0, p − α) + Σ_targeted max(0, p_large − β)` (against the targets as
    /// given; 0 in the weighted form).
    pub excess_risk: f64,
    /// Capital cost of the plan, yuan.
    pub cost_yuan: u64,
    /// Expected spare seat-years.
    pub spare_seat_years: f64,
    /// Expected shortfall seat-years.
    pub shortfall_seat_years: f64,
    /// The weighted objective (weighted form only).
    pub weighted: Option<f64>,
    /// The excess risk against the targets tightened by `target_margin`: what the plan
    /// minimises, and what its bound is of (written only with a margin).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excess_risk_tightened: Option<f64>,
}

/// One stage: what it gains and loses.
#[derive(Debug, Clone, Serialize)]
pub struct StageReport {
    stage: String,
    classes_added: u64,
    seats_added: u64,
    cost_yuan: u64,
    expected_shortfall_seat_years_before: f64,
    expected_shortfall_seat_years_after: f64,
    cells_over_target_before: usize,
    cells_over_target_after: usize,
    worse_than_pipeline: bool,
}

/// A row of plan.csv: copies of one candidate planned for one year.
struct Line<'a> {
    candidate: usize,
    year: i32,
    count: u32,
    ids: Vec<&'a str>,
}

/// The whole plan.json.
#[derive(Serialize)]
struct Json<'a> {
    version: &'static str,
    form: &'static str,
    scenario: &'a str,
    seed: u64,
    trials: u64,
    fresh_seed: u64,
    fresh_trials: usize,
    first_year: i32,
    last_year: i32,
    keep_pipeline: KeepPipeline,
    targets: Option<serde_json::Value>,
    weights: Option<serde_json::Value>,
    budgets: &'a [BudgetUse],
    standard_projects: Vec<serde_json::Value>,
    cost: serde_json::Value,
    objective: serde_json::Value,
    exact: bool,
    bound: f64,
    bound_of: &'static str,
    gap: f64,
    /// What `exact`, `bound` and `gap` rest on, with a target on large classes (whose share
    /// is not monotone in what is built); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    proof: Option<&'static str>,
    stages: Vec<StageReport>,
    unmet: &'a [Unmet],
}

/// The targets cells are counted over, `(α, β)` as given: in the weighted form α = 10%.
fn report_targets(s: &Scenario) -> (Option<f64>, Option<f64>) {
    match &s.plan.targets {
        Some(t) => (t.p_shortfall, t.p_large_classes),
        None => (Some(REPORT_ALPHA), None),
    }
}

/// `Σ max(0, p − target)` over every row's targeted cells, `p` of a row picked by `of`.
fn total_excess<'c>(
    cells: &'c [RowCells],
    targeted: &[Vec<bool>],
    target: f64,
    of: impl Fn(&'c RowCells) -> &'c [f64],
) -> f64 {
    cells
        .iter()
        .zip(targeted)
        .flat_map(|(c, on)| of(c).iter().zip(on))
        .filter(|(_, on)| **on)
        .map(|(p, _)| (p - target).max(0.0))
        .fold(0.0, |a, b| a + b)
}

/// The plan's objective parts over `cells`, with `cost` yuan.
pub fn objective(
    planner: &Planner,
    cells: &[RowCells],
    targeted: &[Vec<bool>],
    cost: f64,
) -> Objective {
    let s = &planner.original;
    let excess_over = |(alpha, beta): (Option<f64>, Option<f64>)| {
        let short = alpha.map_or(0.0, |a| total_excess(cells, targeted, a, |c| &c.p_short));
        let large = beta.map_or(0.0, |b| total_excess(cells, targeted, b, |c| &c.p_large));
        short + large
    };
    let excess = excess_over(report_targets(s));
    let tightened = (s.plan.targets.as_ref())
        .filter(|t| t.margin > 0.0)
        .map(|t| excess_over(t.tightened()));
    let (short, spare): (f64, f64) = cells
        .iter()
        .map(|c| (c.shortfall(), c.spare()))
        .fold((0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1));
    let w = s.plan.weights;
    Objective {
        excess_risk: excess,
        cost_yuan: cost.round() as u64,
        spare_seat_years: spare,
        shortfall_seat_years: short,
        weighted: s
            .plan
            .targets
            .is_none()
            .then_some(w.short * short + w.spare * spare + w.cost * cost),
        excess_risk_tightened: tightened,
    }
}

/// The criterion the plan's bound is of, as plan.json's objective names it: with a margin,
/// the excess risk is the one against the tightened targets.
fn bound_of(planner: &Planner, o: &Outcome) -> &'static str {
    let margin = (planner.original.plan.targets.as_ref()).is_some_and(|t| t.margin > 0.0);
    match o.solution.bound_of {
        "excess_risk" if margin => "excess_risk_tightened",
        of => of,
    }
}

/// Writes `plan.csv`, `plan_summary.csv` and `plan.json` into `dir`, together.
pub fn write_plan(
    dir: &Path,
    planner: &Planner,
    p: &Problem<'_>,
    o: &Outcome,
    run: &Run,
) -> Result<Vec<PathBuf>, Error> {
    create_dir(dir)?;
    let mut batch = Batch::default();
    batch.stage(&dir.join("plan.csv"), |w| write_csv(w, planner, o))?;
    batch.stage(&dir.join("plan_summary.csv"), |w| {
        write_summary(w, planner, p, o)
    })?;
    let json =
        serde_json::to_string_pretty(&json(planner, p, o, run)).expect("plan.json serializes");
    batch.stage(&dir.join("plan.json"), |w| writeln!(w, "{json}"))?;
    batch.commit()
}

/// The name of a project kind in CSV files.
pub fn kind_name(kind: ProjectKind) -> &'static str {
    match kind {
        ProjectKind::New => "new",
        ProjectKind::Expansion => "expansion",
        ProjectKind::Closure => "closure",
    }
}

/// The plan's projects, copies of one candidate and year together, by year, district, stage
/// and id.
fn lines<'a>(planner: &Planner, o: &'a Outcome) -> Vec<Line<'a>> {
    let mut by: BTreeMap<(i32, usize, usize, usize), Line<'a>> = BTreeMap::new();
    for b in &o.solution.built {
        let c = &planner.candidates[b.candidate];
        let line = by
            .entry((b.year.0, c.district.0, c.stage.0, b.candidate))
            .or_insert(Line {
                candidate: b.candidate,
                year: b.year.0,
                count: 0,
                ids: Vec::new(),
            });
        line.count += 1;
        line.ids.push(&b.id);
    }
    by.into_values().collect()
}

fn write_csv(w: &mut impl Write, planner: &Planner, o: &Outcome) -> std::io::Result<()> {
    let s = &planner.original;
    let mut out = csv::Writer::from_writer(w);
    out.write_record(PLAN_CSV.split(','))?;
    for line in lines(planner, o) {
        let c = &planner.candidates[line.candidate];
        let classes = u64::from(c.classes) * u64::from(line.count);
        let seats = classes * u64::from(s.stages[c.stage.0].class_size);
        let id = match line.ids.as_slice() {
            [one] => one.to_string(),
            [first, .., last] => format!("{first}..{last}"),
            [] => unreachable!("a line has a copy"),
        };
        let d = &s.districts[c.district.0];
        out.write_record([
            id,
            c.name.clone(),
            d.id.clone(),
            d.name.clone(),
            s.stages[c.stage.0].id.clone(),
            kind_name(c.kind).into(),
            line.count.to_string(),
            classes.to_string(),
            seats.to_string(),
            line.year.to_string(),
            format!("{:.0}", c.cost * f64::from(line.count)),
        ])?;
    }
    out.flush()
}

/// Classes, seats and yuan the plan adds to each row in each planned year.
fn added(
    planner: &Planner,
    p: &Problem<'_>,
    o: &Outcome,
) -> BTreeMap<(usize, usize), (u64, u64, f64)> {
    let s = &planner.original;
    let mut by = BTreeMap::new();
    for b in &o.solution.built {
        let c = &planner.candidates[b.candidate];
        let e = by
            .entry((p.row_of(b.candidate), p.year_ix(b.year)))
            .or_insert((0, 0, 0.0));
        e.0 += u64::from(c.classes);
        e.1 += u64::from(c.classes) * u64::from(s.stages[c.stage.0].class_size);
        e.2 += c.cost;
    }
    by
}

fn write_summary(
    w: &mut impl Write,
    planner: &Planner,
    p: &Problem<'_>,
    o: &Outcome,
) -> std::io::Result<()> {
    let s = &planner.original;
    let mut out = csv::Writer::from_writer(w);
    out.write_record(SUMMARY_CSV.split(','))?;
    let added = added(planner, p, o);
    for r in 0..p.futures.rows.len() {
        let (district, district_name, stage) = names(s, p.futures, r);
        for y in 0..p.futures.n_years {
            let (classes, seats, cost) = added.get(&(r, y)).copied().unwrap_or_default();
            out.write_record([
                district.clone(),
                district_name.clone(),
                stage.clone(),
                (s.base_year.0 + y as i32).to_string(),
                u8::from(o.targeted[r][y]).to_string(),
                classes.to_string(),
                seats.to_string(),
                format!("{cost:.0}"),
                number(o.before[r].p_short[y]),
                number(o.after[r].p_short[y]),
                number(o.large_before[r][y]),
                number(o.large_after[r][y]),
                number(o.before[r].short[y]),
                number(o.after[r].short[y]),
            ])?;
        }
    }
    for (before, after) in o.city.0.iter().zip(&o.city.1) {
        let rows: Vec<usize> = (0..p.futures.rows.len())
            .filter(|&r| p.futures.rows[r].1 == before.stage)
            .collect();
        for y in 0..p.futures.n_years {
            let (classes, seats, cost) = rows
                .iter()
                .filter_map(|&r| added.get(&(r, y)))
                .fold((0, 0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2));
            out.write_record([
                "ALL".into(),
                "全市 city".into(),
                s.stages[before.stage.0].id.clone(),
                (s.base_year.0 + y as i32).to_string(),
                "0".into(),
                classes.to_string(),
                seats.to_string(),
                format!("{cost:.0}"),
                number(before.p_short[y]),
                number(after.p_short[y]),
                number(before.p_large[y]),
                number(after.p_large[y]),
                number(before.short[y]),
                number(after.short[y]),
            ])?;
        }
    }
    out.flush()
}

/// Whether year `y` of `cells` is over a target: P(shortfall) over `alpha` or P(large
/// classes) over `beta`.
fn over(alpha: Option<f64>, beta: Option<f64>, cells: &RowCells, y: usize) -> bool {
    alpha.is_some_and(|a| cells.p_short[y] > a) || beta.is_some_and(|b| cells.p_large[y] > b)
}

/// What each stage gains and loses, on fresh trials.
pub fn stages(planner: &Planner, p: &Problem<'_>, o: &Outcome) -> Vec<StageReport> {
    let s = &planner.original;
    let (alpha, beta) = report_targets(s);
    let added = added(planner, p, o);
    s.stages
        .iter()
        .enumerate()
        .map(|(st, stage)| {
            let rows: Vec<usize> = (0..p.futures.rows.len())
                .filter(|&r| p.futures.rows[r].1 .0 == st)
                .collect();
            let count = |cells: &[RowCells]| -> usize {
                rows.iter()
                    .map(|&r| {
                        (0..p.futures.n_years)
                            .filter(|&y| o.targeted[r][y] && over(alpha, beta, &cells[r], y))
                            .count()
                    })
                    .sum()
            };
            let short =
                |cells: &[RowCells]| rows.iter().map(|&r| cells[r].shortfall()).sum::<f64>();
            let (classes, seats, cost) = added
                .iter()
                .filter(|((r, _), _)| rows.contains(r))
                .fold((0, 0, 0.0), |a, (_, b)| (a.0 + b.0, a.1 + b.1, a.2 + b.2));
            let (before, after) = (short(&o.before), short(&o.after));
            let (over_before, over_after) = (count(&o.before), count(&o.after));
            StageReport {
                stage: stage.id.clone(),
                classes_added: classes,
                seats_added: seats,
                cost_yuan: cost.round() as u64,
                expected_shortfall_seat_years_before: before,
                expected_shortfall_seat_years_after: after,
                cells_over_target_before: over_before,
                cells_over_target_after: over_after,
                worse_than_pipeline: after > before * (1.0 + 1e-9) + 1e-9
                    || over_after > over_before,
            }
        })
        .collect()
}

fn json<'a>(planner: &'a Planner, p: &Problem<'_>, o: &'a Outcome, run: &Run) -> Json<'a> {
    let s = &planner.original;
    let plan_cost = plan_cost(planner, o);
    let in_sample = objective(planner, &o.in_sample, &o.targeted, plan_cost);
    let fresh = objective(planner, &o.after, &o.targeted, plan_cost);
    let w = s.plan.weights;
    Json {
        version: env!("CARGO_PKG_VERSION"),
        form: if s.plan.targets.is_some() {
            "target"
        } else {
            "weights"
        },
        scenario: &s.name,
        seed: run.seed,
        trials: run.trials,
        fresh_seed: run.fresh_seed,
        fresh_trials: o.fresh_trials,
        first_year: s.plan.years.0 .0,
        last_year: s.plan.years.1 .0,
        keep_pipeline: planner.keep,
        targets: s.plan.targets.as_ref().map(|t| {
            let stages: Vec<&str> = planner
                .target_stages()
                .iter()
                .map(|st| s.stages[st.0].id.as_str())
                .collect();
            serde_json::json!({
                "target_p_shortfall": t.p_shortfall,
                "target_p_large_classes": t.p_large_classes,
                "target_from": t.from.0,
                "target_stages": stages,
                "target_margin": t.margin,
            })
        }),
        weights: s
            .plan
            .targets
            .is_none()
            .then(|| serde_json::json!({"w_short": w.short, "w_spare": w.spare, "w_cost": w.cost})),
        budgets: &o.budgets,
        standard_projects: standard_projects(s, planner),
        cost: serde_json::json!({"plan_yuan": plan_cost.round() as u64, "pipeline_yuan": planner.pipeline_cost().round() as u64}),
        objective: serde_json::json!({"in_sample": in_sample, "fresh": fresh}),
        exact: o.solution.exact,
        bound: o.solution.bound,
        bound_of: bound_of(planner, o),
        gap: o.solution.gap(),
        proof: proof(s, o.solution.exact),
        stages: stages(planner, p, o),
        unmet: &o.unmet,
    }
}

/// With a target on large classes, what the optimality claim rests on: the large-class share
/// is not monotone in the classes added (a new school's own classes can be large), and
/// nothing proved assumes it is.
fn proof(s: &Scenario, exact: bool) -> Option<&'static str> {
    s.plan.targets.as_ref()?.p_large_classes?;
    Some(if exact {
        "every portfolio of each decision row was scored with its classes re-sized by the class model (no monotonicity of the large-class share assumed); the branch and bound over rows adds exact row scores and prunes only on budgets and on sums of each row's best score, so the plan is the optimum on its trials"
    } else {
        "not proved optimal; the bound assumes no monotonicity of the large-class share (a new school's own classes can be large): a greedy plan's bound counts only the excess risk of targeted cells before any candidate of their row can open, which no project can change; a branch and bound cut at its node limit is bounded by a Lagrangian relaxation over exactly scored row portfolios"
    })
}

/// The generated candidates' sizes and prices, one per stage and kind.
fn standard_projects(s: &Scenario, planner: &Planner) -> Vec<serde_json::Value> {
    let mut seen = std::collections::BTreeSet::new();
    planner
        .candidates
        .iter()
        .filter(|c| c.repeatable && seen.insert((c.stage, kind_name(c.kind))))
        .map(|c| {
            let stage = &s.stages[c.stage.0];
            serde_json::json!({
                "stage": stage.id, "kind": kind_name(c.kind), "classes": c.classes,
                "seats": c.classes * stage.class_size, "cost_yuan": c.cost.round() as u64,
            })
        })
        .collect()
}

/// Capital cost of what the plan builds, yuan.
fn plan_cost(planner: &Planner, o: &Outcome) -> f64 {
    let cost = |b: &super::solve::Built| planner.candidates[b.candidate].cost;
    // Folded from +0: an empty sum of f64 is −0, which prints as "-0".
    o.solution.built.iter().map(cost).fold(0.0, |a, b| a + b)
}

/// The terminal's closing lines: cost of the plan and of the pipeline in 亿元, each stage's
/// gain or loss (a stage left worse off said loudly), and the unmet cells.
pub fn summary(planner: &Planner, p: &Problem<'_>, o: &Outcome) -> String {
    let plan_cost = plan_cost(planner, o);
    let classes: u64 = o
        .solution
        .built
        .iter()
        .map(|b| u64::from(planner.candidates[b.candidate].classes))
        .sum();
    let mut text = format!(
        "plan 规划: {} projects, {classes} classes, {:.1} 亿元 ({:.2} billion yuan); pipeline 已有项目: {:.1} 亿元\n",
        o.solution.built.len(),
        plan_cost / YI,
        plan_cost / 1e9,
        planner.pipeline_cost() / YI,
    );
    text += &format!(
        "  search: {}; bound on {} {:.6} (gap {:.2}%)\n",
        if o.solution.exact {
            "exact (optimum proved)"
        } else {
            "not proved optimal"
        },
        bound_of(planner, o),
        o.solution.bound,
        100.0 * o.solution.gap()
    );
    for st in stages(planner, p, o) {
        let loud = if st.worse_than_pipeline {
            "  !! WORSE THAN THE PIPELINE 比原计划更差"
        } else {
            ""
        };
        text += &format!(
            "  {:<13} +{} classes, {:.1} 亿元; shortfall {:.0} → {:.0} seat-years, cells over target {} → {} (fresh trials){loud}\n",
            st.stage,
            st.classes_added,
            st.cost_yuan as f64 / YI,
            st.expected_shortfall_seat_years_before,
            st.expected_shortfall_seat_years_after,
            st.cells_over_target_before,
            st.cells_over_target_after,
        );
    }
    if planner.original.plan.targets.is_some() {
        text += &format!("  unmet 未达标: {} targeted cells", o.unmet.len());
        for u in o.unmet.iter().take(5) {
            let large = if u.target == "p_large_classes" {
                " large classes"
            } else {
                ""
            };
            text += &format!(
                "; {} {} {}{large} p={:.2}/{:.2} ({:?})",
                u.district, u.stage, u.year, u.p_in_sample, u.p_fresh, u.reason
            );
        }
        text += if o.unmet.len() > 5 { "; …\n" } else { "\n" };
    }
    text
}
