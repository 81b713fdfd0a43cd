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

use crate::report::{check_range as check_one, out_of_range};
use crate::Error;

/// Refuses a comparison whose values — either scenario's, or their differences — outgrew what
/// the statistics hold exactly, naming the first such cell.
pub fn check_range(c: &Comparison, paired: &Paired) -> Result<(), Error> {
    check_one(c.base(), paired.base())?;
    check_one(c.alt(), paired.alt())?;
    match paired.diff_out_of_range() {
        Some((pair, metric, value)) => {
            let cell = c.matching().pairs[pair].base;
            let what = "changes (ALT − BASE) by";
            Err(out_of_range(c.base(), cell, metric, value, what))
        }
        None => Ok(()),
    }
}
