//! `compare.html`: what the change buys — for each stage the city's change in shortfall by year
//! (median and P5–P95 of paired trials) with its chart, then every district: seat-years short
//! before and after, and the first year short and the worst year in each scenario, by the rules
//! every view shares ([`crate::report::rules`]).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use super::super::data::ALL;
use super::super::labels::{percent, span, thousands};
use super::super::lang::{is_cjk, stage_zh_of, Lang};
use super::super::output::{write_atomic, Written};
use super::super::page::{esc, Page};
use super::super::PlotError;
use super::data::{CellPair, Compared};
use crate::report::rules;

/// Writes `compare.html` into the comparison folder and returns its path.
pub(crate) fn write(cmp: &Compared, charts: &[(String, Written)]) -> Result<PathBuf, PlotError> {
    let info = &cmp.info;
    let chinese =
        info.districts.is_empty() || info.districts.iter().any(|d| d.name.chars().any(is_cjk));
    let mut page = Page::new(Lang { chinese });
    let (base, alt) = (esc(&info.base.name), esc(&info.alt.name));
    let n = info.trials.map_or(String::new(), |n| thousands(n as f64));
    let seed = info.seed.map_or(String::new(), |s| s.to_string());
    page.section("summary", "要点", "Summary");
    page.paragraph(
        &format!("方案 ALT“{alt}”与基准 BASE“{base}”在相同的随机抽样上运行（{n} 次配对模拟，种子 {seed}）：每个数是 ALT − BASE 的变化，缺口减少为负。分区就近入学的学段，全市缺口是各区缺口之和。"),
        &format!("ALT “{alt}” against BASE “{base}”, run on the same random draws ({n} paired trials, seed {seed}): each number is a change ALT − BASE; fewer pupils without a seat is negative. For a stage admitted by district the city's shortfall is the sum of district shortfalls."),
    );
    summary_table(&mut page, cmp);
    for stage in &cmp.stages {
        let id = format!("stage-{stage}");
        page.section(
            &id,
            &format!("学段 {}", esc(stage)),
            &format!("Stage {}", esc(stage)),
        );
        city_table(&mut page, cmp, stage);
        for (_, w) in charts.iter().filter(|(s, _)| s == stage) {
            page.figure(
                w,
                &format!(
                    "{}：全市缺口的变化（ALT − BASE，中位数与 P5–P95）",
                    stage_zh_of(stage)
                ),
                &format!("{stage}: change in the city's shortfall (ALT − BASE, median and P5–P95)"),
            )?;
        }
        district_table(&mut page, cmp, stage);
    }
    let html = page.finish(
        &format!(
            "seatsim 方案比较 compare: {} vs {}",
            info.alt.name, info.base.name
        ),
        "变化的效果",
        "What the change buys",
        &format!("ALT “{alt}” − BASE “{base}”"),
    );
    let path = cmp.dir.join("compare.html");
    write_atomic(&path, html.as_bytes())?;
    Ok(path)
}

/// A table's header row from bilingual labels.
fn header(lang: Lang, labels: &[(&str, &str)]) -> String {
    let mut html = String::from("<tr>");
    for (zh, en) in labels {
        let _ = write!(html, "<th>{}</th>", lang.label(zh, en));
    }
    html.push_str("</tr>\n");
    html
}

/// Seat-years short over the projected years (the first year, observed, left out), BASE and ALT.
fn seat_years(years: &BTreeMap<i32, CellPair>) -> (f64, f64) {
    years
        .values()
        .skip(1)
        .fold((0.0, 0.0), |(b, a), c| (b + c.expected.0, a + c.expected.1))
}

/// "2023 → 2025" from a place's years: a rule of both scenarios, side by side.
fn before_after(
    years: &BTreeMap<i32, CellPair>,
    rule: impl Fn(&mut dyn Iterator<Item = (i32, f64)>) -> Option<i32>,
    value: impl Fn(&CellPair) -> (f64, f64),
    none: &str,
) -> String {
    let pick = |alt: bool| {
        let mut it = years.iter().skip(1).map(|(&y, c)| {
            let (b, a) = value(c);
            (y, if alt { a } else { b })
        });
        rule(&mut it).map_or(none.to_string(), |y| y.to_string())
    };
    format!("{} → {}", pick(false), pick(true))
}

/// One row of facts about a place: seat-years short, first year short, worst year.
fn place_cells(years: &BTreeMap<i32, CellPair>, none: &str) -> [String; 5] {
    let (b, a) = seat_years(years);
    [
        thousands(b),
        thousands(a),
        thousands(a - b),
        before_after(
            years,
            |it| rules::first_short_year(it),
            |c| c.p_shortfall,
            none,
        ),
        before_after(years, |it| rules::worst_year(it), |c| c.expected, none),
    ]
}

/// The labels of [`place_cells`].
const PLACE_LABELS: [(&str, &str); 5] = [
    ("短缺学位·年 BASE", "seat-years short, BASE"),
    ("短缺学位·年 ALT", "seat-years short, ALT"),
    ("变化", "change"),
    ("首个短缺年份 BASE → ALT", "first year short, BASE → ALT"),
    ("最不利年份 BASE → ALT", "worst year, BASE → ALT"),
];

/// Every stage for the city: seat-years short before and after, first year short, worst year.
fn summary_table(page: &mut Page, cmp: &Compared) {
    let lang = page.lang;
    let none = if lang.chinese { "无" } else { "none" };
    let mut labels = vec![("学段", "stage")];
    labels.extend(PLACE_LABELS);
    let mut html = format!(
        "<div class=\"scroll\"><table class=\"overview\">\n{}",
        header(lang, &labels)
    );
    for stage in &cmp.stages {
        let Some(years) = cmp.cells.get(&(stage.clone(), ALL.to_string())) else {
            continue;
        };
        let _ = write!(
            html,
            "<tr data-stage=\"{0}\"><td><a href=\"#stage-{0}\">{1}</a></td>",
            esc(stage),
            lang.label(&esc(stage_zh_of(stage)), &esc(stage))
        );
        for c in place_cells(years, none) {
            let _ = write!(html, "<td class=\"num\">{c}</td>");
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</table></div>\n");
    page.push(&html);
}

/// Every district of a stage, the districts the change moves most first.
fn district_table(page: &mut Page, cmp: &Compared, stage: &str) {
    let lang = page.lang;
    let none = if lang.chinese { "无" } else { "none" };
    let mut rows: Vec<(&str, &BTreeMap<i32, CellPair>)> = cmp
        .cells
        .iter()
        .filter(|((s, d), _)| s == stage && d != ALL)
        .map(|((_, d), years)| (d.as_str(), years))
        .collect();
    if rows.is_empty() {
        return;
    }
    rows.sort_by(|x, y| {
        let change = |years| {
            let (b, a) = seat_years(years);
            a - b
        };
        // The districts the change moves most, either way, first.
        change(y.1).abs().total_cmp(&change(x.1).abs())
    });
    page.push(&format!("<h3>{}</h3>\n", lang.label("各区", "By district")));
    let mut labels = vec![("区", "district")];
    labels.extend(PLACE_LABELS);
    let mut html = format!(
        "<div class=\"scroll\"><table class=\"overview\">\n{}",
        header(lang, &labels)
    );
    for (district, years) in rows {
        let _ = write!(
            html,
            "<tr data-district=\"{}\"><td>{}</td>",
            esc(district),
            district_name(cmp, district)
        );
        for c in place_cells(years, none) {
            let _ = write!(html, "<td class=\"num\">{c}</td>");
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</table></div>\n");
    page.push(&html);
}

/// A district's names from `compare.json`, else its id.
fn district_name(cmp: &Compared, id: &str) -> String {
    match cmp.info.districts.iter().find(|d| d.id == id) {
        Some(d) => match &d.name_en {
            Some(en) if *en != d.name => {
                format!("{} <span class=\"en\">{}</span>", esc(&d.name), esc(en))
            }
            _ => esc(&d.name),
        },
        None => esc(id),
    }
}

/// One stage for the city: its table of changes by year.
fn city_table(page: &mut Page, cmp: &Compared, stage: &str) {
    let lang = page.lang;
    let Some(shortfall) = cmp.change(stage, "shortfall") else {
        page.paragraph(
            "文件中没有该学段的缺口。",
            "No shortfall in the files for this stage.",
        );
        return;
    };
    let seats = cmp.change(stage, "capacity");
    let labels = [
        ("年份", "year"),
        ("缺口 BASE 均值", "shortfall, BASE mean"),
        ("缺口 ALT 均值", "shortfall, ALT mean"),
        ("变化中位数", "change, median"),
        ("变化 P5–P95", "change, P5–P95"),
        ("学位变化中位数", "change in seats, median"),
        ("缺口概率 BASE → ALT", "P(shortfall) BASE → ALT"),
    ];
    let mut html = format!(
        "<h3>{}</h3>\n<div class=\"scroll\"><table class=\"years\" data-stage=\"{}\">\n{}",
        lang.label("全市", "City"),
        esc(stage),
        header(lang, &labels)
    );
    for (year, c) in shortfall {
        let seat_change = seats
            .and_then(|s| s.get(year))
            .map_or(String::new(), |s| thousands(s.p50));
        let p = cmp
            .p_shortfall
            .get(&(stage.to_string(), *year))
            .map_or(String::new(), |(b, a)| {
                format!("{} → {}", percent(*b), percent(*a))
            });
        let _ = writeln!(
            html,
            "<tr><th>{year}</th><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{seat_change}</td><td class=\"num\">{p}</td></tr>",
            thousands(c.base_mean),
            thousands(c.alt_mean),
            thousands(c.p50),
            span(c.p05, c.p95)
        );
    }
    html.push_str("</table></div>\n");
    page.push(&html);
}
