//! `seatsim merge`: check that shard folders make up one run exactly once, merge them in trial
//! order and write the same result files as a single run.

use std::path::{Path, PathBuf};

use clap::Args;

use crate::engine::Engine;
use crate::report::{size_estimate, OutputFolder, RunSettings};
use crate::scenario::Scenario;
use crate::shard::{self, Part, ShardError};
use crate::Error;

/// Options of `seatsim merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shard folders written by `seatsim run --shard K/N`, in any order.
    #[arg(required = true, value_name = "SHARD_DIR")]
    pub shards: Vec<PathBuf>,
    /// Output folder for summary.csv, risk.csv and run.json.
    #[arg(long)]
    pub out: PathBuf,
    /// The scenario file, when it is not at the path recorded in the shards.
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    /// Do not draw charts.
    #[arg(long)]
    pub no_plots: bool,
    /// No summary table.
    #[arg(long)]
    pub quiet: bool,
}

/// Refuses an `--out` that is one of the shard folders: the merged results would replace the
/// shard they are read from.
fn refuse_out_in_shards(out: &Path, shards: &[PathBuf]) -> Result<(), Error> {
    let Ok(out_abs) = out.canonicalize() else {
        return Ok(());
    };
    match shards
        .iter()
        .find(|dir| dir.canonicalize().is_ok_and(|d| d == out_abs))
    {
        Some(dir) => Err(Error::Usage(format!(
            "--out {}: is the shard folder {}, which merging would replace; give a new folder",
            out.display(),
            dir.display()
        ))),
        None => Ok(()),
    }
}

/// Runs `seatsim merge`.
pub fn merge(args: &MergeArgs) -> Result<(), Error> {
    refuse_out_in_shards(&args.out, &args.shards)?;
    let parts = args
        .shards
        .iter()
        .map(|dir| Part::read(dir))
        .collect::<Result<Vec<_>, _>>()?;
    let parts = shard::in_trial_order(parts)?;
    let first = &parts[0];
    let engine = Engine::new(scenario_of(first, args.scenario.as_deref())?);
    let plots = !args.no_plots;
    let folder = OutputFolder::open(&args.out, size_estimate(engine.layout(), plots))?;
    let mut acc = first.load(engine.layout())?;
    for part in &parts[1..] {
        let next = part.load(engine.layout())?;
        if !acc.mergeable_with(&next) {
            return Err(ShardError::File {
                path: part.path.clone(),
                message: format!(
                    "its statistics are laid out or framed differently from those of {}: \
                     the shards were not run on the same scenario and seed",
                    first.path.display()
                ),
            }
            .into());
        }
        acc.merge(&next);
    }
    crate::report::check_range(&engine, &acc)?;
    let run = &first.header.run;
    let settings = RunSettings {
        seed: run.seed,
        trials: run.total_trials,
        threads: parts
            .iter()
            .map(|p| p.header.run.threads)
            .max()
            .unwrap_or(1),
        deterministic: false,
        elapsed_seconds: parts.iter().map(|p| p.header.run.elapsed_seconds).sum(),
        map_copied: false,
    };
    let how = super::run::Finish {
        quiet: args.quiet,
        plots,
    };
    super::run::finish(folder, &engine, &acc, &settings, how)
}

/// Loads the scenario the shards were run on (`--scenario`, or the path in `part`), refusing
/// a file whose SHA-256 differs from the one recorded.
fn scenario_of(part: &Part, path: Option<&Path>) -> Result<Scenario, Error> {
    let recorded = &part.header.run.scenario;
    if path.is_none() && !recorded.file.is_file() {
        return Err(ShardError::File {
            path: part.path.clone(),
            message: format!(
                "ran scenario {}, which is not there on this machine: pass its path with --scenario",
                recorded.file.display()
            ),
        }
        .into());
    }
    let path = path.unwrap_or(&recorded.file);
    let scenario = Scenario::load(path)?;
    if scenario.sha256 != recorded.sha256 {
        return Err(ShardError::Scenario {
            scenario: path.display().to_string(),
            actual: scenario.sha256,
            shard: part.name(),
            expected: recorded.sha256.clone(),
        }
        .into());
    }
    Ok(scenario)
}
