//! Command-line definitions (clap) and the dispatch of each subcommand.

mod check;
mod limits;
mod progress;
mod run;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Once;

use clap::{Args, Parser, Subcommand};

use crate::Error;

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
}

/// Runs a parsed command line.
pub fn execute(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Check { scenario } => check::check(&scenario),
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

/// The flag that Ctrl-C (SIGINT), SIGTERM and SIGHUP set; long commands pass it to the engine,
/// which stops after the chunks of trials under way. The handler is installed on first use.
fn interrupted() -> &'static AtomicBool {
    static FLAG: AtomicBool = AtomicBool::new(false);
    static HANDLER: Once = Once::new();
    HANDLER.call_once(|| {
        // Fails only if the embedding program installed its own handler; then it decides, and
        // the default action (ending the process) still leaves no half-written result file.
        let _ = ctrlc::set_handler(|| FLAG.store(true, Ordering::SeqCst));
    });
    &FLAG
}
