//! The crate's error type and the exit code each kind maps to.

use std::path::PathBuf;

use crate::scenario::ScenarioError;

/// Anything that can stop a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The scenario is invalid (exit code 2).
    #[error("{0}")]
    Scenario(#[from] ScenarioError),
    /// The command line is invalid (exit code 2).
    #[error("{}", crate::scenario::short_numbers(.0))]
    Usage(String),
    /// The scenario drives a metric beyond what the statistics hold exactly (exit code 2);
    /// nothing was written.
    #[error("{0}")]
    OutOfRange(String),
    /// A file could not be read (exit code 1).
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A result could not be written (exit code 1); earlier complete results are untouched.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A chart or the report could not be drawn (exit code 1).
    #[error("{0}")]
    Plot(#[from] crate::plot::PlotError),
    /// The run was interrupted before it finished (exit code 1); nothing was written.
    #[error("interrupted: the run stopped before it finished; no result was written")]
    Interrupted,
}

impl Error {
    /// The process exit code for this error: 2 for bad input, 1 for anything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Scenario(_) | Error::Usage(_) | Error::OutOfRange(_) => 2,
            // A map year outside the run, or a result file `plot` cannot read as seatsim
            // writes it (damaged by hand): bad input, not a failure.
            Error::Plot(crate::plot::PlotError::MapYear { .. }) => 2,
            Error::Plot(crate::plot::PlotError::Invalid { .. }) => 2,
            // A table missing from the folder given (deleted by hand, or not a whole run).
            Error::Plot(crate::plot::PlotError::Read { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                2
            }
            _ => 1,
        }
    }
}
