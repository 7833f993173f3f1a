//! Text encodings of list-valued properties (one shared format for both backends), and the
//! error for stored values that no longer decode.

use directory::audit::{AuditAction, AuditOutcome};
use directory::license::ServicePlan;
use directory::role::{AdminRole, RoleSet};
use directory::store::StoreError;
use std::fmt::Display;
use uuid::Uuid;

/// A stored value that does not decode into a domain value.
pub(crate) fn corrupt(what: &str, detail: impl Display) -> StoreError {
    StoreError::Other(format!("stored {what} is invalid: {detail}"))
}

/// Replaces the separators of the text formats (tab, newline, carriage return) by spaces.
fn flat(text: &str) -> String {
    text.replace(['\t', '\n', '\r'], " ")
}

/// Joins items into newline-separated text; items never contain newlines here.
pub(crate) fn join_lines<I: IntoIterator<Item = T>, T: Display>(items: I) -> String {
    items
        .into_iter()
        .map(|item| flat(&item.to_string()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The lines of a newline-separated list; the empty text is the empty list.
pub(crate) fn split_lines(text: &str) -> impl Iterator<Item = &str> {
    text.split('\n').filter(|line| !line.is_empty())
}

/// Comma-separated template ids.
pub(crate) fn roles_to_text(roles: &RoleSet) -> String {
    roles.iter().map(AdminRole::template_id).collect::<Vec<_>>().join(",")
}

/// Parses one template id.
pub(crate) fn role_from_text(text: &str) -> Result<AdminRole, StoreError> {
    AdminRole::ALL
        .iter()
        .copied()
        .find(|role| role.template_id() == text)
        .ok_or_else(|| corrupt("role", text))
}

/// Parses comma-separated template ids.
pub(crate) fn roles_from_text(text: &str) -> Result<RoleSet, StoreError> {
    text.split(',')
        .filter(|part| !part.is_empty())
        .map(role_from_text)
        .collect()
}

/// Comma-separated uuids.
pub(crate) fn uuids_to_text(ids: &[Uuid]) -> String {
    ids.iter()
        .map(|id| id.hyphenated().to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// Parses comma-separated uuids.
pub(crate) fn uuids_from_text(text: &str) -> Result<Vec<Uuid>, StoreError> {
    text.split(',')
        .filter(|part| !part.is_empty())
        .map(|part| Uuid::parse_str(part).map_err(|e| corrupt("uuid list", e)))
        .collect()
}

/// Lines of `uuid<TAB>name`.
pub(crate) fn plans_to_text(plans: &[ServicePlan]) -> String {
    plans
        .iter()
        .map(|plan| format!("{}\t{}", plan.id.hyphenated(), flat(&plan.name)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Parses lines of `uuid<TAB>name`.
pub(crate) fn plans_from_text(text: &str) -> Result<Vec<ServicePlan>, StoreError> {
    split_lines(text)
        .map(|line| {
            let (id, name) = line.split_once('\t').ok_or_else(|| corrupt("service plan", line))?;
            let id = Uuid::parse_str(id).map_err(|e| corrupt("service plan id", e))?;
            Ok(ServicePlan {
                id,
                name: name.to_owned(),
            })
        })
        .collect()
}

/// Lines of `key<TAB>value`, with tabs and newlines inside keys and values made spaces.
pub(crate) fn details_to_text(details: &[(String, String)]) -> String {
    details
        .iter()
        .map(|(key, value)| format!("{}\t{}", flat(key), flat(value)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Parses lines of `key<TAB>value`.
pub(crate) fn details_from_text(text: &str) -> Result<Vec<(String, String)>, StoreError> {
    split_lines(text)
        .map(|line| {
            let (key, value) = line.split_once('\t').ok_or_else(|| corrupt("audit detail", line))?;
            Ok((key.to_owned(), value.to_owned()))
        })
        .collect()
}

/// Parses an audit action name.
pub(crate) fn action_from_text(text: &str) -> Result<AuditAction, StoreError> {
    AuditAction::parse(text).ok_or_else(|| corrupt("audit action", text))
}

/// Parses an audit outcome name.
pub(crate) fn outcome_from_text(text: &str) -> Result<AuditOutcome, StoreError> {
    AuditOutcome::parse(text).ok_or_else(|| corrupt("audit outcome", text))
}
