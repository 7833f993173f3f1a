//! The command line. Every storage and server option can also come from a `ROSTER_*`
//! environment variable or the config file; a flag wins over both.

use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "roster",
    version,
    about = "A self-hosted organisation directory with a 30-day recycle bin"
)]
pub struct Cli {
    /// More log output (-v debug, -vv trace). RUST_LOG overrides it.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the organisation and its first Global Administrator, and print its password.
    Init(InitArgs),
    /// Run the server (health endpoint and the purge job), initialising an empty data
    /// directory on first start.
    Serve(ServeArgs),
    /// Manage bearer tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Show or change the organisation's settings, straight from the database.
    #[command(subcommand)]
    Tenant(TenantCommand),
}

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Print the name, verified domains, retention and licence-overage policy.
    Show(StorageOnly),
    /// Change the name, the retention of deleted users, or the licence-overage policy.
    Set(TenantSetArgs),
    /// Add a verified domain.
    AddDomain(AddDomainArgs),
}

#[derive(Debug, Clone, Args)]
pub struct StorageOnly {
    #[command(flatten)]
    pub storage: StorageArgs,
}

#[derive(Debug, Clone, Args)]
pub struct TenantSetArgs {
    #[command(flatten)]
    pub storage: StorageArgs,
    #[arg(long)]
    pub name: Option<String>,
    /// How long deleted users stay restorable, e.g. 30d, 7d, 12h. Applies at once to users
    /// already in the recycle bin.
    #[arg(long)]
    pub retention: Option<String>,
    /// What a restore does with a licence that has no free seat: `refuse` (drop it and
    /// report it) or `allow` (over-assign, as Entra does).
    #[arg(long)]
    pub license_overage: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct AddDomainArgs {
    #[command(flatten)]
    pub storage: StorageArgs,
    /// The domain, e.g. fabrikam.com.
    pub domain: String,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Print a new bearer token for automation or recovery, straight from the database.
    Issue(TokenIssueArgs),
}

/// Where the directory is stored.
#[derive(Debug, Clone, Args, Default)]
pub struct StorageArgs {
    /// Data directory for the embedded SQLite database [default: ./roster-data].
    #[arg(long, env = "ROSTER_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Use PostgreSQL instead of SQLite, e.g. postgres://user@host/db.
    #[arg(long, env = "ROSTER_DATABASE_URL")]
    pub database_url: Option<String>,
    /// A TOML config file (keys: data_dir, database_url, listen, purge_interval, domain,
    /// organization).
    #[arg(long, env = "ROSTER_CONFIG")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct InitArgs {
    #[command(flatten)]
    pub storage: StorageArgs,
    /// The organisation's first verified domain, e.g. contoso.com.
    #[arg(long, env = "ROSTER_DOMAIN")]
    pub domain: Option<String>,
    /// The organisation's name [default: the domain].
    #[arg(long, env = "ROSTER_ORGANIZATION")]
    pub organization: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub init: InitArgs,
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "ROSTER_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// How often the purge job looks for users whose retention ended, e.g. 60s, 5m
    /// [default: 60s].
    #[arg(long, env = "ROSTER_PURGE_INTERVAL")]
    pub purge_interval: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct TokenIssueArgs {
    #[command(flatten)]
    pub storage: StorageArgs,
    /// A role the token acts with (display name or template id); repeat for several.
    #[arg(long = "role", required = true)]
    pub roles: Vec<String>,
    /// A name that says what the token is for (shown in the audit log).
    #[arg(long, default_value = "cli")]
    pub name: String,
    /// Lifetime, e.g. 90d, 12h [default: 90d].
    #[arg(long, default_value = "90d")]
    pub expires_in: String,
}
