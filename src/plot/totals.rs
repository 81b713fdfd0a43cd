//! The city totals chart: one fan chart panel per stage for district `ALL`, side by side.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::canvas::{self, Item, Key};
use super::data::{Run, StageInfo, Trajectory, ALL};
use super::fan::{draw_fan, legend_items};
use super::labels;
use super::output::{DrawResult, Figure};

/// Width of the panel grid in pixels.
const PANELS: u32 = 1400;
/// Width of the legend column.
const SIDE: u32 = 320;
/// Height of one row of panels.
const ROW: u32 = 460;
/// Height of the title block.
const HEAD: u32 = 84;

/// City totals of every stage that has them.
pub(crate) struct CityTotals<'a> {
    /// The run.
    pub run: &'a Run,
    /// The stages with a city total, and their totals.
    pub panels: Vec<(&'a StageInfo, &'a Trajectory)>,
}

impl<'a> CityTotals<'a> {
    /// The chart of `run`'s city totals, if it has any.
    pub fn of(run: &'a Run) -> Option<CityTotals<'a>> {
        let panels: Vec<_> = run
            .info
            .stages
            .iter()
            .filter_map(|s| Some((s, run.trajectories.get(&(ALL.to_string(), s.id.clone()))?)))
            .collect();
        (!panels.is_empty()).then_some(CityTotals { run, panels })
    }

    /// Panels per row: two, or one for a single stage.
    fn columns(&self) -> usize {
        self.panels.len().clamp(1, 2)
    }
}

/// What the city's shortfall is, beside net city demand and seats.
const SUM_NOTE: &str = "全市缺口 = 各区缺口之和（按区招生的学段）：一区的空余学位不能安置另一区的学生。City shortfall = sum of district shortfalls for a stage admitted by district: seats empty in one district do not seat the pupils of another, so the city can be short while its demand bands stay below its seats. A stage pooled city-wide is short where its bands rise above the line.";

impl Figure for CityTotals<'_> {
    fn stem(&self) -> String {
        "city_totals".to_string()
    }

    fn size(&self) -> (u32, u32) {
        let rows = self.panels.len().div_ceil(self.columns()) as u32;
        (PANELS + SIDE, (HEAD + rows * ROW).max(720))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        root.fill(&WHITE)?;
        let subtitle = format!(
            "每次模拟全市合计：需要公办学位的学生与已开班学位 Pupils needing a public seat against seats in open classes, summed over the city in each trial. {}",
            labels::run_line(self.run)
        );
        canvas::title(
            root,
            "全市合计（分学段）：公办学位需求与学位 City totals by stage: demand for public seats vs seats",
            &subtitle,
        )?;
        let (body, side) = root.split_horizontally(PANELS);
        let (_, grid) = body.split_vertically(HEAD);
        let rows = self.panels.len().div_ceil(self.columns());
        let cells = grid.split_evenly((rows, self.columns()));
        for (cell, (stage, trajectory)) in cells.iter().zip(&self.panels) {
            draw_fan(
                cell,
                trajectory,
                None,
                self.run.years(),
                Some(&labels::stage(stage)),
            )?;
        }
        let mut items = legend_items(self.run.info.base_year);
        // The fan charts' note ("above the line, trials run short") does not hold for the city:
        // its shortfall is the sum of district shortfalls.
        items.pop();
        items.push(Item::new(Key::Note, SUM_NOTE));
        canvas::legend(&side, &items, (10, HEAD as i32 + 20), f64::from(SIDE - 30)).map(drop)
    }
}
