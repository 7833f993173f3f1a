//! What the database holds after a T39 run, read directly (not through a replica): every
//! user row with its key and whether it is active, and the successful audit records.

use super::checker::{End, Row};
use super::history::Key;
use crate::inspect::audit_events;
use crate::server::DOMAIN;
use directory::audit::AuditOutcome;
use directory::store::Store;
use std::sync::Arc;

pub(crate) async fn read(url: &str, store: &Arc<dyn Store>) -> End {
    let pool = sqlx::PgPool::connect(url).await.expect("the database after the run");
    let rows: Vec<(uuid::Uuid, String, bool)> = sqlx::query_as("SELECT id, upn_key, deleted_at IS NULL FROM users")
        .fetch_all(&pool)
        .await
        .expect("the users");
    pool.close().await;
    let mut end = End::default();
    // The tenant's first administrator is not one of the run's users.
    for (id, upn_key, active) in rows {
        match key_of(&upn_key) {
            Some(key) => end.users.insert(id, Row { key: Some(key), active }),
            None => end.others.insert(id, Row { key: None, active }),
        };
    }
    for event in audit_events(store).await {
        if let (AuditOutcome::Success, Some(target)) = (event.outcome, event.target_id) {
            *end.audits.entry((event.action, target)).or_default() += 1;
        }
    }
    end
}

/// `k07@<domain>` is key 7; anything else is not one of the run's keys.
fn key_of(upn_key: &str) -> Option<Key> {
    let local = upn_key.strip_suffix(&format!("@{DOMAIN}"))?;
    local.strip_prefix('k')?.parse().ok()
}
