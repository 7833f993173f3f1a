//! `roster serve`: open (and on first start initialise) the directory, run the purge job,
//! and serve HTTP until SIGINT or SIGTERM.

use super::init::print_sign_in;
use crate::cli::ServeArgs;
use crate::{purge_job, settings, storage};
use anyhow::{Context, Result};
use directory::{Directory, Error, SystemClock};
use roster_http::AppState;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;

pub async fn run(args: ServeArgs) -> Result<()> {
    let settings = settings::serve(&args)?;
    let opened = storage::open_for_server(&settings.init.database).await?;
    let directory = Directory::new(opened.store.clone(), Arc::new(SystemClock));
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
    let purge = tokio::spawn(purge_job::run(directory.clone(), settings.purge_interval, stopped));
    let app = roster_http::router(AppState::new(directory));
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("the HTTP server failed")?;
    let _ = stop.send(true);
    let _ = purge.await;
    tracing::info!("stopped");
    Ok(())
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
