//! `seatsim plan`: choose what to build, where and when (DESIGN §8); write plan.csv,
//! plan.json and, with `--write`, a scenario `run` and `compare` take.

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::Instant;

use clap::Args;

use super::progress::Progress;
use super::{Sampling, SamplingArgs};
use crate::engine::Engine;
use crate::plan::{
    self, Built, Futures, KeepPipeline, Paired, PlanReport, Planner, Problem, Search, Seconds,
};
use crate::report::OutputFolder;
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
    /// What to do with the scenario's own pipeline (default: [plan] pipeline, or keep).
    #[arg(long, value_enum)]
    pub keep_pipeline: Option<KeepPipeline>,
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
    let run = args.sampling.resolve(&scenario)?;
    let fresh_seed = args.fresh_seed.unwrap_or(run.seed.wrapping_add(1));
    let keep = args.keep_pipeline.unwrap_or(scenario.plan.pipeline);
    let planner = Planner::new(scenario, keep, candidates).map_err(Error::Usage)?;
    let width = planner.base.layout().n_cells() as u64;
    if run.trials.saturating_mul(width) > MAX_FUTURE_VALUES {
        let trials = run.trials;
        return Err(Error::Usage(format!(
            "--trials {trials}: {trials} trials × {width} cells is more than plan holds in memory ({MAX_FUTURE_VALUES} values); use fewer trials"
        )));
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| super::default_out(&args.scenario));
    // Locked and checked for room before the search, replaced whole after it, as `run` does.
    let folder = OutputFolder::open(&out, 0)?;
    let (report, built, buys) = choose(&planner, run, fresh_seed, args.quiet)?;
    let mut staged = folder.fill(|dir| plan::write_plan(dir, &planner, &built, &buys, &report))?;
    staged.push(folder.fill(|dir| workbook(dir, &planner.original))?);
    let out = folder.commit()?;
    let mut written: Vec<PathBuf> = staged
        .iter()
        .filter_map(|p| p.file_name())
        .map(|name| out.join(name))
        .collect();
    if let Some(toml) = &args.write {
        let projects = planner.projects(&built);
        written.extend(plan::write_scenario(toml, &planner.original, &projects)?);
    }
    if !args.quiet {
        say!("{}", plan::summary(&report));
        say!("wrote {}\n", list(&written));
    }
    Ok(())
}

/// A plan's report, the projects it builds and what each buys (seat-years short avoided,
/// spare added).
type Chosen = (PlanReport, Vec<Built>, Vec<(f64, f64)>);

/// Projects the trials, searches, and scores the plan and the pipeline on the trials
/// searched and on fresh ones; returns the report, the projects built and what each buys.
fn choose(planner: &Planner, run: Sampling, fresh_seed: u64, quiet: bool) -> Result<Chosen, Error> {
    let s = &planner.original;
    let clock = Instant::now();
    let project = |engine: &Engine, seed| futures(engine, seed, run.trials, run.threads, quiet);
    let searched = project(&planner.base, run.seed)?;
    let mut trial_seconds = clock.elapsed().as_secs_f64();
    let problem = Problem {
        scenario: s,
        futures: &searched,
        candidates: &planner.candidates,
        weights: s.plan.weights,
        budgets: s.plan.budgets,
    };
    let clock = Instant::now();
    let mut search = Search::new(&problem, run.threads);
    let progress = Progress::steps("projects added or moves tried", quiet);
    search.run(super::interrupted(), &|n| progress.update(n));
    progress.finish();
    if super::interrupted().load(Ordering::Relaxed) {
        return Err(Error::Interrupted);
    }
    let search_seconds = clock.elapsed().as_secs_f64();
    let clock = Instant::now();
    let fresh = project(&planner.base, fresh_seed)?;
    let built = search.built().to_vec();
    let (pipeline, pipeline_fresh) = match planner.keep {
        KeepPipeline::Keep => (
            plan::evaluate(&problem, &searched, &[]),
            plan::evaluate(&problem, &fresh, &[]),
        ),
        _ => {
            let own = Engine::new(s.clone());
            let (a, b) = (project(&own, run.seed)?, project(&own, fresh_seed)?);
            (
                plan::evaluate(&problem, &a, &[]),
                plan::evaluate(&problem, &b, &[]),
            )
        }
    };
    trial_seconds += clock.elapsed().as_secs_f64();
    let (in_sample, fresh) = (search.objective(), plan::evaluate(&problem, &fresh, &built));
    let report = PlanReport {
        version: env!("CARGO_PKG_VERSION"),
        scenario: s.name.clone(),
        scenario_sha256: s.sha256.clone(),
        pipeline: planner.keep,
        trials: run.trials,
        seed: run.seed,
        fresh_seed,
        candidates: planner.candidates.len(),
        weights: s.plan.weights.into(),
        budgets: s.plan.budgets.into(),
        projects: built.len(),
        classes: built
            .iter()
            .map(|b| u64::from(planner.candidates[b.candidate].classes))
            .sum(),
        in_sample: in_sample.objective,
        fresh: fresh.objective,
        pipeline_in_sample: pipeline.objective,
        pipeline_fresh: pipeline_fresh.objective,
        avoided_in_sample: Paired::of(&pipeline.shortfall_by_trial, &in_sample.shortfall_by_trial),
        avoided_fresh: Paired::of(
            &pipeline_fresh.shortfall_by_trial,
            &fresh.shortfall_by_trial,
        ),
        seconds: Seconds {
            trials: trial_seconds,
            search: search_seconds,
        },
    };
    let buys = (0..built.len()).map(|i| search.buys(i)).collect();
    Ok((report, built, buys))
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

/// Writes `results.xlsx` from the tables in `dir`; returns its path.
pub(super) fn workbook(dir: &Path, s: &crate::scenario::Scenario) -> Result<PathBuf, Error> {
    use crate::report::xlsx;
    xlsx::write_workbook(dir, &xlsx::DistrictNames::of(s))?;
    Ok(dir.join(xlsx::WORKBOOK))
}
