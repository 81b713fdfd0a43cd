//! `seatsim backtest`: run one scenario, or several origins of a rolling-origin back-test,
//! score them against observed values and print their accuracy by origin, metric, stage and
//! horizon.

use std::path::{Path, PathBuf};

use clap::Args;

use super::{stem, Sampling, SamplingArgs};
use crate::backtest::{
    accuracy_table, read_observed, score_all, summarize, write_backtest, Both, Observation,
    ObservedValues, Origin, OtherYears, Score, Scored,
};
use crate::engine::{Accumulator, Engine, Mode};
use crate::report::trials::{Selection, TrialParts};
use crate::report::{self, OutputFolder};
use crate::scenario::Scenario;
use crate::Error;

/// Options of `seatsim backtest`.
#[derive(Debug, Args)]
pub struct BacktestArgs {
    /// The scenario TOML file, with its base year before the observed years (the first
    /// origin; more with --origin).
    pub scenario: Option<PathBuf>,
    /// A further origin of a rolling-origin back-test: a scenario built from what was known
    /// by its base year. Repeatable; each is scored on the observed years within its years.
    #[arg(long = "origin", value_name = "SCENARIO")]
    pub origins: Vec<PathBuf>,
    /// Observed values: CSV with columns district,stage,year,metric,value. Once for every
    /// origin, or once per origin in the same order.
    #[arg(long, required = true)]
    pub observed: Vec<PathBuf>,
    /// Trials, seed and threads (the defaults are each origin's own).
    #[command(flatten)]
    pub sampling: SamplingArgs,
    /// Output folder (default: output/backtest-<scenario file stem>/, or
    /// output/backtest-rolling/ for several origins).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Score the deterministic projection (one trial, every shock at its central value).
    #[arg(long)]
    pub deterministic: bool,
    /// Do not draw the chart and backtest.html.
    #[arg(long)]
    pub no_plots: bool,
    /// No progress bar and no summary table.
    #[arg(long)]
    pub quiet: bool,
    /// Also write every trial's exact values of these cells to trials.csv, as
    /// `run --keep-trials` does, e.g. 'ALL/*/*' (one origin only).
    #[arg(long, value_name = "CELLS")]
    pub keep_trials: Option<String>,
}

/// One origin, checked and ready to run.
struct Ready {
    origin: Origin,
    engine: Engine,
    sampling: Sampling,
    observations: Vec<Observation>,
}

/// Runs `seatsim backtest`.
pub fn backtest(args: &BacktestArgs) -> Result<(), Error> {
    let ready = prepare(args)?;
    args.sampling.warn_if_deterministic(args.deterministic);
    let out = args.out.clone().unwrap_or_else(|| match ready.as_slice() {
        [one] => PathBuf::from("output").join(format!("backtest-{}", one.origin.id)),
        _ => PathBuf::from("output").join("backtest-rolling"),
    });
    let folder = OutputFolder::open(&out, 0)?;
    let mut scores = Vec::with_capacity(ready.len());
    for r in &ready {
        let keep = args.keep_trials.as_deref();
        let s = folder.fill(|dir| score_origin(r, args.deterministic, args.quiet, keep, dir))?;
        scores.push(s);
    }
    let scored: Vec<Scored> = ready
        .iter()
        .zip(&scores)
        .map(|(r, s)| Scored {
            origin: &r.origin.id,
            observations: &r.observations,
            scores: s,
        })
        .collect();
    let summary = summarize(&scored);
    let origins: Vec<Origin> = ready.iter().map(|r| r.origin.clone()).collect();
    folder.fill(|dir| write_backtest(dir, &origins, &scored, &summary))?;
    if !args.no_plots {
        folder.fill(crate::plot::draw_backtest)?;
    }
    let out = folder.commit()?;
    if !args.quiet {
        for r in &ready {
            let o = &r.origin;
            let how = if o.deterministic {
                "deterministic projection".to_string()
            } else {
                format!("{} trials, seed {}", o.trials, o.seed)
            };
            say!(
                "Origin {} ({}, base year {}): {} observation(s) of {} ({how})\n",
                o.id,
                o.name,
                o.base_year,
                r.observations.len(),
                o.observed.display()
            );
        }
        say!("{}", accuracy_table(&summary));
        say!("Results in {}\n", out.display());
    }
    Ok(())
}

/// Checks the command line, loads every origin's scenario and reads its observations, before
/// anything runs or is written.
fn prepare(args: &BacktestArgs) -> Result<Vec<Ready>, Error> {
    let scenarios: Vec<&PathBuf> = args.scenario.iter().chain(&args.origins).collect();
    if scenarios.is_empty() {
        return Err(Error::Usage(
            "backtest needs a scenario: give SCENARIO or --origin SCENARIO".into(),
        ));
    }
    let several = scenarios.len() > 1;
    if args.observed.len() != 1 && args.observed.len() != scenarios.len() {
        return Err(Error::Usage(format!(
            "--observed is given {} times for {} origins: give it once for all origins or once per origin",
            args.observed.len(),
            scenarios.len()
        )));
    }
    if several && args.keep_trials.is_some() {
        return Err(Error::Usage(
            "--keep-trials works with one origin only".into(),
        ));
    }
    let other_years = if several {
        OtherYears::Skip
    } else {
        OtherYears::Refuse
    };
    let mut ready: Vec<Ready> = Vec::with_capacity(scenarios.len());
    for (i, path) in scenarios.into_iter().enumerate() {
        let id = stem(path);
        if ready.iter().any(|r| r.origin.id == id) {
            return Err(Error::Usage(format!(
                "two origins named {id}: origins are told apart by their scenario file names"
            )));
        }
        let observed = &args.observed[i.min(args.observed.len() - 1)];
        ready.push(load(path, id, observed, args, other_years)?);
    }
    Ok(ready)
}

/// Loads one origin's scenario and observations.
fn load(
    path: &Path,
    id: String,
    observed: &Path,
    args: &BacktestArgs,
    other_years: OtherYears,
) -> Result<Ready, Error> {
    let scenario = Scenario::load(path)?;
    let sampling = args.sampling.resolve(&scenario)?;
    let origin = Origin {
        id,
        scenario: path.to_path_buf(),
        name: scenario.name.clone(),
        base_year: scenario.base_year.0,
        horizon: scenario.horizon.0,
        trials: if args.deterministic {
            1
        } else {
            sampling.trials
        },
        seed: sampling.seed,
        deterministic: args.deterministic,
        observed: observed.to_path_buf(),
    };
    let engine = Engine::new(scenario);
    let observations = read_observed(observed, &engine, other_years)?;
    Ok(Ready {
        origin,
        engine,
        sampling,
        observations,
    })
}

/// Runs one origin (and, for Monte Carlo, its deterministic projection as a reference) and
/// scores its observations; `--keep-trials` writes trials.csv into `dir`.
fn score_origin(
    r: &Ready,
    deterministic: bool,
    quiet: bool,
    keep_trials: Option<&str>,
    dir: &Path,
) -> Result<Vec<Score>, Error> {
    let mode = r.sampling.mode(deterministic, 0..r.sampling.trials);
    let (acc, kept) = match keep_trials {
        None => run_keeping_observed(r, &mode, quiet)?,
        Some(spec) => {
            let selection = Selection::parse(spec, &r.engine)?;
            report::create_dir(dir)?;
            let parts = TrialParts::new(&selection, dir);
            let values = ObservedValues::new(&r.observations);
            let keep = Both(values, parts);
            let (acc, kept, _) =
                super::run::project_with(&r.engine, &mode, r.sampling.threads, quiet, &keep)?;
            let (observed, trials): (Vec<_>, Vec<_>) = kept.into_iter().unzip();
            report::write_atomic(&dir.join("trials.csv"), |w| keep.1.write_csv(trials, w))?;
            (acc, keep.0.sorted(observed))
        }
    };
    let reference = match mode {
        Mode::Deterministic => None,
        Mode::MonteCarlo { .. } => Some(run_keeping_observed(r, &Mode::Deterministic, true)?.1),
    };
    Ok(score_all(
        &r.observations,
        &acc,
        &kept,
        reference.as_deref(),
    ))
}

/// Runs `mode` for origin `r`, keeping its observed cells' values.
fn run_keeping_observed(
    r: &Ready,
    mode: &Mode,
    quiet: bool,
) -> Result<(Accumulator, Vec<Vec<f64>>), Error> {
    let keep = ObservedValues::new(&r.observations);
    let (acc, parts, _) =
        super::run::project_with(&r.engine, mode, r.sampling.threads, quiet, &keep)?;
    Ok((acc, keep.sorted(parts)))
}
