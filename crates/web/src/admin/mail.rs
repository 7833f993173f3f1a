//! `/admin/mail`: the mail log. Every message Roster queued, newest first, with where it
//! is (queued, sending, sent, failed), its attempts and the mail server's last answer.

use crate::WebState;
use crate::page::{Chrome, Section, domain_error, render};
use crate::session::Admin;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use directory::mail::{MailLogQuery, MailStatus, OutboxMessage};
use serde::Deserialize;

pub(super) fn routes() -> Router<WebState> {
    Router::new().route("/admin/mail", get(mail_log))
}

const STATUSES: [MailStatus; 4] = [
    MailStatus::Queued,
    MailStatus::Sending,
    MailStatus::Sent,
    MailStatus::Failed,
];

/// One message as the log shows it.
#[derive(Debug)]
struct Row {
    id: String,
    created: String,
    kind: String,
    recipients: String,
    language: String,
    status: &'static str,
    attempts: u32,
    sent: String,
    last_error: String,
}

impl Row {
    fn of(message: &OutboxMessage) -> Row {
        Row {
            id: message.id.0.to_string(),
            created: crate::page::date_time(message.created_at),
            kind: message.kind().as_str().to_owned(),
            recipients: message
                .recipients
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            language: message.language.to_string(),
            status: message.status.as_str(),
            attempts: message.attempts,
            sent: message.sent_at.map(crate::page::date_time).unwrap_or_default(),
            last_error: message.last_error.clone().unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "admin/mail.html")]
struct MailPage {
    chrome: Chrome,
    rows: Vec<Row>,
    status: String,
    statuses: Vec<&'static str>,
}

#[derive(Debug, Deserialize)]
struct Filter {
    status: Option<String>,
}

async fn mail_log(State(state): State<WebState>, Admin(signed): Admin, Query(filter): Query<Filter>) -> Response {
    let status = filter.status.as_deref().and_then(MailStatus::parse);
    let query = MailLogQuery { status, limit: 200 };
    match state.directory.mail_log(&signed.session.caller, &query).await {
        Ok(messages) => render(&MailPage {
            chrome: signed.chrome(Section::Mail),
            rows: messages.iter().map(Row::of).collect(),
            status: status.map(|s| s.as_str().to_owned()).unwrap_or_default(),
            statuses: STATUSES.iter().map(|s| s.as_str()).collect(),
        }),
        Err(error) => domain_error(signed.t(), &error),
    }
}
