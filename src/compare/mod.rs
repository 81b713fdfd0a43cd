//! `seatsim compare`: two scenarios run trial by trial on the same keyed random draws (common
//! random numbers, DESIGN §3). For every cell both report, the difference ALT − BASE of each
//! metric is accumulated trial by trial, so its spread is the spread of the change itself, not
//! of two independent noises.
//!
//! [`Comparison`] owns the two engines and the [`Matching`] of their cells; [`Comparison::run`]
//! returns the [`Paired`] statistics, which [`write_compare`] and [`what_it_buys`] report.

mod kept;
mod matching;
mod paired;
mod report;
mod terminal;

pub use kept::KeptBase;
pub use matching::{CellPair, LeftOut, Matching, Side};
pub use paired::{Comparison, Paired};
pub use report::{write_compare, write_diffs, CompareSettings, COMPARE_HEADER};
pub use terminal::what_it_buys;
