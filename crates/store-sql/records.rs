//! The tenant singleton, bearer tokens (of users, services and apps) and audit events.

use crate::codec::{
    action_from_text, corrupt, details_from_text, details_to_text, join_lines, outcome_from_text, roles_from_text,
    roles_to_text, split_lines,
};
use crate::db_time::{self, Stored};
use crate::tx::Conn;
use crate::{Db, classify};
use directory::audit::{AuditEvent, AuditQuery};
use directory::clock::Timestamp;
use directory::ids::{AppId, AuditId, TokenId, UserId};
use directory::store::StoreError;
use directory::tenant::{LicenseOverage, Retention, Tenant};
use directory::token::{TokenRecord, TokenSubject};
use directory::upn::DomainName;
use sqlx::QueryBuilder;
use uuid::Uuid;

/// Audit rows read when the query does not say how many.
const DEFAULT_AUDIT_LIMIT: u32 = 100;

#[derive(sqlx::FromRow)]
struct TenantRow {
    id: Uuid,
    name: String,
    domains: String,
    retention_seconds: i64,
    license_overage: String,
    created_at: Stored,
}

/// The tenant, if initialised.
pub(crate) async fn tenant(c: &mut Conn) -> Result<Option<Tenant>, StoreError> {
    let row = sqlx::query_as::<Db, TenantRow>(
        "SELECT id, name, domains, retention_seconds, license_overage, created_at FROM tenant",
    )
    .fetch_optional(&mut *c)
    .await
    .map_err(classify)?;
    let Some(row) = row else { return Ok(None) };
    let domains = split_lines(&row.domains)
        .map(DomainName::parse)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| corrupt("domain", e))?;
    let retention =
        Retention::new(time::Duration::seconds(row.retention_seconds)).map_err(|e| corrupt("retention", e))?;
    let license_overage = LicenseOverage::parse(&row.license_overage)
        .ok_or_else(|| corrupt("licence overage policy", &row.license_overage))?;
    Ok(Some(Tenant {
        id: row.id,
        name: row.name,
        domains,
        retention,
        license_overage,
        created_at: db_time::from_db(row.created_at)?,
    }))
}

/// Inserts the tenant; a second one is a conflict.
pub(crate) async fn insert_tenant(c: &mut Conn, tenant: &Tenant) -> Result<(), StoreError> {
    sqlx::query::<Db>(
        "INSERT INTO tenant (singleton, id, name, domains, retention_seconds, license_overage, created_at) \
         VALUES (1, $1, $2, $3, $4, $5, $6)",
    )
    .bind(tenant.id)
    .bind(tenant.name.clone())
    .bind(join_lines(&tenant.domains))
    .bind(tenant.retention.duration().whole_seconds())
    .bind(tenant.license_overage.as_str())
    .bind(db_time::to_db(tenant.created_at))
    .execute(&mut *c)
    .await
    .map_err(classify)?;
    Ok(())
}

/// Rewrites the tenant's name, domains, retention and overage policy.
pub(crate) async fn update_tenant(c: &mut Conn, tenant: &Tenant) -> Result<(), StoreError> {
    sqlx::query::<Db>("UPDATE tenant SET name = $1, domains = $2, retention_seconds = $3, license_overage = $4")
        .bind(tenant.name.clone())
        .bind(join_lines(&tenant.domains))
        .bind(tenant.retention.duration().whole_seconds())
        .bind(tenant.license_overage.as_str())
        .execute(&mut *c)
        .await
        .map_err(classify)?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: Uuid,
    name: String,
    hash: String,
    user_id: Option<Uuid>,
    app_id: Option<Uuid>,
    roles: String,
    created_at: Stored,
    expires_at: Stored,
    revoked_at: Option<Stored>,
}

/// A token by the hash of its secret, valid or not.
pub(crate) async fn token_by_hash(c: &mut Conn, hash: &str) -> Result<Option<TokenRecord>, StoreError> {
    let row = sqlx::query_as::<Db, TokenRow>(
        "SELECT id, name, hash, user_id, app_id, roles, created_at, expires_at, revoked_at FROM tokens WHERE hash = $1",
    )
    .bind(hash.to_owned())
    .fetch_optional(&mut *c)
    .await
    .map_err(classify)?;
    let Some(row) = row else { return Ok(None) };
    let subject = match (row.user_id, row.app_id) {
        (Some(user), _) => TokenSubject::User(UserId(user)),
        (None, Some(app)) => TokenSubject::App(AppId(app)),
        (None, None) => TokenSubject::Service {
            roles: roles_from_text(&row.roles)?,
        },
    };
    Ok(Some(TokenRecord {
        id: TokenId(row.id),
        name: row.name,
        hash: row.hash,
        subject,
        created_at: db_time::from_db(row.created_at)?,
        expires_at: db_time::from_db(row.expires_at)?,
        revoked_at: row.revoked_at.map(db_time::from_db).transpose()?,
    }))
}

/// Inserts a token; a duplicate hash is a conflict.
pub(crate) async fn insert_token(c: &mut Conn, token: &TokenRecord) -> Result<(), StoreError> {
    let (user_id, app_id, roles) = match &token.subject {
        TokenSubject::User(user) => (Some(user.0), None, String::new()),
        TokenSubject::App(app) => (None, Some(app.0), String::new()),
        TokenSubject::Service { roles } => (None, None, roles_to_text(roles)),
    };
    sqlx::query::<Db>(
        "INSERT INTO tokens (id, name, hash, user_id, app_id, roles, created_at, expires_at, revoked_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(token.id.0)
    .bind(token.name.clone())
    .bind(token.hash.clone())
    .bind(user_id)
    .bind(app_id)
    .bind(roles)
    .bind(db_time::to_db(token.created_at))
    .bind(db_time::to_db(token.expires_at))
    .bind(token.revoked_at.map(db_time::to_db))
    .execute(&mut *c)
    .await
    .map_err(classify)?;
    Ok(())
}

/// Revokes one token; false if it does not exist or was already revoked.
pub(crate) async fn revoke_token(c: &mut Conn, id: TokenId, at: Timestamp) -> Result<bool, StoreError> {
    let done = sqlx::query::<Db>("UPDATE tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
        .bind(id.0)
        .bind(db_time::to_db(at))
        .execute(&mut *c)
        .await
        .map_err(classify)?;
    Ok(done.rows_affected() > 0)
}

/// Moves a live token's expiry later; an earlier time or a revoked token changes nothing.
pub(crate) async fn extend_token(c: &mut Conn, id: TokenId, expires_at: Timestamp) -> Result<(), StoreError> {
    sqlx::query::<Db>("UPDATE tokens SET expires_at = $2 WHERE id = $1 AND revoked_at IS NULL AND expires_at < $2")
        .bind(id.0)
        .bind(db_time::to_db(expires_at))
        .execute(&mut *c)
        .await
        .map_err(classify)?;
    Ok(())
}

/// Revokes every unrevoked token of a user; returns how many.
pub(crate) async fn revoke_tokens_of(c: &mut Conn, user: UserId, at: Timestamp) -> Result<u64, StoreError> {
    let done = sqlx::query::<Db>("UPDATE tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL")
        .bind(user.0)
        .bind(db_time::to_db(at))
        .execute(&mut *c)
        .await
        .map_err(classify)?;
    Ok(done.rows_affected())
}

/// Audit records chained in one `INSERT` at most (11 parameters each, well under both
/// backends' parameter limits).
const AUDIT_ROWS_PER_INSERT: usize = 200;

/// One audit record with its place in the chain, as [`append_audits`] writes it.
pub(crate) struct ChainedAudit {
    pub(crate) event: AuditEvent,
    pub(crate) seq: i64,
    pub(crate) prev_hash: String,
    pub(crate) hash: String,
}

/// Inserts chained audit records, many per statement.
pub(crate) async fn append_audits(c: &mut Conn, records: &[ChainedAudit]) -> Result<(), StoreError> {
    for chunk in records.chunks(AUDIT_ROWS_PER_INSERT) {
        let mut query = QueryBuilder::<Db>::new("");
        push_audit_insert(&mut query, chunk);
        query.build().execute(&mut *c).await.map_err(classify)?;
    }
    Ok(())
}

/// Pushes the `INSERT` of chained audit records (11 parameters each).
pub(crate) fn push_audit_insert(query: &mut QueryBuilder<Db>, records: &[ChainedAudit]) {
    query.push(
        "INSERT INTO audit_events (id, at, actor, action, target_id, target, outcome, details, seq, prev_hash, hash) ",
    );
    query.push_values(records, |mut row, record| {
        let event = &record.event;
        row.push_bind(event.id.0)
            .push_bind(db_time::to_db(event.at))
            .push_bind(event.actor.clone())
            .push_bind(event.action.as_str())
            .push_bind(event.target_id)
            .push_bind(event.target.clone())
            .push_bind(event.outcome.as_str())
            .push_bind(details_to_text(&event.details))
            .push_bind(record.seq)
            .push_bind(record.prev_hash.clone())
            .push_bind(record.hash.clone());
    });
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: Uuid,
    at: Stored,
    actor: String,
    action: String,
    target_id: Option<Uuid>,
    target: String,
    outcome: String,
    details: String,
}

/// Audit events, newest first, filtered by action, target, actor and time.
pub(crate) async fn audit_events(c: &mut Conn, query: &AuditQuery) -> Result<Vec<AuditEvent>, StoreError> {
    let mut sql = QueryBuilder::<Db>::new(
        "SELECT id, at, actor, action, target_id, target, outcome, details FROM audit_events WHERE 1 = 1",
    );
    if let Some(action) = query.action {
        sql.push(" AND action = ").push_bind(action.as_str());
    }
    if let Some(target) = query.target_id {
        sql.push(" AND target_id = ").push_bind(target);
    }
    if let Some(actor) = &query.actor {
        sql.push(" AND actor = ").push_bind(actor.clone());
    }
    if let Some(since) = query.since {
        sql.push(" AND at >= ").push_bind(db_time::to_db(since));
    }
    if let Some(until) = query.until {
        sql.push(" AND at < ").push_bind(db_time::to_db(until));
    }
    if let Some(target) = &query.target {
        sql.push(" AND target = ").push_bind(target.clone());
    }
    let limit = if query.limit == 0 {
        DEFAULT_AUDIT_LIMIT
    } else {
        query.limit
    };
    sql.push(" ORDER BY at DESC, id DESC LIMIT ")
        .push_bind(i64::from(limit));
    let rows: Vec<AuditRow> = sql.build_query_as().fetch_all(&mut *c).await.map_err(classify)?;
    rows.into_iter()
        .map(|row| {
            Ok(AuditEvent {
                id: AuditId(row.id),
                at: db_time::from_db(row.at)?,
                actor: row.actor,
                action: action_from_text(&row.action)?,
                target_id: row.target_id,
                target: row.target,
                outcome: outcome_from_text(&row.outcome)?,
                details: details_from_text(&row.details)?,
            })
        })
        .collect()
}
