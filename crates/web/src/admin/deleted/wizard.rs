//! The restore wizard's steps before the restore itself: the password, the user name
//! conflicts and the preview. Each step re-reads the selected users (one may have been
//! restored or purged meanwhile) and re-checks every choice.

use super::names::{SkuNames, failure_text, holder_text};
use super::results;
use super::state::{ConflictChoice, PasswordChoice, WizardState, bad_form};
use crate::WebState;
use crate::lang::Tr;
use crate::page::{Chrome, Section, domain_error, error_page, explain, render};
use crate::session::{Admin, Signed};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use directory::caller::Permission;
use directory::ids::UserId;
use directory::query::{Condition, Field, Sort, SortKey, UserQuery, Value};
use directory::recycle_bin::{DeletedUserView, RestoreOptions, RestorePreview};
use directory::{Caller, Directory, Error};
use serde::Deserialize;

/// A selected user, as every step names it.
pub(super) struct Selected {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) upn: String,
    pub(super) roles: String,
}

impl Selected {
    pub(super) fn of(view: &DeletedUserView) -> Self {
        let roles: Vec<&str> = view.roles.iter().map(|role| role.display_name()).collect();
        Selected {
            id: view.deleted.user.id.to_string(),
            name: view.deleted.user.display_name.clone(),
            upn: view.deleted.user.upn.to_string(),
            roles: roles.join(", "),
        }
    }
}

/// What every step shows around its form.
pub(super) struct Frame {
    pub(super) chrome: Chrome,
    pub(super) users: Vec<Selected>,
    /// Selected users no longer in the recycle bin (restored or purged meanwhile).
    pub(super) gone: usize,
    pub(super) hidden: Vec<(String, String)>,
    pub(super) error: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/deleted/password.html")]
struct PasswordStep {
    frame: Frame,
    chrome: Chrome,
    choice: &'static str,
    force_change: bool,
}

/// A user with a user name conflict, and the answer chosen so far.
struct ConflictRow {
    user: Selected,
    holder: String,
    rename_active: bool,
    new_upn: Option<String>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/deleted/conflicts.html")]
struct ConflictsStep {
    frame: Frame,
    chrome: Chrome,
    rows: Vec<ConflictRow>,
}

/// What restoring one user will do.
struct PreviewRow {
    user: Selected,
    error: Option<String>,
    final_upn: String,
    replaced: Option<String>,
    removed: Vec<String>,
    promoted: Option<String>,
    licenses: Vec<String>,
    groups: Vec<String>,
}

#[derive(Template)]
#[template(path = "admin/deleted/preview.html")]
struct PreviewStep {
    frame: Frame,
    chrome: Chrome,
    rows: Vec<PreviewRow>,
    failures: usize,
    /// The message key that says what happens to the passwords.
    password_key: String,
    force_change: bool,
}

#[derive(Debug, Deserialize)]
pub(super) struct OneUser {
    id: String,
}

/// The per-row "Restore" link: the wizard for one user.
pub(super) async fn start_one(
    State(state): State<WebState>,
    Admin(signed): Admin,
    Query(one): Query<OneUser>,
) -> Response {
    let fields = vec![("id".to_owned(), one.id)];
    run(&state, &signed, &fields).await
}

/// Every step posts here; `step` says which form was submitted.
pub(super) async fn step(
    State(state): State<WebState>,
    Admin(signed): Admin,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(rejection) = super::check_csrf(&signed, &fields) {
        return rejection;
    }
    run(&state, &signed, &fields).await
}

async fn run(state: &WebState, signed: &Signed, fields: &[(String, String)]) -> Response {
    let t = signed.t();
    let mut wizard = match WizardState::parse(fields) {
        Ok(wizard) => wizard,
        Err(field) => return refused(t, &bad_form(t, &field)),
    };
    let caller = &signed.session.caller;
    if let Err(error) = caller.authorize(Permission::RestoreUser) {
        return domain_error(t, &error);
    }
    let views = match selected(&state.directory, caller, &wizard.ids).await {
        Ok(views) => views,
        Err(error) => return domain_error(t, &error),
    };
    if views.is_empty() {
        return refused(t, &t.get("restore-none-selected"));
    }
    let gone = wizard.ids.len() - views.len();
    wizard.ids = views.iter().map(|view| view.deleted.user.id).collect();
    let frame = |hidden, error| Frame {
        chrome: signed.chrome(Section::DeletedUsers),
        users: views.iter().map(Selected::of).collect(),
        gone,
        hidden,
        error,
    };
    match wizard.step.as_str() {
        "start" => password_step(frame(ids_only(&wizard), None), &wizard),
        "password" | "conflicts" => {
            let password = match wizard.password_reset() {
                Ok(password) => password,
                Err(error) => return password_step(frame(ids_only(&wizard), Some(explain(t, &error))), &wizard),
            };
            let planned = plan(&state.directory, caller, &wizard, &password).await;
            if needs_conflict_answers(&planned) {
                let rows = conflict_rows(&state.directory, caller, t, &wizard, &views, &planned).await;
                return render(&ConflictsStep {
                    chrome: signed.chrome(Section::DeletedUsers),
                    frame: frame(wizard.hidden(false), None),
                    rows,
                });
            }
            let skus = match SkuNames::load(&state.directory, caller).await {
                Ok(skus) => skus,
                Err(error) => return domain_error(t, &error),
            };
            let rows = preview_rows(&state.directory, caller, t, &views, planned, &skus).await;
            render(&PreviewStep {
                chrome: signed.chrome(Section::DeletedUsers),
                failures: rows.iter().filter(|row| row.error.is_some()).count(),
                frame: frame(wizard.hidden(true), None),
                rows,
                password_key: format!("restore-preview-password-{}", wizard.password.as_str()),
                force_change: wizard.force_change && wizard.password != PasswordChoice::Keep,
            })
        }
        "restore" => match wizard.password_reset() {
            Ok(password) => results::restore(state, signed, &wizard, &views, &password, gone).await,
            Err(error) => password_step(frame(ids_only(&wizard), Some(explain(t, &error))), &wizard),
        },
        other => refused(t, &bad_form(t, other)),
    }
}

fn refused(t: Tr, message: &str) -> Response {
    error_page(t, StatusCode::BAD_REQUEST, &t.get("restore-title"), message).into_response()
}

fn ids_only(wizard: &WizardState) -> Vec<(String, String)> {
    wizard.ids.iter().map(|id| ("id".to_owned(), id.to_string())).collect()
}

fn password_step(frame: Frame, wizard: &WizardState) -> Response {
    let status = if frame.error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let page = PasswordStep {
        chrome: frame.chrome.clone(),
        frame,
        choice: wizard.password.as_str(),
        force_change: wizard.force_change || wizard.step == "start",
    };
    (status, render(&page)).into_response()
}

/// The selected users still in the recycle bin, in the order selected.
pub(super) async fn selected(
    directory: &Directory,
    caller: &Caller,
    ids: &[UserId],
) -> Result<Vec<DeletedUserView>, Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let values = ids.iter().map(|id| Value::Uuid(id.as_uuid())).collect();
    let query = UserQuery {
        condition: Condition::one_of(Field::Id, values)?,
        sort: Sort::ascending(SortKey::DisplayName),
        after: None,
        limit: u32::try_from(ids.len()).unwrap_or(u32::MAX),
    };
    let mut found = directory.query_deleted_users_with_details(caller, &query).await?.items;
    found.sort_by_key(|view| ids.iter().position(|id| *id == view.deleted.user.id));
    Ok(found)
}

/// Each user's options (or why they are wrong) and, for valid ones, the preview.
type Planned = Vec<(UserId, Result<RestorePreview, Error>)>;

async fn plan(
    directory: &Directory,
    caller: &Caller,
    wizard: &WizardState,
    password: &directory::recycle_bin::PasswordReset,
) -> Planned {
    let mut requests: Vec<(UserId, RestoreOptions)> = Vec::new();
    let mut invalid = Vec::new();
    for id in &wizard.ids {
        match wizard.options(*id, password) {
            Ok(options) => requests.push((*id, options)),
            Err(error) => invalid.push((*id, Err(error))),
        }
    }
    let mut planned = directory.preview_restores(caller, &requests).await;
    planned.extend(invalid);
    planned.sort_by_key(|(id, _)| wizard.ids.iter().position(|known| known == id));
    planned
}

/// Whether an error is about the user name, which the conflicts step can fix.
fn is_name_error(error: &Error) -> bool {
    matches!(error.target(), Some("userPrincipalName" | "domain"))
}

/// The conflicts step shows while some user's name is taken (and not answered) or its
/// answer is wrong.
fn needs_conflict_answers(planned: &Planned) -> bool {
    planned
        .iter()
        .any(|(_, result)| result.as_ref().is_err_and(is_name_error))
}

async fn conflict_rows(
    directory: &Directory,
    caller: &Caller,
    t: Tr,
    wizard: &WizardState,
    views: &[DeletedUserView],
    planned: &Planned,
) -> Vec<ConflictRow> {
    let mut rows = Vec::new();
    for (view, (id, result)) in views.iter().zip(planned) {
        let choice = wizard.conflicts.get(id);
        let name_error = result.as_ref().err().filter(|error| is_name_error(error));
        if choice.is_none() && name_error.is_none() {
            continue;
        }
        let holder = match name_error {
            Some(Error::UpnTaken {
                holder: Some(holder), ..
            }) if choice.is_none() => holder_text(directory, caller, t, holder).await,
            _ => String::new(),
        };
        let error = match (choice, name_error) {
            (Some(_), Some(error)) => Some(failure_text(directory, caller, t, error, "").await),
            _ => None,
        };
        rows.push(ConflictRow {
            user: Selected::of(view),
            holder,
            rename_active: matches!(choice, Some(ConflictChoice::RenameActive)),
            new_upn: match choice {
                Some(ConflictChoice::NewUpn(upn)) => Some(upn.clone()),
                _ => None,
            },
            error,
        });
    }
    rows
}

async fn preview_rows(
    directory: &Directory,
    caller: &Caller,
    t: Tr,
    views: &[DeletedUserView],
    planned: Planned,
    skus: &SkuNames,
) -> Vec<PreviewRow> {
    let mut rows = Vec::new();
    for (view, (_, result)) in views.iter().zip(planned) {
        let user = Selected::of(view);
        let row = match result {
            Ok(preview) => {
                let mut removed = Vec::new();
                for conflict in &preview.plan.removed_addresses {
                    let who = holder_text(directory, caller, t, &conflict.holder).await;
                    removed.push(format!("{} {who}", conflict.address));
                }
                PreviewRow {
                    final_upn: preview.plan.user.upn.to_string(),
                    replaced: preview.plan.replaced.map(|holder| holder.upn.to_string()),
                    removed,
                    promoted: preview.plan.promoted_primary.map(|address| address.to_string()),
                    licenses: skus.names(preview.licenses_without_seat),
                    groups: preview.skipped_groups.into_iter().map(|g| g.display_name).collect(),
                    error: None,
                    user,
                }
            }
            Err(error) => PreviewRow {
                error: Some(failure_text(directory, caller, t, &error, &user.roles).await),
                final_upn: user.upn.clone(),
                replaced: None,
                removed: Vec::new(),
                promoted: None,
                licenses: Vec::new(),
                groups: Vec::new(),
                user,
            },
        };
        rows.push(row);
    }
    rows
}
