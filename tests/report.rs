//! `report.html` of a real run of the default scenario: the headline's numbers against
//! `summary.csv` and `risk.csv`, and the page in a real (headless Chromium) browser.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::{read_rows, thousands, Fixture};

/// A run of the Zhengzhou scenario with its charts and report (few trials: the numbers only
/// have to match the run's own files), and the terminal's summary.
fn zhengzhou_run() -> (Fixture, PathBuf, String) {
    let fx = Fixture::scenario("zhengzhou");
    let output = fx.seatsim_ok(&["run", "zhengzhou.toml", "--trials", "300", "--out", "out"]);
    let out = fx.path("out");
    let terminal = String::from_utf8(output.stdout).unwrap();
    (fx, out, terminal)
}

/// Rows of `file` keyed by (district, stage, year[, metric]).
type Keyed = HashMap<(String, String, i32), f64>;

/// A column of the rows of `file` keyed by (district, stage, year[, metric]).
fn column(dir: &Path, file: &str, metric: Option<&str>, name: &str) -> Keyed {
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

/// The row of `table` (a class of `<table>`) whose `data-` attribute is `key`, as HTML.
fn table_row<'a>(html: &'a str, table: &str, key: &str) -> &'a str {
    let body = html
        .split(&format!("<table class=\"{table}\">"))
        .nth(1)
        .unwrap_or_else(|| panic!("a {table} table"));
    let body = body.split("</table>").next().unwrap();
    let row = body
        .split("<tr")
        .find(|r| r.contains(key))
        .unwrap_or_else(|| panic!("no {table} row {key}"));
    row.split("</tr>").next().unwrap()
}

/// The run's base year and horizon.
fn years(out: &Path) -> (i32, i32, serde_json::Value) {
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    let year = |key: &str| run[key].as_i64().unwrap() as i32;
    (year("base_year"), year("horizon"), run)
}

/// The worst year by hand: the largest expected shortfall, the earliest on a tie, none if none.
fn worst_year(
    expected: &Keyed,
    place: &str,
    stage: &str,
    years: std::ops::RangeInclusive<i32>,
) -> Option<i32> {
    let mut best: Option<(i32, f64)> = None;
    for y in years {
        let e = expected[&(place.to_string(), stage.to_string(), y)];
        if e > 0.0 && best.is_none_or(|(_, b)| e > b) {
            best = Some((y, e));
        }
    }
    best.map(|(y, _)| y)
}

/// The first year short by hand: P(shortfall) ≥ 0.5.
fn first_short(
    p: &Keyed,
    place: &str,
    stage: &str,
    years: std::ops::RangeInclusive<i32>,
) -> Option<i32> {
    years
        .into_iter()
        .find(|&y| p[&(place.to_string(), stage.to_string(), y)] >= 0.5)
}

/// Checks that the headline of `html` (the file, or the page as a browser built it) holds the
/// numbers of the run in `out`: for each stage its first year short, its worst year, and the
/// expected shortfall there with P5–P95.
fn check_headline(html: &str, out: &Path) {
    let headline_at = html.find("id=\"headline\"").expect("a headline section");
    let metadata_at = html.find("Scenario SHA-256").expect("metadata");
    assert!(
        headline_at < metadata_at,
        "the headline comes before the run's metadata"
    );
    let (base, horizon, run) = years(out);
    let short = |q| column(out, "summary.csv", Some("shortfall"), q);
    let (p05, p95) = (short("p05"), short("p95"));
    let expected = column(out, "risk.csv", None, "expected_shortfall");
    let p_short = column(out, "risk.csv", None, "p_shortfall");
    for stage in run["stages"].as_array().unwrap() {
        let stage = stage["id"].as_str().unwrap();
        let key = |y| ("ALL".to_string(), stage.to_string(), y);
        let row = table_row(html, "overview", &format!("data-stage=\"{stage}\""));
        if let Some(y) = first_short(&p_short, "ALL", stage, base + 1..=horizon) {
            assert!(
                row.contains(&format!("<td>{y}</td>")),
                "{stage}: first short {y} in {row}"
            );
        }
        let Some(worst) = worst_year(&expected, "ALL", stage, base + 1..=horizon) else {
            continue;
        };
        assert!(
            row.contains(&format!("<td>{worst}</td>")),
            "{stage}: worst year {worst} in {row}"
        );
        let shown = format!(
            "<b>{}</b> ({}–{})",
            thousands(expected[&key(worst)]),
            thousands(p05[&key(worst)]),
            thousands(p95[&key(worst)])
        );
        assert!(row.contains(&shown), "{stage}: {shown} in {row}");
    }
}

/// Checks what a planner needs of the page: Chinese and English in every heading and caption,
/// money and teachers, a contents list, A4 print, a section per district, nothing loaded from
/// beside the page, and no document the repository lacks.
fn check_page(html: &str, out: &Path) {
    let cjk = |s: &str| s.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c));
    let latin = |s: &str| s.chars().any(|c| c.is_ascii_alphabetic());
    for tag in ["h1", "h2", "h3", "figcaption"] {
        let open = format!("<{tag}");
        for part in html.split(&open).skip(1) {
            let text = part.split(&format!("</{tag}>")).next().unwrap();
            let text = text.split_once('>').unwrap().1;
            assert!(cjk(text) && latin(text), "<{tag}> not bilingual: {text}");
        }
    }
    for word in ["亿元", "教师", "@page{size:A4"] {
        assert!(html.contains(word), "the page lacks {word}");
    }
    assert!(
        html.matches("<li><a href=\"#").count() >= 5,
        "a contents list"
    );
    for link in html.split("href=\"#").skip(1) {
        let id = link.split('"').next().unwrap();
        assert!(
            html.contains(&format!("id=\"{id}\"")),
            "in-page link #{id} leads nowhere"
        );
    }
    let (_, _, run) = years(out);
    for d in run["districts"].as_array().unwrap() {
        let id = d["id"].as_str().unwrap();
        assert!(
            html.contains(&format!("id=\"district-{id}\"")),
            "a section for {id}"
        );
    }
    assert!(
        !html.contains("<img"),
        "a figure loads a file beside the page"
    );
    // The page's own text (the charts' text is the charts' business).
    let text: String = html
        .split("<svg")
        .map(|part| part.split_once("</svg>").map_or(part, |(_, after)| after))
        .collect();
    assert!(
        !text.contains("DESIGN"),
        "the page cites a document the repository lacks"
    );
}

/// Checks that the terminal, `report.html` and `risk.csv` tell one story: each district-stage
/// the terminal names has the same rank, worst year, expected shortfall and first year short
/// in the report's ranking and district sections as in `risk.csv`.
fn check_one_truth(terminal: &str, html: &str, out: &Path) {
    let (base, horizon, _) = years(out);
    let rank = column(out, "risk.csv", None, "rank");
    let expected = column(out, "risk.csv", None, "expected_shortfall");
    let p_short = column(out, "risk.csv", None, "p_shortfall");
    let rows: Vec<Vec<&str>> = terminal
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .filter(|w| w.len() >= 11 && w[0].parse::<u32>().is_ok())
        .filter(|w| ["red", "amber", "green"].contains(w.last().unwrap()))
        .collect();
    assert!(rows.len() >= 4, "the terminal's table: {terminal}");
    for w in rows {
        let (district, n) = (w[1], w.len());
        let (stage, year) = (w[n - 9], w[n - 8].parse::<i32>().unwrap());
        let key = (district.to_string(), stage.to_string(), year);
        // The terminal against risk.csv.
        assert_eq!(w[0].parse::<f64>().unwrap(), rank[&key], "{key:?} rank");
        assert_eq!(
            w[n - 7],
            format!("{:.0}", expected[&key]),
            "{key:?} expected shortfall"
        );
        let from = first_short(&p_short, district, stage, base + 1..=horizon);
        assert_eq!(
            w[n - 5],
            from.map_or("-".to_string(), |y| y.to_string()),
            "{key:?} short from"
        );
        assert_eq!(
            worst_year(&expected, district, stage, base + 1..=horizon).unwrap_or(year),
            year,
            "{key:?} worst year"
        );
        // The report's ranking, where it lists the district-stage.
        let attr = format!("data-district=\"{district}\" data-stage=\"{stage}\"");
        if html
            .split("<table class=\"ranking\">")
            .nth(1)
            .is_some_and(|t| t.split("</table>").next().unwrap().contains(&attr))
        {
            let row = table_row(html, "ranking", &attr);
            assert!(
                row.contains(&format!("<td class=\"num\">{}</td>", w[0])),
                "{key:?} rank in {row}"
            );
            assert!(
                row.contains(&format!("<td>{year}</td>")),
                "{key:?} year in {row}"
            );
            assert!(
                row.contains(&thousands(expected[&key])),
                "{key:?} shortfall in {row}"
            );
        }
        // The district-stage's fan chart, where the run drew one, names the same worst year.
        if let Ok(svg) =
            std::fs::read_to_string(out.join(format!("plots/fan_{district}_{stage}.svg")))
        {
            let text: String = svg
                .split('<')
                .filter_map(|t| t.split_once('>').map(|(_, text)| text))
                .flat_map(str::chars)
                .filter(|c| !c.is_whitespace())
                .collect();
            assert!(
                text.contains(&format!("Worstyear:{year},")),
                "{key:?} worst year in its fan chart: {text}"
            );
        }
        // The district's own section.
        if district != "ALL" {
            let section = html
                .split(&format!("id=\"district-{district}\""))
                .nth(1)
                .unwrap();
            let section = section.split("</section>").next().unwrap();
            let row = section
                .split("<tr")
                .find(|r| r.contains(&format!("data-stage=\"{stage}\"")))
                .unwrap();
            assert!(
                row.contains(&format!("<td>{year}</td>")),
                "{key:?} worst year in {row}"
            );
            assert!(
                row.contains(&format!("<b>{}</b>", thousands(expected[&key]))),
                "{key:?} shortfall in {row}"
            );
            if let Some(y) = from {
                assert!(
                    row.contains(&format!("<td>{y}</td>")),
                    "{key:?} first short in {row}"
                );
            }
        }
    }
}

#[test]
fn every_view_of_one_run_tells_the_same_story() {
    let (_fx, out, terminal) = zhengzhou_run();
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    check_headline(&html, &out);
    check_page(&html, &out);
    check_one_truth(&terminal, &html, &out);
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
        }
    }
    let drivers_at = html.find("id=\"drivers\"").expect("a drivers section");
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
    let (fx, out, _) = zhengzhou_run();
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
    // Every figure of the report (inline in the page), each in a cell of one page, is drawn by
    // the browser.
    assert_eq!(
        dom.matches("<figure>").count(),
        dom.matches("<svg").count(),
        "every figure is an inline SVG"
    );
    let mut figures: Vec<String> = std::fs::read_dir(out.join("plots"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".svg"))
        .map(|name| format!("plots/{name}"))
        .collect();
    figures.sort();
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

#[test]
fn plot_redraws_a_plan_folder_into_a_bilingual_plan_html() {
    let fx = Fixture::new(&[]);
    let dir = fx.path("plan");
    std::fs::create_dir(&dir).unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/plan");
    for name in ["plan.json", "plan.csv", "plan_summary.csv"] {
        std::fs::copy(fixtures.join(name), dir.join(name)).unwrap();
    }
    fx.seatsim_ok(&["plot", "plan"]);
    let html = std::fs::read_to_string(dir.join("plan.html")).unwrap();
    for words in [
        "建设方案",
        "What to build",
        "亿元",
        "billion yuan",
        "id=\"unmet\"",
    ] {
        assert!(html.contains(words), "plan.html lacks {words}");
    }
    let refused = fx.refused(&["plot", "plan", "--map-year", "2022"]);
    assert!(refused.contains("plan folder"), "{refused}");
}
