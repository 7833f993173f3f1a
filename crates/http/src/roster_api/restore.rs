//! Bulk restore and its preview. Each user is restored in its own transaction; the answer
//! lists every user in input order with exactly what happened, or why not.

use super::MAX_USERS;
use crate::AppState;
use crate::graph::auth::Authenticated;
use crate::graph::body::GraphJson;
use crate::graph::error::GraphError;
use answer::ErrorBody;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Json, Response};
use directory::Error;
use directory::ids::UserId;
use directory::password::Password;
use directory::recycle_bin::{ConflictResolution, PasswordReset, RestoreOptions, RestorePreview};
use directory::upn::UserPrincipalName;
use serde::Deserialize;
use serde_json::{Value, json};

mod answer;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct BulkRequest {
    users: Vec<UserRequest>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct UserRequest {
    id: uuid::Uuid,
    new_user_principal_name: Option<String>,
    #[serde(default)]
    on_user_principal_name_conflict: OnConflict,
    #[serde(default)]
    auto_reconcile_proxy_conflict: bool,
    #[serde(default)]
    password: PasswordRequest,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
enum OnConflict {
    #[default]
    Fail,
    ReplaceActive,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct PasswordRequest {
    #[serde(default)]
    mode: PasswordMode,
    value: Option<String>,
    #[serde(default)]
    force_change_password_next_sign_in: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
enum PasswordMode {
    #[default]
    Keep,
    Generate,
    Set,
}

impl UserRequest {
    fn options(self) -> Result<(UserId, RestoreOptions), Error> {
        let id = UserId(self.id);
        let new_upn = self
            .new_user_principal_name
            .as_deref()
            .map(UserPrincipalName::parse)
            .transpose()?;
        let alias = new_upn.as_ref().map(|upn| upn.local().to_owned());
        let password = match (self.password.mode, self.password.value) {
            (PasswordMode::Keep, _) => PasswordReset::Keep,
            (PasswordMode::Generate, _) => PasswordReset::Generate,
            (PasswordMode::Set, Some(text)) => PasswordReset::Set(Password::parse(&text, alias.as_deref())?),
            (PasswordMode::Set, None) => {
                return Err(Error::Invalid {
                    code: directory::Code::WeakPassword,
                    message: "password.value is required when password.mode is set".into(),
                    target: Some("password"),
                });
            }
        };
        let options = RestoreOptions {
            new_upn,
            on_upn_conflict: match self.on_user_principal_name_conflict {
                OnConflict::Fail => ConflictResolution::Fail,
                OnConflict::ReplaceActive => ConflictResolution::ReplaceActive,
            },
            auto_reconcile_proxies: self.auto_reconcile_proxy_conflict,
            password,
            force_change_password: self.password.force_change_password_next_sign_in,
        };
        Ok((id, options))
    }
}

fn check_size(request: &BulkRequest) -> Result<(), GraphError> {
    if request.users.is_empty() || request.users.len() > MAX_USERS {
        return Err(GraphError::bad_request(format!(
            "A bulk request names 1 to {MAX_USERS} users; this one names {}.",
            request.users.len()
        )));
    }
    Ok(())
}

/// Parses every item; an item with bad options fails alone, as in the results.
fn parse_items(request: BulkRequest) -> Vec<Result<(UserId, RestoreOptions), (UserId, Error)>> {
    request
        .users
        .into_iter()
        .map(|item| {
            let id = UserId(item.id);
            item.options().map_err(|e| (id, e))
        })
        .collect()
}

/// Restores the users a group at a time and streams the answer as each group commits, so
/// the server holds one group's results, never the whole request's. Checks that fail the
/// whole request (size, authentication, body) answer before anything is written.
pub(super) async fn restore(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    GraphJson(request): GraphJson<BulkRequest>,
) -> Result<Response, GraphError> {
    check_size(&request)?;
    // Valid items go to the directory in one call (it groups them into transactions);
    // invalid ones keep their place in the results.
    let mut slots = Vec::new();
    let mut wanted = Vec::new();
    for item in parse_items(request) {
        match item {
            Ok(restore) => {
                wanted.push(restore);
                slots.push(None);
            }
            Err(invalid) => slots.push(Some(invalid)),
        }
    }
    let (sender, body) = answer::channel();
    // The restore runs to its end even when the client goes away: each group is committed
    // whole, and the answer is only ever a report of what was done.
    tokio::spawn(async move {
        let mut answer = answer::Answer::new(sender, slots);
        let mut bulk = app.directory.bulk_restore(&caller, wanted);
        while let Some(group) = bulk.next_group().await {
            answer.write_group(group).await;
        }
        answer.finish().await;
    });
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

pub(super) async fn preview(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    GraphJson(request): GraphJson<BulkRequest>,
) -> Result<Json<Value>, GraphError> {
    check_size(&request)?;
    let mut previews = Vec::new();
    for item in parse_items(request) {
        let preview = match item {
            Ok((id, options)) => {
                let mut result = app.directory.preview_restores(&caller, &[(id, options)]).await;
                match result.pop().map(|(_, preview)| preview) {
                    Some(Ok(preview)) => preview_json(&preview),
                    Some(Err(error)) => {
                        json!({"id": id.to_string(), "status": "blocked", "error": ErrorBody::of(&error)})
                    }
                    None => json!({"id": id.to_string(), "status": "blocked"}),
                }
            }
            Err((id, error)) => json!({"id": id.to_string(), "status": "blocked", "error": ErrorBody::of(&error)}),
        };
        previews.push(preview);
    }
    Ok(Json(json!({ "previews": previews })))
}

fn preview_json(preview: &RestorePreview) -> Value {
    let plan = &preview.plan;
    json!({
        "id": plan.user.id.to_string(),
        "status": "ready",
        "userPrincipalName": plan.user.upn.to_string(),
        "replacesUser": plan.replaced.as_ref().map(|u| json!({"id": u.id.to_string(), "userPrincipalName": u.upn.to_string()})),
        "removedProxyAddresses": answer::removed(&plan.removed_addresses),
        "promotedPrimaryAddress": plan.promoted_primary.as_ref().map(ToString::to_string),
        "licensesWithoutSeat": preview.licenses_without_seat.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "skippedGroups": answer::groups(&preview.skipped_groups),
    })
}
