//! Running the built `roster` binary from tests: a command that inherits no `ROSTER_*`
//! setting, its output as text, and what a child prints (for `roster serve` or a helper
//! server): its stdout is drained on a thread, so the child never blocks on a full pipe,
//! and read here line by line until the line a test waits for.
#![allow(dead_code)] // each test binary uses its part

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output};
use std::sync::mpsc;
use std::time::Duration;

/// The built `roster` binary with no `ROSTER_*` variable inherited from the test's
/// environment, so it uses only the settings a test gives it.
pub(crate) fn roster() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_roster"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("ROSTER_") {
            command.env_remove(key);
        }
    }
    command
}

/// Runs `roster <args>` to the end.
pub(crate) fn run_roster(args: &[&str]) -> Output {
    roster().args(args).output().expect("the roster binary runs")
}

/// Output bytes as text (lossily).
pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Reads the child's stdout until a line matches; returns it with the lines before it, or
/// `None` when the child goes quiet for `patience` (or ends) first.
pub(crate) fn read_until(
    child: &mut Child,
    patience: Duration,
    matches: impl Fn(&str) -> bool,
) -> Option<(String, Vec<String>)> {
    let stdout = child.stdout.take()?;
    let (lines_tx, lines_rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut before = Vec::new();
    loop {
        let line = lines_rx.recv_timeout(patience).ok()?;
        if matches(&line) {
            return Some((line, before));
        }
        before.push(line);
    }
}

/// The base URL `roster serve` prints once it listens (`Roster is listening on …`).
pub(crate) fn listening_address(child: &mut Child, patience: Duration) -> Option<String> {
    let (line, _) = read_until(child, patience, |line| line.starts_with("Roster is listening on "))?;
    Some(line.trim_start_matches("Roster is listening on ").trim().to_owned())
}
