//! `seatsim plot`: redraw a finished run's (or comparison's, or back-test's) charts and page
//! from its files.

use super::PlotArgs;
use crate::plot::{
    draw_backtest, draw_compare, draw_run, PlotOptions, BACKTEST_PAGE, COMPARE_PAGE, PLOTS, REPORT,
};
use crate::report::OutputFolder;
use crate::Error;

/// Runs `seatsim plot`.
pub fn run(args: &PlotArgs) -> Result<(), Error> {
    let dir = &args.run_dir;
    let (kind, page) = if dir.join("run.json").is_file() {
        ("run", REPORT)
    } else if dir.join("compare.json").is_file() {
        ("comparison", COMPARE_PAGE)
    } else if dir.join("backtest.json").is_file() {
        ("back-test", BACKTEST_PAGE)
    } else {
        return Err(Error::Usage(format!(
            "{}: not a run folder (no run.json), a comparison folder (no compare.json) or a back-test folder (no backtest.json); give the folder `seatsim run`, `seatsim compare` or `seatsim backtest` wrote",
            dir.display()
        )));
    };
    if let (Some(year), true) = (args.map_year, kind != "run") {
        return Err(Error::Usage(format!(
            "--map-year {year}: {} is a {kind}, which has no maps; drop --map-year",
            dir.display()
        )));
    }
    // Drawn into a new copy of the result set, which replaces the old one whole: no chart of
    // an earlier drawing (another map year, say) stays beside the new ones.
    let folder = OutputFolder::open(dir, 0)?;
    folder.keep_all_except(&[page, PLOTS])?;
    let options = PlotOptions {
        map_year: args.map_year,
        ..PlotOptions::default()
    };
    let written = folder.fill(|staging| match kind {
        "run" => draw_run(staging, &options),
        "comparison" => draw_compare(staging),
        _ => draw_backtest(staging),
    })?;
    let out = folder.commit()?;
    say!(
        "{} files drawn; open {}\n",
        written.len(),
        out.join(page).display()
    );
    Ok(())
}
