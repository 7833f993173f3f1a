//! The results: one row per measurement, with its target and whether it was met, printed
//! as Markdown with the machine, its speed, date, commit and command that produced them.

use crate::host::HostSpeed;
use crate::stats::{Summary, ms};
use std::fmt::Write as _;
use std::process::Command;
use std::time::Duration;

/// One line of a results table.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub(crate) backend: &'static str,
    pub(crate) what: String,
    /// Requests measured, or the size of a one-off operation.
    pub(crate) count: usize,
    pub(crate) median: String,
    pub(crate) p99: String,
    pub(crate) throughput: String,
    pub(crate) target: String,
    pub(crate) met: Option<bool>,
    /// The issue sets this target for SQLite only ("SQLite unless stated"); other backends
    /// are judged against it for comparison, and the report says so.
    pub(crate) sqlite_only: bool,
}

impl Row {
    /// A row for a latency distribution.
    pub(crate) fn latency(backend: &'static str, what: impl Into<String>, summary: Summary) -> Self {
        Row {
            backend,
            what: what.into(),
            count: summary.count,
            median: ms(summary.median),
            p99: ms(summary.p99),
            throughput: format!("{:.0}/s", summary.per_second),
            target: String::new(),
            met: None,
            sqlite_only: false,
        }
    }

    /// A row for one operation of `count` items that took `wall`.
    pub(crate) fn once(backend: &'static str, what: impl Into<String>, count: usize, wall: Duration) -> Self {
        let secs = wall.as_secs_f64();
        Row {
            backend,
            what: what.into(),
            count,
            median: format!("{secs:.2} s total"),
            p99: String::new(),
            throughput: if secs > 0.0 {
                format!("{:.0}/s", count as f64 / secs)
            } else {
                String::new()
            },
            target: String::new(),
            met: None,
            sqlite_only: false,
        }
    }

    /// A row holding just a value, such as memory.
    pub(crate) fn value(backend: &'static str, what: impl Into<String>, value: String) -> Self {
        Row {
            backend,
            what: what.into(),
            count: 0,
            median: value,
            p99: String::new(),
            throughput: String::new(),
            target: String::new(),
            met: None,
            sqlite_only: false,
        }
    }

    pub(crate) fn target(mut self, target: impl Into<String>, met: bool) -> Self {
        self.target = target.into();
        self.met = Some(met);
        self
    }

    /// Like [`Row::target`], for a target the issue sets for SQLite only.
    pub(crate) fn sqlite_target(self, target: impl Into<String>, met: bool) -> Self {
        Row {
            sqlite_only: true,
            ..self.target(target, met)
        }
    }
}

/// The whole report as Markdown.
pub(crate) fn markdown(rows: &[Row], command: &str, host: &HostSpeed) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "- Machine: {}", machine());
    let _ = writeln!(out, "- Host speed: {}", host.describe());
    let _ = writeln!(out, "- Date: {}", date());
    let _ = writeln!(out, "- Commit: {}", commit());
    let _ = writeln!(out, "- Command: `{command}`");
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "| Backend | Measurement | n | median (ms) | p99 (ms) | throughput | target | met |"
    );
    let _ = writeln!(out, "|---|---|---:|---:|---:|---:|---|---|");
    for row in rows {
        let borrowed = row.sqlite_only && row.backend != "SQLite";
        let met = match (row.met, borrowed) {
            (Some(true), _) => "yes",
            (Some(false), false) => "**no**",
            (Some(false), true) => "no (SQLite's target)",
            (None, _) => "",
        };
        let target = if borrowed {
            format!("{} (SQLite's)", row.target)
        } else {
            row.target.clone()
        };
        let count = if row.count == 0 {
            String::new()
        } else {
            row.count.to_string()
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            row.backend, row.what, count, row.median, row.p99, row.throughput, target, met
        );
    }
    out
}

fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|line| line.strip_prefix("model name"))
        .map(|rest| rest.trim_start_matches([' ', '\t', ':']).to_owned())
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_gib = meminfo
        .lines()
        .find_map(|line| line.strip_prefix("MemTotal:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0 / 1024.0);
    format!("{model}, {cores} cores, {mem_gib:.0} GiB RAM, {}", std::env::consts::OS)
}

fn date() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!("{:04}-{:02}-{:02}", now.year(), u8::from(now.month()), now.day())
}

fn commit() -> String {
    let run = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|out| out.status.success())
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    };
    let head = run(&["rev-parse", "--short", "HEAD"]).unwrap_or_else(|| "unknown".into());
    let dirty = run(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    if dirty {
        format!("{head} plus uncommitted changes")
    } else {
        head
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_set_for_sqlite_only_is_marked_as_such_on_other_backends() {
        let row = |backend| Row::value(backend, "peak", "160 MB".into()).sqlite_target("≤ 150 MB", false);
        let own = Row::value("PostgreSQL", "bulk", "5 s".into()).target("≤ 4 s", false);
        let report = markdown(&[row("SQLite"), row("PostgreSQL"), own], "bench", &host());
        let lines: Vec<&str> = report
            .lines()
            .filter(|line| line.starts_with("| SQLite |") || line.starts_with("| PostgreSQL |"))
            .collect();
        assert!(lines[0].ends_with("| ≤ 150 MB | **no** |"), "{}", lines[0]);
        assert!(
            lines[1].ends_with("| ≤ 150 MB (SQLite's) | no (SQLite's target) |"),
            "{}",
            lines[1]
        );
        assert!(lines[2].ends_with("| ≤ 4 s | **no** |"), "{}", lines[2]);
    }

    #[test]
    fn the_header_gives_the_hosts_speed() {
        let report = markdown(&[], "bench", &host());
        let line = report
            .lines()
            .find(|line| line.starts_with("- Host speed:"))
            .unwrap_or_default();
        assert!(line.contains("one Argon2id hash 16.00 ms (fastest of 15)"), "{report}");
        assert!(line.contains("72 KiB") && line.contains("median 0.450 ms"), "{report}");
    }

    fn host() -> HostSpeed {
        HostSpeed {
            one_hash: Duration::from_millis(16),
            sync: Duration::from_micros(450),
        }
    }
}
