//! Command-line definitions (clap) and the dispatch of each subcommand.

mod backtest;
mod calibrate;
mod check;
mod compare;
mod merge;
mod plot;
mod progress;
mod run;
mod synth;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

pub use backtest::BacktestArgs;
pub use compare::CompareArgs;

use crate::Error;

pub use merge::MergeArgs;
pub use synth::SynthArgs;

/// seatsim: Monte Carlo projection of public school seats against a construction pipeline.
#[derive(Debug, Parser)]
#[command(name = "seatsim", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario and write summary.csv, risk.csv and run.json.
    Run(RunArgs),
    /// Validate a scenario and print what it contains.
    Check {
        /// The scenario TOML file.
        scenario: PathBuf,
    },
    /// Find a stage's popularity dispersion κ from an observed base-year large-class share.
    Calibrate(CalibrateArgs),
    /// Run two scenarios on the same random draws and write their paired differences.
    Compare(CompareArgs),
    /// Score a scenario's projection against observed values.
    Backtest(BacktestArgs),
    /// Redraw the charts and report.html of a finished run from its CSV files.
    Plot(PlotArgs),
    /// Merge the shard folders of a `run --shard` into the results of one run.
    Merge(MergeArgs),
    /// Write a synthetic national-scale scenario (invented data) to try large runs.
    Synth(SynthArgs),
}

/// Options of `seatsim plot`.
#[derive(Debug, Args)]
pub struct PlotArgs {
    /// The run's output folder (with summary.csv, risk.csv and run.json).
    pub run_dir: PathBuf,
    /// Year of the district maps (default: the horizon).
    #[arg(long)]
    pub map_year: Option<i32>,
}

/// Options of `seatsim calibrate`.
#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// The scenario TOML file.
    pub scenario: PathBuf,
    /// The stage to calibrate (e.g. primary); repeat or separate by commas to give several
    /// stages one κ, calibrated on their class-weighted share together.
    #[arg(long, required = true, value_delimiter = ',')]
    pub stage: Vec<String>,
    /// Observed share of classes with at least `large_class` pupils, e.g. 0.0888.
    #[arg(long)]
    pub large_class_share: f64,
    /// Trials per evaluation (common random numbers across evaluations).
    #[arg(long, default_value_t = 1000)]
    pub trials: u64,
    /// Random seed (default: the scenario's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Write a scenario that extends this one with the calibrated dispersion.
    #[arg(long)]
    pub write: Option<PathBuf>,
}

/// Options of `seatsim run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The scenario TOML file.
    pub scenario: PathBuf,
    /// Number of Monte Carlo trials (default: the scenario's `trials`).
    #[arg(long)]
    pub trials: Option<u64>,
    /// Random seed (default: the scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Output folder (default: output/<scenario file stem>/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// One trial with every shock at its central value: the classic cohort projection.
    #[arg(long)]
    pub deterministic: bool,
    /// Do not draw charts.
    #[arg(long)]
    pub no_plots: bool,
    /// No progress bar and no summary table.
    #[arg(long)]
    pub quiet: bool,
    /// Run only part K of N of the trials and save its state for `seatsim merge`.
    #[arg(long, value_name = "K/N", conflicts_with = "deterministic")]
    pub shard: Option<crate::shard::ShardSpec>,
}

/// Runs a parsed command line.
pub fn execute(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Check { scenario } => check::check(&scenario),
        Command::Calibrate(args) => calibrate::run(&args),
        Command::Compare(args) => compare::compare(&args),
        Command::Backtest(args) => backtest::backtest(&args),
        Command::Plot(args) => plot::run(&args),
        Command::Merge(args) => merge::merge(&args),
        Command::Synth(args) => synth::synth(&args),
    }
}

/// Worker threads to use: the request, or every available core.
fn threads(requested: Option<usize>) -> Result<usize, Error> {
    match requested {
        Some(0) => Err(Error::Usage("--threads 0: use at least 1 thread".into())),
        Some(t) if t > 1024 => Err(Error::Usage(format!("--threads {t}: at most 1024"))),
        Some(t) => Ok(t),
        None => Ok(std::thread::available_parallelism().map_or(1, |n| n.get())),
    }
}

/// Default output folder of a scenario: `output/<file stem>/`.
fn default_out(scenario: &std::path::Path) -> PathBuf {
    let stem = scenario
        .file_stem()
        .map_or_else(|| "run".into(), |s| s.to_owned());
    PathBuf::from("output").join(stem)
}
