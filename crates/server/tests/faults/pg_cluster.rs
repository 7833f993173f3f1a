//! A private PostgreSQL cluster that a test may stop and start at will (the shared test
//! server is never stopped): `initdb` and `pg_ctl` from `/usr/lib/postgresql/*/bin`, run
//! as the `postgres` OS user with `runuser`, in a temporary directory, on a free port.
//! Stopped (immediately) on drop. For point-in-time recovery a cluster may archive its WAL,
//! be copied with `pg_basebackup`, and the copy replay the archive up to a
//! [`RecoveryTarget`]: a named restore point or a time.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

#[derive(Debug)]
pub(crate) struct PgCluster {
    bin: PathBuf,
    dir: tempfile::TempDir,
    pub(crate) port: u16,
}

/// The newest installed PostgreSQL's programs.
fn bin_dir() -> PathBuf {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is installed under /usr/lib/postgresql")
        .flatten()
        .filter_map(|entry| Some((entry.file_name().to_str()?.parse().ok()?, entry.path().join("bin"))))
        .filter(|(_, bin)| bin.join("pg_ctl").exists())
        .collect();
    versions.sort();
    versions
        .pop()
        .expect("initdb and pg_ctl in /usr/lib/postgresql/*/bin")
        .1
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl PgCluster {
    /// Creates and starts a cluster; the test must run as root (to act as `postgres`).
    pub(crate) fn start() -> PgCluster {
        let cluster = PgCluster::empty();
        cluster.init();
        cluster.up();
        cluster
    }

    /// Like [`PgCluster::start`], with `archive_mode=on`: every finished WAL segment is
    /// copied into [`PgCluster::archive`].
    pub(crate) fn start_archiving() -> PgCluster {
        let cluster = PgCluster::empty();
        cluster.init();
        let archive = cluster.archive().display().to_string();
        cluster.run_as_postgres(Path::new("mkdir"), &[&archive]);
        cluster.add_settings(&[
            "wal_level = replica".into(),
            "archive_mode = on".into(),
            format!("archive_command = 'test ! -f {archive}/%f && cp %p {archive}/%f'"),
        ]);
        cluster.up();
        cluster
    }

    /// A directory owned by `postgres` and a free port; no data directory yet.
    fn empty() -> PgCluster {
        assert!(
            crate::support::is_root(),
            "this test starts its own PostgreSQL cluster as the postgres OS user and must run as root"
        );
        let dir = tempfile::tempdir().expect("a temporary directory");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let chown = Command::new("chown").arg("postgres:postgres").arg(dir.path()).status();
        assert!(
            chown.is_ok_and(|s| s.success()),
            "chown the cluster directory to postgres"
        );
        PgCluster {
            bin: bin_dir(),
            dir,
            port: free_port(),
        }
    }

    fn init(&self) {
        let data = self.data().display().to_string();
        self.run("initdb", &["-D", &data, "-A", "trust", "-U", "postgres", "--no-sync"]);
    }

    /// Where [`PgCluster::start_archiving`] archives WAL segments.
    pub(crate) fn archive(&self) -> PathBuf {
        self.dir.path().join("archive")
    }

    /// Appends settings to `postgresql.conf` (a later line wins over an earlier one).
    fn add_settings(&self, lines: &[String]) {
        let path = self.data().join("postgresql.conf");
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .expect("postgresql.conf");
        for line in lines {
            writeln!(file, "{line}").expect("postgresql.conf is writable");
        }
    }

    /// `pg_basebackup` of this running cluster (plain format, with the WAL it needs
    /// streamed along) into a new cluster directory, which is not started.
    pub(crate) fn base_backup(&self) -> PgCluster {
        let copy = PgCluster::empty();
        let (data, port) = (copy.data().display().to_string(), self.port.to_string());
        let connect = ["-h", "127.0.0.1", "-p", &port, "-U", "postgres"];
        let copy_to = ["-D", &data, "-X", "stream", "--checkpoint", "fast", "--no-sync"];
        self.run("pg_basebackup", &[&connect[..], &copy_to[..]].concat());
        copy
    }

    /// Starts a [`PgCluster::base_backup`] copy with `recovery.signal`: it replays the WAL
    /// that `source` archived up to `target`, then is promoted. Returns once it accepts
    /// writes, after checking in its log that the recovery stopped at the target (not at
    /// the end of the archive).
    pub(crate) fn recover_to(&self, source: &PgCluster, target: &RecoveryTarget) {
        self.add_settings(&[
            "archive_mode = off".into(),
            format!("restore_command = 'cp {}/%f %p'", source.archive().display()),
            target.setting(),
            "recovery_target_action = 'promote'".into(),
        ]);
        let signal = self.data().join("recovery.signal").display().to_string();
        self.run_as_postgres(Path::new("touch"), &[&signal]);
        self.up();
        let deadline = Instant::now() + Duration::from_secs(60);
        while self.sql("SELECT pg_is_in_recovery()") != "f" {
            assert!(
                Instant::now() < deadline,
                "the recovered cluster was not promoted within 60 s; its log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let log = self.log();
        assert!(
            log.contains(&target.stop_message()),
            "the recovery stopped at {target:?}; its log:\n{log}"
        );
    }

    /// Switches to a new WAL segment and waits until the finished one is archived, so
    /// that everything written so far can be replayed from the archive.
    pub(crate) fn archive_current_wal(&self) {
        let segment = self.sql("SELECT pg_walfile_name(pg_switch_wal())");
        let archived = format!("SELECT coalesce(last_archived_wal >= '{segment}', false) FROM pg_stat_archiver");
        let deadline = Instant::now() + Duration::from_secs(60);
        while self.sql(&archived) != "t" {
            assert!(
                Instant::now() < deadline,
                "WAL segment {segment} was not archived within 60 s; the log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Runs one statement with `psql` and returns its unaligned output.
    fn sql(&self, statement: &str) -> String {
        let port = self.port.to_string();
        let args = ["-h", "127.0.0.1", "-p", &port, "-U", "postgres", "-qAtc", statement];
        self.run("psql", &args).trim().to_owned()
    }

    /// The server's log so far.
    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// `postgres://postgres@127.0.0.1:<port>/postgres`.
    pub(crate) fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Starts the server and waits until it accepts connections.
    pub(crate) fn up(&self) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let data = self.data().display().to_string();
        let log = self.dir.path().join("server.log").display().to_string();
        self.run(
            "pg_ctl",
            &["-D", &data, "-l", &log, "-o", &options, "-w", "-t", "60", "start"],
        );
    }

    /// `pg_ctl stop -m immediate`: every connection drops at once, as in a crash.
    pub(crate) fn stop_immediately(&self) {
        let data = self.data().display().to_string();
        self.run("pg_ctl", &["-D", &data, "-m", "immediate", "-w", "stop"]);
    }

    /// Runs one of PostgreSQL's programs as `postgres`; returns its standard output.
    fn run(&self, program: &str, args: &[&str]) -> String {
        self.run_as_postgres(&self.bin.join(program), args)
    }

    fn run_as_postgres(&self, program: &Path, args: &[&str]) -> String {
        let output = Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(program)
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .expect("runuser runs");
        assert!(
            output.status.success(),
            "{} {args:?} failed: {}{}",
            program.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }
}

/// Where a point-in-time recovery stops.
#[derive(Debug, Clone)]
pub(crate) enum RecoveryTarget {
    /// A restore point the source made with `pg_create_restore_point`.
    RestorePoint(String),
    /// A time as the source printed a `timestamptz` (`SELECT clock_timestamp()::text`):
    /// transactions that committed at or before it are replayed, none after it.
    Time(String),
}

impl RecoveryTarget {
    /// The `postgresql.conf` line.
    fn setting(&self) -> String {
        match self {
            RecoveryTarget::RestorePoint(name) => format!("recovery_target_name = '{name}'"),
            RecoveryTarget::Time(time) => format!("recovery_target_time = '{time}'"),
        }
    }

    /// What the server logs when it stops there: at the restore point, or before the first
    /// transaction that committed after the time.
    fn stop_message(&self) -> String {
        match self {
            RecoveryTarget::RestorePoint(name) => format!("recovery stopping at restore point \"{name}\""),
            RecoveryTarget::Time(_) => "recovery stopping before commit of transaction".into(),
        }
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let data = self.data().display().to_string();
        let _ = Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(self.bin.join("pg_ctl"))
            .args(["-D", &data, "-m", "immediate", "stop"])
            .output();
    }
}
