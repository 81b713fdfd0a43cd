//! Choosing the portfolio (DESIGN §8). A row's cells depend only on that row's projects, so
//! each row's portfolios are enumerated and scored apart ([`options`]); without budgets the
//! best of each row is the optimum. Budgets couple the rows: a branch and bound over the rows'
//! undominated portfolios ([`branch`]) proves the optimum, and a Lagrangian relaxation of the
//! budgets ([`lagrange`]) bounds it when the search is cut short. Rows too large to enumerate
//! (standard schools that may be built any number of times) are filled by [`greedy`] and
//! bounded by what no project can change.
//!
//! With a target on large classes, a row's score is not monotone in what it builds (a new
//! school's own classes can be large), and nothing here assumes it is: each enumerated
//! portfolio is scored exactly, the branch and bound cuts only on budgets and on sums of each
//! row's best score, the dominance filter compares scores and budget use, the Lagrangian bound
//! takes each row's best priced portfolio, and the greedy bound counts only cells before any
//! candidate of their row can open. So `exact` still means the optimum on the trials.

mod branch;
mod greedy;
mod lagrange;
mod options;

pub use options::Reach;

use std::sync::atomic::AtomicBool;

use super::budget::{constraints, Constraint};
use super::classes::ClassModel;
use super::futures::Futures;
use super::score::{delays, CopyDraws, Form, Opened, Score, Scorer};
use crate::scenario::{Budgets, Candidate, ProjectKind, Scenario, Year};

/// Most search nodes of the branch and bound before it stops with a bound.
const MAX_NODES: u64 = 20_000_000;

/// What the plan is asked to do.
pub struct Problem<'a> {
    /// The scenario planned for (class sizes, base year, standards).
    pub scenario: &'a Scenario,
    /// The trials it is scored on.
    pub futures: &'a Futures,
    /// What may be built.
    pub candidates: &'a [Candidate],
    /// The objective.
    pub form: &'a Form,
    /// The limits.
    pub budgets: Budgets,
    /// Sizes the classes of a portfolio, with a target on large classes or surge classes.
    pub classes: Option<&'a ClassModel<'a>>,
}

impl Problem<'_> {
    /// The scorer of the trials searched.
    pub fn scorer(&self) -> Scorer<'_> {
        Scorer {
            futures: self.futures,
            form: self.form,
            tolerance: self.scenario.standards.shortfall_tolerance,
            large_target: self.scenario.standards.large_class_target,
            classes: self.classes,
        }
    }

    /// Copy `draws` of candidate `c` planned for `year`, as the class model takes it.
    pub fn opened<'d>(&self, c: usize, year: Year, draws: &'d CopyDraws) -> Opened<'d> {
        let cand = &self.candidates[c];
        Opened {
            district: cand.district,
            kind: cand.kind,
            classes: cand.classes,
            year,
            draws,
        }
    }

    /// The decision row of candidate `c`.
    pub fn row_of(&self, c: usize) -> usize {
        let cand = &self.candidates[c];
        self.futures
            .row_of(self.scenario, cand.district, cand.stage)
    }

    /// Index of `year` among the projection's years.
    pub fn year_ix(&self, year: Year) -> usize {
        (year.0 - self.scenario.base_year.0) as usize
    }

    /// Seats one copy of candidate `c` adds.
    pub fn seats(&self, c: usize) -> f64 {
        let cand = &self.candidates[c];
        f64::from(cand.classes) * f64::from(self.scenario.stages[cand.stage.0].class_size)
    }

    /// The budget constraints, one per planned year that any candidate may take.
    pub fn constraints(&self) -> Vec<Constraint> {
        let mut years: Vec<Year> = self
            .candidates
            .iter()
            .flat_map(|c| (c.window.0 .0..=c.window.1 .0).map(Year))
            .collect();
        years.sort_unstable();
        years.dedup();
        constraints(&self.budgets, &years)
    }
}

/// One project the plan builds: a copy of a candidate, planned for a year.
#[derive(Debug, Clone)]
pub struct Built {
    /// Index of its candidate.
    pub candidate: usize,
    /// Its project id (keys its delay draw).
    pub id: String,
    /// Planned opening year.
    pub year: Year,
}

/// The portfolio chosen, its score on the trials searched, and how sure it is.
#[derive(Debug, Clone)]
pub struct Solution {
    /// What is built.
    pub built: Vec<Built>,
    /// Its score, every row summed.
    pub score: Score,
    /// Whether it is proved optimal.
    pub exact: bool,
    /// A lower bound on the optimum of the criterion that decides (see [`Solution::bound_of`]).
    pub bound: f64,
    /// Which criterion the bound is of: `excess_risk`, `cost_yuan` or `weighted`.
    pub bound_of: &'static str,
    /// Per row, the least risks any of its portfolios reaches, budgets aside; `None` when
    /// the rows were filled greedily.
    pub reach: Option<Vec<Reach>>,
}

impl Solution {
    /// The decisive criterion of the plan's own score.
    pub fn key(&self) -> f64 {
        match self.bound_of {
            "cost_yuan" => self.score.cost,
            _ => self.score.first,
        }
    }

    /// `(plan − bound) / plan`: the most the plan may be above the optimum, relative.
    pub fn gap(&self) -> f64 {
        let key = self.key();
        if self.exact || key <= self.bound {
            0.0
        } else {
            (key - self.bound) / key.abs().max(f64::MIN_POSITIVE)
        }
    }
}

/// Finds the portfolio: exactly when every row can be enumerated (and the branch and bound
/// ends within its node limit), else greedily with a bound.
pub fn solve(p: &Problem<'_>, cancel: &AtomicBool) -> Solution {
    let k = p.constraints();
    let rows = options::all_rows(p, &k);
    match rows {
        Some(rows) => exact(p, &k, &rows, cancel),
        None => greedy::solve(p, &k, cancel),
    }
}

/// Branch and bound over enumerated rows.
fn exact(
    p: &Problem<'_>,
    k: &[Constraint],
    rows: &[options::Row],
    cancel: &AtomicBool,
) -> Solution {
    let limits: Vec<f64> = k.iter().map(|c| c.limit).collect();
    let found = branch::search(rows, k, MAX_NODES, cancel);
    let built = found
        .choice
        .iter()
        .zip(rows)
        .flat_map(|(&o, row)| row.options[o].picks.iter())
        .map(|&(candidate, year)| Built {
            candidate,
            id: p.candidates[candidate].id.clone(),
            year,
        })
        .collect();
    let mut solution = Solution {
        built,
        score: found.score,
        exact: found.proved,
        bound: 0.0,
        bound_of: bound_of(p.form, &found.score),
        reach: Some(rows.iter().map(|r| r.reach.clone()).collect()),
    };
    solution.bound = if found.proved {
        solution.key()
    } else {
        let cost_only = solution.bound_of == "cost_yuan";
        lagrange::bound(
            rows,
            &limits,
            solution.key(),
            |o: &options::RowOption| match cost_only {
                true => (o.score.first <= 0.0).then_some(o.score.cost),
                false => Some(o.score.first),
            },
        )
    };
    solution
}

/// The criterion that decides between plans of score `s`: the weighted objective, the excess
/// risk while it is above zero, and cost once every target is met.
fn bound_of(form: &Form, s: &Score) -> &'static str {
    match form {
        Form::Weights(_) => "weighted",
        Form::Target { .. } if s.first > 0.0 => "excess_risk",
        Form::Target { .. } => "cost_yuan",
    }
}

/// A copy's draws in `p`'s trials, by its id: its delays, and its school's popularity when
/// classes are sized.
pub fn drawn(p: &Problem<'_>, c: usize, id: &str) -> CopyDraws {
    let cand = &p.candidates[c];
    CopyDraws {
        delays: delays(p.futures, id, &cand.delay),
        weights: match p.classes {
            Some(model) if cand.kind == ProjectKind::New => {
                model.new_school_weights(cand.stage, id)
            }
            _ => Vec::new(),
        },
    }
}
