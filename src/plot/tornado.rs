//! The tornado charts of "what moves the shortfall" (DESIGN §2.5): per stage, from
//! `tornado.csv`, the signed change in the city's shortfall in its worst year, in seats, when
//! each uncertain input or city shock moves from its low (P5) to its high (P95) value with the
//! others central. Bars are signed (red: the high value adds seats short; blue: it removes
//! them), inputs that change nothing are left out, the largest change is on top. A folder
//! without `tornado.csv` (older runs) draws none.

use std::collections::BTreeMap;
use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::{self, GREY, TEXT};
use super::data::{read_csv, Run, StageInfo};
use super::font::text_width;
use super::labels::{self, thousands};
use super::output::{file_id, write_figure, DrawResult, Figure, Written};
use super::PlotError;
use crate::report::tornado::TORNADO_HEADER;
use crate::scenario::SHOCK_PREFIX;

/// Bars shown per chart, largest first.
const TOP: usize = 12;
/// Figure width in pixels.
const WIDTH: u32 = 1100;
/// Height of the title block.
const HEAD: i32 = 130;
/// Height of one bar's row.
const ROW: i32 = 46;
/// Width of the input-name column.
const NAMES: i32 = 420;
/// Room beyond the longest bar, on each side, for its number.
const LABEL: i32 = 90;
/// Height of the axis and note under the bars.
const FOOT: i32 = 120;
/// A change the high value makes worse: the red of a shortfall.
const WORSE: RGBColor = RGBColor(203, 24, 29);
/// A change the high value makes better.
const BETTER: RGBColor = RGBColor(33, 113, 181);
/// A change smaller than this many seats is drawn as none.
const NONE: f64 = 0.5;

/// Tornado charts by stage.
pub(crate) type Tornadoes = Vec<(String, Written)>;

/// One row of `tornado.csv`.
#[derive(Debug, Clone, serde::Deserialize)]
struct Row {
    stage: String,
    year: i32,
    input: String,
    label_zh: String,
    label_en: String,
    low_value: f64,
    high_value: f64,
    change: f64,
}

impl Row {
    /// Checks that the row is of a stage and year of the run, with a finite change.
    fn check(&self, run: &Run) -> Result<(), String> {
        if !run.info.stages.iter().any(|s| s.id == self.stage) {
            return Err(format!("stage `{}` is not in run.json", self.stage));
        }
        if !run.years().contains(&self.year) {
            return Err(format!(
                "year {} is outside the run's years {}–{}",
                self.year, run.info.base_year, run.info.horizon
            ));
        }
        if !self.change.is_finite() {
            return Err(format!("change = {}: must be a number", self.change));
        }
        Ok(())
    }

    /// The input's name: Chinese (its key when the file gives none) over English with the
    /// values it moves between.
    fn name(&self) -> [String; 2] {
        let zh = match (self.label_zh.trim(), self.label_en.trim()) {
            ("", "") => self.input.as_str(),
            ("", en) => en,
            (zh, _) => zh,
        };
        let en = match self.label_en.trim() {
            en if en == zh => String::new(),
            en => format!("{en}: "),
        };
        let moves = if self.input.starts_with(SHOCK_PREFIX) {
            "P5 → P95".to_string()
        } else {
            format!("{} → {}", short(self.low_value), short(self.high_value))
        };
        [zh.to_string(), format!("{en}{moves}")]
    }
}

/// The rows of `tornado.csv` by stage, in file order; `None` when the folder has none or it
/// names no driver.
fn read(run: &Run) -> Result<Option<BTreeMap<String, Vec<Row>>>, PlotError> {
    let path = run.dir.join("tornado.csv");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(PlotError::Read { path, source }),
    };
    // A scenario with nothing uncertain writes the header alone.
    if text.lines().nth(1).is_none() {
        return Ok(None);
    }
    let mut rows: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    read_csv(&path, &TORNADO_HEADER, |row: Row| {
        row.check(run)?;
        rows.entry(row.stage.clone()).or_default().push(row);
        Ok(())
    })?;
    Ok(Some(rows))
}

/// The bars of one stage: nonzero changes, largest first (equal ones in file order), at most
/// [`TOP`].
fn bars(rows: &[Row]) -> Vec<&Row> {
    let mut bars: Vec<&Row> = rows.iter().filter(|r| r.change.abs() >= NONE).collect();
    bars.sort_by(|a, b| b.change.abs().total_cmp(&a.change.abs()));
    bars.truncate(TOP);
    bars
}

/// The tornado chart of every stage with a nonzero change, if the run has `tornado.csv`.
pub(crate) fn draw(run: &Run, plots: &Path) -> Result<Tornadoes, PlotError> {
    let Some(rows) = read(run)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for stage in &run.info.stages {
        let Some(rows) = rows.get(&stage.id) else {
            continue;
        };
        let bars = bars(rows);
        let Some(year) = bars.first().map(|b| b.year) else {
            continue;
        };
        let chart = Tornado {
            run,
            stage,
            year,
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
    /// The stage's worst year.
    year: i32,
    /// The bars, largest change first.
    bars: Vec<&'a Row>,
}

impl Tornado<'_> {
    /// The changes the axis spans: from the most negative (or 0) to the most positive (or 0),
    /// at least one seat wide, so that bars all on one side use the whole width.
    fn span(&self) -> (f64, f64) {
        let changes = self.bars.iter().map(|b| b.change);
        let low = changes.clone().fold(0.0, f64::min);
        let high = changes.fold(0.0, f64::max);
        (low, high.max(low + 1.0))
    }

    /// The x pixel of a change.
    fn x(&self, change: f64) -> i32 {
        let (left, right) = (NAMES + 20 + LABEL, WIDTH as i32 - 20 - LABEL);
        let (low, high) = self.span();
        let t = (change - low) / (high - low);
        (f64::from(left) + f64::from(right - left) * t).round() as i32
    }
}

impl Figure for Tornado<'_> {
    fn stem(&self) -> String {
        format!("tornado_{}", file_id(&self.stage.id))
    }

    fn size(&self) -> (u32, u32) {
        let height = HEAD + self.bars.len() as i32 * ROW + FOOT;
        (WIDTH, height.max(420) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        root.fill(&WHITE)?;
        let title = format!(
            "{} 年全市学位缺口的驱动因素 What moves the city's shortfall in {} – {}",
            self.year,
            self.year,
            labels::stage(self.stage)
        );
        let subtitle = format!(
            "每项输入从低值（P5）移到高值（P95），其余取中值：全市缺口变化（学位），{} 年为预期缺口最大的年份。 Each input moved from its low (P5) to its high (P95) value, the others central: the change in the city's shortfall in seats, in {}, the year of the largest expected shortfall (tornado.csv). {}",
            self.year,
            self.year,
            labels::run_line(self.run)
        );
        canvas::title(root, &title, &subtitle)?;
        let bottom = HEAD + self.bars.len() as i32 * ROW;
        self.draw_axis(root, bottom)?;
        let zh = canvas::style(TEXT, BLACK, HPos::Right, VPos::Bottom);
        let en = canvas::style(TEXT - 1.0, GREY, HPos::Right, VPos::Top);
        for (i, row) in self.bars.iter().enumerate() {
            let mid = HEAD + i as i32 * ROW + ROW / 2;
            let [name_zh, name_en] = row.name();
            let fit = |name: &str, size| fit_name(name, f64::from(NAMES), size);
            canvas::text(root, &fit(&name_zh, TEXT), (NAMES, mid), &zh)?;
            canvas::text(root, &fit(&name_en, TEXT - 1.0), (NAMES, mid + 2), &en)?;
            let (zero, end) = (self.x(0.0), self.x(row.change));
            let colour = if row.change > 0.0 { WORSE } else { BETTER };
            let (a, b) = (zero.min(end), zero.max(end).max(zero.min(end) + 1));
            root.draw(&Rectangle::new(
                [(a, mid - ROW / 2 + 8), (b, mid + ROW / 2 - 8)],
                colour.filled(),
            ))?;
            let (h, at) = if row.change > 0.0 {
                (HPos::Left, end + 6)
            } else {
                (HPos::Right, end - 6)
            };
            let value = canvas::style(TEXT, BLACK, h, VPos::Center);
            canvas::text(root, &signed(row.change), (at, mid), &value)?;
        }
        let note = "红色：高值使缺口增加；蓝色：高值使缺口减少；变化为零的输入未画出。 Red: the high value adds seats short; blue: it removes them. Inputs that change nothing are left out. Each input alone, the rest central: interactions and the chance of each value are not shown (sensitivity.csv has the share of the variance each explains).";
        canvas::paragraph(
            root,
            note,
            (20, bottom + 48),
            f64::from(WIDTH - 40),
            TEXT - 2.0,
            GREY,
        )
        .map(drop)
    }
}

impl Tornado<'_> {
    /// Draws the zero line, the seat axis under the bars and its end labels.
    fn draw_axis<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        bottom: i32,
    ) -> DrawResult<DB> {
        let zero = self.x(0.0);
        root.draw(&PathElement::new(
            vec![(zero, HEAD - 4), (zero, bottom + 4)],
            BLACK.stroke_width(2),
        ))?;
        let tick = canvas::style(TEXT - 2.0, GREY, HPos::Center, VPos::Top);
        for change in ticks(self.span()) {
            let at = self.x(change);
            root.draw(&PathElement::new(
                vec![(at, bottom), (at, bottom + 6)],
                GREY,
            ))?;
            canvas::text(root, &signed(change), (at, bottom + 8), &tick)?;
        }
        let unit = canvas::style(TEXT - 2.0, GREY, HPos::Center, VPos::Top);
        let caption = "全市缺口变化（学位） Change in the city's shortfall (seats)";
        canvas::text(root, caption, (zero, bottom + 26), &unit)
    }
}

/// A change in seats with its sign, e.g. "+1,234", "−560", "0".
fn signed(change: f64) -> String {
    let seats = thousands(change.abs());
    match change.round() {
        c if c > 0.0 => format!("+{seats}"),
        c if c < 0.0 => format!("−{seats}"),
        _ => seats,
    }
}

/// Round ticks from `low` to `high` (which hold 0): zero and two to five more, on a step of
/// 1, 2, 2.5 or 5 times a power of ten.
fn ticks((low, high): (f64, f64)) -> Vec<f64> {
    let width = high - low;
    let power = 10f64.powf((width / 5.0).log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|step| width / step <= 5.0)
        .unwrap_or(10.0 * power);
    let (first, last) = ((low / step).ceil() as i32, (high / step).floor() as i32);
    (first..=last).map(|k| f64::from(k) * step).collect()
}

/// A value with three significant digits, e.g. "0.599", "1.21", "12,300".
fn short(value: f64) -> String {
    match value.abs() {
        v if v >= 1000.0 => thousands(value),
        v if v >= 100.0 => format!("{value:.0}"),
        v if v >= 10.0 => format!("{value:.1}"),
        v if v >= 1.0 => format!("{value:.2}"),
        _ => format!("{value:.3}"),
    }
}

/// `name`, cut with "…" to fit `width` pixels at font size `size`.
fn fit_name(name: &str, width: f64, size: f64) -> String {
    if text_width(name, size) <= width {
        return name.to_string();
    }
    let mut cut: String = name.to_string();
    while !cut.is_empty() && text_width(&format!("{cut}…"), size) > width {
        cut.pop();
    }
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run of one stage over 2020–2022 with `tornado` as its `tornado.csv`.
    fn run_with(tornado: Option<&str>) -> (tempfile::TempDir, Run) {
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
        if let Some(text) = tornado {
            std::fs::write(dir.path().join("tornado.csv"), text).unwrap();
        }
        let run = Run::load(dir.path()).unwrap();
        (dir, run)
    }

    /// `tornado.csv` rows of primary in 2022: input and change.
    fn csv(rows: &[(&str, &str)]) -> String {
        let mut text = String::from("stage,year,input,label_zh,label_en,low_value,high_value,shortfall_low,shortfall_high,change\n");
        for (input, change) in rows {
            text.push_str(&format!(
                "primary,2022,{input},中{input},En {input},0,1,0,0,{change}\n"
            ));
        }
        text
    }

    #[test]
    fn bars_are_signed_sorted_by_size_and_zero_changes_dropped() {
        let (_dir, run) = run_with(Some(&csv(&[
            ("births", "1200"),
            ("trend", "-3400"),
            ("stay", "0"),
            ("tiny", "0.2"),
            ("share", "560.6"),
        ])));
        let rows = read(&run).unwrap().expect("rows");
        let bars = bars(&rows["primary"]);
        let shown: Vec<(&str, f64)> = bars.iter().map(|b| (b.input.as_str(), b.change)).collect();
        assert_eq!(
            shown,
            [("trend", -3400.0), ("births", 1200.0), ("share", 560.6)]
        );
        assert_eq!(bars[0].name(), ["中trend", "En trend: 0.000 → 1.00"]);
        assert_eq!(signed(-3400.0), "−3,400");
        assert_eq!(signed(560.6), "+561");
        assert_eq!(ticks((0.0, 175_640.0)), [0.0, 50e3, 100e3, 150e3]);
        assert_eq!(ticks((-32_923.0, 46_064.0)), [-20e3, 0.0, 20e3, 40e3]);
        assert_eq!(ticks((-3.0, 0.0)), [-3.0, -2.0, -1.0, 0.0]);
    }

    #[test]
    fn a_folder_without_tornado_draws_none_and_a_bad_row_is_an_error() {
        let (dir, run) = run_with(None);
        assert!(draw(&run, dir.path()).unwrap().is_empty());
        let (dir, run) = run_with(Some(&csv(&[])));
        assert!(draw(&run, dir.path()).unwrap().is_empty());
        let bad = csv(&[("births", "1")]).replace("primary,2022", "primary,2031");
        let (_dir, run) = run_with(Some(&bad));
        let err = read(&run).unwrap_err().to_string();
        assert!(
            err.contains("tornado.csv:2") && err.contains("2031"),
            "{err}"
        );
    }

    #[test]
    fn long_names_are_cut() {
        let long = "x".repeat(200);
        let cut = fit_name(&long, 100.0, TEXT);
        assert!(cut.ends_with('…') && text_width(&cut, TEXT) <= 100.0);
    }
}
