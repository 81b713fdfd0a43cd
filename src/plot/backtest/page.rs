//! `backtest.html`: the back-test's scores — coverage, CRPS, skill against the deterministic
//! run and persistence, MAPE — by origin, metric and horizon, then by stage, with the charts.

use std::fmt::Write as _;
use std::path::PathBuf;

use super::super::labels::percent;
use super::super::output::{write_atomic, Written};
use super::super::report::{esc, figure, STYLE};
use super::super::PlotError;
use super::{Backtest, Row};

/// Writes `backtest.html` into the back-test folder and returns its path.
pub(crate) fn write(bt: &Backtest, charts: &[Written]) -> Result<PathBuf, PlotError> {
    let mut page = format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>seatsim backtest</title>\n{STYLE}</head>\n<body>\n<main>\n<h1>回测 <span class=\"en\">Back-test</span></h1>\n"
    );
    page.push_str("<p class=\"sub\">Each origin is a scenario built from what was known by its base year, projected and scored on the years observed after it. Coverage: share of observations inside the band (nominal P5–P95 90%, P25–P75 50%). CRPS: the continuous ranked probability score of the trials, in % of the observed value. Skill: 1 − CRPS / CRPS of a point forecast — the deterministic run, or persistence (the origin year's observed value carried forward); above 0 the bands beat it.</p>\n");
    for w in charts {
        figure(&mut page, &bt.dir, w)?;
    }
    page.push_str("<h2>按预测年限 <span class=\"en\">By horizon (every stage)</span></h2>\n");
    table(&mut page, bt.rows.iter().filter(|r| r.stage == "all"));
    page.push_str(
        "<h2>按学段 <span class=\"en\">By stage (every horizon after the origin)</span></h2>\n",
    );
    table(
        &mut page,
        bt.rows
            .iter()
            .filter(|r| r.stage != "all" && r.horizon == "all"),
    );
    page.push_str("</main>\n</body>\n</html>\n");
    let path = bt.dir.join(super::super::BACKTEST_PAGE);
    write_atomic(&path, page.as_bytes())?;
    Ok(path)
}

/// A table of summary rows.
fn table<'a>(page: &mut String, rows: impl Iterator<Item = &'a Row>) {
    page.push_str("<div class=\"scroll\"><table>\n<tr><th>origin</th><th>metric</th><th>stage</th><th>horizon</th><th>n</th><th>P5–P95</th><th>P25–P75</th><th>CRPS %</th><th>skill vs deterministic</th><th>skill vs persistence</th><th>MAPE %</th></tr>\n");
    let share = |x: Option<f64>| x.map_or(String::new(), percent);
    let num = |x: Option<f64>| x.map_or(String::new(), |x| format!("{x:.2}"));
    for r in rows {
        let _ = writeln!(
            page,
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
}
