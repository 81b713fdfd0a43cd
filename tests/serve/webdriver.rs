//! A minimal W3C WebDriver client over a plain TCP stream, for the one test that drives the
//! page in headless Chromium through Debian's `chromedriver`. The protocol is a dozen JSON
//! requests; a client crate (fantoccini, thirtyfour) would bring tokio and hyper into the
//! test build for them.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The key W3C WebDriver names an element by in JSON.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A running `chromedriver` with one headless Chromium session; both end when dropped.
pub struct Browser {
    driver: Child,
    port: u16,
    session: String,
}

impl Browser {
    /// Starts `chromedriver` and a headless Chromium `width` × `height` pixels that saves
    /// downloads into `downloads`; `None` (after saying why) when either is not installed.
    pub fn start(width: u32, height: u32, downloads: &Path) -> Option<Browser> {
        let driver = ["chromedriver", "/usr/lib/chromium/chromedriver"]
            .into_iter()
            .find(|d| Command::new(d).arg("--version").output().is_ok());
        let browser = ["chromium", "chromium-browser"]
            .into_iter()
            .find(|b| Command::new(b).arg("--version").output().is_ok());
        let (Some(driver), Some(_)) = (driver, browser) else {
            println!(
                "SKIPPED: this test drives Debian's chromium through chromedriver \
                 (apt-get install chromium chromium-driver); .ci/run installs both"
            );
            return None;
        };
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap();
        let driver = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut browser = Browser {
            driver,
            port,
            session: String::new(),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while browser.call("GET", "/status", None).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", format!("--window-size={width},{height}")],
                "prefs": {"download.default_directory": downloads.to_str().unwrap(),
                          "download.prompt_for_download": false}
            }
        }}});
        let answer = browser
            .call("POST", "/session", Some(capabilities))
            .unwrap();
        browser.session = answer["sessionId"].as_str().unwrap().to_string();
        Some(browser)
    }

    /// A request to the session: `path` after `/session/<id>`; the answer's `value`.
    pub fn session(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let path = format!("/session/{}{path}", self.session);
        self.call(method, &path, body)
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    /// Loads `url`.
    pub fn go(&self, url: &str) {
        self.session("POST", "/url", Some(json!({ "url": url })));
    }

    /// Runs `script` (a function body) in the page and returns what it returns.
    pub fn run(&self, script: &str) -> Value {
        self.session(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
    }

    /// Waits up to a minute for `script` to return something other than `null` or `false`.
    pub fn wait_for(&self, what: &str, script: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let v = self.run(script);
            if !(v.is_null() || v == false) {
                return v;
            }
            assert!(Instant::now() < deadline, "gave up waiting for {what}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Clicks the element `css` selects, as a user would (scrolled into view first).
    pub fn click(&self, css: &str) {
        self.click_found("css selector", css);
    }

    /// Clicks the element `xpath` selects (which reaches inside an inline SVG), as a user would.
    pub fn click_xpath(&self, xpath: &str) {
        self.click_found("xpath", xpath);
    }

    /// Clicks the first element WebDriver's locator strategy `using` finds for `value`.
    fn click_found(&self, using: &str, value: &str) {
        let found = self.session(
            "POST",
            "/element",
            Some(json!({"using": using, "value": value})),
        );
        let id = found[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {value}: {found}"));
        self.session("POST", &format!("/element/{id}/click"), Some(json!({})));
    }

    /// One HTTP/1.1 request to chromedriver (which keeps the connection open, so its answer
    /// is read to its `Content-Length`); the answer's `value`, or its error message.
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).map_err(|e| e.to_string())?;
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            self.port,
            body.len()
        );
        (&stream)
            .write_all(format!("{head}{body}").as_bytes())
            .map_err(|e| e.to_string())?;
        let mut reader = BufReader::new(stream);
        let mut length = 0;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).map_err(|e| e.to_string())?;
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().map_err(|_| line.to_string())?;
                }
            }
        }
        let mut json = vec![0; length];
        reader.read_exact(&mut json).map_err(|e| e.to_string())?;
        let value: Value = serde_json::from_slice(&json).map_err(|e| e.to_string())?;
        match value["value"].get("error") {
            Some(error) => Err(format!("{error}: {}", value["value"]["message"])),
            None => Ok(value["value"].clone()),
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let path = format!("/session/{}", self.session);
            let _ = self.call("DELETE", &path, None);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
