//! `roster audit verify` on the built binary: an intact chain passes and prints a
//! checkpoint; an edited record or a cut-off tail fails with a message naming the break.

use sqlx::Connection;
use std::path::Path;
use std::process::{Command, Output};

fn roster(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(args)
        .env_remove("ROSTER_DATA_DIR")
        .env_remove("ROSTER_DATABASE_URL")
        .output()
        .expect("the roster binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn verify(dir: &str, extra: &[&str]) -> Output {
    let mut args = vec!["audit", "verify", "--data-dir", dir];
    args.extend_from_slice(extra);
    roster(&args)
}

async fn tamper(db: &Path, sql: &str) {
    let url = format!("sqlite://{}", db.display());
    let mut connection = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(&mut connection)
        .await
        .unwrap();
    connection.close().await.unwrap();
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
    tamper(&db, "UPDATE audit_events SET target = 'someone else' WHERE seq = 2").await;
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
