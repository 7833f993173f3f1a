//! `/directory/deletedItems`: the recycle bin. Listing needs the user cast, in either of the
//! forms clients send (`microsoft.graph.user`, or `graph.user` from the Python SDK), and
//! takes `$filter`, `$search` and `$orderby` as `/users` does (plus `deletedDateTime`); the
//! `deletedItems` segment is matched in either case.

use super::auth::Authenticated;
use super::body::OptionalGraphJson;
use super::dto::{self, deleted_user_properties};
use super::error::GraphError;
use super::query::{QueryOptions, UserCollection};
use crate::AppState;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use directory::ids::UserId;
use directory::recycle_bin::{DeletedUserEntry, RestoreOptions};
use directory::upn::UserPrincipalName;
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub fn routes() -> Router<AppState> {
    let mut router = Router::new();
    for segment in ["deletedItems", "deleteditems", "DeletedItems"] {
        router = router
            .route(&format!("/directory/{segment}"), get(list_without_cast))
            .route(
                &format!("/directory/{segment}/{{item}}"),
                get(list_or_get).delete(purge),
            )
            .route(&format!("/directory/{segment}/{{item}}/$count"), get(count))
            .route(&format!("/directory/{segment}/{{item}}/restore"), post(restore))
            .route(&format!("/directory/{segment}/{{item}}/{{cast}}"), get(get_as_user));
    }
    router
}

fn is_user_cast(segment: &str) -> bool {
    segment.eq_ignore_ascii_case("microsoft.graph.user") || segment.eq_ignore_ascii_case("graph.user")
}

fn parse_id(text: &str) -> Result<UserId, GraphError> {
    text.parse().map_err(|_| GraphError::not_found(text))
}

async fn list_without_cast() -> GraphError {
    GraphError::unsupported_query(
        "Searches against this resource are not supported. Only specific instances can be queried.",
    )
}

/// `…/deletedItems/{cast}` lists; `…/deletedItems/{id}` gets one.
async fn list_or_get(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    Path(item): Path<String>,
    query: QueryOptions,
) -> Result<Response, GraphError> {
    if !is_user_cast(&item) {
        let id = parse_id(&item)?;
        let selection = query.selection(&deleted_user_properties())?;
        let view = app.directory.deleted_user(&caller, id).await?;
        let context = format!("{}/$metadata#directoryObjects/$entity", query.base);
        return Ok(Json(dto::entity(
            context,
            dto::deleted_user(&view.deleted, view.purge_at, selection.as_deref()),
        ))
        .into_response());
    }
    let selection = query.selection(&deleted_user_properties())?;
    let listing = query.user_listing(UserCollection::DeletedUsers)?;
    let (page, count) = if listing.count {
        let (page, count) = app
            .directory
            .query_deleted_users_counted(&caller, &listing.query)
            .await?;
        (page, Some(count))
    } else {
        (app.directory.query_deleted_users(&caller, &listing.query).await?, None)
    };
    let next = page
        .next
        .map(|cursor| query.user_next_link(UserCollection::DeletedUsers, &cursor));
    let context = query.context("users", selection.as_deref());
    Ok(Json(DeletedPage {
        context,
        count,
        next,
        names: deleted_user_names(selection.as_deref()),
        entries: &page.items,
    })
    .into_response())
}

/// The properties [`dto::deleted_user`] gives each deleted user for `selection`, with
/// `@odata.type`, sorted as a `serde_json::Map` keeps its keys.
fn deleted_user_names(selection: Option<&[&str]>) -> Vec<&'static str> {
    let known = deleted_user_properties();
    let chosen = selection.unwrap_or(&dto::USER_PROPERTIES[..11]);
    let mut names: Vec<&'static str> = known.iter().copied().filter(|name| chosen.contains(name)).collect();
    names.extend(["@odata.type", "id", "deletedDateTime"]);
    if selection.is_none() {
        names.push("permanentDeletionDateTime");
    }
    names.sort_unstable();
    names.dedup();
    names
}

/// A page of deleted users written straight into the response, exactly as
/// [`dto::collection`] of [`dto::deleted_user`] values would be, without building a
/// `serde_json::Value` per user first: the recycle bin's pages are its hot path.
struct DeletedPage<'a> {
    context: String,
    count: Option<u64>,
    next: Option<String>,
    names: Vec<&'static str>,
    entries: &'a [DeletedUserEntry],
}

impl Serialize for DeletedPage<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("@odata.context", &self.context)?;
        if let Some(count) = self.count {
            map.serialize_entry("@odata.count", &count)?;
        }
        if let Some(next) = &self.next {
            map.serialize_entry("@odata.nextLink", next)?;
        }
        let users: Vec<DeletedUserJson<'_>> = self
            .entries
            .iter()
            .map(|entry| DeletedUserJson {
                entry,
                names: &self.names,
            })
            .collect();
        map.serialize_entry("value", &users)?;
        map.end()
    }
}

/// One deleted user's `names`, in their order.
struct DeletedUserJson<'a> {
    entry: &'a DeletedUserEntry,
    names: &'a [&'static str],
}

impl Serialize for DeletedUserJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.names.len()))?;
        for name in self.names {
            put_property(&mut map, name, self.entry)?;
        }
        map.end()
    }
}

/// Writes one property of a deleted user as [`dto::deleted_user`] shapes it.
fn put_property<M: SerializeMap>(map: &mut M, name: &'static str, entry: &DeletedUserEntry) -> Result<(), M::Error> {
    let user = &entry.deleted.user;
    let null = Option::<()>::None;
    match name {
        "@odata.type" => map.serialize_entry(name, "#microsoft.graph.user"),
        "id" => map.serialize_entry(name, &user.id.to_string()),
        "businessPhones" => map.serialize_entry(name, &[(); 0]),
        "displayName" => map.serialize_entry(name, &user.display_name),
        "givenName" => map.serialize_entry(name, &user.given_name),
        "jobTitle" => map.serialize_entry(name, &user.job_title),
        "mail" => map.serialize_entry(name, &user.mail().map(ToString::to_string)),
        "preferredLanguage" => map.serialize_entry(name, &user.preferred_language),
        "surname" => map.serialize_entry(name, &user.surname),
        "userPrincipalName" => map.serialize_entry(name, &entry.deleted.tombstone_upn()),
        "accountEnabled" => map.serialize_entry(name, &user.account_enabled),
        "mailNickname" => map.serialize_entry(name, &user.mail_nickname),
        "proxyAddresses" => {
            let addresses: Vec<String> = user.proxy_addresses.iter().map(ToString::to_string).collect();
            map.serialize_entry(name, &addresses)
        }
        "otherMails" => {
            let mails: Vec<String> = user.other_mails.iter().map(ToString::to_string).collect();
            map.serialize_entry(name, &mails)
        }
        "usageLocation" => map.serialize_entry(name, &user.usage_location.as_ref().map(ToString::to_string)),
        "department" => map.serialize_entry(name, &user.department),
        "createdDateTime" => map.serialize_entry(name, &dto::graph_time(user.created_at)),
        "deletedDateTime" => map.serialize_entry(name, &dto::graph_time(entry.deleted.deleted_at)),
        "permanentDeletionDateTime" => map.serialize_entry(name, &dto::graph_time(entry.purge_at)),
        "onPremisesSyncEnabled" => map.serialize_entry(name, &user.on_premises_sync_enabled),
        "userType" => map.serialize_entry(name, "Member"),
        _ => map.serialize_entry(name, &null),
    }
}

async fn count(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    Path(item): Path<String>,
    query: QueryOptions,
) -> Result<Response, GraphError> {
    if !is_user_cast(&item) {
        return Err(GraphError::not_found(&item));
    }
    if !query.eventual {
        return Err(GraphError::bad_request("$count is not currently supported."));
    }
    let condition = query.user_count(UserCollection::DeletedUsers)?;
    let count = app.directory.count_deleted_users_matching(&caller, &condition).await?;
    Ok(([("content-type", "text/plain")], count.to_string()).into_response())
}

async fn get_as_user(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    Path((item, cast)): Path<(String, String)>,
    query: QueryOptions,
) -> Result<Json<Value>, GraphError> {
    if !is_user_cast(&cast) {
        return Err(GraphError::not_found(&cast));
    }
    let selection = query.selection(&deleted_user_properties())?;
    let view = app.directory.deleted_user(&caller, parse_id(&item)?).await?;
    let context = format!("{}/$entity", query.context("users", selection.as_deref()));
    let mut properties = dto::deleted_user(&view.deleted, view.purge_at, selection.as_deref());
    properties.remove("@odata.type");
    Ok(Json(dto::entity(context, properties)))
}

/// The optional body of `restore` (v1.0 docs, 2025).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RestoreBody {
    new_user_principal_name: Option<String>,
    #[serde(default)]
    auto_reconcile_proxy_conflict: bool,
}

async fn restore(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    Path(item): Path<String>,
    query: QueryOptions,
    OptionalGraphJson(body): OptionalGraphJson<RestoreBody>,
) -> Result<Json<Value>, GraphError> {
    let id = parse_id(&item)?;
    let mut options = RestoreOptions::default();
    if let Some(body) = body {
        options.new_upn = body
            .new_user_principal_name
            .as_deref()
            .map(UserPrincipalName::parse)
            .transpose()?;
        options.auto_reconcile_proxies = body.auto_reconcile_proxy_conflict;
    }
    let restored = app.directory.restore_user(&caller, id, options).await?;
    let mut properties = dto::user(&restored.user, None);
    properties.insert("@odata.type".into(), "#microsoft.graph.user".into());
    let context = format!("{}/$metadata#directoryObjects/$entity", query.base);
    Ok(Json(dto::entity(context, properties)))
}

async fn purge(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    Path(item): Path<String>,
) -> Result<StatusCode, GraphError> {
    if is_user_cast(&item) {
        return Err(GraphError::bad_request("Only specific instances can be deleted."));
    }
    app.directory.purge_deleted_user(&caller, parse_id(&item)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use directory::address::{EmailAddress, ProxyAddress, ProxyAddresses};
    use directory::recycle_bin::DeletedUser;
    use directory::user::{UsageLocation, User};
    use time::Duration;
    use time::macros::datetime;

    fn entries() -> Vec<DeletedUserEntry> {
        let at = datetime!(2026-01-05 09:00:00.123456 UTC);
        let full = {
            let upn = UserPrincipalName::parse("adele@contoso.com").unwrap();
            let mut user = User::new(upn, "Adele \"Vance\" ☃", at);
            user.given_name = Some("Adele".into());
            user.department = Some("Sales".into());
            user.usage_location = Some(UsageLocation::parse("NL").unwrap());
            user.on_premises_sync_enabled = Some(false);
            user.other_mails = vec![EmailAddress::parse("a@example.com").unwrap()];
            user.proxy_addresses = ProxyAddresses::new(vec![
                ProxyAddress::primary(EmailAddress::parse("adele@contoso.com").unwrap()),
                ProxyAddress::secondary(EmailAddress::parse("av@contoso.com").unwrap()),
            ])
            .unwrap();
            user
        };
        let bare = User::new(UserPrincipalName::parse("bare@contoso.com").unwrap(), "Bare", at);
        [full, bare]
            .into_iter()
            .map(|user| DeletedUserEntry {
                deleted: DeletedUser {
                    user,
                    deleted_at: at + Duration::hours(1),
                    addresses_released: false,
                },
                purge_at: at + Duration::days(30),
            })
            .collect()
    }

    #[test]
    fn a_written_page_is_the_value_page_byte_for_byte() {
        let entries = entries();
        let all = deleted_user_properties();
        let selections: [Option<&[&str]>; 4] =
            [None, Some(&all), Some(&["id"]), Some(&["mail", "mail", "displayName"])];
        for selection in selections {
            for (count, next) in [(None, None), (Some(7), Some("https://next".to_owned()))] {
                let items = entries
                    .iter()
                    .map(|entry| Value::Object(dto::deleted_user(&entry.deleted, entry.purge_at, selection)))
                    .collect();
                let expected = dto::collection("ctx".into(), items, count, next.clone());
                let written = DeletedPage {
                    context: "ctx".into(),
                    count,
                    next,
                    names: deleted_user_names(selection),
                    entries: &entries,
                };
                assert_eq!(
                    serde_json::to_string(&written).unwrap(),
                    serde_json::to_string(&expected).unwrap(),
                    "{selection:?}"
                );
            }
        }
    }
}
