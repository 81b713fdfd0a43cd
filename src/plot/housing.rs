//! The report's section on new housing (DESIGN §2.8): per district and stage, the public-seat
//! pupils who arrived with an estate (`housing_pupils` of `summary.csv`), median and P5–P95, in
//! a few projected years. Absent when the run has no estates.

use std::fmt::Write as _;

use super::data::{Quantiles, Run};
use super::labels::{self, thousands, Form};
use super::page::{esc, Page};

/// Most year columns the table shows (evenly spaced over the projection, horizon last).
const MAX_YEARS: usize = 6;

/// Writes the section, or nothing when no cell has `housing_pupils`.
pub(crate) fn write(page: &mut Page, run: &Run) {
    let years = columns(run.info.base_year + 1, run.info.horizon);
    let rows: Vec<(&str, &str)> = (run.info.districts.iter().map(|d| d.id.as_str()))
        .chain([super::data::ALL])
        .flat_map(|d| run.info.stages.iter().map(move |s| (d, s.id.as_str())))
        .filter(|&(d, s)| {
            let q = |y| run.metric(d, s, y, "housing_pupils");
            years.iter().any(|&y| q(y).is_some_and(|q| q.p95 > 0.0))
        })
        .collect();
    if rows.is_empty() {
        return;
    }
    page.section("housing", "新建住宅带来的学生", "Pupils from new housing");
    page.paragraph(
        "随新建住宅入住而来的儿童进入人口模型后随其他人一同长大：表中为其中需要公办学位的学生，中位数（P5–P95）。",
        "Children who moved in with new estates age with everyone else; the table shows those needing a public seat, median (P5–P95).",
    );
    let lang = page.lang;
    let mut html = format!(
        "<table>\n<tr><th>{}</th><th>{}</th>",
        lang.label("区", "District"),
        lang.label("学段", "Stage")
    );
    for y in &years {
        let _ = write!(html, "<th>{y}</th>");
    }
    html.push_str("</tr>\n");
    for (d, s) in rows {
        let name = labels::district_in_page(run, d, Form::Full);
        let _ = write!(html, "<tr><td>{}</td><td>{}</td>", esc(&name), esc(s));
        for &y in &years {
            let cell = run.metric(d, s, y, "housing_pupils").map_or_else(
                || "n/a".to_string(),
                |q| {
                    let (p50, p05, p95) = (thousands(q.p50), thousands(q.p05), thousands(q.p95));
                    format!("{p50} ({p05}–{p95})")
                },
            );
            let _ = write!(html, "<td class=\"num\">{cell}</td>");
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</table>\n");
    page.push(&html);
}

/// A district section's line on new housing: for each stage the estates reach, the year of the
/// most pupils they bring (largest median) with its median and P5–P95; `None` without estates.
pub(crate) fn district_line(run: &Run, lang: super::lang::Lang, district: &str) -> Option<String> {
    let years = run.info.base_year + 1..=run.info.horizon;
    let peaks: Vec<(String, String)> = run
        .info
        .stages
        .iter()
        .filter_map(|stage| {
            let peak = years
                .clone()
                .filter_map(|y| Some((y, run.metric(district, &stage.id, y, "housing_pupils")?)))
                .filter(|(_, q)| q.p95 > 0.0)
                .fold(None, |best: Option<(i32, Quantiles)>, (y, q)| match best {
                    Some((_, b)) if b.p50 >= q.p50 => best,
                    _ => Some((y, q)),
                })?;
            let (y, q) = peak;
            let band = format!(
                "{y}: {} ({}–{})",
                thousands(q.p50),
                thousands(q.p05),
                thousands(q.p95)
            );
            let zh = format!("{} {band}", super::lang::stage_zh(stage));
            Some((zh, format!("{} {band}", stage.id)))
        })
        .collect();
    if peaks.is_empty() {
        return None;
    }
    let (zh, en): (Vec<String>, Vec<String>) = peaks.into_iter().unzip();
    Some(lang.paragraph(
        &format!(
            "新建住宅带来的公办学位学生（最多的年份，中位数 P5–P95）：{}。",
            esc(&zh.join("；"))
        ),
        &format!(
            "Pupils new housing brings who need a public seat (their peak year, median and P5–P95): {}.",
            esc(&en.join("; "))
        ),
    ))
}

/// At most [`MAX_YEARS`] years from `first` to `last`, evenly spaced, `last` included.
fn columns(first: i32, last: i32) -> Vec<i32> {
    let span = (last - first).max(0);
    let step = (span as usize).div_ceil(MAX_YEARS - 1).max(1) as i32;
    let mut years: Vec<i32> = (0..)
        .map(|k| last - k * step)
        .take_while(|&y| y >= first)
        .collect();
    years.reverse();
    years
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_end_at_the_horizon_and_stay_few() {
        assert_eq!(columns(2021, 2035), vec![2023, 2026, 2029, 2032, 2035]);
        assert_eq!(columns(2021, 2023), vec![2021, 2022, 2023]);
        assert_eq!(columns(2021, 2021), vec![2021]);
        assert!(columns(2001, 2100).len() <= MAX_YEARS);
    }
}
