//! The processes of the mail tests: the SMTP sink (from the virtual environment that
//! `scripts/smtp-sink/setup.sh` creates) and `roster serve` with SMTP pointed at it.

use reqwest::StatusCode;
use serde_json::{Value, json};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A port nothing listens on right now.
pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Polls `done` every 50 ms until it holds or `limit` passes.
pub(crate) fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "gave up waiting after {limit:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The virtual environment's Python, or a failure that says how to create it.
fn sink_python() -> PathBuf {
    let venv = std::env::var_os("ROSTER_SMTP_SINK_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target/smtp-sink-venv"));
    let python = venv.join("bin/python");
    let works = Command::new(&python)
        .args(["-c", "import aiosmtpd"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    assert!(
        works,
        "the mail tests need an SMTP server: aiosmtpd in the virtual environment {}. Create it with \
         `bash scripts/smtp-sink/setup.sh` (CI does), or set ROSTER_SMTP_SINK_VENV to one that has aiosmtpd 1.4.6.",
        venv.display()
    );
    python
}

/// A running SMTP sink that keeps every message it accepts as a file; killed on drop.
pub(crate) struct Sink {
    child: Child,
    pub(crate) port: u16,
    dir: PathBuf,
}

impl Sink {
    pub(crate) fn start(base: &Path, port: u16, hold: Option<&Path>) -> Sink {
        Sink::start_with(base, port, hold, &[])
    }

    /// A sink started with extra `sink.py` options (TLS, AUTH).
    pub(crate) fn start_with(base: &Path, port: u16, hold: Option<&Path>, options: &[&str]) -> Sink {
        let dir = base.join("received");
        let mut command = Command::new(sink_python());
        command
            .arg(workspace().join("scripts/smtp-sink/sink.py"))
            .args(["--port", &port.to_string(), "--dir"])
            .arg(&dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if let Some(hold) = hold {
            command.arg("--hold").arg(hold);
        }
        command.args(options);
        let mut sink = Sink {
            child: command.spawn().expect("the SMTP sink starts"),
            port,
            dir,
        };
        let first = first_line(&mut sink.child, |line| line.starts_with("listening on"));
        assert!(first.is_some(), "the SMTP sink did not start");
        sink
    }

    /// Every message received so far, oldest first.
    pub(crate) fn received(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut files: Vec<(u64, PathBuf)> = entries
            .flatten()
            .filter_map(|entry| {
                let path = entry.path();
                let number = path.file_stem()?.to_str()?.parse().ok()?;
                (path.extension()? == "eml").then_some((number, path))
            })
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|(_, path)| std::fs::read_to_string(path).unwrap())
            .collect()
    }

    /// Waits until `count` messages arrived.
    pub(crate) fn wait_for(&self, count: usize, limit: Duration) -> Vec<String> {
        wait_until(limit, || self.received().len() >= count);
        self.received()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads the child's stdout until a line matches (at most 60 s of silence).
fn first_line(child: &mut Child, matches: impl Fn(&str) -> bool) -> Option<String> {
    crate::process::read_until(child, Duration::from_secs(60), matches).map(|(line, _)| line)
}

/// An initialised directory for `contoso.com` on this binary's backend, and a Global
/// Administrator token.
pub(crate) struct Roster {
    /// The data directory (the database on SQLite; the outbox on both).
    data: PathBuf,
    /// The storage flags every `roster` command gets.
    flags: Vec<String>,
    token: String,
    _storage: crate::backend::Storage,
}

use crate::process::roster;

impl Roster {
    pub(crate) fn init(base: &Path) -> Roster {
        let data = base.join("data");
        let (flags, storage) = crate::backend::storage(&data);
        let init = roster()
            .args(["init", "--domain", "contoso.com", "--organization", "Contoso"])
            .args(&flags)
            .output()
            .unwrap();
        assert!(init.status.success(), "{}", String::from_utf8_lossy(&init.stderr));
        let issued = roster()
            .args(["token", "issue", "--role", "Global Administrator"])
            .args(&flags)
            .output()
            .unwrap();
        assert!(issued.status.success(), "{}", String::from_utf8_lossy(&issued.stderr));
        let token = String::from_utf8(issued.stdout).unwrap().trim().to_owned();
        Roster {
            data,
            flags,
            token,
            _storage: storage,
        }
    }

    /// `roster serve` delivering over plain SMTP to 127.0.0.1:`port`, with short timeouts,
    /// a one-second back-off and a one-second mail interval.
    pub(crate) fn serve(&self, port: u16) -> Server {
        let mut command = roster();
        command
            .env("ROSTER_SMTP_HOST", "127.0.0.1")
            .env("ROSTER_SMTP_PORT", port.to_string())
            .env("ROSTER_SMTP_TLS", "none")
            .env("ROSTER_SMTP_TIMEOUT", "1s")
            .env("ROSTER_SMTP_RETRY", "1s");
        self.serve_with(command)
    }

    /// `roster serve` without SMTP: mail goes to `<data dir>/outbox`.
    pub(crate) fn serve_without_smtp(&self) -> Server {
        self.serve_with(roster())
    }

    pub(crate) fn data(&self) -> &Path {
        &self.data
    }

    /// Runs `roster <args>` with the storage flags and returns its standard output, or its
    /// error.
    pub(crate) fn run(&self, args: &[&str]) -> Result<String, String> {
        let output = roster().args(args).args(&self.flags).output().unwrap();
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout).into_owned())
        } else {
            Err(String::from_utf8_lossy(&output.stderr).into_owned())
        }
    }

    fn serve_with(&self, mut command: Command) -> Server {
        let log = std::fs::File::create(self.data.with_extension(format!("{}.log", free_port()))).unwrap();
        let mut child = command
            .args(["serve", "--listen", "127.0.0.1:0", "--mail-interval", "1s"])
            .args(&self.flags)
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("roster serve starts");
        let line = first_line(&mut child, |line| line.starts_with("Roster is listening on http://"));
        let Some(address) = line.and_then(|l| l.strip_prefix("Roster is listening on ").map(str::to_owned)) else {
            let _ = child.kill();
            panic!("roster serve did not start");
        };
        Server {
            child,
            base: address,
            token: self.token.clone(),
            client: reqwest::Client::new(),
        }
    }
}

/// A running `roster serve`; killed (SIGKILL) on drop if still running.
pub(crate) struct Server {
    child: Child,
    base: String,
    token: String,
    client: reqwest::Client,
}

impl Server {
    /// The answer's status and JSON body.
    pub(crate) async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let (status, body) = self.send(method, path, body).await;
        assert!(status.is_success(), "{path}: {status} {body}");
        body
    }

    /// Creates `<name>@contoso.com` with two alternate addresses at home.example, deletes
    /// and restores it (which queues the notice); returns its id.
    pub(crate) async fn restore_new_user(&self, name: &str, language: Option<&str>) -> String {
        let mut display = name.to_owned();
        display[..1].make_ascii_uppercase();
        self.restore_new_user_named(name, &format!("{display} Test"), language)
            .await
    }

    /// Like [`Server::restore_new_user`], with this display name.
    pub(crate) async fn restore_new_user_named(&self, name: &str, display: &str, language: Option<&str>) -> String {
        let user = json!({
            "accountEnabled": true,
            "displayName": display,
            "mailNickname": name,
            "userPrincipalName": format!("{name}@contoso.com"),
            "passwordProfile": {"password": "a long enough passphrase"},
            "preferredLanguage": language,
            "otherMails": [format!("{name}@home.example"), format!("{name}.private@home.example")],
        });
        let created = self.call(reqwest::Method::POST, "/v1.0/users", Some(user)).await;
        let id = created["id"].as_str().unwrap().to_owned();
        self.call(reqwest::Method::DELETE, &format!("/v1.0/users/{id}"), None)
            .await;
        let path = format!("/v1.0/directory/deletedItems/{id}/restore");
        self.call(reqwest::Method::POST, &path, Some(json!({}))).await;
        id
    }

    pub(crate) async fn mail_log(&self) -> Value {
        self.call(reqwest::Method::GET, "/roster/v1/mail", None).await
    }

    /// Waits until the newest log entry satisfies `done`, and returns it.
    pub(crate) async fn wait_for_log(&self, limit: Duration, done: impl Fn(&Value) -> bool) -> Value {
        let start = Instant::now();
        loop {
            let log = self.mail_log().await;
            if done(&log["value"][0]) {
                return log["value"][0].clone();
            }
            assert!(start.elapsed() < limit, "gave up waiting; the log is {log}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub(crate) async fn audit_has_restore(&self, id: &str) -> bool {
        let audits = self
            .call(reqwest::Method::GET, "/v1.0/auditLogs/directoryAudits", None)
            .await;
        audits["value"].as_array().is_some_and(|events| {
            events
                .iter()
                .any(|e| e.to_string().contains(id) && e.to_string().contains("Restore user"))
        })
    }

    /// SIGKILL, as a crash would.
    pub(crate) fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Stops the server with SIGTERM and waits for it: its mail job finishes what it is
    /// sending first, so afterwards nothing more can arrive from it.
    pub(crate) fn stop(mut self) {
        let status = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "SIGTERM was delivered");
        let exit = self.child.wait().expect("the server exits");
        assert!(exit.success(), "the server stopped cleanly: {exit:?}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
