//! Reading a plan folder (`plan.json`, `plan.csv`, `plan_summary.csv`) as the plan command
//! writes it; unknown fields are ignored so the files can grow.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::super::data::{invalid, read_csv, read_csv_or_empty};
use super::super::PlotError;

/// `plan.json`: the settings, costs, stages and unmet cells of a plan.
#[derive(Debug, Deserialize)]
pub(crate) struct PlanInfo {
    /// `target` or `weights`.
    pub form: String,
    /// The scenario's name.
    pub scenario: String,
    /// Seed and trials of the search.
    pub seed: Option<u64>,
    /// Trials the plan was chosen on.
    pub trials: Option<u64>,
    /// Seed of the fresh trials.
    pub fresh_seed: Option<u64>,
    /// Fresh trials the plan was checked on.
    pub fresh_trials: Option<u64>,
    /// The first year a project of the plan may open.
    pub first_year: Option<i32>,
    /// What the plan did with the pipeline: `keep`, `drop` or `retime`.
    pub keep_pipeline: Option<String>,
    /// The risk targets, for the target form.
    pub targets: Option<Targets>,
    /// What the plan and the pipeline cost.
    pub cost: Cost,
    /// The plan's criteria on its trials and on fresh ones.
    pub objective: Option<Objective>,
    /// Whether the plan is the proven optimum.
    #[serde(default)]
    pub exact: bool,
    /// The gap to the lower bound, when not exact.
    pub gap: Option<f64>,
    /// The lower bound, when not exact.
    pub bound: Option<f64>,
    /// The criterion the bound is on: `excess_risk` (`excess_risk_tightened` with a margin),
    /// `cost_yuan` or `weighted`.
    pub bound_of: Option<String>,
    /// What each stage gains and loses.
    #[serde(default)]
    pub stages: Vec<StagePlan>,
    /// The cells the target is not assured in.
    #[serde(default)]
    pub unmet: Vec<Unmet>,
}

/// The risk targets of the target form.
#[derive(Debug, Deserialize)]
pub(crate) struct Targets {
    /// The target on P(shortfall).
    pub target_p_shortfall: Option<f64>,
    /// The target on P(large classes).
    pub target_p_large_classes: Option<f64>,
    /// The first targeted year.
    pub target_from: Option<i32>,
}

/// The capital cost of the plan and of the pipeline it builds on, yuan.
#[derive(Debug, Deserialize)]
pub(crate) struct Cost {
    /// The plan's projects.
    pub plan_yuan: f64,
    /// The pipeline's projects.
    pub pipeline_yuan: f64,
}

/// The plan's criteria, on the trials it was chosen on and on fresh ones.
#[derive(Debug, Deserialize)]
pub(crate) struct Objective {
    /// On the trials the plan was chosen on.
    pub in_sample: Criteria,
}

/// The criteria a plan is judged by; each `None` where the form does not use it.
#[derive(Debug, Deserialize)]
pub(crate) struct Criteria {
    /// `Σ max(0, p − target)` over the targeted cells.
    pub excess_risk: Option<f64>,
    /// The same over the targets tightened by the margin (with a margin only).
    pub excess_risk_tightened: Option<f64>,
    /// The plan's cost, yuan.
    pub cost_yuan: Option<f64>,
    /// The weighted objective.
    pub weighted: Option<f64>,
}

/// One stage: what the plan adds and what it changes.
#[derive(Debug, Deserialize)]
pub(crate) struct StagePlan {
    /// Stage id.
    pub stage: String,
    /// Classes added.
    pub classes_added: f64,
    /// Seats added.
    pub seats_added: f64,
    /// Cost, yuan.
    pub cost_yuan: f64,
    /// Expected seat-years short with the pipeline alone.
    pub expected_shortfall_seat_years_before: f64,
    /// Expected seat-years short with the plan.
    pub expected_shortfall_seat_years_after: f64,
    /// Targeted cells over the target with the pipeline alone.
    pub cells_over_target_before: Option<u64>,
    /// Targeted cells over the target with the plan.
    pub cells_over_target_after: Option<u64>,
    /// Whether the plan leaves the stage worse off than the pipeline.
    #[serde(default)]
    pub worse_than_pipeline: bool,
}

/// A cell where the target is not assured.
#[derive(Debug, Deserialize)]
pub(crate) struct Unmet {
    /// District id or `ALL`.
    pub district: String,
    /// District name.
    pub district_name: Option<String>,
    /// Stage id.
    pub stage: String,
    /// Year.
    pub year: i32,
    /// The target it misses: `p_large_classes`, or (absent) `p_shortfall`.
    pub target: Option<String>,
    /// The target's probability on the plan's trials.
    pub p_in_sample: Option<f64>,
    /// The target's probability on the fresh trials.
    pub p_fresh: Option<f64>,
    /// Why: `too_early`, `budget`, `window`, `no_candidates` or `out_of_sample`.
    pub reason: String,
}

/// One row of `plan.csv`: copies of one project in one district, stage and year.
#[derive(Debug, Deserialize)]
pub(crate) struct Project {
    /// District id.
    pub district: String,
    /// District name.
    pub district_name: Option<String>,
    /// Stage id.
    pub stage: String,
    /// `new` or `expansion`.
    pub kind: String,
    /// Copies.
    pub count: Option<u64>,
    /// Classes, all copies.
    pub classes: f64,
    /// Seats, all copies.
    pub seats: f64,
    /// The year it opens.
    pub planned_year: i32,
    /// Cost, yuan, all copies.
    pub cost_yuan: f64,
}

/// One row of `plan_summary.csv`, the columns the page shows.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Cell {
    /// District id or `ALL`.
    pub district: String,
    /// District name.
    pub district_name: Option<String>,
    /// Stage id.
    pub stage: String,
    /// Year.
    pub year: i32,
    /// P(shortfall), pipeline alone.
    pub p_shortfall_before: f64,
    /// P(shortfall), with the plan.
    pub p_shortfall_after: f64,
    /// Expected shortfall, pipeline alone.
    pub expected_shortfall_before: f64,
    /// Expected shortfall, with the plan.
    pub expected_shortfall_after: f64,
}

/// A plan folder, read.
#[derive(Debug)]
pub(crate) struct Plan {
    /// The folder.
    pub dir: PathBuf,
    /// `plan.json`.
    pub info: PlanInfo,
    /// `plan.csv`'s rows.
    pub projects: Vec<Project>,
    /// `plan_summary.csv`'s rows by (district, stage), in year order.
    pub cells: BTreeMap<(String, String), Vec<Cell>>,
}

impl Plan {
    /// Reads the plan folder `dir`.
    pub fn load(dir: &Path) -> Result<Plan, PlotError> {
        let json = dir.join("plan.json");
        let text = std::fs::read_to_string(&json).map_err(|source| PlotError::Read {
            path: json.clone(),
            source,
        })?;
        let info: PlanInfo = serde_json::from_str(&text)
            .map_err(|e| invalid(&json, Some(e.line() as u64), e.to_string()))?;
        let mut projects = Vec::new();
        let columns = [
            "district",
            "stage",
            "kind",
            "classes",
            "seats",
            "planned_year",
            "cost_yuan",
        ];
        read_csv_or_empty(&dir.join("plan.csv"), &columns, |p: Project| {
            projects.push(p);
            Ok(())
        })?;
        let mut cells: BTreeMap<(String, String), Vec<Cell>> = BTreeMap::new();
        let columns = [
            "district",
            "stage",
            "year",
            "p_shortfall_before",
            "p_shortfall_after",
            "expected_shortfall_before",
            "expected_shortfall_after",
        ];
        read_csv(&dir.join("plan_summary.csv"), &columns, |c: Cell| {
            let probabilities = [c.p_shortfall_before, c.p_shortfall_after];
            if let Some(p) = probabilities.iter().find(|p| !(0.0..=1.0).contains(*p)) {
                return Err(format!("p_shortfall = {p}: must be between 0 and 1"));
            }
            cells
                .entry((c.district.clone(), c.stage.clone()))
                .or_default()
                .push(c);
            Ok(())
        })?;
        for years in cells.values_mut() {
            years.sort_by_key(|c| c.year);
        }
        Ok(Plan {
            dir: dir.to_path_buf(),
            info,
            projects,
            cells,
        })
    }
}
