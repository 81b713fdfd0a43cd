//! Choosing the portfolio (DESIGN §8): greedy additions, each the candidate-year that lowers
//! the objective most (per unit of budget when a total budget binds), then local moves — shift
//! a project's year, swap it for another candidate, drop it — while they improve.
//!
//! A project changes capacity in one decision row only, so after each change only the
//! candidates of that row are re-scored (for a city-catchment stage, the pooled row holds every
//! district's candidates); the others' gains are unchanged. Scoring a candidate for every year
//! of its window at once costs one pass over trials × years (suffix sums of its marginal gain).

use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use super::futures::Futures;
use crate::engine::{delay_common_key, delay_key, project_delay, DelayCopula, TrialKey};
use crate::scenario::{Budgets, Candidate, DelayProfile, Scenario, Weights, Year};

/// Gains at or below this (in objective units) are no gain: it keeps moves from cycling on
/// rounding.
const TOLERANCE: f64 = 1e-9;
/// Fewest candidates re-scored at once that are worth spreading over the workers.
const PARALLEL_FROM: usize = 8;
/// Most rounds of local moves; each round tries every project once.
const MAX_ROUNDS: usize = 20;

/// A local move of one built project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Move {
    /// Plan it for another year of its window.
    Shift,
    /// Build the best other candidate instead.
    Other,
    /// Build nothing instead.
    Drop,
}

/// What the plan is asked to do.
pub struct Problem<'a> {
    /// The scenario planned for (its stages' class sizes, base year).
    pub scenario: &'a Scenario,
    /// The trials it is scored on.
    pub futures: &'a Futures,
    /// What may be built.
    pub candidates: &'a [Candidate],
    /// The objective's weights.
    pub weights: Weights,
    /// The limits.
    pub budgets: Budgets,
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
    /// Per trial, its delay in years (`None` = never opens).
    delays: Vec<Option<i32>>,
}

/// The expected objective of a portfolio and its parts, per trial on average.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Objective {
    /// `E[Σ_t Σ_cells shortfall]`, seat-years.
    pub shortfall: f64,
    /// P5, P50, P95 over trials of `Σ_t Σ_cells shortfall`.
    pub shortfall_bands: [f64; 3],
    /// `E[Σ_t Σ_cells surplus]`, seat-years.
    pub surplus: f64,
    /// Capital cost of what the plan builds, yuan.
    pub cost: f64,
    /// `w_short·shortfall + w_spare·surplus + w_cost·cost`.
    pub total: f64,
}

/// A portfolio's objective, and its seat-years short in each trial (to pair with another
/// portfolio's on the same trials).
#[derive(Debug, Clone)]
pub struct Evaluation {
    /// The objective.
    pub objective: Objective,
    /// `Σ_t Σ_cells shortfall` per trial.
    pub shortfall_by_trial: Vec<f64>,
}

/// P5, P50, P95 of `xs` (linear between order statistics: `x[(n−1)q]`).
pub fn bands(xs: &[f64]) -> [f64; 3] {
    let mut sorted = xs.to_vec();
    sorted.sort_by(f64::total_cmp);
    [0.05, 0.5, 0.95].map(|q| {
        let at = q * (sorted.len().max(1) - 1) as f64;
        let (lo, hi) = (at.floor() as usize, at.ceil() as usize);
        match (sorted.get(lo), sorted.get(hi)) {
            (Some(a), Some(b)) => a + (b - a) * (at - lo as f64),
            _ => f64::NAN,
        }
    })
}

/// Delays of project `id` in every trial of `f`, drawn as `run` draws them.
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

/// Seats a candidate adds.
fn seats(s: &Scenario, c: &Candidate) -> f64 {
    f64::from(c.classes) * f64::from(s.stages[c.stage.0].class_size)
}

/// Adds `sign × seats` to `cap` in `row` from each trial's opening year on.
fn apply(
    f: &Futures,
    cap: &mut [f64],
    row: usize,
    year_ix: usize,
    delays: &[Option<i32>],
    add: f64,
) {
    let (n_y, width) = (f.n_years, f.width());
    for (t, delay) in delays.iter().enumerate() {
        let Some(d) = delay else { continue };
        let from = year_ix + *d as usize;
        let at = t * width + row * n_y;
        for c in cap.iter_mut().take(at + n_y).skip(at + from.min(n_y)) {
            *c += add;
        }
    }
}

/// The objective of capacity `cap` on `f`, with `cost` yuan built.
pub fn objective(f: &Futures, cap: &[f64], w: Weights, cost: f64) -> Evaluation {
    let mut by_trial = Vec::with_capacity(f.n_trials());
    let (mut shortfall, mut surplus) = (0.0, 0.0);
    for (d, c) in f.demand.chunks(f.width()).zip(cap.chunks(f.width())) {
        let (mut short, mut spare) = (0.0, 0.0);
        for (d, c) in d.iter().zip(c) {
            short += (d - c).max(0.0);
            spare += (c - d).max(0.0);
        }
        by_trial.push(short);
        shortfall += short;
        surplus += spare;
    }
    let n = f.n_trials() as f64;
    let (shortfall, surplus) = (shortfall / n, surplus / n);
    Evaluation {
        objective: Objective {
            shortfall,
            shortfall_bands: bands(&by_trial),
            surplus,
            cost,
            total: w.short * shortfall + w.spare * surplus + w.cost * cost,
        },
        shortfall_by_trial: by_trial,
    }
}

/// The pipeline plus `built` on futures `f` (delays drawn under `f`'s seed).
pub fn evaluate(p: &Problem<'_>, f: &Futures, built: &[Built]) -> Evaluation {
    let mut cap = f.capacity.clone();
    let mut cost = 0.0;
    for b in built {
        let c = &p.candidates[b.candidate];
        let row = f.row_of(p.scenario, c.district, c.stage);
        let yi = (b.year.0 - p.scenario.base_year.0) as usize;
        apply(
            f,
            &mut cap,
            row,
            yi,
            &delays(f, &b.id, &c.delay),
            seats(p.scenario, c),
        );
        cost += c.cost;
    }
    objective(f, &cap, p.weights, cost)
}

/// Yuan and classes committed, in total and per planned year.
#[derive(Debug, Clone)]
struct Spend {
    yuan: f64,
    classes: f64,
    yuan_by_year: Vec<f64>,
    classes_by_year: Vec<f64>,
}

/// The search's state: capacity with what is built so far, and every candidate's gains.
pub struct Search<'a> {
    p: &'a Problem<'a>,
    rows: Vec<usize>,
    seats: Vec<f64>,
    cap: Vec<f64>,
    built: Vec<Built>,
    copies: Vec<u32>,
    /// Delays of each candidate's next copy; `None` when it cannot be built again.
    next: Vec<Option<Vec<Option<i32>>>>,
    /// `gains[c][j]`: how much building `c`'s next copy in window year `j` lowers the objective.
    gains: Vec<Vec<f64>>,
    spend: Spend,
    pool: rayon::ThreadPool,
}

impl<'a> Search<'a> {
    /// A search with nothing built yet, scoring on `threads` workers.
    pub fn new(p: &'a Problem<'a>, threads: usize) -> Self {
        let f = p.futures;
        let n_y = f.n_years;
        let mut search = Self {
            rows: p
                .candidates
                .iter()
                .map(|c| f.row_of(p.scenario, c.district, c.stage))
                .collect(),
            seats: p.candidates.iter().map(|c| seats(p.scenario, c)).collect(),
            cap: f.capacity.clone(),
            built: Vec::new(),
            copies: vec![0; p.candidates.len()],
            next: Vec::new(),
            gains: vec![Vec::new(); p.candidates.len()],
            spend: Spend {
                yuan: 0.0,
                classes: 0.0,
                yuan_by_year: vec![0.0; n_y],
                classes_by_year: vec![0.0; n_y],
            },
            pool: rayon::ThreadPoolBuilder::new()
                .num_threads(threads.max(1))
                .build()
                .expect("a thread pool can be built"),
            p,
        };
        search.next = (0..p.candidates.len())
            .map(|c| Some(delays(f, &search.copy_id(c), &p.candidates[c].delay)))
            .collect();
        let all: Vec<usize> = (0..p.candidates.len()).collect();
        search.rescore(&all);
        search
    }

    /// Runs greedy additions, then local moves while they improve; stops early (keeping a
    /// valid, within-budget portfolio) when `cancel` is set.
    /// `on_step(n)` reports the n-th addition or move tried.
    pub fn run(&mut self, cancel: &AtomicBool, on_step: &dyn Fn(u64)) {
        let mut steps = 0;
        let mut step = || {
            steps += 1;
            on_step(steps);
        };
        self.greedy(cancel, &mut step);
        for _ in 0..MAX_ROUNDS {
            if cancel.load(Ordering::Relaxed) || !self.improve_round(cancel, &mut step) {
                break;
            }
            self.greedy(cancel, &mut step);
        }
    }

    /// What is built, in the order chosen.
    pub fn built(&self) -> &[Built] {
        &self.built
    }

    /// The objective of what is built, on the trials searched.
    pub fn objective(&self) -> Evaluation {
        objective(self.p.futures, &self.cap, self.p.weights, self.spend.yuan)
    }

    /// What built project `i` buys given the rest: `(seat-years short avoided, seat-years
    /// spare added)`, per trial on average.
    pub fn buys(&self, i: usize) -> (f64, f64) {
        let (f, b) = (self.p.futures, &self.built[i]);
        let (row, seats) = (self.rows[b.candidate], self.seats[b.candidate]);
        let mut without = self.cap.clone();
        apply(
            f,
            &mut without,
            row,
            self.year_ix(b.year),
            &b.delays,
            -seats,
        );
        let (with, without) = (
            objective(f, &self.cap, self.p.weights, 0.0).objective,
            objective(f, &without, self.p.weights, 0.0).objective,
        );
        (
            without.shortfall - with.shortfall,
            with.surplus - without.surplus,
        )
    }

    fn year_ix(&self, y: Year) -> usize {
        (y.0 - self.p.scenario.base_year.0) as usize
    }

    fn copy_id(&self, c: usize) -> String {
        let cand = &self.p.candidates[c];
        if cand.repeatable {
            format!("{}-{}", cand.id, self.copies[c] + 1)
        } else {
            cand.id.clone()
        }
    }

    fn greedy(&mut self, cancel: &AtomicBool, step: &mut dyn FnMut()) {
        while !cancel.load(Ordering::Relaxed) {
            let Some((c, j, _)) = self.best() else { break };
            self.add_next(c, j);
            step();
        }
    }

    /// Tries every built project once: keep it, re-time it, replace it by the best other
    /// candidate or drop it, whichever lowers the objective most. Returns whether anything
    /// changed.
    fn improve_round(&mut self, cancel: &AtomicBool, step: &mut dyn FnMut()) -> bool {
        let mut changed = false;
        let mut i = 0;
        while i < self.built.len() && !cancel.load(Ordering::Relaxed) {
            step();
            let row = self.rows[self.built[i].candidate];
            let saved = self.row_gains(row);
            let b = self.remove(i);
            let own = self.gains_of(b.candidate, &b.delays);
            let lo = self.p.candidates[b.candidate].window.0;
            let here = own[(b.year.0 - lo.0) as usize];
            let shift = (0..own.len())
                .filter(|&j| self.fits(b.candidate, lo + j as i32))
                .map(|j| (j, own[j]))
                .reduce(|best, x| if x.1 > best.1 { x } else { best });
            let other = self.best().map(|(c, j, _)| (c, j, self.gains[c][j]));
            let moves = [
                (Move::Shift, shift.map_or(f64::NEG_INFINITY, |s| s.1)),
                (Move::Other, other.map_or(f64::NEG_INFINITY, |o| o.2)),
                (Move::Drop, 0.0),
            ];
            let (kind, gain) = moves
                .into_iter()
                .reduce(|best, m| if m.1 > best.1 { m } else { best })
                .expect("three moves");
            if gain <= here + TOLERANCE {
                // Capacity holds whole seats, so taking a project out and back leaves it
                // exactly as it was: the row's gains need no re-scoring.
                self.book(&b, 1.0);
                self.built.insert(i, b);
                for (c, g) in saved {
                    self.gains[c] = g;
                }
                i += 1;
                continue;
            }
            changed = true;
            match kind {
                Move::Shift => {
                    let j = shift.expect("a finite gain has a year").0;
                    self.insert(
                        i,
                        Built {
                            year: lo + j as i32,
                            ..b
                        },
                    );
                    i += 1;
                }
                Move::Other | Move::Drop => {
                    self.release(b);
                    if let (Move::Other, Some((c, j, _))) = (kind, other) {
                        self.add_next(c, j);
                    }
                }
            }
        }
        changed
    }

    /// A named site taken out of the plan may be chosen again (a standard school's copies
    /// are not reused: the next copy has its own id and delays).
    fn release(&mut self, b: Built) {
        let c = b.candidate;
        if !self.p.candidates[c].repeatable {
            self.next[c] = Some(b.delays);
            self.rescore(&[c]);
        }
    }

    /// The best feasible `(candidate, window year number, rank)` with a gain, if any.
    fn best(&self) -> Option<(usize, usize, f64)> {
        let mut best: Option<(usize, usize, f64)> = None;
        for (c, gains) in self.gains.iter().enumerate() {
            if self.next[c].is_none() {
                continue;
            }
            let lo = self.p.candidates[c].window.0;
            for (j, &g) in gains.iter().enumerate() {
                if g <= TOLERANCE || !self.fits(c, lo + j as i32) {
                    continue;
                }
                let rank = g / self.usage(c);
                if best.is_none_or(|b| rank > b.2) {
                    best = Some((c, j, rank));
                }
            }
        }
        best
    }

    /// Share of the binding total budgets one copy of `c` uses (1 without total budgets), so
    /// that under a budget the greedy step buys the most gain per unit of it.
    fn usage(&self, c: usize) -> f64 {
        let (b, cand) = (&self.p.budgets, &self.p.candidates[c]);
        let shares = [
            b.yuan.map(|y| cand.cost / y.max(f64::MIN_POSITIVE)),
            b.classes
                .map(|k| f64::from(cand.classes) / k.max(f64::MIN_POSITIVE)),
        ];
        match shares.into_iter().flatten().reduce(f64::max) {
            Some(share) => share.max(1e-12),
            None => 1.0,
        }
    }

    /// Whether one more copy of `c` planned for `year` stays within every budget.
    fn fits(&self, c: usize, year: Year) -> bool {
        let (b, s, cand) = (&self.p.budgets, &self.spend, &self.p.candidates[c]);
        let yi = self.year_ix(year);
        let k = f64::from(cand.classes);
        let within = |limit: Option<f64>, used: f64, add: f64| {
            limit.is_none_or(|l| used + add <= l * (1.0 + 1e-12))
        };
        within(b.yuan, s.yuan, cand.cost)
            && within(b.classes, s.classes, k)
            && within(b.yuan_per_year, s.yuan_by_year[yi], cand.cost)
            && within(b.classes_per_year, s.classes_by_year[yi], k)
    }

    fn add_next(&mut self, c: usize, j: usize) {
        let drawn = self.next[c]
            .take()
            .expect("only buildable candidates are chosen");
        let b = Built {
            candidate: c,
            id: self.copy_id(c),
            year: self.p.candidates[c].window.0 + j as i32,
            delays: drawn,
        };
        self.copies[c] += 1;
        if self.p.candidates[c].repeatable {
            self.next[c] = Some(delays(
                self.p.futures,
                &self.copy_id(c),
                &self.p.candidates[c].delay,
            ));
        }
        let at = self.built.len();
        self.insert(at, b);
    }

    fn insert(&mut self, at: usize, b: Built) {
        self.book(&b, 1.0);
        let row = self.rows[b.candidate];
        self.built.insert(at, b);
        self.rescore_row(row);
    }

    fn remove(&mut self, at: usize) -> Built {
        let b = self.built.remove(at);
        self.book(&b, -1.0);
        self.rescore_row(self.rows[b.candidate]);
        b
    }

    /// Adds (`sign` 1) or takes away (−1) `b`'s seats and budget.
    fn book(&mut self, b: &Built, sign: f64) {
        let (c, yi) = (b.candidate, self.year_ix(b.year));
        let cand = &self.p.candidates[c];
        apply(
            self.p.futures,
            &mut self.cap,
            self.rows[c],
            yi,
            &b.delays,
            sign * self.seats[c],
        );
        let s = &mut self.spend;
        s.yuan += sign * cand.cost;
        s.classes += sign * f64::from(cand.classes);
        s.yuan_by_year[yi] += sign * cand.cost;
        s.classes_by_year[yi] += sign * f64::from(cand.classes);
    }

    fn row_gains(&self, row: usize) -> Vec<(usize, Vec<f64>)> {
        (0..self.rows.len())
            .filter(|&c| self.rows[c] == row)
            .map(|c| (c, self.gains[c].clone()))
            .collect()
    }

    fn rescore_row(&mut self, row: usize) {
        let mine: Vec<usize> = (0..self.rows.len())
            .filter(|&c| self.rows[c] == row)
            .collect();
        self.rescore(&mine);
    }

    fn rescore(&mut self, candidates: &[usize]) {
        let this = &*self;
        let score = |&c: &usize| match &this.next[c] {
            Some(d) => this.gains_of(c, d),
            None => Vec::new(),
        };
        // A district's row holds two candidates: handing them to the pool costs more than it
        // saves. Either way the gains are the same numbers.
        let scored: Vec<Vec<f64>> = if candidates.len() < PARALLEL_FROM {
            candidates.iter().map(score).collect()
        } else {
            this.pool
                .install(|| candidates.par_iter().map(score).collect())
        };
        for (&c, g) in candidates.iter().zip(scored) {
            self.gains[c] = g;
        }
    }

    /// How much a copy of `c` with `delays` lowers the objective, for each year of its window.
    fn gains_of(&self, c: usize, delays: &[Option<i32>]) -> Vec<f64> {
        let (f, w) = (self.p.futures, self.p.weights);
        let cand = &self.p.candidates[c];
        let (row, seats, n_y) = (self.rows[c], self.seats[c], f.n_years);
        let j0 = self.year_ix(cand.window.0);
        let mut acc = vec![0.0; (cand.window.1 .0 - cand.window.0 .0) as usize + 1];
        let cell = |d: f64, c: f64| w.short * (d - c).max(0.0) + w.spare * (c - d).max(0.0);
        let mut suffix = vec![0.0; n_y + 1];
        for (t, delay) in delays.iter().enumerate() {
            let Some(late) = delay else { continue };
            let at = t * f.width() + row * n_y;
            for yi in (j0..n_y).rev() {
                let (d, c) = (f.demand[at + yi], self.cap[at + yi]);
                suffix[yi] = suffix[yi + 1] + cell(d, c) - cell(d, c + seats);
            }
            for (k, a) in acc.iter_mut().enumerate() {
                *a += suffix[(j0 + k + *late as usize).min(n_y)];
            }
        }
        let n = f.n_trials() as f64;
        acc.iter().map(|a| a / n - w.cost * cand.cost).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Place;
    use crate::scenario::{DistrictIx, ProjectKind, StageIx};

    fn example() -> Scenario {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/example.toml");
        Scenario::load(&path).expect("the example scenario loads")
    }

    /// Three trials of one row (district 0, primary) with demand rising by 100 a year.
    fn futures(s: &Scenario) -> Futures {
        let n_years = s.n_years();
        let demand = (0..3)
            .flat_map(|t| (0..n_years).map(move |y| 1000.0 + 100.0 * y as f64 + 37.0 * t as f64))
            .collect();
        Futures {
            seed: 3,
            delay_correlation: 0.0,
            trials: 0..3,
            rows: vec![(Place::District(DistrictIx(0)), StageIx(1))],
            n_years,
            demand,
            capacity: vec![1200.0; 3 * n_years],
        }
    }

    fn candidate(s: &Scenario) -> Candidate {
        Candidate {
            id: "c".into(),
            name: "c".into(),
            district: DistrictIx(0),
            stage: StageIx(1),
            kind: ProjectKind::New,
            classes: 4,
            window: (s.base_year + 1, s.base_year + 4),
            cost: 1e6,
            delay: DelayProfile::new(0.5, 0.3, 0.0, 0.2).unwrap(),
            repeatable: true,
        }
    }

    #[test]
    fn a_candidates_gain_in_each_year_is_the_fall_of_the_objective_when_it_is_built() {
        let s = example();
        let f = futures(&s);
        let cands = [candidate(&s)];
        let weights = Weights {
            short: 1.0,
            spare: 0.3,
            cost: 1e-6,
        };
        let p = Problem {
            scenario: &s,
            futures: &f,
            candidates: &cands,
            weights,
            budgets: Budgets::default(),
        };
        let search = Search::new(&p, 1);
        let before = objective(&f, &f.capacity, weights, 0.0).objective.total;
        let drawn = delays(&f, "c-1", &cands[0].delay);
        for (j, gain) in search.gains[0].iter().enumerate() {
            let year = cands[0].window.0 + j as i32;
            let built = Built {
                candidate: 0,
                id: "c-1".into(),
                year,
                delays: drawn.clone(),
            };
            let after = evaluate(&p, &f, &[built]).objective.total;
            assert!(
                (before - after - gain).abs() < 1e-9,
                "year {year}: {gain} vs {}",
                before - after
            );
        }
    }

    #[test]
    fn bands_interpolate_between_order_statistics() {
        let xs: Vec<f64> = (0..=20).rev().map(f64::from).collect();
        assert_eq!(bands(&xs), [1.0, 10.0, 19.0]);
        assert_eq!(bands(&[4.0]), [4.0; 3]);
    }

    #[test]
    fn within_budget_greedy_never_builds_more_than_allowed() {
        let s = example();
        let f = futures(&s);
        let cands = [candidate(&s)];
        let budgets = Budgets {
            classes: Some(9.0),
            ..Budgets::default()
        };
        let p = Problem {
            scenario: &s,
            futures: &f,
            candidates: &cands,
            weights: Weights {
                short: 1.0,
                spare: 0.0,
                cost: 0.0,
            },
            budgets,
        };
        let mut search = Search::new(&p, 1);
        search.run(&AtomicBool::new(false), &|_| {});
        assert_eq!(search.built().len(), 2, "two copies of 4 classes fit in 9");
    }
}
