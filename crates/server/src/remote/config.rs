//! The remote CLI's saved login: `server` and `token` in a TOML file, by default
//! `$XDG_CONFIG_HOME/roster/cli.toml` or `~/.config/roster/cli.toml` (`ROSTER_CLI_CONFIG`
//! names another), written with mode 0600.
//!
//! `--server` (or `ROSTER_SERVER`) overrides the saved server, and `ROSTER_TOKEN` the saved
//! token. The saved token is only ever sent to the server it was saved for.

use super::Failure;
use crate::cli::RemoteArgs;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

/// What `roster serve` listens on by default, for a `login` without `--server`.
pub(crate) const DEFAULT_SERVER: &str = "http://127.0.0.1:8080";

/// The file's contents; both keys optional.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CliConfig {
    pub(crate) server: Option<String>,
    pub(crate) token: Option<String>,
}

/// The server and token a remote command uses.
#[derive(Clone)]
pub(crate) struct Target {
    pub(crate) server: String,
    pub(crate) token: String,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("server", &self.server)
            .finish_non_exhaustive()
    }
}

/// Where the login is saved.
pub(crate) fn path() -> Result<PathBuf, Failure> {
    if let Some(path) = non_empty_env("ROSTER_CLI_CONFIG") {
        return Ok(PathBuf::from(path));
    }
    if let Some(dir) = non_empty_env("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|d| d.is_absolute())
    {
        return Ok(dir.join("roster").join("cli.toml"));
    }
    match non_empty_env("HOME") {
        Some(home) => Ok(PathBuf::from(home).join(".config").join("roster").join("cli.toml")),
        None => Err(Failure::usage(
            "cannot tell where to keep the CLI config: set ROSTER_CLI_CONFIG, XDG_CONFIG_HOME or HOME",
        )),
    }
}

/// The token from `ROSTER_TOKEN`, if set.
pub(crate) fn env_token() -> Option<String> {
    non_empty_env("ROSTER_TOKEN").map(|token| token.trim().to_owned())
}

fn non_empty_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.trim().is_empty())
}

/// Reads the file; a missing file is an empty config.
pub(crate) fn load(path: &Path) -> Result<CliConfig, Failure> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(CliConfig::default()),
        Err(error) => return Err(Failure::usage(format!("cannot read {}: {error}", path.display()))),
    };
    warn_if_readable_by_others(path);
    toml::from_str(&text).map_err(|error| Failure::usage(format!("bad CLI config file {}: {error}", path.display())))
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(metadata) = std::fs::metadata(path)
        && metadata.permissions().mode() & 0o077 != 0
    {
        eprintln!(
            "warning: {} holds a token and is readable by others; run `chmod 600 {}`",
            path.display(),
            path.display()
        );
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_path: &Path) {}

/// Writes the file with mode 0600 (its directory 0700 when created): a new file beside it,
/// renamed over the old one, so a reader never sees half a file.
pub(crate) fn save(path: &Path, config: &CliConfig) -> Result<(), Failure> {
    let failed = |error: std::io::Error| Failure::usage(format!("cannot write {}: {error}", path.display()));
    let text = toml::to_string(config).map_err(|error| Failure::usage(format!("cannot encode the config: {error}")))?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    create_private_dir(dir).map_err(failed)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("cli.toml");
    let temporary = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = write_private(&temporary, text.as_bytes()).and_then(|()| std::fs::rename(&temporary, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written.map_err(failed)
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// A server URL in one form: a scheme (http:// when none is given), no trailing slash and
/// no trailing `/v1.0`, so `127.0.0.1:8080/` and `http://127.0.0.1:8080` are the same.
pub(crate) fn normalize_server(text: &str) -> Result<String, Failure> {
    let text = text.trim();
    let with_scheme = if text.contains("://") {
        text.to_owned()
    } else {
        format!("http://{text}")
    };
    let mut url = reqwest::Url::parse(&with_scheme)
        .map_err(|error| Failure::usage(format!("bad server URL '{text}': {error}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(Failure::usage(format!(
            "bad server URL '{text}': use http://host:port or https://host"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Failure::usage(format!(
            "bad server URL '{text}': it takes no query or fragment"
        )));
    }
    let path = url.path().trim_end_matches('/');
    let path = path.strip_suffix("/v1.0").unwrap_or(path).to_owned();
    url.set_path(&path);
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// The server and token for a command other than `login`.
pub(crate) fn target(args: &RemoteArgs) -> Result<Target, Failure> {
    let path = path()?;
    let saved = load(&path)?;
    let saved_server = saved.server.as_deref().map(normalize_server).transpose()?;
    let server = match &args.server {
        Some(server) => normalize_server(server)?,
        None => saved_server.clone().ok_or_else(|| {
            Failure::usage("no server: run `roster login --server http://HOST:PORT` first, or pass --server")
        })?,
    };
    if let Some(token) = env_token() {
        return Ok(Target { server, token });
    }
    match saved.token {
        Some(token) if saved_server.as_deref() == Some(server.as_str()) => Ok(Target { server, token }),
        _ => Err(Failure::usage(format!(
            "no token for {server}: run `roster login --server {server}`, or set ROSTER_TOKEN"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::normalize_server;

    #[test]
    fn server_urls_have_one_form() {
        for (given, expected) in [
            ("127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
            ("https://roster.contoso.com/v1.0/", "https://roster.contoso.com"),
            ("https://contoso.com/roster/", "https://contoso.com/roster"),
        ] {
            assert_eq!(normalize_server(given).unwrap(), expected, "{given}");
        }
        for bad in ["ftp://host", "http://", "http://host/?a=1"] {
            assert!(normalize_server(bad).is_err(), "{bad}");
        }
    }
}
