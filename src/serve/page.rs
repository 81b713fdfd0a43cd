//! The what-if page (`GET /`): the shared page frame and styles, sections the script in
//! `page.js` fills from the API. The district map and the fan chart are the report's own,
//! drawn by the server from the what-if's run (`POST /api/chart`); the city chart and the heat
//! table are drawn in the browser from the answer's rows.

use super::Settings;
use crate::plot::lang::Lang;
use crate::plot::page::{esc, Page};
use crate::scenario::Scenario;

/// The page's script, compiled into the binary: nothing is fetched from elsewhere.
const SCRIPT: &str = include_str!("page.js");

/// Styles of the page's own controls, beside the frame's.
const STYLE: &str = "<style>
#status{position:sticky;top:0;background:#fffbe6;border:1px solid #e6d98c;padding:.3em .8em;z-index:1}
.bad{color:#c81414;font-weight:bold}
#pipeline-table{max-height:30em;overflow-y:auto;border:1px solid #ddd}
#city-body figure{max-width:900px}
.charts figure{max-width:1100px;min-height:12em}
#map-chart text{cursor:pointer}
label:has(input[type=checkbox]){white-space:nowrap}
input.small{width:4.5em}tr.dropped td{text-decoration:line-through;color:#888}tr.dropped td:nth-last-child(-n+3){text-decoration:none}
table.heat td{color:#fff;text-shadow:0 0 2px #000}table.diff td.up{background:#fde3e3}table.diff td.down{background:#e1f3e6}
form.inline{display:flex;flex-wrap:wrap;gap:.5em 1em;align-items:center;margin:.6em 0}
</style>
";

/// The page's HTML for `s`, served at `/`.
pub(super) fn html(s: &Scenario, settings: &Settings) -> String {
    let mut page = Page::new(Lang { chinese: true });
    page.push("<p id=\"status\">加载中… loading…</p>\n");
    page.section("headline", "概要", "Headline");
    page.push("<div id=\"headline-body\"></div>\n");
    page.section("whatif", "假设情景", "What-if");
    page.push(CONTROLS);
    page.section("diff", "变化的影响", "What the change does");
    page.paragraph(
        "假设情景减原情景（同一随机数），每格为均值，下方为 P5…P95 区间。",
        "What-if minus unchanged on the same random draws: each cell the mean, below it the \
         P5…P95 band.",
    );
    page.push(METRICS);
    page.push("<div id=\"diff-body\"></div>\n");
    page.section("charts", "地图与扇形图", "Map and fan chart");
    page.paragraph(
        "假设情景的报告图：所选学段在其最不利年份各区的缺口概率，及所选区与学段的需求与学位；\
         有变化时，橙线为原情景的需求中位数，灰线为原情景的学位。点击地图上的区名可选该区。",
        "The report's charts of the what-if: the chosen stage's probability of a shortfall by \
         district in its worst year, and demand against seats for the chosen district and stage; \
         once something changed, the orange line is the unchanged scenario's median demand and \
         the grey line its seats. Click a district's name on the map to choose it.",
    );
    page.push(VIEW);
    page.push("<div class=\"charts\"><figure id=\"map-chart\"></figure><figure id=\"fan-chart\"></figure></div>\n");
    page.section("city", "全市", "City");
    page.push("<div id=\"city-body\"></div>\n");
    page.section("heat", "缺口概率热图", "Shortfall probability by district");
    page.push("<div id=\"heat-body\"></div>\n");
    page.push(&format!("<script>\n{SCRIPT}</script>\n"));
    let sub = format!(
        "{} · {} · {} 次模拟 trials",
        esc(&s.name),
        esc(&super::file_name(&settings.scenario)),
        settings.trials
    );
    let html = page.finish(&s.name, "假设情景分析", "Live what-ifs", &sub);
    html.replacen("</head>", &format!("{STYLE}</head>"), 1)
}

/// The what-if controls: run settings, the pipeline table, a school to add and a key to set.
const CONTROLS: &str = r#"<form id="run-form" class="inline">
<label>模拟次数 <span class="en">trials</span> <input id="trials" type="number" min="1" class="small"></label>
<label>随机种子 <span class="en">seed</span> <input id="seed" type="number" min="0" class="small"></label>
<button>重算 <span class="en">rerun</span></button>
<button type="button" id="reset">恢复原情景 <span class="en">reset</span></button>
<button type="button" id="save">保存为情景文件 <span class="en">save as scenario</span></button>
</form>
<h3>建设项目 <span class="en">Pipeline</span></h3>
<div class="scroll" id="pipeline-table"></div>
<form id="add-form" class="inline">
<b>新增学校 <span class="en">add a school</span></b>
<input id="add-name" placeholder="名称 name">
<select id="add-district"></select><select id="add-stage"></select>
<label>班数 <span class="en">classes</span> <input id="add-classes" type="number" value="24" min="1" class="small"></label>
<label>年 <span class="en">year</span> <input id="add-year" type="number" class="small"></label>
<button>新增 <span class="en">add</span></button>
</form>
<form id="set-form" class="inline">
<b>假设 <span class="en">assumption</span></b>
<select id="set-key"></select>
<label>= <input id="set-value" type="number" step="any" value="0.1" class="small"></label>
<button>设定 <span class="en">set</span></button>
</form>
<div id="other-changes"></div>
"#;

/// The district and stage the map and the fan chart show.
const VIEW: &str = r#"<form class="inline">
<label>学段 <span class="en">stage</span> <select id="view-stage"></select></label>
<label>区 <span class="en">district</span> <select id="view-district"></select></label>
</form>
"#;

/// The metric chooser of the difference tables.
const METRICS: &str = r#"<form class="inline"><label>指标 <span class="en">metric</span> <select id="metric">
<option value="shortfall">缺口 shortfall</option><option value="capacity">学位 capacity</option>
<option value="demand">需求 demand</option><option value="large_class_share">大班额占比 large-class share</option>
<option value="extra_classes_needed">需增班数 extra classes needed</option></select></label></form>
"#;
