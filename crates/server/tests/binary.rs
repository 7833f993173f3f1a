//! Smoke tests of the built `roster` binary: init, token issue, app create, serve, and the
//! errors an operator meets first.

#[path = "common/process.rs"]
mod process;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use process::{run_roster as roster, text};

fn dir_arg(dir: &Path) -> String {
    dir.display().to_string()
}

/// A running `roster serve`; killed on drop if still running.
struct Server {
    child: Child,
    address: String,
}

impl Server {
    fn start(args: &[&str]) -> (Server, Vec<String>) {
        let child = Command::new(env!("CARGO_BIN_EXE_roster"))
            .arg("serve")
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("roster serve starts");
        // Owned by a Server at once, so the process is reaped on every path.
        let mut server = Server {
            child,
            address: String::new(),
        };
        let listening = |line: &str| line.starts_with("Roster is listening on http://");
        let found = process::read_until(&mut server.child, Duration::from_secs(60), listening);
        let (line, mut printed) = found.expect("serve prints its address");
        server.address = line.trim_start_matches("Roster is listening on http://").to_owned();
        printed.push(line);
        (server, printed)
    }

    fn get(&self, path: &str) -> String {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: roster\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    }

    fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        self.child.wait().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn init_prints_the_admin_credentials_once_and_refuses_a_second_init() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir_arg(&dir.path().join("data"));
    let first = roster(&[
        "init",
        "--data-dir",
        &data,
        "--domain",
        "contoso.com",
        "--organization",
        "Contoso",
    ]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    let stdout = text(&first.stdout);
    assert!(stdout.contains("Sign in as:  admin@contoso.com"), "{stdout}");
    let password_line = stdout.lines().find(|l| l.contains("Password:")).unwrap();
    assert_eq!(password_line.split_whitespace().last().unwrap().len(), 23);

    let second = roster(&["init", "--data-dir", &data, "--domain", "contoso.com"]);
    assert!(!second.status.success());
    assert!(text(&second.stderr).contains("already holds an organisation"));
    assert!(!text(&second.stdout).contains("Password"));
}

#[test]
fn token_issue_prints_a_token_and_explains_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir_arg(&dir.path().join("data"));
    let missing = roster(&["token", "issue", "--data-dir", &data, "--role", "Global Administrator"]);
    assert!(!missing.status.success());
    assert!(
        text(&missing.stderr).contains("there is no data directory"),
        "{}",
        text(&missing.stderr)
    );

    assert!(
        roster(&["init", "--data-dir", &data, "--domain", "contoso.com"])
            .status
            .success()
    );
    let unknown = roster(&["token", "issue", "--data-dir", &data, "--role", "Chief Wizard"]);
    assert!(text(&unknown.stderr).contains("unknown role 'Chief Wizard'; the roles are: Global Administrator"));

    let issued = roster(&[
        "token",
        "issue",
        "--data-dir",
        &data,
        "--role",
        "global administrator",
        "--expires-in",
        "1d",
    ]);
    assert!(issued.status.success(), "{}", text(&issued.stderr));
    let token = text(&issued.stdout);
    assert!(token.trim().starts_with("rst_") && token.trim().len() == 47, "{token}");
}

#[test]
fn serve_initialises_an_empty_data_directory_serves_health_and_locks_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir_arg(&dir.path().join("fresh"));
    let (server, printed) = Server::start(&["--data-dir", &data, "--domain", "contoso.com"]);
    assert!(
        printed.iter().any(|l| l.contains("Sign in as:  admin@contoso.com")),
        "{printed:?}"
    );
    let health = server.get("/health");
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.contains(r#""status":"ok""#));

    let second = roster(&["serve", "--data-dir", &data, "--listen", "127.0.0.1:0"]);
    assert!(!second.status.success());
    assert!(
        text(&second.stderr).contains("is in use by another `roster serve`"),
        "{}",
        text(&second.stderr)
    );
    let token = roster(&["token", "issue", "--data-dir", &data, "--role", "Global Reader"]);
    assert!(
        token.status.success(),
        "tools work beside a running server: {}",
        text(&token.stderr)
    );

    assert!(server.terminate().success(), "SIGTERM stops the server cleanly");
    let (again, printed) = Server::start(&["--data-dir", &data]);
    assert!(
        !printed.iter().any(|l| l.contains("Password")),
        "credentials are printed only once"
    );
    assert!(again.get("/health").starts_with("HTTP/1.1 200"));
}

/// The server exports the audit chain's head to a file as the chain grows; the line it
/// wrote verifies the chain later, and grows again after another audited change.
#[test]
fn serve_exports_audit_checkpoints_that_audit_verify_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir_arg(&dir.path().join("data"));
    let exported = dir.path().join("checkpoints.log");
    let args = [
        "--data-dir",
        &data,
        "--audit-checkpoint-interval",
        "1s",
        "--audit-checkpoint-file",
        &dir_arg(&exported),
    ];
    let (server, _) = Server::start(&args);
    let first = wait_for_lines(&exported, 1).remove(0);
    let token = roster(&["token", "issue", "--data-dir", &data, "--role", "Global Reader"]);
    assert!(token.status.success(), "{}", text(&token.stderr));
    let lines = wait_for_lines(&exported, 2);
    assert!(server.terminate().success());
    assert_eq!(lines[0], first);
    for line in &lines {
        let (at, checkpoint) = line.split_once(' ').expect("TIME SEQ:HASH");
        assert!(at.ends_with('Z') && at.contains('T'), "an RFC 3339 time in UTC: {line}");
        let verified = roster(&["audit", "verify", "--data-dir", &data, "--checkpoint", checkpoint]);
        assert!(verified.status.success(), "{line}: {}", text(&verified.stderr));
    }
}

#[test]
fn signed_checkpoints_verify_with_the_public_key_and_a_forged_line_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir_arg(&dir.path().join("data"));
    let (exported, key) = (dir.path().join("checkpoints.log"), dir.path().join("audit.key"));
    let (exported_arg, key_arg) = (dir_arg(&exported), dir_arg(&key));
    let args = ["--data-dir", &data, "--audit-checkpoint-interval", "1s"];
    let signed = [
        "--audit-checkpoint-file",
        &exported_arg,
        "--audit-checkpoint-key",
        &key_arg,
    ];
    let (server, _) = Server::start(&[&args[..], &signed[..]].concat());
    wait_for_lines(&exported, 1);
    let token = roster(&["token", "issue", "--data-dir", &data, "--role", "Global Reader"]);
    assert!(token.status.success(), "{}", text(&token.stderr));
    let lines = wait_for_lines(&exported, 2);
    assert!(server.terminate().success());
    assert!(
        lines
            .iter()
            .all(|line| line.split(' ').nth(2).is_some_and(|s| s.starts_with("ed25519:")))
    );
    let public = dir_arg(&key.with_extension("key.pub"));
    let verify = |file: &Path, key: &str| {
        let file = dir_arg(file);
        let flags = ["--checkpoint-file", &file, "--public-key", key];
        roster(&[&["audit", "verify", "--data-dir", &data][..], &flags[..]].concat())
    };
    let verified = verify(&exported, &public);
    assert!(verified.status.success(), "{}", text(&verified.stderr));
    assert!(
        text(&verified.stdout).contains("every signature valid"),
        "{}",
        text(&verified.stdout)
    );

    // A line edited to claim a shorter chain, and a key that did not sign the file.
    let forged = dir.path().join("forged.log");
    let (seq, rest) = lines[1].split_once(' ').unwrap().1.split_once(':').unwrap();
    let edited = lines[1].replacen(&format!(" {seq}:{rest}"), &format!(" 1:{rest}"), 1);
    std::fs::write(&forged, format!("{}\n{edited}\n", lines[0])).unwrap();
    let refused = verify(&forged, &public);
    assert!(!refused.status.success());
    assert!(text(&refused.stderr).contains("line 2"), "{}", text(&refused.stderr));
    let other_key = "ed25519:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    assert!(!verify(&exported, other_key).status.success());
}

/// The file's lines once it has at least `count` (waiting at most 30 s).
fn wait_for_lines(path: &Path, count: usize) -> Vec<String> {
    let until = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let lines: Vec<String> = std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect();
        if lines.len() >= count {
            return lines;
        }
        assert!(std::time::Instant::now() < until, "{} has {lines:?}", path.display());
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn bad_settings_and_an_unreachable_database_get_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir_arg(dir.path());
    let interval = roster(&["serve", "--data-dir", &data, "--purge-interval", "soon"]);
    assert!(
        text(&interval.stderr).contains("bad setting purge_interval"),
        "{}",
        text(&interval.stderr)
    );

    let config = dir.path().join("roster.toml");
    std::fs::write(&config, "colour = \"blue\"\n").unwrap();
    let unknown = roster(&["serve", "--config", &dir_arg(&config)]);
    assert!(
        text(&unknown.stderr).contains("bad config file"),
        "{}",
        text(&unknown.stderr)
    );

    let mysql = roster(&["serve", "--database-url", "mysql://localhost/db"]);
    assert!(text(&mysql.stderr).contains("bad setting database_url"));

    let unreachable = roster(&[
        "serve",
        "--database-url",
        "postgres://roster:secret@127.0.0.1:1/none",
        "--database-wait",
        "1s",
    ]);
    assert!(!unreachable.status.success());
    let stderr = text(&unreachable.stderr);
    assert!(
        stderr.contains("gave up waiting for the database after 1 s")
            && stderr.contains("cannot use the database PostgreSQL at postgres://roster:***@127.0.0.1:1/none"),
        "{stderr}"
    );
    assert!(!stderr.contains("secret"));

    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "").unwrap();
    let not_dir = roster(&["serve", "--data-dir", &dir_arg(&file)]);
    assert!(text(&not_dir.stderr).contains("is not a directory"));
}

#[test]
fn serve_runs_on_postgresql() {
    let base =
        std::env::var("ROSTER_TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let name = format!("roster_bin_{}", uuid::Uuid::new_v4().simple());
    let created = Command::new("psql")
        .args([&base, "-qc", &format!("CREATE DATABASE {name}")])
        .status();
    assert!(
        created.is_ok_and(|s| s.success()),
        "PostgreSQL must be reachable at {base} (psql)"
    );
    let url = format!("{}/{name}", base.rsplit_once('/').unwrap().0);
    let (server, printed) = Server::start(&["--database-url", &url, "--domain", "contoso.com"]);
    assert!(printed.iter().any(|l| l.contains("in PostgreSQL at")), "{printed:?}");
    assert!(server.get("/health").starts_with("HTTP/1.1 200"));
    assert!(server.terminate().success());
    let _ = Command::new("psql")
        .args([&base, "-qc", &format!("DROP DATABASE {name}")])
        .status();
}

#[test]
fn tenant_settings_can_be_read_and_changed_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir_arg(&dir.path().join("data"));
    assert!(
        roster(&["init", "--data-dir", &data, "--domain", "contoso.com"])
            .status
            .success()
    );
    let shown = text(&roster(&["tenant", "show", "--data-dir", &data]).stdout);
    assert!(shown.contains("Retention:        30 days"), "{shown}");

    let set = roster(&[
        "tenant",
        "set",
        "--data-dir",
        &data,
        "--retention",
        "7d",
        "--license-overage",
        "allow",
    ]);
    assert!(set.status.success(), "{}", text(&set.stderr));
    let added = roster(&["tenant", "add-domain", "--data-dir", &data, "Fabrikam.com"]);
    assert!(added.status.success(), "{}", text(&added.stderr));
    let shown = text(&roster(&["tenant", "show", "--data-dir", &data]).stdout);
    assert!(shown.contains("Retention:        7 days"), "{shown}");
    assert!(shown.contains("Licence overage:  allow"));
    assert!(shown.contains("Verified domains: contoso.com, fabrikam.com"));

    let bad = roster(&["tenant", "set", "--data-dir", &data, "--retention", "0d"]);
    assert!(!bad.status.success());
    assert!(text(&bad.stderr).contains("retention period must be longer than zero"));
    let twice = roster(&["tenant", "add-domain", "--data-dir", &data, "fabrikam.com"]);
    assert!(text(&twice.stderr).contains("already exists"));
}

#[test]
fn app_create_prints_the_client_id_and_secret_once_and_app_list_shows_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir_arg(&dir.path().join("data"));
    let create = [
        "app",
        "create",
        "--data-dir",
        &data,
        "--name",
        "Backup",
        "--role",
        "Global Reader",
    ];
    assert!(!roster(&create).status.success());
    assert!(
        roster(&["init", "--data-dir", &data, "--domain", "contoso.com"])
            .status
            .success()
    );
    let no_role = roster(&["app", "create", "--data-dir", &data, "--name", "Backup"]);
    assert!(!no_role.status.success());

    let created = roster(&create);
    assert!(created.status.success(), "{}", text(&created.stderr));
    let out = text(&created.stdout);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    let client_id = lines[0].strip_prefix("client_id=").unwrap();
    assert_eq!(client_id.len(), 36, "{out}");
    let secret = lines[1].strip_prefix("client_secret=").unwrap();
    assert!(secret.len() >= 40, "{out}");

    let listed = roster(&["app", "list", "--data-dir", &data]);
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    let listed = text(&listed.stdout);
    assert!(
        listed.contains(&format!("{client_id}\tBackup\tGlobal Reader")),
        "{listed}"
    );
    assert!(!listed.contains(secret));
}
