//! A bound on waiting for PostgreSQL's answers. When the link to the server goes dark in
//! the middle of a statement (a network partition, a cable pulled), nothing else notices:
//! the socket stays open, PostgreSQL's own limits end the session on its side only, and
//! TCP waits many minutes. So every port method's statements run within
//! [`STATEMENT_DEADLINE`] and, past it, fail as `Unavailable` (a 503).
//!
//! A connection whose statement was cut short is still waiting for that answer, and sqlx
//! pings every connection it takes back: on a dark link that ping would wait as long, the
//! connection still counted in the pool. So for a while after any statement was cut short,
//! connections given back are first pinged within [`PING_DEADLINE`] here, and one that
//! does not answer is dropped.
//!
//! That ping on release also makes sqlx's ping before each use redundant for a connection
//! given back a moment ago: [`alive_before_use`] pings only a connection idle for longer
//! than [`IDLE_CHECK`], saving a round trip on the path of almost every request.

use directory::store::StoreError;
use sqlx::Connection;
use sqlx::pool::PoolConnectionMetadata;
use sqlx::postgres::PgConnection;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long a port method may wait for PostgreSQL's answers: longer than the server's
/// 7 s `lock_timeout`, below the 12 s within which the fault tests require an answer.
pub(crate) const STATEMENT_DEADLINE: Duration = Duration::from_secs(9);
/// How long a connection given back may take to answer a ping, while checks are on.
const PING_DEADLINE: Duration = Duration::from_secs(1);
/// How long after a statement was cut short the connections given back are checked: the
/// cut-short one is given back as soon as its transaction is dropped.
const CHECK_WINDOW: Duration = Duration::from_secs(60);

/// How long a connection may sit idle and still be used without a ping first.
const IDLE_CHECK: Duration = Duration::from_secs(1);

/// When a statement was last cut short, in milliseconds since the Unix epoch (0: never).
static LAST_CUT_SHORT: AtomicU64 = AtomicU64::new(0);

fn now_millis() -> u64 {
    let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    u64::try_from(since_epoch.as_millis()).unwrap_or(u64::MAX)
}

/// Runs `work` (one port method's statements) within [`STATEMENT_DEADLINE`].
pub(crate) async fn bounded<T>(work: impl Future<Output = Result<T, StoreError>>) -> Result<T, StoreError> {
    match tokio::time::timeout(STATEMENT_DEADLINE, work).await {
        Ok(result) => result,
        Err(_) => {
            LAST_CUT_SHORT.store(now_millis(), Ordering::Relaxed);
            Err(StoreError::Unavailable(format!(
                "PostgreSQL did not answer within {} s",
                STATEMENT_DEADLINE.as_secs()
            )))
        }
    }
}

/// Whether a connection given back may serve again: always, unless a statement was cut
/// short lately; then only if it answers a ping in time. An error makes sqlx drop the
/// connection without the goodbye a dark link would never carry.
pub(crate) async fn reusable(connection: &mut PgConnection) -> Result<bool, sqlx::Error> {
    let last = LAST_CUT_SHORT.load(Ordering::Relaxed);
    if last == 0 || now_millis().saturating_sub(last) > CHECK_WINDOW.as_millis() as u64 {
        return Ok(true);
    }
    match tokio::time::timeout(PING_DEADLINE, connection.ping()).await {
        Ok(answer) => answer.map(|()| true),
        Err(_) => Err(sqlx::Error::Io(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "no answer to a ping after a statement was cut short",
        ))),
    }
}

/// Whether an idle connection may serve: one given back (and pinged) within the last
/// [`IDLE_CHECK`] may; an older one must answer a ping first, as the server may have gone
/// away meanwhile. An error makes sqlx drop the connection and try another.
pub(crate) async fn alive_before_use(
    connection: &mut PgConnection,
    meta: PoolConnectionMetadata,
) -> Result<bool, sqlx::Error> {
    if meta.idle_for <= IDLE_CHECK {
        return Ok(true);
    }
    connection.ping().await.map(|()| true)
}
