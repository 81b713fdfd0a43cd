//! `seatsim run`: load, project, write results, show the riskiest cells.

use std::time::Instant;

use super::progress::Progress;
use super::RunArgs;
use crate::engine::{self, Engine, Layout, Mode};
use crate::report::{self, RunSettings};
use crate::scenario::{Scenario, MAX_TRIALS};
use crate::Error;

/// Runs `seatsim run`.
pub fn run(args: &RunArgs) -> Result<(), Error> {
    let scenario = Scenario::load(&args.scenario)?;
    let threads = super::threads(args.threads)?;
    let trials = args.trials.unwrap_or(scenario.trials);
    if !(1..=MAX_TRIALS as u64).contains(&trials) {
        return Err(Error::Usage(format!(
            "--trials {trials}: must be between 1 and {MAX_TRIALS}"
        )));
    }
    let seed = args.seed.unwrap_or(scenario.seed);
    let mode = if args.deterministic {
        Mode::Deterministic
    } else {
        Mode::MonteCarlo {
            seed,
            range: 0..trials,
        }
    };
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| super::default_out(&args.scenario));
    let workers = if args.deterministic { 1 } else { threads };
    super::limits::check_memory(&Layout::new(&scenario), workers)?;
    let engine = Engine::new(scenario);

    let cancel = super::interrupted();
    let progress = Progress::new(mode.trials(), args.quiet);
    let started = Instant::now();
    let result = engine::run(&engine, &mode, threads, cancel, &|done| {
        progress.update(done)
    });
    progress.finish();
    let acc = result.map_err(|_| Error::Interrupted)?;
    let elapsed = started.elapsed().as_secs_f64();

    let settings = RunSettings {
        seed,
        trials: mode.trials(),
        threads,
        deterministic: args.deterministic,
        elapsed_seconds: elapsed,
        map_copied: false,
    };
    report::write_run(&out, &engine, &acc, &settings)?;
    if !args.quiet {
        print!("{}", report::top_risks(&engine, &acc));
        println!(
            "{} trials in {elapsed:.2} s on {threads} thread(s); results in {}",
            mode.trials(),
            out.display()
        );
    }
    Ok(())
}
