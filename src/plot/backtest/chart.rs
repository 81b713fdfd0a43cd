//! The calibration chart of one metric: the PIT histogram of every observation after the
//! origin (flat when the bands are calibrated) beside the coverage of P5–P95 and P25–P75 by
//! years after the origin, against their nominal 90% and 50%.

use plotters::coord::Shift;
use std::ops::Range;

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::super::canvas::{self, GREY, TEXT};
use super::super::fan::MEDIAN;
use super::super::labels::percent;
use super::super::output::{file_id, DrawResult, Figure};
use super::Backtest;

/// The P5–P95 coverage.
const WIDE: RGBColor = RGBColor(90, 140, 200);
/// The nominal coverage lines.
const NOMINAL: RGBColor = RGBColor(200, 70, 60);

/// PIT histogram and coverage by horizon of one metric.
pub(crate) struct Calibration<'a> {
    /// The back-test.
    pub bt: &'a Backtest,
    /// The metric's name.
    pub metric: &'a str,
}

impl Calibration<'_> {
    /// Draws the PIT histogram in `area`.
    fn draw_pit<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let counts = self.bt.pit_of(self.metric).unwrap_or(&[]);
        let n: u64 = counts.iter().sum();
        let expected = n as f64 / counts.len().max(1) as f64;
        let top = counts.iter().copied().max().unwrap_or(0) as f64;
        let high = top.max(expected * 1.5).max(1.0) * 1.1;
        let axes = Axes {
            caption: &format!("{} {}", "PIT 直方图", "PIT histogram"),
            x_desc: "Share of trials below the observation (PIT)",
            y_desc: "Observations",
            x_labels: 6,
            y_labels: (high as usize + 1).min(10),
        };
        let chart = axes.draw(area, 0.0..1.0, 0.0..high, &|x| format!("{x:.1}"), &|y| {
            format!("{y:.0}")
        })?;
        let plot = chart.plotting_area();
        let width = 1.0 / counts.len().max(1) as f64;
        for (i, &c) in counts.iter().enumerate() {
            let x0 = i as f64 * width;
            plot.draw(&Rectangle::new(
                [(x0 + width * 0.06, 0.0), (x0 + width * 0.94, c as f64)],
                MEDIAN.mix(0.75).filled(),
            ))?;
        }
        plot.draw(&PathElement::new(
            vec![(0.0, expected), (1.0, expected)],
            NOMINAL.stroke_width(2),
        ))
    }

    /// Draws the coverage by horizon in `area`.
    fn draw_coverage<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let rows = self.bt.by_horizon(self.metric);
        let last = rows.iter().map(|(h, _)| *h).max().unwrap_or(1);
        let axes = Axes {
            caption: &format!("{} {}", "各预测年限覆盖率", "Coverage by horizon"),
            x_desc: "Years after the origin",
            y_desc: "Observations inside the band",
            x_labels: last as usize + 1,
            y_labels: 11,
        };
        let x_range = 0.5..f64::from(last) + 0.5;
        let chart = axes.draw(area, x_range, 0.0..1.05, &|x| format!("{x:.0}"), &|y| {
            percent(*y)
        })?;
        let plot = chart.plotting_area();
        let span = [0.5, f64::from(last) + 0.5];
        for nominal in [0.9, 0.5] {
            plot.draw(&PathElement::new(
                span.map(|x| (x, nominal)).to_vec(),
                NOMINAL.stroke_width(1),
            ))?;
        }
        let series = |f: fn(&super::Row) -> Option<f64>| -> Vec<(f64, f64)> {
            rows.iter()
                .filter_map(|(h, r)| f(r).map(|c| (f64::from(*h), c)))
                .collect()
        };
        for (points, colour) in [
            (series(|r| r.coverage_p05_p95), WIDE),
            (series(|r| r.coverage_p25_p75), MEDIAN),
        ] {
            plot.draw(&PathElement::new(points.clone(), colour.stroke_width(3)))?;
            for p in points {
                plot.draw(&Circle::new(p, 6, colour.filled()))?;
            }
        }
        Ok(())
    }
}

/// A panel's axes: caption, axis descriptions and how many x labels.
struct Axes<'a> {
    caption: &'a str,
    x_desc: &'a str,
    y_desc: &'a str,
    x_labels: usize,
    y_labels: usize,
}

/// A panel built by [`Axes::draw`].
type Panel<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

impl Axes<'_> {
    /// Builds the panel on `area` and draws its mesh, labels formatted by `fx` and `fy`.
    fn draw<'b, DB: DrawingBackend>(
        &self,
        area: &'b DrawingArea<DB, Shift>,
        x: Range<f64>,
        y: Range<f64>,
        fx: &dyn Fn(&f64) -> String,
        fy: &dyn Fn(&f64) -> String,
    ) -> Result<Panel<'b, DB>, DrawingAreaErrorKind<DB::ErrorType>> {
        let mut chart = ChartBuilder::on(area)
            .margin(12)
            .margin_right(24)
            .x_label_area_size(56)
            .y_label_area_size(70)
            .caption(
                self.caption,
                canvas::bold(20.0, BLACK, HPos::Center, VPos::Top),
            )
            .build_cartesian_2d(x, y)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE)
            .bold_line_style(RGBColor(225, 225, 225))
            .axis_style(GREY)
            .x_desc(self.x_desc)
            .y_desc(self.y_desc)
            .label_style(canvas::style(TEXT - 1.0, BLACK, HPos::Center, VPos::Top))
            .axis_desc_style(canvas::style(TEXT + 1.0, BLACK, HPos::Center, VPos::Top))
            .x_labels(self.x_labels)
            .y_labels(self.y_labels)
            .x_label_formatter(fx)
            .y_label_formatter(fy)
            .draw()?;
        Ok(chart)
    }
}

impl Figure for Calibration<'_> {
    fn stem(&self) -> String {
        format!("backtest_{}", file_id(self.metric))
    }

    fn size(&self) -> (u32, u32) {
        (1400, 720)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        root.fill(&WHITE)?;
        let (head, body) = root.split_vertically(96);
        let n: u64 = self.bt.pit_of(self.metric).unwrap_or(&[]).iter().sum();
        let origin = match self.bt.pooled_origin() {
            "all" => "all origins".to_string(),
            one => format!("origin {one}"),
        };
        let title = format!(
            "回测校准 Back-test calibration – {}: PIT 与区间覆盖率 PIT and band coverage",
            self.metric
        );
        let subtitle = format!(
            "{n} observations after the origin ({origin}), every stage. Calibrated bands give a flat PIT histogram (red line: the count expected of each tenth) and coverage on the red lines, 90% for P5–P95 (blue) and 50% for P25–P75 (dark); bars piled at the ends mean bands too narrow, a hump in the middle too wide, a slope a bias."
        );
        canvas::title(&head, &title, &subtitle)?;
        let (left, right) = body.split_horizontally(640);
        self.draw_pit(&left)?;
        self.draw_coverage(&right)
    }
}
