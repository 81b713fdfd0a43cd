//! The chart of what a change buys for one stage: the city's shortfall ALT − BASE by year, its
//! P5–P95 band of paired trials and median, with the change in seats beside it.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::super::canvas::{self, Item, Key};
use super::super::fan::{year_chart, MEDIAN, OUTER};
use super::super::labels::thousands;
use super::super::output::{file_id, DrawResult, Figure};
use super::data::{Change, Compared};

/// The median change in seats.
const SEATS: RGBColor = RGBColor(35, 139, 69);

/// What the change buys for one stage, city-wide.
pub(crate) struct PairedChart<'a> {
    /// The comparison.
    pub cmp: &'a Compared,
    /// The stage id.
    pub stage: &'a str,
}

impl PairedChart<'_> {
    /// The y range: every band value, the seats' change and zero, padded.
    fn range(&self) -> (f64, f64) {
        let shortfall = self
            .cmp
            .change(self.stage, "shortfall")
            .into_iter()
            .flatten();
        let seats = self
            .cmp
            .change(self.stage, "capacity")
            .into_iter()
            .flatten();
        let values = shortfall
            .flat_map(|(_, c)| [c.p05, c.p95])
            .chain(seats.map(|(_, c)| c.p50))
            .chain([0.0]);
        let (low, high) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
            (l.min(v), h.max(v))
        });
        let pad = ((high - low) * 0.08).max(1.0);
        (low - pad, high + pad)
    }

    /// Draws the chart's axes and series in `area`.
    fn draw_plot<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let shortfall: Vec<(i32, Change)> = self
            .cmp
            .change(self.stage, "shortfall")
            .map(|m| m.iter().map(|(y, c)| (*y, *c)).collect())
            .unwrap_or_default();
        let (Some(first), Some(last)) = (shortfall.first(), shortfall.last()) else {
            return Ok(());
        };
        let (x0, x1) = (f64::from(first.0) - 0.5, f64::from(last.0) + 0.5);
        let years = (f64::from(first.0), f64::from(last.0));
        let chart = year_chart(
            area,
            years,
            self.range(),
            "变化 Change, ALT − BASE（学生 / 学位 pupils / seats）",
            None,
        )?;
        let plot = chart.plotting_area();
        let upper = shortfall.iter().map(|(y, c)| (f64::from(*y), c.p95));
        let lower = shortfall.iter().rev().map(|(y, c)| (f64::from(*y), c.p05));
        plot.draw(&Polygon::new(
            upper.chain(lower).collect::<Vec<_>>(),
            OUTER.filled(),
        ))?;
        plot.draw(&PathElement::new(
            vec![(x0, 0.0), (x1, 0.0)],
            BLACK.stroke_width(1),
        ))?;
        let median = shortfall.iter().map(|(y, c)| (f64::from(*y), c.p50));
        plot.draw(&PathElement::new(
            median.collect::<Vec<_>>(),
            MEDIAN.stroke_width(3),
        ))?;
        if let Some(seats) = self.cmp.change(self.stage, "capacity") {
            let line = seats.iter().map(|(y, c)| (f64::from(*y), c.p50));
            plot.draw(&PathElement::new(
                line.collect::<Vec<_>>(),
                SEATS.stroke_width(3),
            ))?;
        }
        Ok(())
    }
}

impl Figure for PairedChart<'_> {
    fn stem(&self) -> String {
        format!("compare_shortfall_{}", file_id(self.stage))
    }

    fn size(&self) -> (u32, u32) {
        (1200, 700)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        root.fill(&WHITE)?;
        let (head, body) = root.split_vertically(84);
        let info = &self.cmp.info;
        let title = format!(
            "方案效果 What the change buys – {}：全市学位缺口变化 city seat shortfall, ALT − BASE",
            self.stage
        );
        let trials = info.trials.map_or(String::new(), |n| {
            format!(", {} 次配对模拟 paired trials", thousands(n as f64))
        });
        let subtitle = format!(
            "方案 ALT “{}” 减基准 BASE “{}”，同一随机抽样逐次相减 trial by trial on the same random draws{trials}. 低于零：缺位学生减少 Below zero, the change leaves fewer pupils without a seat.",
            info.alt.name, info.base.name
        );
        canvas::title(&head, &title, &subtitle)?;
        let (plot, side) = body.split_horizontally(890);
        self.draw_plot(&plot)?;
        let items = [
            Item::new(Key::Line(MEDIAN, 3), "全市缺口变化中位数 Change in the city's shortfall (sum of district shortfalls for a stage admitted by district), median of paired trials"),
            Item::new(Key::Fill(OUTER.to_rgba()), "90% 区间 Middle 90% of paired trials (P5–P95)"),
            Item::new(Key::Line(SEATS, 3), "学位变化中位数 Change in seats (capacity), median"),
            Item::new(Key::Note, "配对：两方案每次模拟的出生、迁移和延期相同 Paired: both scenarios see the same births, migration and delays in each trial, so the band is the spread of the change itself."),
        ];
        canvas::legend(&side, &items, (10, 20), 290.0).map(drop)
    }
}
