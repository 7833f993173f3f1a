//! Which schema a backup holds and where it may be restored: the server's version, the
//! schema the URL's search path selects, and the archive's table of contents as
//! `pg_restore --list` prints it (`ID; CATALOG OID TYPE SCHEMA NAME OWNER`).

use anyhow::{Context, Result, anyhow, bail};
use sqlx::PgConnection;

/// The server's major version, e.g. 15.
pub(super) async fn server_major(connection: &mut PgConnection) -> Result<u32> {
    let number: String = sqlx::query_scalar("SHOW server_version_num")
        .fetch_one(connection)
        .await
        .context("cannot read the server version")?;
    let number: u32 = number.parse().context("the server version")?;
    Ok(number / 10_000)
}

/// The schema Roster's tables are in: the first existing schema of the search path.
pub(super) async fn current(connection: &mut PgConnection) -> Result<String> {
    let schema: Option<String> = sqlx::query_scalar("SELECT current_schema()")
        .fetch_one(connection)
        .await?;
    schema.ok_or_else(|| anyhow!("the database URL's search path names no existing schema"))
}

/// The schema a restore writes to: the first schema the search path names, whether it
/// exists yet or not (`"$user"` counts only when that schema exists, as in PostgreSQL).
async fn target(connection: &mut PgConnection) -> Result<String> {
    let path: String = sqlx::query_scalar("SHOW search_path")
        .fetch_one(&mut *connection)
        .await?;
    for entry in path.split(',').map(unquote) {
        if entry != "$user" {
            return Ok(entry);
        }
        let user: String = sqlx::query_scalar("SELECT current_user::text")
            .fetch_one(&mut *connection)
            .await?;
        if exists(connection, &user).await? {
            return Ok(user);
        }
    }
    bail!("the database URL's search path ('{path}') names no schema")
}

fn unquote(entry: &str) -> String {
    let entry = entry.trim();
    match entry.strip_prefix('"').and_then(|e| e.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => entry.to_owned(),
    }
}

async fn exists(connection: &mut PgConnection, schema: &str) -> Result<bool> {
    Ok(
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)")
            .bind(schema)
            .fetch_one(connection)
            .await?,
    )
}

/// Refuses a target schema other than the archive's, or one holding anything; returns
/// whether the schema exists already.
pub(super) async fn check_target(connection: &mut PgConnection, archived: &str) -> Result<bool> {
    let target = target(connection).await?;
    if target != archived {
        bail!(
            "this backup holds the schema '{archived}', but the database URL selects '{target}'; \
             restore into a URL whose search path is '{archived}' (options[search_path]={archived}). \
             Nothing was changed."
        );
    }
    if !exists(connection, &target).await? {
        return Ok(false);
    }
    let relations: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1",
    )
    .bind(&target)
    .fetch_one(connection)
    .await?;
    if relations > 0 {
        bail!(
            "the schema '{target}' is not empty ({relations} tables, indexes or sequences); restore only \
             into a new database or an empty schema. Nothing was changed."
        );
    }
    Ok(true)
}

/// The schema of the archive's `users` table; fails for an archive that is not Roster's.
pub(super) fn of_archive(contents: &str) -> Result<String> {
    let schemas: Vec<&str> = entries(contents)
        .filter(|words| words[3] == "TABLE" && words.get(5) == Some(&"users"))
        .map(|words| words[4])
        .collect();
    match schemas.as_slice() {
        [schema] => Ok((*schema).to_owned()),
        [] => bail!("the archive holds no Roster directory (no users table)"),
        _ => bail!(
            "the archive holds more than one Roster directory ({})",
            schemas.join(", ")
        ),
    }
}

/// Fails when the archive's `_sqlx_migrations` rows (`copy`, the data-only script of that
/// table) name a migration this build does not know: the backup was made by a newer (or a
/// different) Roster, whose schema this one cannot run on.
pub(super) fn refuse_unknown_migrations(copy: &str, known: &[i64]) -> Result<()> {
    let mut unknown: Vec<i64> = migration_versions(copy)?
        .into_iter()
        .filter(|version| !known.contains(version))
        .collect();
    unknown.sort_unstable();
    if let Some(newest) = unknown.last() {
        bail!(
            "the backup was made by another Roster version: its database has migration {newest}, \
             which this Roster does not know (it knows up to {}); restore it with that version. \
             Nothing was restored.",
            known.iter().max().copied().unwrap_or_default()
        );
    }
    Ok(())
}

/// The versions in the `COPY … _sqlx_migrations … FROM stdin;` block of a script.
fn migration_versions(copy: &str) -> Result<Vec<i64>> {
    let mut lines = copy.lines().skip_while(|line| {
        !(line.starts_with("COPY ") && line.contains("_sqlx_migrations") && line.ends_with("FROM stdin;"))
    });
    if lines.next().is_none() {
        bail!("the archive holds no migration history (_sqlx_migrations)");
    }
    lines
        .take_while(|line| *line != "\\.")
        .map(|row| {
            let version = row.split('\t').next().unwrap_or_default();
            version
                .parse()
                .with_context(|| format!("a migration version '{version}' in the archive"))
        })
        .collect()
}

/// The archive's list without what the target already has: the schema itself when it
/// exists, and comments on schemas (which only their owner may set).
pub(super) fn entries_to_restore(contents: &str, schema: &str, schema_exists: bool) -> String {
    let mut kept = String::new();
    for line in contents.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let is_schema = words.get(3..6) == Some(&["SCHEMA", "-", schema][..]);
        let is_schema_comment = words.get(3..6).is_some_and(|w| w[0] == "COMMENT" && w[2] == "SCHEMA");
        let already_there = is_schema_comment || (is_schema && schema_exists);
        if !already_there {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    kept
}

/// The entry lines (not comments) as words, each with at least a type and a schema.
fn entries(contents: &str) -> impl Iterator<Item = Vec<&str>> {
    contents
        .lines()
        .filter(|line| !line.starts_with(';'))
        .map(|line| line.split_whitespace().collect::<Vec<_>>())
        .filter(|words| words.len() >= 5)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &str = ";\n; Archive created at …\n;\n\
        6; 2615 16387 SCHEMA - roster postgres\n\
        3345; 0 0 COMMENT - SCHEMA roster postgres\n\
        215; 1259 16388 TABLE roster users postgres\n\
        3341; 0 16388 TABLE DATA roster users postgres\n";

    #[test]
    fn the_archive_names_its_schema_and_the_list_drops_what_exists() {
        assert_eq!(of_archive(LIST).unwrap(), "roster");
        assert!(of_archive("215; 1259 16388 TABLE roster groups postgres\n").is_err());
        let fresh = entries_to_restore(LIST, "roster", false);
        assert!(fresh.contains("SCHEMA - roster") && !fresh.contains("COMMENT"));
        let existing = entries_to_restore(LIST, "roster", true);
        assert!(!existing.contains("SCHEMA - roster") && existing.contains("TABLE roster users"));
        assert_eq!(unquote(" \"My\"\"Schema\" "), "My\"Schema");
    }

    #[test]
    fn a_migration_this_build_does_not_know_refuses_the_backup() {
        let copy = "SET x = 0;\n\
            COPY roster._sqlx_migrations (version, description) FROM stdin;\n\
            1\tinitial\n2\tsecond\n\\.\n\nCOPY other FROM stdin;\n99\tnot a migration\n\\.\n";
        assert!(refuse_unknown_migrations(copy, &[1, 2, 3]).is_ok());
        let refused = refuse_unknown_migrations(copy, &[1]).unwrap_err().to_string();
        assert!(
            refused.contains("migration 2") && refused.contains("knows up to 1"),
            "{refused}"
        );
        assert!(refuse_unknown_migrations("SET x = 0;\n", &[1]).is_err());
    }
}
