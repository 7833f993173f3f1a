//! `/users`: create, list (with `$filter`, `$search`, `$orderby`), count, get (by id or UPN),
//! update and delete (to the recycle bin).

use super::auth::Authenticated;
use super::body::GraphJson;
use super::dto::{self, USER_PROPERTIES};
use super::error::GraphError;
use super::query::{QueryOptions, UserCollection};
use crate::AppState;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use directory::address::EmailAddress;
use directory::ids::UserId;
use directory::password::Password;
use directory::upn::UserPrincipalName;
use directory::user::{NewUser, UsageLocation, User, UserUpdate};
use directory::{Caller, Directory};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/users", get(list).post(create))
        .route("/users/$count", get(count))
        .route("/users/{key}", get(get_one).patch(update).delete(delete))
}

async fn list(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    query: QueryOptions,
) -> Result<Json<Value>, GraphError> {
    let selection = query.selection(USER_PROPERTIES)?;
    let listing = query.user_listing(UserCollection::Users)?;
    let page = app.directory.query_users(&caller, &listing.query).await?;
    let next = page
        .next
        .map(|cursor| query.user_next_link(UserCollection::Users, &cursor));
    let count = if listing.count {
        let condition = &listing.query.condition;
        Some(app.directory.count_users_matching(&caller, condition).await?)
    } else {
        None
    };
    let items = page
        .items
        .iter()
        .map(|u| Value::Object(dto::user(u, selection.as_deref())))
        .collect();
    let context = query.context("users", selection.as_deref());
    Ok(Json(dto::collection(context, items, count, next)))
}

async fn count(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    query: QueryOptions,
) -> Result<Response, GraphError> {
    if !query.eventual {
        return Err(GraphError::bad_request("$count is not currently supported."));
    }
    let condition = query.user_count(UserCollection::Users)?;
    let count = app.directory.count_users_matching(&caller, &condition).await?;
    Ok(([("content-type", "text/plain")], count.to_string()).into_response())
}

async fn get_one(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    Path(key): Path<String>,
    query: QueryOptions,
) -> Result<Json<Value>, GraphError> {
    let selection = query.selection(USER_PROPERTIES)?;
    let user = app.directory.user_by_id_or_upn(&caller, &key).await?;
    let context = format!("{}/$entity", query.context("users", selection.as_deref()));
    Ok(Json(dto::entity(context, dto::user(&user, selection.as_deref()))))
}

async fn create(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    query: QueryOptions,
    GraphJson(body): GraphJson<CreateUser>,
) -> Result<Response, GraphError> {
    let new = body.into_new_user()?;
    let user = app.directory.create_user(&caller, new).await?;
    let context = format!("{}/$entity", query.context("users", None));
    Ok((StatusCode::CREATED, Json(dto::entity(context, dto::user(&user, None)))).into_response())
}

async fn update(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    Path(key): Path<String>,
    GraphJson(body): GraphJson<PatchUser>,
) -> Result<StatusCode, GraphError> {
    let user = resolve(&app.directory, &caller, &key).await?;
    let update = body.into_update(&user)?;
    app.directory.update_user(&caller, user.id, update).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn delete(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    Path(key): Path<String>,
) -> Result<StatusCode, GraphError> {
    // An id goes straight to the use case, which answers NotFound itself: one read less.
    let id = match key.parse::<UserId>() {
        Ok(id) => id,
        Err(_) => resolve(&app.directory, &caller, &key).await?.id,
    };
    app.directory.delete_user(&caller, id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn resolve(directory: &Directory, caller: &Caller, key: &str) -> Result<User, GraphError> {
    Ok(directory.user_by_id_or_upn(caller, key).await?)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct PasswordProfile {
    password: Option<String>,
    #[serde(default)]
    force_change_password_next_sign_in: bool,
    #[serde(default)]
    force_change_password_next_sign_in_with_mfa: bool,
}

impl PasswordProfile {
    /// The password under the policy (it may not contain `alias`), and whether it must be
    /// changed at next sign-in (either force flag).
    fn into_password(self, alias: &str) -> Result<(Password, bool), GraphError> {
        let text = required(self.password, "passwordProfile.password")?;
        let force = self.force_change_password_next_sign_in || self.force_change_password_next_sign_in_with_mfa;
        Ok((Password::parse(&text, Some(alias))?, force))
    }
}

/// `POST /users`. Read-only properties are refused by `deny_unknown_fields`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct CreateUser {
    #[serde(rename = "@odata.type")]
    _odata_type: Option<String>,
    account_enabled: Option<bool>,
    display_name: Option<String>,
    mail_nickname: Option<String>,
    user_principal_name: Option<String>,
    password_profile: Option<PasswordProfile>,
    given_name: Option<String>,
    surname: Option<String>,
    job_title: Option<String>,
    department: Option<String>,
    usage_location: Option<String>,
    preferred_language: Option<String>,
    mail: Option<String>,
    #[serde(default)]
    other_mails: Vec<String>,
    #[serde(default)]
    business_phones: Vec<String>,
}

fn required<T>(value: Option<T>, property: &str) -> Result<T, GraphError> {
    value.ok_or_else(|| GraphError::bad_request(format!("Property '{property}' is required when creating the object.")))
}

impl CreateUser {
    fn into_new_user(self) -> Result<NewUser, GraphError> {
        if !self.business_phones.is_empty() {
            return Err(GraphError::bad_request(
                "Property 'businessPhones' is not supported by this server.",
            ));
        }
        let upn = UserPrincipalName::parse(&required(self.user_principal_name, "userPrincipalName")?)?;
        let (password, force_change) =
            required(self.password_profile, "passwordProfile")?.into_password(upn.local())?;
        let mut new = NewUser::new(upn, &required(self.display_name, "displayName")?, password);
        new.account_enabled = required(self.account_enabled, "accountEnabled")?;
        new.mail_nickname = required(self.mail_nickname, "mailNickname")?;
        new.force_change_password = force_change;
        new.given_name = self.given_name;
        new.surname = self.surname;
        new.job_title = self.job_title;
        new.department = self.department;
        new.preferred_language = self.preferred_language;
        new.usage_location = self.usage_location.as_deref().map(UsageLocation::parse).transpose()?;
        new.mail = self.mail.as_deref().map(EmailAddress::parse).transpose()?;
        new.other_mails = self
            .other_mails
            .iter()
            .map(|m| EmailAddress::parse(m))
            .collect::<Result<_, _>>()?;
        Ok(new)
    }
}

/// `Option<Option<T>>` from JSON: absent is `None`, `null` is `Some(None)`.
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

/// `PATCH /users/{id}`. Read-only properties (`proxyAddresses`, `id`, …) are refused.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct PatchUser {
    #[serde(rename = "@odata.type")]
    _odata_type: Option<String>,
    account_enabled: Option<bool>,
    display_name: Option<String>,
    mail_nickname: Option<String>,
    user_principal_name: Option<String>,
    password_profile: Option<PasswordProfile>,
    mail: Option<String>,
    other_mails: Option<Vec<String>>,
    #[serde(default, deserialize_with = "nullable")]
    given_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    surname: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    job_title: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    department: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    usage_location: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    preferred_language: Option<Option<String>>,
}

impl PatchUser {
    fn into_update(self, user: &User) -> Result<UserUpdate, GraphError> {
        let upn = self
            .user_principal_name
            .as_deref()
            .map(UserPrincipalName::parse)
            .transpose()?;
        let alias = upn.as_ref().unwrap_or(&user.upn).local().to_owned();
        let password = self
            .password_profile
            .map(|profile| profile.into_password(&alias))
            .transpose()?;
        let usage_location = match self.usage_location {
            Some(Some(text)) => Some(Some(UsageLocation::parse(&text)?)),
            Some(None) => Some(None),
            None => None,
        };
        Ok(UserUpdate {
            upn,
            display_name: self.display_name,
            mail_nickname: self.mail_nickname,
            given_name: self.given_name,
            surname: self.surname,
            mail: self.mail.as_deref().map(EmailAddress::parse).transpose()?,
            other_mails: self
                .other_mails
                .map(|m| m.iter().map(|a| EmailAddress::parse(a)).collect())
                .transpose()?,
            account_enabled: self.account_enabled,
            usage_location,
            preferred_language: self.preferred_language,
            job_title: self.job_title,
            department: self.department,
            manager_id: None,
            password,
        })
    }
}
