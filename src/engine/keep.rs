//! Where a run's per-trial values go besides its statistics (`run --keep-trials`): each
//! worker hands every trial's values to its own part of a [`Keep`], in the order it ran them.

/// A destination for the values of every trial, one part per worker.
pub trait Keep: Sync {
    /// One worker's share of the destination.
    type Part: Send;
    /// A new, empty part for a worker.
    fn part(&self) -> Self::Part;
    /// Takes trial `trial`'s values (`[cell × metric]`) into `part`. A worker's trials
    /// arrive in increasing order.
    fn keep(&self, part: &mut Self::Part, trial: u64, values: &[f64]);
}

/// Keeps nothing: the statistics are all a plain run remembers.
#[derive(Debug, Clone, Copy, Default)]
pub struct Discard;

impl Keep for Discard {
    type Part = ();
    fn part(&self) {}
    #[inline]
    fn keep(&self, _: &mut (), _: u64, _: &[f64]) {}
}
