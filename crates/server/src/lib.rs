//! The composition root: turns settings into a store, a [`Directory`] and running
//! services. Only this crate reads the environment and configuration files.
//!
//! - [`cli`]: the command line.
//! - [`settings`]: flags, environment and config file merged into validated settings.
//! - [`storage`]: opening SQLite (a locked data directory) or PostgreSQL.
//! - [`commands`]: `init`, `serve`, `token issue`, `tenant show|set|add-domain`,
//!   `app create|list`, `audit verify`, `backup`, `restore-backup`.
//! - [`every`]: the ticks of an interval each background job works at until the server stops.
//! - [`purge_job`]: the background purge loop.
//! - [`checkpoint_job`]: logs (and appends to a file) the audit chain's head as it grows.
//! - [`mail_job`]: the background mail sender (and purge reminders).
//! - [`remote`]: `login`, `logout`, `users …` and `deleted …`, which talk to a running
//!   server over HTTP (Graph and Roster's bulk restore), as any client does.

pub mod checkpoint_file;
pub mod checkpoint_job;
pub mod cli;
pub mod clock_sync;
pub mod commands;
pub mod every;
pub mod mail_job;
pub mod purge_job;
pub mod remote;
pub mod replica_job;
pub mod settings;
pub mod storage;

use anyhow::Result;
use cli::{AppCommand, AuditCommand, Cli, Command, DeletedCommand, TenantCommand, TokenCommand, UsersCommand};

pub use directory::Directory;

/// The whole HTTP application: the APIs and the pages over one directory, under the
/// access log, each request stamped with its origin (client address, request id, replica) first.
pub fn app(
    directory: Directory,
    throttle: roster_http::throttle::Throttle,
    web: roster_web::WebConfig,
) -> axum::Router {
    let api = roster_http::router(roster_http::AppState {
        directory: directory.clone(),
        throttle,
    });
    let stamp = std::sync::Arc::new(roster_web::client_ip::OriginStamp {
        trusted_proxies: web.trusted_proxies.clone(),
        replica: directory.replica().map(str::to_owned),
    });
    api.merge(roster_web::router(roster_web::WebState::new(directory, web)))
        .layer(axum::middleware::from_fn(roster_http::access_log::record))
        .layer(axum::middleware::from_fn_with_state(
            stamp,
            roster_web::client_ip::stamp_origin,
        ))
}

/// Runs one parsed command to completion.
pub async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Init(args) => commands::init::run(args).await,
        Command::Serve(args) => commands::serve::run(args).await,
        Command::Token(TokenCommand::Issue(args)) => commands::token::issue(args).await,
        Command::Tenant(TenantCommand::Show(args)) => commands::tenant::show(args).await,
        Command::Tenant(TenantCommand::Set(args)) => commands::tenant::set(args).await,
        Command::Tenant(TenantCommand::AddDomain(args)) => commands::tenant::add_domain(args).await,
        Command::App(AppCommand::Create(args)) => commands::app::create(args).await,
        Command::App(AppCommand::List(args)) => commands::app::list(args).await,
        Command::Audit(AuditCommand::Verify(args)) => commands::audit::verify(args).await,
        Command::Audit(AuditCommand::List(args)) => commands::audit::list(args).await,
        Command::Backup(args) => commands::backup::backup(args).await,
        Command::RestoreBackup(args) => commands::backup::restore(args).await,
        Command::Login(args) => remote::finish(remote::login::login(args).await),
        Command::Logout => remote::finish(remote::login::logout()),
        Command::Users(UsersCommand::List(args)) => remote::finish(remote::users::list(args).await),
        Command::Users(UsersCommand::Create(args)) => remote::finish(remote::users::create(args).await),
        Command::Users(UsersCommand::Delete(args)) => remote::finish(remote::users::delete(args).await),
        Command::Deleted(DeletedCommand::List(args)) => remote::finish(remote::deleted::list(args).await),
        Command::Deleted(DeletedCommand::Restore(args)) => remote::finish(remote::restore::restore(args).await),
        Command::Deleted(DeletedCommand::Purge(args)) => remote::finish(remote::deleted::purge(args).await),
    }
}

/// Logs to stderr; `RUST_LOG` overrides the level set by `-v`.
pub fn init_tracing(verbose: u8) {
    use std::io::IsTerminal;
    let default = match verbose {
        0 => "info",
        1 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .try_init();
}
