//! Heat maps per stage: districts × years coloured by a probability from `risk.csv`
//! (`p_shortfall` or `p_large_classes`), with each cell's warning level as a badge.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::{self, Item, Key, GREY, TEXT};
use super::colour;
use super::data::{RiskRow, Run, StageInfo, Standards, Warning, ALL};
use super::font::text_width;
use super::labels::{self, percent, Form};
use super::lang::warning_zh;
use super::output::{file_id, DrawResult, Figure};

/// Figure width in pixels: narrow enough that the report, at 1,000 px wide, shrinks the cells'
/// numbers to no less than 11 px.
const WIDTH: u32 = 1100;
/// Height of one district row in pixels.
const ROW: i32 = 34;
/// Height of the title block.
const HEAD: i32 = 96;
/// Height of the year header above the cells.
const YEARS: i32 = 44;
/// Height of the legend strip under the cells.
const LEGEND: i32 = 290;
/// Width of the legend's colour-bar column.
const BAR_COLUMN: i32 = 340;
/// Size of the numbers in the cells.
const NUMBER: f64 = TEXT + 1.0;
/// Widest a cell gets, for runs with few years.
const MAX_CELL: i32 = 96;
/// Extra space above the city-total row.
const GAP: i32 = 14;

/// The probability a heat map shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Measure {
    /// `p_shortfall`: demand exceeds seats.
    Shortfall,
    /// `p_large_classes`: some classes have at least the large-class size.
    LargeClasses,
}

impl Measure {
    /// The `risk.csv` column.
    pub fn column(self) -> &'static str {
        match self {
            Measure::Shortfall => "p_shortfall",
            Measure::LargeClasses => "p_large_classes",
        }
    }

    /// The measure's value in a risk row.
    pub fn of(self, row: &RiskRow) -> Option<f64> {
        match self {
            Measure::Shortfall => row.p_shortfall,
            Measure::LargeClasses => row.p_large_classes,
        }
    }

    /// What the measure is, in words, e.g. "a seat shortfall".
    pub fn name(self) -> &'static str {
        match self {
            Measure::Shortfall => "a seat shortfall",
            Measure::LargeClasses => "large classes",
        }
    }

    /// What the measure is, in Chinese, e.g. "学位缺口".
    fn name_zh(self) -> &'static str {
        match self {
            Measure::Shortfall => "学位缺口",
            Measure::LargeClasses => "大班额",
        }
    }

    /// When a trial counts, as `risk.csv` counts it against the scenario's policy targets,
    /// e.g. "has more pupils than public seats".
    fn event(self, run: &Run) -> String {
        let standards = run.info.standards.as_ref();
        if self == Measure::Shortfall {
            return Standards::shortfall_event(standards);
        }
        let classes = match standards.and_then(|s| s.large_class) {
            Some(n) => format!("classes of {n} or more pupils"),
            None => "large classes".into(),
        };
        match standards
            .and_then(|s| s.large_class_target)
            .filter(|&t| t > 0.0)
        {
            Some(t) => format!("has more than {} of its {classes}", percent(t)),
            None => format!("has {classes}"),
        }
    }
}

/// The heat map of one stage and measure.
pub(crate) struct HeatMap<'a> {
    /// The run.
    pub run: &'a Run,
    /// The stage.
    pub stage: &'a StageInfo,
    /// What the colours show.
    pub measure: Measure,
}

impl HeatMap<'_> {
    /// Districts with risk rows for this stage, in the scenario's order, then the city total.
    fn rows(&self) -> Vec<&str> {
        let districts = self.run.info.districts.iter().map(|d| d.id.as_str());
        districts
            .chain([ALL])
            .filter(|id| self.run.peak_risk(id, &self.stage.id).is_some())
            .collect()
    }

    /// What a cell shows, and the run it comes from.
    fn subtitle(&self) -> String {
        let pooled = if self.stage.is_city_wide() {
            " 本学段全市统筹，仅报告全市合计 This stage is pooled city-wide (catchment = city), so only the city total is reported."
        } else {
            ""
        };
        format!(
            "每格：该区该学年出现{}的模拟占比 Each cell: % of trials in which the district {} in that school year ({} in risk.csv).{pooled} {}",
            self.measure.name_zh(),
            self.measure.event(self.run),
            self.measure.column(),
            labels::run_line(self.run)
        )
    }

    /// Top of row `i` in pixels; the city total sits a little apart.
    fn row_top(&self, i: usize, id: &str) -> i32 {
        let gap = if id == ALL { GAP } else { 0 };
        HEAD + YEARS + i as i32 * ROW + gap
    }

    /// Draws the year header: "observed" over the base year, "projected" over the rest.
    fn draw_years<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        grid: &Grid,
    ) -> DrawResult<DB> {
        // "Observed" ends at the line between the base year and the projection, so that it
        // never runs into "projected" however narrow the base year's column.
        let small = canvas::style(TEXT - 3.0, GREY, HPos::Right, VPos::Bottom);
        let years = canvas::style(TEXT - 1.0, BLACK, HPos::Center, VPos::Bottom);
        canvas::text(area, "实测 observed", (grid.left(1) - 4, HEAD + 18), &small)?;
        let projected = canvas::style(TEXT - 3.0, GREY, HPos::Left, VPos::Bottom);
        canvas::text(
            area,
            "预测 projected →",
            (grid.left(1) + 4, HEAD + 18),
            &projected,
        )?;
        let every = (48 / grid.cell.max(1) + 1) as usize;
        for (col, year) in self.run.years().enumerate().step_by(every) {
            canvas::text(
                area,
                &year.to_string(),
                (grid.centre(col), HEAD + YEARS - 6),
                &years,
            )?;
        }
        let x = grid.left(1);
        let bottom = self.grid_bottom();
        area.draw(&PathElement::new(
            vec![(x, HEAD + 4), (x, bottom)],
            BLACK.stroke_width(2),
        ))
    }

    /// Draws one district's label and cells.
    fn draw_row<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        grid: &Grid,
        (i, id): (usize, &str),
    ) -> DrawResult<DB> {
        let top = self.row_top(i, id);
        let name = labels::district(self.run, id, Form::Short);
        let size = canvas::fit(&name, f64::from(grid.x0 - 30), TEXT);
        let weight = if id == ALL {
            canvas::bold
        } else {
            canvas::style
        };
        let label = weight(size, BLACK, HPos::Right, VPos::Center);
        canvas::text(area, &name, (grid.x0 - 10, top + ROW / 2), &label)?;
        for (col, year) in self.run.years().enumerate() {
            let row = self.run.risk_at(id, &self.stage.id, year);
            self.draw_cell(area, grid, (grid.left(col), top), row)?;
        }
        Ok(())
    }

    /// Draws one cell with its top left at `(x, y)`: fill, percentage (where it fits) and
    /// warning badge.
    fn draw_cell<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        grid: &Grid,
        (x, y): (i32, i32),
        row: Option<&RiskRow>,
    ) -> DrawResult<DB> {
        let w = grid.cell;
        let p = row.and_then(|r| self.measure.of(r));
        let fill = p.map_or(colour::NO_DATA, colour::probability);
        area.draw(&Rectangle::new(
            [(x + 1, y + 1), (x + w - 1, y + ROW - 1)],
            fill.filled(),
        ))?;
        if w >= 48 {
            let value = p.map_or_else(|| "n/a".to_string(), |p| format!("{:.0}", p * 100.0));
            let ink = canvas::style(NUMBER, colour::ink_on(fill), HPos::Right, VPos::Center);
            canvas::text(area, &value, (x + w - 3, y + ROW / 2 + 1), &ink)?;
        }
        match row.map(|r| r.warning) {
            Some(level @ (Warning::Red | Warning::Amber)) => {
                canvas::badge(area, (x + (w / 2).min(12), y + ROW / 2), level)
            }
            _ => Ok(()),
        }
    }

    /// The legend under the cells: the colour scale, then beside it the warning badges and notes.
    fn draw_legend<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let heading = format!(
            "出现{}的模拟占比（格中数字） % of trials with {} (number in each cell)",
            self.measure.name_zh(),
            self.measure.name()
        );
        canvas::colour_bar(area, &heading, (20, 10), f64::from(BAR_COLUMN - 40))?;
        let mut items = warning_items(self.run);
        items.push(Item::new(
            Key::Fill(colour::NO_DATA.to_rgba()),
            "n/a：risk.csv 无此值 no value in risk.csv",
        ));
        let width = f64::from(WIDTH as i32 - BAR_COLUMN - 20);
        canvas::legend(area, &items, (BAR_COLUMN, 10), width).map(drop)
    }

    /// Bottom of the cells.
    fn grid_bottom(&self) -> i32 {
        self.row_top(self.rows().len(), ALL)
    }
}

impl Figure for HeatMap<'_> {
    fn stem(&self) -> String {
        format!("heat_{}_{}", self.measure.column(), file_id(&self.stage.id))
    }

    fn size(&self) -> (u32, u32) {
        let height = self.grid_bottom() + 20 + LEGEND;
        (WIDTH, height.max(600) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        root.fill(&WHITE)?;
        let title = format!(
            "{}概率 Probability of {} – {}",
            self.measure.name_zh(),
            self.measure.name(),
            labels::stage(self.stage)
        );
        canvas::title(root, &title, &self.subtitle())?;
        let grid = Grid::new(self);
        self.draw_years(root, &grid)?;
        for row in self.rows().into_iter().enumerate() {
            self.draw_row(root, &grid, row)?;
        }
        let (_, legend) = root.split_vertically(self.grid_bottom() + 20);
        self.draw_legend(&legend)
    }
}

/// Horizontal layout of the cells.
struct Grid {
    /// Left edge of the first column.
    x0: i32,
    /// Column width.
    cell: i32,
}

impl Grid {
    /// The layout for `map`'s labels.
    fn new(map: &HeatMap) -> Grid {
        let widest = map
            .rows()
            .iter()
            .map(|id| text_width(&labels::district(map.run, id, Form::Short), TEXT))
            .fold(0.0, f64::max);
        let x0 = (widest as i32 + 30).clamp(140, 360);
        let columns = map.run.years().count().max(1) as i32;
        let cell = ((WIDTH as i32 - x0 - 10) / columns).min(MAX_CELL);
        Grid { x0, cell }
    }

    /// Left edge of column `col`.
    fn left(&self, col: usize) -> i32 {
        self.x0 + col as i32 * self.cell
    }

    /// Centre of column `col`.
    fn centre(&self, col: usize) -> i32 {
        self.left(col) + self.cell / 2
    }
}

/// Legend entries for the red and amber badges, with the scenario's thresholds.
pub(crate) fn warning_items(run: &Run) -> Vec<Item> {
    let mut items: Vec<Item> = [Warning::Red, Warning::Amber]
        .into_iter()
        .map(|level| {
            Item::new(
                Key::Badge(level),
                format!(
                    "{}预警 {} warning{}",
                    warning_zh(level),
                    level.name(),
                    threshold_text(run, level)
                ),
            )
        })
        .collect();
    items.push(Item::new(
        Key::Note,
        "无标记：绿色 No badge: green. A badge is the cell's warning level from risk.csv: any of P(shortfall), P(large classes), P(super-large classes) or P(underused) at its threshold; the base year is observed, not warned.",
    ));
    items
}

/// ": P(shortfall) ≥ 50%, P(large classes) ≥ 50%" from `run.json`'s `warnings`, if given.
pub(crate) fn threshold_text(run: &Run, level: Warning) -> String {
    let Some(rules) = run.info.warnings.as_ref().and_then(|w| w.get(level.name())) else {
        return String::new();
    };
    let mut parts: Vec<(usize, String)> = rules
        .iter()
        .map(|(name, value)| probability_name(name, *value))
        .collect();
    parts.sort();
    let parts: Vec<String> = parts.into_iter().map(|(_, text)| text).collect();
    format!(": {}", parts.join(", "))
}

/// "P(shortfall) ≥ 50%" for a `risk.csv` column and threshold, with a rank to order them by.
fn probability_name(column: &str, threshold: f64) -> (usize, String) {
    const NAMES: [(&str, &str); 4] = [
        ("p_shortfall", "P(shortfall)"),
        ("p_large_classes", "P(large classes)"),
        ("p_super_large_classes", "P(super-large classes)"),
        ("p_underused", "P(underused)"),
    ];
    let known = NAMES.iter().position(|(c, _)| *c == column);
    let name = known.map_or(column, |i| NAMES[i].1);
    (
        known.unwrap_or(NAMES.len()),
        format!("{name} ≥ {}", percent(threshold)),
    )
}
