//! `seatsim plot`: redraw a finished run's charts and report from its files.

use super::PlotArgs;
use crate::plot::{draw_run, PlotOptions};
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
    let written = draw_run(&args.run_dir, &options)?;
    println!(
        "{} files drawn; open {}",
        written.len(),
        args.run_dir.join("report.html").display()
    );
    Ok(())
}
