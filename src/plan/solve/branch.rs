//! Branch and bound over the rows: one portfolio per row, depth first, best first. A branch
//! is cut when it breaks a budget (every row may still build nothing, which uses none) or
//! when its score plus every later row's best cannot beat the best plan found.

use std::sync::atomic::{AtomicBool, Ordering};

use super::options::Row;
use crate::plan::budget::Constraint;
use crate::plan::score::Score;

/// The best choice found.
#[derive(Debug, Clone)]
pub struct Found {
    /// Index of the portfolio of each row.
    pub choice: Vec<usize>,
    /// Its score.
    pub score: Score,
    /// Whether the search ended before its node limit (the choice is optimal).
    pub proved: bool,
}

/// The state of the depth-first search.
struct Dfs<'a> {
    rows: &'a [Row],
    k: &'a [Constraint],
    /// `rest[r]`: the sum of the best scores of rows `r..`.
    rest: Vec<Score>,
    choice: Vec<usize>,
    used: Vec<f64>,
    best: Option<(Vec<usize>, Score)>,
    nodes: u64,
    max_nodes: u64,
    cancel: &'a AtomicBool,
}

/// The best choice of one portfolio per row within the constraints `k`.
pub fn search(rows: &[Row], k: &[Constraint], max_nodes: u64, cancel: &AtomicBool) -> Found {
    let mut rest = vec![Score::default(); rows.len() + 1];
    for r in (0..rows.len()).rev() {
        rest[r] = rest[r + 1].plus(rows[r].options[0].score);
    }
    let mut dfs = Dfs {
        rows,
        k,
        rest,
        choice: Vec::with_capacity(rows.len()),
        used: vec![0.0; k.len()],
        best: None,
        nodes: 0,
        max_nodes,
        cancel,
    };
    dfs.go(0, Score::default());
    let proved = dfs.nodes < max_nodes && !cancel.load(Ordering::Relaxed);
    let (choice, score) = dfs.best.expect("building nothing is always within budget");
    Found {
        choice,
        score,
        proved,
    }
}

impl Dfs<'_> {
    fn go(&mut self, r: usize, so_far: Score) {
        if r == self.rows.len() {
            if self.best.as_ref().is_none_or(|b| so_far.below(&b.1)) {
                self.best = Some((self.choice.clone(), so_far));
            }
            return;
        }
        for (i, o) in self.rows[r].options.iter().enumerate() {
            self.nodes += 1;
            if self.nodes >= self.max_nodes && self.best.is_some() {
                return;
            }
            let score = so_far.plus(o.score);
            let hope = score.plus(self.rest[r + 1]);
            if self.best.as_ref().is_some_and(|b| !hope.below(&b.1)) {
                // Options are sorted: every later one of this row hopes for no better.
                return;
            }
            let fits = self
                .k
                .iter()
                .zip(&self.used)
                .zip(&o.usage)
                .all(|((k, u), add)| k.holds(u + add));
            if !fits {
                continue;
            }
            for (u, add) in self.used.iter_mut().zip(&o.usage) {
                *u += add;
            }
            self.choice.push(i);
            self.go(r + 1, score);
            self.choice.pop();
            for (u, add) in self.used.iter_mut().zip(&o.usage) {
                *u -= add;
            }
            if self.cancel.load(Ordering::Relaxed) && self.best.is_some() {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::budget::BudgetKind;
    use crate::plan::solve::options::RowOption;

    /// A small deterministic generator, so that the rows are the same in every run.
    fn next(state: &mut u64) -> f64 {
        *state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (*state >> 33) as f64 / (1u64 << 31) as f64
    }

    fn rows(seed: u64) -> Vec<Row> {
        let mut s = seed;
        (0..4)
            .map(|_| {
                let mut options: Vec<RowOption> = (0..4)
                    .map(|i| RowOption {
                        picks: Vec::new(),
                        score: Score {
                            first: (10.0 * next(&mut s)).round(),
                            cost: (5.0 * next(&mut s)).round(),
                            spare: next(&mut s),
                        },
                        usage: if i == 0 {
                            vec![0.0, 0.0]
                        } else {
                            vec![(4.0 * next(&mut s)).round(), (4.0 * next(&mut s)).round()]
                        },
                    })
                    .collect();
                options.sort_by(|a, b| a.score.exact_order(&b.score));
                Row {
                    options,
                    reach: Default::default(),
                }
            })
            .collect()
    }

    #[test]
    fn the_search_finds_what_trying_every_choice_finds() {
        let k = [
            Constraint {
                kind: BudgetKind::Yuan,
                year: None,
                limit: 5.0,
            },
            Constraint {
                kind: BudgetKind::Classes,
                year: None,
                limit: 6.0,
            },
        ];
        for seed in 0..50 {
            let rows = rows(seed);
            let found = search(&rows, &k, u64::MAX, &AtomicBool::new(false));
            let mut best: Option<Score> = None;
            for code in 0..4usize.pow(4) {
                let choice: Vec<usize> = (0..4).map(|r| code / 4usize.pow(r) % 4).collect();
                let pick = |r: usize| &rows[r].options[choice[r]];
                let fits = (0..2).all(|j| k[j].holds((0..4).map(|r| pick(r).usage[j]).sum()));
                let score = (0..4).fold(Score::default(), |s, r| s.plus(pick(r).score));
                if fits && best.is_none_or(|b| score.below(&b)) {
                    best = Some(score);
                }
            }
            assert!(found.proved);
            assert_eq!(
                found.score.order(&best.unwrap()),
                std::cmp::Ordering::Equal,
                "seed {seed}"
            );
        }
    }
}
