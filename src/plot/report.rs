//! `report.html`: one self-contained page (every chart inline, so that it survives being mailed
//! alone) — the headline, the maps, what drives the risk, the city totals, the ranking, the heat
//! maps, a section per district with its fan charts, and the run's metadata.

use std::fmt::Write as _;
use std::path::PathBuf;

use super::colour;
use super::data::{by_risk, RiskRow, Run, StageInfo, Warning, ALL};
use super::districts;
use super::facts::Facts;
use super::headline::{self, place_name};
use super::heat::{threshold_text, Measure};
use super::labels::{self, percent, thousands, Form};
use super::lang::{stage_zh, Lang};
use super::output::{write_atomic, Written};
use super::page::{esc, Page};
use super::tornado::Tornadoes;
use super::PlotError;

/// Rows of the top-risk table.
const TOP_ROWS: usize = 20;

/// A fan chart and its (district, stage).
pub(crate) type Fan = ((String, String), Written);
/// Fan charts by (district, stage).
pub(crate) type FanCharts = Vec<Fan>;
/// Heat maps by stage and measure.
pub(crate) type HeatMaps = Vec<(String, Measure, Written)>;
/// District maps by stage, with the year each shows.
pub(crate) type Maps = Vec<(String, i32, Written)>;

/// The charts drawn for a run, by kind.
#[derive(Debug, Default)]
pub(crate) struct Drawn {
    /// Fan charts by (district, stage).
    pub fans: FanCharts,
    /// Heat maps by stage and measure.
    pub heat: HeatMaps,
    /// District maps by stage, with the year each shows.
    pub maps: Maps,
    /// The city totals chart, if the run has city totals.
    pub totals: Option<Written>,
    /// What drives the risk, by stage, if the run has `tornado.csv`.
    pub tornadoes: Tornadoes,
}

impl Drawn {
    /// Every file written.
    pub fn paths(&self) -> Vec<PathBuf> {
        let fans = self.fans.iter().map(|(_, w)| w);
        let heat = self.heat.iter().map(|(_, _, w)| w);
        let maps = self.maps.iter().map(|(_, _, w)| w);
        let tornadoes = self.tornadoes.iter().map(|(_, w)| w);
        let all = fans
            .chain(heat)
            .chain(maps)
            .chain(&self.totals)
            .chain(tornadoes);
        all.flat_map(|w| [w.png.clone(), w.svg.clone()]).collect()
    }
}

/// What the report shows besides the charts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    /// Fan charts of this many riskiest district-stages (by `risk.csv`'s rank).
    pub fan_charts: usize,
}

/// Writes `report.html` into the run folder and returns its path: the headline first, then the
/// maps of the worst years, then the detail by district, and the run's metadata last.
pub(crate) fn write(run: &Run, drawn: &Drawn, settings: Settings) -> Result<PathBuf, PlotError> {
    let mut page = Page::new(Lang::of(run));
    headline::write(&mut page, run);
    maps(&mut page, run, drawn)?;
    drivers(&mut page, run, drawn)?;
    totals(&mut page, run, drawn)?;
    risk_table(&mut page, run);
    super::housing::write(&mut page, run);
    riskiest_fans(&mut page, run, drawn, settings.fan_charts)?;
    heat_maps(&mut page, run, drawn)?;
    districts::write(&mut page, run, &drawn.fans)?;
    metadata(&mut page, run, drawn);
    let name = &run.info.scenario.name;
    let sub = esc(&labels::run_line(run));
    let html = page.finish(
        &format!("seatsim 学位供需报告 report: {name}"),
        &format!("学位供需预测 — {}", esc(name)),
        "School seats against demand",
        &sub,
    );
    let path = run.dir.join("report.html");
    write_atomic(&path, html.as_bytes())?;
    Ok(path)
}

/// The district maps, each stage in its worst year (or the year asked for).
fn maps(page: &mut Page, run: &Run, drawn: &Drawn) -> Result<(), PlotError> {
    if drawn.maps.is_empty() {
        return Ok(());
    }
    page.section("maps", "预警地图", "Warnings map");
    page.paragraph(
        "各学段在其最不利年份（全市预期缺口最大的年份）各区出现学位缺口的概率，最早短缺的学段在前。功能区以所在行政区内的圆点表示。",
        "The probability of a seat shortfall by district, each stage in its worst year (the year of the city's largest expected shortfall), the stage short soonest first. Functional zones are circles inside their host district.",
    );
    // The stages the city is short in first, so that the first map answers "where first".
    let mut ordered: Vec<&(String, i32, Written)> = drawn.maps.iter().collect();
    ordered.sort_by_key(|(stage, _, _)| {
        let first_short = run
            .info
            .stages
            .iter()
            .find(|s| s.id == *stage)
            .and_then(|s| Facts::of(run, ALL, s).first_short);
        first_short.unwrap_or(i32::MAX)
    });
    for (stage, year, w) in ordered {
        let (zh, en) = stage_names(run, stage);
        page.figure(
            w,
            &format!("{zh}：{year} 年各区缺口概率"),
            &format!("{en}: probability of a shortfall by district, {year}"),
        )?;
    }
    Ok(())
}

/// What drives the risk: a tornado chart per stage, from `tornado.csv`.
fn drivers(page: &mut Page, run: &Run, drawn: &Drawn) -> Result<(), PlotError> {
    if drawn.tornadoes.is_empty() {
        return Ok(());
    }
    page.section("drivers", "风险来源", "What drives the risk");
    page.paragraph(
        "各学段在其预期缺口最大的年份：每个未知量从低值（P5）移到高值（P95）、其余取中值时，全市学位缺口变化多少个学位——由此可见哪项调查最值得做。",
        "Each stage in the year of its largest expected shortfall: how many seats the city's shortfall changes when each unknown moves from its low (P5) to its high (P95) value, the others central — which survey is worth doing.",
    );
    for (stage, w) in &drawn.tornadoes {
        let (zh, en) = stage_names(run, stage);
        page.figure(
            w,
            &format!("{zh}：全市缺口的风险来源"),
            &format!("{en}: what drives the city's shortfall"),
        )?;
    }
    Ok(())
}

/// The city totals chart, then the fan chart of every stage for the city as a whole.
fn totals(page: &mut Page, run: &Run, drawn: &Drawn) -> Result<(), PlotError> {
    page.section("totals", "全市合计", "City totals");
    page.paragraph(
        "全市每次模拟的需求与学位之和。分区就近入学的学段，全市缺口与空余是各区缺口与空余之和，而非全市需求减学位。",
        "Demand and seats summed over the city in each trial. For a stage admitted by district, the city's shortfall and surplus are the sums of district shortfalls and surpluses, not city demand less city seats.",
    );
    if let Some(w) = &drawn.totals {
        page.figure(w, "全市需求与学位合计", "City demand and seats")?;
    }
    page.push("<div class=\"fans\">\n");
    for ((place, stage), w) in drawn.fans.iter().filter(|((d, _), _)| d == ALL) {
        fan_figure(page, run, place, stage, w)?;
    }
    page.push("</div>\n");
    Ok(())
}

/// A fan chart with its bilingual caption.
pub(crate) fn fan_figure(
    page: &mut Page,
    run: &Run,
    place: &str,
    stage: &str,
    w: &Written,
) -> Result<(), PlotError> {
    let (zh, en) = stage_names(run, stage);
    let (pzh, pen) = (place_name(run, place, true), place_name(run, place, false));
    page.figure(
        w,
        &format!("{pzh} {zh}：需求（P5–P95 区间与中位数）与学位"),
        &format!("{pen}, {en}: demand (P5–P95 band and median) against seats"),
    )
}

/// The Chinese and English names of a stage.
pub(crate) fn stage_names(run: &Run, stage: &str) -> (String, String) {
    match run.info.stages.iter().find(|s| s.id == stage) {
        Some(s) => (stage_zh(s).to_string(), labels::stage_en(s)),
        None => (stage.to_string(), stage.to_string()),
    }
}

/// Both heat maps of every stage.
fn heat_maps(page: &mut Page, run: &Run, drawn: &Drawn) -> Result<(), PlotError> {
    page.section("heat", "热力图", "Heat maps");
    page.paragraph(
        "各区 × 各年，按学段：先是学位缺口的概率，再是大班额的概率。R、A 标记红色和黄色预警。",
        "Districts × school years, by stage: first the probability of a seat shortfall, then of large classes. Badges mark red (R) and amber (A) warnings.",
    );
    for (stage, measure, w) in &drawn.heat {
        let (zh, en) = stage_names(run, stage);
        let (mzh, men) = match measure {
            Measure::Shortfall => ("缺口概率", "probability of a shortfall"),
            Measure::LargeClasses => ("大班额概率", "probability of large classes"),
        };
        page.figure(
            w,
            &format!("{zh}：各区各年{mzh}"),
            &format!("{en}: {men} by district and year"),
        )?;
    }
    Ok(())
}

/// The run's metadata table.
fn metadata(page: &mut Page, run: &Run, drawn: &Drawn) {
    let info = &run.info;
    let lang = page.lang;
    let mut rows: Vec<(String, String)> = Vec::new();
    let mut row = |zh: &str, en: &str, value: String| rows.push((lang.label(zh, en), esc(&value)));
    row("情景", "Scenario", info.scenario.name.clone());
    if let Some(f) = &info.scenario.file {
        row("情景文件", "Scenario file", f.clone());
    }
    if let Some(h) = &info.scenario.sha256 {
        row("情景 SHA-256", "Scenario SHA-256", h.clone());
    }
    row(
        "年份",
        "Years",
        format!(
            "{} observed (base year), {}–{} projected",
            info.base_year,
            info.base_year + 1,
            info.horizon
        ),
    );
    if let Some(n) = info.trials {
        row("模拟次数", "Trials", thousands(n as f64));
    }
    if let Some(s) = info.seed {
        row("随机种子", "Seed", s.to_string());
    }
    if let Some(d) = info.deterministic {
        row(
            "确定性模式",
            "Deterministic",
            if d { "yes" } else { "no" }.to_string(),
        );
    }
    if let Some(t) = info.threads {
        row("线程", "Threads", t.to_string());
    }
    if let Some(s) = info.elapsed_seconds {
        row("运行时间", "Run time", format!("{s:.1} s"));
    }
    if let Some(v) = &info.seatsim_version {
        row("seatsim 版本", "seatsim version", v.clone());
    }
    let stage = |s: &StageInfo| match s.class_size {
        Some(n) => format!("{}, classes of {n}", labels::stage(s)),
        None => labels::stage(s),
    };
    let stages: Vec<String> = info.stages.iter().map(stage).collect();
    row("学段", "Stages", stages.join("; "));
    if let Some(st) = &info.standards {
        let sizes = [
            ("large", st.large_class),
            ("super-large", st.super_large_class),
        ];
        let text: Vec<String> = sizes
            .iter()
            .filter_map(|(n, v)| Some(format!("{n}: {}+ pupils", (*v)?)))
            .collect();
        row("班额标准", "Class standards", text.join("; "));
    }
    for level in [Warning::Red, Warning::Amber] {
        let rule = threshold_text(run, level);
        if !rule.is_empty() {
            row(
                "预警阈值",
                "Warning thresholds",
                format!("{}{rule}", level.name()),
            );
        }
    }
    let map_years: Vec<String> = drawn
        .maps
        .iter()
        .map(|(s, y, _)| format!("{s} {y}"))
        .collect();
    if !map_years.is_empty() {
        row("地图年份", "Map years", map_years.join("; "));
    }
    page.section("run", "运行信息", "Run");
    let mut html = String::from("<table>\n");
    for (key, value) in rows {
        let _ = writeln!(html, "<tr><th>{key}</th><td>{value}</td></tr>");
    }
    html.push_str("</table>\n");
    page.push(&html);
}

/// The riskiest district-stages, by `risk.csv`'s rank: each at its best-ranked year (its worst
/// year), so that one long shortage does not fill the table.
fn risk_table(page: &mut Page, run: &Run) {
    let mut rows: Vec<&RiskRow> = district_stages(run)
        .filter_map(|(district, stage)| run.peak_risk(district, stage))
        .collect();
    rows.sort_by(|a, b| by_risk(b, a));
    let projected = run.risk.iter().filter(|r| r.year > run.info.base_year);
    let count = |level| projected.clone().filter(|r| r.warning == level).count();
    page.section("ranking", "风险最高的区和学段", "Riskiest district-stages");
    let (red, amber, all) = (
        count(Warning::Red),
        count(Warning::Amber),
        projected.clone().count(),
    );
    page.paragraph(
        &format!("每个区和学段取其排名最靠前的年份，按 risk.csv 的 rank（与终端相同的排名）排列。预测年份中 {red} 个区-学段-年份为红色预警、{amber} 个为黄色（共 {all} 个）。"),
        &format!("Each district-stage at its best-ranked year, in the order of risk.csv's rank (the ranking the terminal shows). In the projected years, {red} district-stage-years carry a red warning and {amber} an amber one (of {all})."),
    );
    let lang = page.lang;
    let headers = [
        lang.label("排名", "rank"),
        lang.label("区", "district"),
        lang.label("学段", "stage"),
        lang.label("年份", "year"),
        lang.label("预期缺口", "expected shortfall"),
        lang.label("缺口概率", "P(shortfall)"),
        lang.label("大班额概率", "P(large classes)"),
        lang.label("预警", "warning"),
        lang.label("预警年份", "warning years"),
    ];
    let mut html = String::from("<div class=\"scroll\"><table class=\"ranking\">\n<tr>");
    for h in headers {
        let _ = write!(html, "<th>{h}</th>");
    }
    html.push_str("</tr>\n");
    for (i, row) in rows.iter().take(TOP_ROWS).enumerate() {
        risk_row(&mut html, run, i + 1, row);
    }
    html.push_str("</table></div>\n");
    page.push(&html);
}

/// One row of the top-risk table: the district links to its section.
fn risk_row(html: &mut String, run: &Run, position: usize, row: &RiskRow) {
    let opt = |v: Option<f64>, f: fn(f64) -> String| v.map_or_else(|| "n/a".to_string(), f);
    let fill = colour::warning(row.warning);
    let name = esc(&labels::district_in_page(run, &row.district, Form::Full));
    let place = if row.district == ALL {
        name
    } else {
        format!("<a href=\"#district-{}\">{name}</a>", esc(&row.district))
    };
    let rank = row
        .rank
        .map_or_else(|| position.to_string(), |r| r.to_string());
    let _ = writeln!(
        html,
        "<tr data-district=\"{}\" data-stage=\"{}\"><td class=\"num\">{rank}</td><td>{place}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td><span class=\"pill\" style=\"background:{};color:{}\">{}</span></td><td>{}</td></tr>",
        esc(&row.district),
        esc(&row.stage),
        esc(&row.stage),
        row.year,
        opt(row.expected_shortfall, thousands),
        opt(row.p_shortfall, percent),
        opt(row.p_large_classes, percent),
        colour::hex(fill),
        colour::hex(colour::ink_on(fill)),
        row.warning.name(),
        warning_years(run, &row.district, &row.stage)
    );
}

/// The fan charts of the `n` riskiest district-stages (not the city totals), by rank.
fn riskiest_fans(page: &mut Page, run: &Run, drawn: &Drawn, n: usize) -> Result<(), PlotError> {
    let mut ranked: Vec<(&RiskRow, &Fan)> = drawn
        .fans
        .iter()
        .filter(|((district, _), _)| district != ALL)
        .filter_map(|f| Some((run.peak_risk(&f.0 .0, &f.0 .1)?, f)))
        .collect();
    ranked.sort_by(|a, b| by_risk(b.0, a.0));
    page.section(
        "fans",
        "风险最高的区和学段的需求",
        "Demand in the riskiest district-stages",
    );
    page.paragraph(
        &format!("排名最靠前的 {n} 个区-学段；每个区的全部扇形图见其分区一节。"),
        &format!(
            "The {n} best-ranked district-stages; every district's charts are in its own section."
        ),
    );
    page.push("<div class=\"fans\">\n");
    for (_, ((district, stage), w)) in ranked.into_iter().take(n) {
        fan_figure(page, run, district, stage, w)?;
    }
    page.push("</div>\n");
    Ok(())
}

/// Every (district, stage) with rows in `risk.csv`, in file order, once each.
fn district_stages(run: &Run) -> impl Iterator<Item = (&str, &str)> {
    let mut seen = std::collections::HashSet::new();
    run.risk
        .iter()
        .map(|r| (r.district.as_str(), r.stage.as_str()))
        .filter(move |key| seen.insert(*key))
}

/// "red 2021–2027, 2030; amber 2028–2029" for a district-stage, or "none".
pub(crate) fn warning_years(run: &Run, district: &str, stage: &str) -> String {
    let parts: Vec<String> = [Warning::Red, Warning::Amber]
        .into_iter()
        .filter_map(|level| {
            let years: Vec<i32> = run
                .years()
                .filter(|&y| {
                    run.risk_at(district, stage, y)
                        .is_some_and(|r| r.warning == level)
                })
                .collect();
            (!years.is_empty()).then(|| format!("{} {}", level.name(), year_ranges(&years)))
        })
        .collect();
    if parts.is_empty() {
        "none".to_string()
    } else {
        parts.join("; ")
    }
}

/// Sorted years as ranges, e.g. [2021, 2022, 2023, 2030] → "2021–2023, 2030".
pub(crate) fn year_ranges(years: &[i32]) -> String {
    let mut ranges: Vec<(i32, i32)> = Vec::new();
    for &y in years {
        match ranges.last_mut() {
            Some(last) if last.1 + 1 == y => last.1 = y,
            _ => ranges.push((y, y)),
        }
    }
    let text: Vec<String> = ranges
        .iter()
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}–{b}")
            }
        })
        .collect();
    text.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_ranges_join_consecutive_years() {
        assert_eq!(
            year_ranges(&[2021, 2022, 2023, 2030, 2032, 2033]),
            "2021–2023, 2030, 2032–2033"
        );
        assert_eq!(year_ranges(&[]), "");
    }
}
