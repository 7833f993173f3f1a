//! Deleted users and the restore wizard, step by step as Microsoft's "Restore a user"
//! article has it: select users → Restore → password → user name conflicts → preview →
//! Restore → results → "Send email and close" or "Close".
//!
//! The wizard keeps no state on the server: every step is a POST (with CSRF) to
//! `/admin/deleted-users/restore` carrying the selected ids and the choices so far in hidden
//! fields, and every step re-reads the users and re-checks the choices. Passwords never go
//! into a URL. The results page is rendered directly (generated passwords are shown once);
//! its log (CSV download) and its report mail are POSTs that carry the result rows, never
//! a password.
//!
//! Element ids the browser tests rely on (`<id>` is a user id):
//! - list `/admin/deleted-users`: `deleted-users` (table), `deleted-row-<id>`, `select-<id>`
//!   (checkbox), `restore-<id>` (per-row link), `restore-selected` (button), `search`
//!   (field), `search-submit`, `next-page`, `first-page`, `deleted-count`, `report-sent`.
//! - every wizard step: `wizard-step-password`, `wizard-step-conflicts`,
//!   `wizard-step-preview` or `wizard-results` (a section), `wizard-user-<id>` (selected
//!   user), `wizard-error` (role="alert"), `next` (submit), `cancel` (link back).
//! - password step: `password-auto`, `password-manual`, `password-keep` (radios),
//!   `new-password` (field for "Let me create the password"), `force-change` (checkbox).
//! - conflicts step: `conflict-<id>` (row), `conflict-<id>-rename-active`,
//!   `conflict-<id>-new-upn` (radios), `new-upn-<id>` (field), `conflict-error-<id>`.
//! - preview step: `preview-row-<id>`, `preview-error-<id>`, `preview-replaced-<id>`,
//!   `preview-removed-<id>`, `preview-licenses-<id>`, `restore-confirm` (button).
//! - results: `result-row-<id>`, `result-status-<id>`, `result-error-<id>`,
//!   `result-password-<id>`, `result-removed-<id>`, `result-licenses-<id>`,
//!   `result-groups-<id>`, `result-replaced-<id>`, `restore-failed` (role="alert" when some
//!   users failed), `password-reminder`, `retry-<id>` (button per failed user),
//!   `download-log`, `recipients`, `include-credentials`, `send-email-and-close`, `close`.

mod list;
mod names;
mod results;
mod state;
mod wizard;

use crate::WebState;
use axum::Router;
use axum::routing::{get, post};

pub(super) fn routes() -> Router<WebState> {
    Router::new()
        .route("/admin/deleted-users", get(list::list))
        .route(
            "/admin/deleted-users/restore",
            get(wizard::start_one).post(wizard::step),
        )
        .route("/admin/deleted-users/restore/log", post(results::download_log))
        .route("/admin/deleted-users/restore/report", post(results::send_report))
}

/// Refuses a posted form (as name/value pairs) whose CSRF token is not the session's.
#[allow(clippy::result_large_err)]
fn check_csrf(signed: &crate::session::Signed, fields: &[(String, String)]) -> Result<(), axum::response::Response> {
    let csrf = fields
        .iter()
        .find(|(name, _)| name == "csrf")
        .map_or("", |(_, v)| v.as_str());
    signed.check_csrf(csrf)
}
