//! `seatsim run`: load, project, write results, show the riskiest cells.

use std::ops::Range;
use std::path::Path;
use std::time::Instant;

use super::progress::Progress;
use super::{RunArgs, Sampling};
use crate::engine::{self, Accumulator, Discard, Engine, Keep, Mode};
use crate::report::trials::{Selection, TrialParts};
use crate::report::{self, OutputFolder, RunSettings};
use crate::scenario::Scenario;
use crate::shard::{self, ShardSpec};
use crate::Error;

/// Runs `seatsim run`.
pub fn run(args: &RunArgs) -> Result<(), Error> {
    let scenario = Scenario::load(&args.scenario)?;
    let sampling = args.sampling.resolve(&scenario)?;
    args.sampling.warn_if_deterministic(args.deterministic);
    let Sampling {
        trials,
        seed,
        threads,
    } = sampling;
    let mode = sampling.mode(args.deterministic, trial_range(args.shard, trials)?);
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| super::default_out(&args.scenario));
    let engine = Engine::new(scenario);
    let plots = !args.no_plots && args.shard.is_none();
    // A shard's compressed state has no cheap lower bound on its size: only the write knows.
    let need = match args.shard {
        Some(_) => 0,
        None => report::size_estimate(engine.layout(), plots),
    };
    let folder = OutputFolder::open(&out, need)?;

    let keep = args.keep_trials.as_deref();
    let (acc, elapsed) =
        folder.fill(|dir| project_keeping(&engine, &mode, threads, args.quiet, keep, dir))?;

    let settings = RunSettings {
        seed,
        trials: mode.trials(),
        threads,
        deterministic: args.deterministic,
        elapsed_seconds: elapsed,
        map_copied: false,
    };
    match args.shard {
        Some(part) => {
            let meta = shard::Meta::new(engine.scenario(), part, trials, &settings)?;
            write_shard(folder, &meta, &acc, args.quiet)
        }
        None => finish(
            folder,
            &engine,
            &acc,
            &settings,
            Finish {
                quiet: args.quiet,
                plots,
            },
        ),
    }
}

/// Runs the trials of `mode` on `threads` workers, with a progress bar unless `quiet`, and
/// refuses a run too big for memory before it starts and results beyond what the statistics
/// hold exactly after; returns them and the seconds the trials took. Ctrl-C or SIGTERM stops
/// it with [`Error::Interrupted`].
pub(super) fn project(
    engine: &Engine,
    mode: &Mode,
    threads: usize,
    quiet: bool,
) -> Result<(Accumulator, f64), Error> {
    project_with(engine, mode, threads, quiet, &Discard).map(|(acc, _, elapsed)| (acc, elapsed))
}

/// [`project`], also writing the exact values of the cells `keep` names (`--keep-trials`) in
/// every trial to `out/trials.csv` (see [`crate::report::trials`]).
pub(super) fn project_keeping(
    engine: &Engine,
    mode: &Mode,
    threads: usize,
    quiet: bool,
    keep: Option<&str>,
    out: &Path,
) -> Result<(Accumulator, f64), Error> {
    let Some(spec) = keep else {
        return project(engine, mode, threads, quiet);
    };
    let selection = Selection::parse(spec, engine)?;
    report::create_dir(out)?;
    let parts = TrialParts::new(&selection, out);
    let (acc, kept, elapsed) = project_with(engine, mode, threads, quiet, &parts)?;
    report::write_atomic(&out.join("trials.csv"), |w| parts.write_csv(kept, w))?;
    Ok((acc, elapsed))
}

/// [`project`], handing every trial's values to `keep`.
pub(super) fn project_with<K: Keep>(
    engine: &Engine,
    mode: &Mode,
    threads: usize,
    quiet: bool,
    keep: &K,
) -> Result<(Accumulator, Vec<K::Part>, f64), Error> {
    let workers = match mode {
        Mode::Deterministic => 1,
        Mode::MonteCarlo { .. } => threads,
    };
    let values = engine.layout().n_values();
    let need = super::limits::run_estimate(values, workers);
    super::limits::check_memory(need, values, workers)?;
    let progress = Progress::new(mode.trials(), quiet);
    let started = Instant::now();
    let result = engine::run_keeping(
        engine,
        mode,
        threads,
        super::interrupted(),
        &|done| progress.update(done),
        keep,
    );
    progress.finish();
    let (acc, kept) = result.map_err(|_| Error::Interrupted)?;
    let elapsed = started.elapsed().as_secs_f64();
    crate::report::check_range(engine, &acc)?;
    Ok((acc, kept, elapsed))
}

/// What to do besides writing the result files.
#[derive(Debug, Clone, Copy)]
pub(super) struct Finish {
    /// Print nothing on the terminal.
    pub quiet: bool,
    /// Draw the charts and report.html.
    pub plots: bool,
}

/// Writes the results of a finished run (or of merged shards) and its charts into `folder`,
/// switches them in as one result set, and prints the terminal summary.
pub(super) fn finish(
    folder: OutputFolder,
    engine: &Engine,
    acc: &Accumulator,
    settings: &RunSettings,
    how: Finish,
) -> Result<(), Error> {
    folder.fill(|dir| report::write_run(dir, engine, acc, settings))?;
    if how.plots {
        folder.fill(|dir| crate::plot::draw_run(dir, &crate::plot::PlotOptions::default()))?;
    }
    let out = folder.commit()?;
    if !how.quiet {
        say!("{}", report::top_risks(engine, acc));
        if let Some(note) = engine.scenario().after_horizon_note() {
            say!("{note}\n");
        }
        let report = if how.plots {
            format!("; open {}", out.join("report.html").display())
        } else {
            String::new()
        };
        say!(
            "{} trials in {:.2} s on {} thread(s); results in {}{report}\n",
            settings.trials,
            settings.elapsed_seconds,
            settings.threads,
            out.display()
        );
    }
    Ok(())
}

/// The trials to run: all of them, or those of `--shard k/n`.
fn trial_range(shard: Option<ShardSpec>, trials: u64) -> Result<Range<u64>, Error> {
    match shard {
        Some(part) => part
            .range(trials)
            .map_err(|e| Error::Usage(format!("--shard {e}"))),
        None => Ok(0..trials),
    }
}

/// Saves a shard's state for `seatsim merge`, instead of result files.
fn write_shard(
    folder: OutputFolder,
    meta: &shard::Meta,
    acc: &Accumulator,
    quiet: bool,
) -> Result<(), Error> {
    folder.fill(|dir| shard::write(dir, meta, acc))?;
    let header = folder.commit()?.join(shard::HEADER_FILE);
    if !quiet {
        say!(
            "shard {}: trials {}..{} of {} in {:.2} s, saved in {}; combine the shards with \
             `seatsim merge`\n",
            meta.shard,
            meta.trials.start,
            meta.trials.end,
            meta.total_trials,
            meta.elapsed_seconds,
            header.display()
        );
    }
    Ok(())
}
