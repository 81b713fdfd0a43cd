//! `[teachers]` and `[costs.<stage>]` (DESIGN §2.7): pupils per teacher and the capital cost
//! of a seat, checked and attached to their stages.

use std::collections::BTreeMap;

use super::load::Origins;
use super::raw::CostRaw;
use super::{ProjectKind, ScenarioError, Stage};

/// Fewest pupils per teacher accepted: below this a ratio is a typo (teachers per pupil?).
const MIN_RATIO: f64 = 0.1;
/// Most pupils per teacher accepted.
const MAX_RATIO: f64 = 1000.0;
/// Largest accepted cost of one seat, in yuan: far above any school's, so that a slipped
/// digit is caught.
const MAX_SEAT_COST: f64 = 1e8;

/// Capital cost of one seat of a stage, by project kind (yuan, ≥ 0).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeatCost {
    /// A seat in a new school.
    pub new: f64,
    /// A seat added to an existing school.
    pub expansion: f64,
}

impl SeatCost {
    /// Cost of one seat of a project of `kind`; a closure costs nothing.
    pub fn per_seat(&self, kind: ProjectKind) -> f64 {
        match kind {
            ProjectKind::New => self.new,
            ProjectKind::Expansion => self.expansion,
            ProjectKind::Closure => 0.0,
        }
    }
}

/// Attaches the `[teachers]` ratios and `[costs]` to `stages`; each key must name a stage.
pub(super) fn apply(
    origins: &Origins,
    teachers: Option<BTreeMap<String, f64>>,
    costs: Option<BTreeMap<String, CostRaw>>,
    mut stages: Vec<Stage>,
) -> Result<Vec<Stage>, ScenarioError> {
    for (id, ratio) in teachers.unwrap_or_default() {
        let key = format!("teachers.{id}");
        let stage = stage_mut(origins, &mut stages, "teachers", &id)?;
        let valid = format!("pupils per full-time teacher, from {MIN_RATIO} to {MAX_RATIO}");
        stage.teachers = Some(number(origins, &key, ratio, MIN_RATIO, MAX_RATIO, &valid)?);
    }
    for (id, cost) in costs.unwrap_or_default() {
        let stage = stage_mut(origins, &mut stages, "costs", &id)?;
        let per_kind = |kind: &str, value: Option<f64>| {
            let key = format!("costs.{id}.{kind}");
            let value = value.ok_or_else(|| {
                origins.error(
                    &key,
                    format!("missing key `{kind}` in [costs.{id}]: yuan per seat, e.g. 30000"),
                )
            })?;
            let valid = format!("yuan per seat, from 0 to {MAX_SEAT_COST:e}");
            number(origins, &key, value, 0.0, MAX_SEAT_COST, &valid)
        };
        stage.seat_cost = Some(SeatCost {
            new: per_kind("new", cost.new)?,
            expansion: per_kind("expansion", cost.expansion)?,
        });
    }
    Ok(stages)
}

fn stage_mut<'a>(
    origins: &Origins,
    stages: &'a mut [Stage],
    table: &str,
    id: &str,
) -> Result<&'a mut Stage, ScenarioError> {
    let ids: Vec<_> = stages.iter().map(|s| s.id.clone()).collect();
    stages.iter_mut().find(|s| s.id == id).ok_or_else(|| {
        origins.error(
            &format!("{table}.{id}"),
            format!(
                "[{table}] {id}: no stage `{id}` is defined in [stages] ({}){}",
                ids.join(", "),
                super::error::close_match(id, ids.iter().map(String::as_str))
            ),
        )
    })
}

fn number(
    origins: &Origins,
    key: &str,
    value: f64,
    lo: f64,
    hi: f64,
    valid: &str,
) -> Result<f64, ScenarioError> {
    if value.is_finite() && (lo..=hi).contains(&value) {
        Ok(value)
    } else {
        Err(origins.error(key, format!("{key} = {value}: must be {valid}")))
    }
}

impl super::Scenario {
    /// Capital cost of project `p` (classes × class size × cost of a seat of its kind), or
    /// `None` when its stage has no `[costs]`.
    pub fn cost_of(&self, p: &super::Project) -> Option<f64> {
        let stage = &self.stages[p.stage.0];
        let seats = f64::from(p.classes) * f64::from(stage.class_size);
        stage.seat_cost.map(|c| seats * c.per_seat(p.kind))
    }
}
