//! The restore itself and its results: per user what happened (addresses removed for a
//! proxy conflict, licences not re-applied, groups skipped, the active user renamed, the
//! generated password shown once), the log as CSV, a retry per failed user, and the
//! report mail ("Send email and close").
//!
//! The results are not kept on the server. The page carries each user's outcome in
//! hidden `log-*` fields (never a password), which the CSV download and the report post
//! back.

use super::names::{SkuNames, failure_text, holder_text};
use super::state::WizardState;
use super::wizard::{Frame, Selected};
use crate::WebState;
use crate::lang::Tr;
use crate::page::{Chrome, Section, domain_error, render};
use crate::session::Admin;
use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use directory::ids::UserId;
use directory::recycle_bin::{
    DeletedUserView, LicenseOutcome, PasswordReset, RestoreOutcome, RestoreResult, RestoredUser,
};
use directory::role::RoleSet;
use directory::upn::UserPrincipalName;
use directory::user::User;
use directory::{Code, Error};

/// One user's result, ready to show.
struct ResultRow {
    user: Selected,
    /// `restored`, `already-active` or `failed`.
    status: &'static str,
    final_upn: String,
    error: Option<String>,
    password: Option<String>,
    removed: Vec<String>,
    promoted: Option<String>,
    licenses_not_restored: Vec<String>,
    licenses_over_assigned: Vec<String>,
    groups: Vec<String>,
    replaced: Option<(String, String)>,
    /// The `log-*` fields: what the CSV log and the report say about this user.
    code: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "admin/deleted/results.html")]
struct ResultsPage {
    frame: Frame,
    chrome: Chrome,
    rows: Vec<ResultRow>,
    failed: usize,
    restored: usize,
    password_reset: bool,
}

/// Restores the selected users with their options, and shows the results.
pub(super) async fn restore(
    state: &WebState,
    signed: &crate::session::Signed,
    wizard: &WizardState,
    views: &[DeletedUserView],
    password: &PasswordReset,
    gone: usize,
) -> Response {
    let t = signed.t();
    let caller = &signed.session.caller;
    let mut requests = Vec::new();
    let mut invalid = Vec::new();
    for id in &wizard.ids {
        match wizard.options(*id, password) {
            Ok(options) => requests.push((*id, options)),
            Err(error) => invalid.push(RestoreResult {
                id: *id,
                outcome: RestoreOutcome::Failed(error),
            }),
        }
    }
    let mut results = state.directory.restore_users(caller, requests).await;
    results.extend(invalid);
    let skus = match SkuNames::load(&state.directory, caller).await {
        Ok(skus) => skus,
        Err(error) => return domain_error(t, &error),
    };
    let mut rows = Vec::new();
    for view in views {
        let Some(result) = results.iter().find(|r| r.id == view.deleted.user.id) else {
            continue;
        };
        rows.push(result_row(state, signed, view, result, &skus).await);
    }
    render(&ResultsPage {
        failed: rows.iter().filter(|row| row.status == "failed").count(),
        restored: rows.iter().filter(|row| row.status == "restored").count(),
        password_reset: !matches!(password, PasswordReset::Keep),
        chrome: signed.chrome(Section::DeletedUsers),
        frame: Frame {
            chrome: signed.chrome(Section::DeletedUsers),
            users: Vec::new(),
            gone,
            hidden: Vec::new(),
            error: None,
        },
        rows,
    })
}

async fn result_row(
    state: &WebState,
    signed: &crate::session::Signed,
    view: &DeletedUserView,
    result: &RestoreResult,
    skus: &SkuNames,
) -> ResultRow {
    let t = signed.t();
    let user = Selected::of(view);
    let mut row = ResultRow {
        final_upn: user.upn.clone(),
        status: "failed",
        error: None,
        password: None,
        removed: Vec::new(),
        promoted: None,
        licenses_not_restored: Vec::new(),
        licenses_over_assigned: Vec::new(),
        groups: Vec::new(),
        replaced: None,
        code: String::new(),
        detail: String::new(),
        user,
    };
    match &result.outcome {
        RestoreOutcome::Restored(restored) => {
            fill_restored(state, signed, &mut row, restored, skus).await;
        }
        RestoreOutcome::AlreadyActive => {
            row.status = "already-active";
            row.detail = t.get("restore-status-already-active");
        }
        RestoreOutcome::Failed(error) => {
            let text = failure_text(&state.directory, &signed.session.caller, t, error, &row.user.roles).await;
            row.code = error.code().as_str().to_owned();
            row.detail = text.clone();
            row.error = Some(text);
        }
    }
    row
}

async fn fill_restored(
    state: &WebState,
    signed: &crate::session::Signed,
    row: &mut ResultRow,
    restored: &RestoredUser,
    skus: &SkuNames,
) {
    let t = signed.t();
    row.status = "restored";
    row.final_upn = restored.user.upn.to_string();
    row.password = restored.generated_password.as_ref().map(|p| p.expose().to_owned());
    for conflict in &restored.removed_addresses {
        let who = holder_text(&state.directory, &signed.session.caller, t, &conflict.holder).await;
        row.removed.push(format!("{} {who}", conflict.address));
    }
    row.promoted = restored.promoted_primary.as_ref().map(ToString::to_string);
    for license in &restored.licenses {
        match license {
            LicenseOutcome::Restored(_) => {}
            LicenseOutcome::NotRestored(sku) => row.licenses_not_restored.push(skus.name(*sku)),
            LicenseOutcome::OverAssigned(sku) => row.licenses_over_assigned.push(skus.name(*sku)),
        }
    }
    row.groups = restored.skipped_groups.iter().map(|g| g.display_name.clone()).collect();
    row.replaced = restored
        .replaced
        .as_ref()
        .map(|r| (r.previous_upn.to_string(), r.new_upn.to_string()));
    row.detail = restored_detail(t, row);
}

/// The log's one-line account of a successful restore.
fn restored_detail(t: Tr, row: &ResultRow) -> String {
    let mut parts = vec![t.get("restore-status-restored")];
    if !row.removed.is_empty() {
        parts.push(t.with("restore-log-removed", "addresses", &row.removed.join(", ")));
    }
    if !row.licenses_not_restored.is_empty() {
        parts.push(t.with(
            "restore-log-licenses",
            "licenses",
            &row.licenses_not_restored.join(", "),
        ));
    }
    if !row.groups.is_empty() {
        parts.push(t.with("restore-log-groups", "groups", &row.groups.join(", ")));
    }
    if let Some((_, renamed)) = &row.replaced {
        parts.push(t.with("restore-log-replaced", "upn", renamed));
    }
    parts.join("; ")
}

/// One row of the log as the results page posts it back.
struct LogRow {
    id: String,
    name: String,
    upn: String,
    result: String,
    code: String,
    detail: String,
}

/// The `log-*` fields, in order; a row missing a field gets it empty.
fn log_rows(fields: &[(String, String)]) -> Vec<LogRow> {
    let column = |name: &str| -> Vec<String> {
        fields
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
            .collect()
    };
    let ids = column("log-id");
    let [names, upns, results, codes, details] =
        ["log-name", "log-upn", "log-result", "log-code", "log-detail"].map(column);
    let at = |values: &[String], i: usize| values.get(i).cloned().unwrap_or_default();
    ids.iter()
        .enumerate()
        .map(|(i, id)| LogRow {
            id: id.clone(),
            name: at(&names, i),
            upn: at(&upns, i),
            result: at(&results, i),
            code: at(&codes, i),
            detail: at(&details, i),
        })
        .collect()
}

/// A CSV cell: quoted, and a leading `=`, `+`, `-` or `@` defused so a spreadsheet does not
/// run it as a formula.
fn csv_cell(text: &str) -> String {
    let defused = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    format!("\"{}\"", defused.replace('"', "\"\""))
}

fn csv(rows: &[LogRow]) -> String {
    let mut out = String::from("id,displayName,userPrincipalName,result,code,details\r\n");
    for row in rows {
        let cells = [&row.id, &row.name, &row.upn, &row.result, &row.code, &row.detail].map(|c| csv_cell(c));
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

/// "Download the log": the results as a CSV file.
pub(super) async fn download_log(Admin(signed): Admin, Form(fields): Form<Vec<(String, String)>>) -> Response {
    if let Err(rejection) = super::check_csrf(&signed, &fields) {
        return rejection;
    }
    let body = csv(&log_rows(&fields));
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"restore-log.csv\""),
        ],
        body,
    )
        .into_response()
}

/// The restore results as the report needs them, rebuilt from the log rows. A restored
/// user is named as it was restored; its details stay out of the report.
fn report_results(rows: &[LogRow]) -> Result<Vec<RestoreResult>, String> {
    rows.iter()
        .map(|row| {
            let id: UserId = row.id.parse().map_err(|_| "log-id".to_owned())?;
            let outcome = match row.result.as_str() {
                "restored" => {
                    let upn = UserPrincipalName::parse(&row.upn).map_err(|_| "log-upn".to_owned())?;
                    let mut user = User::new(upn, &row.name, time::OffsetDateTime::UNIX_EPOCH);
                    user.id = id;
                    RestoreOutcome::Restored(Box::new(RestoredUser {
                        user,
                        generated_password: None,
                        password_reset: false,
                        removed_addresses: Vec::new(),
                        promoted_primary: None,
                        licenses: Vec::new(),
                        restored_groups: Vec::new(),
                        skipped_groups: Vec::new(),
                        roles: RoleSet::default(),
                        replaced: None,
                    }))
                }
                "already-active" => RestoreOutcome::AlreadyActive,
                "failed" => RestoreOutcome::Failed(Error::Invalid {
                    code: Code::ALL
                        .iter()
                        .copied()
                        .find(|code| code.as_str() == row.code)
                        .unwrap_or(Code::Internal),
                    message: row.detail.clone(),
                    target: None,
                }),
                _ => return Err("log-result".to_owned()),
            };
            Ok(RestoreResult { id, outcome })
        })
        .collect()
}

/// "Send email and close": queues the report to the recipients, then back to the list.
pub(super) async fn send_report(
    State(state): State<WebState>,
    Admin(signed): Admin,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(rejection) = super::check_csrf(&signed, &fields) {
        return rejection;
    }
    let t = signed.t();
    let results = match report_results(&log_rows(&fields)) {
        Ok(results) => results,
        Err(field) => return domain_error(t, &bad_field(&field)),
    };
    let recipients: Vec<String> = fields
        .iter()
        .filter(|(key, _)| key == "recipients")
        .flat_map(|(_, value)| value.split([',', ';', ' ', '\n']))
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .map(str::to_owned)
        .collect();
    let include_credentials = fields.iter().any(|(key, _)| key == "include-credentials");
    match state
        .directory
        .send_restore_report(&signed.session.caller, &recipients, &results, include_credentials)
        .await
    {
        Ok(count) => Redirect::to(&format!("/admin/deleted-users?sent={count}")).into_response(),
        Err(error) => domain_error(t, &error),
    }
}

fn bad_field(field: &str) -> Error {
    Error::Invalid {
        code: Code::InvalidValue,
        message: format!("the form field '{field}' is not valid"),
        target: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_and_formulas_defused() {
        assert_eq!(csv_cell("Ada \"Countess\""), "\"Ada \"\"Countess\"\"\"");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("@cmd"), "\"'@cmd\"");
        assert_eq!(csv_cell("adele@contoso.com"), "\"adele@contoso.com\"");
    }

    #[test]
    fn log_rows_come_back_in_order_and_rebuild_results() {
        let id = UserId::generate().to_string();
        let fields: Vec<(String, String)> = [
            ("log-id", id.as_str()),
            ("log-name", "Adele Vance"),
            ("log-upn", "adele@contoso.com"),
            ("log-result", "failed"),
            ("log-code", "forbidden"),
            ("log-detail", "no"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let rows = log_rows(&fields);
        assert_eq!(rows.len(), 1);
        assert!(csv(&rows).ends_with("\"adele@contoso.com\",\"failed\",\"forbidden\",\"no\"\r\n"));
        let results = report_results(&rows).unwrap();
        let RestoreOutcome::Failed(error) = &results[0].outcome else {
            panic!("a failed row rebuilds as a failure");
        };
        assert_eq!(error.code(), Code::Forbidden);
        let mut tampered = rows;
        tampered[0].result = "purged".into();
        assert!(report_results(&tampered).is_err());
    }
}
