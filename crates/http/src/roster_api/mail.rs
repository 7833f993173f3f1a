//! The mail log: `GET /roster/v1/mail[?status=queued|sending|sent|failed][&$top=N]`, newest
//! first, with each message's kind, recipients, language, status, attempts, the last SMTP
//! answer and its `Message-ID`. Bodies and their secrets are never shown.

use crate::AppState;
use crate::graph::auth::Authenticated;
use crate::graph::error::GraphError;
use axum::extract::{Query, State};
use axum::response::Json;
use directory::mail::{MailLogQuery, MailStatus, OutboxMessage};
use serde::Deserialize;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LogParams {
    status: Option<String>,
    #[serde(rename = "$top")]
    top: Option<u32>,
}

pub(super) async fn log(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    Query(params): Query<LogParams>,
) -> Result<Json<Value>, GraphError> {
    let status = match params.status.as_deref() {
        None => None,
        Some(text) => Some(MailStatus::parse(text).ok_or_else(|| {
            GraphError::bad_request(format!("status is queued, sending, sent or failed, not '{text}'"))
        })?),
    };
    let top = params.top.unwrap_or(100);
    if !(1..=1000).contains(&top) {
        return Err(GraphError::bad_request("$top is 1 to 1000"));
    }
    let query = MailLogQuery { status, limit: top };
    let messages = app.directory.mail_log(&caller, &query).await?;
    Ok(Json(json!({ "value": messages.iter().map(entry).collect::<Vec<_>>() })))
}

fn time_text(at: directory::Timestamp) -> Value {
    at.format(&Rfc3339).map_or(Value::Null, Value::String)
}

fn entry(message: &OutboxMessage) -> Value {
    let next_attempt = match message.status {
        MailStatus::Queued | MailStatus::Sending => time_text(message.due_at),
        MailStatus::Sent | MailStatus::Failed => Value::Null,
    };
    json!({
        "id": message.id.to_string(),
        "kind": message.kind().as_str(),
        "status": message.status.as_str(),
        "recipients": message.recipients.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "language": message.language.as_str(),
        "attempts": message.attempts,
        "createdDateTime": time_text(message.created_at),
        "nextAttemptDateTime": next_attempt,
        "sentDateTime": message.sent_at.map_or(Value::Null, time_text),
        "lastError": message.last_error,
    })
}
