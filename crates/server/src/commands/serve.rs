//! `roster serve`: open (and on first start initialise) the directory, run the purge and mail
//! jobs, and serve HTTP until SIGINT or SIGTERM.

use super::init::print_sign_in;
use crate::cli::ServeArgs;
use crate::{mail_job, purge_job, settings, storage};
use anyhow::{Context, Result};
use directory::{Directory, Error};
use roster_http::throttle::Throttle;
use roster_web::WebConfig;
use tokio::net::TcpListener;
use tokio::sync::watch;

pub async fn run(args: ServeArgs) -> Result<()> {
    let settings = settings::serve(&args)?;
    let opened = storage::open_for_server(&settings.init.database).await?;
    let (directory, clock) = crate::clock_sync::directory(opened.store.clone()).await?;
    match directory
        .initialize(&settings.init.organization, settings.init.domain.clone())
        .await
    {
        Ok(initialized) => print_sign_in(&settings.init, &initialized),
        Err(Error::AlreadyInitialized) => {}
        Err(error) => return Err(error).context("cannot initialise the directory"),
    }
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
    let mail = tokio::spawn(mail_job::run(mail_job(&directory, &settings.mail).await?, stopped));
    let web = WebConfig {
        secure_cookies: serves_https(&directory).await?,
        trusted_proxies: settings.trusted_proxies.clone(),
        ..WebConfig::default()
    };
    let throttle = Throttle::new(settings.rate_limit);
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
    tracing::info!("stopped");
    Ok(())
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
