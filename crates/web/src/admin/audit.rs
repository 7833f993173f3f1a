//! "Audit log": newest first, filtered by actor, activity, target (name or id) and a date
//! range (UTC days, both ends included), with "Show more" raising the limit.

use crate::WebState;
use crate::page::{Chrome, Section, date_time, domain_error, render};
use crate::session::{Admin, url_encode};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use directory::Timestamp;
use directory::audit::{AuditAction, AuditEvent, AuditOutcome, AuditQuery};
use serde::Deserialize;
use time::macros::format_description;
use time::{Date, Duration};

pub(super) fn routes() -> Router<WebState> {
    Router::new().route("/admin/audit", get(audit))
}

/// Records shown at first, and added by each "Show more".
const STEP: u32 = 100;
/// The most records one page shows (the domain's own limit).
const MAX_LIMIT: u32 = 1000;

#[derive(Debug, Default, Deserialize)]
struct Filters {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    limit: Option<String>,
}

struct ActionOption {
    name: &'static str,
    selected: bool,
}

struct EventRow {
    at: String,
    actor: String,
    action: &'static str,
    target: String,
    failed: bool,
    details: String,
}

impl EventRow {
    fn of(event: AuditEvent) -> Self {
        EventRow {
            at: date_time(event.at),
            actor: event.actor,
            action: event.action.as_str(),
            target: event.target,
            failed: event.outcome == AuditOutcome::Failure,
            details: event
                .details
                .iter()
                .map(|(key, value)| format!("{key}: {value}"))
                .collect::<Vec<_>>()
                .join("; "),
        }
    }
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    chrome: Chrome,
    filters: Filters,
    actions: Vec<ActionOption>,
    events: Vec<EventRow>,
    /// The link that shows more records, when the limit was reached.
    more: Option<String>,
    error: Option<String>,
}

async fn audit(State(state): State<WebState>, Admin(signed): Admin, Query(filters): Query<Filters>) -> Response {
    let t = signed.t();
    let limit = filters
        .limit
        .as_deref()
        .and_then(|l| l.parse::<u32>().ok())
        .map_or(STEP, |l| l.clamp(1, MAX_LIMIT));
    let actions = AuditAction::ALL
        .iter()
        .map(|action| ActionOption {
            name: action.as_str(),
            selected: action.as_str() == filters.action,
        })
        .collect();
    let query = match audit_query(&filters, limit) {
        Ok(query) => query,
        Err(field) => {
            let page = AuditPage {
                chrome: signed.chrome(Section::Audit),
                error: Some(t.with("audit-bad-date", "field", &t.get(field))),
                filters,
                actions,
                events: Vec::new(),
                more: None,
            };
            return (StatusCode::BAD_REQUEST, render(&page)).into_response();
        }
    };
    let events = match state.directory.audit_events(&signed.session.caller, &query).await {
        Ok(events) => events,
        Err(error) => return domain_error(t, &error),
    };
    let more = (events.len() as u32 >= limit && limit < MAX_LIMIT).then(|| more_link(&filters, limit + STEP));
    render(&AuditPage {
        chrome: signed.chrome(Section::Audit),
        filters,
        actions,
        events: events.into_iter().map(EventRow::of).collect(),
        more,
        error: None,
    })
}

/// The domain query, or the label key of the date field that does not parse.
fn audit_query(filters: &Filters, limit: u32) -> Result<AuditQuery, &'static str> {
    let target = filters.target.trim();
    let (target_id, target_name) = match target.parse::<uuid::Uuid>() {
        Ok(id) => (Some(id), None),
        Err(_) => (None, (!target.is_empty()).then(|| target.to_owned())),
    };
    let actor = filters.actor.trim();
    Ok(AuditQuery {
        action: AuditAction::parse(&filters.action),
        target_id,
        target: target_name,
        actor: (!actor.is_empty()).then(|| actor.to_owned()),
        since: day(&filters.from).map_err(|()| "audit-from")?,
        // The "to" day is included: records before the start of the next day.
        until: day(&filters.to)
            .map_err(|()| "audit-to")?
            .map(|at| at + Duration::days(1)),
        limit,
    })
}

/// The start (UTC) of a `YYYY-MM-DD` day; `None` for an empty field.
fn day(text: &str) -> Result<Option<Timestamp>, ()> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let date = Date::parse(text, format_description!("[year]-[month]-[day]")).map_err(|_| ())?;
    Ok(Some(date.midnight().assume_utc()))
}

fn more_link(filters: &Filters, limit: u32) -> String {
    let fields = [
        ("actor", &filters.actor),
        ("action", &filters.action),
        ("target", &filters.target),
        ("from", &filters.from),
        ("to", &filters.to),
    ];
    let mut href = String::from("/admin/audit?");
    for (name, value) in fields {
        href.push_str(&format!("{name}={}&", url_encode(value)));
    }
    href.push_str(&format!("limit={limit}"));
    href
}
