//! The trials' exact values of the observed cells, kept while the engine runs so that the PIT
//! and the CRPS are computed from the predictive distribution itself.

use crate::engine::Keep;
use crate::model::metrics::Metric;

use super::observed::Observation;

/// Keeps, for each observation, its cell and metric's value in every trial.
#[derive(Debug, Clone)]
pub struct ObservedValues {
    /// Index of each observation's value in a trial's `[cell × metric]` values.
    at: Vec<usize>,
}

impl ObservedValues {
    /// A keeper of the values `observations` are compared with.
    pub fn new(observations: &[Observation]) -> Self {
        let at = observations
            .iter()
            .map(|o| o.cell * Metric::COUNT + metric_ix(o.metric))
            .collect();
        Self { at }
    }

    /// The workers' parts joined: each observation's defined values over all trials, sorted
    /// ascending (so the result does not depend on how trials were shared among workers).
    pub fn sorted(&self, parts: Vec<Vec<Vec<f64>>>) -> Vec<Vec<f64>> {
        let mut out = vec![Vec::new(); self.at.len()];
        for part in parts {
            for (all, values) in out.iter_mut().zip(part) {
                all.extend(values.into_iter().filter(|v| !v.is_nan()));
            }
        }
        for values in &mut out {
            values.sort_by(f64::total_cmp);
        }
        out
    }
}

fn metric_ix(metric: Metric) -> usize {
    Metric::ALL
        .iter()
        .position(|&m| m == metric)
        .expect("metric is in ALL")
}

impl Keep for ObservedValues {
    type Part = Vec<Vec<f64>>;

    fn part(&self) -> Self::Part {
        vec![Vec::new(); self.at.len()]
    }

    fn keep(&self, part: &mut Self::Part, _trial: u64, values: &[f64]) {
        for (kept, &i) in part.iter_mut().zip(&self.at) {
            kept.push(values[i]);
        }
    }
}

/// Two destinations fed the same trials: the observed values and `--keep-trials`' file.
#[derive(Debug)]
pub struct Both<A, B>(pub A, pub B);

impl<A: Keep, B: Keep> Keep for Both<A, B> {
    type Part = (A::Part, B::Part);

    fn part(&self) -> Self::Part {
        (self.0.part(), self.1.part())
    }

    fn keep(&self, part: &mut Self::Part, trial: u64, values: &[f64]) {
        self.0.keep(&mut part.0, trial, values);
        self.1.keep(&mut part.1, trial, values);
    }
}
