//! Rows too large to enumerate — standard schools that may be built any number of times, or a
//! whole pipeline to re-time — are filled greedily: each step builds the copy and year with the
//! most gain per yuan (per share of a total budget when one is set), where the gain is the
//! seat-years it takes off the objective (weighted form) or off the shortfall beyond tolerance
//! in targeted cells still over target (target form: the probability itself moves in steps, so
//! it cannot guide). Then every copy is dropped, or planned later, where the row's exact score
//! does not get worse. The bound is what no project can change: cells before a row's first
//! opening, and spare seats, which building only adds to.

use std::sync::atomic::{AtomicBool, Ordering};

use super::{bound_of, drawn, Built, Problem, Solution};
use crate::plan::budget::{usage, Constraint};
use crate::plan::classes::p_over;
use crate::plan::score::{add_seats, excess, CopyDraws, Form, Opened, RowCells, Score};
use crate::scenario::Year;

/// Gains at or below this are no gain.
const TOLERANCE: f64 = 1e-9;

/// A copy built, with its draws.
#[derive(Clone)]
struct Copy {
    built: Built,
    draws: CopyDraws,
}

/// The greedy search's state.
struct State<'a, 'p> {
    p: &'a Problem<'p>,
    k: &'a [Constraint],
    rows: Vec<usize>,
    extra: Vec<Vec<f64>>,
    cells: Vec<RowCells>,
    cost: Vec<f64>,
    used: Vec<f64>,
    built: Vec<Copy>,
    copies: Vec<u32>,
    /// Draws of each candidate's next copy; `None` when it cannot be built again.
    next: Vec<Option<CopyDraws>>,
    /// Whether the gains still guide a choice (not while polishing).
    guiding: bool,
    /// Per row, its large-class shares with what is built (`[trial × year]`), sized once
    /// after each change for every candidate's large-class gains.
    shares: Vec<Option<Vec<f64>>>,
    /// `gains[c][j]`: the guide gain of `c`'s next copy in window year `j`.
    gains: Vec<Vec<f64>>,
    /// `risk[c][j]`: how much it lowers the excess risk (target form; empty otherwise).
    risk: Vec<Vec<f64>>,
}

/// The greedy plan of `p` within the constraints `k`, and its bound.
pub fn solve(p: &Problem<'_>, k: &[Constraint], cancel: &AtomicBool) -> Solution {
    let f = p.futures;
    let n_rows = f.rows.len();
    let scorer = p.scorer();
    let mut s = State {
        p,
        k,
        rows: (0..p.candidates.len()).map(|c| p.row_of(c)).collect(),
        extra: vec![vec![0.0; f.n_trials() * f.n_years]; n_rows],
        cells: (0..n_rows).map(|r| scorer.cells(r, None, &[])).collect(),
        cost: vec![0.0; n_rows],
        used: vec![0.0; k.len()],
        built: Vec::new(),
        copies: vec![0; p.candidates.len()],
        next: Vec::new(),
        guiding: true,
        shares: vec![None; n_rows],
        gains: vec![Vec::new(); p.candidates.len()],
        risk: vec![Vec::new(); p.candidates.len()],
    };
    s.next = (0..p.candidates.len())
        .map(|c| Some(drawn(p, c, &s.copy_id(c))))
        .collect();
    for c in 0..p.candidates.len() {
        s.rescore(c);
    }
    while !cancel.load(Ordering::Relaxed) {
        let Some((c, j)) = s.best() else { break };
        s.add_next(c, j);
    }
    s.guiding = false;
    s.polish(cancel);
    let score = (0..n_rows)
        .map(|r| s.row_score(r))
        .fold(Score::default(), Score::plus);
    let bound_of = bound_of(p.form, &score);
    Solution {
        built: s.built.into_iter().map(|b| b.built).collect(),
        score,
        exact: false,
        bound: bound(p, bound_of),
        bound_of,
        reach: None,
    }
}

/// What no project can change, summed over the rows, on the criterion `bound_of`.
fn bound(p: &Problem<'_>, bound_of: &str) -> f64 {
    if bound_of == "cost_yuan" {
        return 0.0;
    }
    let n_y = p.futures.n_years;
    let mut first = vec![n_y; p.futures.rows.len()];
    for (c, cand) in p.candidates.iter().enumerate() {
        let r = p.row_of(c);
        first[r] = first[r].min(p.year_ix(cand.window.0));
    }
    let scorer = p.scorer();
    (0..p.futures.rows.len())
        .map(|r| {
            let mut cells = scorer.cells(r, None, &[]);
            if let Form::Target { .. } = p.form {
                cells.p_short[first[r]..].fill(0.0);
                cells.p_large[first[r]..].fill(0.0);
            } else {
                cells.short[first[r]..].fill(0.0);
            }
            scorer.of_cells(r, &cells, 0.0).first
        })
        .sum()
}

impl State<'_, '_> {
    fn copy_id(&self, c: usize) -> String {
        let cand = &self.p.candidates[c];
        if cand.repeatable {
            format!("{}-{}", cand.id, self.copies[c] + 1)
        } else {
            cand.id.clone()
        }
    }

    fn row_score(&self, r: usize) -> Score {
        self.p.scorer().of_cells(r, &self.cells[r], self.cost[r])
    }

    /// Whether one more copy of `c` planned for `year` stays within every budget.
    fn fits(&self, c: usize, year: Year) -> bool {
        let add = usage(self.k, &self.p.candidates[c], year);
        self.k
            .iter()
            .zip(&self.used)
            .zip(add)
            .all(|((k, u), a)| k.holds(u + a))
    }

    /// The buildable `(candidate, window year number)` that lowers the excess risk most per
    /// unit spent; when none lowers it, the one with the best guide gain per unit spent.
    fn best(&self) -> Option<(usize, usize)> {
        self.best_of(&self.risk)
            .or_else(|| self.best_of(&self.gains))
    }

    /// The buildable `(candidate, window year number)` with the best `gains` per unit spent.
    fn best_of(&self, gains: &[Vec<f64>]) -> Option<(usize, usize)> {
        let mut best: Option<(usize, usize, f64)> = None;
        for (c, gains) in gains.iter().enumerate() {
            if self.next[c].is_none() {
                continue;
            }
            let lo = self.p.candidates[c].window.0;
            for (j, &g) in gains.iter().enumerate() {
                if g <= TOLERANCE || !self.fits(c, lo + j as i32) {
                    continue;
                }
                let rank = g / self.spent(c, lo + j as i32);
                if best.is_none_or(|b| rank > b.2) {
                    best = Some((c, j, rank));
                }
            }
        }
        best.map(|(c, j, _)| (c, j))
    }

    /// What one copy of `c` planned for `year` spends: its share of the budget it strains
    /// most; without budgets, its cost in the target form (its classes when it has no price)
    /// and 1 in the weighted form, whose gain already counts the cost.
    fn spent(&self, c: usize, year: Year) -> f64 {
        let cand = &self.p.candidates[c];
        let share = self
            .k
            .iter()
            .filter(|k| k.year.is_none_or(|y| y == year))
            .map(|k| k.usage(cand, year) / k.limit.max(f64::MIN_POSITIVE))
            .reduce(f64::max);
        match (share, self.p.form) {
            (Some(s), _) => s.max(1e-12),
            (None, Form::Weights(_)) => 1.0,
            (None, Form::Target { .. }) if cand.cost > 0.0 => cand.cost,
            (None, Form::Target { .. }) => f64::from(cand.classes),
        }
    }

    fn add_next(&mut self, c: usize, j: usize) {
        let draws = self.next[c]
            .take()
            .expect("only buildable candidates are chosen");
        let built = Built {
            candidate: c,
            id: self.copy_id(c),
            year: self.p.candidates[c].window.0 + j as i32,
        };
        self.copies[c] += 1;
        if self.p.candidates[c].repeatable {
            self.next[c] = Some(drawn(self.p, c, &self.copy_id(c)));
        }
        let copy = Copy { built, draws };
        self.insert(self.built.len(), copy);
    }

    /// Builds `copy` as the `i`-th of the plan's copies, and re-scores its row.
    fn insert(&mut self, i: usize, copy: Copy) {
        self.book(&copy, 1.0);
        let r = self.rows[copy.built.candidate];
        self.built.insert(i, copy);
        self.refresh(r);
    }

    /// Takes away the `i`-th copy, and re-scores its row.
    fn remove(&mut self, i: usize) -> Copy {
        let copy = self.built.remove(i);
        self.book(&copy, -1.0);
        self.refresh(self.rows[copy.built.candidate]);
        copy
    }

    /// The copies built in row `r`, in the order the written scenario lists them.
    fn opened(&self, r: usize) -> Vec<Opened<'_>> {
        self.built
            .iter()
            .filter(|b| self.rows[b.built.candidate] == r)
            .map(|b| self.p.opened(b.built.candidate, b.built.year, &b.draws))
            .collect()
    }

    /// Re-scores row `r` from what is built in it, and the gains of its candidates' next
    /// copies while they guide.
    fn refresh(&mut self, r: usize) {
        let cells = self
            .p
            .scorer()
            .cells(r, Some(&self.extra[r]), &self.opened(r));
        self.cells[r] = cells;
        self.shares[r] = None;
        if !self.guiding {
            return;
        }
        for other in 0..self.rows.len() {
            if self.rows[other] == r {
                self.rescore(other);
            }
        }
    }

    /// Adds (`sign` 1) or takes away (−1) a copy's seats, cost and budget use.
    fn book(&mut self, copy: &Copy, sign: f64) {
        let (c, year) = (copy.built.candidate, copy.built.year);
        let (r, n_y) = (self.rows[c], self.p.futures.n_years);
        let seats = sign * self.p.seats(c);
        add_seats(
            &mut self.extra[r],
            n_y,
            self.p.year_ix(year),
            &copy.draws.delays,
            seats,
        );
        let cand = &self.p.candidates[c];
        self.cost[r] += sign * cand.cost;
        for (u, a) in self.used.iter_mut().zip(usage(self.k, cand, year)) {
            *u += sign * a;
        }
    }

    /// Drops every copy whose row is no worse without it, then plans each remaining copy for
    /// the latest year that makes its row better.
    fn polish(&mut self, cancel: &AtomicBool) {
        for i in (0..self.built.len()).rev() {
            if cancel.load(Ordering::Relaxed) {
                return;
            }
            let r = self.rows[self.built[i].built.candidate];
            let before = self.row_score(r);
            let copy = self.remove(i);
            if !before.below(&self.row_score(r)) {
                continue;
            }
            self.insert(i, copy);
        }
        for i in 0..self.built.len() {
            if cancel.load(Ordering::Relaxed) {
                return;
            }
            self.move_later(i);
        }
    }

    /// Plans copy `i` for the latest later year of its window where its row scores better.
    fn move_later(&mut self, i: usize) {
        let (c, year) = (self.built[i].built.candidate, self.built[i].built.year);
        let (r, last) = (self.rows[c], self.p.candidates[c].window.1);
        let mut best = self.row_score(r);
        let copy = self.remove(i);
        let mut chosen = year;
        let planned = |y: Year| Copy {
            built: Built {
                year: y,
                ..copy.built.clone()
            },
            draws: copy.draws.clone(),
        };
        for y in (year.0 + 1..=last.0).map(Year) {
            if !self.fits(c, y) {
                continue;
            }
            self.insert(i, planned(y));
            if self.row_score(r).below(&best) {
                (best, chosen) = (self.row_score(r), y);
            }
            self.remove(i);
        }
        self.insert(i, planned(chosen));
    }

    /// The guide gains of `c`'s next copy in every year of its window.
    fn rescore(&mut self, c: usize) {
        let Some(draws) = &self.next[c] else {
            self.gains[c].clear();
            self.risk[c].clear();
            return;
        };
        let delays = &draws.delays;
        self.risk[c] = self.risk_gains(c, delays);
        let (p, f) = (self.p, self.p.futures);
        let cand = &p.candidates[c];
        let (r, seats, n_y) = (self.rows[c], p.seats(c), f.n_years);
        let tol = p.scenario.standards.shortfall_tolerance;
        let j0 = p.year_ix(cand.window.0);
        let cell: Box<dyn Fn(usize, f64, f64) -> f64 + '_> = match p.form {
            Form::Weights(w) => Box::new(move |_, d: f64, c: f64| {
                w.short * (d - c).max(0.0) + w.spare * (c - d).max(0.0)
            }),
            Form::Target {
                alpha, targeted, ..
            } => {
                let over: Vec<bool> = (0..n_y)
                    .map(|y| targeted[r][y] && alpha.is_some_and(|a| self.cells[r].p_short[y] > a))
                    .collect();
                Box::new(move |y, d: f64, c: f64| match over[y] {
                    true => (d * (1.0 - tol) - c).max(0.0),
                    false => 0.0,
                })
            }
        };
        let mut acc = vec![0.0; (cand.window.1 .0 - cand.window.0 .0) as usize + 1];
        let mut suffix = vec![0.0; n_y + 1];
        for (t, delay) in delays.iter().enumerate() {
            let Some(late) = delay else { continue };
            let at = t * f.width() + r * n_y;
            for y in (j0..n_y).rev() {
                let (d, cap) = (
                    f.demand[at + y],
                    f.capacity[at + y] + self.extra[r][t * n_y + y],
                );
                suffix[y] = suffix[y + 1] + cell(y, d, cap) - cell(y, d, cap + seats);
            }
            for (j, a) in acc.iter_mut().enumerate() {
                *a += suffix[(j0 + j + *late as usize).min(n_y)];
            }
        }
        let n = f.n_trials().max(1) as f64;
        let cost = match p.form {
            Form::Weights(w) => w.cost * cand.cost,
            Form::Target { .. } => 0.0,
        };
        self.gains[c] = acc.iter().map(|a| a / n - cost).collect();
        if self.shares[r].is_none() && self.over_beta(r) {
            self.shares[r] = (p.classes).map(|model| model.classes(r, &self.opened(r)).shares);
        }
        if let Some((risk, guide)) = self.large_gains(c) {
            let add = |to: &mut Vec<f64>, from: Vec<f64>| {
                to.iter_mut().zip(from).for_each(|(a, b)| *a += b);
            };
            add(&mut self.risk[c], risk);
            add(&mut self.gains[c], guide);
        }
    }

    /// Whether a targeted cell of row `r` is over the large-class target.
    fn over_beta(&self, r: usize) -> bool {
        let Form::Target {
            beta: Some(beta),
            targeted,
            ..
        } = self.p.form
        else {
            return false;
        };
        let p_large = &self.cells[r].p_large;
        (targeted[r].iter().zip(p_large)).any(|(on, p)| *on && p > beta)
    }

    /// How much `c`'s next copy lowers the large-class part of its row's excess risk in every
    /// year of its window, and the pupils a trial it takes out of large classes in targeted
    /// cells over β (a guide while that probability does not move); `None` without a target
    /// on large classes or a cell over it.
    fn large_gains(&self, c: usize) -> Option<(Vec<f64>, Vec<f64>)> {
        let (p, f) = (self.p, self.p.futures);
        let (
            Form::Target {
                beta: Some(beta),
                targeted,
                ..
            },
            Some(model),
            Some(draws),
        ) = (p.form, p.classes, &self.next[c])
        else {
            return None;
        };
        let (r, n_y) = (self.rows[c], f.n_years);
        let now = &self.cells[r].p_large;
        let over: Vec<bool> = (0..n_y).map(|y| targeted[r][y] && now[y] > *beta).collect();
        if !over.contains(&true) {
            return None;
        }
        let mut added = self.opened(r);
        let before = self.shares[r].as_ref()?;
        let excess_now = excess(&targeted[r], now, Some(*beta));
        let window = p.candidates[c].window;
        let n = f.n_trials().max(1) as f64;
        let (mut risk, mut guide) = (Vec::new(), Vec::new());
        for year in (window.0 .0..=window.1 .0).map(Year) {
            // Budgets only fill while the gains guide: a year that does not fit now never
            // will, and is never chosen.
            if !self.fits(c, year) {
                risk.push(0.0);
                guide.push(0.0);
                continue;
            }
            // Appended last, as the copy would be built.
            added.push(p.opened(c, year, draws));
            let after = model.classes(r, &added).shares;
            added.pop();
            let p_after = p_over(&after, f, p.scenario.standards.large_class_target);
            risk.push(excess_now - excess(&targeted[r], &p_after, Some(*beta)));
            let mut moved = 0.0;
            for (i, (b, a)) in before.iter().zip(&after).enumerate() {
                let (t, y) = (i / n_y, i % n_y);
                if over[y] {
                    moved += (b - a) * f.demand[t * f.width() + r * n_y + y];
                }
            }
            guide.push(moved / n);
        }
        Some((risk, guide))
    }

    /// How much `c`'s next copy, with `delays`, lowers the excess risk of its row in every
    /// year of its window (empty in the weighted form).
    fn risk_gains(&self, c: usize, delays: &[Option<i32>]) -> Vec<f64> {
        let (p, f) = (self.p, self.p.futures);
        let Form::Target {
            alpha, targeted, ..
        } = p.form
        else {
            return Vec::new();
        };
        let cand = &p.candidates[c];
        let (r, seats, n_y) = (self.rows[c], p.seats(c), f.n_years);
        let tol = p.scenario.standards.shortfall_tolerance;
        let (j0, width) = (
            p.year_ix(cand.window.0),
            (cand.window.1 .0 - cand.window.0 .0) as usize + 1,
        );
        // `fewer[j][y]`: trials no longer short in year y when the copy is planned for j.
        let mut fewer = vec![vec![0u32; n_y]; width];
        for (t, delay) in delays.iter().enumerate() {
            let Some(late) = delay else { continue };
            let at = t * f.width() + r * n_y;
            for y in j0..n_y {
                let (d, cap) = (
                    f.demand[at + y],
                    f.capacity[at + y] + self.extra[r][t * n_y + y],
                );
                let short = |cap: f64| (d - cap).max(0.0) > tol * d;
                if !(targeted[r][y] && short(cap) && !short(cap + seats)) {
                    continue;
                }
                for row in fewer
                    .iter_mut()
                    .take((y + 1).saturating_sub(j0 + *late as usize))
                {
                    row[y] += 1;
                }
            }
        }
        let n = f.n_trials().max(1) as f64;
        let Some(alpha) = alpha else {
            return vec![0.0; width];
        };
        let excess = |p: f64| (p - alpha).max(0.0);
        fewer
            .iter()
            .map(|row| {
                (0..n_y)
                    .map(|y| {
                        let p_now = self.cells[r].p_short[y];
                        excess(p_now) - excess(p_now - f64::from(row[y]) / n)
                    })
                    .sum()
            })
            .collect()
    }
}
