//! `roster audit verify` and `roster audit list` on the built binary: an intact chain
//! passes and prints a checkpoint; the append-only triggers refuse edits, and with them
//! dropped an edited record or a cut-off tail fails with a message naming the break; text
//! recorded as given (CR, LF, ANSI escapes in a typed sign-in name) prints escaped (T35).

#[path = "common/process.rs"]
mod process;

use sqlx::Connection;
use std::path::Path;
use std::process::Output;

use process::{run_roster as roster, text};

fn verify(dir: &str, extra: &[&str]) -> Output {
    let mut args = vec!["audit", "verify", "--data-dir", dir];
    args.extend_from_slice(extra);
    roster(&args)
}

async fn try_tamper(db: &Path, sql: &str) -> Result<(), String> {
    let url = format!("sqlite://{}", db.display());
    let mut connection = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let result = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(&mut connection)
        .await;
    connection.close().await.unwrap();
    result.map(drop).map_err(|error| error.to_string())
}

async fn tamper(db: &Path, sql: &str) {
    try_tamper(db, sql).await.unwrap();
}

/// Drops migration 0008's append-only triggers, as someone holding the database file can;
/// the hash chain must catch what follows on its own.
async fn lift_append_only_guard(db: &Path) {
    tamper(
        db,
        "DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete;",
    )
    .await;
}

fn init(dir: &str) {
    let out = roster(&["init", "--data-dir", dir, "--domain", "contoso.com"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[tokio::test]
async fn audit_verify_passes_an_intact_chain_and_fails_on_a_broken_one() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().display().to_string();
    // init records the organisation and its first administrator; each token adds one.
    assert!(
        roster(&["init", "--data-dir", &dir, "--domain", "contoso.com"])
            .status
            .success()
    );
    for name in ["ci", "backup"] {
        let issued = roster(&[
            "token",
            "issue",
            "--data-dir",
            &dir,
            "--role",
            "Global Reader",
            "--name",
            name,
        ]);
        assert!(issued.status.success(), "{}", text(&issued.stderr));
    }

    let intact = verify(&dir, &[]);
    let out = text(&intact.stdout);
    assert!(intact.status.success(), "{}", text(&intact.stderr));
    assert!(out.contains("audit chain intact: 4 records verified"), "{out}");
    let checkpoint = out
        .lines()
        .find_map(|line| line.strip_prefix("checkpoint: "))
        .expect("a checkpoint line")
        .to_owned();
    assert!(checkpoint.starts_with("4:"), "{checkpoint}");
    assert!(verify(&dir, &["--checkpoint", &checkpoint]).status.success());
    let malformed = verify(&dir, &["--checkpoint", "4:nothex"]);
    assert!(!malformed.status.success());
    assert!(
        text(&malformed.stderr).contains("--checkpoint"),
        "{}",
        text(&malformed.stderr)
    );

    let db = data.path().join("roster.db");
    let edit = "UPDATE audit_events SET target = 'someone else' WHERE seq = 2";
    let refused = try_tamper(&db, edit).await.unwrap_err();
    assert!(refused.contains("append-only"), "{refused}");
    let delete = try_tamper(&db, "DELETE FROM audit_events WHERE seq = 4").await;
    assert!(delete.unwrap_err().contains("append-only"));
    assert!(verify(&dir, &["--checkpoint", &checkpoint]).status.success());

    lift_append_only_guard(&db).await;
    tamper(&db, edit).await;
    let edited = verify(&dir, &[]);
    assert_eq!(edited.status.code(), Some(1));
    let message = text(&edited.stderr);
    assert!(
        message.contains("audit chain broken after 1 intact records: record 2")
            && message.contains("was changed after it was written"),
        "{message}"
    );

    // Cutting off the tail and rewriting the head passes alone, not against the checkpoint.
    tamper(
        &db,
        "DELETE FROM audit_events WHERE seq >= 2; \
         UPDATE audit_chain_head SET seq = 1, hash = (SELECT hash FROM audit_events WHERE seq = 1)",
    )
    .await;
    assert!(verify(&dir, &[]).status.success());
    let cut = verify(&dir, &["--checkpoint", &checkpoint]);
    assert_eq!(cut.status.code(), Some(1));
    assert!(
        text(&cut.stderr).contains(&format!("no longer holds checkpoint {checkpoint}")),
        "{}",
        text(&cut.stderr)
    );
}

/// A sign-in name typed with CR, LF and an ANSI colour: the failure record keeps it as
/// typed, and both `audit list` and a `verify` break message print it escaped.
#[tokio::test]
async fn control_characters_in_recorded_names_print_escaped() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().display().to_string();
    init(&dir);
    let db = data.path().join("roster.db");
    let hostile = "eve\r\n2026-01-01T00:00:00Z  success  Add user  actor=system\x1b[31m";
    record_hostile_sign_in(&db, hostile).await;

    let listed = roster(&["audit", "list", "--data-dir", &dir]);
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    let out = text(&listed.stdout);
    assert!(!out.contains(['\r', '\x1b']), "{out:?}");
    assert_eq!(out.lines().count(), 3, "one line per record: {out}");
    let escaped = "actor=eve\\r\\n2026-01-01t00:00:00z  success  add user  actor=system\\u{1b}[31m";
    assert!(out.contains(escaped), "{out}");
    assert!(verify(&dir, &[]).status.success());

    lift_append_only_guard(&db).await;
    let recolour = "UPDATE audit_events SET action = action || char(27) || '[2J' WHERE seq = 3";
    tamper(&db, recolour).await;
    let broken = verify(&dir, &[]);
    assert_eq!(broken.status.code(), Some(1));
    let message = text(&broken.stderr);
    assert!(!message.contains('\x1b') && message.contains("record 3"), "{message:?}");
}

/// Signs in with the hostile name through the use case, and checks the record keeps it.
async fn record_hostile_sign_in(db: &Path, name: &str) {
    use directory::{Caller, Code, Directory, SystemClock};
    use std::sync::Arc;
    let store = store_sqlite::SqliteStore::open(db).await.unwrap();
    let directory = Directory::new(Arc::new(store), Arc::new(SystemClock));
    // Names of objects refuse control characters outright.
    let password = directory::password::Password::parse("a long enough passphrase", None).unwrap();
    let upn = directory::upn::UserPrincipalName::parse("eve@contoso.com").unwrap();
    let new = directory::user::NewUser::new(upn, "Eve\r\n\x1b[31mAdmin", password);
    let refused = directory.create_user(&Caller::system(), new).await.unwrap_err();
    assert_eq!(refused.code(), Code::InvalidValue);
    // A typed sign-in name is recorded as given (lower-cased, as sign-in names are keyed).
    let lifetime = time::Duration::hours(1);
    assert!(directory.sign_in(name, "a wrong passphrase", lifetime).await.is_err());
    let events = directory
        .audit_events(&Caller::system(), &Default::default())
        .await
        .unwrap();
    assert_eq!(events.len(), 3);
    assert_eq!(events[0].actor, name.to_lowercase());
    assert_eq!(events[0].target, name.to_lowercase());
}
