//! `report.html`: one self-contained page with the run's metadata, the top-risk table and the
//! charts as inline SVG, each linked to its PNG and SVG files in `plots/`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::colour;
use super::data::{by_risk, RiskRow, Run, StageInfo, Warning, ALL};
use super::headline;
use super::heat::{threshold_text, Measure};
use super::labels::{self, percent, thousands, Form};
use super::lang::Lang;
use super::output::{write_atomic, Script, Written};
use super::tornado::Tornadoes;
use super::PlotError;

/// Rows of the top-risk table.
const TOP_ROWS: usize = 20;

/// Fan charts by (district, stage).
pub(crate) type FanCharts = Vec<((String, String), Written)>;
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
    /// What drives the risk, by stage, if the run has `sensitivity.csv`.
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
    /// Fan charts of this many riskiest district-stages.
    pub fan_charts: usize,
}

/// Writes `report.html` into the run folder and returns its path: the headline first, then the
/// maps of the worst years, then the detail, and the run's metadata last.
pub(crate) fn write(run: &Run, drawn: &Drawn, settings: Settings) -> Result<PathBuf, PlotError> {
    let lang = Lang::of(run);
    let mut page = String::new();
    head(&mut page, run, lang);
    headline::write(&mut page, run, lang);
    maps(&mut page, run, drawn, lang)?;
    drivers(&mut page, run, drawn, lang)?;
    if let Some(w) = &drawn.totals {
        let intro = lang.paragraph(
            "全市每次模拟的需求与学位之和。分区就近入学的学段，全市缺口与空余是各区缺口与空余之和，而非全市需求减学位。",
            "Demand and seats summed over the city in each trial. For a stage admitted by district, the city's shortfall and surplus are the sums of district shortfalls and surpluses, not city demand less city seats.",
        );
        section_html(&mut page, &lang.label("全市合计", "City totals"), &intro);
        figure(&mut page, &run.dir, w)?;
    }
    risk_table(&mut page, run);
    super::housing::write(&mut page, run, lang);
    section(&mut page, "Heat maps", "Districts × school years, by stage: first the probability of a seat shortfall, then of large classes. Badges mark red (R) and amber (A) warnings.");
    for (_, _, w) in &drawn.heat {
        figure(&mut page, &run.dir, w)?;
    }
    riskiest_fans(&mut page, run, drawn, settings.fan_charts)?;
    metadata(&mut page, run, drawn);
    page.push_str("</main>\n</body>\n</html>\n");
    let path = run.dir.join("report.html");
    write_atomic(&path, page.as_bytes())?;
    Ok(path)
}

/// The district maps, each stage in its worst year (or the year asked for).
fn maps(page: &mut String, run: &Run, drawn: &Drawn, lang: Lang) -> Result<(), PlotError> {
    let intro = lang.paragraph(
        "各学段在其最不利年份（全市缺口中位数最大的年份）各区出现学位缺口的概率。功能区以所在行政区内的圆点表示。",
        "The probability of a seat shortfall by district, each stage in its worst year (the year of the city's largest median shortfall). Functional zones are circles inside their host district.",
    );
    let charts: Vec<&Written> = drawn.maps.iter().map(|(_, _, w)| w).collect();
    chart_section(
        page,
        run,
        &lang.label("预警地图", "Warnings map"),
        &intro,
        &charts,
    )
}

/// What drives the risk: a tornado chart per stage, from `sensitivity.csv`.
fn drivers(page: &mut String, run: &Run, drawn: &Drawn, lang: Lang) -> Result<(), PlotError> {
    let intro = lang.paragraph(
        "各学段在其最不利年份，全市学位缺口在各次模拟间的方差中，每个未知量所能解释的份额（相关系数的平方）——由此可见哪项调查最值得做。",
        "The share of the variance across trials of the city's shortfall that each unknown explains (its squared correlation), each stage in its worst year — which survey is worth doing.",
    );
    let charts: Vec<&Written> = drawn.tornadoes.iter().map(|(_, w)| w).collect();
    let title = lang.label("风险来源", "What drives the risk");
    chart_section(page, run, &title, &intro, &charts)
}

/// A section of charts under a heading and an introduction (HTML), or nothing without charts.
fn chart_section(
    page: &mut String,
    run: &Run,
    title: &str,
    intro: &str,
    charts: &[&Written],
) -> Result<(), PlotError> {
    if charts.is_empty() {
        return Ok(());
    }
    section_html(page, title, intro);
    for w in charts {
        figure(page, &run.dir, w)?;
    }
    Ok(())
}

/// The document head, styles and page title.
fn head(page: &mut String, run: &Run, lang: Lang) {
    let name = esc(&run.info.scenario.name);
    let _ = writeln!(
        page,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">",
        lang.html_lang()
    );
    page.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(page, "<title>seatsim report: {name}</title>");
    page.push_str(STYLE);
    let _ = writeln!(
        page,
        "</head>\n<body>\n<main>\n<h1>{} — {name}</h1>\n<p class=\"sub\">{}</p>",
        lang.label("学位供需预测", "School seats against demand"),
        esc(&labels::run_line(run, Script::Any))
    );
}

/// Page styles: readable type, tables, and charts that shrink to the window.
pub(crate) const STYLE: &str = "<style>
body{font-family:system-ui,-apple-system,'Segoe UI','Noto Sans','Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif;margin:0;color:#222;background:#fafafa;font-size:16px;line-height:1.45}
main{max-width:1320px;margin:0 auto;padding:1em 1.5em}
h1{font-size:1.6em;margin:.2em 0}h2{margin-top:1.6em;border-bottom:1px solid #ccc}h3{margin:.2em 0 .4em}
.sub{color:#555;margin:.2em 0 1em}.en{color:#555;font-weight:normal}
.bi{display:grid;grid-template-columns:1fr 1fr;gap:1.2em}.bi p{margin:.3em 0}.bi p[lang=en]{color:#444}
.stage{background:#fff;border:1px solid #ddd;border-left:6px solid #288c46;padding:.6em 1em;margin:.8em 0}.stage.short{border-left-color:#c81414}
table.overview{width:100%;font-size:.95em}table.overview td,table.overview th{padding:.3em .5em}table.overview td{white-space:nowrap}
th .en,table.overview td:first-child .en{display:block;font-size:.9em}
table.overview tr.short td:first-child{box-shadow:inset 5px 0 #c81414}table.overview td:first-child{padding-left:.9em}
.scroll{overflow-x:auto}
table{border-collapse:collapse;margin:.8em 0;background:#fff}
td,th{border:1px solid #ddd;padding:.3em .7em;text-align:left}
table.years{font-size:.8em;width:100%}table.years td,table.years th{padding:.2em .3em}table.years tr>th:first-child{width:14em}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.pill{display:inline-block;border-radius:1em;padding:0 .7em;font-weight:bold}
figure{margin:1.5em 0;background:#fff;border:1px solid #ddd;padding:.5em}
figure svg{width:100%;height:auto;display:block}
figcaption{color:#555;font-size:.9em;margin-top:.3em}
@media (max-width:900px){.bi{grid-template-columns:1fr}}
@media print{body{background:#fff;font-size:11pt}main{max-width:none;padding:0}figure,.stage,table{break-inside:avoid}figcaption a{color:#555;text-decoration:none}.scroll{overflow:visible}h2{break-after:avoid}}
</style>
";

/// The run's metadata table.
fn metadata(page: &mut String, run: &Run, drawn: &Drawn) {
    let info = &run.info;
    let mut rows: Vec<(&str, String)> = vec![("Scenario", info.scenario.name.clone())];
    rows.extend(info.scenario.file.clone().map(|f| ("Scenario file", f)));
    rows.extend(
        info.scenario
            .sha256
            .clone()
            .map(|h| ("Scenario SHA-256", h)),
    );
    rows.push((
        "Years",
        format!(
            "{} observed (base year), {}–{} projected",
            info.base_year,
            info.base_year + 1,
            info.horizon
        ),
    ));
    rows.extend(info.trials.map(|n| ("Trials", thousands(n as f64))));
    rows.extend(info.seed.map(|s| ("Seed", s.to_string())));
    rows.extend(
        info.deterministic
            .map(|d| ("Deterministic", if d { "yes" } else { "no" }.to_string())),
    );
    rows.extend(info.threads.map(|t| ("Threads", t.to_string())));
    rows.extend(
        info.elapsed_seconds
            .map(|s| ("Run time", format!("{s:.1} s"))),
    );
    rows.extend(info.seatsim_version.clone().map(|v| ("seatsim version", v)));
    let stage = |s: &StageInfo| match s.class_size {
        Some(n) => format!("{}, classes of {n}", labels::stage(s)),
        None => labels::stage(s),
    };
    let stages: Vec<String> = info.stages.iter().map(stage).collect();
    rows.push(("Stages", stages.join("; ")));
    if let Some(st) = &info.standards {
        let sizes = [
            ("large", st.large_class),
            ("super-large", st.super_large_class),
        ];
        let text: Vec<String> = sizes
            .iter()
            .filter_map(|(n, v)| Some(format!("{n}: {}+ pupils", (*v)?)))
            .collect();
        rows.push(("Class standards", text.join("; ")));
    }
    for level in [Warning::Red, Warning::Amber] {
        let rule = threshold_text(run, level);
        rows.extend(
            (!rule.is_empty()).then(|| ("Warning thresholds", format!("{}{rule}", level.name()))),
        );
    }
    let map_years: Vec<String> = drawn
        .maps
        .iter()
        .map(|(s, y, _)| format!("{s} {y}"))
        .collect();
    rows.extend((!map_years.is_empty()).then(|| ("Map years", map_years.join("; "))));
    page.push_str("<h2>Run</h2>\n<table>\n");
    for (key, value) in rows {
        let _ = writeln!(
            page,
            "<tr><th>{}</th><td>{}</td></tr>",
            esc(key),
            esc(&value)
        );
    }
    page.push_str("</table>\n");
}

/// The riskiest district-stage-years, by `p_shortfall` then `expected_shortfall`, one row per
/// district-stage (its riskiest year) so that one long shortage does not fill the table.
fn risk_table(page: &mut String, run: &Run) {
    let mut rows: Vec<&RiskRow> = district_stages(run)
        .filter_map(|(district, stage)| run.peak_risk(district, stage))
        .collect();
    rows.sort_by(|a, b| by_risk(b, a));
    let projected = run.risk.iter().filter(|r| r.year > run.info.base_year);
    let count = |level| projected.clone().filter(|r| r.warning == level).count();
    page.push_str("<h2>Riskiest district-stage-years</h2>\n");
    let order = if run.risk.iter().any(|r| r.rank.is_some()) {
        "as risk.csv's <code>rank</code> (the ranking the terminal shows)"
    } else {
        "by the probability of a seat shortfall (share of trials with more pupils than public seats), then by the expected shortfall"
    };
    let _ = writeln!(
        page,
        "<p>Each district-stage at its riskiest year, ranked {order}. In the projected years, {} district-stage-years carry a red warning and {} an amber one (of {}).</p>",
        count(Warning::Red),
        count(Warning::Amber),
        projected.clone().count()
    );
    page.push_str("<table>\n<tr><th>#</th><th>District</th><th>Stage</th><th>Year</th><th>P(shortfall)</th><th>P(large classes)</th><th>Expected shortfall (pupils)</th><th>Warning</th><th>Warning years of this district-stage</th></tr>\n");
    for (rank, row) in rows.iter().take(TOP_ROWS).enumerate() {
        risk_row(page, run, rank + 1, row);
    }
    page.push_str("</table>\n");
}

/// One row of the top-risk table.
fn risk_row(page: &mut String, run: &Run, rank: usize, row: &RiskRow) {
    let opt = |v: Option<f64>, f: fn(f64) -> String| v.map_or_else(|| "n/a".to_string(), f);
    let year = if row.year == run.info.base_year {
        format!("{} (observed)", row.year)
    } else {
        row.year.to_string()
    };
    let fill = colour::warning(row.warning);
    let _ = writeln!(
        page,
        "<tr><td class=\"num\">{rank}</td><td>{}</td><td>{}</td><td>{year}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td><span class=\"pill\" style=\"background:{};color:{}\">{}</span></td><td>{}</td></tr>",
        esc(&labels::district(run, &row.district, Script::Any, Form::Full)),
        esc(&row.stage),
        opt(row.p_shortfall, percent),
        opt(row.p_large_classes, percent),
        opt(row.expected_shortfall, thousands),
        colour::hex(fill),
        colour::hex(colour::ink_on(fill)),
        row.warning.name(),
        warning_years(run, &row.district, &row.stage)
    );
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
fn warning_years(run: &Run, district: &str, stage: &str) -> String {
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

/// The fan charts of the `n` riskiest district-stages (not the city totals).
fn riskiest_fans(page: &mut String, run: &Run, drawn: &Drawn, n: usize) -> Result<(), PlotError> {
    let mut ranked: Vec<(&RiskRow, &Written)> = drawn
        .fans
        .iter()
        .filter(|((district, _), _)| district != ALL)
        .filter_map(|((district, stage), w)| Some((run.peak_risk(district, stage)?, w)))
        .collect();
    ranked.sort_by(|a, b| by_risk(b.0, a.0));
    let intro = format!("The {n} district-stages with the highest probability of a shortfall in any year; every other district-stage has its own chart in plots/.");
    section(page, "Fan charts of the riskiest district-stages", &intro);
    for (_, w) in ranked.into_iter().take(n) {
        figure(page, &run.dir, w)?;
    }
    Ok(())
}

/// A section heading with an introduction.
fn section(page: &mut String, title: &str, intro: &str) {
    let _ = writeln!(page, "<h2>{}</h2>\n<p>{}</p>", esc(title), esc(intro));
}

/// A section heading and introduction that are HTML already.
fn section_html(page: &mut String, title: &str, intro: &str) {
    let _ = writeln!(page, "<h2>{title}</h2>\n{intro}");
}

/// A chart as inline SVG, with links to its files relative to the folder `dir`.
pub(crate) fn figure(page: &mut String, dir: &Path, w: &Written) -> Result<(), PlotError> {
    let svg = std::fs::read_to_string(&w.svg).map_err(|source| PlotError::Read {
        path: w.svg.clone(),
        source,
    })?;
    let (png, svg_link) = (relative(dir, &w.png), relative(dir, &w.svg));
    let _ = writeln!(
        page,
        "<figure>\n{svg}<figcaption>Files: <a href=\"{png}\">{png}</a> · <a href=\"{svg_link}\">{svg_link}</a></figcaption>\n</figure>",
        png = esc(&png),
        svg_link = esc(&svg_link)
    );
    Ok(())
}

/// The path of `file` relative to the folder `dir`, with `/` separators, for links.
fn relative(dir: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(dir).unwrap_or(file);
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// `text` escaped for HTML.
pub(crate) fn esc(text: &str) -> String {
    text.chars()
        .fold(String::with_capacity(text.len()), |mut out, c| {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&#39;"),
                _ => out.push(c),
            }
            out
        })
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

    #[test]
    fn esc_escapes_markup() {
        assert_eq!(
            esc("<a href=\"x\">R&D's</a>"),
            "&lt;a href=&quot;x&quot;&gt;R&amp;D&#39;s&lt;/a&gt;"
        );
        assert_eq!(esc("中原区"), "中原区");
    }
}
