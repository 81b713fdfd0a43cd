//! `backtest.html`: the back-test's scores — coverage, CRPS, skill against the deterministic
//! run and persistence, MAPE — by origin, metric and horizon, then by stage, with the charts.

use std::fmt::Write as _;
use std::path::PathBuf;

use super::super::labels::percent;
use super::super::lang::Lang;
use super::super::output::{write_atomic, Written};
use super::super::page::{esc, Page};
use super::super::PlotError;
use super::{Backtest, Row};

/// Writes `backtest.html` into the back-test folder and returns its path.
pub(crate) fn write(bt: &Backtest, charts: &[Written]) -> Result<PathBuf, PlotError> {
    let mut page = Page::new(Lang { chinese: true });
    page.section("calibration", "校准图", "Calibration charts");
    for w in charts {
        page.figure(
            w,
            "PIT 直方图与各预测年限的区间覆盖率",
            "PIT histogram and band coverage by horizon",
        )?;
    }
    page.section("horizon", "按预测年限", "By horizon (every stage)");
    page.push(&table(bt.rows.iter().filter(|r| r.stage == "all")));
    page.section(
        "stage",
        "按学段",
        "By stage (every horizon after the origin)",
    );
    page.push(&table(
        bt.rows
            .iter()
            .filter(|r| r.stage != "all" && r.horizon == "all"),
    ));
    let sub = "每个起点是一个只用其基年已知信息建立的情景，向后预测并与基年之后观测到的年份对比。覆盖率：观测值落在区间内的比例（P5–P95 名义 90%，P25–P75 名义 50%）。CRPS：各次模拟的连续分级概率评分，以观测值的 % 表示。技能：1 − CRPS / 点预测的 CRPS（确定性运行，或持续性预测：起点年的观测值保持不变）；大于 0 表示区间优于该点预测。 — Each origin is a scenario built from what was known by its base year, projected and scored on the years observed after it. Coverage: share of observations inside the band (nominal P5–P95 90%, P25–P75 50%). CRPS: the continuous ranked probability score of the trials, in % of the observed value. Skill: 1 − CRPS / CRPS of a point forecast — the deterministic run, or persistence (the origin year's observed value carried forward); above 0 the bands beat it.";
    let html = page.finish("seatsim backtest", "回测", "Back-test", sub);
    let path = bt.dir.join(super::super::BACKTEST_PAGE);
    write_atomic(&path, html.as_bytes())?;
    Ok(path)
}

/// A table of summary rows.
fn table<'a>(rows: impl Iterator<Item = &'a Row>) -> String {
    let mut page = String::new();
    page.push_str("<div class=\"scroll\"><table>\n<tr><th>起点 <span class=\"en\">origin</span></th><th>指标 <span class=\"en\">metric</span></th><th>学段 <span class=\"en\">stage</span></th><th>预测年限 <span class=\"en\">horizon</span></th><th>观测数 <span class=\"en\">n</span></th><th>P5–P95 覆盖 <span class=\"en\">coverage</span></th><th>P25–P75 覆盖 <span class=\"en\">coverage</span></th><th>CRPS %</th><th>技能 对确定性 <span class=\"en\">skill vs deterministic</span></th><th>技能 对持续性 <span class=\"en\">skill vs persistence</span></th><th>MAPE %</th></tr>\n");
    let share = |x: Option<f64>| x.map_or(String::new(), percent);
    let num = |x: Option<f64>| x.map_or(String::new(), |x| format!("{x:.2}"));
    for r in rows {
        let _ = writeln!(
            &mut page,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&r.origin),
            esc(&r.metric),
            esc(&r.stage),
            esc(&r.horizon),
            r.observations,
            share(r.coverage_p05_p95),
            share(r.coverage_p25_p75),
            num(r.crps_pct),
            num(r.skill_deterministic),
            num(r.skill_persistence),
            num(r.mape)
        );
    }
    page.push_str("</table></div>\n");
    page
}
