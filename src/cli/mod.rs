//! Command-line definitions (clap) and the dispatch of each subcommand.

/// Prints on stdout like `print!`, except that a closed pipe (`seatsim check | head`) quietly
/// ends the output instead of panicking.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::cli::write_stdout(format_args!($($arg)*))
    };
}

mod backtest;
mod calibrate;
mod check;
mod compare;
mod limits;
mod merge;
mod plan;
mod plot;
mod progress;
mod run;
mod serve;
mod synth;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Once;

use clap::{Args, Parser, Subcommand};

pub use backtest::BacktestArgs;
pub use compare::CompareArgs;

use crate::Error;

pub use merge::MergeArgs;
pub use plan::PlanArgs;
pub use serve::ServeArgs;
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
    #[command(
        after_help = "Examples:\n  seatsim run scenarios/zhengzhou.toml\n  seatsim run scenarios/zhengzhou.toml --trials 2000 --seed 7 --out /tmp/zz\n  seatsim run scenarios/zhengzhou.toml --deterministic --no-plots"
    )]
    Run(RunArgs),
    /// Validate a scenario and print what it contains.
    #[command(after_help = "Example:\n  seatsim check scenarios/zhengzhou.toml")]
    Check {
        /// The scenario TOML file.
        scenario: PathBuf,
    },
    /// Find a stage's popularity dispersion κ from an observed base-year large-class share.
    #[command(
        after_help = "Example:\n  seatsim calibrate scenarios/zhengzhou.toml --stage primary,junior --large-class-share 0.0888 \\\n    --write scenarios/zhengzhou-calibrated.toml"
    )]
    Calibrate(CalibrateArgs),
    /// Run two scenarios on the same random draws and write their paired differences.
    #[command(
        after_help = "Example:\n  seatsim compare scenarios/zhengzhou.toml scenarios/zhengzhou-no-construction.toml --out /tmp/cmp"
    )]
    Compare(CompareArgs),
    /// Score a scenario's projection against observed values.
    #[command(
        after_help = "Example (the 2010-based scenario against the enrolment observed since):\n  seatsim backtest scenarios/zhengzhou-2012.toml --observed scenarios/zhengzhou-2012/observed.csv --out /tmp/bt"
    )]
    Backtest(BacktestArgs),
    /// Redraw the charts and report.html of a finished run (or compare.html of a comparison,
    /// backtest.html of a back-test) from its CSV files.
    #[command(
        after_help = "Examples:\n  seatsim plot output/zhengzhou\n  seatsim plot output/zhengzhou --map-year 2025"
    )]
    Plot(PlotArgs),
    /// Merge the shard folders of a `run --shard` into the results of one run.
    #[command(
        after_help = "Example:\n  seatsim run scenarios/zhengzhou.toml --shard 1/2 --out /tmp/s1\n  seatsim run scenarios/zhengzhou.toml --shard 2/2 --out /tmp/s2\n  seatsim merge /tmp/s1 /tmp/s2 --out /tmp/zz"
    )]
    Merge(MergeArgs),
    /// Write a synthetic national-scale scenario (invented data) to try large runs.
    #[command(after_help = "Example:\n  seatsim synth --units 500 --out /tmp/synthetic")]
    Synth(SynthArgs),
    /// Choose what to build, where and when: write plan.csv, plan.json and a scenario.
    #[command(
        after_help = "Examples:\n  seatsim plan scenarios/zhengzhou-15th-plan.toml --trials 1000 --out /tmp/plan\n  seatsim plan scenarios/zhengzhou.toml --budget classes=2000 --trials 500 --write /tmp/zz-plan.toml --out /tmp/plan2"
    )]
    Plan(PlanArgs),
    /// Serve a page of live what-ifs (and its JSON API) on this machine.
    #[command(
        after_help = "Example:\n  seatsim serve scenarios/zhengzhou.toml --port 8080 --trials 500"
    )]
    Serve(ServeArgs),
}

/// Options of `seatsim plot`.
#[derive(Debug, Args)]
pub struct PlotArgs {
    /// The run's output folder (with summary.csv, risk.csv and run.json), a comparison's
    /// (with compare.csv, compare_risk.csv and compare.json) or a back-test's (with
    /// backtest_summary.csv, backtest_pit.csv and backtest.json).
    pub run_dir: PathBuf,
    /// Year of the district maps (default: each stage's worst year, the one the city is most short).
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

/// The Monte Carlo options shared by `run`, `compare` and `backtest`.
#[derive(Debug, Args)]
pub struct SamplingArgs {
    /// Number of Monte Carlo trials (default: the scenario's `trials`).
    #[arg(long)]
    pub trials: Option<u64>,
    /// Random seed (default: the scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
}

/// Trials, seed and worker threads of a command, defaults taken from its scenario.
#[derive(Debug, Clone, Copy)]
pub struct Sampling {
    /// Trials to run (1 to [`crate::scenario::MAX_TRIALS`]).
    pub trials: u64,
    /// Random seed.
    pub seed: u64,
    /// Worker threads (≥ 1).
    pub threads: usize,
}

impl Sampling {
    /// What to run: the one central trial of `--deterministic`, or trials `range` under the
    /// seed.
    pub fn mode(&self, deterministic: bool, range: std::ops::Range<u64>) -> crate::engine::Mode {
        use crate::engine::Mode;
        if deterministic {
            Mode::Deterministic
        } else {
            Mode::MonteCarlo {
                seed: self.seed,
                range,
                total: self.trials,
            }
        }
    }
}

impl SamplingArgs {
    /// Says on stderr that `--trials`/`--seed` do nothing with `--deterministic`. A warning,
    /// not a refusal: the combination is harmless, and scripts that always pass a seed must
    /// still get the classic projection.
    pub fn warn_if_deterministic(&self, deterministic: bool) {
        let given: Vec<&str> = [
            ("--trials", self.trials.is_some()),
            ("--seed", self.seed.is_some()),
        ]
        .into_iter()
        .filter_map(|(flag, set)| set.then_some(flag))
        .collect();
        if deterministic && !given.is_empty() {
            let verb = if given.len() > 1 { "have" } else { "has" };
            eprintln!(
                "note: {} {verb} no effect with --deterministic (one trial, no random draws)",
                given.join(" and ")
            );
        }
    }

    /// The options resolved against the scenario that supplies their defaults.
    pub fn resolve(&self, scenario: &crate::scenario::Scenario) -> Result<Sampling, Error> {
        Ok(Sampling {
            trials: limits::trials(self.trials, scenario.trials)?,
            seed: self.seed.unwrap_or(scenario.seed),
            threads: limits::threads(self.threads)?,
        })
    }
}

/// Options of `seatsim run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The scenario TOML file.
    pub scenario: PathBuf,
    /// Trials, seed and threads.
    #[command(flatten)]
    pub sampling: SamplingArgs,
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
    /// Also write every trial's exact values of these cells to trials.csv: comma-separated
    /// DISTRICT/STAGE/YEAR[/METRIC] patterns, each part a name or *, e.g. 'ALL/*/*'.
    #[arg(long, value_name = "CELLS", conflicts_with = "shard")]
    pub keep_trials: Option<String>,
}

/// The command line of this process, or the one-line message of a bad one (`--help` and
/// `--version` come back as errors too: [`clap::Error::exit`] prints them).
pub fn parse() -> Result<Cli, clap::Error> {
    use clap::{CommandFactory, FromArgMatches};
    // `--seed -1` or `--large-class-share -0.1` is a bad value to name, not an unknown flag.
    let command = Cli::command().mut_subcommands(|s| s.allow_negative_numbers(true));
    Cli::from_arg_matches(&command.try_get_matches()?)
}

/// clap's message for a bad command line in one line, without its usage block, and with what
/// is valid where clap only names Rust's parse error.
pub fn usage_message(e: &clap::Error) -> String {
    let text = e.render().to_string();
    let text = text.strip_prefix("error: ").unwrap_or(&text);
    let parts: Vec<String> = text
        .split("\n\n")
        .filter(|p| !p.starts_with("Usage:") && !p.starts_with("For more information"))
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect();
    use clap::CommandFactory;
    let subcommand = std::env::args()
        .nth(1)
        .filter(|a| Cli::command().find_subcommand(a).is_some());
    let help = subcommand.map_or("seatsim --help".into(), |s| format!("seatsim {s} --help"));
    format!("{}; see `{help}`", parts.join("; "))
        .replace(
            "invalid digit found in string",
            "must be a whole number (digits only), e.g. 2000",
        )
        .replace("invalid float literal", "must be a number, e.g. 0.05")
        .replace(
            "number too large to fit in target type",
            "too large a whole number",
        )
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
        Command::Plan(args) => plan::plan(&args),
        Command::Serve(args) => serve::serve(&args),
    }
}

/// A scenario file's stem, for default output folder names.
fn stem(path: &Path) -> String {
    path.file_stem()
        .map_or_else(|| "run".into(), |s| s.to_string_lossy().into_owned())
}

/// Refuses (exit code 2) a `flag` that would write `targets` where they cannot go — over a
/// file `scenario` is read from, over a folder, or inside a file — before anything runs.
fn check_targets(
    scenario: &crate::scenario::Scenario,
    flag: &str,
    targets: &[PathBuf],
) -> Result<(), Error> {
    for target in targets {
        let why = if scenario.reads(target) {
            "one of the scenario's own input files".to_string()
        } else if target.is_dir() {
            "a folder".to_string()
        } else if let Some(file) = crate::report::file_above(target) {
            format!("inside {}, which is a file, not a folder", file.display())
        } else {
            continue;
        };
        let what = match target == &targets[0] {
            true => "is".to_string(),
            false => format!("would write {}, which is", target.display()),
        };
        return Err(Error::Usage(format!(
            "{flag} {}: {what} {why}; give a new file name",
            targets[0].display()
        )));
    }
    Ok(())
}

/// Default output folder of a scenario: `output/<file stem>/`.
fn default_out(scenario: &Path) -> PathBuf {
    PathBuf::from("output").join(stem(scenario))
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

/// Writes to stdout; a reader that went away (broken pipe) is not an error worth reporting.
pub(crate) fn write_stdout(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_fmt(args);
}
