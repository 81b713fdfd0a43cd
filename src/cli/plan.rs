//! `seatsim plan`: choose what to build, where and when (DESIGN §8); write plan.csv,
//! plan.json and, with `--write`, a scenario `run` and `compare` take.

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;

use super::progress::Progress;
use super::{Sampling, SamplingArgs};
use crate::engine::Engine;
use crate::plan::{self, Futures, KeepPipeline, PlanReport, Planner, Problem, Search};
use crate::scenario::{Budgets, Scenario};
use crate::Error;

/// Largest trials × cells the futures may hold (two numbers each): 2 GB.
const MAX_FUTURE_VALUES: u64 = 1 << 27;

/// Options of `seatsim plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The scenario TOML file.
    pub scenario: PathBuf,
    /// Candidates CSV (projects.csv columns plus earliest_year, latest_year[, cost]); default:
    /// a standard new school and expansion of every stage in every district.
    #[arg(long)]
    pub candidates: Option<PathBuf>,
    /// A budget, overriding [plan]: yuan=Y, classes=K, yuan_per_year=Y or classes_per_year=K;
    /// repeat for several.
    #[arg(long, value_name = "KIND=VALUE")]
    pub budget: Vec<String>,
    /// Trials, seed and threads (the trials are those of `run` with the same seed).
    #[command(flatten)]
    pub sampling: SamplingArgs,
    /// Seed of the fresh trials the plan is checked on (default: seed + 1).
    #[arg(long)]
    pub fresh_seed: Option<u64>,
    /// Output folder (default: output/<scenario file stem>/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// What to do with the scenario's own pipeline.
    #[arg(long, value_enum, default_value_t = KeepPipeline::Keep)]
    pub keep_pipeline: KeepPipeline,
    /// Also write a scenario (TOML + FILE-projects.csv) with the plan's projects.
    #[arg(long, value_name = "FILE")]
    pub write: Option<PathBuf>,
    /// No progress bar and no summary.
    #[arg(long)]
    pub quiet: bool,
}

/// Runs `seatsim plan`.
pub fn plan(args: &PlanArgs) -> Result<(), Error> {
    let mut scenario = Scenario::load(&args.scenario)?;
    scenario.plan.budgets = budgets(&args.budget, scenario.plan.budgets)?;
    let candidates = match &args.candidates {
        Some(path) => Some(scenario.read_candidates(path)?),
        None => None,
    };
    let Sampling {
        trials,
        seed,
        threads,
    } = args.sampling.resolve(&scenario)?;
    let fresh_seed = args.fresh_seed.unwrap_or(seed.wrapping_add(1));
    let planner = Planner::new(scenario, args.keep_pipeline, candidates).map_err(Error::Usage)?;
    let width = planner.base.layout().n_cells() as u64;
    if trials.saturating_mul(width) > MAX_FUTURE_VALUES {
        return Err(Error::Usage(format!(
            "--trials {trials}: {trials} trials × {width} cells is more than plan holds in memory ({MAX_FUTURE_VALUES} values); use fewer trials"
        )));
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| super::default_out(&args.scenario));
    let started = Instant::now();
    let project = |engine: &Engine, seed| futures(engine, seed, trials, threads, args.quiet);
    let searched = project(&planner.base, seed)?;
    let s = &planner.original;
    let problem = Problem {
        scenario: s,
        futures: &searched,
        candidates: &planner.candidates,
        weights: s.plan.weights,
        budgets: s.plan.budgets,
    };
    let mut search = Search::new(&problem, threads);
    search.run(super::interrupted());
    if super::interrupted().load(std::sync::atomic::Ordering::Relaxed) {
        return Err(Error::Interrupted);
    }
    let fresh = project(&planner.base, fresh_seed)?;
    let built = search.built();
    let (pipeline_in_sample, pipeline_fresh) = match planner.keep {
        KeepPipeline::Keep => (
            plan::evaluate(&problem, &searched, &[]),
            plan::evaluate(&problem, &fresh, &[]),
        ),
        _ => {
            let own = Engine::new(s.clone());
            let (a, b) = (project(&own, seed)?, project(&own, fresh_seed)?);
            (
                plan::evaluate(&problem, &a, &[]),
                plan::evaluate(&problem, &b, &[]),
            )
        }
    };
    let report = PlanReport {
        version: env!("CARGO_PKG_VERSION"),
        scenario: s.name.clone(),
        scenario_sha256: s.sha256.clone(),
        pipeline: planner.keep,
        trials,
        seed,
        fresh_seed,
        candidates: planner.candidates.len(),
        weights: s.plan.weights.into(),
        budgets: s.plan.budgets.into(),
        projects: built.len(),
        classes: built
            .iter()
            .map(|b| u64::from(planner.candidates[b.candidate].classes))
            .sum(),
        in_sample: search.objective(),
        fresh: plan::evaluate(&problem, &fresh, built),
        pipeline_in_sample,
        pipeline_fresh,
        elapsed_seconds: started.elapsed().as_secs_f64(),
    };
    let buys: Vec<_> = (0..built.len()).map(|i| search.buys(i)).collect();
    let mut written = plan::write_plan(&out, &planner, built, &buys, &report)?;
    if let Some(toml) = &args.write {
        written.extend(plan::write_scenario(toml, s, &planner.projects(built))?);
    }
    if !args.quiet {
        say!("{}", plan::summary(&report));
        say!("wrote {}\n", list(&written));
    }
    Ok(())
}

/// Projects `trials` futures of `engine` under `seed`, with a progress bar unless `quiet`.
fn futures(
    engine: &Engine,
    seed: u64,
    trials: u64,
    threads: usize,
    quiet: bool,
) -> Result<Futures, Error> {
    let progress = Progress::new(trials, quiet);
    let result = Futures::project(
        engine,
        seed,
        0..trials,
        threads,
        super::interrupted(),
        &|done| progress.update(done),
    );
    progress.finish();
    result.map_err(|_| Error::Interrupted)
}

/// `--budget KIND=VALUE` flags over the scenario's budgets.
fn budgets(flags: &[String], mut b: Budgets) -> Result<Budgets, Error> {
    for flag in flags {
        let bad = |why: &str| Error::Usage(format!("--budget {flag}: {why}"));
        let (kind, value) = flag
            .split_once('=')
            .ok_or_else(|| bad("write KIND=VALUE, e.g. yuan=5e9 or classes=600"))?;
        let value: f64 = value
            .trim()
            .parse()
            .ok()
            .filter(|x: &f64| x.is_finite() && *x >= 0.0)
            .ok_or_else(|| bad("the value must be a number ≥ 0"))?;
        let slot = match kind.trim() {
            "yuan" => &mut b.yuan,
            "classes" => &mut b.classes,
            "yuan_per_year" => &mut b.yuan_per_year,
            "classes_per_year" => &mut b.classes_per_year,
            _ => {
                return Err(bad(
                    "KIND must be yuan, classes, yuan_per_year or classes_per_year",
                ))
            }
        };
        *slot = Some(value);
    }
    Ok(b)
}

fn list(paths: &[PathBuf]) -> String {
    let names: Vec<_> = paths.iter().map(|p| Path::display(p).to_string()).collect();
    names.join(", ")
}
