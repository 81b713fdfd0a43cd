//! A row's portfolios, every one scored: each named candidate of the row unbuilt or planned
//! for one year of its window. Portfolios another beats on score while using no more of any
//! budget are dropped: they can never be part of an optimum.

use super::{drawn, Problem};
use crate::plan::budget::{usage, Constraint};
use crate::plan::score::{add_seats, CopyDraws, RowCells, Score};
use crate::scenario::Year;

/// Most portfolios of one row that are enumerated: a city-wide stage's row holds every
/// district's candidates.
const MAX_OPTIONS: u64 = 1 << 16;

/// One portfolio of a row.
#[derive(Debug, Clone)]
pub struct RowOption {
    /// `(candidate, planned year)` of what it builds.
    pub picks: Vec<(usize, Year)>,
    /// Its score (the row's cells and the cost of what it builds).
    pub score: Score,
    /// Its use of each budget constraint.
    pub usage: Vec<f64>,
}

/// A decision row and its undominated portfolios, best score first.
#[derive(Debug, Clone)]
pub struct Row {
    /// Its portfolios.
    pub options: Vec<RowOption>,
    /// The least risk each year that any of its portfolios reaches, budgets aside.
    pub reach: Reach,
}

/// Per year, the least P(shortfall) and P(large classes) of a row over all its portfolios,
/// budgets aside: a cell over target that some portfolio brings under it is not met because
/// of the budgets (or the other cells), not because building cannot help.
#[derive(Debug, Clone, Default)]
pub struct Reach {
    /// Least P(shortfall) per year.
    pub p_short: Vec<f64>,
    /// Least P(large classes) per year (empty when the classes are not sized).
    pub p_large: Vec<f64>,
}

impl Reach {
    /// Lowers each year's least risks to those of `cells` where they are lower.
    fn take(&mut self, cells: &RowCells) {
        let lower = |least: &mut Vec<f64>, p: &[f64]| {
            if least.is_empty() {
                least.extend_from_slice(p);
            }
            for (l, p) in least.iter_mut().zip(p) {
                *l = l.min(*p);
            }
        };
        lower(&mut self.p_short, &cells.p_short);
        lower(&mut self.p_large, &cells.p_large);
    }
}

/// Every decision row's portfolios; `None` when a row holds a repeatable candidate or more
/// than [`MAX_OPTIONS`] portfolios.
pub fn all_rows(p: &Problem<'_>, k: &[Constraint]) -> Option<Vec<Row>> {
    let n_rows = p.futures.rows.len();
    let mut members = vec![Vec::new(); n_rows];
    for c in 0..p.candidates.len() {
        members[p.row_of(c)].push(c);
    }
    members
        .iter()
        .enumerate()
        .map(|(row, cands)| enumerate(p, k, row, cands))
        .collect()
}

/// The portfolios of `row`, whose candidates are `cands`.
fn enumerate(p: &Problem<'_>, k: &[Constraint], row: usize, cands: &[usize]) -> Option<Row> {
    let sizes: Vec<u64> = cands
        .iter()
        .map(|&c| {
            let (lo, hi) = p.candidates[c].window;
            (hi.0 - lo.0 + 2) as u64
        })
        .collect();
    let total = sizes
        .iter()
        .try_fold(1u64, |n, &s| n.checked_mul(s).filter(|&n| n <= MAX_OPTIONS))?;
    if cands.iter().any(|&c| p.candidates[c].repeatable) {
        return None;
    }
    let draws: Vec<CopyDraws> = cands
        .iter()
        .map(|&c| drawn(p, c, &p.candidates[c].id))
        .collect();
    let scorer = p.scorer();
    let (n_y, n_t) = (p.futures.n_years, p.futures.n_trials());
    let mut options = Vec::with_capacity(total as usize);
    let mut reach = Reach::default();
    for mut code in 0..total {
        let (mut picks, mut opened) = (Vec::new(), Vec::new());
        let mut extra = vec![0.0; n_t * n_y];
        let (mut cost, mut used) = (0.0, vec![0.0; k.len()]);
        for (i, &c) in cands.iter().enumerate() {
            let choice = code % sizes[i];
            code /= sizes[i];
            if choice == 0 {
                continue;
            }
            let cand = &p.candidates[c];
            let year = cand.window.0 + (choice - 1) as i32;
            add_seats(
                &mut extra,
                n_y,
                p.year_ix(year),
                &draws[i].delays,
                p.seats(c),
            );
            opened.push(p.opened(c, year, &draws[i]));
            cost += cand.cost;
            for (u, add) in used.iter_mut().zip(usage(k, cand, year)) {
                *u += add;
            }
            picks.push((c, year));
        }
        let cells = scorer.cells(row, Some(&extra), &opened);
        reach.take(&cells);
        options.push(RowOption {
            score: scorer.of_cells(row, &cells, cost),
            picks,
            usage: used,
        });
    }
    Some(Row {
        options: undominated(options),
        reach,
    })
}

/// Sorted best first, without the portfolios another beats (or ties) on score while using no
/// more of any budget.
fn undominated(mut options: Vec<RowOption>) -> Vec<RowOption> {
    options.sort_by(|a, b| {
        a.score
            .exact_order(&b.score)
            .then_with(|| a.usage.iter().sum::<f64>().total_cmp(&b.usage.iter().sum()))
    });
    let mut kept: Vec<RowOption> = Vec::new();
    for o in options {
        let dominated = kept
            .iter()
            .any(|k| k.usage.iter().zip(&o.usage).all(|(a, b)| a <= b));
        if !dominated {
            kept.push(o);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn option(first: f64, usage: Vec<f64>) -> RowOption {
        RowOption {
            picks: Vec::new(),
            score: Score {
                first,
                cost: 0.0,
                spare: 0.0,
            },
            usage,
        }
    }

    #[test]
    fn a_portfolio_beaten_on_score_and_on_every_budget_is_dropped() {
        let kept = undominated(vec![
            option(3.0, vec![0.0, 0.0]),
            option(1.0, vec![2.0, 1.0]),
            option(2.0, vec![2.0, 2.0]),
            option(2.0, vec![1.0, 2.0]),
        ]);
        let firsts: Vec<f64> = kept.iter().map(|o| o.score.first).collect();
        assert_eq!(firsts, [1.0, 2.0, 3.0]);
        assert_eq!(kept[1].usage, [1.0, 2.0]);
    }
}
