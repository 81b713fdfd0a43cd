//! `seatsim backtest`: run a scenario from its base year, score it against observed values and
//! print its accuracy by metric and horizon.

use std::path::PathBuf;

use clap::Args;

use super::{stem, Sampling, SamplingArgs};
use crate::backtest::{accuracy_table, read_observed, summarize, write_backtest, Score};
use crate::engine::{Engine, Mode};
use crate::scenario::Scenario;
use crate::Error;

/// Options of `seatsim backtest`.
#[derive(Debug, Args)]
pub struct BacktestArgs {
    /// The scenario TOML file, with its base year before the observed years.
    pub scenario: PathBuf,
    /// Observed values: CSV with columns district,stage,year,metric,value.
    #[arg(long)]
    pub observed: PathBuf,
    /// Trials, seed and threads.
    #[command(flatten)]
    pub sampling: SamplingArgs,
    /// Output folder (default: output/backtest-<scenario file stem>/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Score the deterministic projection (one trial, every shock at its central value).
    #[arg(long)]
    pub deterministic: bool,
    /// No progress bar and no summary table.
    #[arg(long)]
    pub quiet: bool,
    /// Also write every trial's exact values of these cells to trials.csv, as
    /// `run --keep-trials` does, e.g. 'ALL/*/*'.
    #[arg(long, value_name = "CELLS")]
    pub keep_trials: Option<String>,
}

/// Runs `seatsim backtest`.
pub fn backtest(args: &BacktestArgs) -> Result<(), Error> {
    let scenario = Scenario::load(&args.scenario)?;
    let sampling = args.sampling.resolve(&scenario)?;
    let Sampling {
        trials,
        seed,
        threads,
    } = sampling;
    let mode = sampling.mode(args.deterministic, 0..trials);
    let out = args.out.clone().unwrap_or_else(|| {
        PathBuf::from("output").join(format!("backtest-{}", stem(&args.scenario)))
    });
    let engine = Engine::new(scenario);
    let observations = read_observed(&args.observed, &engine)?;

    let keep = args.keep_trials.as_deref();
    let (acc, _) = super::run::project_keeping(&engine, &mode, threads, args.quiet, keep, &out)?;

    let scores: Vec<Score> = observations.iter().map(|o| Score::of(o, &acc)).collect();
    let summary = summarize(&observations, &scores);
    write_backtest(&out, &observations, &scores, &summary)?;
    if !args.quiet {
        let how = match mode {
            Mode::Deterministic => "deterministic projection".to_string(),
            Mode::MonteCarlo { .. } => format!("{trials} trials, seed {seed}"),
        };
        say!(
            "Backtest of {} against {} ({how}):\n",
            engine.scenario().name,
            args.observed.display()
        );
        say!("{}", accuracy_table(&summary));
        say!(
            "{} observation(s) read; results in {}\n",
            observations.len(),
            out.display()
        );
    }
    Ok(())
}
