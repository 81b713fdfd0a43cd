//! The headline of `report.html`, computed from the run's files alone: for each stage, when and
//! where the city is short and by how much, the seats (and classes) that would bring the
//! probability of a shortfall under 10% in each year, and where seats are over-built.

use std::fmt::Write as _;

use super::data::{Quantiles, Run, StageInfo, ALL};
use super::labels::{self, thousands, Form};
use super::lang::{stage_zh, Lang};
use super::report::{esc, year_ranges};

/// Districts named as the most short or the most over-built.
const NAMED: usize = 3;
/// Share of trials under the under-use threshold from which a district-year counts as under-used.
const UNDERUSED: f64 = 0.5;
/// Where P90 lies between P75 and P95 when it has to be interpolated: (0.90 − 0.75) / (0.95 − 0.75).
const P90_BETWEEN_P75_AND_P95: f64 = 0.75;

/// Seats to add so that P(shortfall) falls under 10%: the 90th percentile of the shortfall.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Seats {
    /// `seats_for_p10` of `risk.csv`.
    Exact(f64),
    /// Interpolated between P75 and P95 of `summary.csv`, for runs whose `risk.csv` lacks it.
    Estimated(f64),
}

impl Seats {
    /// The number of seats.
    fn value(self) -> f64 {
        match self {
            Seats::Exact(v) | Seats::Estimated(v) => v,
        }
    }

    /// The number as text, with "≈" when interpolated.
    fn text(self) -> String {
        match self {
            Seats::Exact(v) => thousands(v),
            Seats::Estimated(v) => format!("≈{}", thousands(v)),
        }
    }
}

/// The seats that bring P(shortfall) of a district-stage-year under 10%.
pub(crate) fn seats_for_p10(run: &Run, district: &str, stage: &str, year: i32) -> Option<Seats> {
    let exact = run
        .risk_at(district, stage, year)
        .and_then(|r| r.seats_for_p10);
    exact.map(Seats::Exact).or_else(|| {
        let q = run.metric(district, stage, year, "shortfall")?;
        Some(Seats::Estimated(
            q.p75 + P90_BETWEEN_P75_AND_P95 * (q.p95 - q.p75),
        ))
    })
}

/// The projected year in which the city is most short for a stage: the largest median shortfall,
/// then expected shortfall, then P(shortfall); the latest such year on a tie.
pub(crate) fn worst_year(run: &Run, stage: &str) -> Option<i32> {
    let key = |year: i32| {
        let median = run.metric(ALL, stage, year, "shortfall").map(|q| q.p50);
        let risk = run.risk_at(ALL, stage, year);
        [
            median,
            risk.and_then(|r| r.expected_shortfall),
            risk.and_then(|r| r.p_shortfall),
        ]
        .map(|v| v.unwrap_or(0.0))
    };
    (run.info.base_year + 1..=run.info.horizon).max_by(|&a, &b| {
        let (ka, kb) = (key(a), key(b));
        ka.iter()
            .zip(&kb)
            .map(|(x, y)| x.total_cmp(y))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    })
}

/// The city's headline figures of one stage.
struct Facts {
    /// Projected years with a positive median shortfall.
    short: Vec<i32>,
    /// The worst year and the quantiles of its shortfall.
    worst: Option<(i32, Quantiles)>,
    /// Seats that bring P(shortfall) under 10% in the worst year.
    seats: Option<Seats>,
    /// The projected year with the most empty seats, and their median, if any.
    surplus: Option<(i32, f64)>,
}

impl Facts {
    /// The facts of `stage` in `run`.
    fn of(run: &Run, stage: &str) -> Facts {
        let short = projected(run)
            .filter(|&y| median(run, ALL, stage, y, "shortfall") > 0.0)
            .collect();
        let worst =
            worst_year(run, stage).and_then(|y| Some((y, run.metric(ALL, stage, y, "shortfall")?)));
        let surplus = projected(run)
            .map(|y| (y, median(run, ALL, stage, y, "surplus")))
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .filter(|&(_, v)| v > 0.0);
        Facts {
            short,
            seats: worst.and_then(|(y, _)| seats_for_p10(run, ALL, stage, y)),
            worst,
            surplus,
        }
    }
}

/// Writes the headline section: an overview table of the stages, then one block per stage.
pub(crate) fn write(page: &mut String, run: &Run, lang: Lang) {
    let _ = writeln!(
        page,
        "<section id=\"headline\">\n<h2>{}</h2>",
        lang.label("要点", "Headline")
    );
    let facts: Vec<(&StageInfo, Facts)> = run
        .info
        .stages
        .iter()
        .map(|s| (s, Facts::of(run, &s.id)))
        .collect();
    overview(page, lang, &facts);
    for (stage, facts) in &facts {
        stage_block(page, run, lang, stage, facts);
    }
    page.push_str("</section>\n");
}

/// One row per stage: when the city is short, its worst year and shortfall, the seats that
/// bring the risk under 10%, and the year of the most empty seats.
fn overview(page: &mut String, lang: Lang, facts: &[(&StageInfo, Facts)]) {
    let headers = [
        lang.label("学段", "stage"),
        lang.label("缺口年份", "years short"),
        lang.label("最不利年份", "worst year"),
        lang.label("缺口中位数", "median shortfall"),
        lang.label("90% 区间", "P5–P95"),
        lang.label(
            "缺口概率 &lt;10% 所需学位（班）",
            "seats (classes) for P(shortfall) &lt; 10%",
        ),
        lang.label("空余最多（年份）", "most empty seats (year)"),
    ];
    page.push_str("<table class=\"overview\">\n<tr>");
    for h in headers {
        let _ = write!(page, "<th>{h}</th>");
    }
    page.push_str("</tr>\n");
    for (stage, f) in facts {
        let none = || lang.label("无", "none");
        let cells = [
            lang.label(stage_zh(stage), &esc(&stage.id)),
            if f.short.is_empty() {
                none()
            } else {
                year_ranges(&f.short)
            },
            f.worst.map_or_else(String::new, |(y, _)| y.to_string()),
            f.worst.map_or_else(String::new, |(_, q)| thousands(q.p50)),
            f.worst.map_or_else(String::new, |(_, q)| {
                format!("{}–{}", thousands(q.p05), thousands(q.p95))
            }),
            f.seats
                .map_or_else(String::new, |s| match classes(stage, s.value()) {
                    Some(c) => format!("{} ({})", s.text(), thousands(c)),
                    None => s.text(),
                }),
            f.surplus
                .map_or_else(none, |(y, v)| format!("{} ({y})", thousands(v))),
        ];
        let short = if f.short.is_empty() {
            ""
        } else {
            " class=\"short\""
        };
        let _ = write!(page, "<tr{short} data-stage=\"{}\">", esc(&stage.id));
        for (i, c) in cells.iter().enumerate() {
            let class = if i >= 3 { " class=\"num\"" } else { "" };
            let _ = write!(page, "<td{class}>{c}</td>");
        }
        page.push_str("</tr>\n");
    }
    page.push_str("</table>\n");
}

/// The headline of one stage.
fn stage_block(page: &mut String, run: &Run, lang: Lang, stage: &StageInfo, facts: &Facts) {
    let short = if facts.short.is_empty() { "" } else { " short" };
    let _ = writeln!(
        page,
        "<div class=\"stage{short}\" data-stage=\"{id}\">\n<h3>{}</h3>",
        lang.label(stage_zh(stage), &esc(&labels::stage(stage))),
        id = esc(&stage.id)
    );
    page.push_str(&shortage(run, lang, stage, facts));
    page.push_str(&overbuilt(run, lang, stage, facts));
    year_table(page, run, lang, stage);
    page.push_str("</div>\n");
}

/// "Short in 2021–2035; most in 2024: 106,524 seats (P5–P95 …); largest in …; to bring …".
fn shortage(run: &Run, lang: Lang, stage: &StageInfo, facts: &Facts) -> String {
    let id = stage.id.as_str();
    let short = &facts.short;
    let Some((year, q)) = facts.worst else {
        return String::new();
    };
    if short.is_empty() {
        return lang.paragraph(
            &format!("各预测年份的缺口中位数均为 0；最不利的 {year} 年，P95 为 {} 个学位。", thousands(q.p95)),
            &format!("No projected year is short in the median; in the worst, {year}, the P95 shortfall is {} seats.", thousands(q.p95)),
        );
    }
    let (sum_zh, sum_en) = if stage.is_city_wide() {
        ("", "")
    } else {
        ("（各区缺口之和）", " (sum of district shortfalls)")
    };
    let mut zh = format!(
        "<b>{} 年</b>全市学位不足，<b>{year} 年最多</b>：缺口中位数 <b class=\"num\">{}</b> 个学位{sum_zh}，90% 区间 {}–{}。",
        year_ranges(short),
        thousands(q.p50),
        thousands(q.p05),
        thousands(q.p95)
    );
    let mut en = format!(
        "<b>Short in {}</b>; <b>most in {year}</b>: median <b class=\"num\">{}</b> seats{sum_en}, P5–P95 {}–{}.",
        year_ranges(short),
        thousands(q.p50),
        thousands(q.p05),
        thousands(q.p95)
    );
    let worst = ranked_districts(run, id, |d| {
        Some((year, median(run, d, id, year, "shortfall")))
    });
    if !worst.is_empty() {
        zh.push_str(&format!(
            "缺口最大的区：{}。",
            listing(run, &worst, Form::Short, "、")
        ));
        en.push_str(&format!(
            " Largest: {}.",
            listing(run, &worst, Form::Full, ", ")
        ));
    }
    if let Some(seats) = facts.seats {
        let classes = classes(stage, seats.value());
        zh.push_str(&format!(
            "要使 {year} 年缺口概率低于 10%，需增加 <b class=\"num\">{}</b> 个学位{}。",
            seats.text(),
            classes.map_or(String::new(), |c| format!("（{} 个班）", thousands(c)))
        ));
        en.push_str(&format!(
            " To bring P(shortfall) under 10% in {year}: <b class=\"num\">{}</b> seats{}.",
            seats.text(),
            classes.map_or(String::new(), |c| format!(" ({} classes)", thousands(c)))
        ));
    }
    lang.paragraph(&zh, &en)
}

/// "Over-built: most empty seats in 2035: 222,635 (median); under-used: A (2031–2035), …".
fn overbuilt(run: &Run, lang: Lang, stage: &StageInfo, facts: &Facts) -> String {
    let id = stage.id.as_str();
    let Some((year, surplus)) = facts.surplus else {
        return lang.paragraph(
            "各预测年份的空余学位中位数均为 0。",
            "No projected year has empty seats in the median.",
        );
    };
    let (sum_zh, sum_en) = if stage.is_city_wide() {
        ("", "")
    } else {
        ("（各区空余之和）", " (sum of district surpluses)")
    };
    let mut zh = format!(
        "<b>空余</b>：{year} 年最多，中位数 <b class=\"num\">{}</b> 个学位空置{sum_zh}。",
        thousands(surplus)
    );
    let mut en = format!(
        "<b>Over-built</b>: most empty seats in {year}, median <b class=\"num\">{}</b>{sum_en}.",
        thousands(surplus)
    );
    let under = ranked_districts(run, id, |d| {
        projected(run)
            .filter(|&y| underused(run, d, id, y))
            .map(|y| (y, median(run, d, id, y, "surplus")))
            .max_by(|a, b| a.1.total_cmp(&b.1))
    });
    if !under.is_empty() {
        let years = |d: &str| {
            let ys: Vec<i32> = projected(run)
                .filter(|&y| underused(run, d, id, y))
                .collect();
            year_ranges(&ys)
        };
        let zh_list: Vec<String> = under
            .iter()
            .map(|(d, _, _)| format!("{}（{}）", district_label(run, d, Form::Short), years(d)))
            .collect();
        let en_list: Vec<String> = under
            .iter()
            .map(|(d, _, _)| format!("{} ({})", district_label(run, d, Form::Full), years(d)))
            .collect();
        zh.push_str(&format!(
            "多数模拟中利用率低于闲置阈值的区：{}。",
            zh_list.join("、")
        ));
        en.push_str(&format!(
            " Under-used (utilisation below the under-use threshold in most trials): {}.",
            en_list.join("; ")
        ));
    }
    lang.paragraph(&zh, &en)
}

/// The city's figures by year: median shortfall, seats and classes for P(shortfall) < 10%,
/// median surplus and median demand less median seats.
fn year_table(page: &mut String, run: &Run, lang: Lang, stage: &StageInfo) {
    let id = stage.id.as_str();
    let years: Vec<i32> = run.years().collect();
    page.push_str("<div class=\"scroll\"><table class=\"years\">\n<tr><th></th>");
    for &y in &years {
        let cell = if y == run.info.base_year {
            format!("{y}<br>{}", lang.label("实测", "observed"))
        } else {
            y.to_string()
        };
        let _ = write!(page, "<th>{cell}</th>");
    }
    page.push_str("</tr>\n");
    // Rounded first so that a tiny negative number does not print as "-0.0".
    let k = |v: f64| format!("{:.1}", (v / 100.0).round() / 10.0 + 0.0);
    let seats = |y| seats_for_p10(run, ALL, id, y);
    let net = |y| {
        let (d, c) = (
            run.metric(ALL, id, y, "demand")?,
            run.metric(ALL, id, y, "capacity")?,
        );
        Some(d.p50 - c.p50)
    };
    let metric =
        |name: &'static str| move |y| run.metric(ALL, id, y, name).map(|q: Quantiles| q.p50);
    let rows: [Row; 5] = [
        (
            lang.label("缺口中位数（千）", "median shortfall (thousand)"),
            Box::new(move |y| metric("shortfall")(y).map(k)),
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
                    .and_then(|s| classes(stage, s.value()))
                    .map(thousands)
            }),
        ),
        (
            lang.label("空余学位中位数（千）", "median surplus (thousand)"),
            Box::new(move |y| metric("surplus")(y).map(k)),
        ),
        (
            lang.label(
                "需求 − 学位（中位数，千）",
                "demand − seats (medians, thousand)",
            ),
            Box::new(move |y| net(y).map(k)),
        ),
    ];
    for (label, value) in &rows {
        let _ = write!(page, "<tr><th>{label}</th>");
        for &y in &years {
            let v = value(y).unwrap_or_default();
            let _ = write!(page, "<td class=\"num\">{v}</td>");
        }
        page.push_str("</tr>\n");
    }
    page.push_str("</table></div>\n");
    if !stage.is_city_wide() {
        page.push_str(&lang.paragraph(
            "全市缺口是各区缺口之和：一个区的空余学位不能容纳另一个区的学生，所以全市学位总数多于需求的年份仍可能短缺。",
            "The city's shortfall is the sum of district shortfalls: empty seats in one district do not seat the pupils of another, so the city can be short in a year when its seats outnumber its demand.",
        ));
    }
}

/// A row of the year table: its label and its cell in a year.
type Row<'a> = (String, Box<dyn Fn(i32) -> Option<String> + 'a>);

/// The projected years.
fn projected(run: &Run) -> std::ops::RangeInclusive<i32> {
    run.info.base_year + 1..=run.info.horizon
}

/// The median of a metric, 0 when absent.
fn median(run: &Run, district: &str, stage: &str, year: i32, metric: &str) -> f64 {
    run.metric(district, stage, year, metric)
        .map_or(0.0, |q| q.p50)
}

/// Whether most trials leave a district-stage-year under-used.
fn underused(run: &Run, district: &str, stage: &str, year: i32) -> bool {
    run.risk_at(district, stage, year)
        .and_then(|r| r.p_underused)
        .is_some_and(|p| p >= UNDERUSED)
}

/// Classes of the stage's size holding `seats`, rounded up.
fn classes(stage: &StageInfo, seats: f64) -> Option<f64> {
    stage.class_size.map(|n| (seats / f64::from(n)).ceil())
}

/// The (at most [`NAMED`]) districts with the largest positive value of `of`, largest first,
/// for a stage reported by district; `of` gives a year and a value.
fn ranked_districts<'r>(
    run: &'r Run,
    stage: &str,
    of: impl Fn(&str) -> Option<(i32, f64)>,
) -> Vec<(&'r str, i32, f64)> {
    let mut ranked: Vec<(&str, i32, f64)> = run
        .info
        .districts
        .iter()
        .filter(|_| {
            run.info
                .stages
                .iter()
                .any(|s| s.id == stage && !s.is_city_wide())
        })
        .filter_map(|d| of(&d.id).map(|(y, v)| (d.id.as_str(), y, v)))
        .filter(|&(_, _, v)| v > 0.0)
        .collect();
    ranked.sort_by(|a, b| b.2.total_cmp(&a.2));
    ranked.truncate(NAMED);
    ranked
}

/// "金水区 12,345、中原区 9,876" for ranked districts.
fn listing(run: &Run, ranked: &[(&str, i32, f64)], form: Form, sep: &str) -> String {
    let parts: Vec<String> = ranked
        .iter()
        .map(|&(d, _, v)| {
            let name = esc(&labels::district_in_page(run, d, form));
            format!("{name} <span class=\"num\">{}</span>", thousands(v))
        })
        .collect();
    parts.join(sep)
}

/// A district's name for HTML.
fn district_label(run: &Run, id: &str, form: Form) -> String {
    esc(&labels::district_in_page(run, id, form))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run of one district-catchment stage over 2020–2023 whose city shortfall peaks in 2022
    /// (median 300 in both 2022 and 2023, 2022 with the larger expected shortfall).
    fn fixture(risk_extra: &str, seats: [&str; 4]) -> (tempfile::TempDir, Run) {
        let dir = tempfile::tempdir().unwrap();
        let json = r#"{"scenario":{"name":"t"},"base_year":2020,"horizon":2023,
            "districts":[{"id":"a","name":"甲区","name_en":"A"}],
            "stages":[{"id":"primary","ages":[6,11],"class_size":45,"catchment":"district"}]}"#;
        let mut summary = String::from("district,stage,year,metric,mean,sd,p05,p25,p50,p75,p95\n");
        let mut risk = format!("district,stage,year,p_shortfall,p_large_classes,p_super_large_classes,p_underused,expected_shortfall,warning{risk_extra}\n");
        let shortfall = [0.0, 100.0, 300.0, 300.0];
        let expected = [0.0, 90.0, 320.0, 310.0];
        for (i, year) in (2020..=2023).enumerate() {
            let s = shortfall[i];
            for place in ["a", "ALL"] {
                summary.push_str(&format!(
                    "{place},primary,{year},demand,1000,0,1000,1000,1000,1000,1000\n"
                ));
                summary.push_str(&format!(
                    "{place},primary,{year},shortfall,{s},10,{},{},{s},{},{}\n",
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
                risk.push_str(&format!(
                    "{place},primary,{year},0.5,0,0,0,{},red{extra}\n",
                    expected[i]
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
    fn worst_year_has_the_largest_median_shortfall_then_expected_shortfall() {
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
        assert_eq!(classes(&run.info.stages[0], 555.0), Some(13.0));
    }

    #[test]
    fn headline_names_the_worst_year_its_shortfall_and_the_sum_of_districts() {
        let (_dir, run) = fixture("", ["", "", "", ""]);
        let mut page = String::new();
        write(&mut page, &run, Lang::of(&run));
        assert!(page.contains("2021–2023"), "{page}");
        assert!(page.contains("<b>most in 2022</b>: median <b class=\"num\">300</b> seats (sum of district shortfalls), P5–P95 150–600"), "{page}");
        assert!(page.contains("各区缺口之和"));
        assert!(page.contains("≈540"));
    }
}
