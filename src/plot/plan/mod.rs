//! `plan.html`: what the plan builds, where and when, what it costs against the pipeline it
//! builds on, what each stage gains and loses (a stage worse off than the pipeline on the first
//! screen), the risk before and after, and the cells still over the target with the reason —
//! drawn from the plan folder's files alone (`plan.json`, `plan.csv`, `plan_summary.csv`).

mod data;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::labels::{percent, thousands};
use super::lang::{is_cjk, stage_zh_of, Lang};
use super::output::write_atomic;
use super::page::{esc, Page};
use super::PlotError;
use crate::report::rules;
use data::{Cell, Plan};

/// The HTML page of a plan, inside its plan folder.
pub const PLAN_PAGE: &str = "plan.html";

/// Yuan in one 亿元, and in a billion.
const YUAN_PER_YI: f64 = 1e8;

/// Writes `plan.html` into the plan folder `dir` from its files; returns its path. The plan
/// command calls it after writing its files, and `seatsim plot` on a plan folder.
pub fn draw_plan(dir: &Path) -> Result<Vec<PathBuf>, PlotError> {
    let plan = Plan::load(dir)?;
    let chinese = plan
        .projects
        .iter()
        .filter_map(|p| p.district_name.as_deref())
        .chain(
            plan.cells
                .values()
                .flatten()
                .filter_map(|c| c.district_name.as_deref()),
        )
        .any(|n| n.chars().any(is_cjk));
    let mut page = Page::new(Lang {
        chinese: chinese || plan.projects.is_empty(),
    });
    summary(&mut page, &plan);
    stages(&mut page, &plan);
    projects(&mut page, &plan);
    risk(&mut page, &plan);
    unmet(&mut page, &plan);
    let info = &plan.info;
    let sub = format!(
        "{} · {} · {} trials (seed {}), checked on {} fresh trials (seed {}) · pipeline: {}",
        esc(&info.scenario),
        esc(&info.form),
        info.trials.map_or(String::new(), |n| thousands(n as f64)),
        info.seed.map_or(String::new(), |s| s.to_string()),
        info.fresh_trials
            .map_or(String::new(), |n| thousands(n as f64)),
        info.fresh_seed.map_or(String::new(), |s| s.to_string()),
        esc(info.keep_pipeline.as_deref().unwrap_or("keep")),
    );
    let html = page.finish(
        &format!("seatsim 建设方案 plan: {}", info.scenario),
        "建设方案",
        "What to build, where and when",
        &sub,
    );
    let path = plan.dir.join(PLAN_PAGE);
    write_atomic(&path, html.as_bytes())?;
    Ok(vec![path])
}

/// "12.3 亿元 (1.23 billion yuan)" of a sum in yuan.
fn money(yuan: f64) -> String {
    format!(
        "{:.1} 亿元 ({:.2} billion yuan)",
        yuan / YUAN_PER_YI,
        yuan / (10.0 * YUAN_PER_YI)
    )
}

/// The first screen: the two costs, any stage worse off than the pipeline, what is unmet.
fn summary(page: &mut Page, plan: &Plan) {
    let info = &plan.info;
    page.section("summary", "要点", "Summary");
    let (cost, pipeline) = (money(info.cost.plan_yuan), money(info.cost.pipeline_yuan));
    page.paragraph(
        &format!("方案新增项目投资 <b>{cost}</b>，其所依托的现有规划项目投资 <b>{pipeline}</b>。"),
        &format!("The plan's projects cost <b>{cost}</b>; the pipeline it builds on costs <b>{pipeline}</b>."),
    );
    let worse: Vec<&str> = info
        .stages
        .iter()
        .filter(|s| s.worse_than_pipeline)
        .map(|s| s.stage.as_str())
        .collect();
    if !worse.is_empty() {
        let list = esc(&worse.join(", "));
        page.push(&format!("<div class=\"stage short\" id=\"worse\">{}</div>\n", page.lang.paragraph(
            &format!("<b>注意：学段 {list} 在方案下比现有规划更差。</b>"),
            &format!("<b>Note: stage {list} is worse off under the plan than under the pipeline.</b>"),
        )));
    }
    let n = info.unmet.len();
    if let Some(t) = &info.targets {
        let (from_zh, from_en) = t.target_from.map_or((String::new(), String::new()), |y| {
            (format!("自 {y} 年起，"), format!(" from {y}"))
        });
        let (zh, en) = target_words(t);
        page.paragraph(
            &format!("目标：{from_zh}各目标格子的{zh}。仍有 <b>{n}</b> 个格子未能确保达标（见<a href=\"#unmet\">未达标的格子</a>）。"),
            &format!("Target: {en} in every targeted cell{from_en}. <b>{n}</b> cells are not assured (see <a href=\"#unmet\">Cells still over the target</a>)."),
        );
    }
    if let Some((zh, en)) = optimality(info) {
        page.paragraph(&zh, &en);
    }
    if (info.targets.as_ref()).is_some_and(|t| t.target_p_large_classes.is_some()) {
        page.paragraph(
            "大班额占比并不随新增班级单调下降（新学校自己的班级也可能是大班），因此求解不依赖单调性：可穷举时逐一计算每个组合（大班额按模型重新分班），证明的最优解即为此；否则下界只计任何项目都无法改变的格子。",
            "The large-class share does not fall monotonically with the classes added (a new school's own classes can be large), so nothing proved relies on it: where portfolios can be enumerated each one's classes are re-sized and scored, and the optimum proved is over all of them; otherwise the lower bound counts only cells no project can change.",
        );
    }
}

/// The targets in words, Chinese and English: "P(shortfall) at most 10%", with the
/// large-class target when there is one.
fn target_words(t: &data::Targets) -> (String, String) {
    let mut zh = Vec::new();
    let mut en = Vec::new();
    if let Some(a) = t.target_p_shortfall {
        zh.push(format!("缺口概率不超过 {}", percent(a)));
        en.push(format!("P(shortfall) at most {}", percent(a)));
    }
    if let Some(b) = t.target_p_large_classes {
        zh.push(format!("大班额超标概率不超过 {}", percent(b)));
        en.push(format!("P(large classes) at most {}", percent(b)));
    }
    (zh.join("、"), en.join(" and "))
}

/// Whether the plan is proved optimal, and if not what is proved, in words a planner can use.
fn optimality(info: &data::PlanInfo) -> Option<(String, String)> {
    if info.exact {
        return Some((
            "方案是这些模拟上经证明的最优解。".to_string(),
            "The plan is the proved optimum on its trials.".to_string(),
        ));
    }
    let gap = percent(info.gap?);
    let bound = info.bound.unwrap_or(0.0);
    let criteria = info.objective.as_ref().map(|o| &o.in_sample);
    let (what_zh, what_en, value, own) = match info.bound_of.as_deref() {
        Some("cost_yuan") => (
            "投资",
            "cost",
            money(bound),
            criteria.and_then(|c| c.cost_yuan).map(money),
        ),
        Some("weighted") => (
            "加权目标",
            "weighted objective",
            format!("{bound:.4}"),
            criteria.and_then(|c| c.weighted).map(|v| format!("{v:.4}")),
        ),
        Some("excess_risk") => (
            "超标风险（各目标格子超出目标的概率之和）",
            "excess risk over the targets (the sum over targeted cells of the probability beyond the target)",
            format!("{bound:.4}"),
            criteria.and_then(|c| c.excess_risk).map(|v| format!("{v:.4}")),
        ),
        Some("excess_risk_tightened") => (
            "按余量收紧目标后的超标风险",
            "excess risk over the targets tightened by the margin",
            format!("{bound:.4}"),
            criteria
                .and_then(|c| c.excess_risk_tightened)
                .map(|v| format!("{v:.4}")),
        ),
        _ => ("目标", "objective", format!("{bound:.4}"), None),
    };
    let (own_zh, own_en) = own.map_or((String::new(), String::new()), |v| {
        (
            format!("方案在其模拟上的{what_zh}为 {v}；"),
            format!("On its trials the plan's {what_en} is {v}. "),
        )
    });
    // A bound of zero proves nothing: say so rather than quote a 100% gap as a measure.
    let (proved_zh, proved_en) = if bound > 0.0 {
        (
            format!("已证明的下界为 {value}，差距至多 {gap}。"),
            format!("No plan can do better than {value} (a proved lower bound): this one is at most {gap} above the optimum."),
        )
    } else {
        (
            "未能证明大于零的下界，因此不知道它离最优还有多远。".to_string(),
            "No lower bound above zero was proved, so how far it is from the best plan is not known.".to_string(),
        )
    };
    Some((
        format!("未证明为最优：{own_zh}{proved_zh}可重复建设的标准项目按贪心法安排；候选项目少到可以穷举时，方案为精确最优。"),
        format!("Not proved optimal. {own_en}{proved_en} Standard projects that may be built any number of times are placed greedily; when the candidates are few enough to enumerate, the plan is the exact optimum."),
    ))
}

/// What each stage gains and loses.
fn stages(page: &mut Page, plan: &Plan) {
    page.section("stages", "各学段得失", "What each stage gains and loses");
    let lang = page.lang;
    let labels = [
        ("学段", "stage"),
        ("新增班数", "classes added"),
        ("新增学位", "seats added"),
        ("投资（亿元）", "cost (100 M yuan)"),
        (
            "预期短缺学位·年 前 → 后",
            "expected seat-years short, before → after",
        ),
        ("超标格子 前 → 后", "cells over target, before → after"),
        ("比现有规划更差", "worse than the pipeline"),
    ];
    let mut html = table_head(lang, "overview", &labels);
    for s in &plan.info.stages {
        let cells = s
            .cells_over_target_before
            .zip(s.cells_over_target_after)
            .map_or(String::new(), |(b, a)| format!("{b} → {a}"));
        let worse = if s.worse_than_pipeline {
            lang.label("是", "yes")
        } else {
            lang.label("否", "no")
        };
        let short = if s.worse_than_pipeline {
            " class=\"short\""
        } else {
            ""
        };
        let _ = writeln!(
            html,
            "<tr{short} data-stage=\"{}\"><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{:.1}</td><td class=\"num\">{} → {}</td><td class=\"num\">{cells}</td><td>{worse}</td></tr>",
            esc(&s.stage),
            stage_label(lang, &s.stage),
            thousands(s.classes_added),
            thousands(s.seats_added),
            s.cost_yuan / YUAN_PER_YI,
            thousands(s.expected_shortfall_seat_years_before),
            thousands(s.expected_shortfall_seat_years_after),
        );
    }
    html.push_str("</table></div>\n");
    page.push(&html);
}

/// A table's opening and header row from bilingual labels.
fn table_head(lang: Lang, class: &str, labels: &[(&str, &str)]) -> String {
    let mut html = format!("<div class=\"scroll\"><table class=\"{class}\">\n<tr>");
    for (zh, en) in labels {
        let _ = write!(html, "<th>{}</th>", lang.label(zh, en));
    }
    html.push_str("</tr>\n");
    html
}

/// A stage's Chinese and English names.
fn stage_label(lang: Lang, id: &str) -> String {
    lang.label(&esc(stage_zh_of(id)), &esc(id))
}

/// A place's name as the files give it: "中原区 (zhongyuan)", or the city.
fn place(id: &str, name: Option<&str>) -> String {
    match (id, name) {
        ("ALL", _) => "全市 city".to_string(),
        (_, Some(n)) if !n.is_empty() && n != id => {
            format!("{} <span class=\"en\">{}</span>", esc(n), esc(id))
        }
        _ => esc(id),
    }
}

/// Where and when to build: every project row, by district, stage and year.
fn projects(page: &mut Page, plan: &Plan) {
    page.section("build", "建设地点和时间", "Where and when to build");
    let lang = page.lang;
    if plan.projects.is_empty() {
        page.paragraph("方案不新增项目。", "The plan adds no project.");
        return;
    }
    let labels = [
        ("区", "district"),
        ("学段", "stage"),
        ("年份", "year"),
        ("类型", "kind"),
        ("个数", "count"),
        ("班数", "classes"),
        ("学位", "seats"),
        ("投资（亿元）", "cost (100 M yuan)"),
    ];
    by_district(page, plan);
    page.paragraph("每一项：", "Every project:");
    let mut html = table_head(lang, "years", &labels);
    let mut rows: Vec<&data::Project> = plan.projects.iter().collect();
    rows.sort_by(|a, b| {
        (&a.district, &a.stage, a.planned_year).cmp(&(&b.district, &b.stage, b.planned_year))
    });
    for p in rows {
        let kind = match p.kind.as_str() {
            "new" => lang.label("新建", "new"),
            "expansion" => lang.label("扩建", "expansion"),
            other => esc(other),
        };
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{kind}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{:.2}</td></tr>",
            place(&p.district, p.district_name.as_deref()),
            stage_label(lang, &p.stage),
            p.planned_year,
            p.count.unwrap_or(1),
            thousands(p.classes),
            thousands(p.seats),
            p.cost_yuan / YUAN_PER_YI
        );
    }
    html.push_str("</table></div>\n");
    page.push(&html);
}

/// One district's share of a plan: its name, classes and seats by stage, and cost in yuan.
type Place<'a> = (Option<&'a str>, BTreeMap<&'a str, (f64, f64)>, f64);

/// Classes and seats by district and stage, with each district's cost and the plan's classes
/// by year: the build list at a glance.
fn by_district(page: &mut Page, plan: &Plan) {
    let lang = page.lang;
    let mut stages: Vec<&str> = Vec::new();
    let mut years: BTreeMap<i32, f64> = BTreeMap::new();
    let mut places: BTreeMap<&str, Place> = BTreeMap::new();
    for p in &plan.projects {
        if !stages.contains(&p.stage.as_str()) {
            stages.push(&p.stage);
        }
        *years.entry(p.planned_year).or_default() += p.classes;
        let place = places.entry(&p.district).or_default();
        place.0 = place.0.or(p.district_name.as_deref());
        let cell = place.1.entry(&p.stage).or_default();
        cell.0 += p.classes;
        cell.1 += p.seats;
        place.2 += p.cost_yuan;
    }
    let order = |s: &&str| plan.info.stages.iter().position(|x| x.stage == *s);
    stages.sort_by_key(order);
    let by_year: Vec<String> = years
        .iter()
        .map(|(y, c)| format!("{y}: {}", thousands(*c)))
        .collect();
    page.paragraph(
        &format!("各区各学段新增班数 / 学位（高中全市统筹招生，其班级无论建在何区都服务全市）。逐年班数：{}。", by_year.join("，")),
        &format!("Classes / seats by district and stage (senior high admits city-wide, so its classes serve the whole city wherever they are built). Classes by year: {}.", by_year.join(", ")),
    );
    let mut labels: Vec<(String, String)> = vec![("区".into(), "district".into())];
    for st in &stages {
        labels.push((
            format!("{} 班 / 学位", stage_zh_of(st)),
            format!("{st} classes / seats"),
        ));
    }
    labels.push(("投资（亿元）".into(), "cost (100 M yuan)".into()));
    let labels: Vec<(&str, &str)> = labels
        .iter()
        .map(|(z, e)| (z.as_str(), e.as_str()))
        .collect();
    let mut html = table_head(lang, "years by-district", &labels);
    for (district, (name, cells, cost)) in &places {
        let _ = write!(html, "<tr><td>{}</td>", place(district, *name));
        for st in &stages {
            let cell = cells.get(st).map_or("—".to_string(), |(c, s)| {
                format!("{} / {}", thousands(*c), thousands(*s))
            });
            let _ = write!(html, "<td class=\"num\">{cell}</td>");
        }
        let _ = writeln!(
            html,
            "<td class=\"num\">{:.2}</td></tr>",
            cost / YUAN_PER_YI
        );
    }
    html.push_str("</table></div>\n");
    page.push(&html);
}

/// A rule applied to a place's years before and after the plan: "2023 → 2026".
fn before_after(
    years: &[Cell],
    rule: fn(Vec<(i32, f64)>) -> Option<i32>,
    value: fn(&Cell) -> (f64, f64),
) -> String {
    let pick = |after: bool| {
        let series = years
            .iter()
            .map(|c| (c.year, if after { value(c).1 } else { value(c).0 }))
            .collect();
        rule(series).map_or("–".to_string(), |y| y.to_string())
    };
    format!("{} → {}", pick(false), pick(true))
}

/// Risk before and after, per district and stage, by the rules every view shares.
fn risk(page: &mut Page, plan: &Plan) {
    page.section("risk", "风险变化", "Risk before and after");
    // Years before the plan's first can only repeat the pipeline's risk (or history): a worst
    // year of 2020 in a plan for 2026 would read as the plan's failure.
    let from = plan.info.first_year.unwrap_or(i32::MIN);
    let (from_zh, from_en) =
        plan.info
            .first_year
            .map_or((String::new(), String::new()), |y| {
                (
            format!("只计 {y} 年（方案项目最早可建成之年）起的年份。"),
            format!(" Only the years from {y}, the first in which a project of the plan can open."),
        )
            });
    page.paragraph(
        &format!("在另一组（新的）随机模拟上测得：前 = 仅现有规划，后 = 加上方案。{from_zh}"),
        &format!("Measured on fresh trials (another seed): before = the pipeline alone, after = with the plan.{from_en}"),
    );
    let labels = [
        ("区", "district"),
        ("学段", "stage"),
        ("首个短缺年份 前 → 后", "first year short, before → after"),
        ("最不利年份 前 → 后", "worst year, before → after"),
        (
            "最高缺口概率 前 → 后",
            "highest P(shortfall), before → after",
        ),
        (
            "预期短缺学位·年 前 → 后",
            "expected seat-years short, before → after",
        ),
    ];
    let mut html = table_head(page.lang, "years", &labels);
    for ((district, stage), years) in &plan.cells {
        let years = &years[years.partition_point(|c| c.year < from)..];
        let max = |f: fn(&Cell) -> f64| years.iter().map(f).fold(0.0, f64::max);
        let sum = |f: fn(&Cell) -> f64| years.iter().map(f).sum::<f64>();
        let _ = writeln!(
            html,
            "<tr data-district=\"{}\" data-stage=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{} → {}</td><td class=\"num\">{} → {}</td></tr>",
            esc(district),
            esc(stage),
            place(district, years.first().and_then(|c| c.district_name.as_deref())),
            stage_label(page.lang, stage),
            before_after(years, rules::first_short_year, |c| (c.p_shortfall_before, c.p_shortfall_after)),
            before_after(years, rules::worst_year, |c| (c.expected_shortfall_before, c.expected_shortfall_after)),
            percent(max(|c| c.p_shortfall_before)),
            percent(max(|c| c.p_shortfall_after)),
            thousands(sum(|c| c.expected_shortfall_before)),
            thousands(sum(|c| c.expected_shortfall_after)),
        );
    }
    html.push_str("</table></div>\n");
    page.push(&html);
}

/// The cells still over the target, with the reason.
fn unmet(page: &mut Page, plan: &Plan) {
    page.section("unmet", "未达标的格子", "Cells still over the target");
    let lang = page.lang;
    if plan.info.unmet.is_empty() {
        page.paragraph(
            "没有：每个目标格子都达标。",
            "None: every targeted cell meets the target.",
        );
        return;
    }
    let large = (plan.info.targets.as_ref()).is_some_and(|t| t.target_p_large_classes.is_some());
    let labels = if large {
        vec![
            ("区", "district"),
            ("学段", "stage"),
            ("年份", "year"),
            ("目标", "target"),
            ("概率（方案模拟）", "probability, plan's trials"),
            ("概率（新模拟）", "probability, fresh trials"),
            ("原因", "reason"),
        ]
    } else {
        vec![
            ("区", "district"),
            ("学段", "stage"),
            ("年份", "year"),
            ("缺口概率（方案模拟）", "P(shortfall), plan's trials"),
            ("缺口概率（新模拟）", "P(shortfall), fresh trials"),
            ("原因", "reason"),
        ]
    };
    let mut html = table_head(lang, "years", &labels);
    for u in &plan.info.unmet {
        let target = match (large, u.target.as_deref()) {
            (false, _) => String::new(),
            (true, Some("p_large_classes")) => {
                format!("<td>{}</td>", lang.label("大班额", "P(large classes)"))
            }
            (true, _) => format!("<td>{}</td>", lang.label("缺口", "P(shortfall)")),
        };
        let reason = match u.reason.as_str() {
            "too_early" => lang.label("太早，来不及建成", "too early for anything to open"),
            "budget" => lang.label("预算不足", "the budget is too small"),
            "window" => lang.label("不在可建年份内", "outside the years projects may open"),
            "no_candidates" => lang.label("没有候选项目", "no candidate project"),
            "out_of_sample" => lang.label("新模拟中未达标", "missed on the fresh trials"),
            other => esc(other),
        };
        let p = |v: Option<f64>| v.map_or(String::new(), percent);
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td>{target}<td class=\"num\">{}</td><td class=\"num\">{}</td><td>{reason}</td></tr>",
            place(&u.district, u.district_name.as_deref()),
            stage_label(lang, &u.stage),
            u.year,
            p(u.p_in_sample),
            p(u.p_fresh)
        );
    }
    html.push_str("</table></div>\n");
    page.push(&html);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plan folder of `tests/fixtures/plan` (the plan folder's files as the plan command
    /// writes them): one district, primary, 2021–2023; junior left worse off; one cell unmet.
    fn fixture() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let files = [
            (
                "plan.json",
                include_str!("../../../tests/fixtures/plan/plan.json"),
            ),
            (
                "plan.csv",
                include_str!("../../../tests/fixtures/plan/plan.csv"),
            ),
            (
                "plan_summary.csv",
                include_str!("../../../tests/fixtures/plan/plan_summary.csv"),
            ),
        ];
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        dir
    }

    #[test]
    fn plan_page_states_costs_stages_projects_risk_and_unmet_cells() {
        let dir = fixture();
        let written = draw_plan(dir.path()).unwrap();
        let html = std::fs::read_to_string(&written[0]).unwrap();
        // 1.35e9 yuan = 13.5 亿元 = 1.35 billion; 2.5e9 = 25.0 亿元.
        assert!(
            html.contains("<b>13.5 亿元 (1.35 billion yuan)</b>"),
            "{html}"
        );
        assert!(html.contains("25.0 亿元 (2.50 billion yuan)"));
        // The stage worse off than the pipeline, before the stages' table.
        let worse = html
            .find("stage junior is worse off")
            .expect("the worse stage is said");
        assert!(worse < html.find("id=\"stages\"").unwrap());
        // Short from 2022 before, never after; worst year 2023 before, 2022 after.
        assert!(
            html.contains("<td>2022 → –</td><td>2023 → 2022</td>"),
            "{html}"
        );
        assert!(html.contains("太早") && html.contains("too early"));
        // Not exact: what is proved, in words; the build list at a glance by district.
        assert!(
            html.contains("No plan can do better than 1.0000 (a proved lower bound): this one is at most 2% above the optimum."),
            "{html}"
        );
        let glance = html.find("by-district").expect("the table by district");
        assert!(glance < html.find("Every project").unwrap());
        assert!(
            html.contains("<td class=\"num\">50 / 2,250</td><td class=\"num\">13.50</td>"),
            "{html}"
        );
        assert!(html.contains("2023: 50"), "classes by year");
        assert!(html.contains("甲区") && html.contains("@page{size:A4"));
    }

    /// The fixture with `plan.json` edited by `edit`, drawn; the page's text.
    fn drawn_with(edit: impl FnOnce(&mut serde_json::Value)) -> String {
        let dir = fixture();
        let path = dir.path().join("plan.json");
        let mut json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        edit(&mut json);
        std::fs::write(&path, json.to_string()).unwrap();
        let written = draw_plan(dir.path()).unwrap();
        std::fs::read_to_string(&written[0]).unwrap()
    }

    #[test]
    fn the_risk_table_counts_only_the_years_a_plan_can_change() {
        let html = drawn_with(|j| j["first_year"] = 2023.into());
        // 2023 alone: short before, not after; its own worst year; 90% → 5%; 1,500 → 10.
        assert!(
            html.contains("<td>2023 → –</td><td>2023 → 2023</td><td class=\"num\">90% → 5%</td><td class=\"num\">1,500 → 10</td>"),
            "{html}"
        );
        assert!(html.contains("Only the years from 2023"));
    }

    #[test]
    fn a_zero_bound_is_said_to_prove_nothing_and_the_plans_own_value_is_given() {
        let html = drawn_with(|j| {
            j["bound"] = 0.0.into();
            j["gap"] = 1.0.into();
            j["bound_of"] = "excess_risk".into();
            j["objective"]["in_sample"]["excess_risk"] = 4.754.into();
        });
        assert!(html.contains("On its trials the plan's excess risk over the targets"));
        assert!(
            html.contains("is 4.7540. No lower bound above zero was proved"),
            "{html}"
        );
        assert!(!html.contains("gap of 100%") && !html.contains("100% above"));
    }

    #[test]
    fn a_plan_folder_without_plan_summary_is_an_error_naming_it() {
        let dir = fixture();
        std::fs::remove_file(dir.path().join("plan_summary.csv")).unwrap();
        let err = draw_plan(dir.path()).unwrap_err().to_string();
        assert!(err.contains("plan_summary.csv"), "{err}");
    }
}
