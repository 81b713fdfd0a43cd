//! `seatsim plot`: redraw a finished run's charts and report from its files.

use super::PlotArgs;
use crate::plot::{draw_run, PlotOptions, PLOTS, REPORT};
use crate::report::OutputFolder;
use crate::Error;

/// Runs `seatsim plot`.
pub fn run(args: &PlotArgs) -> Result<(), Error> {
    if !args.run_dir.join("run.json").is_file() {
        return Err(Error::Usage(format!(
            "{}: not a run folder (no run.json); give the folder `seatsim run` wrote",
            args.run_dir.display()
        )));
    }
    let options = PlotOptions {
        map_year: args.map_year,
        ..PlotOptions::default()
    };
    // Drawn into a new copy of the result set, which replaces the old one whole: no chart of
    // an earlier drawing (another map year, say) stays beside the new ones.
    let folder = OutputFolder::open(&args.run_dir, 0)?;
    folder.keep_all_except(&[REPORT, PLOTS])?;
    let written = folder.fill(|dir| draw_run(dir, &options))?;
    let out = folder.commit()?;
    say!(
        "{} files drawn; open {}\n",
        written.len(),
        out.join(REPORT).display()
    );
    Ok(())
}
