//! A section of `report.html` per district (`id="district-<id>"`), so that a district head finds
//! their whole picture in one place: every stage's first year at risk and its probability, the
//! first year short, the worst year and its expected shortfall, the seats, classes, money and
//! teachers for P(shortfall) < 10%, the planned spending, and the district's fan charts.

use std::fmt::Write as _;

use super::data::{Run, StageInfo};
use super::facts::{yi, Facts};
use super::headline::{fact_cells, fact_headers, place_name, stage_table, StageRow};
use super::lang::stage_zh;
use super::lang::Lang;
use super::page::{esc, Page};
use super::report::{fan_figure, warning_years, FanCharts};
use super::PlotError;

/// Writes the district sections, after a list linking to each.
pub(crate) fn write(page: &mut Page, run: &Run, fans: &FanCharts) -> Result<(), PlotError> {
    if run.info.districts.is_empty() {
        return Ok(());
    }
    page.section("districts", "分区详情", "District by district");
    let mut list = String::from("<ul class=\"districts\">\n");
    for d in &run.info.districts {
        let _ = writeln!(
            list,
            "<li><a href=\"#district-{}\">{}</a></li>",
            esc(&d.id),
            heading(run, &d.id)
        );
    }
    list.push_str("</ul>\n");
    page.push(&list);
    for d in &run.info.districts {
        section(page, run, &d.id, fans)?;
    }
    Ok(())
}

/// The bilingual name of a district, as HTML: "中原区 <span class=en>Zhongyuan</span>".
fn heading(run: &Run, id: &str) -> String {
    let (zh, en) = (place_name(run, id, true), place_name(run, id, false));
    if zh == en {
        esc(&zh)
    } else {
        format!(
            "{} <span class=\"en\" lang=\"en\">{}</span>",
            esc(&zh),
            esc(&en)
        )
    }
}

/// One district: its table of stages, then its fan charts.
fn section(page: &mut Page, run: &Run, id: &str, fans: &FanCharts) -> Result<(), PlotError> {
    let lang = page.lang;
    let mut html = format!(
        "<section class=\"district\" id=\"district-{}\" data-district=\"{0}\">\n<h3>{}</h3>\n",
        esc(id),
        heading(run, id)
    );
    let mut headers = vec![
        lang.label("学段", "stage"),
        lang.label("首个预警年份（概率）", "first year at risk (probability)"),
    ];
    headers.extend(fact_headers(lang));
    headers.push(lang.label("规划项目投资（亿元）", "planned spending (100 M yuan)"));
    headers.push(lang.label("预警年份", "warning years"));
    let rows: Vec<StageRow> = run
        .info
        .stages
        .iter()
        .filter(|s| !s.is_city_wide())
        .map(|stage| stage_row(run, lang, id, stage))
        .collect();
    html.push_str(&stage_table("overview district", &headers, &rows, 4..9));
    let city_wide: Vec<&StageInfo> = run
        .info
        .stages
        .iter()
        .filter(|s| s.is_city_wide())
        .collect();
    if !city_wide.is_empty() {
        let names: Vec<&str> = city_wide.iter().map(|s| stage_zh(s)).collect();
        let ids: Vec<&str> = city_wide.iter().map(|s| s.id.as_str()).collect();
        html.push_str(&lang.paragraph(
            &format!(
                "{} 全市统筹招生，见<a href=\"#totals\">全市合计</a>。",
                names.join("、")
            ),
            &format!(
                "{} admit city-wide: see <a href=\"#totals\">City totals</a>.",
                ids.join(", ")
            ),
        ));
    }
    if let Some(line) = super::housing::district_line(run, lang, id) {
        html.push_str(&line);
    }
    html.push_str("<div class=\"fans\">\n");
    page.push(&html);
    for stage in &run.info.stages {
        let fan = fans.iter().find(|((d, s), _)| d == id && *s == stage.id);
        if let Some(((place, stage), w)) = fan {
            fan_figure(page, run, place, stage, w)?;
        }
    }
    page.push("</div>\n</section>\n");
    Ok(())
}

/// One stage of a district: the facts of [`Facts`] as a table row.
fn stage_row<'r>(run: &Run, lang: Lang, id: &str, stage: &'r StageInfo) -> StageRow<'r> {
    let f = Facts::of(run, id, stage);
    let at_risk = f.first_at_risk.map_or_else(
        || lang.label("无", "none"),
        |(y, t)| format!("{y}: {}", t.text(lang.chinese)),
    );
    let mut cells = vec![lang.label(stage_zh(stage), &esc(&stage.id)), at_risk];
    cells.extend(fact_cells(lang, &f, stage));
    cells.push(f.spending_yi().map_or_else(String::new, yi));
    cells.push(warning_years(run, id, &stage.id));
    StageRow {
        stage: &stage.id,
        short: f.first_short.is_some(),
        cells,
    }
}
