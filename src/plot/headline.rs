//! The headline of `report.html`, computed from the run's files alone: for each stage, the first
//! year at risk and the districts where it starts with the probability, the worst year and its
//! expected shortfall, the seats and classes for P(shortfall) < 10% with what they cost (亿元)
//! and the teachers they need, then a block per stage with the city's figures by year.

use std::fmt::Write as _;

use super::data::{Quantiles, Run, StageInfo, ALL};
use super::facts::{self, first_at_risk, projected, yi, Facts};
use super::labels::{self, percent, thousands, Form};
use super::lang::{stage_zh, Lang};
use super::page::{esc, Page};
use super::report::year_ranges;
use crate::report::rules;

pub(crate) use facts::worst_year;

/// Districts named where a stage is first at risk.
const NAMED: usize = 3;

/// Writes the headline section: an overview table of the stages, then one block per stage.
pub(crate) fn write(page: &mut Page, run: &Run) {
    let lang = page.lang;
    page.section("headline", "要点", "Headline");
    page.paragraph(
        "每个学段：首次出现预警的年份和区（及触发预警的概率）；全市预期缺口最大的年份；要使该年缺口概率低于 10% 需增加的学位和班数、按新建学校造价估算的投资和所需教师。术语见文末。",
        "Each stage: the first year at risk and the districts where it starts (with the probability that set the warning); the city's worst year and its expected shortfall; the seats and classes that bring P(shortfall) under 10% that year, what they cost as new schools, and the teachers they need. Terms are defined at the end.",
    );
    let facts: Vec<(&StageInfo, Facts)> = run
        .info
        .stages
        .iter()
        .map(|s| (s, Facts::of(run, ALL, s)))
        .collect();
    overview(page, run, lang, &facts);
    for (stage, facts) in &facts {
        stage_block(page, run, lang, stage, facts);
    }
}

/// One row per stage: where and when it is first at risk, the worst year, and what it takes.
fn overview(page: &mut Page, run: &Run, lang: Lang, facts: &[(&StageInfo, Facts)]) {
    let mut headers = vec![
        lang.label("学段", "stage"),
        lang.label(
            "首个预警年份及区（概率）",
            "first year at risk, where (probability)",
        ),
    ];
    headers.extend(fact_headers(lang));
    let rows: Vec<StageRow> = facts
        .iter()
        .map(|(stage, f)| {
            let mut cells = vec![
                lang.label(stage_zh(stage), &esc(&stage.id)),
                at_risk_text(run, lang, stage).unwrap_or_else(|| lang.label("无", "none")),
            ];
            cells.extend(fact_cells(lang, f, stage));
            StageRow {
                stage: &stage.id,
                short: f.first_short.is_some(),
                cells,
            }
        })
        .collect();
    page.push(&stage_table("overview", &headers, &rows, 4..headers.len()));
}

/// The headers of the columns every table of stages shares.
pub(crate) fn fact_headers(lang: Lang) -> [String; 6] {
    [
        lang.label("首个短缺年份", "first year short"),
        lang.label("最不利年份", "worst year"),
        lang.label("预期缺口（P5–P95）", "expected shortfall (P5–P95)"),
        lang.label(
            "缺口概率 &lt;10% 所需学位（班）",
            "seats (classes) for P(shortfall) &lt; 10%",
        ),
        lang.label("投资（亿元）", "cost (100 M yuan)"),
        lang.label("所需教师", "teachers for them"),
    ]
}

/// The cells of [`fact_headers`]' columns for the facts of a place and stage.
pub(crate) fn fact_cells(lang: Lang, f: &Facts, stage: &StageInfo) -> [String; 6] {
    let none = || lang.label("无", "none");
    [
        f.first_short.map_or_else(none, |y| y.to_string()),
        f.worst.map_or_else(none, |(y, _)| y.to_string()),
        f.worst
            .map_or_else(String::new, |(_, q)| shortfall_text(&q)),
        f.seats
            .map_or_else(String::new, |s| match f.classes(stage) {
                Some(c) => format!("{} ({})", s.text(), thousands(c)),
                None => s.text(),
            }),
        f.seats_cost_yi(stage).map_or_else(String::new, yi),
        f.seats_teachers(stage).map_or_else(String::new, thousands),
    ]
}

/// One row of a table of stages.
pub(crate) struct StageRow<'a> {
    /// The stage's id.
    pub stage: &'a str,
    /// Whether the place is short in some year (the row is marked).
    pub short: bool,
    /// The cells, HTML.
    pub cells: Vec<String>,
}

/// A table of stages (HTML) with the cells of the `numeric` columns right-aligned.
pub(crate) fn stage_table(
    class: &str,
    headers: &[String],
    rows: &[StageRow],
    numeric: std::ops::Range<usize>,
) -> String {
    let mut html = format!("<div class=\"scroll\"><table class=\"{class}\">\n<tr>");
    for h in headers {
        let _ = write!(html, "<th>{h}</th>");
    }
    html.push_str("</tr>\n");
    for row in rows {
        let short = if row.short { " class=\"short\"" } else { "" };
        let _ = write!(html, "<tr{short} data-stage=\"{}\">", esc(row.stage));
        for (i, c) in row.cells.iter().enumerate() {
            let class = if numeric.contains(&i) {
                " class=\"num\""
            } else {
                ""
            };
            let _ = write!(html, "<td{class}>{c}</td>");
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</table></div>\n");
    html
}

/// "2021: 中原区 Zhongyuan 缺口 86% …", the first year at risk and its (at most [`NAMED`]) places.
fn at_risk_text(run: &Run, lang: Lang, stage: &StageInfo) -> Option<String> {
    let (year, at) = first_at_risk(run, stage)?;
    let names = |place: &str| {
        let (zh, en) = (place_name(run, place, true), place_name(run, place, false));
        match lang.chinese && zh != en {
            true => format!("{} {}", esc(&zh), esc(&en)),
            false => esc(&en),
        }
    };
    // The event that set the warnings, once when the places share it.
    let shown = &at[..at.len().min(NAMED)];
    let shared = shown.iter().all(|(_, t)| t.zh == shown[0].1.zh);
    let mut parts: Vec<String> = shown
        .iter()
        .map(|(place, t)| match shared {
            true => format!("{} {}", names(place), percent(t.p)),
            false => format!("{} <small>{}</small>", names(place), t.text(lang.chinese)),
        })
        .collect();
    if at.len() > NAMED {
        let more = at.len() - NAMED;
        parts.push(if lang.chinese {
            format!("另 {more} 个 +{more} more")
        } else {
            format!("+{more} more")
        });
    }
    let event = match (shared, lang.chinese) {
        (false, _) => String::new(),
        (true, true) => format!(" <small>{} {}</small>", shown[0].1.zh, shown[0].1.en),
        (true, false) => format!(" <small>{}</small>", shown[0].1.en),
    };
    Some(format!("<b>{year}</b>{event}: {}", parts.join("; ")))
}

/// A place's name in Chinese (the scenario's name) or English (its romanised name).
pub(crate) fn place_name(run: &Run, place: &str, chinese: bool) -> String {
    match (place, run.district(place)) {
        (ALL, _) => if chinese { "全市" } else { "city" }.to_string(),
        (_, Some(d)) if !chinese => d.name_en.clone().unwrap_or_else(|| d.name.clone()),
        _ => labels::district_in_page(run, place, Form::Short),
    }
}

/// "8,674 (P5–P95 1,200–17,041)": the one statistic shown for a shortfall.
pub(crate) fn shortfall_text(q: &Quantiles) -> String {
    format!(
        "<b>{}</b> ({}–{})",
        thousands(q.mean),
        thousands(q.p05),
        thousands(q.p95)
    )
}

/// The headline of one stage.
fn stage_block(page: &mut Page, run: &Run, lang: Lang, stage: &StageInfo, facts: &Facts) {
    let short = if facts.first_short.is_some() {
        " short"
    } else {
        ""
    };
    let mut html = format!(
        "<div class=\"stage{short}\" data-stage=\"{id}\">\n<h3>{}</h3>\n",
        lang.label(stage_zh(stage), &esc(&labels::stage_en(stage))),
        id = esc(&stage.id)
    );
    html.push_str(&shortage(run, lang, stage, facts));
    html.push_str(&money(lang, stage, facts));
    html.push_str(&year_table(run, lang, stage));
    html.push_str("</div>\n");
    page.push(&html);
}

/// "Short in 2021–2035; worst 2024: 106,524 seats expected (P5–P95 …); to bring …".
fn shortage(run: &Run, lang: Lang, stage: &StageInfo, facts: &Facts) -> String {
    let id = stage.id.as_str();
    let short: Vec<i32> = projected(run)
        .filter(|&y| {
            run.risk_at(ALL, id, y)
                .and_then(|r| r.p_shortfall)
                .is_some_and(rules::is_short)
        })
        .collect();
    let Some((year, q)) = facts.worst else {
        return lang.paragraph(
            "各预测年份的预期缺口均为 0。",
            "No projected year has an expected shortfall.",
        );
    };
    let (sum_zh, sum_en) = if stage.is_city_wide() {
        ("", "")
    } else {
        ("（各区缺口之和）", " (sum of district shortfalls)")
    };
    let (short_zh, short_en) = if short.is_empty() {
        (
            "没有短缺年份（缺口概率均低于 50%）。".to_string(),
            "No year is short (P(shortfall) below 50% throughout). ".to_string(),
        )
    } else {
        let r = year_ranges(&short);
        (
            format!("<b>{r} 年</b>全市短缺。"),
            format!("<b>Short in {r}</b>. "),
        )
    };
    let mut zh = format!(
        "{short_zh}最不利年份 <b>{year}</b>：预期缺口 <b class=\"num\">{}</b> 个学位{sum_zh}，P5–P95 {}–{}。",
        thousands(q.mean),
        thousands(q.p05),
        thousands(q.p95)
    );
    let mut en = format!(
        "{short_en}Worst year <b>{year}</b>: expected shortfall <b class=\"num\">{}</b> seats{sum_en}, P5–P95 {}–{}.",
        thousands(q.mean),
        thousands(q.p05),
        thousands(q.p95)
    );
    if let Some(seats) = facts.seats {
        let classes = facts.classes(stage);
        let _ = write!(
            zh,
            "要使该年缺口概率低于 10%，需增加 <b class=\"num\">{}</b> 个学位{}。",
            seats.text(),
            classes.map_or(String::new(), |c| format!("（{} 个班）", thousands(c)))
        );
        let _ = write!(
            en,
            " To bring P(shortfall) under 10% that year: <b class=\"num\">{}</b> seats{}.",
            seats.text(),
            classes.map_or(String::new(), |c| format!(" ({} classes)", thousands(c)))
        );
    }
    lang.paragraph(&zh, &en)
}

/// What the seats cost, the teachers they need, and the pipeline's own spending and teachers.
fn money(lang: Lang, stage: &StageInfo, facts: &Facts) -> String {
    let mut zh = String::new();
    let mut en = String::new();
    if let (Some(cost), Some(per_seat)) = (facts.seats_cost_yi(stage), stage.seat_cost_new) {
        let _ = write!(
            zh,
            "按新建学校每学位 {} 元计，这些学位投资约 <b>{} 亿元</b>。",
            thousands(per_seat),
            yi(cost)
        );
        let _ = write!(
            en,
            "At {} yuan per seat in a new school they cost about <b>{} × 100 M yuan</b> (亿元). ",
            thousands(per_seat),
            yi(cost)
        );
    }
    if let (Some(t), Some(ratio)) = (facts.seats_teachers(stage), stage.pupils_per_teacher) {
        let _ = write!(
            zh,
            "按生师比 {ratio} 需增加教师 <b>{}</b> 名。",
            thousands(t)
        );
        let _ = write!(
            en,
            "At {ratio} pupils per teacher they need <b>{}</b> more teachers. ",
            thousands(t)
        );
    }
    if let Some((year, q)) = facts.teachers {
        let _ = write!(
            zh,
            "{year} 年全市共需教师 {}（P5–P95 {}–{}）。",
            thousands(q.mean),
            thousands(q.p05),
            thousands(q.p95)
        );
        let _ = write!(
            en,
            "In {year} the city needs {} teachers in all (P5–P95 {}–{}). ",
            thousands(q.mean),
            thousands(q.p05),
            thousands(q.p95)
        );
    }
    if let Some(s) = facts.spending_yi() {
        let _ = write!(zh, "已列入规划的项目预计投资 {} 亿元。", yi(s));
        let _ = write!(
            en,
            "The projects already planned are expected to cost {} × 100 M yuan.",
            yi(s)
        );
    }
    if zh.is_empty() {
        String::new()
    } else {
        lang.paragraph(&zh, en.trim_end())
    }
}

/// The city's figures by year: expected shortfall, seats and classes for P(shortfall) < 10%,
/// expected surplus, teachers needed and the pipeline's spending.
fn year_table(run: &Run, lang: Lang, stage: &StageInfo) -> String {
    let id = stage.id.as_str();
    let years: Vec<i32> = run.years().collect();
    let mut html = String::from("<div class=\"scroll\"><table class=\"years\">\n<tr><th></th>");
    for &y in &years {
        let cell = if y == run.info.base_year {
            format!("{y}<br>{}", lang.label("实测", "observed"))
        } else {
            y.to_string()
        };
        let _ = write!(html, "<th>{cell}</th>");
    }
    html.push_str("</tr>\n");
    // Rounded first so that a tiny negative number does not print as "-0.0".
    let k = |v: f64| format!("{:.1}", (v / 100.0).round() / 10.0 + 0.0);
    let seats = |y| facts::seats_for_p10(run, ALL, id, y);
    let mean =
        |name: &'static str| move |y| run.metric(ALL, id, y, name).map(|q: Quantiles| q.mean);
    let rows: [Row; 6] = [
        (
            lang.label("预期缺口（千）", "expected shortfall (thousand)"),
            Box::new(move |y| mean("shortfall")(y).map(k)),
        ),
        (
            lang.label(
                "缺口概率 &lt;10% 所需学位（千）",
                "seats for P(shortfall) &lt; 10% (thousand)",
            ),
            Box::new(move |y| seats(y).map(|s| k(s.value()))),
        ),
        (
            lang.label("所需班数", "classes"),
            Box::new(move |y| {
                seats(y)
                    .and_then(|s| facts::classes(stage, s.value()))
                    .map(thousands)
            }),
        ),
        (
            lang.label("预期空余学位（千）", "expected surplus (thousand)"),
            Box::new(move |y| mean("surplus")(y).map(k)),
        ),
        (
            lang.label("所需教师（千）", "teachers needed (thousand)"),
            Box::new(move |y| mean("teachers_needed")(y).map(k)),
        ),
        (
            lang.label("规划项目投资（亿元）", "planned spending (100 M yuan)"),
            Box::new(move |y| mean("spending")(y).map(|m| yi(m / rules::MILLIONS_PER_YI))),
        ),
    ];
    for (label, value) in &rows {
        let _ = write!(html, "<tr><th>{label}</th>");
        for &y in &years {
            let v = value(y).unwrap_or_default();
            let _ = write!(html, "<td class=\"num\">{v}</td>");
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</table></div>\n");
    if !stage.is_city_wide() {
        html.push_str(&lang.paragraph(
            "全市缺口是各区缺口之和：一个区的空余学位不能容纳另一个区的学生，所以全市学位总数多于需求的年份仍可能短缺。",
            "The city's shortfall is the sum of district shortfalls: empty seats in one district do not seat the pupils of another, so the city can be short in a year when its seats outnumber its demand.",
        ));
    }
    html
}

/// A row of the year table: its label and its cell in a year.
type Row<'a> = (String, Box<dyn Fn(i32) -> Option<String> + 'a>);

#[cfg(test)]
mod tests {
    use super::*;
    use facts::{seats_for_p10, Seats};

    /// A run of one district-catchment stage over 2020–2023 whose city shortfall peaks in 2022
    /// (expected 320 against 310 in 2023).
    fn fixture(risk_extra: &str, seats: [&str; 4]) -> (tempfile::TempDir, Run) {
        let dir = tempfile::tempdir().unwrap();
        let json = r#"{"scenario":{"name":"t"},"base_year":2020,"horizon":2023,
            "districts":[{"id":"a","name":"甲区","name_en":"A"}],
            "stages":[{"id":"primary","ages":[6,11],"class_size":45,"catchment":"district","pupils_per_teacher":19,"seat_cost_new":60000}],
            "warnings":{"red":{"p_shortfall":0.5},"amber":{"p_shortfall":0.2}}}"#;
        let mut summary = String::from("district,stage,year,metric,mean,sd,p05,p25,p50,p75,p95\n");
        let mut risk = format!("district,stage,year,p_shortfall,p_large_classes,p_super_large_classes,p_underused,expected_shortfall,warning{risk_extra}\n");
        let shortfall = [0.0, 100.0, 300.0, 300.0];
        let expected = [0.0, 90.0, 320.0, 310.0];
        let p = [0.0, 0.3, 0.6, 0.6];
        for (i, year) in (2020..=2023).enumerate() {
            let s = shortfall[i];
            for place in ["a", "ALL"] {
                summary.push_str(&format!(
                    "{place},primary,{year},demand,1000,0,1000,1000,1000,1000,1000\n"
                ));
                summary.push_str(&format!(
                    "{place},primary,{year},shortfall,{},10,{},{},{s},{},{}\n",
                    expected[i],
                    s * 0.5,
                    s * 0.8,
                    s * 1.2,
                    s * 2.0
                ));
                let extra = if risk_extra.is_empty() {
                    String::new()
                } else {
                    format!(",{}", seats[i])
                };
                let warning = ["observed", "amber", "red", "red"][i];
                risk.push_str(&format!(
                    "{place},primary,{year},{},0,0,0,{},{warning}{extra}\n",
                    p[i], expected[i]
                ));
            }
        }
        std::fs::write(dir.path().join("run.json"), json).unwrap();
        std::fs::write(dir.path().join("summary.csv"), summary).unwrap();
        std::fs::write(dir.path().join("risk.csv"), risk).unwrap();
        let run = Run::load(dir.path()).unwrap();
        (dir, run)
    }

    #[test]
    fn worst_year_has_the_largest_expected_shortfall() {
        let (_dir, run) = fixture("", ["", "", "", ""]);
        assert_eq!(worst_year(&run, "primary"), Some(2022));
    }

    #[test]
    fn seats_for_p10_come_from_risk_csv_or_are_interpolated_between_p75_and_p95() {
        let (_dir, run) = fixture("", ["", "", "", ""]);
        // P75 = 360, P95 = 600: P90 ≈ 360 + 0.75 × 240 = 540.
        assert_eq!(
            seats_for_p10(&run, ALL, "primary", 2022),
            Some(Seats::Estimated(540.0))
        );
        let (_dir, run) = fixture(",seats_for_p10", ["", "120", "555", "500"]);
        assert_eq!(
            seats_for_p10(&run, ALL, "primary", 2022),
            Some(Seats::Exact(555.0))
        );
        assert_eq!(Seats::Estimated(1234.4).text(), "≈1,234");
        assert_eq!(facts::classes(&run.info.stages[0], 555.0), Some(13.0));
    }

    #[test]
    fn headline_names_first_year_at_risk_worst_year_cost_and_teachers() {
        let (_dir, run) = fixture(",seats_for_p10", ["", "120", "555", "500"]);
        let mut page = Page::new(Lang::of(&run));
        write(&mut page, &run);
        let html = page.finish("t", "t", "t", "");
        // First at risk in 2021 (amber on P(shortfall) 30%), short from 2022.
        assert!(
            html.contains("<b>2021</b> <small>缺口 shortfall</small>: 甲区 A 30%"),
            "{html}"
        );
        assert!(html.contains("<b>Short in 2022–2023</b>"), "{html}");
        assert!(html.contains("Worst year <b>2022</b>: expected shortfall <b class=\"num\">320</b> seats (sum of district shortfalls), P5–P95 150–600"), "{html}");
        // 555 seats × 60,000 yuan = 0.333 亿元; 555 / 19 → 30 teachers.
        assert!(html.contains("<b>0.3 亿元</b>"), "{html}");
        assert!(html.contains("<b>30</b> more teachers"), "{html}");
        assert!(html.contains("各区缺口之和"));
    }
}
