//! `/auditLogs/directoryAudits`: the audit log as Graph's `directoryAudit` resources,
//! newest first, `$top` records (default 100). The request a record came from gives its
//! `correlationId` and, for a user, `initiatedBy.user.ipAddress`.

use super::auth::Authenticated;
use super::dto;
use super::error::GraphError;
use super::query::QueryOptions;
use crate::AppState;
use axum::Router;
use axum::extract::State;
use axum::response::Json;
use axum::routing::get;
use directory::audit::{AuditEvent, AuditQuery};
use serde_json::{Value, json};

pub fn routes() -> Router<AppState> {
    Router::new().route("/auditLogs/directoryAudits", get(list))
}

fn operation_type(action: &str) -> &'static str {
    match action.split_whitespace().next() {
        Some("Add" | "Issue" | "Initialize") => "Add",
        Some("Delete" | "Hard" | "Remove" | "Revoke") => "Delete",
        _ => "Update",
    }
}

fn audit_json(event: &AuditEvent) -> Value {
    let initiated_by = if event.actor.starts_with("token:") || event.actor == "system" {
        json!({"app": {"displayName": event.actor}, "user": null})
    } else {
        let ip = event.detail("clientIpAddress");
        json!({"user": {"userPrincipalName": event.actor, "ipAddress": ip}, "app": null})
    };
    let details: Vec<Value> = event
        .details
        .iter()
        .map(|(key, value)| json!({"key": key, "value": value}))
        .collect();
    json!({
        "id": event.id.to_string(),
        "category": "UserManagement",
        "correlationId": event.detail("correlationId"),
        "activityDateTime": dto::graph_time(event.at),
        "activityDisplayName": event.action.as_str(),
        "operationType": operation_type(event.action.as_str()),
        "result": event.outcome.as_str(),
        "loggedByService": "Core Directory",
        "initiatedBy": initiated_by,
        "targetResources": [{"id": event.target_id.map(|id| id.to_string()), "displayName": event.target}],
        "additionalDetails": details,
    })
}

async fn list(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    query: QueryOptions,
) -> Result<Json<Value>, GraphError> {
    let limit = query.page_size()?;
    let events = app
        .directory
        .audit_events(
            &caller,
            &AuditQuery {
                limit,
                ..AuditQuery::default()
            },
        )
        .await?;
    let items = events.iter().map(audit_json).collect();
    Ok(Json(dto::collection(
        query.context("auditLogs/directoryAudits", None),
        items,
        None,
        None,
    )))
}
