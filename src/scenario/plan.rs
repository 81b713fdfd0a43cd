//! `[plan]`: the risk targets or the weights of `seatsim plan`'s objective, its budgets and
//! its window (DESIGN §8).

use super::load::Origins;
use super::raw::PlanRaw;
use super::{ScenarioError, Stage, StageIx, Year};

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

/// The risk targets of DESIGN §8 form 1: every targeted cell's `p_shortfall ≤ α` and
/// `p_large_classes ≤ β` (at least one of them is set).
#[derive(Debug, Clone, PartialEq)]
pub struct Targets {
    /// `α`, the largest tolerated probability of a shortfall, in [0, 1].
    pub p_shortfall: Option<f64>,
    /// `β`, the largest tolerated probability of a large-class share over
    /// `large_class_target`, in [0, 1].
    pub p_large_classes: Option<f64>,
    /// First targeted year.
    pub from: Year,
    /// Targeted stages; `None` = every stage that has candidates.
    pub stages: Option<Vec<StageIx>>,
    /// How much the targets are tightened on the plan's own trials, in [0, min(α, β)].
    pub margin: f64,
}

impl Targets {
    /// The targets as tightened by the margin, on the plan's own trials: `(α, β)`.
    pub fn tightened(&self) -> (Option<f64>, Option<f64>) {
        let tight = |x: Option<f64>| x.map(|x| x - self.margin);
        (tight(self.p_shortfall), tight(self.p_large_classes))
    }
}

/// Everything `[plan]` sets.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanSettings {
    /// The risk targets; `None` = the weighted form.
    pub targets: Option<Targets>,
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
pub const MAX_PLAN_VALUE: f64 = 1e15;
const MAX: f64 = MAX_PLAN_VALUE;

/// Checks `[plan]`: weights ≥ 0 with `w_short + w_spare > 0`; budgets ≥ 0; the years of
/// generated candidates inside the projection `(base, horizon)`.
pub(super) fn settings(
    origins: &Origins,
    raw: Option<PlanRaw>,
    (base, horizon): (Year, Year),
    stages: &[Stage],
) -> Result<PlanSettings, ScenarioError> {
    let mut raw = raw.unwrap_or_default();
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
    let targets = targets(origins, &mut raw, first, horizon, stages)?;
    Ok(PlanSettings {
        targets,
        weights,
        budgets,
        years: (first, last),
        pipeline,
    })
}

/// Checks the target keys: `target_p_shortfall`, `target_p_large_classes` and
/// `target_margin` in [0, 1] with the margin at most each target, `target_from` in
/// `first..=horizon`, `target_stages` known stage ids. The other target keys without a target
/// are an error: they would do nothing.
fn targets(
    origins: &Origins,
    raw: &mut PlanRaw,
    first: Year,
    horizon: Year,
    stages: &[Stage],
) -> Result<Option<Targets>, ScenarioError> {
    let share = |name: &str, value: Option<f64>, hi: f64| match value {
        Some(x) if !(x.is_finite() && (0.0..=hi).contains(&x)) => {
            let key = format!("plan.{name}");
            Err(origins.error(
                &key,
                format!("{key} = {x}: must be a probability from 0 to {hi}"),
            ))
        }
        v => Ok(v),
    };
    let alpha = share("target_p_shortfall", raw.target_p_shortfall, 1.0)?;
    let beta = share("target_p_large_classes", raw.target_p_large_classes, 1.0)?;
    if alpha.is_none() && beta.is_none() {
        let stray = [
            ("target_from", raw.target_from.is_some()),
            ("target_stages", raw.target_stages.is_some()),
            ("target_margin", raw.target_margin.is_some()),
        ];
        return match stray.iter().find(|(_, set)| *set) {
            Some((name, _)) => {
                let key = format!("plan.{name}");
                Err(origins.error(&key, format!("{key} is set but neither plan.target_p_shortfall nor plan.target_p_large_classes is: give the target it qualifies")))
            }
            None => Ok(None),
        };
    }
    let lowest = alpha.into_iter().chain(beta).fold(1.0, f64::min);
    let margin = share("target_margin", raw.target_margin, lowest)?.unwrap_or(0.0);
    let from = raw
        .target_from
        .unwrap_or((i64::from(first.0) + 1).min(i64::from(horizon.0)));
    if !(i64::from(first.0)..=i64::from(horizon.0)).contains(&from) {
        return Err(origins.error(
            "plan.target_from",
            format!("plan.target_from = {from}: must be a year from plan.first_year ({first}) to the horizon {horizon}"),
        ));
    }
    if let Some(names) = &raw.target_stages {
        let twice = (1..names.len()).find(|&i| names[..i].contains(&names[i]));
        let problem = match (names.is_empty(), twice) {
            (true, _) => Some("plan.target_stages = []: name at least one stage, or leave the key out to target every stage with a candidate".to_string()),
            (false, Some(i)) => Some(format!("plan.target_stages: \"{}\" is named twice", names[i])),
            (false, None) => None,
        };
        if let Some(message) = problem {
            return Err(origins.error("plan.target_stages", message));
        }
    }
    let stages = match raw.target_stages.take() {
        None => None,
        Some(names) => Some(
            names
                .iter()
                .map(|name| {
                    stages.iter().position(|s| &s.id == name).map(StageIx).ok_or_else(|| {
                        let known: Vec<&str> = stages.iter().map(|s| s.id.as_str()).collect();
                        origins.error(
                            "plan.target_stages",
                            format!("plan.target_stages: unknown stage \"{name}\"; the stages are {}", known.join(", ")),
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
    };
    Ok(Some(Targets {
        p_shortfall: alpha,
        p_large_classes: beta,
        from: Year(from as i32),
        stages,
        margin,
    }))
}
