//! The plot module's error type: every variant names the file and what is wrong with it.

use std::path::PathBuf;

/// Why a run folder could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// A file of the run folder could not be opened or read.
    #[error("{}: cannot read: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A file of the run folder holds something other than what the engine writes.
    #[error("{}{}: {message}", path.display(), line_suffix(*line))]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The line of the file, where known.
        line: Option<u64>,
        /// What is wrong and what would be valid.
        message: String,
    },
    /// An output file or folder could not be written.
    #[error("{}: cannot write: {source}", path.display())]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// plotters failed while drawing a chart.
    #[error("{}: cannot draw: {message}", path.display())]
    Draw {
        /// The chart file being drawn.
        path: PathBuf,
        /// What plotters said.
        message: String,
    },
    /// The map year asked for is not a year of the run (a bad option: exit code 2).
    #[error("--map-year {year}: not a year of the run in {}, which covers {first}–{last}", path.display())]
    MapYear {
        /// The run's `run.json`.
        path: PathBuf,
        /// The year asked for.
        year: i32,
        /// The run's base year.
        first: i32,
        /// The run's horizon.
        last: i32,
    },
    /// The embedded DejaVu Sans font could not be loaded (a broken build).
    #[error("embedded DejaVu Sans font (dejavu crate): cannot be loaded by plotters")]
    Font,
}

/// `:N` for a known line number, nothing otherwise.
fn line_suffix(line: Option<u64>) -> String {
    line.map(|n| format!(":{n}")).unwrap_or_default()
}
