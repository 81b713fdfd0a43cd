//! What the plan does, cell by cell: the risk before (the scenario's own pipeline) and after
//! (with the plan) on fresh trials, the cells the targets do not reach and why, and what each
//! stage gains and loses.

use serde::Serialize;

use super::budget::{BudgetKind, Constraint};
use super::futures::{CityTotal, Futures};
use super::score::{add_seats, CopyDraws, Form, Opened, RowCells, Scorer};
use super::solve::{drawn, Built, Problem, Solution};
use super::Planner;
use crate::scenario::Scenario;

/// Share of a budget used beyond which it counts as binding when a cell is not met.
const BINDING: f64 = 0.9;
/// Standard errors beyond the target at which a cell met on the plan's trials counts as not
/// met on fresh ones.
const FRESH_SE: f64 = 3.0;

/// Why a targeted cell is over target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Before any candidate of its row can open.
    TooEarly,
    /// The budgets: a portfolio of its row would meet the target (with greedy rows: a budget
    /// is nearly used up).
    Budget,
    /// Building within the window cannot bring it under target (delays, the last year).
    Window,
    /// Its row has no candidate.
    NoCandidates,
    /// Met on the plan's trials, over target + 3 SE on fresh ones.
    OutOfSample,
}

/// A targeted cell over target.
#[derive(Debug, Clone, Serialize)]
pub struct Unmet {
    /// Decision row.
    #[serde(skip)]
    pub row: usize,
    /// Which target: `p_large_classes`, or `p_shortfall` (not written, so that the plan.json
    /// of a plan without a large-class target is as it was).
    #[serde(skip_serializing_if = "on_shortfall")]
    pub target: &'static str,
    /// District id (`ALL` for a city-wide stage).
    pub district: String,
    /// District name.
    pub district_name: String,
    /// Stage id.
    pub stage: String,
    /// Year.
    pub year: i32,
    /// The probability the target is on, on the plan's trials.
    pub p_in_sample: f64,
    /// The same on fresh trials.
    pub p_fresh: f64,
    /// Why.
    pub reason: Reason,
}

/// One budget and what the plan uses of it.
#[derive(Debug, Clone, Serialize)]
pub struct BudgetUse {
    /// What it counts.
    pub kind: BudgetKind,
    /// Its year (per-year budgets).
    pub year: Option<i32>,
    /// Its limit.
    pub limit: f64,
    /// What the plan uses.
    pub used: f64,
}

/// The plan's cells: in-sample with the plan, and on fresh trials before and after it.
pub struct Outcome {
    /// The portfolio.
    pub solution: Solution,
    /// In-sample cells with the plan, per row.
    pub in_sample: Vec<RowCells>,
    /// Fresh cells of the scenario's own pipeline, per row.
    pub before: Vec<RowCells>,
    /// Fresh cells with the plan, per row.
    pub after: Vec<RowCells>,
    /// Fresh P(large classes) before, per row and year.
    pub large_before: Vec<Vec<f64>>,
    /// Fresh P(large classes) after, per row and year.
    pub large_after: Vec<Vec<f64>>,
    /// Per row and year, whether the cell is targeted.
    pub targeted: Vec<Vec<bool>>,
    /// The budgets and their use.
    pub budgets: Vec<BudgetUse>,
    /// Fresh city totals of the district-catchment stages, before and after.
    pub city: (Vec<CityTotal>, Vec<CityTotal>),
    /// Targeted cells over target.
    pub unmet: Vec<Unmet>,
    /// Fresh trials.
    pub fresh_trials: usize,
}

impl Outcome {
    /// The outcome of `solution` to `p`, with `before` and `after` projected on fresh trials.
    pub fn new(
        planner: &Planner,
        p: &Problem<'_>,
        solution: Solution,
        before: &Futures,
        after: &Futures,
    ) -> Self {
        let s = &planner.original;
        let scorer = p.scorer();
        let draws: Vec<CopyDraws> = (solution.built.iter())
            .map(|b| drawn(p, b.candidate, &b.id))
            .collect();
        let extra = extras(p, &solution.built, &draws);
        let in_sample: Vec<RowCells> = extra
            .iter()
            .enumerate()
            .map(|(r, e)| {
                let added: Vec<Opened<'_>> = (solution.built.iter().zip(&draws))
                    .filter(|(b, _)| p.row_of(b.candidate) == r)
                    .map(|(b, d)| p.opened(b.candidate, b.year, d))
                    .collect();
                scorer.cells(r, Some(e), &added)
            })
            .collect();
        let fresh = |f: &Futures| -> Vec<RowCells> {
            let scorer = Scorer {
                futures: f,
                classes: None,
                ..scorer
            };
            (0..f.rows.len())
                .map(|r| scorer.cells(r, None, &[]))
                .collect()
        };
        let target = s.standards.large_class_target;
        let k = p.constraints();
        let budgets = budget_use(p, &k, &solution.built);
        let targeted = match p.form {
            Form::Target { targeted, .. } => targeted.clone(),
            Form::Weights(_) => vec![vec![false; p.futures.n_years]; p.futures.rows.len()],
        };
        let mut out = Self {
            solution,
            in_sample,
            before: fresh(before),
            after: fresh(after),
            large_before: before.p_large(target),
            large_after: after.p_large(target),
            city: (
                before.city_totals(scorer.tolerance, target),
                after.city_totals(scorer.tolerance, target),
            ),
            targeted,
            budgets,
            unmet: Vec::new(),
            fresh_trials: after.n_trials(),
        };
        out.unmet = out.unmet(planner, p);
        out
    }

    /// The targeted cells over a target, with the reason.
    fn unmet(&self, planner: &Planner, p: &Problem<'_>) -> Vec<Unmet> {
        let Some(t) = &planner.original.plan.targets else {
            return Vec::new();
        };
        let n = self.fresh_trials.max(1) as f64;
        // `>=`: a budget of 0 is used up.
        let binding = self.budgets.iter().any(|b| b.used >= BINDING * b.limit);
        let mut first = vec![None; p.futures.rows.len()];
        for (c, cand) in p.candidates.iter().enumerate() {
            let r = p.row_of(c);
            let y = p.year_ix(cand.window.0);
            first[r] = Some(first[r].map_or(y, |f: usize| f.min(y)));
        }
        let s = &planner.original;
        // Each target with its probabilities per row and year: in-sample, fresh.
        let targets = [
            ("p_shortfall", t.p_shortfall, self.p_short()),
            ("p_large_classes", t.p_large_classes, self.p_large()),
        ];
        let mut out = Vec::new();
        for (r, row) in self.targeted.iter().enumerate() {
            for (y, _) in row.iter().enumerate().filter(|(_, on)| **on) {
                for (name, target, (within, fresh)) in &targets {
                    let Some(target) = *target else { continue };
                    let fresh_limit = target + FRESH_SE * (target * (1.0 - target) / n).sqrt();
                    let (p_in, p_fresh) = (within[r][y], fresh[r][y]);
                    // Against the target as given: a cell between it and the tightened one
                    // is within what the bureau asked.
                    let reason = if p_in > target + 1e-12 {
                        match first[r] {
                            None => Reason::NoCandidates,
                            Some(f) if y < f => Reason::TooEarly,
                            _ => self.blocked((r, y), name, target, binding),
                        }
                    } else if p_fresh > fresh_limit {
                        Reason::OutOfSample
                    } else {
                        continue;
                    };
                    let (district, district_name, stage) = names(s, p.futures, r);
                    out.push(Unmet {
                        row: r,
                        target: name,
                        district,
                        district_name,
                        stage,
                        year: s.base_year.0 + y as i32,
                        p_in_sample: p_in,
                        p_fresh,
                        reason,
                    });
                }
            }
        }
        out
    }

    /// Why the cell `(row, year)`, which its row's candidates can open in time for, is over
    /// `target` on `name`: the budgets when a portfolio of the row (budgets aside) brings it
    /// under the target, the window when none does; rows filled greedily (the least risk they
    /// can reach unknown) blame the budgets when one is `binding`.
    fn blocked(&self, (r, y): (usize, usize), name: &str, target: f64, binding: bool) -> Reason {
        let least = self.solution.reach.as_ref().and_then(|reach| match name {
            "p_large_classes" => reach[r].p_large.get(y).copied(),
            _ => reach[r].p_short.get(y).copied(),
        });
        let reachable = match least {
            Some(least) => least <= target + 1e-12,
            None => binding,
        };
        if reachable && !self.budgets.is_empty() {
            Reason::Budget
        } else {
            Reason::Window
        }
    }

    /// P(shortfall) per row and year: in-sample with the plan, and fresh.
    fn p_short(&self) -> (Vec<&[f64]>, Vec<&[f64]>) {
        fn of(cells: &[RowCells]) -> Vec<&[f64]> {
            cells.iter().map(|c| c.p_short.as_slice()).collect()
        }
        (of(&self.in_sample), of(&self.after))
    }

    /// P(large classes) per row and year: in-sample with the plan (empty rows when the
    /// classes were not sized), and fresh.
    fn p_large(&self) -> (Vec<&[f64]>, Vec<&[f64]>) {
        let within = self.in_sample.iter().map(|c| c.p_large.as_slice());
        (
            within.collect(),
            self.large_after.iter().map(Vec::as_slice).collect(),
        )
    }
}

/// Whether an unmet cell is over the P(shortfall) target.
fn on_shortfall(target: &&str) -> bool {
    *target == "p_shortfall"
}

/// The district id, district name and stage id of decision row `r`.
pub fn names(s: &Scenario, f: &Futures, r: usize) -> (String, String, String) {
    let (place, st) = f.rows[r];
    let stage = s.stages[st.0].id.clone();
    match place {
        crate::engine::Place::District(d) => {
            let d = &s.districts[d.0];
            (d.id.clone(), d.name.clone(), stage)
        }
        _ => ("ALL".into(), "全市 city".into(), stage),
    }
}

/// Seats `built` (with `draws`) adds to each row, `[trial × year]`, on the trials searched.
fn extras(p: &Problem<'_>, built: &[Built], draws: &[CopyDraws]) -> Vec<Vec<f64>> {
    let f = p.futures;
    let mut extra = vec![vec![0.0; f.n_trials() * f.n_years]; f.rows.len()];
    for (b, drawn) in built.iter().zip(draws) {
        let r = p.row_of(b.candidate);
        add_seats(
            &mut extra[r],
            f.n_years,
            p.year_ix(b.year),
            &drawn.delays,
            p.seats(b.candidate),
        );
    }
    extra
}

/// Every budget constraint and what `built` uses of it.
fn budget_use(p: &Problem<'_>, k: &[Constraint], built: &[Built]) -> Vec<BudgetUse> {
    k.iter()
        .map(|c| BudgetUse {
            kind: c.kind,
            year: c.year.map(|y| y.0),
            limit: c.limit,
            used: built
                .iter()
                .map(|b| c.usage(&p.candidates[b.candidate], b.year))
                .fold(0.0, |a, b| a + b),
        })
        .collect()
}
