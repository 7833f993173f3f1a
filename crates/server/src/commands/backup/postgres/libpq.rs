//! Running PostgreSQL's client tools (`pg_dump`, `pg_restore`) against the database a
//! Roster URL names. The URL is sqlx's, which libpq does not fully accept
//! (`options[search_path]=…`), so the tools get the connection as `PG*` variables; the
//! password never appears on a command line.

use anyhow::{Context, Result, anyhow, bail};
use sqlx::postgres::{PgConnectOptions, PgSslMode};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;

/// A client tool found on `PATH`, recent enough for the server.
#[derive(Debug)]
pub(super) struct Tool {
    name: &'static str,
}

impl Tool {
    /// Finds the tool and checks its major version against the server's.
    pub(super) fn find(name: &'static str, server_major: u32) -> Result<Tool> {
        let output = Command::new(name)
            .arg("--version")
            .output()
            .map_err(|error| match error.kind() {
                std::io::ErrorKind::NotFound => anyhow!(
                    "{name} was not found on PATH; install the PostgreSQL {server_major} client tools \
                 (Debian: postgresql-client-{server_major})"
                ),
                _ => anyhow!("cannot run {name}: {error}"),
            })?;
        let version = String::from_utf8_lossy(&output.stdout).into_owned();
        let major =
            major_version(&version).with_context(|| format!("{name} --version printed '{}'", version.trim()))?;
        if major < server_major {
            bail!(
                "{name} is version {major} but the server runs PostgreSQL {server_major}; \
                 install the PostgreSQL {server_major} client tools (or newer) and put them first on PATH"
            );
        }
        Ok(Tool { name })
    }

    /// Runs the tool on the URL's database; returns its standard output.
    pub(super) async fn run(&self, url: &str, args: Vec<String>) -> Result<String> {
        let env = connection_env(url)?;
        let name = self.name;
        let output =
            tokio::task::spawn_blocking(move || Command::new(name).arg("--no-password").args(&args).envs(env).output())
                .await?
                .with_context(|| format!("cannot run {name}"))?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            bail!("{name} failed ({}): {}", output.status, stderr.trim());
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }
}

/// `15` from `pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)`.
fn major_version(text: &str) -> Option<u32> {
    let after = text.split("(PostgreSQL)").nth(1)?.split_whitespace().next()?;
    after.split('.').next()?.parse().ok()
}

/// The `PG*` variables that make libpq connect where the URL does.
fn connection_env(url: &str) -> Result<Vec<(&'static str, String)>> {
    let options = PgConnectOptions::from_str(url).context("bad database URL")?;
    let host = match options.get_socket() {
        Some(dir) => dir.display().to_string(),
        None => options.get_host().to_owned(),
    };
    let mut env = vec![
        ("PGHOST", host),
        ("PGPORT", options.get_port().to_string()),
        ("PGUSER", options.get_username().to_owned()),
        ("PGSSLMODE", ssl_mode(options.get_ssl_mode()).to_owned()),
        ("PGAPPNAME", "roster-backup".to_owned()),
    ];
    if let Some(database) = options.get_database() {
        env.push(("PGDATABASE", database.to_owned()));
    }
    if let Some(password) = password(url) {
        env.push(("PGPASSWORD", password));
    }
    Ok(env)
}

fn ssl_mode(mode: PgSslMode) -> &'static str {
    match mode {
        PgSslMode::Disable => "disable",
        PgSslMode::Allow => "allow",
        PgSslMode::Prefer => "prefer",
        PgSslMode::Require => "require",
        PgSslMode::VerifyCa => "verify-ca",
        PgSslMode::VerifyFull => "verify-full",
    }
}

/// The password in `postgres://user:password@host/…`, percent-decoded.
fn password(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?']).next()?;
    let user_info = authority.rsplit_once('@')?.0;
    let encoded = user_info.split_once(':')?.1;
    Some(percent_decode(encoded))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `pg_restore --dbname` as a conninfo string (a bare name could be read as one).
pub(super) fn database_conninfo(url: &str) -> Result<String> {
    let options = PgConnectOptions::from_str(url).context("bad database URL")?;
    let database = options.get_database().unwrap_or(options.get_username());
    Ok(format!(
        "dbname='{}'",
        database.replace('\\', "\\\\").replace('\'', "\\'")
    ))
}

/// A schema name as a `pg_dump --schema` pattern that matches only that name.
pub(super) fn quote_pattern(schema: &str) -> String {
    format!("\"{}\"", schema.replace('"', "\"\""))
}

/// A `pg_restore --use-list` file, removed when dropped.
#[derive(Debug)]
pub(super) struct TempList {
    path: PathBuf,
}

impl TempList {
    pub(super) fn write(lines: &str) -> Result<TempList> {
        let path = std::env::temp_dir().join(format!("roster-restore-{}.list", uuid::Uuid::new_v4().simple()));
        std::fs::write(&path, lines).with_context(|| format!("cannot write {}", path.display()))?;
        Ok(TempList { path })
    }

    pub(super) fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempList {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_passwords_and_patterns() {
        assert_eq!(
            major_version("pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)\n"),
            Some(15)
        );
        assert_eq!(major_version("pg_restore (PostgreSQL) 9.6.24"), Some(9));
        assert_eq!(major_version("something else"), None);
        assert_eq!(
            password("postgres://u:s%40cret@h:5432/db?x=1").as_deref(),
            Some("s@cret")
        );
        assert_eq!(password("postgres://u@h/db"), None);
        assert_eq!(quote_pattern("ro\"ster"), "\"ro\"\"ster\"");
        assert_eq!(database_conninfo("postgres://u@h/it's").unwrap(), "dbname='it\\'s'");
    }
}
