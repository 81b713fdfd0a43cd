//! `seatsim plot`: redraw a finished run's (or plan's, comparison's or back-test's) charts and page
//! from its files.

use super::PlotArgs;
use crate::plot::{
    draw_backtest, draw_compare, draw_plan, draw_run, PlotOptions, BACKTEST_PAGE, COMPARE_PAGE,
    PLAN_PAGE, PLOTS, REPORT,
};
use crate::report::OutputFolder;
use crate::Error;

/// Runs `seatsim plot`.
pub fn run(args: &PlotArgs) -> Result<(), Error> {
    let dir = &args.run_dir;
    let (kind, page, what) = if dir.join("run.json").is_file() {
        (Kind::Run, REPORT, "a run")
    } else if dir.join("plan.json").is_file() {
        (Kind::Plan, PLAN_PAGE, "a plan folder")
    } else if dir.join("compare.json").is_file() {
        (Kind::Compare, COMPARE_PAGE, "a comparison")
    } else if dir.join("backtest.json").is_file() {
        (Kind::Backtest, BACKTEST_PAGE, "a back-test")
    } else {
        return Err(Error::Usage(format!(
            "{}: not a run folder (no run.json), a plan folder (no plan.json), a comparison folder (no compare.json) or a back-test folder (no backtest.json); give the folder `seatsim run`, `seatsim plan`, `seatsim compare` or `seatsim backtest` wrote",
            dir.display()
        )));
    };
    if let (Some(year), false) = (args.map_year, matches!(kind, Kind::Run)) {
        return Err(Error::Usage(format!(
            "--map-year {year}: {} is {what}, which has no maps; drop --map-year",
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
        Kind::Run => draw_run(staging, &options),
        Kind::Plan => draw_plan(staging),
        Kind::Compare => draw_compare(staging),
        Kind::Backtest => draw_backtest(staging),
    })?;
    let out = folder.commit()?;
    say!(
        "{} files drawn; open {}\n",
        written.len(),
        out.join(page).display()
    );
    Ok(())
}

/// What kind of folder `plot` redraws.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// A run: its charts and `report.html`.
    Run,
    /// A plan: `plan.html`.
    Plan,
    /// A comparison: its charts and `compare.html`.
    Compare,
    /// A back-test: its calibration charts and `backtest.html`.
    Backtest,
}
