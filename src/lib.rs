//! seatsim: in which district, school stage and year will a city run short of public school
//! seats or pack classes beyond the legal size — and how likely is that, given what it plans
//! to build?
//!
//! Data flows one way: [`scenario`] (files → checked [`scenario::Scenario`]) → [`model`]
//! (demography, demand, supply, classes) → [`engine`] (trials, random streams, parallel
//! accumulation) → [`stats`] (moments, quantile sketches) → [`report`] (CSV, JSON, terminal)
//! and [`plot`] (charts, map and the HTML report, drawn from a run folder's files alone).
//! The command line lives in [`cli`]; the binary only maps its result to an exit code.

#![deny(missing_docs)]
// No unsafe code but one software prefetch (`stats/prefetch.rs`), allowed there and explained.
#![deny(unsafe_code)]

pub mod backtest;
pub mod calibrate;
pub mod cli;
pub mod compare;
pub mod engine;
mod error;
pub mod model;
pub mod plan;
pub mod plot;
pub mod report;
pub mod scenario;
pub mod shard;
pub mod stats;
pub mod whatif;

pub use error::Error;
