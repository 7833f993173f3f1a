//! The remote CLI end to end: the real `roster` binary as client, against a real
//! `roster serve` on a free port, with its config file in a temporary directory.

#[path = "common/process.rs"]
mod process;

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use process::text;

/// A `roster` command with nothing inherited that would change what it talks to.
fn roster_command(config: &Path) -> Command {
    let mut command = process::roster();
    command.env("ROSTER_CLI_CONFIG", config);
    for name in [
        "http_proxy",
        "HTTP_PROXY",
        "https_proxy",
        "HTTPS_PROXY",
        "all_proxy",
        "ALL_PROXY",
    ] {
        command.env_remove(name);
    }
    command
}

/// A running `roster serve` over a fresh SQLite data directory, with the CLI's config
/// file beside it; the server is killed on drop.
struct Fixture {
    child: Child,
    server: String,
    dir: tempfile::TempDir,
}

impl Fixture {
    fn start() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let child = Command::new(env!("CARGO_BIN_EXE_roster"))
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--domain",
                "contoso.com",
                "--data-dir",
            ])
            .arg(&data)
            .env_remove("ROSTER_DATABASE_URL")
            .env_remove("ROSTER_CONFIG")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("roster serve starts");
        let mut fixture = Fixture {
            child,
            server: String::new(),
            dir,
        };
        let address = process::listening_address(&mut fixture.child, Duration::from_secs(60));
        fixture.server = address.expect("serve prints its address");
        fixture
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("cli").join("cli.toml")
    }

    fn token(&self) -> String {
        let issued = roster_command(&self.config())
            .args(["token", "issue", "--role", "Global Administrator", "--data-dir"])
            .arg(self.dir.path().join("data"))
            .output()
            .unwrap();
        assert!(issued.status.success(), "{}", text(&issued.stderr));
        text(&issued.stdout).trim().to_owned()
    }

    /// Runs the CLI with this standard input (empty when `None`).
    fn run_with_input(&self, args: &[&str], input: Option<&str>) -> Output {
        let mut child = roster_command(&self.config())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        if let Some(input) = input {
            stdin.write_all(input.as_bytes()).unwrap();
        }
        drop(stdin);
        child.wait_with_output().unwrap()
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_with_input(args, None)
    }

    /// Runs the CLI and expects success.
    fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(
            output.status.success(),
            "{args:?} failed ({:?}): {}{}",
            output.status.code(),
            text(&output.stdout),
            text(&output.stderr)
        );
        text(&output.stdout)
    }

    fn json(&self, args: &[&str]) -> Value {
        let stdout = self.ok(args);
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{args:?} printed no JSON ({e}): {stdout}"))
    }

    fn login(&self) {
        let token = self.token();
        let output = self.run_with_input(
            &["login", "--server", &self.server, "--token-stdin"],
            Some(&format!("{token}\n")),
        );
        assert!(output.status.success(), "{}", text(&output.stderr));
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn login_checks_the_token_and_saves_it_privately() {
    let fixture = Fixture::start();
    let wrong = fixture.run_with_input(
        &["login", "--server", &fixture.server, "--token-stdin"],
        Some("rst_not_a_real_token\n"),
    );
    assert_eq!(wrong.status.code(), Some(1));
    let stderr = text(&wrong.stderr);
    assert!(stderr.contains("error: InvalidAuthenticationToken: "), "{stderr}");
    assert!(stderr.contains("The token was not saved"), "{stderr}");
    assert!(!fixture.config().exists());

    let no_token = fixture.run(&["login", "--server", &fixture.server]);
    assert_eq!(
        no_token.status.code(),
        Some(2),
        "no terminal, no --token-stdin, no ROSTER_TOKEN"
    );
    assert!(text(&no_token.stderr).contains("--token-stdin"));

    let not_logged_in = fixture.run(&["users", "list"]);
    assert_eq!(not_logged_in.status.code(), Some(2));
    assert!(text(&not_logged_in.stderr).contains("roster login"));

    let token = fixture.token();
    let login = fixture.run_with_input(
        &["login", "--server", &format!("{}/", fixture.server), "--token-stdin"],
        Some(&format!("{token}\n")),
    );
    assert!(login.status.success(), "{}", text(&login.stderr));
    assert!(text(&login.stdout).contains(&format!("Logged in to {}", fixture.server)));
    let saved = std::fs::read_to_string(fixture.config()).unwrap();
    assert!(saved.contains(&token) && saved.contains(&fixture.server), "{saved}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(fixture.config()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert!(fixture.ok(&["users", "list"]).contains("admin@contoso.com"));

    // The saved token goes only to its own server; ROSTER_TOKEN works anywhere.
    let elsewhere = fixture.run(&["users", "list", "--server", "http://127.0.0.2:9"]);
    assert_eq!(elsewhere.status.code(), Some(2));
    assert!(text(&elsewhere.stderr).contains("no token for http://127.0.0.2:9"));
    let with_env = roster_command(&fixture.dir.path().join("absent.toml"))
        .args(["users", "list", "--json", "--server", &fixture.server])
        .env("ROSTER_TOKEN", &token)
        .output()
        .unwrap();
    assert!(with_env.status.success(), "{}", text(&with_env.stderr));

    fixture.ok(&["logout"]);
    assert!(!std::fs::read_to_string(fixture.config()).unwrap().contains(&token));
    assert_eq!(fixture.run(&["users", "list"]).status.code(), Some(2));
}

#[test]
fn users_are_created_listed_deleted_restored_and_purged() {
    let fixture = Fixture::start();
    fixture.login();

    let created = fixture.ok(&["users", "create", "alice@contoso.com", "--display-name", "Alice Adams"]);
    let password = created
        .lines()
        .find_map(|line| line.strip_prefix("Password (shown once): "))
        .unwrap_or_else(|| panic!("a generated password is printed: {created}"));
    assert_eq!(password.len(), 23);
    let bob = fixture.run_with_input(
        &[
            "users",
            "create",
            "bob@contoso.com",
            "--display-name",
            "Bob, \"the builder\"",
            "--password-stdin",
            "--force-change",
        ],
        Some("correct horse battery staple\n"),
    );
    assert!(bob.status.success(), "{}", text(&bob.stderr));
    assert!(!text(&bob.stdout).contains("Password"));
    let carol = fixture.json(&[
        "users",
        "create",
        "carol@contoso.com",
        "--display-name",
        "Carol",
        "--json",
    ]);
    assert_eq!(carol["userPrincipalName"], "carol@contoso.com");
    assert_eq!(carol["generatedPassword"].as_str().unwrap().len(), 23);
    let weak = fixture.run_with_input(
        &[
            "users",
            "create",
            "dave@contoso.com",
            "--display-name",
            "Dave",
            "--password-stdin",
        ],
        Some("password\n"),
    );
    assert_eq!(weak.status.code(), Some(1));
    assert!(
        text(&weak.stderr).starts_with("error: Request_BadRequest: "),
        "{}",
        text(&weak.stderr)
    );

    let table = fixture.ok(&["users", "list"]);
    assert!(
        table.contains("Alice Adams") && table.contains("bob@contoso.com"),
        "{table}"
    );
    let users = fixture.json(&["users", "list", "--json", "--page-size", "1"]);
    let upns: Vec<&str> = users
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["userPrincipalName"].as_str().unwrap())
        .collect();
    assert_eq!(upns.len(), 4, "{users}");
    for upn in [
        "admin@contoso.com",
        "alice@contoso.com",
        "bob@contoso.com",
        "carol@contoso.com",
    ] {
        assert!(upns.contains(&upn), "{upns:?}");
    }

    let deleted = fixture.run(&[
        "users",
        "delete",
        "alice@contoso.com",
        "bob@contoso.com",
        carol["id"].as_str().unwrap(),
        "nobody@contoso.com",
    ]);
    assert_eq!(deleted.status.code(), Some(1), "one name is unknown");
    assert!(text(&deleted.stderr).contains("error: nobody@contoso.com: Request_ResourceNotFound: "));
    assert_eq!(text(&deleted.stdout).lines().count(), 3);

    // The recycle bin shows the original names and the full 30 days.
    let bin = fixture.ok(&["deleted", "list"]);
    assert!(bin.contains("DAYS LEFT"), "{bin}");
    let alice_line = bin.lines().find(|l| l.contains("alice@contoso.com")).unwrap();
    assert!(alice_line.starts_with("Alice Adams  "), "{bin}");
    assert!(alice_line.split_whitespace().any(|cell| cell == "30"), "{bin}");
    let bin = fixture.json(&["deleted", "list", "--json", "--page-size", "2"]);
    let bin = bin.as_array().unwrap();
    assert_eq!(bin.len(), 3);
    for user in bin {
        assert_eq!(user["daysLeft"], 30, "{user}");
        let upn = user["userPrincipalName"].as_str().unwrap();
        assert!(
            upn.ends_with("@contoso.com") && !upn.starts_with(|c: char| c.is_ascii_digit()),
            "{user}"
        );
        assert!(user["deletedUserPrincipalName"].as_str().unwrap().ends_with(upn));
        assert!(user["permanentDeletionDateTime"].is_string());
    }

    // A new carol takes the name, so the restore of the old one fails alone.
    fixture.ok(&["users", "create", "carol@contoso.com", "--display-name", "New Carol"]);
    let log = fixture.dir.path().join("results.csv");
    let log_arg = log.display().to_string();
    let restore = fixture.run(&[
        "deleted",
        "restore",
        "alice@contoso.com",
        "BOB@contoso.com",
        "carol@contoso.com",
        "--password",
        "auto",
        "--batch-size",
        "2",
        "--log",
        &log_arg,
    ]);
    assert_eq!(restore.status.code(), Some(1), "{}", text(&restore.stderr));
    let stdout = text(&restore.stdout);
    let stderr = text(&restore.stderr);
    assert!(
        stderr.contains("the restore failed for some users; see the log and retry them one at a time"),
        "{stderr}"
    );
    assert!(stdout.contains("user_principal_name_conflict"), "{stdout}");
    assert!(stdout.contains("Restored 2, already active 0, failed 1."), "{stdout}");
    let generated: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.starts_with("Generated passwords"))
        .skip(2)
        .take_while(|l| l.contains('@'))
        .filter_map(|l| l.split_whitespace().nth(1))
        .collect();
    assert_eq!(generated.len(), 2, "{stdout}");
    let csv = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4, "a header and 3 rows: {csv}");
    assert!(lines[0].starts_with("input,id,userPrincipalName,status,"), "{csv}");
    assert!(lines[1].starts_with("alice@contoso.com,") && lines[1].contains(",restored,"));
    assert!(lines[2].starts_with("BOB@contoso.com,") && lines[2].contains(",bob@contoso.com,restored,"));
    assert!(
        lines[3].contains(",failed,") && lines[3].contains(",user_principal_name_conflict,"),
        "{csv}"
    );
    for password in generated {
        assert!(!csv.contains(password), "no generated password in the log");
    }

    let two_names = fixture.run(&[
        "deleted",
        "restore",
        "a@contoso.com",
        "b@contoso.com",
        "--new-upn",
        "x@contoso.com",
    ]);
    assert_eq!(two_names.status.code(), Some(2));
    assert!(text(&two_names.stderr).contains("--new-upn"));

    let retried = fixture.json(&[
        "deleted",
        "restore",
        "carol@contoso.com",
        "--new-upn",
        "carol.adams@contoso.com",
        "--json",
    ]);
    assert_eq!(retried["summary"]["restored"], 1, "{retried}");
    let row = &retried["results"][0];
    assert_eq!(row["status"], "restored");
    assert_eq!(row["userPrincipalName"], "carol@contoso.com");
    assert_eq!(row["finalUserPrincipalName"], "carol.adams@contoso.com");
    assert_eq!(row["error"], Value::Null);

    // Unknown names and users already back are rows, not aborts.
    let again = fixture.run(&[
        "deleted",
        "restore",
        carol["id"].as_str().unwrap(),
        "ghost@contoso.com",
        "--json",
    ]);
    assert_eq!(again.status.code(), Some(1));
    let again: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(again["results"][0]["status"], "alreadyActive", "{again}");
    assert_eq!(again["results"][1]["status"], "failed");
    assert_eq!(again["results"][1]["error"]["code"], "not_found");

    // `--password prompt` reads standard input when it is not a terminal; the server's
    // password policy judges it per user.
    fixture.ok(&["users", "delete", "alice@contoso.com"]);
    let restore_with = |password: &str| {
        let output = fixture.run_with_input(
            &[
                "deleted",
                "restore",
                "alice@contoso.com",
                "--password",
                "prompt",
                "--json",
            ],
            Some(&format!("{password}\n")),
        );
        let body: Value = serde_json::from_slice(&output.stdout).unwrap();
        (output.status.code(), body["results"][0].clone())
    };
    let (status, weak) = restore_with("password");
    assert_eq!(status, Some(1));
    assert_eq!(weak["error"]["code"], "weak_password", "{weak}");
    let (status, set) = restore_with("a long passphrase nobody guesses");
    assert_eq!(status, Some(0), "{set}");
    assert_eq!(set["passwordReset"], true);
    assert_eq!(set["generatedPassword"], Value::Null);

    // Purge needs --yes without a terminal.
    fixture.ok(&["users", "delete", "bob@contoso.com"]);
    let unconfirmed = fixture.run(&["deleted", "purge", "bob@contoso.com"]);
    assert_eq!(unconfirmed.status.code(), Some(2));
    assert!(text(&unconfirmed.stderr).contains("--yes"));
    assert_eq!(
        fixture.json(&["deleted", "list", "--json"]).as_array().unwrap().len(),
        1
    );
    let purged = fixture.ok(&["deleted", "purge", "bob@contoso.com", "--yes"]);
    assert!(purged.contains("Purged bob@contoso.com"), "{purged}");
    assert!(fixture.ok(&["deleted", "list"]).contains("The recycle bin is empty."));
}

#[test]
fn a_closed_port_gets_a_message_naming_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let server = format!("http://127.0.0.1:{port}");
    let output = roster_command(&dir.path().join("cli.toml"))
        .args(["deleted", "list", "--server", &server])
        .env("ROSTER_TOKEN", "rst_anything")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.starts_with(&format!("error: cannot reach the Roster server at {server}: ")),
        "{stderr}"
    );
    assert!(stderr.to_lowercase().contains("connection refused"), "{stderr}");

    let login = roster_command(&dir.path().join("cli.toml"))
        .args(["login", "--server", &server, "--token-stdin"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(login.status.code(), Some(2), "{}", text(&login.stderr));
}
