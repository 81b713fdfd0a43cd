//! `seatsim plot`: redraw a finished run's (or comparison's) charts and page from its files.

use super::PlotArgs;
use crate::plot::{draw_compare, draw_run, PlotOptions};
use crate::Error;

/// Runs `seatsim plot`.
pub fn run(args: &PlotArgs) -> Result<(), Error> {
    let dir = &args.run_dir;
    let (written, page) = if dir.join("run.json").is_file() {
        let options = PlotOptions {
            map_year: args.map_year,
            ..PlotOptions::default()
        };
        (draw_run(dir, &options)?, "report.html")
    } else if dir.join("compare.json").is_file() {
        if let Some(year) = args.map_year {
            return Err(Error::Usage(format!(
                "--map-year {year}: {} is a comparison, which has no maps; drop --map-year",
                dir.display()
            )));
        }
        (draw_compare(dir)?, "compare.html")
    } else {
        return Err(Error::Usage(format!(
            "{}: neither a run folder (no run.json) nor a comparison folder (no compare.json); give the folder `seatsim run` or `seatsim compare` wrote",
            dir.display()
        )));
    };
    say!(
        "{} files drawn; open {}\n",
        written.len(),
        dir.join(page).display()
    );
    Ok(())
}
