//! The chart and the HTML page of a finished back-test, drawn from its folder's files alone
//! (`backtest_summary.csv`, `backtest_pit.csv`): per metric scored after the origin, the PIT
//! histogram and the coverage of the bands by horizon (`plots/backtest_<metric>.png/.svg`),
//! and `backtest.html` with the scores by origin, stage and horizon.

mod chart;
mod page;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::data::read_csv;
use super::output::write_figure;
use super::{font, PlotError};

/// One row of `backtest_summary.csv`, the columns the chart and page show.
#[derive(Debug, Clone, serde::Deserialize)]
pub(crate) struct Row {
    pub origin: String,
    pub metric: String,
    pub stage: String,
    pub horizon: String,
    pub observations: u64,
    pub mape: Option<f64>,
    pub coverage_p05_p95: Option<f64>,
    pub coverage_p25_p75: Option<f64>,
    pub crps_pct: Option<f64>,
    pub skill_deterministic: Option<f64>,
    pub skill_persistence: Option<f64>,
}

/// One row of `backtest_pit.csv`.
#[derive(Debug, serde::Deserialize)]
struct PitRow {
    origin: String,
    metric: String,
    stage: String,
    horizon: String,
    bin: usize,
    count: u64,
}

/// A back-test folder's summary and PIT histograms.
#[derive(Debug)]
pub(crate) struct Backtest {
    /// The folder.
    pub dir: PathBuf,
    /// Every summary row, in file order.
    pub rows: Vec<Row>,
    /// PIT counts by (origin, metric, stage, horizon).
    pub pit: BTreeMap<(String, String, String, String), Vec<u64>>,
}

impl Backtest {
    /// Reads the folder's files.
    fn load(dir: &Path) -> Result<Backtest, PlotError> {
        let mut rows = Vec::new();
        let columns = ["origin", "metric", "stage", "horizon", "observations"];
        read_csv(&dir.join("backtest_summary.csv"), &columns, |r: Row| {
            rows.push(r);
            Ok(())
        })?;
        let mut pit: BTreeMap<_, Vec<u64>> = BTreeMap::new();
        let columns = ["origin", "metric", "stage", "horizon", "bin", "count"];
        read_csv(&dir.join("backtest_pit.csv"), &columns, |r: PitRow| {
            let bins = pit
                .entry((r.origin, r.metric, r.stage, r.horizon))
                .or_default();
            if r.bin != bins.len() {
                return Err(format!(
                    "bin {} out of order: expected {}",
                    r.bin,
                    bins.len()
                ));
            }
            bins.push(r.count);
            Ok(())
        })?;
        Ok(Backtest {
            dir: dir.to_path_buf(),
            rows,
            pit,
        })
    }

    /// The origin group the charts show: `all` when there are several origins, else the one.
    pub fn pooled_origin(&self) -> &str {
        let all = self.rows.iter().any(|r| r.origin == "all");
        match self.rows.first() {
            Some(r) if !all => &r.origin,
            _ => "all",
        }
    }

    /// The metrics with observations after the origin, in file order.
    pub fn metrics(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for r in self.rows.iter().filter(|r| r.horizon == "all") {
            if !out.contains(&r.metric.as_str()) {
                out.push(&r.metric);
            }
        }
        out
    }

    /// The rows of the pooled origin, `metric`, all stages, by horizon after the origin.
    pub fn by_horizon(&self, metric: &str) -> Vec<(i32, &Row)> {
        let origin = self.pooled_origin();
        self.rows
            .iter()
            .filter(|r| r.origin == origin && r.metric == metric && r.stage == "all")
            .filter_map(|r| {
                r.horizon
                    .parse::<i32>()
                    .ok()
                    .filter(|&h| h > 0)
                    .map(|h| (h, r))
            })
            .collect()
    }

    /// The PIT histogram of the pooled origin, `metric`, all stages and horizons after it.
    pub fn pit_of(&self, metric: &str) -> Option<&[u64]> {
        let key = (
            self.pooled_origin().to_string(),
            metric.to_string(),
            "all".to_string(),
            "all".to_string(),
        );
        self.pit.get(&key).map(Vec::as_slice)
    }
}

/// Draws the charts and `backtest.html` of the back-test in `dir`; returns the files written.
pub fn draw_backtest(dir: &Path) -> Result<Vec<PathBuf>, PlotError> {
    font::register()?;
    let bt = Backtest::load(dir)?;
    let plots = dir.join(super::PLOTS);
    std::fs::create_dir_all(&plots).map_err(|source| PlotError::Write {
        path: plots.clone(),
        source,
    })?;
    let mut charts = Vec::new();
    for metric in bt.metrics() {
        let chart = chart::Calibration { bt: &bt, metric };
        charts.push(write_figure(&plots, &chart)?);
    }
    let page = page::write(&bt, &charts)?;
    let mut paths: Vec<PathBuf> = charts.into_iter().flat_map(|w| [w.png, w.svg]).collect();
    paths.push(page);
    Ok(paths)
}
