//! Users and deleted users in Graph's JSON shape, with `$select` applied.
//!
//! Without `$select`, a user has Graph's 11 default properties. Deleted users always carry
//! `deletedDateTime`, and Roster adds `permanentDeletionDateTime` (SDKs ignore unknown
//! keys). A deleted user's `userPrincipalName` is its tombstone, `<32-hex id><UPN>`.

use directory::Timestamp;
use directory::recycle_bin::DeletedUser;
use directory::user::User;
use serde_json::{Map, Value, json};

/// Every property a client may `$select` on a user.
pub const USER_PROPERTIES: &[&str] = &[
    "id",
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "accountEnabled",
    "mailNickname",
    "proxyAddresses",
    "otherMails",
    "usageLocation",
    "department",
    "createdDateTime",
    "deletedDateTime",
    "onPremisesSyncEnabled",
    "userType",
    "passwordPolicies",
    "passwordProfile",
];

/// What a deleted user may `$select`: a user's properties and Roster's
/// `permanentDeletionDateTime`.
pub fn deleted_user_properties() -> Vec<&'static str> {
    let mut names = USER_PROPERTIES.to_vec();
    names.push("permanentDeletionDateTime");
    names
}

/// Returned when no `$select` is given: the first 11 of [`USER_PROPERTIES`].
fn default_properties() -> &'static [&'static str] {
    &USER_PROPERTIES[..11]
}

/// Graph's timestamp form: UTC to the second, `2025-05-02T09:12:44Z`.
pub fn graph_time(at: Timestamp) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

fn all_properties(user: &User) -> Map<String, Value> {
    let text = |value: &Option<String>| value.clone().map_or(Value::Null, Value::from);
    let mut map = Map::new();
    let mut put = |name: &str, value: Value| {
        map.insert(name.to_owned(), value);
    };
    put("id", user.id.to_string().into());
    put("businessPhones", json!([]));
    put("displayName", user.display_name.clone().into());
    put("givenName", text(&user.given_name));
    put("jobTitle", text(&user.job_title));
    put("mail", user.mail().map_or(Value::Null, |m| m.to_string().into()));
    put("mobilePhone", Value::Null);
    put("officeLocation", Value::Null);
    put("preferredLanguage", text(&user.preferred_language));
    put("surname", text(&user.surname));
    put("userPrincipalName", user.upn.to_string().into());
    put("accountEnabled", user.account_enabled.into());
    put("mailNickname", user.mail_nickname.clone().into());
    let addresses: Vec<String> = user.proxy_addresses.iter().map(ToString::to_string).collect();
    put("proxyAddresses", addresses.into());
    let other_mails: Vec<String> = user.other_mails.iter().map(ToString::to_string).collect();
    put("otherMails", other_mails.into());
    put(
        "usageLocation",
        user.usage_location
            .as_ref()
            .map_or(Value::Null, |l| l.to_string().into()),
    );
    put("department", text(&user.department));
    put("createdDateTime", graph_time(user.created_at).into());
    put("deletedDateTime", Value::Null);
    put(
        "onPremisesSyncEnabled",
        user.on_premises_sync_enabled.map_or(Value::Null, Value::from),
    );
    put("userType", "Member".into());
    put("passwordPolicies", Value::Null);
    put("passwordProfile", Value::Null);
    map
}

fn pick(mut all: Map<String, Value>, names: &[&str]) -> Map<String, Value> {
    let mut picked = Map::new();
    for name in names {
        if let Some(value) = all.remove(*name) {
            picked.insert((*name).to_owned(), value);
        }
    }
    picked
}

/// An active user with the selected (or default) properties.
pub fn user(user: &User, selection: Option<&[&str]>) -> Map<String, Value> {
    pick(all_properties(user), selection.unwrap_or(default_properties()))
}

/// A deleted user: always with `@odata.type`, `id` and `deletedDateTime`.
pub fn deleted_user(deleted: &DeletedUser, purge_at: Timestamp, selection: Option<&[&str]>) -> Map<String, Value> {
    let mut all = all_properties(&deleted.user);
    all.insert("userPrincipalName".into(), deleted.tombstone_upn().into());
    all.insert("deletedDateTime".into(), graph_time(deleted.deleted_at).into());
    all.insert("permanentDeletionDateTime".into(), graph_time(purge_at).into());
    let mut names: Vec<&str> = selection.unwrap_or(default_properties()).to_vec();
    for always in ["id", "deletedDateTime"] {
        if !names.contains(&always) {
            names.push(always);
        }
    }
    if selection.is_none() {
        names.push("permanentDeletionDateTime");
    }
    let mut shaped = Map::new();
    shaped.insert("@odata.type".into(), "#microsoft.graph.user".into());
    shaped.extend(pick(all, &names));
    shaped
}

/// An entity payload: the properties after `@odata.context`.
pub fn entity(context: String, properties: Map<String, Value>) -> Value {
    let mut body = Map::new();
    body.insert("@odata.context".into(), context.into());
    body.extend(properties);
    Value::Object(body)
}

/// A collection payload with optional count and next link.
pub fn collection(context: String, items: Vec<Value>, count: Option<u64>, next_link: Option<String>) -> Value {
    let mut body = Map::new();
    body.insert("@odata.context".into(), context.into());
    if let Some(count) = count {
        body.insert("@odata.count".into(), count.into());
    }
    if let Some(link) = next_link {
        body.insert("@odata.nextLink".into(), link.into());
    }
    body.insert("value".into(), items.into());
    Value::Object(body)
}
