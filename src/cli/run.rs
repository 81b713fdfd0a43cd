//! `seatsim run`: load, project, write results, show the riskiest cells.

use std::ops::Range;
use std::path::Path;
use std::time::Instant;

use super::progress::Progress;
use super::{RunArgs, Sampling};
use crate::engine::{self, Accumulator, Discard, Engine, Keep, Mode};
use crate::report::trials::{Selection, TrialParts};
use crate::report::{self, RunSettings};
use crate::scenario::Scenario;
use crate::shard::{self, ShardSpec};
use crate::Error;

/// Runs `seatsim run`.
pub fn run(args: &RunArgs) -> Result<(), Error> {
    let scenario = Scenario::load(&args.scenario)?;
    let sampling = args.sampling.resolve(&scenario)?;
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
    let keep = args
        .keep_trials
        .as_deref()
        .map(|spec| Selection::parse(spec, &engine))
        .transpose()?;

    let (acc, elapsed) = match &keep {
        None => project(&engine, &mode, threads, args.quiet)?,
        Some(selection) => {
            project_keeping_trials(&engine, &mode, threads, args.quiet, selection, &out)?
        }
    };

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
            write_shard(&out, &meta, &acc, args.quiet)
        }
        None => finish(
            &out,
            &engine,
            &acc,
            &settings,
            Finish {
                quiet: args.quiet,
                plots: !args.no_plots,
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

/// [`project`], also writing the exact values of `selection` in every trial to
/// `out/trials.csv` (see [`crate::report::trials`]).
pub(super) fn project_keeping_trials(
    engine: &Engine,
    mode: &Mode,
    threads: usize,
    quiet: bool,
    selection: &Selection,
    out: &Path,
) -> Result<(Accumulator, f64), Error> {
    report::create_dir(out)?;
    let parts = TrialParts::new(selection, out);
    let (acc, kept, elapsed) = project_with(engine, mode, threads, quiet, &parts)?;
    report::write_atomic(&out.join("trials.csv"), |w| parts.write_csv(kept, w))?;
    Ok((acc, elapsed))
}

/// [`project`], handing every trial's values to `keep`.
fn project_with<K: Keep>(
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
    super::limits::check_memory(engine.layout().n_values(), workers)?;
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
    super::limits::check_range(engine, &acc)?;
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

/// Writes the results of a finished run (or of merged shards), its charts and its terminal
/// summary.
pub(super) fn finish(
    out: &Path,
    engine: &Engine,
    acc: &Accumulator,
    settings: &RunSettings,
    how: Finish,
) -> Result<(), Error> {
    report::write_run(out, engine, acc, settings)?;
    if how.plots {
        crate::plot::draw_run(out, &crate::plot::PlotOptions::default())?;
    }
    if !how.quiet {
        say!("{}", report::top_risks(engine, acc));
        say!(
            "{} trials in {:.2} s on {} thread(s); results in {}\n",
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
    out: &Path,
    meta: &shard::Meta,
    acc: &Accumulator,
    quiet: bool,
) -> Result<(), Error> {
    let header = shard::write(out, meta, acc)?;
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
