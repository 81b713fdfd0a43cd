//! `seatsim plan`: choose what to build, where and when (DESIGN §8); write plan.csv,
//! plan.json and, with `--write`, a scenario `run` and `compare` take.

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use clap::Args;

use super::progress::Progress;
use super::SamplingArgs;
use crate::engine::Engine;
use crate::plan::{self, Futures, KeepPipeline, Outcome, Planner, Problem, Run};
use crate::report::OutputFolder;
use crate::scenario::{Budgets, Scenario, MAX_PLAN_VALUE};
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
    if let Some(toml) = &args.write {
        super::check_targets(&scenario, "--write", &plan::scenario_files(toml))?;
    }
    scenario.plan.budgets = budgets(&args.budget, scenario.plan.budgets)?;
    let candidates = match &args.candidates {
        Some(path) => Some(scenario.read_candidates(path)?),
        None => None,
    };
    let run = args.sampling.resolve(&scenario)?;
    let fresh_seed = args.fresh_seed.unwrap_or(run.seed.wrapping_add(1));
    if fresh_seed == run.seed {
        return Err(Error::Usage(format!(
            "--fresh-seed {fresh_seed}: the seed the plan is chosen on; the fresh trials that \
             check it need another seed (default: seed + 1)"
        )));
    }
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
    let project =
        |engine: &Engine, seed| futures(engine, seed, run.trials, run.threads, args.quiet);
    let searched = project(&planner.base, run.seed)?;
    searched.check_range(&planner.base)?;
    let form = planner.form(&searched);
    let classes = planner.class_model(&searched);
    let problem = Problem {
        scenario: &planner.original,
        futures: &searched,
        candidates: &planner.candidates,
        form: &form,
        budgets: planner.original.plan.budgets,
        classes: classes.as_ref(),
    };
    let solution = plan::solve(&problem, super::interrupted());
    if super::interrupted().load(Ordering::Relaxed) {
        return Err(Error::Interrupted);
    }
    let projects = planner.projects(&solution.built);
    let with_plan = Engine::new(Scenario {
        projects: projects.clone(),
        ..planner.original.clone()
    });
    let before = match keep {
        KeepPipeline::Keep => project(&planner.base, fresh_seed)?,
        _ => project(&Engine::new(planner.original.clone()), fresh_seed)?,
    };
    let after = project(&with_plan, fresh_seed)?;
    let outcome = Outcome::new(&planner, &problem, solution, &before, &after);
    let settings = Run {
        seed: run.seed,
        trials: run.trials,
        fresh_seed,
    };
    let mut staged =
        folder.fill(|dir| plan::write_plan(dir, &planner, &problem, &outcome, &settings))?;
    staged.push(folder.fill(|dir| workbook(dir, &planner.original))?);
    // plan.html is a view of the files just written, drawn as `seatsim plot` redraws it.
    staged.extend(folder.fill(crate::plot::draw_plan)?);
    let out = folder.commit()?;
    let mut written: Vec<PathBuf> = staged
        .iter()
        .filter_map(|p| p.file_name())
        .map(|name| out.join(name))
        .collect();
    if let Some(toml) = &args.write {
        written.extend(plan::write_scenario(
            toml,
            &planner.original,
            &projects,
            planner.base.scenario().projects.len(),
        )?);
    }
    if !args.quiet {
        say!("{}", plan::summary(&planner, &problem, &outcome));
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
    let mut given: Vec<&str> = Vec::new();
    for flag in flags {
        let bad = |why: &str| Error::Usage(format!("--budget {flag}: {why}"));
        let (kind, value) = flag
            .split_once('=')
            .ok_or_else(|| bad("write KIND=VALUE, e.g. yuan=5e9 or classes=600"))?;
        if given.contains(&kind.trim()) {
            return Err(bad(&format!(
                "a second {} budget; give each kind once",
                kind.trim()
            )));
        }
        given.push(kind.trim());
        let value: f64 = value
            .trim()
            .parse()
            .ok()
            .filter(|x: &f64| (0.0..=MAX_PLAN_VALUE).contains(x))
            .ok_or_else(|| {
                bad(&format!(
                    "the value must be a number ≥ 0 and at most {MAX_PLAN_VALUE:e}, as in [plan]"
                ))
            })?;
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
