//! `seatsim serve` over real HTTP: the scenario's contents, a what-if that drops a
//! school, hostile requests refused while the server keeps serving, identical answers to
//! identical concurrent requests, and the saved what-if giving `run`'s numbers.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

use crate::support::{read_rows, Fixture};

mod webdriver;

/// A running `seatsim serve`, stopped when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    /// Serves `scenario` on a free loopback port, read from the URL it prints.
    fn start(fx: &Fixture, scenario: &str) -> Server {
        let scenario = fx.path(scenario);
        let mut child = Command::new(env!("CARGO_BIN_EXE_seatsim"))
            .arg("serve")
            .arg(scenario)
            .args(["--port", "0", "--trials", "50"])
            .current_dir(fx.dir.path())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("no URL in {line:?}"))
            .to_string();
        assert!(addr.starts_with("127.0.0.1:"), "{addr}");
        Server { child, addr }
    }

    /// Sends a raw HTTP/1.0 request (so the answer is never chunked); returns the status and the
    /// body.
    fn send(&self, head: &str, body: &[u8]) -> (u16, String) {
        self.send_as("", head, body)
    }

    /// [`Server::send`] with the extra header lines `headers` (each ending in CRLF).
    fn send_as(&self, headers: &str, head: &str, body: &[u8]) -> (u16, String) {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        let request = format!(
            "{head} HTTP/1.0\r\nHost: x\r\n{headers}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        stream.write_all(request.as_bytes()).unwrap();
        // The server may answer (413) before reading a large body and close: not an error.
        let _ = stream.write_all(body);
        let mut reply = Vec::new();
        let _ = stream.read_to_end(&mut reply);
        let reply = String::from_utf8_lossy(&reply).into_owned();
        let status = reply
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no status in {reply:?}"));
        let body = reply.split_once("\r\n\r\n").map_or("", |(_, b)| b);
        (status, body.to_string())
    }

    /// `POST /api/whatif` with `body`.
    fn whatif(&self, body: &str) -> (u16, String) {
        self.send("POST /api/whatif", body.as_bytes())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The broken-corpus base with every project on time, so a dropped school's capacity is certain.
fn on_time() -> Fixture {
    let fx = Fixture::copy_of("tests/broken/base");
    let toml = std::fs::read_to_string(fx.path("scenario.toml")).unwrap();
    let delays = "on_time = 0.6\none_year = 0.25\ntwo_years = 0.1\nnever = 0.05";
    assert!(toml.contains(delays));
    std::fs::write(
        fx.path("scenario.toml"),
        toml.replace(delays, "on_time = 1.0"),
    )
    .unwrap();
    fx
}

/// The row of `rows` for a cell (and metric, for compare rows).
fn cell<'a>(rows: &'a Value, district: &str, year: i64, metric: Option<&str>) -> &'a Value {
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["district"] == district
                && r["stage"] == "primary"
                && r["year"] == year
                && metric.is_none_or(|m| r["metric"] == m)
        })
        .unwrap()
}

#[test]
fn the_api_lists_the_pipeline_and_a_dropped_school_loses_its_capacity() {
    let fx = on_time();
    let server = Server::start(&fx, "scenario.toml");
    let (status, body) = server.send("GET /api/scenario", b"");
    assert_eq!(status, 200, "{body}");
    let s: Value = serde_json::from_str(&body).unwrap();
    let p1 = s["projects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "s-p1")
        .unwrap();
    assert_eq!(p1["district"], "south");
    assert_eq!(p1["classes"], 36);
    assert_eq!(p1["kind"], "new");
    assert!(s["districts"][0]["name"].is_string() && s["years"][0] == 2020);

    let (status, body) =
        server.whatif(r#"{"trials": 40, "seed": 3, "changes": [{"drop": "s-p1"}]}"#);
    assert_eq!(status, 200, "{body}");
    let answer: Value = serde_json::from_str(&body).unwrap();
    // 36 classes of 45 from 2022, every project on time: exactly 1,620 seats in every trial.
    let lost = cell(&answer["compare"], "south", 2030, Some("capacity"));
    assert_eq!(
        (lost["p05"].as_f64(), lost["p95"].as_f64()),
        (Some(-1620.0), Some(-1620.0))
    );
    assert_eq!(
        cell(&answer["compare"], "north", 2030, Some("capacity"))["mean"],
        0.0
    );
    assert!(cell(&answer["risk"], "south", 2030, None)["p_shortfall"].is_number());

    // The report's fan chart of the what-if: the dropped school's district-stage, its seats
    // lower than the unchanged scenario's; no map without boundaries; a chart the run lacks.
    let chart =
        |query: &str, body: &str| server.send(&format!("POST /api/chart?{query}"), body.as_bytes());
    let drop = r#"{"trials": 40, "seed": 3, "changes": [{"drop": "s-p1"}]}"#;
    let fan = "kind=fan&district=south&stage=primary";
    let (status, dropped) = chart(fan, drop);
    assert_eq!(status, 200, "{dropped}");
    assert!(
        dropped.starts_with("<svg") && dropped.contains("South"),
        "{dropped:.300}"
    );
    let (status, unchanged) = chart(fan, r#"{"trials": 40, "seed": 3}"#);
    assert_eq!(status, 200);
    assert_ne!(dropped, unchanged);
    assert_eq!(chart("kind=map&stage=primary", drop).0, 404);
    assert_eq!(
        chart("kind=fan&district=nowhere&stage=primary", drop).0,
        404
    );

    let (status, page) = server.send("GET /", b"");
    assert_eq!(status, 200);
    assert!(page.contains("假设情景分析") && page.contains("/api/whatif"));
    assert!(!page.contains("<script src") && !page.contains("url(http"));
}

#[test]
fn hostile_requests_get_a_4xx_and_the_server_keeps_serving() {
    let fx = Fixture::copy_of("tests/broken/base");
    let server = Server::start(&fx, "scenario.toml");
    let (status, body) = server.whatif(r#"{"trials": 10, "changes": [{"drop": "s-p9"}]}"#);
    assert_eq!(status, 400);
    assert!(
        body.contains(r#"no project \"s-p9\" in the pipeline"#),
        "{body}"
    );
    let huge = format!(
        r#"{{"trials": 10, "changes": [{{"drop": "{}"}}]}}"#,
        "x".repeat(70_000)
    );
    let cases = [
        ("POST /api/whatif", huge.clone()),
        ("POST /api/whatif", r#"{"trials": 1000000000}"#.into()),
        ("POST /api/whatif", r#"{"trials": 0}"#.into()),
        (
            "POST /api/whatif",
            r#"{"trials": 10, "changes": [{"drop": "#.into(),
        ),
        (
            "POST /api/whatif",
            r#"{"trials": 10, "changes": [{"explode": "s-p1"}]}"#.into(),
        ),
        (
            "POST /api/whatif",
            r#"{"trials": 10, "changes": [{"drop": "../../etc/passwd"}]}"#.into(),
        ),
        (
            "POST /api/whatif",
            r#"{"trials": 10, "changes": [{"resize": "s-p1\u0000", "classes": 3}]}"#.into(),
        ),
        (
            "POST /api/whatif",
            r#"{"trials": 10, "changes": [{"set": "scenario.extends", "value": "/etc/passwd"}]}"#
                .into(),
        ),
        (
            "POST /api/whatif",
            r#"{"trials": 10, "changes": [{"set": "data.projects", "value": "../x.csv"}]}"#.into(),
        ),
        ("POST /api/save", huge),
        ("GET /../scenario.toml", String::new()),
        ("GET /projects.csv", String::new()),
        ("GET /api/whatif", String::new()),
        ("GET /api/chart?kind=fan", String::new()),
        (
            "POST /api/chart?kind=../../etc/passwd",
            r#"{"trials": 10}"#.into(),
        ),
        (
            "POST /api/chart?kind=fan&district=../north&stage=primary%00",
            r#"{"trials": 10}"#.into(),
        ),
    ];
    for (head, body) in &cases {
        let (status, answer) = server.send(head, body.as_bytes());
        assert!(
            (400..500).contains(&status),
            "{head} {:.80}: {status} {answer}",
            body
        );
        let (status, _) = server.send("GET /api/scenario", b"");
        assert_eq!(
            status, 200,
            "the server stopped serving after {head} {body:.80}"
        );
    }
}

#[test]
fn a_json_array_is_not_a_what_if_request_and_types_are_named_as_json_names_them() {
    // serde reads a struct from an array by position: `[10]` ran 10 trials with status 200.
    let fx = Fixture::copy_of("tests/broken/base");
    let server = Server::start(&fx, "scenario.toml");
    for body in ["[10]", " [10, 3, []]", "10", "\"x\""] {
        let (status, answer) = server.whatif(body);
        assert_eq!(status, 400, "{body}: {answer}");
        assert!(answer.contains("must be a JSON object"), "{body}: {answer}");
    }
    // Types are named as JSON names them, not as Rust does (u64, map, sequence).
    let cases = [
        (r#"{"trials": "10"}"#, "expected a whole number ≥ 0"),
        (
            r#"{"trials": 10, "changes": {}}"#,
            "invalid type: object, expected an array",
        ),
    ];
    for (body, expected) in cases {
        let (status, answer) = server.whatif(body);
        assert_eq!(status, 400, "{body}: {answer}");
        assert!(answer.contains(expected), "{body}: {answer}");
    }
}

#[test]
fn a_bad_what_if_gets_the_command_lines_message_in_one_line() {
    let fx = Fixture::copy_of("tests/broken/base");
    let server = Server::start(&fx, "scenario.toml");
    let cases = [
        (
            r#"[{"set": "births.index", "value": {"2020": 1, "2025": 1e300}}]"#,
            r#"scenario.toml: change #1 (set = "births.index"): births.index.2025 = 1e300: must be between 0 and 100"#,
        ),
        (
            r#"[{"resize": "c-kc", "classes": 1000}]"#,
            r#"scenario.toml: change #1 (resize = "c-kc"): closures in district centre stage kindergarten remove 1000 classes"#,
        ),
        // A projection that runs away is refused as `run` and `compare` refuse it, not answered
        // with sums that wrapped.
        (
            r#"[{"set": "migration.rate_scale", "value": 100}, {"set": "migration.trend", "value": 100}]"#,
            "in some trial, beyond the ±1e9 seatsim summarises exactly",
        ),
        (
            r#"[{"drop": "s-p1"}, {"delay": "s-p1", "years": 1}]"#,
            r#"scenario.toml: change #2 (delay = "s-p1"): no project "s-p1" in the pipeline: change #1 dropped it"#,
        ),
    ];
    for (changes, expected) in cases {
        let (status, answer) = server.whatif(&format!(r#"{{"trials": 10, "changes": {changes}}}"#));
        let message = serde_json::from_str::<Value>(&answer).unwrap()["error"].clone();
        let message = message.as_str().unwrap_or_default();
        assert_eq!(status, 400, "{changes}: {answer}");
        assert!(message.contains(expected), "{changes}: {message}");
        assert!(!message.contains('\n'), "{changes}: {message}");
    }
    // A seed a saved what-if could not hold as `[scenario] seed`.
    let (status, answer) = server.send(
        "POST /api/save",
        br#"{"trials": 10, "seed": 18446744073709551615}"#,
    );
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer.contains(
            "seed = 18446744073709551615: must be a whole number from 0 to 9223372036854775807"
        ),
        "{answer}"
    );
}

#[test]
fn identical_concurrent_what_ifs_answer_identical_rows() {
    let fx = Fixture::copy_of("tests/broken/base");
    let server = Server::start(&fx, "scenario.toml");
    let body = r#"{"trials": 60, "seed": 11, "changes": [{"delay": "s-p2", "years": 1}]}"#;
    let answers: Vec<(u16, String)> = std::thread::scope(|scope| {
        let runs: Vec<_> = (0..6)
            .map(|_| scope.spawn(|| server.whatif(body)))
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    });
    assert_eq!(answers[0].0, 200, "{}", answers[0].1);
    assert!(answers.iter().all(|a| a == &answers[0]));
}

#[test]
fn a_pages_new_what_if_cancels_its_run_under_way_and_not_another_pages() {
    let fx = Fixture::scenario("zhengzhou");
    let server = Server::start(&fx, "zhengzhou.toml");
    let long = br#"{"trials": 20000, "changes": []}"#;
    let short = br#"{"trials": 5, "changes": []}"#;
    let tab = |t: &str| format!("X-Seatsim-Client: {t}\r\n");
    let (first, other, second) = std::thread::scope(|scope| {
        let first = scope.spawn(|| server.send_as(&tab("a"), "POST /api/whatif", long));
        std::thread::sleep(std::time::Duration::from_millis(500));
        let other = scope.spawn(|| server.send_as(&tab("b"), "POST /api/whatif", short));
        let second = server.send_as(&tab("a"), "POST /api/whatif", short);
        (first.join().unwrap(), other.join().unwrap(), second)
    });
    assert_eq!(first.0, 409, "{}", first.1);
    assert!(first.1.contains("superseded"), "{}", first.1);
    assert_eq!((second.0, other.0), (200, 200));
}

#[test]
fn the_saved_what_if_runs_to_the_numbers_the_page_showed() {
    let fx = Fixture::copy_of("tests/broken/base");
    let server = Server::start(&fx, "scenario.toml");
    let body = r#"{"trials": 30, "seed": 9, "changes": [{"drop": "s-p1"}, {"resize": "s-p2", "classes": 30}, {"add": {"id": "w1", "name": "新学校 №1", "district": "north", "stage": "primary", "kind": "new", "classes": 24, "planned_year": 2025, "status": "planned"}}]}"#;
    let (status, saved) = server.send("POST /api/save", body.as_bytes());
    assert_eq!(status, 200, "{saved}");
    assert!(saved.contains("extends = \"scenario.toml\""), "{saved}");
    let (status, answer) = server.whatif(body);
    assert_eq!(status, 200, "{answer}");
    let answer: Value = serde_json::from_str(&answer).unwrap();

    std::fs::write(fx.path("what-if.toml"), saved).unwrap();
    let out = fx.run("what-if.toml", "out", &["--trials", "30", "--seed", "9"]);
    assert_rows_agree(&out.join("risk.csv"), &answer["risk"]);
}

/// Every row and field of the CSV file at `path` equals the JSON `shown` rows.
fn assert_rows_agree(path: &std::path::Path, shown: &Value) {
    let rows = read_rows(path);
    let page = shown.as_array().unwrap();
    assert_eq!(rows.len(), page.len());
    for (file, shown) in rows.iter().zip(page) {
        for (column, text) in file {
            let value = &shown[column.as_str()];
            let same = match value {
                Value::Null => text.is_empty(),
                Value::String(s) => s == text,
                Value::Number(n) => text.parse::<f64>().ok() == n.as_f64(),
                _ => false,
            };
            assert!(same, "{column}: file {text}, page {value}");
        }
    }
}

#[test]
fn headless_chromium_draws_the_page_with_chinese_names_and_the_difference_of_a_drop() {
    let fx = Fixture::scenario("zhengzhou");
    let server = Server::start(&fx, "zhengzhou.toml");
    let (_, body) = server.send("GET /api/scenario", b"");
    let s: Value = serde_json::from_str(&body).unwrap();
    let new = s["projects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "new")
        .unwrap();
    let changes = format!(
        "%5B%7B%22drop%22%3A%22{}%22%7D%5D",
        new["id"].as_str().unwrap()
    );
    let url = format!("http://{}/#trials=50&seed=1&changes={changes}", server.addr);
    let Some(browser) = ["chromium", "chromium-browser"]
        .into_iter()
        .find(|b| Command::new(b).arg("--version").output().is_ok())
    else {
        println!("SKIPPED: this test drives Debian's chromium (apt-get install chromium); .ci/run installs it");
        return;
    };
    let dom = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--virtual-time-budget=60000",
        ])
        .args(["--dump-dom", &url])
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.contains("中原区") && dom.contains("金水区"),
        "{dom:.2000}"
    );
    // The city chart, the heat table, and a difference table: the dropped school's stage moved.
    assert!(
        dom.contains("<polyline") && dom.contains("class=\"years heat\""),
        "{dom:.2000}"
    );
    assert!(
        dom.contains("class=\"years diff\""),
        "no difference shown: {dom:.3000}"
    );
    assert!(
        dom.contains("1 项变化 changes") && !dom.contains("class=\"bad\""),
        "{dom:.3000}"
    );
}

#[test]
fn in_a_real_browser_a_dropped_school_shows_its_difference_and_saves_to_the_pages_numbers() {
    let fx = Fixture::scenario("zhengzhou");
    let downloads = fx.path("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let Some(browser) = webdriver::Browser::start(1400, 1800, &downloads) else {
        return;
    };
    let server = Server::start(&fx, "zhengzhou.toml");
    browser.go(&format!("http://{}/", server.addr));
    // The unchanged page: its headline, map and fan chart, with no difference to show.
    let ready = "return document.getElementById('status').textContent.includes('0 项变化') \
                 && !!document.querySelector('#map-chart svg') && !!document.querySelector('#fan-chart svg')";
    browser.wait_for("the unchanged page and its charts", ready);
    assert!(browser
        .run("return document.getElementById('diff-body').textContent")
        .as_str()
        .unwrap()
        .contains("No difference"));
    let reference =
        "document.querySelector('#fan-chart svg').textContent.includes('原情景需求中位数')";
    assert_eq!(
        browser.run(&format!("return {reference}")),
        false,
        "nothing changed: no unchanged scenario's lines"
    );

    // Drop the first new school of the pipeline table with a click.
    let id = browser.run(
        "return [...document.querySelectorAll('[data-drop]')].map((e) => e.dataset.drop)\
         .find((id) => S.projects.find((p) => p.id === id).kind === 'new')",
    );
    let id = id.as_str().unwrap().to_string();
    browser.click(&format!("[data-drop='{id}']"));
    let project = browser.run(&format!("return S.projects.find((p) => p.id === '{id}')"));
    let district = project["district"].as_str().unwrap();
    let name = browser.run(&format!(
        "return S.districts.find((d) => d.id === '{district}').name"
    ));
    // The map and the fan chart turn to the dropped school's district and stage.
    let changed = format!(
        "return document.getElementById('status').textContent.includes('1 项变化') \
         && !!document.querySelector('table.diff') && view.district === '{district}' \
         && view.stage === '{}' && !!document.querySelector('#map-chart svg') \
         && (document.querySelector('#fan-chart svg') || {{ textContent: '' }}).textContent.includes({name}) \
         ? location.hash : null",
        project["stage"].as_str().unwrap()
    );
    let hash = browser.wait_for("the difference of the drop and its charts", &changed);
    assert!(
        hash.as_str().unwrap().contains(&id),
        "state in the URL: {hash}"
    );
    // The fan chart draws the unchanged scenario's lines beside the what-if's.
    browser.wait_for(
        "the unchanged scenario's lines",
        &format!("return {reference}"),
    );
    // A click on another district's name on the map chooses it for the fan chart.
    let other = browser.run(&format!(
        "return S.districts.find((d) => d.id !== '{district}' && [...document.querySelectorAll('#map-chart text')]\
         .some((t) => t.textContent.trim() === d.name))"
    ));
    browser.click_xpath(&format!(
        "//*[@id='map-chart']//*[local-name()='text' and normalize-space()={}]",
        other["name"]
    ));
    browser.wait_for(
        "the clicked district's fan chart",
        &format!(
            "return view.district === {} && location.hash.includes('district={}') \
             && document.querySelector('#fan-chart svg').textContent.includes({})",
            other["id"],
            other["id"].as_str().unwrap(),
            other["name"]
        ),
    );
    browser.click_xpath(&format!(
        "//*[@id='map-chart']//*[local-name()='text' and normalize-space()={name}]"
    ));
    browser.wait_for(
        "the dropped school's district again",
        &format!("return view.district === '{district}'"),
    );
    let shown = browser.run("return last");
    let (trials, seed) = (
        browser.run("return state.trials"),
        browser.run("return state.seed"),
    );

    // The bookmark restores the what-if: reload the URL and see the drop again.
    let url = browser.run("return location.href");
    browser.go("about:blank");
    browser.go(url.as_str().unwrap());
    let checked = format!(
        "return document.getElementById('status').textContent.includes('1 项变化') && \
         document.querySelector(\"[data-drop='{id}']\").checked && !!document.querySelector('table.diff')"
    );
    browser.wait_for("the bookmarked what-if", &checked);
    assert_eq!(
        browser.run("return last"),
        shown,
        "the reloaded page shows the same numbers"
    );

    // A second tab at once, with another what-if, leaves the first tab's alone.
    let first = browser.session("GET", "/window", None);
    let second = browser.session("POST", "/window/new", Some(json!({"type": "tab"})));
    browser.session("POST", "/window", Some(json!({"handle": second["handle"]})));
    browser.go(&format!(
        "http://{}/#trials={trials}&seed={seed}&changes=%5B%7B%22delay%22%3A%22{id}%22%2C%22years%22%3A2%7D%5D",
        server.addr
    ));
    browser.wait_for(
        "the second tab's what-if",
        "return document.getElementById('status').textContent.includes('1 项变化') \
         && !!document.querySelector('table.diff') && state.changes[0].delay",
    );
    assert_ne!(browser.run("return last"), shown);
    browser.session("POST", "/window", Some(json!({"handle": first})));
    assert_eq!(
        browser.run("return last"),
        shown,
        "the first tab is unchanged"
    );

    // Save, and run the saved file: the numbers the page showed.
    browser.click("#save");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let saved = loop {
        let done = std::fs::read_dir(&downloads)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "toml"));
        if let Some(path) = done {
            break path;
        }
        assert!(std::time::Instant::now() < deadline, "no download");
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let text = std::fs::read_to_string(&saved).unwrap();
    assert!(text.contains(&format!("drop = \"{id}\"")), "{text}");
    std::fs::write(fx.path("what-if.toml"), text).unwrap();
    let (trials, seed) = (trials.to_string(), seed.to_string());
    let out = fx.run(
        "what-if.toml",
        "out",
        &["--trials", &trials, "--seed", &seed],
    );
    assert_rows_agree(&out.join("risk.csv"), &shown["risk"]);
}
