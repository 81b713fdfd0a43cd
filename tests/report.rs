//! `report.html` of a real run of the default scenario: the headline's numbers against
//! `summary.csv` and `risk.csv`, and the page in a real (headless Chromium) browser.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::{read_rows, thousands, Fixture};

/// A run of the Zhengzhou scenario with its charts and report (few trials: the numbers only
/// have to match the run's own files).
fn zhengzhou_run() -> (Fixture, std::path::PathBuf) {
    let fx = Fixture::scenario("zhengzhou");
    fx.seatsim_ok(&[
        "run",
        "zhengzhou.toml",
        "--quiet",
        "--trials",
        "300",
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

/// Checks that the headline of `html` (the file, or the page as a browser built it) holds the
/// numbers of the run in `out`: for each stage its worst year, median and P5–P95 shortfall.
fn check_headline(html: &str, out: &Path) {
    let headline_at = html.find("id=\"headline\"").expect("a headline section");
    let metadata_at = html.find("Scenario SHA-256").expect("metadata");
    assert!(
        headline_at < metadata_at,
        "the headline comes before the run's metadata"
    );
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    let year = |key: &str| run[key].as_i64().unwrap() as i32;
    let (base, horizon) = (year("base_year"), year("horizon"));
    let short = |q| column(out, "summary.csv", Some("shortfall"), q);
    let (p05, p50, p95) = (short("p05"), short("p50"), short("p95"));
    let expected = column(out, "risk.csv", None, "expected_shortfall");
    let p_short = column(out, "risk.csv", None, "p_shortfall");
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
        let row = overview_row(html, stage);
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

#[test]
fn headline_numbers_are_those_of_summary_and_risk_csv() {
    let (_fx, out) = zhengzhou_run();
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    check_headline(&html, &out);
    check_drivers(&html, &out);
}

/// Checks that a run with uncertain inputs draws a tornado chart for every stage whose
/// `tornado.csv` has a nonzero change (and none for the others), and that the report shows
/// them after the headline.
fn check_drivers(html: &str, out: &Path) {
    let rows = crate::support::read_rows(&out.join("tornado.csv"));
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    for stage in run["stages"].as_array().unwrap() {
        let stage = stage["id"].as_str().unwrap();
        let moves = rows
            .iter()
            .any(|r| r["stage"] == stage && r["change"].parse::<f64>().unwrap().abs() >= 0.5);
        for ext in ["png", "svg"] {
            let file = format!("plots/tornado_{stage}.{ext}");
            assert_eq!(out.join(&file).is_file(), moves, "{file}");
            if ext == "png" {
                assert_eq!(html.contains(&file), moves, "report links {file}");
            }
        }
    }
    let drivers_at = html
        .find("What drives the risk")
        .expect("a drivers section");
    assert!(html.contains("风险来源"));
    assert!(html.contains("which survey is worth doing"));
    assert!(html.find("id=\"headline\"").unwrap() < drivers_at);
}

/// The Chromium binary, if the machine has one.
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|p| p.is_file())
}

/// Runs headless Chromium on `url` with `args`, killed after two minutes; returns its stdout
/// and stderr (through files: the DOM of a page of inline SVG overfills a pipe).
fn browse(browser: &Path, profile: &Path, args: &[&str], url: &str) -> (String, String) {
    let (out, err) = (
        profile.with_extension("stdout"),
        profile.with_extension("stderr"),
    );
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(url)
        .stdout(File::create(&out).unwrap())
        .stderr(File::create(&err).unwrap())
        .spawn()
        .expect("chromium starts");
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(120) {
            child.kill().unwrap();
            panic!("chromium did not finish {args:?} in two minutes");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let text = |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned();
    (text(&out), text(&err))
}

/// The screenshot at `path`, decoded.
fn screenshot(path: &Path) -> image::RgbImage {
    image::open(path)
        .expect("chromium wrote a PNG screenshot")
        .to_rgb8()
}

/// Whether a region of an image holds a drawing: some pixels far from the page's white.
fn drawn(img: &image::RgbImage, (x0, y0, w, h): (u32, u32, u32, u32)) -> bool {
    let dark = (x0..x0 + w)
        .flat_map(|x| (y0..y0 + h).map(move |y| (x, y)))
        .filter(|&(x, y)| img.get_pixel(x, y).0.iter().any(|&c| c < 160))
        .count();
    dark as f64 > 0.005 * f64::from(w * h)
}

#[test]
fn report_renders_in_a_real_browser_with_every_figure_drawn_and_the_runs_numbers() {
    let Some(browser) = chromium() else {
        eprintln!("skipped: no chromium binary on PATH (apt-get install -y chromium)");
        return;
    };
    let (fx, out) = zhengzhou_run();
    let profile = fx.path("chromium-profile");
    let url = format!("file://{}", out.join("report.html").display());
    // The page as the browser built it holds the run's numbers, and loads with no console error.
    let (dom, log) = browse(
        &browser,
        &profile,
        &["--dump-dom", "--enable-logging=stderr", "--v=0"],
        &url,
    );
    check_headline(&dom, &out);
    let console: Vec<&str> = log.lines().filter(|l| l.contains("CONSOLE")).collect();
    assert!(console.is_empty(), "console messages: {console:#?}");
    // The first screen, at both widths the report is made for, shows the headline.
    for width in [1400, 1000] {
        let shot = fx.path(&format!("report-{width}.png"));
        let args = [
            format!("--screenshot={}", shot.display()),
            format!("--window-size={width},900"),
        ];
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        browse(&browser, &profile, &args, &url);
        let img = screenshot(&shot);
        assert_eq!(img.width(), width);
        assert!(
            drawn(&img, (0, 0, width, 900)),
            "the first screen at {width} px is not blank"
        );
    }
    // Every figure of the report, each in a cell of one page, is drawn by the browser.
    let figures: Vec<String> = dom
        .split("<figcaption>Files: <a href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter_map(|png| png.strip_suffix(".png").map(|stem| format!("{stem}.svg")))
        .collect();
    assert!(
        figures.len() >= 10,
        "the report has its figures: {figures:?}"
    );
    let (cell_w, cell_h, per_row) = (340u32, 260u32, 4u32);
    let mut page = String::from("<!DOCTYPE html><html><body style=\"margin:0;background:#fff\">");
    for (i, svg) in figures.iter().enumerate() {
        let (x, y) = ((i as u32 % per_row) * cell_w, (i as u32 / per_row) * cell_h);
        page.push_str(&format!("<img src=\"{svg}\" style=\"position:absolute;left:{x}px;top:{y}px;width:{}px;height:{}px;object-fit:contain\">", cell_w - 10, cell_h - 10));
    }
    page.push_str("</body></html>");
    std::fs::write(out.join("figures.html"), page).unwrap();
    let rows = (figures.len() as u32).div_ceil(per_row);
    let shot = fx.path("figures.png");
    let args = [
        format!("--screenshot={}", shot.display()),
        format!("--window-size={},{}", per_row * cell_w, rows * cell_h),
    ];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    browse(
        &browser,
        &profile,
        &args,
        &format!("file://{}", out.join("figures.html").display()),
    );
    let img = screenshot(&shot);
    for (i, svg) in figures.iter().enumerate() {
        let (x, y) = ((i as u32 % per_row) * cell_w, (i as u32 / per_row) * cell_h);
        assert!(
            drawn(&img, (x, y, cell_w - 10, cell_h - 10)),
            "{svg} is blank in the browser"
        );
    }
}
