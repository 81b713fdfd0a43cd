//! The Lagrangian lower bound: price each budget at `λ ≥ 0`, let every row take its best
//! portfolio at those prices, and `Σ_rows min (key + λ·usage) − λ·limits` is at most the
//! optimum. Subgradient steps (Polyak's, towards the best plan found) raise the prices.

use super::options::{Row, RowOption};

/// Subgradient steps taken.
const STEPS: usize = 300;

/// The best Lagrangian bound found on `key` (`None` excludes a portfolio), where `best` is
/// the key of the best plan known.
pub fn bound(
    rows: &[Row],
    limits: &[f64],
    best: f64,
    key: impl Fn(&RowOption) -> Option<f64>,
) -> f64 {
    let mut lambda = vec![0.0; limits.len()];
    let mut bound = f64::NEG_INFINITY;
    let mut theta = 2.0;
    for _ in 0..STEPS {
        let mut value = -dot(&lambda, limits);
        let mut slope: Vec<f64> = limits.iter().map(|l| -l).collect();
        for row in rows {
            let priced = |o: &RowOption| key(o).map(|v| v + dot(&lambda, &o.usage));
            let Some((o, v)) = row
                .options
                .iter()
                .filter_map(|o| priced(o).map(|v| (o, v)))
                .min_by(|a, b| a.1.total_cmp(&b.1))
            else {
                return f64::NEG_INFINITY;
            };
            value += v;
            for (s, u) in slope.iter_mut().zip(&o.usage) {
                *s += u;
            }
        }
        if value > bound {
            bound = value;
        } else {
            theta /= 1.5;
        }
        let norm = dot(&slope, &slope);
        if norm == 0.0 || best <= bound {
            break;
        }
        let step = theta * (best - value).max(0.0) / norm;
        for (l, s) in lambda.iter_mut().zip(&slope) {
            *l = (*l + step * s).max(0.0);
        }
    }
    bound.min(best)
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::score::Score;

    fn row(options: &[(f64, f64)]) -> Row {
        Row {
            options: options
                .iter()
                .map(|&(first, u)| RowOption {
                    picks: Vec::new(),
                    score: Score {
                        first,
                        cost: 0.0,
                        spare: 0.0,
                    },
                    usage: vec![u],
                })
                .collect(),
            reach: Default::default(),
        }
    }

    #[test]
    fn the_bound_lies_between_the_relaxation_and_the_optimum() {
        // Two rows, budget 1: the optimum builds in one row only, 10 + 4 = 14; without the
        // budget both would build, 4 + 4 = 8.
        let rows = [
            row(&[(4.0, 1.0), (10.0, 0.0)]),
            row(&[(4.0, 1.0), (10.0, 0.0)]),
        ];
        let b = bound(&rows, &[1.0], 14.0, |o| Some(o.score.first));
        assert!((8.0..=14.0).contains(&b), "{b}");
        assert!(b > 13.0, "the prices close most of the gap: {b}");
    }
}
