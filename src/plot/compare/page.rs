//! `compare.html`: what the change buys, stage by stage — the city's change in shortfall by
//! year (median and P5–P95 of paired trials), the change in seats and P(shortfall) before and
//! after, with each stage's chart.

use std::fmt::Write as _;
use std::path::PathBuf;

use super::super::labels::{percent, thousands};
use super::super::output::{write_atomic, Written};
use super::super::report::{esc, figure, STYLE};
use super::super::PlotError;
use super::data::Compared;

/// Writes `compare.html` into the comparison folder and returns its path.
pub(crate) fn write(cmp: &Compared, charts: &[(String, Written)]) -> Result<PathBuf, PlotError> {
    let info = &cmp.info;
    let (base, alt) = (esc(&info.base.name), esc(&info.alt.name));
    let mut page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>seatsim compare: {alt} vs {base}</title>\n{STYLE}</head>\n<body>\n<main>\n<h1>What the change buys <span class=\"en\">变化的效果</span></h1>\n"
    );
    let trials = info.trials.map_or(String::new(), |n| {
        format!(" over {} paired trials", thousands(n as f64))
    });
    let seed = info.seed.map_or(String::new(), |s| format!(" (seed {s})"));
    let _ = writeln!(
        page,
        "<p class=\"sub\">ALT “{alt}” against BASE “{base}”, run on the same random draws{trials}{seed}: each number is a change ALT − BASE in the city totals; a negative change in shortfall means fewer pupils without a seat. For a stage admitted by district the city's shortfall is the sum of district shortfalls.</p>"
    );
    for stage in &cmp.stages {
        stage_section(&mut page, cmp, stage);
        for (_, w) in charts.iter().filter(|(s, _)| s == stage) {
            figure(&mut page, &cmp.dir, w)?;
        }
    }
    page.push_str("</main>\n</body>\n</html>\n");
    let path = cmp.dir.join("compare.html");
    write_atomic(&path, page.as_bytes())?;
    Ok(path)
}

/// One stage: its table of changes by year.
fn stage_section(page: &mut String, cmp: &Compared, stage: &str) {
    let _ = writeln!(page, "<h2>{}</h2>", esc(stage));
    let Some(shortfall) = cmp.change(stage, "shortfall") else {
        page.push_str("<p>No shortfall in the files for this stage.</p>\n");
        return;
    };
    let seats = cmp.change(stage, "capacity");
    page.push_str("<div class=\"scroll\"><table class=\"years\" data-stage=\"");
    page.push_str(&esc(stage));
    page.push_str("\">\n<tr><th>year</th><th>shortfall, BASE mean</th><th>shortfall, ALT mean</th><th>change, median</th><th>change, P5–P95</th><th>change in seats, median</th><th>P(shortfall) BASE → ALT</th></tr>\n");
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
            page,
            "<tr><th>{year}</th><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}–{}</td><td class=\"num\">{seat_change}</td><td class=\"num\">{p}</td></tr>",
            thousands(c.base_mean),
            thousands(c.alt_mean),
            thousands(c.p50),
            thousands(c.p05),
            thousands(c.p95)
        );
    }
    page.push_str("</table></div>\n");
}
