//! The audit log's hash chain in the database: appending a transaction's records under the
//! chain head's row lock, chaining records written before the chain existed, and reading
//! the chain back for `directory::audit_chain::ChainWalk`.
//!
//! Appending starts with `UPDATE audit_chain_head … RETURNING`, which on PostgreSQL locks
//! the head row until commit, so appends from several processes queue there and the chain
//! stays one line; SQLite has one writer anyway. `SqlTx` calls [`append`] just before
//! commit, so the lock is held only for the inserts and the commit itself. The last
//! insert also saves the new head, so a transaction with a few records appends them in
//! two round trips: lock the head, then insert and save.

use crate::codec::{action_from_text, details_from_text, details_to_text, outcome_from_text};
use crate::db_time::{self, Stored};
use crate::tx::Conn;
use crate::{Db, classify, dialect, records};
use directory::audit::AuditEvent;
use directory::audit_chain::{ChainHead, ChainedRecord, link_hash};
use directory::ids::AuditId;
use directory::store::StoreError;
use sqlx::QueryBuilder;
use uuid::Uuid;

/// Records chained per query when chaining old records.
const BATCH: i64 = 500;

/// Locks the chain head and returns it.
async fn lock_head(c: &mut Conn) -> Result<ChainHead, StoreError> {
    let (seq, hash) = sqlx::query_as::<Db, (i64, String)>(
        "UPDATE audit_chain_head SET seq = seq WHERE singleton = 1 RETURNING seq, hash",
    )
    .fetch_one(&mut *c)
    .await
    .map_err(classify)?;
    Ok(ChainHead { seq, hash })
}

async fn save_head(c: &mut Conn, head: &ChainHead) -> Result<(), StoreError> {
    sqlx::query::<Db>("UPDATE audit_chain_head SET seq = $1, hash = $2 WHERE singleton = 1")
        .bind(head.seq)
        .bind(head.hash.clone())
        .execute(&mut *c)
        .await
        .map_err(classify)?;
    Ok(())
}

/// The event exactly as it will read back: whole microseconds, details as stored.
fn stored_form(event: &AuditEvent) -> Result<AuditEvent, StoreError> {
    let at = db_time::from_db(db_time::to_db(event.at))?;
    let at = at
        .replace_nanosecond(at.nanosecond() / 1000 * 1000)
        .map_err(|e| StoreError::Other(format!("audit time: {e}")))?;
    Ok(AuditEvent {
        at,
        details: details_from_text(&details_to_text(&event.details))?,
        ..event.clone()
    })
}

/// Appends records, in order, to the end of the chain: the hashes are computed here, and
/// the rows go in with multi-row inserts.
pub(crate) async fn append(c: &mut Conn, events: &[AuditEvent]) -> Result<(), StoreError> {
    if events.is_empty() {
        return Ok(());
    }
    let mut head = lock_head(c).await?;
    let mut chained = Vec::with_capacity(events.len());
    for event in events {
        let stored = stored_form(event)?;
        let hash = link_hash(&head.hash, &stored);
        let prev_hash = std::mem::replace(&mut head.hash, hash.clone());
        head.seq += 1;
        chained.push(records::ChainedAudit {
            event: stored,
            seq: head.seq,
            prev_hash,
            hash,
        });
    }
    let (earlier, last) = chained.split_at(chained.len().saturating_sub(ROWS_WITH_HEAD));
    records::append_audits(c, earlier).await?;
    insert_saving_head(c, last, &head).await
}

/// Audit records inserted by the statement that also saves the head (11 parameters each).
const ROWS_WITH_HEAD: usize = 200;

/// Inserts the last chained records and saves the new head in one round trip: on
/// PostgreSQL one statement, the head's `UPDATE` in a `WITH` (the row is locked already);
/// SQLite has no data-modifying `WITH`, so there the query holds two statements, which it
/// runs in order with one set of parameters.
async fn insert_saving_head(
    c: &mut Conn,
    records: &[records::ChainedAudit],
    head: &ChainHead,
) -> Result<(), StoreError> {
    let mut query = QueryBuilder::<Db>::new("");
    if dialect::DATA_MODIFYING_WITH {
        push_save_head(query.push("WITH head AS ("), head);
        query.push(") ");
    }
    records::push_audit_insert(&mut query, records);
    if !dialect::DATA_MODIFYING_WITH {
        push_save_head(query.push("; "), head);
    }
    query.build().execute(&mut *c).await.map_err(classify)?;
    Ok(())
}

/// Pushes the `UPDATE` that saves the chain head.
fn push_save_head(query: &mut QueryBuilder<Db>, head: &ChainHead) {
    query
        .push("UPDATE audit_chain_head SET seq = ")
        .push_bind(head.seq)
        .push(", hash = ")
        .push_bind(head.hash.clone())
        .push(" WHERE singleton = 1");
}

#[derive(sqlx::FromRow)]
struct ChainRow {
    seq: Option<i64>,
    id: Uuid,
    prev_hash: Option<String>,
    hash: Option<String>,
    at: Stored,
    actor: String,
    action: String,
    target_id: Option<Uuid>,
    target: String,
    outcome: String,
    details: String,
}

/// The columns a [`ChainRow`] reads.
macro_rules! chain_columns {
    () => {
        "seq, id, prev_hash, hash, at, actor, action, target_id, target, outcome, details"
    };
}

impl ChainRow {
    fn event(&self) -> Result<AuditEvent, StoreError> {
        Ok(AuditEvent {
            id: AuditId(self.id),
            at: db_time::from_db(self.at)?,
            actor: self.actor.clone(),
            action: action_from_text(&self.action)?,
            target_id: self.target_id,
            target: self.target.clone(),
            outcome: outcome_from_text(&self.outcome)?,
            details: details_from_text(&self.details)?,
        })
    }
}

/// Chains records that have no place yet (those written before the chain existed), oldest
/// first. Returns how many. Runs when the store opens, inside its own transaction.
pub(crate) async fn chain_unchained(c: &mut Conn) -> Result<u64, StoreError> {
    let mut head = lock_head(c).await?;
    let mut chained = 0;
    loop {
        let rows: Vec<ChainRow> = sqlx::query_as::<Db, ChainRow>(concat!(
            "SELECT ",
            chain_columns!(),
            " FROM audit_events WHERE seq IS NULL ORDER BY at, id LIMIT $1"
        ))
        .bind(BATCH)
        .fetch_all(&mut *c)
        .await
        .map_err(classify)?;
        if rows.is_empty() {
            break;
        }
        for row in rows {
            let hash = link_hash(&head.hash, &row.event()?);
            sqlx::query::<Db>("UPDATE audit_events SET seq = $2, prev_hash = $3, hash = $4 WHERE id = $1")
                .bind(row.id)
                .bind(head.seq + 1)
                .bind(head.hash.clone())
                .bind(hash.clone())
                .execute(&mut *c)
                .await
                .map_err(classify)?;
            head = ChainHead {
                seq: head.seq + 1,
                hash,
            };
            chained += 1;
        }
    }
    if chained > 0 {
        save_head(c, &head).await?;
    }
    Ok(chained)
}

/// The chain head as stored.
pub(crate) async fn head(c: &mut Conn) -> Result<ChainHead, StoreError> {
    let row = sqlx::query_as::<Db, (i64, String)>("SELECT seq, hash FROM audit_chain_head WHERE singleton = 1")
        .fetch_optional(&mut *c)
        .await
        .map_err(classify)?;
    Ok(row.map_or_else(ChainHead::empty, |(seq, hash)| ChainHead { seq, hash }))
}

/// Chained records after `after`, in chain order.
pub(crate) async fn page(c: &mut Conn, after: i64, limit: u32) -> Result<Vec<ChainedRecord>, StoreError> {
    let rows: Vec<ChainRow> = sqlx::query_as::<Db, ChainRow>(concat!(
        "SELECT ",
        chain_columns!(),
        " FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2"
    ))
    .bind(after)
    .bind(i64::from(limit))
    .fetch_all(&mut *c)
    .await
    .map_err(classify)?;
    Ok(rows
        .into_iter()
        .map(|row| ChainedRecord {
            seq: row.seq.unwrap_or_default(),
            id: row.id,
            prev_hash: row.prev_hash.clone().unwrap_or_default(),
            hash: row.hash.clone().unwrap_or_default(),
            event: row.event().map_err(|e| e.to_string()),
        })
        .collect())
}

/// How many records have no place in the chain.
pub(crate) async fn count_unchained(c: &mut Conn) -> Result<u64, StoreError> {
    let (count,) = sqlx::query_as::<Db, (i64,)>("SELECT COUNT(*) FROM audit_events WHERE seq IS NULL")
        .fetch_one(&mut *c)
        .await
        .map_err(classify)?;
    Ok(u64::try_from(count).unwrap_or_default())
}
