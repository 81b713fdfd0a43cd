//! `seatsim compare`: run two scenarios on the same random draws, write the paired
//! differences and show what the change buys.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;

use super::progress::Progress;
use super::{stem, Sampling, SamplingArgs};
use crate::compare::{what_it_buys, write_compare, CompareSettings, Comparison};
use crate::engine::Engine;
use crate::model::metrics::Metric;
use crate::report::OutputFolder;
use crate::scenario::Scenario;
use crate::Error;

/// Options of `seatsim compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The base scenario TOML file.
    pub base: PathBuf,
    /// The alternative scenario TOML file (the change to measure).
    pub alt: PathBuf,
    /// Trials, seed and threads, shared by both scenarios (defaults: the base scenario's).
    #[command(flatten)]
    pub sampling: SamplingArgs,
    /// Output folder (default: output/compare-<base stem>-vs-<alt stem>/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// No progress bar and no table (notes on cells left out still go to stderr).
    #[arg(long)]
    pub quiet: bool,
    /// Do not draw the charts and compare.html.
    #[arg(long)]
    pub no_plots: bool,
}

/// Runs `seatsim compare`.
pub fn compare(args: &CompareArgs) -> Result<(), Error> {
    let base = Scenario::load(&args.base)?;
    let alt = Scenario::load(&args.alt)?;
    let Sampling {
        trials,
        seed,
        threads,
    } = args.sampling.resolve(&base)?;
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
    // Each worker holds both scenarios' statistics and those of the shared cells' differences.
    let values = c.base().layout().n_values()
        + c.alt().layout().n_values()
        + c.matching().pairs.len() * Metric::COUNT;
    let need = super::limits::estimate(values, threads);
    super::limits::check_memory(need, values, threads)?;
    let folder = OutputFolder::open(&out, 0)?;

    let progress = Progress::new(trials, args.quiet);
    let started = Instant::now();
    let paired = c
        .run(seed, 0..trials, threads, super::interrupted(), &|done| {
            progress.update(done)
        })
        .map_err(|_| Error::Interrupted)?;
    let elapsed_seconds = started.elapsed().as_secs_f64();
    progress.finish();
    crate::compare::check_range(&c, &paired)?;

    let settings = CompareSettings {
        seed,
        threads,
        elapsed_seconds,
    };
    folder.fill(|dir| write_compare(dir, &c, &paired, &settings))?;
    folder.fill(|dir| super::plan::workbook(dir, c.base().scenario()))?;
    if !args.no_plots {
        folder.fill(crate::plot::draw_compare)?;
    }
    let out = folder.commit()?;
    if !args.quiet {
        say!("{}", what_it_buys(&c, &paired));
        let page = if args.no_plots {
            String::new()
        } else {
            format!("; open {}", out.join("compare.html").display())
        };
        say!(
            "\n{trials} paired trials in {elapsed_seconds:.2} s on {threads} thread(s); results in {}{page}\n",
            out.display()
        );
    }
    Ok(())
}
