//! `seatsim plot`: redraw a finished run's (or comparison's) charts and page from its files.

use super::PlotArgs;
use crate::plot::{
    draw_compare, draw_plan, draw_run, PlotOptions, COMPARE_PAGE, PLAN_PAGE, PLOTS, REPORT,
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
    } else {
        return Err(Error::Usage(format!(
            "{}: neither a run folder (no run.json), a plan folder (no plan.json) nor a comparison folder (no compare.json); give the folder `seatsim run`, `seatsim plan` or `seatsim compare` wrote",
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
}
