//! `[plan]`: the weights of `seatsim plan`'s objective and its budgets (DESIGN §8).

use super::load::Origins;
use super::raw::PlanRaw;
use super::{ScenarioError, Year};

/// Weights of the objective `E[Σ (w_short·shortfall + w_spare·surplus)] + w_cost·cost`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    /// Per seat-year short (≥ 0).
    pub short: f64,
    /// Per seat-year spare (≥ 0).
    pub spare: f64,
    /// Per yuan of capital cost (≥ 0).
    pub cost: f64,
}

/// Limits on what a plan may build; `None` = no limit.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Budgets {
    /// Total capital cost, yuan.
    pub yuan: Option<f64>,
    /// Total classes.
    pub classes: Option<f64>,
    /// Capital cost of the projects planned for any one year, yuan.
    pub yuan_per_year: Option<f64>,
    /// Classes planned for any one year.
    pub classes_per_year: Option<f64>,
}

/// What becomes of the scenario's own pipeline in a plan (`[plan] pipeline`,
/// `--keep-pipeline`). Closures always stay: they are not construction to choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KeepPipeline {
    /// Keep it as planned and add to it.
    Keep,
    /// Leave its new schools and expansions out: plan from the existing schools.
    Drop,
    /// Let the plan choose whether and when to build each of its new schools and expansions.
    Retime,
}

/// Everything `[plan]` sets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlanSettings {
    /// The objective's weights.
    pub weights: Weights,
    /// The budgets.
    pub budgets: Budgets,
    /// First and last year generated candidates may be planned for.
    pub years: (Year, Year),
    /// What becomes of the pipeline.
    pub pipeline: KeepPipeline,
}

/// Largest accepted budget or weight: a slipped digit, not a plan.
const MAX: f64 = 1e15;

/// Checks `[plan]`: weights ≥ 0 with `w_short + w_spare > 0`; budgets ≥ 0; the years of
/// generated candidates inside the projection `(base, horizon)`.
pub(super) fn settings(
    origins: &Origins,
    raw: Option<PlanRaw>,
    (base, horizon): (Year, Year),
) -> Result<PlanSettings, ScenarioError> {
    let raw = raw.unwrap_or_default();
    let check = |name: &str, value: Option<f64>| -> Result<Option<f64>, ScenarioError> {
        let key = format!("plan.{name}");
        match value {
            Some(x) if !(x.is_finite() && (0.0..=MAX).contains(&x)) => Err(origins.error(
                &key,
                format!("{key} = {x}: must be a number from 0 to {MAX:e}"),
            )),
            v => Ok(v),
        }
    };
    let weights = Weights {
        short: check("w_short", raw.w_short)?.unwrap_or(1.0),
        spare: check("w_spare", raw.w_spare)?.unwrap_or(0.1),
        cost: check("w_cost", raw.w_cost)?.unwrap_or(0.0),
    };
    if weights.short + weights.spare == 0.0 {
        return Err(origins.error(
            "plan.w_short",
            "plan.w_short = 0 and plan.w_spare = 0: give seats short or spare a weight > 0, or there is nothing to plan for",
        ));
    }
    let budgets = Budgets {
        yuan: check("budget_yuan", raw.budget_yuan)?,
        classes: check("budget_classes", raw.budget_classes)?,
        yuan_per_year: check("budget_yuan_per_year", raw.budget_yuan_per_year)?,
        classes_per_year: check("budget_classes_per_year", raw.budget_classes_per_year)?,
    };
    let first = raw.first_year.unwrap_or(i64::from(base.0) + 1);
    let last = raw.last_year.unwrap_or(i64::from(horizon.0));
    let year = |name: &str, y: i64, lo: i64| {
        if (lo..=i64::from(horizon.0)).contains(&y) {
            Ok(Year(y as i32))
        } else {
            let key = format!("plan.{name}");
            Err(origins.error(
                &key,
                format!("{key} = {y}: must be a year from {lo} to the horizon {horizon}"),
            ))
        }
    };
    let first = year("first_year", first, i64::from(base.0) + 1)?;
    let last = year("last_year", last, i64::from(first.0))?;
    let pipeline = match raw.pipeline.as_deref() {
        None | Some("keep") => KeepPipeline::Keep,
        Some("drop") => KeepPipeline::Drop,
        Some("retime") => KeepPipeline::Retime,
        Some(other) => {
            return Err(origins.error(
                "plan.pipeline",
                format!("plan.pipeline = \"{other}\": must be \"keep\", \"drop\" or \"retime\""),
            ))
        }
    };
    Ok(PlanSettings {
        weights,
        budgets,
        years: (first, last),
        pipeline,
    })
}
