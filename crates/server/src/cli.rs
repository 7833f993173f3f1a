//! The command line. Every storage and server option can also come from a `ROSTER_*`
//! environment variable or the config file; a flag wins over both. The remote commands
//! (`login`, `logout`, `users`, `deleted`) talk to a running server over HTTP instead.

use clap::{Args, Parser, Subcommand, ValueEnum};
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
    /// Manage app registrations (client-credentials sign-in), straight from the database.
    #[command(subcommand)]
    App(AppCommand),
    /// Read the audit log or check its hash chain, straight from the database.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Save a consistent copy of the database to a file, while the server runs.
    Backup(BackupArgs),
    /// Load a file that `roster backup` wrote into an empty data directory or database.
    RestoreBackup(RestoreBackupArgs),
    /// Check a bearer token against a running server and save both for the remote commands.
    Login(LoginArgs),
    /// Forget the token that `roster login` saved.
    Logout,
    /// Users of a running server: list, create, delete (remote).
    #[command(subcommand)]
    Users(UsersCommand),
    /// The recycle bin of a running server: list, restore, purge (remote).
    #[command(subcommand)]
    Deleted(DeletedCommand),
}

/// Which server a remote command talks to. The token comes from `ROSTER_TOKEN` or from
/// what `roster login` saved, never from a flag, so it stays out of shell history.
#[derive(Debug, Clone, Args, Default)]
pub struct RemoteArgs {
    /// The server's base URL, e.g. http://127.0.0.1:8080 [default: the one `roster login`
    /// saved].
    #[arg(long, env = "ROSTER_SERVER")]
    pub server: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct LoginArgs {
    #[command(flatten)]
    pub remote: RemoteArgs,
    /// Read the token from the first line of standard input. Without it the token comes
    /// from `ROSTER_TOKEN`, or is asked for on the terminal without echo.
    #[arg(long)]
    pub token_stdin: bool,
}

/// `--json`, and the server, for the list commands.
#[derive(Debug, Clone, Args)]
pub struct RemoteListArgs {
    #[command(flatten)]
    pub remote: RemoteArgs,
    /// Print JSON (an array of objects) instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Items per page requested from the server (`$top`); every page is read.
    #[arg(long, default_value_t = 999, value_parser = clap::value_parser!(u16).range(1..=999))]
    pub page_size: u16,
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// List every user, all pages.
    List(RemoteListArgs),
    /// Create a user; its password is read from standard input or generated and printed once.
    Create(UserCreateArgs),
    /// Delete users: they go to the recycle bin.
    Delete(UserDeleteArgs),
}

#[derive(Debug, Clone, Args)]
pub struct UserCreateArgs {
    #[command(flatten)]
    pub remote: RemoteArgs,
    /// The user principal name, e.g. alice@contoso.com.
    pub upn: String,
    #[arg(long)]
    pub display_name: String,
    /// Read the password from the first line of standard input [default: generate one].
    #[arg(long)]
    pub password_stdin: bool,
    /// Require a new password at first sign-in.
    #[arg(long)]
    pub force_change: bool,
    /// Print the created user as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Args)]
pub struct UserDeleteArgs {
    #[command(flatten)]
    pub remote: RemoteArgs,
    /// User principal names or ids.
    #[arg(required = true, value_name = "UPN_OR_ID")]
    pub users: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum DeletedCommand {
    /// List deleted users with the days left before they are purged.
    List(RemoteListArgs),
    /// Restore deleted users with the admin center's options, in batches.
    Restore(RestoreArgs),
    /// Delete users from the recycle bin for good.
    Purge(PurgeArgs),
}

/// What a restore does with the password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum PasswordChoice {
    /// Keep the password the user had.
    #[default]
    Keep,
    /// Generate a new one per user, shown once.
    Auto,
    /// Ask for one (without echo; from standard input when it is not a terminal) and set
    /// it on every restored user.
    Prompt,
}

#[derive(Debug, Clone, Args)]
pub struct RestoreArgs {
    #[command(flatten)]
    pub remote: RemoteArgs,
    /// Original user principal names or ids of deleted users.
    #[arg(required = true, value_name = "UPN_OR_ID")]
    pub users: Vec<String>,
    /// Restore under this user principal name (also the primary address); one user only.
    #[arg(long, value_name = "UPN")]
    pub new_upn: Option<String>,
    /// Drop addresses that another object holds from the restored user.
    #[arg(long)]
    pub auto_reconcile_proxies: bool,
    /// When an active user holds the name, rename that user to
    /// `<alias>.replaced.<yyyymmdd>@<domain>` instead of failing.
    #[arg(long)]
    pub replace_active: bool,
    #[arg(long, value_enum, default_value_t = PasswordChoice::Keep)]
    pub password: PasswordChoice,
    /// Require a new password at next sign-in.
    #[arg(long)]
    pub force_change: bool,
    /// Write the results as CSV to this file (never the generated passwords).
    #[arg(long, value_name = "FILE")]
    pub log: Option<PathBuf>,
    /// Print the results as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Users per request.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub batch_size: u16,
}

#[derive(Debug, Clone, Args)]
pub struct PurgeArgs {
    #[command(flatten)]
    pub remote: RemoteArgs,
    /// Original user principal names or ids of deleted users.
    #[arg(required = true, value_name = "UPN_OR_ID")]
    pub users: Vec<String>,
    /// Do not ask for confirmation (required when standard input is not a terminal).
    #[arg(long)]
    pub yes: bool,
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

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walk the hash chain and exit non-zero at the first broken link; prints a checkpoint.
    Verify(AuditVerifyArgs),
    /// Print the newest audit records, oldest first, with control characters escaped.
    List(AuditListArgs),
}

#[derive(Debug, Clone, Args)]
pub struct AuditListArgs {
    #[command(flatten)]
    pub storage: StorageArgs,
    /// How many of the newest records to print (at most 1000).
    #[arg(long, default_value_t = 100)]
    pub limit: u32,
}

#[derive(Debug, Clone, Args)]
pub struct AuditVerifyArgs {
    #[command(flatten)]
    pub storage: StorageArgs,
    /// A checkpoint (`SEQ:HASH`) printed by an earlier run: the chain must still hold it.
    #[arg(long)]
    pub checkpoint: Option<String>,
    /// A checkpoint file written by `serve --audit-checkpoint-file`: the chain must hold
    /// every line of it.
    #[arg(long, value_name = "PATH")]
    pub checkpoint_file: Option<PathBuf>,
    /// The server's public key (`ed25519:…`, or the `.pub` file beside its key): every
    /// line of the checkpoint file must carry a signature by it.
    #[arg(long, value_name = "KEY", requires = "checkpoint_file")]
    pub public_key: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct BackupArgs {
    #[command(flatten)]
    pub storage: StorageArgs,
    /// The file to write: a SQLite database file, or a `pg_dump` custom-format archive.
    #[arg(long, value_name = "PATH")]
    pub output: PathBuf,
    /// Replace the file if it exists.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Args)]
pub struct RestoreBackupArgs {
    #[command(flatten)]
    pub storage: StorageArgs,
    /// A file written by `roster backup`.
    #[arg(long, value_name = "PATH")]
    pub input: PathBuf,
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
    /// The language of mail to people without a preferred language, e.g. en or nl-NL.
    #[arg(long)]
    pub mail_language: Option<String>,
    /// The address people open links from mail at, e.g. https://roster.contoso.com (`""`
    /// clears it). Set-password links need it.
    #[arg(long)]
    pub public_url: Option<String>,
    /// Whether restore reports may carry credentials: `never` (default), `link` (a
    /// one-time set-password link, 24 hours) or `password` (clear text; discouraged).
    #[arg(long)]
    pub mail_credentials: Option<String>,
    /// Mail the Global Administrators 7 days and 1 day before users are purged: `on` or `off`.
    #[arg(long)]
    pub purge_reminders: Option<String>,
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

#[derive(Debug, Subcommand)]
pub enum AppCommand {
    /// Register an app with admin roles and print its client id and first secret (once).
    Create(AppCreateArgs),
    /// List the app registrations.
    List(StorageOnly),
}

#[derive(Debug, Clone, Args)]
pub struct AppCreateArgs {
    #[command(flatten)]
    pub storage: StorageArgs,
    /// The app's display name (shown in the audit log as `app:<name>`).
    #[arg(long)]
    pub name: String,
    /// A role the app acts with (display name or template id); repeat for several.
    #[arg(long = "role", required = true)]
    pub roles: Vec<String>,
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
    /// How often the outbox is looked at for mail to send, e.g. 5s [default: 5s]. SMTP is
    /// set in the config file's [smtp] table or with ROSTER_SMTP_* variables.
    #[arg(long, env = "ROSTER_MAIL_INTERVAL")]
    pub mail_interval: Option<String>,
    /// A reverse proxy (address or range, e.g. 10.0.0.0/8) whose X-Forwarded-For header
    /// says who the client is, for the per-address sign-in limit; repeat for several
    /// [default: none, the connection's address counts].
    #[arg(long = "trusted-proxy", env = "ROSTER_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<String>,
    /// Requests per second each bearer token may make to the whole deployment (twice as
    /// many at once; replicas sharing the database take equal shares), answered with 429
    /// and Retry-After beyond it; 0 turns the limit off [default: 1000].
    #[arg(long, env = "ROSTER_RATE_LIMIT")]
    pub rate_limit: Option<u32>,
    /// How long a starting server waits for a database that is down or still starting,
    /// e.g. 30s, 5m, before it gives up [default: 60s].
    #[arg(long, env = "ROSTER_DATABASE_WAIT")]
    pub database_wait: Option<String>,
    /// How often the audit chain's head is logged as a checkpoint when it has grown, e.g.
    /// 10m [default: 1h].
    #[arg(long, env = "ROSTER_AUDIT_CHECKPOINT_INTERVAL")]
    pub audit_checkpoint_interval: Option<String>,
    /// Also append each checkpoint, with its time, to this file (best kept on another
    /// disk or machine) [default: the log only].
    #[arg(long, env = "ROSTER_AUDIT_CHECKPOINT_FILE")]
    pub audit_checkpoint_file: Option<PathBuf>,
    /// Sign each checkpoint with this Ed25519 key file, created on first start (mode 0600)
    /// with its public key beside it as <file>.pub [default: unsigned].
    #[arg(long, env = "ROSTER_AUDIT_CHECKPOINT_KEY")]
    pub audit_checkpoint_key: Option<PathBuf>,
    /// A name for this server, which its audit records carry as `replica` so that servers
    /// sharing one database can be told apart [default: <host name>:<port>].
    #[arg(long, env = "ROSTER_REPLICA_NAME")]
    pub replica_name: Option<String>,
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
