//! `seatsim compare`: run two scenarios on the same random draws, write the paired
//! differences and show what the change buys.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use clap::Args;

use super::progress::Progress;
use crate::compare::{what_it_buys, write_compare, CompareSettings, Comparison};
use crate::engine::Engine;
use crate::scenario::Scenario;
use crate::Error;

/// Largest trial count accepted on the command line.
const MAX_TRIALS: u64 = 100_000_000;

/// Options of `seatsim compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The base scenario TOML file.
    pub base: PathBuf,
    /// The alternative scenario TOML file (the change to measure).
    pub alt: PathBuf,
    /// Number of paired trials (default: the base scenario's `trials`).
    #[arg(long)]
    pub trials: Option<u64>,
    /// Random seed shared by both scenarios (default: the base scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Output folder (default: output/compare-<base stem>-vs-<alt stem>/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// No progress bar and no table (notes on cells left out still go to stderr).
    #[arg(long)]
    pub quiet: bool,
}

/// Runs `seatsim compare`.
pub fn compare(args: &CompareArgs) -> Result<(), Error> {
    let base = Scenario::load(&args.base)?;
    let alt = Scenario::load(&args.alt)?;
    let threads = super::threads(args.threads)?;
    let trials = trials(args.trials, base.trials)?;
    let seed = args.seed.unwrap_or(base.seed);
    let out = args.out.clone().unwrap_or_else(|| {
        let name = format!("compare-{}-vs-{}", stem(&args.base), stem(&args.alt));
        PathBuf::from("output").join(name)
    });
    let c = Comparison::new(Engine::new(base), Engine::new(alt));
    if c.matching().pairs.is_empty() {
        return Err(Error::Usage(format!(
            "{} and {} share no district, stage and year: nothing to compare",
            args.base.display(),
            args.alt.display()
        )));
    }
    for note in c.matching().left_out.notes() {
        eprintln!("note: {note}");
    }

    let progress = Progress::new(trials, args.quiet);
    let started = Instant::now();
    let paired = c
        .run(seed, 0..trials, threads, &AtomicBool::new(false), &|done| {
            progress.update(done)
        })
        .map_err(|_| Error::Interrupted)?;
    let elapsed_seconds = started.elapsed().as_secs_f64();
    progress.finish();

    let settings = CompareSettings {
        seed,
        threads,
        elapsed_seconds,
    };
    write_compare(&out, &c, &paired, &settings)?;
    if !args.quiet {
        print!("{}", what_it_buys(&c, &paired));
        println!(
            "\n{trials} paired trials in {elapsed_seconds:.2} s on {threads} thread(s); results in {}",
            out.display()
        );
    }
    Ok(())
}

/// Trials to run: the request, or the scenario's default; between 1 and [`MAX_TRIALS`].
pub(super) fn trials(requested: Option<u64>, default: u64) -> Result<u64, Error> {
    let trials = requested.unwrap_or(default);
    if (1..=MAX_TRIALS).contains(&trials) {
        Ok(trials)
    } else {
        Err(Error::Usage(format!(
            "--trials {trials}: must be between 1 and {MAX_TRIALS}"
        )))
    }
}

/// A scenario file's stem, for default output folder names.
pub(super) fn stem(path: &Path) -> String {
    path.file_stem()
        .map_or_else(|| "run".into(), |s| s.to_string_lossy().into_owned())
}
