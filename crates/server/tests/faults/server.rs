//! A real `roster serve` process: started on a port the kernel picks, ready once it
//! prints its address, and stopped with SIGKILL as a crash would. Its log is kept under
//! the target directory so a failing test can be read afterwards.

use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::Duration;

/// The organisation's domain in every fault test.
pub(crate) const DOMAIN: &str = "faults.example.com";

/// A running `roster serve`; killed on drop if still running.
#[derive(Debug)]
pub(crate) struct Server {
    child: Child,
    pub(crate) base: String,
    /// Where its stderr (the log) goes.
    pub(crate) log: PathBuf,
}

pub(crate) use crate::process::roster;

/// A new log file's path for a server called `name`, under the target directory.
pub(crate) fn log_path(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("faults-logs");
    std::fs::create_dir_all(&dir).expect("the log directory");
    dir.join(format!("{name}-{}.log", uuid::Uuid::new_v4().simple()))
}

impl Server {
    /// Starts `roster serve` with the storage flags and a purge interval (`"1s"`, `"1h"`).
    pub(crate) fn start(name: &str, storage: &[String], purge_interval: &str) -> Server {
        Server::start_with_env(name, storage, purge_interval, &[])
    }

    /// Like [`Server::start`], with extra environment variables (such as `TZ`).
    pub(crate) fn start_with_env(name: &str, storage: &[String], purge_interval: &str, env: &[(&str, &str)]) -> Server {
        Server::start_logging_to(log_path(name), name, storage, purge_interval, env)
    }

    /// Like [`Server::start_with_env`], logging to `log` (which a test may read while the
    /// server starts).
    pub(crate) fn start_logging_to(
        log: PathBuf,
        name: &str,
        storage: &[String],
        purge_interval: &str,
        env: &[(&str, &str)],
    ) -> Server {
        let log_file = std::fs::File::create(&log).expect("the server log");
        let mut child = roster()
            .arg("serve")
            .args(storage)
            .args(["--domain", DOMAIN, "--listen", "127.0.0.1:0", "--replica-name", name])
            .args(["--purge-interval", purge_interval, "--mail-interval", "1h"])
            .env("RUST_LOG", "info")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(log_file)
            .spawn()
            .expect("roster serve starts");
        match listening_address(&mut child) {
            Some(base) => {
                println!("roster serve {name} at {base}, log in {}", log.display());
                Server { child, base, log }
            }
            None => {
                let _ = child.kill();
                let _ = child.wait();
                let text = std::fs::read_to_string(&log).unwrap_or_default();
                panic!("roster serve did not start; its log ({}):\n{text}", log.display());
            }
        }
    }

    /// The process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends `signal` (`"STOP"`, `"CONT"`) to the process with kill(1).
    pub(crate) fn signal(&self, signal: &str) {
        let status = std::process::Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("kill(1) runs");
        assert!(status.success(), "kill -{signal} {}", self.child.id());
    }

    /// SIGKILL, then reap the process.
    pub(crate) fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads stdout until `Roster is listening on http://…` (at most 120 s of silence).
fn listening_address(child: &mut Child) -> Option<String> {
    crate::process::listening_address(child, Duration::from_secs(120))
}
