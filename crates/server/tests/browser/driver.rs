//! A small W3C WebDriver client: starts Debian's `chromedriver` on a free port, opens a
//! headless Chromium session with a fresh profile, and offers the few commands the tests
//! use (navigate, find, click, type, read, screenshot, cookies). Every wait is a bounded
//! poll; nothing sleeps for time to pass.

use base64::Engine;
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a wait for an element or a page may take before the test fails.
pub(crate) const WAIT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(50);
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
const HOW_TO_INSTALL: &str = "install them with `apt-get install -y chromium chromium-driver` (as `.ci/run` does), \
     or point CHROMEDRIVER and CHROMIUM at the binaries";

/// The Chromium flags for a closed network: no background traffic, no sandbox as root.
const CHROMIUM_ARGS: [&str; 10] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,1000",
];

/// An element found on the current page.
#[derive(Debug, Clone)]
pub(crate) struct Element(String);

/// A running chromedriver with one Chromium session.
#[derive(Debug)]
pub(crate) struct Driver {
    chromedriver: Child,
    base: String,
    session: String,
    http: reqwest::Client,
    quit: bool,
    profile: tempfile::TempDir,
}

/// Finds a program by the environment variable naming it, else on `PATH`.
fn program(variable: &str, name: &str) -> PathBuf {
    if let Some(path) = std::env::var_os(variable) {
        return PathBuf::from(path);
    }
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    });
    found.unwrap_or_else(|| panic!("the browser tests need `{name}`, which is not installed: {HOW_TO_INSTALL}"))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Driver {
    /// Starts chromedriver and a headless Chromium whose browser asks for pages in
    /// `accept_language` (an `Accept-Language` value such as `en` or `nl-NL,nl`).
    pub(crate) async fn start(accept_language: &str) -> Driver {
        let chromedriver = program("CHROMEDRIVER", "chromedriver");
        let chromium = program("CHROMIUM", "chromium");
        let port = free_port();
        let child = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("could not start {}: {e}; {HOW_TO_INSTALL}", chromedriver.display()));
        let profile = tempfile::tempdir().unwrap();
        let mut driver = Driver {
            chromedriver: child,
            base: format!("http://127.0.0.1:{port}"),
            session: String::new(),
            http: reqwest::Client::new(),
            quit: false,
            profile,
        };
        driver.wait_until_ready().await;
        let mut args: Vec<String> = CHROMIUM_ARGS.iter().map(|a| (*a).to_owned()).collect();
        args.push(format!("--user-data-dir={}", driver.profile.path().display()));
        let downloads = driver.downloads();
        std::fs::create_dir_all(&downloads).unwrap();
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": args,
                "prefs": {
                    "intl.accept_languages": accept_language,
                    "download.default_directory": downloads,
                    "download.prompt_for_download": false,
                },
            },
        }}});
        let created = driver
            .command(reqwest::Method::POST, "/session", Some(capabilities))
            .await;
        let created = created.unwrap_or_else(|e| panic!("chromedriver could not start Chromium: {e}"));
        driver.session = created["sessionId"].as_str().expect("a session id").to_owned();
        let allow = json!({"cmd": "Browser.setDownloadBehavior",
            "params": {"behavior": "allow", "downloadPath": downloads}});
        driver
            .must(reqwest::Method::POST, "/goog/cdp/execute", Some(allow))
            .await;
        driver
    }

    /// The folder the browser saves downloads in.
    fn downloads(&self) -> PathBuf {
        self.profile.path().join("downloads")
    }

    /// Waits until the browser has finished downloading a file of this name, and reads it.
    pub(crate) async fn downloaded(&self, name: &str) -> String {
        let file = self.downloads().join(name);
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(text) = std::fs::read_to_string(&file) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "the browser did not download {name} within {WAIT:?}"
            );
            tokio::time::sleep(POLL).await;
        }
    }

    async fn wait_until_ready(&self) {
        let deadline = Instant::now() + WAIT;
        loop {
            let status = self.http.get(format!("{}/status", self.base)).send().await;
            if let Ok(response) = status
                && let Ok(body) = response.json::<Value>().await
                && body["value"]["ready"] == json!(true)
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not become ready within {WAIT:?}"
            );
            tokio::time::sleep(POLL).await;
        }
    }

    /// Sends one WebDriver command; `Err` carries the WebDriver error and message.
    async fn command(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Result<Value, String> {
        let url = format!("{}{path}", self.base);
        let request = self.http.request(method, url);
        let request = match body {
            Some(body) => request.json(&body),
            None => request,
        };
        let response = request.send().await.map_err(|e| format!("chromedriver is gone: {e}"))?;
        let ok = response.status().is_success();
        let body: Value = response
            .json()
            .await
            .map_err(|e| format!("chromedriver answered garbage: {e}"))?;
        if ok {
            Ok(body["value"].clone())
        } else {
            Err(format!("{}: {}", body["value"]["error"], body["value"]["message"]))
        }
    }

    async fn session_command(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Result<Value, String> {
        self.command(method, &format!("/session/{}{path}", self.session), body)
            .await
    }

    async fn must(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let what = format!("{method} {path}");
        self.session_command(method, path, body)
            .await
            .unwrap_or_else(|e| panic!("WebDriver {what} failed: {e}"))
    }

    pub(crate) async fn goto(&self, url: &str) {
        self.must(reqwest::Method::POST, "/url", Some(json!({ "url": url })))
            .await;
    }

    pub(crate) async fn current_url(&self) -> String {
        let url = self.must(reqwest::Method::GET, "/url", None).await;
        url.as_str().unwrap_or_default().to_owned()
    }

    pub(crate) async fn source(&self) -> String {
        let html = self.must(reqwest::Method::GET, "/source", None).await;
        html.as_str().unwrap_or_default().to_owned()
    }

    /// The elements matching a CSS selector now (none is not an error).
    pub(crate) async fn find_all(&self, css: &str) -> Vec<Element> {
        let body = json!({"using": "css selector", "value": css});
        let found = self.must(reqwest::Method::POST, "/elements", Some(body)).await;
        found
            .as_array()
            .map(|all| {
                all.iter()
                    .filter_map(|e| e[ELEMENT_KEY].as_str())
                    .map(|id| Element(id.to_owned()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Waits for an element matching a CSS selector, failing with the page's address
    /// and source after [`WAIT`].
    pub(crate) async fn wait_for(&self, css: &str) -> Element {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(element) = self.find_all(css).await.into_iter().next() {
                return element;
            }
            if Instant::now() >= deadline {
                let url = self.current_url().await;
                let source = self.source().await;
                panic!("no element `{css}` appeared within {WAIT:?} on {url}:\n{source}");
            }
            tokio::time::sleep(POLL).await;
        }
    }

    pub(crate) async fn click(&self, element: &Element) {
        self.must(
            reqwest::Method::POST,
            &format!("/element/{}/click", element.0),
            Some(json!({})),
        )
        .await;
    }

    /// Replaces the value of an input with this text.
    pub(crate) async fn type_into(&self, element: &Element, text: &str) {
        self.must(
            reqwest::Method::POST,
            &format!("/element/{}/clear", element.0),
            Some(json!({})),
        )
        .await;
        let keys = json!({ "text": text });
        self.must(
            reqwest::Method::POST,
            &format!("/element/{}/value", element.0),
            Some(keys),
        )
        .await;
    }

    /// The rendered text of the first element matching a CSS selector, found again if the
    /// page changed under it.
    pub(crate) async fn text_of(&self, css: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let element = self.wait_for(css).await;
            let path = format!("/element/{}/text", element.0);
            match self.session_command(reqwest::Method::GET, &path, None).await {
                Ok(text) => return text.as_str().unwrap_or_default().to_owned(),
                Err(error) if error.contains("stale element") && Instant::now() < deadline => continue,
                Err(error) => panic!("WebDriver could not read the text of `{css}`: {error}"),
            }
        }
    }

    /// The rendered text of an element.
    pub(crate) async fn text(&self, element: &Element) -> String {
        let text = self
            .must(reqwest::Method::GET, &format!("/element/{}/text", element.0), None)
            .await;
        text.as_str().unwrap_or_default().to_owned()
    }

    /// A DOM property (`value`, `checked`, `href`, …) of an element.
    pub(crate) async fn property(&self, element: &Element, name: &str) -> Value {
        self.must(
            reqwest::Method::GET,
            &format!("/element/{}/property/{name}", element.0),
            None,
        )
        .await
    }

    /// An HTML attribute of an element, if it has it.
    pub(crate) async fn attribute(&self, element: &Element, name: &str) -> Option<String> {
        let path = format!("/element/{}/attribute/{name}", element.0);
        let value = self.must(reqwest::Method::GET, &path, None).await;
        value.as_str().map(str::to_owned)
    }

    /// The value of a cookie of the current page's site, HttpOnly ones included.
    pub(crate) async fn cookie(&self, name: &str) -> Option<String> {
        let cookie = self
            .session_command(reqwest::Method::GET, &format!("/cookie/{name}"), None)
            .await;
        cookie.ok().and_then(|c| c["value"].as_str().map(str::to_owned))
    }

    /// A Chrome DevTools command, through chromedriver.
    async fn cdp(&self, cmd: &str, params: Value) -> Value {
        let body = json!({ "cmd": cmd, "params": params });
        self.must(reqwest::Method::POST, "/goog/cdp/execute", Some(body)).await
    }

    /// A PNG of the whole page, not only the part in the window.
    pub(crate) async fn screenshot(&self) -> Vec<u8> {
        let metrics = self.cdp("Page.getLayoutMetrics", json!({})).await;
        let size = &metrics["cssContentSize"];
        let clip = json!({"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1});
        let params = json!({"format": "png", "captureBeyondViewport": true, "clip": clip});
        let shot = self.cdp("Page.captureScreenshot", params).await;
        base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().unwrap_or_default())
            .expect("a base64 PNG")
    }

    /// Closes Chromium and stops chromedriver.
    pub(crate) async fn quit(mut self) {
        let _ = self.session_command(reqwest::Method::DELETE, "", None).await;
        self.quit = true;
    }
}

impl Drop for Driver {
    /// Closes the session even when a test panicked (a plain blocking request, since no
    /// async runtime can be used here), then stops chromedriver.
    fn drop(&mut self) {
        if !self.quit && !self.session.is_empty() {
            delete_session_blocking(&self.base, &self.session);
        }
        let _ = self.chromedriver.kill();
        let _ = self.chromedriver.wait();
    }
}

fn delete_session_blocking(base: &str, session: &str) {
    let address = base.trim_start_matches("http://");
    let Ok(mut stream) = TcpStream::connect(address) else {
        return;
    };
    let _ = stream.set_read_timeout(Some(WAIT));
    let request = format!(
        "DELETE /session/{session} HTTP/1.1\r\nHost: {address}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    if stream.write_all(request.as_bytes()).is_ok() {
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
    }
}
