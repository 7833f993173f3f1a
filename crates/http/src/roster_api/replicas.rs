//! The replicas: `GET /roster/v1/replicas`, every `roster serve` that checked in during the
//! last day (name, start, last check-in, whether it counts as alive now), newest first.

use crate::AppState;
use crate::graph::auth::Authenticated;
use crate::graph::error::GraphError;
use axum::extract::State;
use axum::response::Json;
use directory::replica::ReplicaSeen;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;

pub(super) async fn list(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
) -> Result<Json<Value>, GraphError> {
    let replicas = app.directory.replicas(&caller).await?;
    let now = app.directory.now();
    let value: Vec<Value> = replicas.iter().map(|seen| entry(seen, now)).collect();
    Ok(Json(json!({ "value": value })))
}

fn entry(seen: &ReplicaSeen, now: directory::Timestamp) -> Value {
    json!({
        "name": seen.name,
        "startedDateTime": seen.started_at.format(&Rfc3339).ok(),
        "lastSeenDateTime": seen.seen_at.format(&Rfc3339).ok(),
        "live": seen.is_live_at(now),
    })
}
