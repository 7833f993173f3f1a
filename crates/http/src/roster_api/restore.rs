//! Bulk restore and its preview. Each user is restored in its own transaction; the answer
//! lists every user in input order with exactly what happened, or why not.

use super::MAX_USERS;
use crate::AppState;
use crate::graph::auth::Authenticated;
use crate::graph::body::GraphJson;
use crate::graph::error::GraphError;
use axum::extract::State;
use axum::response::Json;
use directory::Error;
use directory::error::Holder;
use directory::ids::UserId;
use directory::password::Password;
use directory::recycle_bin::{
    AddressConflict, ConflictResolution, LicenseOutcome, PasswordReset, RestoreOptions, RestoreOutcome, RestorePreview,
    RestoredUser,
};
use directory::upn::UserPrincipalName;
use serde::Deserialize;
use serde_json::{Value, json};

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

pub(super) async fn restore(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    GraphJson(request): GraphJson<BulkRequest>,
) -> Result<Json<Value>, GraphError> {
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
            Err((id, error)) => {
                slots.push(Some(
                    json!({"id": id.to_string(), "status": "failed", "error": error_json(&error)}),
                ));
            }
        }
    }
    let mut outcomes = app.directory.restore_users(&caller, wanted).await.into_iter();
    let (mut restored, mut already, mut failed) = (0, 0, 0);
    let mut results = Vec::with_capacity(slots.len());
    for slot in slots {
        let result = match slot {
            Some(result) => result,
            None => outcomes
                .next()
                .map_or_else(|| json!({"status": "failed"}), |r| outcome_json(r.id, r.outcome)),
        };
        match result["status"].as_str() {
            Some("restored") => restored += 1,
            Some("alreadyActive") => already += 1,
            _ => failed += 1,
        }
        results.push(result);
    }
    let summary = json!({"restored": restored, "alreadyActive": already, "failed": failed});
    Ok(Json(json!({"results": results, "summary": summary})))
}

fn outcome_json(id: UserId, outcome: RestoreOutcome) -> Value {
    match outcome {
        RestoreOutcome::Restored(user) => restored_json(&user),
        RestoreOutcome::AlreadyActive => json!({"id": id.to_string(), "status": "alreadyActive"}),
        RestoreOutcome::Failed(error) => {
            json!({"id": id.to_string(), "status": "failed", "error": error_json(&error)})
        }
    }
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
                    Some(Err(error)) => json!({"id": id.to_string(), "status": "blocked", "error": error_json(&error)}),
                    None => json!({"id": id.to_string(), "status": "blocked"}),
                }
            }
            Err((id, error)) => json!({"id": id.to_string(), "status": "blocked", "error": error_json(&error)}),
        };
        previews.push(preview);
    }
    Ok(Json(json!({ "previews": previews })))
}

fn holder_json(holder: &Holder) -> Value {
    json!({"id": holder.object_id.to_string(), "type": holder.kind.as_str(),
           "state": if holder.deleted { "softDeleted" } else { "active" }})
}

fn removed_json(conflicts: &[AddressConflict]) -> Value {
    conflicts
        .iter()
        .map(|c| json!({"address": c.address.to_string(), "heldBy": holder_json(&c.holder)}))
        .collect()
}

fn groups_json(groups: &[directory::group::GroupRef]) -> Value {
    groups
        .iter()
        .map(|g| json!({"id": g.id.to_string(), "displayName": g.display_name}))
        .collect()
}

fn error_json(error: &Error) -> Value {
    let graph = GraphError::from(error.clone());
    let holder = match error {
        Error::UpnTaken { holder, .. } | Error::AddressTaken { holder, .. } => holder.as_ref().map(holder_json),
        _ => None,
    };
    json!({"code": error.code().as_str(), "graphCode": graph.code, "message": graph.message,
           "target": error.target(), "heldBy": holder})
}

fn restored_json(restored: &RestoredUser) -> Value {
    let licenses: Vec<Value> = restored
        .licenses
        .iter()
        .map(|outcome| match outcome {
            LicenseOutcome::Restored(sku) => json!({"skuId": sku.to_string(), "outcome": "restored"}),
            LicenseOutcome::OverAssigned(sku) => json!({"skuId": sku.to_string(), "outcome": "overAssigned"}),
            LicenseOutcome::NotRestored(sku) => json!({"skuId": sku.to_string(), "outcome": "notRestored"}),
        })
        .collect();
    let roles: Vec<&str> = restored.roles.iter().map(|r| r.display_name()).collect();
    json!({
        "id": restored.user.id.to_string(),
        "status": "restored",
        "userPrincipalName": restored.user.upn.to_string(),
        "mail": restored.user.mail().map(ToString::to_string),
        "passwordReset": restored.password_reset,
        "generatedPassword": restored.generated_password.as_ref().map(|p| p.expose().to_owned()),
        "removedProxyAddresses": removed_json(&restored.removed_addresses),
        "promotedPrimaryAddress": restored.promoted_primary.as_ref().map(ToString::to_string),
        "licenses": licenses,
        "restoredGroups": groups_json(&restored.restored_groups),
        "skippedGroups": groups_json(&restored.skipped_groups),
        "roles": roles,
        "replacedUser": restored.replaced.as_ref().map(|r| json!({
            "id": r.id.to_string(),
            "previousUserPrincipalName": r.previous_upn.to_string(),
            "newUserPrincipalName": r.new_upn.to_string(),
        })),
    })
}

fn preview_json(preview: &RestorePreview) -> Value {
    let plan = &preview.plan;
    json!({
        "id": plan.user.id.to_string(),
        "status": "ready",
        "userPrincipalName": plan.user.upn.to_string(),
        "replacesUser": plan.replaced.as_ref().map(|u| json!({"id": u.id.to_string(), "userPrincipalName": u.upn.to_string()})),
        "removedProxyAddresses": removed_json(&plan.removed_addresses),
        "promotedPrimaryAddress": plan.promoted_primary.as_ref().map(ToString::to_string),
        "licensesWithoutSeat": preview.licenses_without_seat.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "skippedGroups": groups_json(&preview.skipped_groups),
    })
}
