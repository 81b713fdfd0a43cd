//! The tornado charts of "what drives the risk" (DESIGN §2.5): per stage, the share of the
//! variance of the city's shortfall in its worst year that each driver of `sensitivity.csv`
//! explains, largest first. A folder without `sensitivity.csv` (older runs) draws none.

use std::collections::HashMap;
use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::{self, GREY, TEXT};
use super::data::{read_csv, Run, StageInfo, ALL};
use super::font::text_width;
use super::headline::worst_year;
use super::labels::{self, percent};
use super::output::{file_id, write_figure, DrawResult, Figure, Script, Written};
use super::PlotError;

/// Drivers shown per chart.
const TOP: usize = 10;
/// Figure width in pixels.
const WIDTH: u32 = 1100;
/// Height of the title block.
const HEAD: i32 = 110;
/// Height of one bar's row.
const ROW: i32 = 40;
/// Width of the driver-name column.
const NAMES: i32 = 330;
/// Room right of the longest bar for its percentage.
const LABEL: i32 = 70;
/// Height of the axis and note under the bars.
const FOOT: i32 = 120;
/// Bar colour: the red of a shortfall, toned down.
const BAR: RGBColor = RGBColor(200, 70, 60);

/// Tornado charts by stage.
pub(crate) type Tornadoes = Vec<(String, Written)>;

/// The shares of `sensitivity.csv` by (stage, year, metric): each driver's, in file order.
#[derive(Debug, Default)]
pub(crate) struct Shares(HashMap<Cell, Vec<(String, Option<f64>)>>);

/// A city cell of `sensitivity.csv`: stage, year and metric.
type Cell = (String, i32, String);

/// One row of `sensitivity.csv`.
#[derive(Debug, serde::Deserialize)]
struct Row {
    input: String,
    district: String,
    stage: String,
    year: i32,
    metric: String,
    share: Option<f64>,
}

impl Row {
    /// Checks that the row is of a city cell of the run with a share in [0, 1].
    fn check(&self, run: &Run) -> Result<(), String> {
        if self.district != ALL {
            return Err(format!("district `{}`: must be `{ALL}`", self.district));
        }
        if !run.info.stages.iter().any(|s| s.id == self.stage) {
            return Err(format!("stage `{}` is not in run.json", self.stage));
        }
        if !run.years().contains(&self.year) {
            return Err(format!(
                "year {} is outside the run's years {}–{}",
                self.year, run.info.base_year, run.info.horizon
            ));
        }
        match self.share {
            Some(s) if !(0.0..=1.0).contains(&s) => {
                Err(format!("share = {s}: must be between 0 and 1"))
            }
            _ => Ok(()),
        }
    }
}

impl Shares {
    /// Reads `sensitivity.csv` of `run`; `None` when the folder has none or it names no driver.
    pub fn read(run: &Run) -> Result<Option<Shares>, PlotError> {
        let path = run.dir.join("sensitivity.csv");
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(PlotError::Read { path, source }),
        };
        // A scenario with nothing uncertain writes the header alone.
        if text.lines().nth(1).is_none() {
            return Ok(None);
        }
        let mut shares = Shares::default();
        read_csv(
            &path,
            &["input", "district", "stage", "year", "metric", "share"],
            |row: Row| {
                row.check(run)?;
                let key = (row.stage, row.year, row.metric);
                shares
                    .0
                    .entry(key)
                    .or_default()
                    .push((row.input, row.share));
                Ok(())
            },
        )?;
        Ok(Some(shares))
    }

    /// The metric a stage's chart shows in `year` — `shortfall`, else `demand` when no driver
    /// has a shortfall share — and its [`TOP`] drivers, largest share first.
    pub fn select(&self, stage: &str, year: i32) -> Option<(&'static str, Vec<(&str, f64)>)> {
        ["shortfall", "demand"].into_iter().find_map(|metric| {
            let rows = self.0.get(&(stage.to_string(), year, metric.to_string()))?;
            let mut bars: Vec<(&str, f64)> = rows
                .iter()
                .filter_map(|(d, s)| Some((d.as_str(), (*s)?)))
                .collect();
            // Stable: equal shares keep the file's (scenario's) order.
            bars.sort_by(|a, b| b.1.total_cmp(&a.1));
            bars.truncate(TOP);
            (!bars.is_empty()).then_some((metric, bars))
        })
    }
}

/// The tornado chart of every stage whose worst year has shares, if the run has `sensitivity.csv`.
pub(crate) fn draw(run: &Run, plots: &Path) -> Result<Tornadoes, PlotError> {
    let Some(shares) = Shares::read(run)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for stage in &run.info.stages {
        let year = worst_year(run, &stage.id).unwrap_or(run.info.horizon);
        let Some((metric, bars)) = shares.select(&stage.id, year) else {
            continue;
        };
        let chart = Tornado {
            run,
            stage,
            year,
            metric,
            bars,
        };
        out.push((stage.id.clone(), write_figure(plots, &chart)?));
    }
    Ok(out)
}

/// The tornado chart of one stage.
struct Tornado<'a> {
    run: &'a Run,
    stage: &'a StageInfo,
    year: i32,
    /// `shortfall`, or `demand` where the shortfall never varies.
    metric: &'static str,
    /// Drivers and their shares, largest first.
    bars: Vec<(&'a str, f64)>,
}

impl Tornado<'_> {
    /// The share at the right end of the axis: the largest share rounded up to a tenth.
    fn axis_max(&self) -> f64 {
        let top = self.bars.first().map_or(0.0, |b| b.1);
        ((top * 10.0).ceil() / 10.0).clamp(0.1, 1.0)
    }

    /// What the chart shows, e.g. "the city's shortfall".
    fn what(&self) -> &'static str {
        match self.metric {
            "shortfall" => "the city's shortfall",
            _ => "the city's demand",
        }
    }
}

impl Figure for Tornado<'_> {
    fn stem(&self) -> String {
        format!("tornado_{}", file_id(&self.stage.id))
    }

    fn size(&self) -> (u32, u32) {
        let height = HEAD + self.bars.len() as i32 * ROW + FOOT;
        (WIDTH, height.max(600) as u32)
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        script: Script,
    ) -> DrawResult<DB> {
        root.fill(&WHITE)?;
        let title = format!(
            "What drives the risk: {} in {}, {}",
            self.what(),
            self.year,
            labels::stage(self.stage)
        );
        let fallback = if self.metric == "shortfall" {
            ""
        } else {
            " The shortfall is the same in every trial in this year, so the chart shows demand."
        };
        let subtitle = format!(
            "Share of the variance across trials of {} that each unknown explains (squared correlation, sensitivity.csv), top {TOP}: which survey is worth doing.{fallback} {}",
            self.what(),
            labels::run_line(self.run, script)
        );
        canvas::title(root, &title, &subtitle)?;
        let (left, right) = (NAMES + 30, WIDTH as i32 - 20 - LABEL);
        let x = |share: f64| left + ((right - left) as f64 * share / self.axis_max()) as i32;
        let bottom = HEAD + self.bars.len() as i32 * ROW;
        self.draw_axis(root, &x, bottom)?;
        let name = canvas::style(TEXT, BLACK, HPos::Right, VPos::Center);
        let value = canvas::style(TEXT, BLACK, HPos::Left, VPos::Center);
        for (i, (driver, share)) in self.bars.iter().enumerate() {
            let mid = HEAD + i as i32 * ROW + ROW / 2;
            let shown = fit_name(driver, f64::from(NAMES));
            canvas::text(root, &shown, (left - 10, mid), &name)?;
            let end = x(*share).max(left + 1);
            root.draw(&Rectangle::new(
                [(left, mid - ROW / 2 + 6), (end, mid + ROW / 2 - 6)],
                BAR.filled(),
            ))?;
            canvas::text(root, &share_text(*share), (end + 8, mid), &value)?;
        }
        let note = "Drivers are drawn independently, so the shares of one cell add up to at most about 1; the rest is district shocks, popularity, each project's own delay and interactions. A linear measure: an input with a non-monotone effect can show a small share.";
        canvas::paragraph(
            root,
            note,
            (20, bottom + 44),
            f64::from(WIDTH - 40),
            TEXT - 2.0,
            GREY,
        )
        .map(drop)
    }
}

impl Tornado<'_> {
    /// Draws the percent axis under the bars and faint grid lines behind them.
    fn draw_axis<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        x: &impl Fn(f64) -> i32,
        bottom: i32,
    ) -> DrawResult<DB> {
        let tick = canvas::style(TEXT - 2.0, GREY, HPos::Center, VPos::Top);
        let steps = (self.axis_max() * 10.0).round() as i32;
        for step in 0..=steps {
            let share = f64::from(step) / 10.0;
            let at = x(share);
            let line = if step == 0 {
                GREY
            } else {
                RGBColor(225, 225, 225)
            };
            root.draw(&PathElement::new(vec![(at, HEAD - 4), (at, bottom)], line))?;
            canvas::text(root, &percent(share), (at, bottom + 6), &tick)?;
        }
        Ok(())
    }
}

/// A share as a percentage, with a decimal below 10% so that small shares do not all read "0%".
fn share_text(share: f64) -> String {
    if share < 0.1 {
        format!("{:.1}%", share * 100.0)
    } else {
        percent(share)
    }
}

/// `name`, cut with "…" to fit `width` pixels.
fn fit_name(name: &str, width: f64) -> String {
    if text_width(name, TEXT) <= width {
        return name.to_string();
    }
    let mut cut: String = name.to_string();
    while !cut.is_empty() && text_width(&format!("{cut}…"), TEXT) > width {
        cut.pop();
    }
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run of one stage over 2020–2022 with `sensitivity` as its `sensitivity.csv`.
    fn run_with(sensitivity: Option<&str>) -> (tempfile::TempDir, Run) {
        let dir = tempfile::tempdir().unwrap();
        let json = r#"{"scenario":{"name":"t"},"base_year":2020,"horizon":2022,
            "districts":[{"id":"a","name":"A"}],"stages":[{"id":"primary","ages":[6,11]}]}"#;
        let mut summary = String::from("district,stage,year,metric,mean,sd,p05,p25,p50,p75,p95\n");
        let mut risk = String::from("district,stage,year,p_shortfall,p_large_classes,p_super_large_classes,p_underused,expected_shortfall,warning\n");
        for year in 2020..=2022 {
            summary.push_str(&format!("ALL,primary,{year},demand,9,0,9,9,9,9,9\n"));
            risk.push_str(&format!("ALL,primary,{year},0.5,0,0,0,1,red\n"));
        }
        std::fs::write(dir.path().join("run.json"), json).unwrap();
        std::fs::write(dir.path().join("summary.csv"), summary).unwrap();
        std::fs::write(dir.path().join("risk.csv"), risk).unwrap();
        if let Some(text) = sensitivity {
            std::fs::write(dir.path().join("sensitivity.csv"), text).unwrap();
        }
        let run = Run::load(dir.path()).unwrap();
        (dir, run)
    }

    /// `sensitivity.csv` rows of the primary city cell of 2022.
    fn csv(rows: &[(&str, &str, &str)]) -> String {
        let mut text = String::from("input,district,stage,year,metric,share\n");
        for (input, metric, share) in rows {
            text.push_str(&format!("{input},ALL,primary,2022,{metric},{share}\n"));
        }
        text
    }

    #[test]
    fn drivers_are_sorted_by_share_and_the_top_ten_kept() {
        let mut rows: Vec<(String, &str, String)> = (0..12)
            .map(|i| {
                (
                    format!("input-{i}"),
                    "shortfall",
                    (f64::from(i) / 100.0).to_string(),
                )
            })
            .collect();
        rows.push(("births".into(), "shortfall", "0.6".into()));
        rows.push(("shock:delay-common".into(), "shortfall", String::new()));
        rows.push(("births".into(), "demand", "0.9".into()));
        let rows: Vec<(&str, &str, &str)> = rows
            .iter()
            .map(|(a, b, c)| (a.as_str(), *b, c.as_str()))
            .collect();
        let (_dir, run) = run_with(Some(&csv(&rows)));
        let shares = Shares::read(&run).unwrap().expect("shares");
        let (metric, bars) = shares.select("primary", 2022).expect("bars");
        assert_eq!(metric, "shortfall");
        let names: Vec<&str> = bars.iter().map(|b| b.0).collect();
        // The empty share is left out; of the other 13, the largest 10, largest first.
        assert_eq!(names.len(), TOP);
        assert_eq!(&names[..3], ["births", "input-11", "input-10"]);
        assert_eq!(names[9], "input-3");
        assert!(shares.select("primary", 2021).is_none());
    }

    #[test]
    fn demand_is_shown_where_no_shortfall_share_is_defined() {
        let rows = [
            ("births", "shortfall", ""),
            ("trend", "shortfall", ""),
            ("births", "demand", "0.2"),
            ("trend", "demand", "0.7"),
        ];
        let (_dir, run) = run_with(Some(&csv(&rows)));
        let shares = Shares::read(&run).unwrap().expect("shares");
        assert_eq!(
            shares.select("primary", 2022),
            Some(("demand", vec![("trend", 0.7), ("births", 0.2)]))
        );
    }

    #[test]
    fn a_folder_without_shares_draws_none_and_a_bad_share_is_an_error() {
        let (_dir, run) = run_with(None);
        assert!(Shares::read(&run).unwrap().is_none());
        let (_dir, run) = run_with(Some("input,district,stage,year,metric,share\n"));
        assert!(Shares::read(&run).unwrap().is_none());
        let (_dir, run) = run_with(Some(&csv(&[("births", "shortfall", "1.5")])));
        let err = Shares::read(&run).unwrap_err().to_string();
        assert!(
            err.contains("sensitivity.csv:2") && err.contains("1.5"),
            "{err}"
        );
    }

    #[test]
    fn small_shares_keep_a_decimal_and_long_names_are_cut() {
        assert_eq!(share_text(0.034), "3.4%");
        assert_eq!(share_text(0.42), "42%");
        let long = "x".repeat(200);
        let cut = fit_name(&long, 100.0);
        assert!(cut.ends_with('…') && text_width(&cut, TEXT) <= 100.0);
    }
}
