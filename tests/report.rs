//! `report.html` of a real run of the default scenario: the headline's numbers against
//! `summary.csv` and `risk.csv`, and the page in a real (headless Chromium) browser.

use std::collections::HashMap;
use std::path::Path;

use crate::support::{read_rows, Fixture};

/// "12,345" for a whole number, as the report writes it.
fn thousands(v: f64) -> String {
    let digits = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if v.round() < 0.0 {
        format!("-{out}")
    } else {
        out
    }
}

/// A run of the Zhengzhou scenario with its charts and report (few trials: the numbers only
/// have to match the run's own files).
fn zhengzhou_run() -> (Fixture, std::path::PathBuf) {
    let fx = Fixture::scenario("zhengzhou");
    fx.seatsim_ok(&[
        "run",
        "zhengzhou.toml",
        "--quiet",
        "--trials",
        "200",
        "--out",
        "out",
    ]);
    let out = fx.path("out");
    (fx, out)
}

/// A column of the rows of `file` keyed by (district, stage, year[, metric]).
fn column(
    dir: &Path,
    file: &str,
    metric: Option<&str>,
    name: &str,
) -> HashMap<(String, String, i32), f64> {
    read_rows(&dir.join(file))
        .into_iter()
        .filter(|r| metric.is_none_or(|m| r["metric"] == m))
        .filter_map(|r| {
            let value = r.get(name)?.parse().ok()?;
            let key = (
                r["district"].clone(),
                r["stage"].clone(),
                r["year"].parse().unwrap(),
            );
            Some((key, value))
        })
        .collect()
}

/// The overview row of `stage` in the headline, as HTML.
fn overview_row<'a>(html: &'a str, stage: &str) -> &'a str {
    let overview = html
        .split("<table class=\"overview\">")
        .nth(1)
        .expect("an overview table");
    let row = overview
        .split("<tr")
        .find(|r| r.contains(&format!("data-stage=\"{stage}\"")))
        .unwrap_or_else(|| panic!("no overview row for {stage}"));
    row.split("</tr>").next().unwrap()
}

#[test]
fn headline_numbers_are_those_of_summary_and_risk_csv() {
    let (_fx, out) = zhengzhou_run();
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let headline_at = html.find("id=\"headline\"").expect("a headline section");
    let metadata_at = html.find("Scenario SHA-256").expect("metadata");
    assert!(
        headline_at < metadata_at,
        "the headline comes before the run's metadata"
    );
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    let (base, horizon) = (
        run["base_year"].as_i64().unwrap() as i32,
        run["horizon"].as_i64().unwrap() as i32,
    );
    let short = |q| column(&out, "summary.csv", Some("shortfall"), q);
    let (p05, p50, p95) = (short("p05"), short("p50"), short("p95"));
    let expected = column(&out, "risk.csv", None, "expected_shortfall");
    let p_short = column(&out, "risk.csv", None, "p_shortfall");
    for stage in run["stages"].as_array().unwrap() {
        let stage = stage["id"].as_str().unwrap();
        let key = |y| ("ALL".to_string(), stage.to_string(), y);
        // The worst year: largest median shortfall, then expected shortfall, then P(shortfall).
        let worst = (base + 1..=horizon)
            .max_by(|&a, &b| {
                let k = |y| [p50[&key(y)], expected[&key(y)], p_short[&key(y)]];
                k(a).partial_cmp(&k(b)).unwrap()
            })
            .unwrap();
        let row = overview_row(&html, stage);
        assert!(
            row.contains(&format!("<td>{worst}</td>")),
            "{stage}: worst year {worst} in {row}"
        );
        let median = format!("<td class=\"num\">{}</td>", thousands(p50[&key(worst)]));
        assert!(row.contains(&median), "{stage}: {median} in {row}");
        let band = format!(
            "{}–{}",
            thousands(p05[&key(worst)]),
            thousands(p95[&key(worst)])
        );
        assert!(row.contains(&band), "{stage}: {band} in {row}");
    }
}
