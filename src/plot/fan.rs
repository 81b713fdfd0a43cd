//! Fan charts: demand for public seats (P5–P95 and P25–P75 bands, median line) against
//! capacity (median seats, a step line), per district × stage and for the city total.

use std::collections::BTreeMap;
use std::ops::{Range, RangeInclusive};

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::{self, Item, Key, GREY, TEXT};
use super::data::{Quantiles, Run, StageInfo, Trajectory};
use super::facts::worst_year_of;
use super::labels::{self, percent, thousands, Form};
use super::output::{file_id, DrawResult, Figure};

/// Fill of the P5–P95 demand band.
pub(crate) const OUTER: RGBColor = RGBColor(198, 219, 239);
/// Fill of the P25–P75 demand band.
const INNER: RGBColor = RGBColor(107, 174, 214);
/// The median demand line.
pub(crate) const MEDIAN: RGBColor = RGBColor(8, 69, 148);
/// The capacity step line.
const SEATS: RGBColor = RGBColor(0, 0, 0);
/// Shading of the observed base year.
const OBSERVED: RGBColor = RGBColor(232, 232, 232);
/// The unchanged scenario's median demand, beside a what-if's.
const REFERENCE_DEMAND: RGBColor = RGBColor(230, 120, 20);
/// The unchanged scenario's seats, beside a what-if's.
const REFERENCE_SEATS: RGBColor = RGBColor(150, 150, 150);

/// The fan chart of one district-stage.
pub(crate) struct FanChart<'a> {
    /// The run.
    pub run: &'a Run,
    /// District id, or `ALL`.
    pub district: &'a str,
    /// The stage.
    pub stage: &'a StageInfo,
    /// Its demand and capacity.
    pub trajectory: &'a Trajectory,
    /// The same district-stage in the unchanged scenario, drawn beside a what-if's.
    pub reference: Option<&'a Trajectory>,
}

impl FanChart<'_> {
    /// The chart's title.
    fn title(&self) -> String {
        format!(
            "{} – {}：公办学位需求与学位 Demand for public seats vs seats",
            labels::district(self.run, self.district, Form::Full),
            labels::stage(self.stage)
        )
    }

    /// The worst year of this district-stage (the report's rule, [`worst_year_of`]) and its
    /// risk, for the legend; nothing when it is never short.
    fn peak_note(&self) -> Option<String> {
        let year = worst_year_of(self.run, self.district, &self.stage.id)?;
        let row = self.run.risk_at(self.district, &self.stage.id, year)?;
        let mut note = format!(
            "最不利年份 Worst year: {}, 缺口概率 P(shortfall) {}",
            row.year,
            percent(row.p_shortfall?)
        );
        if let Some(e) = row.expected_shortfall {
            note.push_str(&format!(
                ", 预期缺口 expected shortfall {} 学位 seats",
                thousands(e)
            ));
        }
        note.push_str(&format!(", 预警 warning {}.", row.warning.name()));
        Some(note)
    }
}

impl Figure for FanChart<'_> {
    fn stem(&self) -> String {
        format!("fan_{}_{}", file_id(self.district), file_id(&self.stage.id))
    }

    fn size(&self) -> (u32, u32) {
        (1200, 700)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        root.fill(&WHITE)?;
        let (head, body) = root.split_vertically(84);
        let subtitle = format!(
            "按学年：需要公办学位的学生与已开班学位 Pupils needing a public seat against seats in open classes, by school year. {}",
            labels::run_line(self.run)
        );
        canvas::title(&head, &self.title(), &subtitle)?;
        let (plot, side) = body.split_horizontally(890);
        draw_fan(
            &plot,
            self.trajectory,
            self.reference,
            self.run.years(),
            None,
        )?;
        let mut items = legend_items(self.run.info.base_year);
        if self.reference.is_some() {
            items.extend(reference_items());
        }
        items.extend(self.peak_note().map(|n| Item::new(Key::Note, n)));
        canvas::legend(&side, &items, (10, 20), 290.0).map(drop)
    }
}

/// The legend of a fan chart.
pub(crate) fn legend_items(base_year: i32) -> Vec<Item> {
    vec![
        Item::new(
            Key::Line(MEDIAN, 3),
            "需求中位数 Demand, median of trials (pupils needing a public seat)",
        ),
        Item::new(
            Key::Fill(INNER.to_rgba()),
            "需求 50% 区间 Demand, middle 50% of trials (P25–P75)",
        ),
        Item::new(
            Key::Fill(OUTER.to_rgba()),
            "需求 90% 区间 Demand, middle 90% of trials (P5–P95)",
        ),
        Item::new(
            Key::Line(SEATS, 3),
            "学位：已开班容量中位数 Seats: capacity of open classes, median of trials",
        ),
        Item::new(
            Key::Fill(OBSERVED.to_rgba()),
            format!("{base_year}：基年实测 base year, observed"),
        ),
        Item::new(
            Key::Note,
            "蓝带高出黑线之处即学位不足 Where the blue bands rise above the black line, trials run short of seats.",
        ),
    ]
}

/// The legend of the unchanged scenario's lines.
fn reference_items() -> [Item; 2] {
    [
        Item::new(
            Key::Line(REFERENCE_DEMAND, 3),
            "原情景需求中位数 Unchanged scenario: demand, median of trials (shows where the what-if differs)",
        ),
        Item::new(
            Key::Line(REFERENCE_SEATS, 3),
            "原情景学位 Unchanged scenario: seats, median of trials (shows where the what-if differs)",
        ),
    ]
}

/// Draws a trajectory's median demand and its seats (a step line) into a fan chart's plotting
/// area, in the given colours: the what-if's own, or the unchanged scenario's beside it.
fn draw_lines<DB: DrawingBackend>(
    area: &DrawingArea<DB, Cartesian2d<YearAxis, plotters::coord::types::RangedCoordf64>>,
    trajectory: &Trajectory,
    (demand, seats): (RGBColor, RGBColor),
) -> DrawResult<DB> {
    for run in runs(&trajectory.demand) {
        let median = run.iter().map(|(y, q)| (f64::from(*y), q.p50));
        area.draw(&PathElement::new(
            median.collect::<Vec<_>>(),
            demand.stroke_width(3),
        ))?;
    }
    for run in runs(&trajectory.capacity) {
        area.draw(&PathElement::new(steps(&run), seats.stroke_width(3)))?;
    }
    Ok(())
}

/// A chart of school years `first`–`last` against values `low`–`high`, its mesh and axes drawn:
/// what fan charts and the charts of a comparison share.
pub(crate) fn year_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    (first, last): (f64, f64),
    (low, high): (f64, f64),
    y_desc: &str,
    caption: Option<&str>,
) -> Result<YearChart<'a, DB>, DrawingAreaErrorKind<DB::ErrorType>> {
    let mut builder = ChartBuilder::on(area);
    builder
        .margin(12)
        .margin_right(24)
        .x_label_area_size(56)
        .y_label_area_size(96);
    if let Some(caption) = caption {
        builder.caption(caption, canvas::bold(20.0, BLACK, HPos::Center, VPos::Top));
    }
    let x_axis = YearAxis {
        range: first - 0.5..last + 0.5,
    };
    let mut chart = builder.build_cartesian_2d(x_axis, low..high)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(225, 225, 225))
        .axis_style(GREY)
        .x_desc("学年（秋季入学）School year (starting in autumn)")
        .y_desc(y_desc)
        .label_style(canvas::style(TEXT - 1.0, BLACK, HPos::Center, VPos::Top))
        .axis_desc_style(canvas::style(TEXT + 1.0, BLACK, HPos::Center, VPos::Top))
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| thousands(*y))
        .x_labels((area.dim_in_pixel().0 / 52) as usize)
        .y_labels(8)
        .draw()?;
    Ok(chart)
}

/// A chart built by [`year_chart`].
pub(crate) type YearChart<'a, DB> =
    ChartContext<'a, DB, Cartesian2d<YearAxis, plotters::coord::types::RangedCoordf64>>;

/// Draws the fan chart of `trajectory` over `years` in `area`, with the unchanged scenario's
/// lines `reference` beside a what-if's and an optional caption.
pub(crate) fn draw_fan<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    trajectory: &Trajectory,
    reference: Option<&Trajectory>,
    years: RangeInclusive<i32>,
    caption: Option<&str>,
) -> DrawResult<DB> {
    let (first, last) = (f64::from(*years.start()), f64::from(*years.end()));
    let (low, high) = value_range(trajectory, reference);
    let chart = year_chart(
        area,
        (first, last),
        (low, high),
        "学生 / 学位 Pupils / seats",
        caption,
    )?;
    let area = chart.plotting_area();
    area.draw(&Rectangle::new(
        [(first - 0.5, low), (first + 0.5, high)],
        OBSERVED.filled(),
    ))?;
    for run in runs(&trajectory.demand) {
        area.draw(&band(&run, |q| (q.p05, q.p95), OUTER))?;
        area.draw(&band(&run, |q| (q.p25, q.p75), INNER))?;
    }
    // Beneath the what-if's own lines, so that the unchanged scenario shows where they differ.
    if let Some(reference) = reference {
        draw_lines(area, reference, (REFERENCE_DEMAND, REFERENCE_SEATS))?;
    }
    draw_lines(area, trajectory, (MEDIAN, SEATS))?;
    if let Some(q) = trajectory.demand.get(years.start()) {
        area.draw(&Circle::new((first, q.p50), 5, MEDIAN.filled()))?;
    }
    let observed = canvas::style(TEXT - 2.0, GREY, HPos::Right, VPos::Center)
        .transform(FontTransform::Rotate270);
    area.draw(&Text::new("实测 observed", (first - 0.25, high), observed))
}

/// The y range of a trajectory and the medians of its reference, padded, starting at 0 or above.
fn value_range(t: &Trajectory, reference: Option<&Trajectory>) -> (f64, f64) {
    let demand = t.demand.values().flat_map(|q| [q.p05, q.p95]);
    let mut values: Vec<f64> = demand.chain(t.capacity.values().copied()).collect();
    if let Some(r) = reference {
        values.extend(r.demand.values().map(|q| q.p50));
        values.extend(r.capacity.values().copied());
    }
    let low = values.iter().copied().fold(f64::INFINITY, f64::min);
    let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let pad = ((high - low) * 0.08).max(high.abs() * 0.02).max(1.0);
    ((low - pad).max(0.0), high + pad)
}

/// An x axis of school years whose ticks fall on whole years only.
pub(crate) struct YearAxis {
    range: Range<f64>,
}

impl Ranged for YearAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let t = (value - self.range.start) / (self.range.end - self.range.start);
        limit.0 + (t * f64::from(limit.1 - limit.0)).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        let (first, last) = (
            self.range.start.ceil() as i32,
            self.range.end.floor() as i32,
        );
        let years = (last - first + 1).max(1) as usize;
        let fits = |step: &usize| years.div_ceil(*step) <= hint.max_num_points();
        let step = [1, 2, 5, 10, 25].into_iter().find(fits).unwrap_or(50);
        (first..=last).step_by(step).map(f64::from).collect()
    }

    fn range(&self) -> Range<f64> {
        self.range.clone()
    }
}

/// Splits a by-year series into runs of consecutive years, so gaps are not bridged.
fn runs<T: Copy>(series: &BTreeMap<i32, T>) -> Vec<Vec<(i32, T)>> {
    let mut out: Vec<Vec<(i32, T)>> = Vec::new();
    for (&year, &value) in series {
        match out.last_mut() {
            Some(run) if run.last().is_some_and(|(y, _)| *y + 1 == year) => run.push((year, value)),
            _ => out.push(vec![(year, value)]),
        }
    }
    out
}

/// The polygon between the lower and upper values `bounds` picks from each year's quantiles.
fn band(
    run: &[(i32, Quantiles)],
    bounds: fn(&Quantiles) -> (f64, f64),
    fill: RGBColor,
) -> Polygon<(f64, f64)> {
    let upper = run.iter().map(|(y, q)| (f64::from(*y), bounds(q).1));
    let lower = run.iter().rev().map(|(y, q)| (f64::from(*y), bounds(q).0));
    Polygon::new(upper.chain(lower).collect::<Vec<_>>(), fill.filled())
}

/// A step line holding each year's value from half a year before to half a year after it, with
/// corners only where the value changes (plotters draws repeated points in thick lines badly).
fn steps(run: &[(i32, f64)]) -> Vec<(f64, f64)> {
    let mut path: Vec<(f64, f64)> = Vec::new();
    for &(year, value) in run {
        let start = f64::from(year) - 0.5;
        match path.last() {
            Some(&(_, last)) if last == value => {}
            Some(&(_, last)) => path.extend([(start, last), (start, value)]),
            None => path.push((start, value)),
        }
    }
    if let Some(&(year, value)) = run.last() {
        path.push((f64::from(year) + 0.5, value));
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_split_at_missing_years() {
        let series: BTreeMap<i32, f64> = [(2020, 1.0), (2021, 2.0), (2023, 3.0)].into();
        let split = runs(&series);
        assert_eq!(
            split,
            vec![vec![(2020, 1.0), (2021, 2.0)], vec![(2023, 3.0)]]
        );
    }

    #[test]
    fn steps_hold_each_value_for_its_school_year() {
        let s = steps(&[(2020, 10.0), (2021, 10.0), (2022, 12.0)]);
        let corners = vec![
            (2019.5, 10.0),
            (2021.5, 10.0),
            (2021.5, 12.0),
            (2022.5, 12.0),
        ];
        assert_eq!(s, corners);
        assert_eq!(steps(&[(2020, 5.0)]), vec![(2019.5, 5.0), (2020.5, 5.0)]);
        assert!(steps(&[]).is_empty());
    }
}
