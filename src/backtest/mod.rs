//! `seatsim backtest`: how far can the projection be trusted? A scenario is run from its base
//! year and compared with observed values ([`read_observed`]); each observation gets the
//! signed and percentage error of the median and whether it lies inside the P5–P95 and
//! P25–P75 bands ([`Score`]), summarised by metric and horizon ([`summarize`]) the way
//! national projection programmes report their accuracy.
//!
//! The bands come from the run's quantile sketch, so their ends carry its ≤ 0.5% relative
//! error (see [`crate::stats::BIN_WIDTH_SD`]).

mod observed;
mod report;
mod score;

pub use observed::{read_observed, Observation};
pub use report::{accuracy_table, write_backtest, AccuracySummary};
pub use score::{summarize, Accuracy, Horizon, Score};
