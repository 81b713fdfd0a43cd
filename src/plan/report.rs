//! What `seatsim plan` writes: `plan.csv`, the chosen projects and what each buys, and
//! `plan.json`, the objectives in-sample, on fresh trials and for the scenario's own pipeline.
//!
//! `plan.csv`: `id,name,district,stage,kind,classes,year,cost,shortfall_avoided,surplus_added`
//! — one row per project, by year, district (file order), stage (by age) and id; `year` is the planned opening year, `cost` yuan,
//! and the last two the expected seat-years short it avoids and spare it adds over the whole
//! projection, given the rest of the plan (per trial on average, on the trials searched).

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::search::{Built, Objective};
use super::{KeepPipeline, Planner};
use crate::report::csv::number;
use crate::report::{create_dir, Batch};
use crate::scenario::{Budgets, ProjectKind, Weights};
use crate::Error;

/// Everything `plan.json` holds.
#[derive(Debug, Clone, Serialize)]
pub struct PlanReport {
    /// seatsim version.
    pub version: &'static str,
    /// The scenario planned for.
    pub scenario: String,
    /// Its SHA-256.
    pub scenario_sha256: String,
    /// What became of its pipeline.
    pub pipeline: KeepPipeline,
    /// Trials searched (numbered as in `run`) and their seed.
    pub trials: u64,
    /// Seed of the trials searched.
    pub seed: u64,
    /// Seed of the fresh trials.
    pub fresh_seed: u64,
    /// Candidates considered.
    pub candidates: usize,
    /// The objective's weights.
    pub weights: WeightsJson,
    /// The budgets (`null` = none).
    pub budgets: BudgetsJson,
    /// Projects chosen, and their classes.
    pub projects: usize,
    /// Classes they add.
    pub classes: u64,
    /// The plan on the trials searched.
    pub in_sample: Objective,
    /// The plan on fresh trials: `fresh.total − in_sample.total` is the optimism of having
    /// chosen on the first trials.
    pub fresh: Objective,
    /// The scenario's own pipeline, nothing added, on the trials searched.
    pub pipeline_in_sample: Objective,
    /// The same on the fresh trials.
    pub pipeline_fresh: Objective,
    /// Seat-years short the plan avoids against the pipeline (pipeline − plan, paired by
    /// trial), on the trials searched.
    pub avoided_in_sample: Paired,
    /// The same on the fresh trials: the honest estimate.
    pub avoided_fresh: Paired,
    /// Seconds spent projecting trials (all passes) and searching.
    pub seconds: Seconds,
}

/// Where the time went.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Seconds {
    /// Projecting the trials' demand and capacity (every pass).
    pub trials: f64,
    /// The greedy search and its local moves.
    pub search: f64,
}

/// A per-trial difference: its mean and P5, P50, P95 over trials.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Paired {
    /// Mean over trials.
    pub mean: f64,
    /// P5, P50, P95 over trials.
    pub bands: [f64; 3],
}

impl Paired {
    /// `a − b`, trial by trial.
    pub fn of(a: &[f64], b: &[f64]) -> Self {
        let d: Vec<f64> = a.iter().zip(b).map(|(a, b)| a - b).collect();
        Self {
            mean: d.iter().sum::<f64>() / d.len().max(1) as f64,
            bands: super::search::bands(&d),
        }
    }
}

/// `[plan]` weights as written in plan.json.
#[derive(Debug, Clone, Serialize)]
pub struct WeightsJson {
    w_short: f64,
    w_spare: f64,
    w_cost: f64,
}

impl From<Weights> for WeightsJson {
    fn from(w: Weights) -> Self {
        Self {
            w_short: w.short,
            w_spare: w.spare,
            w_cost: w.cost,
        }
    }
}

/// Budgets as written in plan.json.
#[derive(Debug, Clone, Serialize)]
pub struct BudgetsJson {
    yuan: Option<f64>,
    classes: Option<f64>,
    yuan_per_year: Option<f64>,
    classes_per_year: Option<f64>,
}

impl From<Budgets> for BudgetsJson {
    fn from(b: Budgets) -> Self {
        Self {
            yuan: b.yuan,
            classes: b.classes,
            yuan_per_year: b.yuan_per_year,
            classes_per_year: b.classes_per_year,
        }
    }
}

/// Column names of `plan.csv`.
pub const PLAN_HEADER: [&str; 10] = [
    "id",
    "name",
    "district",
    "stage",
    "kind",
    "classes",
    "year",
    "cost",
    "shortfall_avoided",
    "surplus_added",
];

/// The name of a project kind in CSV files.
pub fn kind_name(kind: ProjectKind) -> &'static str {
    match kind {
        ProjectKind::New => "new",
        ProjectKind::Expansion => "expansion",
        ProjectKind::Closure => "closure",
    }
}

/// Writes `plan.csv` and `plan.json` into `dir`, together; `buys[i]` is what `built[i]` buys.
pub fn write_plan(
    dir: &Path,
    planner: &Planner,
    built: &[Built],
    buys: &[(f64, f64)],
    report: &PlanReport,
) -> Result<Vec<PathBuf>, Error> {
    create_dir(dir)?;
    let mut batch = Batch::default();
    batch.stage(&dir.join("plan.csv"), |w| {
        write_csv(w, planner, built, buys)
    })?;
    let json = serde_json::to_string_pretty(report).expect("plan.json serializes");
    batch.stage(&dir.join("plan.json"), |w| writeln!(w, "{json}"))?;
    batch.commit()
}

fn write_csv(
    w: &mut impl Write,
    planner: &Planner,
    built: &[Built],
    buys: &[(f64, f64)],
) -> std::io::Result<()> {
    let s = &planner.original;
    let mut out = csv::Writer::from_writer(w);
    out.write_record(PLAN_HEADER)?;
    let mut order: Vec<usize> = (0..built.len()).collect();
    order.sort_by_key(|&i| {
        let (b, c) = (&built[i], &planner.candidates[built[i].candidate]);
        (b.year, c.district, c.stage, b.id.clone())
    });
    for i in order {
        let (b, (short, spare)) = (&built[i], buys[i]);
        let c = &planner.candidates[b.candidate];
        out.write_record([
            b.id.as_str(),
            &c.name,
            &s.districts[c.district.0].id,
            &s.stages[c.stage.0].id,
            kind_name(c.kind),
            &c.classes.to_string(),
            &b.year.to_string(),
            &number(c.cost),
            &number(short),
            &number(spare),
        ])?;
    }
    out.flush()
}

/// The terminal summary: the objective of the pipeline and of the plan, in-sample and fresh.
pub fn summary(r: &PlanReport) -> String {
    let row = |name: &str, o: &Objective| {
        format!(
            "  {name:<22} {:>14.0} {:>14.0} {:>16.0} {:>14.0}\n",
            o.shortfall, o.surplus, o.cost, o.total
        )
    };
    let mut text = format!(
        "{} projects, {} classes; expected seat-years over the projection (mean of {} trials):\n  {:<22} {:>14} {:>14} {:>16} {:>14}\n",
        r.projects, r.classes, r.trials, "", "short", "spare", "cost (yuan)", "objective"
    );
    text += &row("pipeline, searched", &r.pipeline_in_sample);
    text += &row("plan, searched", &r.in_sample);
    text += &row("pipeline, fresh", &r.pipeline_fresh);
    text += &row("plan, fresh", &r.fresh);
    text += &format!(
        "  optimism (fresh − searched objective of the plan): {:.0}\n",
        r.fresh.total - r.in_sample.total
    );
    let [p05, p50, p95] = r.avoided_fresh.bands;
    text += &format!(
        "  seat-years short avoided against the pipeline, fresh trials: {:.0} (P5 {p05:.0}, P50 {p50:.0}, P95 {p95:.0})\n",
        r.avoided_fresh.mean
    );
    text
}
