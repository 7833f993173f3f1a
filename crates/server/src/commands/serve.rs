//! `roster serve`: open (and on first start initialise) the directory, run the purge, mail,
//! audit checkpoint and replica check-in jobs, and serve HTTP until SIGINT or SIGTERM.

use super::init::print_sign_in;
use crate::cli::ServeArgs;
use crate::settings::{InitSettings, ServeSettings};
use crate::storage::OpenStore;
use crate::{mail_job, purge_job, settings, storage};
use anyhow::{Context, Result};
use directory::store::StoreError;
use directory::{DatabaseClock, Directory, Error, Kind};
use roster_http::throttle::Throttle;
use roster_web::WebConfig;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::watch;

/// The first pause while waiting for the database; each next one doubles.
const FIRST_PAUSE: Duration = Duration::from_millis(250);
const LONGEST_PAUSE: Duration = Duration::from_secs(5);

pub async fn run(args: ServeArgs) -> Result<()> {
    let settings = settings::serve(&args)?;
    let (opened, directory, clock) = open_waiting(&settings).await?;
    let listener = TcpListener::bind(settings.listen)
        .await
        .with_context(|| format!("cannot listen on {}", settings.listen))?;
    println!("Roster is listening on http://{}", listener.local_addr()?);
    let (stop, stopped) = watch::channel(false);
    let purge = tokio::spawn(purge_job::run(
        directory.clone(),
        settings.purge_interval,
        stopped.clone(),
    ));
    let clock_sync = tokio::spawn(crate::clock_sync::run(clock, opened.store.clone(), stopped.clone()));
    let checkpoints = tokio::spawn(crate::checkpoint_job::run(
        directory.clone(),
        crate::checkpoint_job::Exporter::open(settings.audit_checkpoints.clone())?,
        stopped.clone(),
    ));
    let mail = tokio::spawn(mail_job::run(
        mail_job(&directory, &settings.mail).await?,
        stopped.clone(),
    ));
    let web = WebConfig {
        secure_cookies: serves_https(&directory).await?,
        trusted_proxies: settings.trusted_proxies.clone(),
        ..WebConfig::default()
    };
    let throttle = Throttle::new(settings.rate_limit);
    let replica = tokio::spawn(crate::replica_job::run(
        directory.clone(),
        throttle.clone(),
        directory.now(),
        stopped.clone(),
    ));
    let app = crate::app(directory, throttle, web);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .context("the HTTP server failed")?;
    let _ = stop.send(true);
    let _ = purge.await;
    let _ = mail.await;
    let _ = clock_sync.await;
    let _ = checkpoints.await;
    let _ = replica.await;
    tracing::info!("stopped");
    Ok(())
}

/// Opens (and on first start initialises) the directory. A database that cannot be
/// reached yet, down or still starting beside this server, is waited for with growing
/// pauses up to `settings.database_wait`; any other failure ends the start at once.
async fn open_waiting(settings: &ServeSettings) -> Result<(OpenStore, Directory, Arc<DatabaseClock>)> {
    let give_up = Instant::now() + settings.database_wait;
    let mut pause = FIRST_PAUSE;
    loop {
        match open(&settings.init, &settings.replica).await {
            Err(error) if is_unavailable(&error) && Instant::now() + pause < give_up => {
                tracing::warn!(
                    error = format!("{error:#}"),
                    retry_in_ms = pause.as_millis() as u64,
                    "the database cannot be reached yet; waiting for it"
                );
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(LONGEST_PAUSE);
            }
            Err(error) if is_unavailable(&error) => {
                let waited = settings.database_wait.as_secs();
                return Err(error.context(format!("gave up waiting for the database after {waited} s")));
            }
            opened => return opened,
        }
    }
}

async fn open(init: &InitSettings, replica: &str) -> Result<(OpenStore, Directory, Arc<DatabaseClock>)> {
    let opened = storage::open_for_server(&init.database).await?;
    let (directory, clock) = crate::clock_sync::directory(opened.store.clone()).await?;
    let directory = directory.with_replica(replica);
    match directory.initialize(&init.organization, init.domain.clone()).await {
        Ok(initialized) => print_sign_in(init, &initialized),
        Err(Error::AlreadyInitialized) => {}
        Err(error) => return Err(error).context("cannot initialise the directory"),
    }
    Ok((opened, directory, clock))
}

/// Whether the failure is the database being unreachable (worth waiting for).
fn is_unavailable(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        matches!(cause.downcast_ref::<StoreError>(), Some(StoreError::Unavailable(_)))
            || cause
                .downcast_ref::<Error>()
                .is_some_and(|error| error.code().kind() == Kind::Unavailable)
    })
}

/// Whether browsers reach this server over HTTPS: the organisation's public URL (`roster
/// tenant set --public-url https://…`) says so. Session cookies are then `Secure`.
async fn serves_https(directory: &Directory) -> Result<bool> {
    let settings = directory
        .mail_settings()
        .await
        .context("cannot read the mail settings")?;
    Ok(settings
        .public_url
        .is_some_and(|url| url.as_str().starts_with("https://")))
}

/// The mail job over this directory; the sender defaults to `roster@<initial domain>`.
async fn mail_job(directory: &Directory, settings: &settings::MailSettings) -> Result<mail_job::MailJob> {
    let from = match &settings.from {
        Some(from) => from.clone(),
        None => format!("Roster <roster@{}>", directory.tenant().await?.initial_domain()),
    };
    let mailer = roster_mail::Mailer::new(&from, settings.delivery.clone()).context("cannot set up outgoing mail")?;
    Ok(mail_job::MailJob {
        directory: directory.clone(),
        mailer,
        interval: settings.interval,
        retry: mail_job::MailJob::retry_from(settings.retry),
        lease: settings.lease,
    })
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(signal) => signal,
            Err(_) => return std::future::pending().await,
        };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}
