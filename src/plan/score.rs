//! How a portfolio is scored (DESIGN §8): the risk-target form's lexicographic
//! (excess risk, cost, spare seat-years) or the weighted form's single number, row by row.
//!
//! A decision row's cells depend only on the projects of that row, so a portfolio's score is
//! the sum of its rows' scores, and rows can be solved apart until budgets couple them.

use std::cmp::Ordering;

use super::classes::{p_over, ClassModel};
use super::futures::Futures;
use crate::engine::{delay_common_key, delay_key, project_delay, DelayCopula, TrialKey};
use crate::scenario::{DelayProfile, DistrictIx, ProjectKind, Weights, Year};

/// Differences this small (relative) are ties: sums taken in another order may differ by
/// rounding.
const TIE: f64 = 1e-9;

/// A score, compared lexicographically: first the form's main number (total excess risk, or
/// the weighted objective), then capital cost, then spare seat-years.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Score {
    /// Excess risk `Σ max(0, p − α) + Σ max(0, p_large − β)` (target form) or the weighted
    /// objective.
    pub first: f64,
    /// Capital cost, yuan.
    pub cost: f64,
    /// Expected spare seat-years.
    pub spare: f64,
}

impl Score {
    /// `self + other`, part by part.
    pub fn plus(self, o: Score) -> Score {
        Score {
            first: self.first + o.first,
            cost: self.cost + o.cost,
            spare: self.spare + o.spare,
        }
    }

    /// Lexicographic order, treating relative differences below [`TIE`] as equal.
    pub fn order(&self, o: &Score) -> Ordering {
        let part = |a: f64, b: f64| {
            if (a - b).abs() <= TIE * a.abs().max(b.abs()).max(1.0) {
                Ordering::Equal
            } else {
                a.total_cmp(&b)
            }
        };
        part(self.first, o.first)
            .then(part(self.cost, o.cost))
            .then(part(self.spare, o.spare))
    }

    /// Exact lexicographic order: a total order, for sorting.
    pub fn exact_order(&self, o: &Score) -> Ordering {
        self.first
            .total_cmp(&o.first)
            .then(self.cost.total_cmp(&o.cost))
            .then(self.spare.total_cmp(&o.spare))
    }

    /// Whether `self` is strictly better (lower) than `o`.
    pub fn below(&self, o: &Score) -> bool {
        self.order(o) == Ordering::Less
    }
}

/// The objective a plan minimises.
#[derive(Debug, Clone)]
pub enum Form {
    /// Least excess risk over the targeted cells, then cost, then spare.
    Target {
        /// The P(shortfall) target as tightened by the margin, on the plan's trials.
        alpha: Option<f64>,
        /// The P(large classes) target as tightened by the margin, on the plan's trials.
        beta: Option<f64>,
        /// `targeted[row][year]`: whether the cell carries the targets.
        targeted: Vec<Vec<bool>>,
    },
    /// `w_short·shortfall + w_spare·surplus + w_cost·cost`.
    Weights(Weights),
}

/// One row's cells on the trials: per year, trials short beyond tolerance and the mean
/// shortfall; and its spare and shortfall seat-years.
#[derive(Debug, Clone, Default)]
pub struct RowCells {
    /// Per year, the share of trials short beyond `shortfall_tolerance × demand`.
    pub p_short: Vec<f64>,
    /// Per year, the mean shortfall in seats.
    pub short: Vec<f64>,
    /// Per year, the mean spare seats.
    pub spare: Vec<f64>,
    /// Per year, the share of trials whose large-class share exceeds `large_class_target`;
    /// empty when it cannot be known (seats added without a class model) or is not needed.
    pub p_large: Vec<f64>,
}

impl RowCells {
    /// Mean shortfall seat-years over the projection.
    pub fn shortfall(&self) -> f64 {
        self.short.iter().sum()
    }

    /// Mean spare seat-years over the projection.
    pub fn spare(&self) -> f64 {
        self.spare.iter().sum()
    }
}

/// A copy's draws in every trial of the futures: its delay, and the popularity of the
/// school it opens (a new school, when large classes are scored; empty otherwise).
#[derive(Debug, Clone, Default)]
pub struct CopyDraws {
    /// Years late per trial (`None` = never opens).
    pub delays: Vec<Option<i32>>,
    /// Popularity of its school per trial.
    pub weights: Vec<f64>,
}

/// A copy built on top of the kept pipeline, as the class model needs it.
#[derive(Debug, Clone, Copy)]
pub struct Opened<'a> {
    /// Where.
    pub district: DistrictIx,
    /// New school or expansion.
    pub kind: ProjectKind,
    /// Classes it adds.
    pub classes: u32,
    /// Planned year.
    pub year: Year,
    /// Its draws.
    pub draws: &'a CopyDraws,
}

/// Scores rows of one set of futures.
#[derive(Clone, Copy)]
pub struct Scorer<'a> {
    /// The trials.
    pub futures: &'a Futures,
    /// The form.
    pub form: &'a Form,
    /// `shortfall_tolerance` of the scenario's standards.
    pub tolerance: f64,
    /// `large_class_target` of the scenario's standards.
    pub large_target: f64,
    /// Sizes the classes of a portfolio; `None` when capacity alone decides (see
    /// [`crate::plan::Planner::class_model`]).
    pub classes: Option<&'a ClassModel<'a>>,
}

impl Scorer<'_> {
    /// The cells of `row` with `extra` seats (`[trial × year]`, `None` = none) on top of the
    /// futures' capacity: the seats of the copies `added` (in the order the written scenario
    /// lists them). With a class model, their classes are sized and give the capacity (surge
    /// classes close as seats open) and the large classes.
    pub fn cells(&self, row: usize, extra: Option<&[f64]>, added: &[Opened<'_>]) -> RowCells {
        let f = self.futures;
        let (n_y, width) = (f.n_years, f.width());
        let sized = match (added.is_empty(), self.classes) {
            (false, Some(model)) => Some(model.classes(row, added)),
            _ => None,
        };
        let mut cells = RowCells {
            p_short: vec![0.0; n_y],
            short: vec![0.0; n_y],
            spare: vec![0.0; n_y],
            p_large: match (added.is_empty(), &sized) {
                (true, _) => f.p_large_row(row, self.large_target),
                (false, Some(sized)) => p_over(&sized.shares, f, self.large_target),
                (false, None) => Vec::new(),
            },
        };
        for t in 0..f.n_trials() {
            let at = t * width + row * n_y;
            for y in 0..n_y {
                let d = f.demand[at + y];
                let c = match &sized {
                    Some(sized) => sized.capacity[t * n_y + y],
                    None => f.capacity[at + y] + extra.map_or(0.0, |e| e[t * n_y + y]),
                };
                let short = (d - c).max(0.0);
                cells.short[y] += short;
                cells.spare[y] += (c - d).max(0.0);
                cells.p_short[y] += f64::from(u8::from(short > self.tolerance * d));
            }
        }
        let n = f.n_trials().max(1) as f64;
        for y in 0..n_y {
            cells.p_short[y] /= n;
            cells.short[y] /= n;
            cells.spare[y] /= n;
        }
        cells
    }

    /// The score of `row` with `extra` seats of the copies `added` and `cost` yuan built in
    /// it.
    pub fn row(&self, row: usize, extra: Option<&[f64]>, added: &[Opened<'_>], cost: f64) -> Score {
        self.of_cells(row, &self.cells(row, extra, added), cost)
    }

    /// The score of `row` whose cells are `cells`, with `cost` yuan built in it.
    pub fn of_cells(&self, row: usize, cells: &RowCells, cost: f64) -> Score {
        let first = match self.form {
            Form::Target {
                alpha,
                beta,
                targeted,
            } => {
                let short = excess(&targeted[row], &cells.p_short, *alpha);
                match beta {
                    None => short,
                    Some(_) => short + excess(&targeted[row], &cells.p_large, *beta),
                }
            }
            Form::Weights(w) => {
                w.short * cells.shortfall() + w.spare * cells.spare() + w.cost * cost
            }
        };
        Score {
            first,
            cost,
            spare: cells.spare(),
        }
    }
}

/// `Σ max(0, p − target)` over the `targeted` years of one row (0 without a target).
pub fn excess(targeted: &[bool], p: &[f64], target: Option<f64>) -> f64 {
    let Some(target) = target else { return 0.0 };
    assert!(
        p.len() == targeted.len(),
        "a row scored against a large-class target has its classes sized"
    );
    targeted
        .iter()
        .zip(p)
        .filter(|(on, _)| **on)
        .map(|(_, p)| (p - target).max(0.0))
        .sum()
}

/// Delays of project `id` in every trial of `f`, drawn as `run` draws them (`None` = never
/// opens).
pub fn delays(f: &Futures, id: &str, profile: &DelayProfile) -> Vec<Option<i32>> {
    let (key, common) = (delay_key(id), delay_common_key());
    f.trials
        .clone()
        .map(|t| {
            let t = TrialKey::new(f.seed, t);
            let copula = DelayCopula::of(t, common, f.delay_correlation);
            project_delay(t, key, profile, &copula)
        })
        .collect()
}

/// Adds `seats` to a row's `extra` (`[trial × year]`, `n_years` a trial) from each trial's
/// opening year on: planned year index `year_ix` plus the trial's delay.
pub fn add_seats(
    extra: &mut [f64],
    n_years: usize,
    year_ix: usize,
    delays: &[Option<i32>],
    seats: f64,
) {
    for (t, delay) in delays.iter().enumerate() {
        let Some(d) = delay else { continue };
        let from = (year_ix + *d as usize).min(n_years);
        for c in &mut extra[t * n_years + from..(t + 1) * n_years] {
            *c += seats;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_compare_lexicographically_with_rounding_ties() {
        let s = |first, cost, spare| Score { first, cost, spare };
        assert!(s(0.0, 9e9, 9.0).below(&s(0.01, 0.0, 0.0)));
        assert!(s(0.1, 5.0, 9.0).below(&s(0.1, 6.0, 0.0)));
        assert!(s(0.1 + 0.2, 5.0, 1.0).below(&s(0.3, 5.0, 2.0)));
        assert_eq!(
            s(0.1 + 0.2, 5.0, 1.0).order(&s(0.3, 5.0, 1.0)),
            Ordering::Equal
        );
    }

    #[test]
    fn the_excess_risk_adds_both_targets_over_targeted_cells_only() {
        let cells = RowCells {
            p_short: vec![0.3, 0.05, 0.2],
            short: vec![0.0; 3],
            spare: vec![1.0, 2.0, 3.0],
            p_large: vec![0.9, 0.5, 0.1],
        };
        let score = |alpha, beta| {
            let form = Form::Target {
                alpha,
                beta,
                targeted: vec![vec![false, true, true]],
            };
            let f = Futures {
                seed: 0,
                delay_correlation: 0.0,
                trials: 0..0,
                rows: Vec::new(),
                n_years: 3,
                demand: Vec::new(),
                capacity: Vec::new(),
                large: Vec::new(),
                city_stages: Vec::new(),
                city: Vec::new(),
            };
            let scorer = Scorer {
                futures: &f,
                form: &form,
                tolerance: 0.0,
                large_target: 0.0,
                classes: None,
            };
            scorer.of_cells(0, &cells, 7.0)
        };
        // Year 0 is not targeted; α = 0.1 takes 0.1 from year 2, β = 0.2 takes 0.3 from year 1.
        let both = score(Some(0.1), Some(0.2));
        assert!((both.first - 0.4).abs() < 1e-12, "{both:?}");
        assert!((score(None, Some(0.2)).first - 0.3).abs() < 1e-12);
        assert!((score(Some(0.1), None).first - 0.1).abs() < 1e-12);
        assert_eq!((both.cost, both.spare), (7.0, 6.0));
    }

    #[test]
    fn seats_arrive_in_the_opening_year_and_never_when_never() {
        let mut extra = vec![0.0; 8];
        add_seats(&mut extra, 4, 1, &[Some(1), None], 10.0);
        assert_eq!(extra, [0.0, 0.0, 10.0, 10.0, 0.0, 0.0, 0.0, 0.0]);
    }
}
