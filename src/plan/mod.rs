//! `seatsim plan` (DESIGN §8): which projects to build, where and when — the cheapest
//! programme that keeps every targeted cell's risk under a target, or the least weighted
//! objective — over the same trials as `run` (common random numbers), within budgets.
//!
//! Demand does not depend on what is built, so [`Futures`] projects every trial once; the
//! solver ([`solve`]) then scores portfolios on capacity, drawing each project's delay from
//! the same keyed stream `run` uses, so `run` of the written scenario sees the same openings;
//! with a target on large classes or surge classes, [`ClassModel`] re-sizes a portfolio's
//! classes with the engine's class split, on the popularity draws `run` makes.

mod budget;
mod classes;
mod futures;
mod generate;
mod outcome;
mod report;
mod score;
mod solve;
mod write;

use std::collections::HashSet;

pub use budget::{constraints, BudgetKind, Constraint};
pub use classes::ClassModel;
pub use futures::Futures;
pub use generate::{candidates as generated_candidates, standard_classes};
pub use outcome::Outcome;
pub use report::{summary, write_plan, Run};
pub use score::{Form, Score, Scorer};
pub use solve::{solve, Built, Problem, Solution};
pub use write::{scenario_files, write_scenario};

use crate::engine::Engine;
use crate::engine::Place;
pub use crate::scenario::KeepPipeline;
use crate::scenario::{Candidate, Catchment, Project, ProjectKind, Scenario, StageIx};

/// A scenario prepared for planning: the part of its pipeline that stays fixed, and the
/// candidates.
pub struct Planner {
    /// The scenario as loaded.
    pub original: Scenario,
    /// The scenario with only the fixed part of the pipeline: the futures are projected on it.
    pub base: Engine,
    /// What the plan may build.
    pub candidates: Vec<Candidate>,
    /// What became of the pipeline.
    pub keep: KeepPipeline,
}

impl Planner {
    /// Prepares `original` for planning with `candidates` (generated when `None`); refuses
    /// candidate ids that clash and, when money counts, candidates without a price.
    pub fn new(
        original: Scenario,
        keep: KeepPipeline,
        candidates: Option<Vec<Candidate>>,
    ) -> Result<Self, String> {
        let mut all = match keep {
            KeepPipeline::Retime => retimed(&original),
            _ => Vec::new(),
        };
        all.extend(candidates.unwrap_or_else(|| generated_candidates(&original)));
        let mut ids = HashSet::new();
        if let Some(c) = all.iter().find(|c| !ids.insert(c.id.as_str())) {
            return Err(format!("candidate id {} appears twice", c.id));
        }
        if let Some(c) = all
            .iter()
            .find(|c| c.repeatable && fixed_prefix(&original, &c.id))
        {
            return Err(format!(
                "candidate {}: the pipeline has a project id starting with `{}-`, the ids of its copies",
                c.id, c.id
            ));
        }
        if all.is_empty() {
            return Err("no candidates: the scenario has no stage with schools or projects to size a standard one".into());
        }
        let (first, last) = original.plan.years;
        if let Some(c) = all.iter().find(|c| c.window.1 < first || c.window.0 > last) {
            return Err(format!(
                "candidate {}: its years {}–{} lie outside the plan's window [plan] first_year..last_year = {first}–{last}",
                c.id, c.window.0, c.window.1
            ));
        }
        for c in &mut all {
            c.window = (c.window.0.max(first), c.window.1.min(last));
        }
        let money = original.plan.weights.cost > 0.0
            || original.plan.targets.is_some()
            || original.plan.budgets.yuan.is_some()
            || original.plan.budgets.yuan_per_year.is_some();
        if let Some(c) = all
            .iter()
            .find(|c| money && generated_unpriced(&original, c))
        {
            let stage = &original.stages[c.stage.0].id;
            return Err(format!(
                "candidate {}: stage {stage} has no [costs.{stage}], but the plan counts money (risk targets, a yuan budget or w_cost > 0); give the stage its cost per seat",
                c.id
            ));
        }
        let mut base = original.clone();
        base.projects.retain(|p| match keep {
            KeepPipeline::Keep => true,
            KeepPipeline::Drop | KeepPipeline::Retime => p.kind == ProjectKind::Closure,
        });
        Ok(Self {
            base: Engine::new(base),
            original,
            candidates: all,
            keep,
        })
    }

    /// The objective on futures `f`: the risk targets' cells (the targeted stages from
    /// `target_from`, tightened by the margin) or the weights.
    pub fn form(&self, f: &Futures) -> Form {
        let s = &self.original;
        let Some(t) = &s.plan.targets else {
            return Form::Weights(s.plan.weights);
        };
        let stages = self.target_stages();
        let from = (t.from.0 - s.base_year.0) as usize;
        let (alpha, beta) = t.tightened();
        Form::Target {
            alpha,
            beta,
            targeted: f
                .rows
                .iter()
                .map(|(_, st)| {
                    (0..f.n_years)
                        .map(|y| y >= from && stages.contains(st))
                        .collect()
                })
                .collect(),
        }
    }

    /// The class model on futures `f` when a target is on large classes or a stage opens
    /// surge classes (`None` otherwise: capacity alone decides). Surge classes close as new
    /// seats open, so without the model a portfolio's capacity would count both and the plan
    /// would score what `run` of its written scenario does not see.
    pub fn class_model<'a>(&'a self, f: &'a Futures) -> Option<ClassModel<'a>> {
        let large = self
            .original
            .plan
            .targets
            .as_ref()
            .is_some_and(|t| t.p_large_classes.is_some());
        let surge = self.original.stages.iter().any(|s| s.surge.is_some());
        (large || surge).then(|| ClassModel::new(&self.base, f))
    }

    /// The targeted stages: `target_stages`, or every stage with a candidate.
    pub fn target_stages(&self) -> Vec<StageIx> {
        let given = self
            .original
            .plan
            .targets
            .as_ref()
            .and_then(|t| t.stages.clone());
        given.unwrap_or_else(|| {
            let mut with: Vec<StageIx> = self.candidates.iter().map(|c| c.stage).collect();
            with.sort_unstable();
            with.dedup();
            with
        })
    }

    /// Capital cost of the scenario's own pipeline (its new schools and expansions), yuan;
    /// projects of stages without `[costs]` count 0.
    pub fn pipeline_cost(&self) -> f64 {
        let s = &self.original;
        s.projects
            .iter()
            .filter(|p| p.kind != ProjectKind::Closure)
            .filter_map(|p| s.cost_of(p))
            .fold(0.0, |a, b| a + b)
    }

    /// The projects of the scenario `--write` emits: the fixed pipeline, then what is built.
    pub fn projects(&self, built: &[Built]) -> Vec<Project> {
        let s = &self.original;
        let mut out = self.base.scenario().projects.clone();
        out.extend(built.iter().map(|b| {
            let c = &self.candidates[b.candidate];
            debug_assert!(c.kind != ProjectKind::Closure);
            Project {
                id: b.id.clone(),
                name: c.name.clone(),
                district: c.district,
                stage: c.stage,
                kind: c.kind,
                classes: c.classes,
                planned_year: b.year,
                delay: c.delay,
            }
        }));
        debug_assert!(built.iter().all(|b| b.year <= s.horizon));
        out
    }
}

/// Where a project of `stage` in district `d` adds seats: its district, or the city for a
/// city-wide stage.
pub fn place_of(s: &Scenario, d: crate::scenario::DistrictIx, stage: StageIx) -> Place {
    match s.stages[stage.0].catchment {
        Catchment::District => Place::District(d),
        Catchment::City => Place::All,
    }
}

/// Whether a pipeline project's id starts with `prefix-`, as a generated copy's would.
fn fixed_prefix(s: &Scenario, prefix: &str) -> bool {
    let copy = format!("{prefix}-");
    s.projects.iter().any(|p| p.id.starts_with(&copy))
}

/// Whether `c` is a generated candidate of a stage without `[costs]` (priced 0 only because
/// nothing says otherwise).
fn generated_unpriced(s: &Scenario, c: &Candidate) -> bool {
    c.repeatable && s.stages[c.stage.0].seat_cost.is_none()
}

/// The pipeline's new schools and expansions as candidates the plan may build once, in any
/// projection year, keeping their ids (and so their delay draws).
fn retimed(s: &Scenario) -> Vec<Candidate> {
    s.projects
        .iter()
        .filter(|p| p.kind != ProjectKind::Closure)
        .map(|p| Candidate {
            id: p.id.clone(),
            name: p.name.clone(),
            district: p.district,
            stage: p.stage,
            kind: p.kind,
            classes: p.classes,
            window: (s.base_year + 1, s.horizon),
            cost: s.cost_of(p).unwrap_or(0.0),
            delay: p.delay,
            repeatable: false,
        })
        .collect()
}
