//! Budgets as linear constraints: one per total (yuan, classes) and one per planned year of
//! each per-year budget, so that the solvers and the report treat every kind alike.

use serde::Serialize;

use crate::scenario::{Budgets, Candidate, Year};

/// Slack allowed on a limit for rounding of sums of costs.
const SLACK: f64 = 1e-12;

/// What a budget counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetKind {
    /// Total capital cost, yuan.
    Yuan,
    /// Total classes.
    Classes,
    /// Capital cost planned for one year, yuan.
    YuanPerYear,
    /// Classes planned for one year.
    ClassesPerYear,
}

/// One budget constraint: `Σ usage ≤ limit`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Constraint {
    /// What it counts.
    pub kind: BudgetKind,
    /// The planned year it counts (per-year budgets only).
    pub year: Option<Year>,
    /// The limit.
    pub limit: f64,
}

impl Constraint {
    /// What one copy of `c` planned for `year` uses of it.
    pub fn usage(&self, c: &Candidate, year: Year) -> f64 {
        let in_year = self.year.is_none_or(|y| y == year);
        match self.kind {
            BudgetKind::Yuan | BudgetKind::YuanPerYear if in_year => c.cost,
            BudgetKind::Classes | BudgetKind::ClassesPerYear if in_year => f64::from(c.classes),
            _ => 0.0,
        }
    }

    /// Whether `used` stays within the limit.
    pub fn holds(&self, used: f64) -> bool {
        used <= self.limit * (1.0 + SLACK) + SLACK
    }
}

/// The constraints of `b` for a plan that may build in `years`.
pub fn constraints(b: &Budgets, years: &[Year]) -> Vec<Constraint> {
    let mut out = Vec::new();
    let total = |kind, limit: Option<f64>| {
        limit.map(|limit| Constraint {
            kind,
            year: None,
            limit,
        })
    };
    out.extend(total(BudgetKind::Yuan, b.yuan));
    out.extend(total(BudgetKind::Classes, b.classes));
    for (kind, limit) in [
        (BudgetKind::YuanPerYear, b.yuan_per_year),
        (BudgetKind::ClassesPerYear, b.classes_per_year),
    ] {
        if let Some(limit) = limit {
            out.extend(years.iter().map(|&y| Constraint {
                kind,
                year: Some(y),
                limit,
            }));
        }
    }
    out
}

/// The usage of one copy of `c` planned for `year`, constraint by constraint.
pub fn usage(constraints: &[Constraint], c: &Candidate, year: Year) -> Vec<f64> {
    constraints.iter().map(|k| k.usage(c, year)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_per_year_budget_counts_only_its_own_year() {
        let b = Budgets {
            classes: Some(10.0),
            yuan_per_year: Some(5.0),
            ..Budgets::default()
        };
        let k = constraints(&b, &[Year(2021), Year(2022)]);
        assert_eq!(k.len(), 3);
        let c = Candidate {
            id: "c".into(),
            name: "c".into(),
            district: crate::scenario::DistrictIx(0),
            stage: crate::scenario::StageIx(0),
            kind: crate::scenario::ProjectKind::New,
            classes: 4,
            window: (Year(2021), Year(2022)),
            cost: 3.0,
            delay: crate::scenario::DelayProfile::new(1.0, 0.0, 0.0, 0.0).unwrap(),
            repeatable: false,
        };
        assert_eq!(usage(&k, &c, Year(2022)), [4.0, 0.0, 3.0]);
        assert!(k[2].holds(5.0) && !k[2].holds(5.01));
    }
}
