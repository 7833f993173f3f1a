//! What `roster backup` and `roster restore-backup` refuse: overwriting a file without
//! `--force`, restoring over data, a truncated or foreign file, a schema other than the
//! backup's, a missing `pg_dump`, and a backup made by a newer Roster (on each backend).
//! Each refusal says why and changes nothing.

use crate::support::{Backend, PG_SCHEMA, Store, line_value, roster_command, roster_fails, roster_ok, text};
use std::path::Path;

#[tokio::test]
async fn sqlite_refuses_what_it_cannot_do_safely() {
    refusals(Backend::Sqlite);
    a_backup_from_a_newer_version_is_refused().await;
}

#[tokio::test]
async fn postgres_refuses_what_it_cannot_do_safely() {
    refusals(Backend::Postgres);
    missing_pg_dump();
    a_postgres_backup_from_a_newer_version_is_refused();
}

fn path(file: &Path) -> String {
    file.display().to_string()
}

fn refusals(backend: Backend) {
    let root = tempfile::tempdir().unwrap();
    let source = Store::fresh(backend, root.path(), "source", true);
    roster_ok(&source.command(&["init", "--domain", "contoso.com"], &[]));
    let file = root.path().join("roster.backup");
    let backup = source.command(&["backup", "--output", &path(&file)], &[]);
    let printed = roster_ok(&backup);
    let checkpoint = line_value(&printed, "checkpoint: ");

    let saved = std::fs::read(&file).unwrap();
    let again = roster_fails(&backup);
    assert!(again.contains("already exists") && again.contains("--force"), "{again}");
    let mut forced = backup.clone();
    forced.push("--force".into());
    roster_ok(&forced);
    assert_eq!(std::fs::read(&file).unwrap().len(), saved.len());

    let before = source.contents();
    let over = roster_fails(&source.command(&["restore-backup", "--input", &path(&file)], &[]));
    assert!(
        over.contains("is not empty") && over.contains("Nothing was changed"),
        "{over}"
    );
    assert!(source.contents() == before, "a refused restore changed the target");
    let verified = roster_ok(&source.command(&["audit", "verify", "--checkpoint", &checkpoint], &[]));
    assert!(verified.contains("audit chain intact"), "{verified}");

    let truncated = root.path().join("truncated.backup");
    std::fs::write(&truncated, &saved[..saved.len() / 2]).unwrap();
    let foreign = root.path().join("notes.txt");
    std::fs::write(&foreign, "these are not the users you are looking for\n".repeat(50)).unwrap();
    let target = Store::fresh(backend, root.path(), "target", false);
    for damaged in [&truncated, &foreign] {
        let refused = roster_fails(&target.command(&["restore-backup", "--input", &path(damaged)], &[]));
        assert!(
            refused.contains("is not a usable Roster backup; nothing was restored"),
            "{refused}"
        );
        assert!(target.is_empty(), "a refused restore left data behind");
    }
    if backend == Backend::Postgres {
        let public = target.url_without_schema();
        let args = crate::support::strings(&["restore-backup", "--database-url", &public, "--input", &path(&file)]);
        let elsewhere = roster_fails(&args);
        assert!(elsewhere.contains("holds the schema 'roster_bk'"), "{elsewhere}");
        assert!(target.is_empty());
    }
    let restored = roster_ok(&target.command(&["restore-backup", "--input", &path(&file)], &[]));
    assert_eq!(line_value(&restored, "checkpoint: "), checkpoint);
}

/// A backup whose database has a migration this binary does not know (as one made by a
/// newer Roster would) is refused after the copy, and the data directory is left empty.
async fn a_backup_from_a_newer_version_is_refused() {
    use sqlx::Connection;
    let root = tempfile::tempdir().unwrap();
    let source = Store::fresh(Backend::Sqlite, root.path(), "source", true);
    roster_ok(&source.command(&["init", "--domain", "contoso.com"], &[]));
    let file = root.path().join("future.backup");
    roster_ok(&source.command(&["backup", "--output", &path(&file)], &[]));
    let mut connection = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path(&file)))
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (9999, 'from a newer Roster', 1, x'00', 0)",
    )
    .execute(&mut connection)
    .await
    .unwrap();
    connection.close().await.unwrap();
    let target = Store::fresh(Backend::Sqlite, root.path(), "target", false);
    let refused = roster_fails(&target.command(&["restore-backup", "--input", &path(&file)], &[]));
    assert!(refused.contains("made by another Roster version"), "{refused}");
    assert!(target.is_empty(), "the refused restore was undone");
}

/// The same on PostgreSQL: an archive of a database with a migration this binary does not
/// know is refused before anything is restored, and the target stays empty.
fn a_postgres_backup_from_a_newer_version_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let source = Store::fresh(Backend::Postgres, root.path(), "future", true);
    roster_ok(&source.command(&["init", "--domain", "contoso.com"], &[]));
    source.run_sql(&format!(
        "INSERT INTO {PG_SCHEMA}._sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (9999, 'from a newer Roster', true, '\\x00', 0)"
    ));
    let file = root.path().join("future.backup");
    let dump = std::process::Command::new("pg_dump")
        .args(["--format=custom", "--schema", PG_SCHEMA, "--file", &path(&file)])
        .arg(source.url_without_schema())
        .output()
        .unwrap();
    assert!(dump.status.success(), "{}", text(&dump.stderr));
    let target = Store::fresh(Backend::Postgres, root.path(), "target", false);
    let refused = roster_fails(&target.command(&["restore-backup", "--input", &path(&file)], &[]));
    assert!(
        refused.contains("made by another Roster version") && refused.contains("migration 9999"),
        "{refused}"
    );
    assert!(target.is_empty(), "nothing was restored");
}

/// Without `pg_dump` on PATH the backup fails before writing anything, and says what to install.
fn missing_pg_dump() {
    let root = tempfile::tempdir().unwrap();
    let source = Store::fresh(Backend::Postgres, root.path(), "nodump", true);
    roster_ok(&source.command(&["init", "--domain", "contoso.com"], &[]));
    let file = root.path().join("roster.backup");
    let empty_path = root.path().join("bin");
    std::fs::create_dir(&empty_path).unwrap();
    let output = roster_command()
        .args(source.command(&["backup", "--output", &path(&file)], &[]))
        .env("PATH", &empty_path)
        .output()
        .unwrap();
    let stderr = text(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("pg_dump was not found on PATH"), "{stderr}");
    assert!(!file.exists());
    assert_eq!(
        std::fs::read_dir(root.path()).unwrap().count(),
        1,
        "no partial file is left"
    );
}
