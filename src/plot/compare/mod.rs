//! Charts and the HTML page of a finished comparison, drawn from its folder's files alone
//! (`compare.json`, `compare.csv`, `compare_risk.csv`): one chart per stage of what the change
//! buys city-wide (`plots/compare_shortfall_<stage>.png/.svg`) and `compare.html`.

mod chart;
mod data;
mod page;

use std::path::{Path, PathBuf};

use super::output::write_figure;
use super::{font, PlotError};

/// Draws the charts and `compare.html` of the comparison in `dir`; returns the files written.
pub fn draw_compare(dir: &Path) -> Result<Vec<PathBuf>, PlotError> {
    font::register()?;
    let cmp = data::Compared::load(dir)?;
    let plots = dir.join("plots");
    std::fs::create_dir_all(&plots).map_err(|source| PlotError::Write {
        path: plots.clone(),
        source,
    })?;
    let mut charts = Vec::new();
    for stage in &cmp.stages {
        let chart = chart::PairedChart { cmp: &cmp, stage };
        charts.push((stage.clone(), write_figure(&plots, &chart)?));
    }
    let page = page::write(&cmp, &charts)?;
    let mut paths: Vec<PathBuf> = charts
        .into_iter()
        .flat_map(|(_, w)| [w.png, w.svg])
        .collect();
    paths.push(page);
    Ok(paths)
}
