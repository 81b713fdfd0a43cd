//! Charts and the HTML report of a finished run, drawn from the files in its folder alone
//! (`run.json`, `summary.csv`, `risk.csv`, `map.geojson`, `sensitivity.csv`): fan charts, heat
//! maps, district maps, city totals and what drives the risk as PNG and SVG in `plots/`, and
//! `report.html`; and from a comparison folder,
//! the charts of what the change buys and `compare.html`.

mod backtest;
mod canvas;
mod colour;
mod compare;
mod data;
mod districts;
mod error;
mod facts;
mod fan;
mod font;
mod geo;
mod headline;
mod heat;
mod housing;
mod labels;
pub(crate) mod lang;
mod live;
mod map;
mod output;
pub(crate) mod page;
mod plan;
mod report;
mod tornado;
mod totals;

use std::path::{Component, Path, PathBuf};

pub use backtest::draw_backtest;
use rayon::prelude::*;

pub use compare::draw_compare;
pub use error::PlotError;
pub use live::{Boundaries, LiveRun};
pub use plan::{draw_plan, PLAN_PAGE};

use data::Run;
use output::write_figure;
use report::{Drawn, FanCharts, HeatMaps, Maps, Settings};

/// The folder of a run's charts, inside its run folder.
pub const PLOTS: &str = "plots";
/// The HTML report of a run, inside its run folder.
pub const REPORT: &str = "report.html";
/// The HTML page of a back-test, inside its back-test folder.
pub const BACKTEST_PAGE: &str = "backtest.html";
/// The HTML page of a comparison, inside its comparison folder.
pub const COMPARE_PAGE: &str = "compare.html";

/// Fan charts in the report when `PlotOptions::report_fan_charts` is 0.
const DEFAULT_FAN_CHARTS: usize = 6;

/// What to draw: the map year (None = each stage's worst year) and how many riskiest
/// district-stages get fan charts in the report.
#[derive(Debug, Clone, Default)]
pub struct PlotOptions {
    /// Year the district maps show; `None` means each stage's worst year.
    pub map_year: Option<i32>,
    /// Fan charts of the riskiest district-stages in the report; 0 means the default, 6.
    pub report_fan_charts: usize,
}

/// Draws every chart and the HTML report of a finished run from the files in its folder.
pub fn draw_run(run_dir: &Path, options: &PlotOptions) -> Result<Vec<PathBuf>, PlotError> {
    font::register()?;
    let run = Run::load(run_dir)?;
    let settings = Settings {
        fan_charts: match options.report_fan_charts {
            0 => DEFAULT_FAN_CHARTS,
            n => n,
        },
    };
    let asked = map_year(&run, options.map_year)?;
    let plots = run_dir.join(PLOTS);
    std::fs::create_dir_all(&plots).map_err(|source| PlotError::Write {
        path: plots.clone(),
        source,
    })?;
    let drawn = Drawn {
        fans: draw_fans(&run, &plots)?,
        heat: draw_heat_maps(&run, &plots)?,
        maps: draw_maps(&run, &plots, asked)?,
        totals: totals::CityTotals::of(&run)
            .map(|t| write_figure(&plots, &t))
            .transpose()?,
        tornadoes: tornado::draw(&run, &plots)?,
    };
    let report = report::write(&run, &drawn, settings)?;
    let mut paths = drawn.paths();
    paths.push(report);
    Ok(paths)
}

/// The year the maps were asked to show, which must be a year of the run.
fn map_year(run: &Run, asked: Option<i32>) -> Result<Option<i32>, PlotError> {
    match asked {
        None => Ok(None),
        Some(year) if run.years().contains(&year) => Ok(Some(year)),
        Some(year) => Err(PlotError::MapYear {
            path: run.dir.join("run.json"),
            year,
            first: run.info.base_year,
            last: run.info.horizon,
        }),
    }
}

/// A fan chart for every district-stage with demand in `summary.csv`, drawn in parallel (the
/// charts are independent, and rasterising them is most of the time `plot` takes).
fn draw_fans(run: &Run, plots: &Path) -> Result<FanCharts, PlotError> {
    let charts: Vec<_> = run
        .trajectories
        .keys()
        .filter_map(|key| Some((key, fan_chart(run, &key.0, &key.1)?)))
        .collect();
    charts
        .par_iter()
        .map(|(key, chart)| Ok(((*key).clone(), write_figure(plots, chart)?)))
        .collect()
}

/// The fan chart of a district-stage (or `ALL`-stage), if `summary.csv` has its demand.
fn fan_chart<'a>(run: &'a Run, district: &'a str, stage: &str) -> Option<fan::FanChart<'a>> {
    let key = (district.to_string(), stage.to_string());
    Some(fan::FanChart {
        run,
        district,
        stage: run.info.stages.iter().find(|s| s.id == stage)?,
        trajectory: run.trajectories.get(&key)?,
        reference: None,
    })
}

/// Both heat maps of every stage.
fn draw_heat_maps(run: &Run, plots: &Path) -> Result<HeatMaps, PlotError> {
    let mut out = Vec::new();
    for stage in &run.info.stages {
        for measure in [heat::Measure::Shortfall, heat::Measure::LargeClasses] {
            let chart = heat::HeatMap {
                run,
                stage,
                measure,
            };
            out.push((stage.id.clone(), measure, write_figure(plots, &chart)?));
        }
    }
    Ok(out)
}

/// The district map of every stage, if the run has a map (a stage pooled city-wide in one
/// colour): in the year asked for, else in the stage's worst year.
fn draw_maps(run: &Run, plots: &Path, asked: Option<i32>) -> Result<Maps, PlotError> {
    let Some(name) = &run.info.map else {
        return Ok(Vec::new());
    };
    let features = geo::read(&map_path(run, name)?)?;
    let mut out = Vec::new();
    for stage in &run.info.stages {
        let chart = district_map(run, stage, &features, asked);
        out.push((stage.id.clone(), chart.year, write_figure(plots, &chart)?));
    }
    Ok(out)
}

/// The district map of `stage` in the year asked for, else in the stage's worst year.
fn district_map<'a>(
    run: &'a Run,
    stage: &'a data::StageInfo,
    features: &'a [geo::Feature],
    asked: Option<i32>,
) -> map::DistrictMap<'a> {
    let year = asked
        .or_else(|| headline::worst_year(run, &stage.id))
        .unwrap_or(run.info.horizon);
    map::DistrictMap {
        run,
        stage,
        year,
        features,
    }
}

/// The map file named in `run.json`, which must lie inside the run folder.
fn map_path(run: &Run, name: &str) -> Result<PathBuf, PlotError> {
    let relative = Path::new(name);
    let inside = relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)));
    if !inside || name.is_empty() {
        return Err(PlotError::Invalid {
            path: run.dir.join("run.json"),
            line: None,
            message: format!("map `{name}`: must be a file name inside the run folder"),
        });
    }
    Ok(run.dir.join(relative))
}
