//! Settings: a flag wins over its `ROSTER_*` environment variable (clap merges those),
//! which wins over the config file, which wins over the default. Unknown config keys and
//! malformed values are errors that name the setting.

use crate::cli::{InitArgs, ServeArgs, StorageArgs};
use anyhow::{Context, Result, bail};
use directory::upn::DomainName;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const DEFAULT_DATA_DIR: &str = "roster-data";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_DOMAIN: &str = "example.com";

/// The config file; every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    listen: Option<SocketAddr>,
    purge_interval: Option<String>,
    domain: Option<String>,
    organization: Option<String>,
    mail_interval: Option<String>,
    trusted_proxies: Option<Vec<String>>,
    rate_limit: Option<u32>,
    database_wait: Option<String>,
    audit_checkpoint_interval: Option<String>,
    audit_checkpoint_file: Option<PathBuf>,
    audit_checkpoint_key: Option<PathBuf>,
    replica_name: Option<String>,
    smtp: Option<SmtpFile>,
}

/// The config file's `[smtp]` table; `ROSTER_SMTP_<KEY>` overrides each key.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct SmtpFile {
    host: Option<String>,
    port: Option<u16>,
    tls: Option<String>,
    username: Option<String>,
    password: Option<String>,
    from: Option<String>,
    timeout: Option<String>,
    retry: Option<String>,
    ca_file: Option<String>,
}

/// Outgoing mail: where it goes, as whom, and how often the outbox is looked at.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// SMTP when a host is set, else `.eml` files in `<data dir>/outbox`.
    pub delivery: roster_mail::Delivery,
    /// The sender [default: `Roster <roster@<initial domain>>`].
    pub from: Option<String>,
    pub interval: Duration,
    /// The wait after a first failed attempt; it doubles up to an hour.
    pub retry: Duration,
    /// How long a sender may hold a message it is delivering.
    pub lease: Duration,
}

/// Where the directory lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// The embedded default: `roster.db` in a data directory.
    Sqlite {
        data_dir: PathBuf,
    },
    Postgres {
        url: String,
    },
}

impl Database {
    /// The database for display: the data directory, or the URL without its password.
    pub fn describe(&self) -> String {
        match self {
            Database::Sqlite { data_dir } => format!("SQLite in {}", data_dir.display()),
            Database::Postgres { url } => format!("PostgreSQL at {}", redact_password(url)),
        }
    }
}

/// What `init` needs.
#[derive(Debug, Clone)]
pub struct InitSettings {
    pub database: Database,
    pub domain: DomainName,
    pub organization: String,
}

/// What `serve` needs.
#[derive(Debug, Clone)]
pub struct ServeSettings {
    pub init: InitSettings,
    pub listen: SocketAddr,
    pub purge_interval: Duration,
    pub mail: MailSettings,
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Requests per bearer token and process; `None` when turned off.
    pub rate_limit: Option<roster_http::throttle::RateLimit>,
    /// How long start-up waits for an unreachable database.
    pub database_wait: Duration,
    pub audit_checkpoints: crate::checkpoint_job::CheckpointExport,
    /// This server's name in the audit records.
    pub replica: String,
}

pub fn storage(args: &StorageArgs) -> Result<Database> {
    let file = read_config(args.config.as_deref())?;
    database(args, &file)
}

pub fn init(args: &InitArgs) -> Result<InitSettings> {
    let file = read_config(args.storage.config.as_deref())?;
    init_with(args, &file)
}

pub fn serve(args: &ServeArgs) -> Result<ServeSettings> {
    let file = read_config(args.init.storage.config.as_deref())?;
    let listen = match args.listen.or(file.listen) {
        Some(listen) => listen,
        None => DEFAULT_LISTEN.parse().context("the default listen address")?,
    };
    let purge_interval = duration("purge_interval", &args.purge_interval, &file.purge_interval, "60s")?;
    let database_wait = duration("database_wait", &args.database_wait, &file.database_wait, "60s")?;
    Ok(ServeSettings {
        init: init_with(&args.init, &file)?,
        listen,
        purge_interval,
        mail: mail_settings(args, &file, |key| std::env::var(key).ok())?,
        trusted_proxies: trusted_proxies(args, &file)?,
        rate_limit: rate_limit(args.rate_limit.or(file.rate_limit)),
        database_wait,
        audit_checkpoints: audit_checkpoints(args, &file)?,
        replica: replica_name(args.replica_name.clone().or(file.replica_name.clone()), listen)?,
    })
}

/// The replica's name as given (printable, at most 64 characters), else the machine's
/// host name and the port it listens on.
fn replica_name(given: Option<String>, listen: SocketAddr) -> Result<String> {
    let Some(name) = given else {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .or_else(|| std::env::var("HOSTNAME").ok())
            .map(|host| host.trim().to_owned())
            .filter(|host| !host.is_empty())
            .unwrap_or_else(|| "roster".to_owned());
        return Ok(format!("{host}:{}", listen.port()));
    };
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        bail!("bad setting replica_name: '{name}' must be 1 to 64 printable characters");
    }
    Ok(name.to_owned())
}

fn audit_checkpoints(args: &ServeArgs, file: &ConfigFile) -> Result<crate::checkpoint_job::CheckpointExport> {
    let (flag, key) = (&args.audit_checkpoint_interval, &file.audit_checkpoint_interval);
    Ok(crate::checkpoint_job::CheckpointExport {
        interval: duration("audit_checkpoint_interval", flag, key, "1h")?,
        file: args
            .audit_checkpoint_file
            .clone()
            .or(file.audit_checkpoint_file.clone()),
        key: args.audit_checkpoint_key.clone().or(file.audit_checkpoint_key.clone()),
    })
}

/// `per_second` requests a second with bursts of twice that (1000 by default); 0 is off.
fn rate_limit(per_second: Option<u32>) -> Option<roster_http::throttle::RateLimit> {
    let Some(per_second) = per_second else {
        return Some(roster_http::throttle::RateLimit::DEFAULT);
    };
    let per_second = std::num::NonZeroU32::new(per_second)?;
    Some(roster_http::throttle::RateLimit {
        per_second,
        burst: per_second.saturating_mul(std::num::NonZeroU32::MIN.saturating_add(1)),
    })
}

/// `--trusted-proxy` (or `ROSTER_TRUSTED_PROXIES`), else the config file's list.
fn trusted_proxies(args: &ServeArgs, file: &ConfigFile) -> Result<Vec<ipnet::IpNet>> {
    let texts = if args.trusted_proxies.is_empty() {
        file.trusted_proxies.clone().unwrap_or_default()
    } else {
        args.trusted_proxies.clone()
    };
    texts
        .iter()
        .map(|text| {
            roster_web::client_ip::parse_trusted_proxy(text).ok_or_else(|| {
                anyhow::anyhow!("bad setting trusted_proxies: '{text}' is not an address or a range like 10.0.0.0/8")
            })
        })
        .collect()
}

/// The `[smtp]` table under `ROSTER_SMTP_*`, and the mail interval.
fn mail_settings(args: &ServeArgs, file: &ConfigFile, env: impl Fn(&str) -> Option<String>) -> Result<MailSettings> {
    let table = file.smtp.clone().unwrap_or_default();
    let get = |key: &str, value: Option<String>| env(&format!("ROSTER_SMTP_{}", key.to_uppercase())).or(value);
    let timeout = parse_duration(
        "smtp.timeout",
        get("timeout", table.timeout).as_deref().unwrap_or("10s"),
    )?;
    let retry = parse_duration("smtp.retry", get("retry", table.retry).as_deref().unwrap_or("60s"))?;
    let interval = duration("mail_interval", &args.mail_interval, &file.mail_interval, "5s")?;
    let delivery = match get("host", table.host).filter(|host| !host.trim().is_empty()) {
        None => {
            let data_dir = args.init.storage.data_dir.clone().or(file.data_dir.clone());
            roster_mail::Delivery::Files(
                data_dir
                    .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR))
                    .join("outbox"),
            )
        }
        Some(host) => {
            let tls_text = get("tls", table.tls).unwrap_or_else(|| "starttls".into());
            let tls = roster_mail::Tls::parse(&tls_text)
                .ok_or_else(|| anyhow::anyhow!("bad setting smtp.tls: '{tls_text}' is none, starttls or tls"))?;
            let port = match env("ROSTER_SMTP_PORT") {
                Some(text) => text
                    .parse()
                    .map_err(|_| anyhow::anyhow!("bad setting smtp.port: '{text}' is not a port number"))?,
                None => table.port.unwrap_or(tls.default_port()),
            };
            let username = get("username", table.username);
            let password = get("password", table.password);
            let credentials = match (username, password) {
                (Some(user), Some(password)) => Some((user, password)),
                (None, None) => None,
                _ => bail!("bad setting smtp: set both username and password, or neither"),
            };
            roster_mail::Delivery::Smtp(roster_mail::SmtpConfig {
                host,
                port,
                tls,
                credentials,
                timeout,
                ca_file: get("ca_file", table.ca_file).map(PathBuf::from),
            })
        }
    };
    Ok(MailSettings {
        delivery,
        from: get("from", table.from),
        interval,
        retry,
        lease: timeout * 4 + Duration::from_secs(10),
    })
}

fn init_with(args: &InitArgs, file: &ConfigFile) -> Result<InitSettings> {
    let domain_text = args.domain.clone().or(file.domain.clone());
    let domain_text = domain_text.as_deref().unwrap_or(DEFAULT_DOMAIN);
    let domain = DomainName::parse(domain_text)
        .map_err(|_| anyhow::anyhow!("bad setting domain: '{domain_text}' is not a domain name"))?;
    let organization = args
        .organization
        .clone()
        .or(file.organization.clone())
        .unwrap_or_else(|| domain.to_string());
    Ok(InitSettings {
        database: database(&args.storage, file)?,
        domain,
        organization,
    })
}

fn database(args: &StorageArgs, file: &ConfigFile) -> Result<Database> {
    if let Some(url) = args.database_url.clone().or(file.database_url.clone()) {
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            bail!(
                "bad setting database_url: expected postgres://…, got '{}'",
                redact_password(&url)
            );
        }
        return Ok(Database::Postgres { url });
    }
    let data_dir = args.data_dir.clone().or(file.data_dir.clone());
    Ok(Database::Sqlite {
        data_dir: data_dir.unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR)),
    })
}

fn read_config(path: Option<&Path>) -> Result<ConfigFile> {
    let Some(path) = path else {
        return Ok(ConfigFile::default());
    };
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read config file {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("bad config file {}", path.display()))
}

/// A duration setting: its flag (or environment variable), else its config file key, else
/// `default`.
fn duration(setting: &str, flag: &Option<String>, key: &Option<String>, default: &str) -> Result<Duration> {
    parse_duration(setting, flag.as_deref().or(key.as_deref()).unwrap_or(default))
}

/// `45s`, `5m`, `1h` or `90d`, at least one second; `setting` names it in errors.
pub fn parse_duration(setting: &str, text: &str) -> Result<Duration> {
    let bad = || anyhow::anyhow!("bad setting {setting}: '{text}' is not a duration such as 60s, 5m, 1h or 90d");
    let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let count: u64 = text[..split].parse().map_err(|_| bad())?;
    let seconds = match &text[split..] {
        "s" => count,
        "m" => count * 60,
        "h" => count * 3600,
        "d" => count * 86_400,
        _ => return Err(bad()),
    };
    if seconds == 0 {
        return Err(bad());
    }
    Ok(Duration::from_secs(seconds))
}

fn redact_password(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_limit_defaults_to_a_thousand_a_second_and_zero_turns_it_off() {
        use roster_http::throttle::RateLimit;
        assert_eq!(rate_limit(None), Some(RateLimit::DEFAULT));
        assert_eq!(rate_limit(Some(0)), None);
        let five = rate_limit(Some(5)).unwrap();
        assert_eq!((five.per_second.get(), five.burst.get()), (5, 10));
    }

    #[test]
    fn the_replica_is_named_as_given_else_by_host_and_port() {
        let listen: SocketAddr = "127.0.0.1:8443".parse().unwrap();
        assert_eq!(replica_name(Some(" eu-1 ".into()), listen).unwrap(), "eu-1");
        let default = replica_name(None, listen).unwrap();
        assert!(default.ends_with(":8443") && default.len() > ":8443".len(), "{default}");
        for bad in ["", "  ", "two\nlines", &"x".repeat(65)] {
            let error = replica_name(Some(bad.into()), listen).unwrap_err().to_string();
            assert!(error.contains("bad setting replica_name"), "{bad:?}: {error}");
        }
    }

    #[test]
    fn intervals_and_redaction() {
        assert_eq!(parse_duration("x", "90s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("x", "5m").unwrap(), Duration::from_secs(300));
        assert_eq!(parse_duration("x", "2d").unwrap(), Duration::from_secs(172_800));
        assert!(parse_duration("x", "0s").is_err());
        assert!(parse_duration("x", "soon").is_err());
        assert!(
            parse_duration("x", "10")
                .unwrap_err()
                .to_string()
                .contains("bad setting x")
        );
        assert_eq!(redact_password("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact_password("postgres://u@h/db"), "postgres://u@h/db");
    }

    #[test]
    fn the_config_file_fills_what_flags_leave_open_and_refuses_unknown_keys() {
        let file: ConfigFile = toml::from_str("data_dir = \"/srv/roster\"\ndomain = \"contoso.com\"").unwrap();
        let args = InitArgs {
            storage: StorageArgs::default(),
            domain: None,
            organization: None,
        };
        let settings = init_with(&args, &file).unwrap();
        assert_eq!(
            settings.database,
            Database::Sqlite {
                data_dir: "/srv/roster".into()
            }
        );
        assert_eq!(settings.domain.as_str(), "contoso.com");
        let flagged = InitArgs {
            domain: Some("fabrikam.com".into()),
            ..args
        };
        assert_eq!(init_with(&flagged, &file).unwrap().domain.as_str(), "fabrikam.com");
        assert!(toml::from_str::<ConfigFile>("colour = \"blue\"").is_err());
    }

    #[test]
    fn smtp_comes_from_the_table_and_roster_smtp_variables_else_mail_goes_to_files() {
        use clap::Parser;
        let cli = crate::cli::Cli::try_parse_from(["roster", "serve", "--data-dir", "/srv/roster"]).unwrap();
        let crate::cli::Command::Serve(args) = cli.command else {
            panic!("a serve command");
        };
        let no_env = |_: &str| None;
        let files = mail_settings(&args, &ConfigFile::default(), no_env).unwrap();
        assert_eq!(
            files.delivery,
            roster_mail::Delivery::Files("/srv/roster/outbox".into())
        );
        assert_eq!(
            (files.interval, files.retry),
            (Duration::from_secs(5), Duration::from_secs(60))
        );

        let file: ConfigFile = toml::from_str("[smtp]\nhost = \"mail.contoso.com\"\nusername = \"roster\"").unwrap();
        let env = |key: &str| (key == "ROSTER_SMTP_PASSWORD").then(|| "secret".to_owned());
        let smtp = mail_settings(&args, &file, env).unwrap();
        let roster_mail::Delivery::Smtp(config) = smtp.delivery else {
            panic!("SMTP when a host is set");
        };
        assert_eq!((config.port, config.tls), (587, roster_mail::Tls::StartTls));
        assert_eq!(config.credentials, Some(("roster".into(), "secret".into())));
        assert!(
            !format!("{config:?}").contains("secret"),
            "the password stays out of logs"
        );
        assert_eq!(smtp.lease, Duration::from_secs(50));

        let tls = |key: &str| (key == "ROSTER_SMTP_TLS").then(|| "ssl".to_owned());
        let error = mail_settings(&args, &file, tls).unwrap_err().to_string();
        assert!(error.contains("bad setting smtp.tls"), "{error}");
        let error = mail_settings(&args, &file, no_env).unwrap_err().to_string();
        assert!(error.contains("both username and password"), "{error}");
        assert!(toml::from_str::<ConfigFile>("[smtp]\nhots = \"x\"").is_err());
    }
}
