//! The processes and stores a backup test uses: the `roster` binary, a running `roster
//! serve`, and fresh stores on SQLite (a data directory) or PostgreSQL (a database of
//! its own, dropped afterwards, with Roster in the schema `roster_bk`).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

/// The schema the PostgreSQL tests keep Roster in (the restore recreates it by name).
pub(crate) const PG_SCHEMA: &str = "roster_bk";

pub(crate) use crate::process::text;

/// `roster` with nothing inherited that would change which database it uses, nor its log.
pub(crate) fn roster_command() -> Command {
    let mut command = crate::process::roster();
    command.env_remove("RUST_LOG");
    command
}

pub(crate) fn roster(args: &[String]) -> Output {
    roster_command().args(args).output().expect("the roster binary runs")
}

/// Runs `roster` and expects success; returns its standard output.
pub(crate) fn roster_ok(args: &[String]) -> String {
    let output = roster(args);
    assert!(
        output.status.success(),
        "{args:?} failed: {}{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    text(&output.stdout)
}

/// Runs `roster` and expects failure; returns its standard error.
pub(crate) fn roster_fails(args: &[String]) -> String {
    let output = roster(args);
    assert!(!output.status.success(), "{args:?} succeeded: {}", text(&output.stdout));
    text(&output.stderr)
}

pub(crate) fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| (*item).to_owned()).collect()
}

/// The value of the first `prefix…` line of a command's output.
pub(crate) fn line_value(output: &str, prefix: &str) -> String {
    output
        .lines()
        .find_map(|line| line.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no '{prefix}' line in: {output}"))
        .to_owned()
}

/// Where one instance keeps its directory.
#[derive(Debug)]
pub(crate) enum Store {
    Sqlite { data_dir: PathBuf },
    Postgres { database: String, url: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backend {
    Sqlite,
    Postgres,
}

fn admin_url() -> String {
    std::env::var("ROSTER_TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

fn psql(database_url: &str, sql: &str) -> String {
    let output = Command::new("psql")
        .args([database_url, "-qAtc", sql])
        .output()
        .expect("psql runs");
    assert!(
        output.status.success(),
        "psql {sql}: {} (PostgreSQL must be reachable at ROSTER_TEST_DATABASE_URL)",
        text(&output.stderr)
    );
    text(&output.stdout).trim().to_owned()
}

impl Store {
    /// A fresh, empty store: `root/<name>` (not created), or a new PostgreSQL database
    /// whose URL selects [`PG_SCHEMA`] (created only when `with_schema`).
    pub(crate) fn fresh(backend: Backend, root: &Path, name: &str, with_schema: bool) -> Store {
        match backend {
            Backend::Sqlite => Store::Sqlite {
                data_dir: root.join(name),
            },
            Backend::Postgres => {
                let database = format!("roster_bk_{name}_{}", uuid::Uuid::new_v4().simple());
                psql(&admin_url(), &format!("CREATE DATABASE {database}"));
                let base = admin_url();
                let server = base.rsplit_once('/').expect("a database URL").0.to_owned();
                let plain = format!("{server}/{database}");
                if with_schema {
                    psql(&plain, &format!("CREATE SCHEMA {PG_SCHEMA}"));
                }
                let url = format!("{plain}?options[search_path]={PG_SCHEMA}");
                Store::Postgres { database, url }
            }
        }
    }

    /// The storage flags every `roster` command takes.
    pub(crate) fn args(&self) -> Vec<String> {
        match self {
            Store::Sqlite { data_dir } => vec!["--data-dir".into(), data_dir.display().to_string()],
            Store::Postgres { url, .. } => vec!["--database-url".into(), url.clone()],
        }
    }

    /// `roster <command…> <storage flags> <extra…>`.
    pub(crate) fn command(&self, command: &[&str], extra: &[&str]) -> Vec<String> {
        let mut args = strings(command);
        args.extend(self.args());
        args.extend(strings(extra));
        args
    }

    /// The URL of the same database without a search path (PostgreSQL only).
    pub(crate) fn url_without_schema(&self) -> String {
        match self {
            Store::Postgres { url, .. } => url.split_once('?').unwrap().0.to_owned(),
            Store::Sqlite { .. } => panic!("PostgreSQL only"),
        }
    }

    /// What the store holds, to show that a refused command changed nothing: every file
    /// of the data directory with its bytes, or Roster's schema as a plain-SQL dump.
    pub(crate) fn contents(&self) -> Vec<(String, Vec<u8>)> {
        match self {
            Store::Sqlite { data_dir } => {
                let Ok(entries) = std::fs::read_dir(data_dir) else {
                    return Vec::new();
                };
                let mut files: Vec<(String, Vec<u8>)> = entries
                    .map(|entry| entry.unwrap().path())
                    .filter(|path| path.is_file())
                    .map(|path| (path.display().to_string(), std::fs::read(&path).unwrap()))
                    .collect();
                files.sort();
                files
            }
            Store::Postgres { .. } => {
                let output = Command::new("pg_dump")
                    .args(["--schema", PG_SCHEMA, &self.url_without_schema()])
                    .output()
                    .unwrap();
                assert!(output.status.success(), "{}", text(&output.stderr));
                // `\restrict` lines carry a random key per run; the rest is the data.
                let dump: Vec<u8> = text(&output.stdout)
                    .lines()
                    .filter(|line| !line.contains("restrict "))
                    .flat_map(|line| format!("{line}\n").into_bytes())
                    .collect();
                vec![("dump".into(), dump)]
            }
        }
    }

    /// Runs SQL on the PostgreSQL database (names qualified with [`PG_SCHEMA`]).
    pub(crate) fn run_sql(&self, sql: &str) {
        psql(&self.url_without_schema(), sql);
    }

    /// Whether the store holds no Roster database at all.
    pub(crate) fn is_empty(&self) -> bool {
        match self {
            Store::Sqlite { data_dir } => !data_dir.join("roster.db").exists(),
            Store::Postgres { .. } => {
                let sql = format!("SELECT count(*) FROM pg_tables WHERE schemaname = '{PG_SCHEMA}'");
                psql(&self.url_without_schema(), &sql) == "0"
            }
        }
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        if let Store::Postgres { database, .. } = self {
            let _ = Command::new("psql")
                .args([
                    &admin_url(),
                    "-qc",
                    &format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"),
                ])
                .output();
        }
    }
}

/// A running `roster serve`; killed on drop if still running.
#[derive(Debug)]
pub(crate) struct Server {
    child: Child,
    pub(crate) base: String,
}

impl Server {
    pub(crate) fn start(store: &Store) -> Server {
        let child = roster_command()
            .args(["serve", "--listen", "127.0.0.1:0", "--domain", "contoso.com"])
            .args(store.args())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("roster serve starts");
        let mut server = Server {
            child,
            base: String::new(),
        };
        let address = crate::process::listening_address(&mut server.child, Duration::from_secs(120));
        server.base = address.expect("serve prints its address");
        server
    }

    /// Stops the server with SIGTERM and waits for it to exit cleanly.
    pub(crate) fn stop(mut self) {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        assert!(self.child.wait().unwrap().success(), "the server stops cleanly");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A Global Administrator bearer token for the store, issued straight from the database.
pub(crate) fn admin_token(store: &Store) -> String {
    let args = store.command(&["token", "issue", "--role", "Global Administrator"], &[]);
    roster_ok(&args).trim().to_owned()
}
