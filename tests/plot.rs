//! Tests of the plot module (`seatsim::plot`): a small synthetic run folder, drawn end to end,
//! and run folders with broken files.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use seatsim::plot::{draw_run, PlotError, PlotOptions};

/// First and last year of the synthetic run.
const YEARS: std::ops::RangeInclusive<i32> = 2020..=2024;
/// The year the maps show by default: the city's worst year (every median shortfall is 1, so
/// the largest expected shortfall decides: 2021, before capacity grows in 2022).
const WORST: i32 = 2021;
/// The metrics of `summary.csv`, in the engine's order.
const METRICS: [&str; 10] = [
    "enrolled",
    "demand",
    "capacity",
    "shortfall",
    "surplus",
    "utilization",
    "large_class_share",
    "super_large_class_share",
    "extra_classes_needed",
    "migrant_share",
];

/// `run.json`: two polygon districts with Chinese names, a functional zone inside the first with
/// no romanised name, a district with an ASCII name and no map feature; a district stage and a
/// city-wide stage.
const RUN_JSON: &str = r#"{"seatsim_version":"0.1.0",
 "scenario":{"name":"Test city","file":"scenarios/test.toml","sha256":"abc123"},
 "seed":1,"trials":200,"threads":1,"deterministic":false,"base_year":2020,"horizon":2024,
 "elapsed_seconds":0.1,"something_new":{"x":1},
 "districts":[
  {"id":"alpha","name":"甲区","name_en":"Alpha","map_feature":"100001","map_kind":"polygon"},
  {"id":"beta","name":"乙区","name_en":"Beta","map_feature":"100002","map_kind":"polygon"},
  {"id":"zone","name":"新区","name_en":null,"map_feature":"100001","map_kind":"point"},
  {"id":"gamma","name":"Gamma town","name_en":null,"map_feature":null,"map_kind":null}],
 "stages":[{"id":"primary","ages":[6,11],"class_size":45,"catchment":"district"},
           {"id":"senior","ages":[15,17],"class_size":50,"catchment":"city"}],
 "standards":{"large_class":56,"super_large_class":66,"underuse_threshold":0.7},
 "warnings":{"red":{"p_shortfall":0.5,"p_large_classes":0.5},
             "amber":{"p_shortfall":0.2,"p_large_classes":0.2}},
 "map":"map.geojson"}"#;

/// `map.geojson`: two squares side by side (DataV style) and a third with no district.
const MAP: &str = r#"{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"adcode":100001,"name":"甲区","centroid":[113.25,34.75]},
  "geometry":{"type":"MultiPolygon","coordinates":[[[[113.0,34.5],[113.5,34.5],[113.5,35.0],[113.0,35.0],[113.0,34.5]]]]}},
 {"type":"Feature","properties":{"adcode":100002,"name":"乙区"},
  "geometry":{"type":"Polygon","coordinates":[[[113.5,34.5],[114.0,34.5],[114.0,35.0],[113.5,35.0],[113.5,34.5]]]}},
 {"type":"Feature","properties":{"adcode":100003,"name":"丙区"},
  "geometry":{"type":"Polygon","coordinates":[[[113.0,34.2],[114.0,34.2],[114.0,34.5],[113.0,34.5],[113.0,34.2]]]}}]}"#;

/// Writes a consistent synthetic run folder into `dir`.
fn write_run(dir: &Path) {
    let cells = [
        ("alpha", "primary", 1.0),
        ("beta", "primary", 0.6),
        ("zone", "primary", 1.4),
        ("gamma", "primary", 0.3),
        ("ALL", "primary", 3.3),
        ("ALL", "senior", 1.5),
    ];
    let mut summary = String::from("district,stage,year,metric,mean,sd,p05,p25,p50,p75,p95\n");
    let mut risk = String::from("district,stage,year,p_shortfall,p_large_classes,p_super_large_classes,p_underused,expected_shortfall,warning,seats_for_p10,severity,rank\n");
    for (district, stage, scale) in cells {
        for year in YEARS {
            let t = f64::from(year - YEARS.start());
            let demand = 10_000.0 * scale * (1.0 + 0.05 * t);
            let capacity = 10_000.0 * scale * if year >= 2022 { 1.25 } else { 1.02 };
            for metric in METRICS {
                let (mean, sd) = match metric {
                    "demand" => (demand, 100.0 * t),
                    "capacity" => (capacity, 0.0),
                    _ => (1.0, 0.1),
                };
                if metric == "utilization" && district == "gamma" {
                    writeln!(summary, "{district},{stage},{year},{metric},,,,,,,").unwrap();
                    continue;
                }
                let q = |z: f64| mean + z * sd;
                writeln!(
                    summary,
                    "{district},{stage},{year},{metric},{mean},{sd},{},{},{},{},{}",
                    q(-1.645),
                    q(-0.674),
                    q(0.0),
                    q(0.674),
                    q(1.645)
                )
                .unwrap();
            }
            let p = ((demand - capacity) / capacity * 5.0 + 0.5).clamp(0.0, 1.0);
            let warning = match p {
                p if p >= 0.5 => "red",
                p if p >= 0.2 => "amber",
                _ => "green",
            };
            let expected = (demand - capacity).max(0.0);
            writeln!(
                risk,
                "{district},{stage},{year},{p},{p},0,0,{expected},{warning},{expected},{expected},"
            )
            .unwrap();
        }
    }
    fs::write(dir.join("run.json"), RUN_JSON).unwrap();
    fs::write(dir.join("map.geojson"), MAP).unwrap();
    fs::write(dir.join("summary.csv"), summary).unwrap();
    fs::write(dir.join("risk.csv"), risk).unwrap();
}

/// A temporary folder holding the synthetic run.
fn synthetic_run() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_run(dir.path());
    dir
}

/// The files a draw of the synthetic run must write, relative to the run folder.
fn expected_files(map_year: i32) -> BTreeSet<PathBuf> {
    let mut stems: Vec<String> = ["alpha", "beta", "zone", "gamma", "ALL"]
        .iter()
        .map(|d| format!("fan_{d}_primary"))
        .collect();
    stems.push("fan_ALL_senior".into());
    for stage in ["primary", "senior"] {
        stems.push(format!("heat_p_shortfall_{stage}"));
        stems.push(format!("heat_p_large_classes_{stage}"));
    }
    stems.push(format!("map_p_shortfall_primary_{map_year}"));
    // The city-wide stage has its map too, one colour over the whole city.
    stems.push(format!("map_p_shortfall_senior_{map_year}"));
    stems.push("city_totals".into());
    let mut files: BTreeSet<PathBuf> = stems
        .iter()
        .flat_map(|s| [format!("plots/{s}.png"), format!("plots/{s}.svg")])
        .map(PathBuf::from)
        .collect();
    files.insert(PathBuf::from("report.html"));
    files
}

/// Every `href="…"` and `src="…"` target in an HTML page.
fn links(html: &str) -> Vec<String> {
    ["href=\"", "src=\""]
        .iter()
        .flat_map(|attr| html.split(attr).skip(1))
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect()
}

#[test]
fn draws_every_chart_and_a_report_that_links_only_existing_files() {
    let dir = synthetic_run();
    let written = draw_run(dir.path(), &PlotOptions::default()).expect("synthetic run draws");
    let relative: BTreeSet<PathBuf> = written
        .iter()
        .map(|p| {
            p.strip_prefix(dir.path())
                .expect("written inside the run folder")
                .to_path_buf()
        })
        .collect();
    assert_eq!(relative, expected_files(WORST));
    assert_eq!(written.len(), relative.len(), "no file reported twice");
    for path in &written {
        assert!(path.is_file(), "{} missing", path.display());
    }
    let leftovers: Vec<_> = fs::read_dir(dir.path().join("plots"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    // The folder has no sensitivity.csv (an older run): no tornado chart, no section.
    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(!html.contains("What drives the risk"));
}

#[test]
fn pngs_decode_at_least_1000_by_600_and_svgs_are_svg() {
    let dir = synthetic_run();
    let written = draw_run(dir.path(), &PlotOptions::default()).expect("synthetic run draws");
    for path in &written {
        match path.extension().and_then(|e| e.to_str()) {
            Some("png") => {
                let image = image::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                assert!(
                    image.width() >= 1000 && image.height() >= 600,
                    "{} is {}×{}",
                    path.display(),
                    image.width(),
                    image.height()
                );
            }
            Some("svg") => {
                let text = fs::read_to_string(path).unwrap();
                assert!(
                    text.contains("<svg") && text.trim_end().ends_with("</svg>"),
                    "{}",
                    path.display()
                );
            }
            _ => {}
        }
    }
}

/// Whether a pixel is ink: darker than the light greys of the charts' backgrounds.
fn ink(p: &image::Rgba<u8>) -> bool {
    p.0[..3].iter().map(|&c| u32::from(c)).sum::<u32>() < 3 * 160
}

#[test]
fn a_png_chart_is_its_svg_drawn_with_a_chinese_title() {
    let dir = synthetic_run();
    draw_run(dir.path(), &PlotOptions::default()).expect("synthetic run draws");
    let svg = fs::read_to_string(dir.path().join("plots/fan_alpha_primary.svg")).unwrap();
    let title = svg
        .split("<text")
        .nth(1)
        .and_then(|t| t.split('>').nth(1))
        .and_then(|t| t.split('<').next())
        .unwrap()
        .trim();
    assert!(title.starts_with("甲区 Alpha"), "{title}");
    assert!(
        title.contains("公办学位需求") && title.contains("Demand"),
        "{title}"
    );
    // The title's first characters, 甲区, sit at the top left of the PNG: ink there, and
    // none in the margin above it.
    let png = image::open(dir.path().join("plots/fan_alpha_primary.png"))
        .unwrap()
        .to_rgba8();
    let count = |xs: std::ops::Range<u32>, ys: std::ops::Range<u32>| {
        let ys = &ys;
        xs.flat_map(|x| ys.clone().map(move |y| (x, y)))
            .filter(|&(x, y)| ink(png.get_pixel(x, y)))
            .count()
    };
    assert!(count(20..58, 14..40) > 40, "the Chinese title is drawn");
    assert_eq!(count(0..400, 0..8), 0, "nothing above the title");
}

#[test]
fn the_tornado_is_drawn_from_tornado_csv_with_its_zero_bars_dropped() {
    let dir = synthetic_run();
    let csv = "stage,year,input,label_zh,label_en,low_value,high_value,shortfall_low,shortfall_high,change\n\
        primary,2021,trend,流动人口趋势,Migration trend,0.6,0.9,100,400,300\n\
        primary,2021,births,出生人数指数,Births index,0.8,0.9,100,100,0\n\
        senior,2021,births,出生人数指数,Births index,0.8,0.9,100,100,0\n";
    fs::write(dir.path().join("tornado.csv"), csv).unwrap();
    let written = draw_run(dir.path(), &PlotOptions::default()).expect("synthetic run draws");
    let names: Vec<String> = written
        .iter()
        .filter_map(|p| p.file_name()?.to_str().map(str::to_string))
        .filter(|n| n.starts_with("tornado_"))
        .collect();
    // Senior changes nothing: no chart.
    assert_eq!(names, ["tornado_primary.png", "tornado_primary.svg"]);
    let svg = fs::read_to_string(dir.path().join("plots/tornado_primary.svg")).unwrap();
    assert!(
        svg.contains("流动人口趋势") && svg.contains("+300"),
        "{svg}"
    );
    assert!(!svg.contains("出生人数指数"), "the zero bar is dropped");
}

#[test]
fn svg_and_report_show_chinese_names_png_labels_do_not_need_them() {
    let dir = synthetic_run();
    draw_run(dir.path(), &PlotOptions::default()).expect("synthetic run draws");
    let fan = fs::read_to_string(dir.path().join("plots/fan_alpha_primary.svg")).unwrap();
    assert!(fan.contains("甲区 Alpha"), "SVG title shows both names");
    let map = fs::read_to_string(
        dir.path()
            .join(format!("plots/map_p_shortfall_primary_{WORST}.svg")),
    )
    .unwrap();
    assert!(
        map.contains("新区") && map.contains("丙区"),
        "zone and district without data are named"
    );
    assert!(
        map.contains("Gamma"),
        "the district without a map feature is listed"
    );
    let report = fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(report.contains("<meta charset=\"utf-8\">") && report.contains("乙区 Beta"));
}

#[test]
fn report_links_only_within_itself_and_loads_nothing_from_beside_it() {
    let dir = synthetic_run();
    let options = PlotOptions {
        map_year: Some(2022),
        report_fan_charts: 2,
    };
    draw_run(dir.path(), &options).expect("synthetic run draws");
    let report = fs::read_to_string(dir.path().join("report.html")).unwrap();
    let links = links(&report);
    assert!(links.len() >= 5, "a contents list: {links:?}");
    for link in &links {
        let id = link
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("{link} leaves the page (breaks when mailed alone)"));
        assert!(
            report.contains(&format!("id=\"{id}\"")),
            "#{id} leads nowhere"
        );
    }
    assert!(
        report.contains("2022 年各区缺口概率"),
        "the map of the year asked for"
    );
    let fan_sections = report.split("id=\"fans\"").nth(1).unwrap();
    let fan_sections = fan_sections.split("<h2").next().unwrap();
    assert_eq!(
        fan_sections.matches("<figure>").count(),
        2,
        "report_fan_charts is honoured"
    );
}

#[test]
fn run_without_map_draws_everything_else() {
    let dir = synthetic_run();
    let run_json = RUN_JSON.replace("\"map\":\"map.geojson\"", "\"map\":null");
    fs::write(dir.path().join("run.json"), run_json).unwrap();
    fs::remove_file(dir.path().join("map.geojson")).unwrap();
    let written = draw_run(dir.path(), &PlotOptions::default()).expect("run without map draws");
    let mut expected = expected_files(WORST);
    expected.retain(|p| !p.to_string_lossy().contains("map_"));
    let relative: BTreeSet<PathBuf> = written
        .iter()
        .map(|p| p.strip_prefix(dir.path()).unwrap().to_path_buf())
        .collect();
    assert_eq!(relative, expected);
}

#[test]
fn missing_summary_csv_is_an_error_naming_the_file() {
    let dir = synthetic_run();
    fs::remove_file(dir.path().join("summary.csv")).unwrap();
    let err = draw_run(dir.path(), &PlotOptions::default()).unwrap_err();
    assert!(matches!(err, PlotError::Read { .. }), "{err:?}");
    assert!(err.to_string().contains("summary.csv"), "{err}");
}

#[test]
fn garbled_summary_csv_is_an_error_naming_file_and_line() {
    let dir = synthetic_run();
    let path = dir.path().join("summary.csv");
    fs::write(&path, "district;stage;year\nalpha;primary;2020\n").unwrap();
    let err = draw_run(dir.path(), &PlotOptions::default()).unwrap_err();
    assert!(
        err.to_string().contains("summary.csv:1") && err.to_string().contains("column"),
        "{err}"
    );

    let good = fs::read_to_string(dir.path().join("risk.csv")).unwrap();
    let header = "district,stage,year,metric,mean,sd,p05,p25,p50,p75,p95\n";
    fs::write(
        &path,
        format!("{header}alpha,primary,2020,demand,1,1,1,1,many,1,1\n"),
    )
    .unwrap();
    let err = draw_run(dir.path(), &PlotOptions::default()).unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("summary.csv:2") && message.contains("p50"),
        "{message}"
    );

    fs::write(
        &path,
        format!("{header}nowhere,primary,2020,demand,1,1,1,1,1,1,1\n"),
    )
    .unwrap();
    let message = draw_run(dir.path(), &PlotOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("summary.csv:2") && message.contains("nowhere"),
        "{message}"
    );
    assert!(!good.is_empty());
}

#[test]
fn bad_risk_json_and_map_are_errors_naming_the_file() {
    let dir = synthetic_run();
    let risk = fs::read_to_string(dir.path().join("risk.csv")).unwrap();
    fs::write(
        dir.path().join("risk.csv"),
        risk.replacen(",green", ",purple", 1),
    )
    .unwrap();
    let message = draw_run(dir.path(), &PlotOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("risk.csv:") && message.contains("purple"),
        "{message}"
    );

    write_run(dir.path());
    fs::write(
        dir.path().join("map.geojson"),
        "{\"type\":\"FeatureCollection\"}",
    )
    .unwrap();
    let message = draw_run(dir.path(), &PlotOptions::default())
        .unwrap_err()
        .to_string();
    assert!(message.contains("map.geojson"), "{message}");

    write_run(dir.path());
    fs::write(dir.path().join("run.json"), "{\"scenario\": 3}").unwrap();
    let message = draw_run(dir.path(), &PlotOptions::default())
        .unwrap_err()
        .to_string();
    assert!(message.contains("run.json"), "{message}");

    write_run(dir.path());
    let options = PlotOptions {
        map_year: Some(2040),
        report_fan_charts: 0,
    };
    let message = draw_run(dir.path(), &options).unwrap_err().to_string();
    assert!(
        message.contains("run.json") && message.contains("2040"),
        "{message}"
    );
}
