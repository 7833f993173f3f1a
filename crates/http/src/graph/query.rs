//! The query string of a Graph request: OData options (`$select` or `%24select`), their
//! values percent-decoded, and the `ConsistencyLevel: eventual` header that advanced
//! queries need. Unknown `$` options are refused rather than silently ignored.
//!
//! For user collections, [`QueryOptions::user_listing`] applies Graph's advanced-query
//! rules and turns `$filter`, `$search`, `$orderby`, `$top` and `$skiptoken` into the
//! domain's [`UserQuery`] (the tree translation is in `translate`). Page tokens name the
//! query they belong to, so a token replayed with another filter, search or order is a 400.

mod translate;

use super::error::GraphError;
use super::odata::{self, ODataError, Schema};
use axum::extract::{FromRequestParts, OriginalUri, RawQuery};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use directory::query::{Condition, Cursor, Sort, SortKey, UserQuery};

/// A user collection that can be listed with `$filter`, `$search` and `$orderby`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserCollection {
    /// `/users`: ordered by `userPrincipalName` unless asked otherwise.
    Users,
    /// `/directory/deletedItems/microsoft.graph.user`: oldest deletion first unless asked
    /// otherwise.
    DeletedUsers,
}

impl UserCollection {
    fn schema(self) -> &'static Schema {
        match self {
            UserCollection::Users => Schema::users(),
            UserCollection::DeletedUsers => Schema::deleted_users(),
        }
    }

    fn default_sort(self) -> Sort {
        match self {
            UserCollection::Users => Sort::ascending(SortKey::UserPrincipalName),
            UserCollection::DeletedUsers => Sort::ascending(SortKey::DeletedDateTime),
        }
    }

    /// The collection's name inside page tokens.
    fn token_name(self) -> &'static str {
        match self {
            UserCollection::Users => "users",
            UserCollection::DeletedUsers => "deletedUsers",
        }
    }
}

/// A checked list request on a user collection.
#[derive(Debug, Clone)]
pub struct UserListing {
    /// Which users, in what order, from where, how many.
    pub query: UserQuery,
    /// Whether to add `@odata.count` (counted with `query.condition`).
    pub count: bool,
}

/// The version tag of this module's page tokens.
const TOKEN_VERSION: &str = "u1";

/// The OData options of one request, still as text, plus what the headers say.
#[derive(Debug, Default, Clone)]
pub struct QueryOptions {
    pub select: Option<String>,
    pub top: Option<String>,
    pub skiptoken: Option<String>,
    pub count: Option<String>,
    pub filter: Option<String>,
    pub orderby: Option<String>,
    pub search: Option<String>,
    /// `ConsistencyLevel: eventual` was sent.
    pub eventual: bool,
    /// The absolute base for `@odata.nextLink`: scheme, host and the version segment.
    pub base: String,
    /// The request path below the version segment, such as `/users`.
    pub path: String,
}

impl<S: Send + Sync> FromRequestParts<S> for QueryOptions {
    type Rejection = GraphError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let RawQuery(raw) = RawQuery::from_request_parts(parts, state)
            .await
            .map_err(|_| GraphError::bad_request("The query string is malformed."))?;
        let mut options = QueryOptions {
            eventual: consistency_eventual(&parts.headers),
            ..QueryOptions::default()
        };
        // Nested routers see the path without `/v1.0`; the original URI keeps it.
        let path = match parts.extensions.get::<OriginalUri>() {
            Some(OriginalUri(original)) => original.path().to_owned(),
            None => parts.uri.path().to_owned(),
        };
        let (version, rest) = split_version(&path);
        options.base = format!("{}/{version}", origin(&parts.headers));
        options.path = rest.to_owned();
        for (name, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
            let slot = match name.to_ascii_lowercase().as_str() {
                "$select" => &mut options.select,
                "$top" => &mut options.top,
                "$skiptoken" => &mut options.skiptoken,
                "$count" => &mut options.count,
                "$filter" => &mut options.filter,
                "$orderby" => &mut options.orderby,
                "$search" => &mut options.search,
                other if other.starts_with('$') => {
                    return Err(GraphError::bad_request(format!(
                        "Query option '{name}' is not supported by this resource."
                    )));
                }
                _ => continue,
            };
            *slot = Some(value.into_owned());
        }
        Ok(options)
    }
}

impl QueryOptions {
    /// The page size: `$top` (1–999) or 100.
    pub fn page_size(&self) -> Result<u32, GraphError> {
        self.top
            .as_deref()
            .map_or(Ok(100), |top| odata::parse_top(top).map_err(Into::into))
    }

    /// Whether to add `@odata.count`: `$count=true` counts only with `ConsistencyLevel:
    /// eventual`, and is silently ignored without it, as Graph does.
    pub fn wants_count(&self) -> Result<bool, GraphError> {
        let asked = self.count.as_deref().map_or(Ok(false), odata::parse_count)?;
        Ok(asked && self.eventual)
    }

    /// The selected properties, checked against `allowed`; `None` means the default set.
    pub fn selection(&self, allowed: &[&'static str]) -> Result<Option<Vec<&'static str>>, GraphError> {
        match &self.select {
            None => Ok(None),
            Some(text) => Ok(Some(odata::parse_select(text, allowed)?)),
        }
    }

    /// The list request on a user collection, after Graph's rules: `$search` needs
    /// `ConsistencyLevel: eventual`; advanced operators, `$orderby` on a date, and `$filter`
    /// together with `$orderby` also need `$count=true` (Graph's "advanced query
    /// parameters"). Anything else is a Graph 400.
    pub fn user_listing(&self, collection: UserCollection) -> Result<UserListing, GraphError> {
        let schema = collection.schema();
        let count = self.count.as_deref().map_or(Ok(false), odata::parse_count)?;
        let limit = self.page_size()?;
        let orderby = self
            .orderby
            .as_deref()
            .map(|text| odata::parse_orderby(text, schema))
            .transpose()?;
        let advanced = self.eventual && count;
        let (condition, filtered) = self.user_condition(schema, advanced)?;
        let sort = match &orderby {
            Some(orderby) => {
                if !advanced {
                    if let Some(property) = orderby.advanced {
                        return Err(ODataError::unsupported_sort_property(property, schema.resource).into());
                    }
                    if filtered {
                        return Err(ODataError::sorting_not_supported().into());
                    }
                }
                translate::sort(orderby, schema.resource)?
            }
            None => collection.default_sort(),
        };
        let after = self.page_cursor(collection)?;
        Ok(UserListing {
            query: UserQuery {
                condition,
                sort,
                after,
                limit,
            },
            count: advanced,
        })
    }

    /// The condition of a `/$count` request on a user collection (the caller has checked
    /// `ConsistencyLevel: eventual`, which makes it an advanced query): `$filter` and
    /// `$search`.
    pub fn user_count(&self, collection: UserCollection) -> Result<Condition, GraphError> {
        Ok(self.user_condition(collection.schema(), self.eventual)?.0)
    }

    /// `$filter` and `$search` as one condition, and whether there was a `$filter`.
    fn user_condition(&self, schema: &Schema, advanced: bool) -> Result<(Condition, bool), GraphError> {
        let filter = self
            .filter
            .as_deref()
            .map(|text| odata::parse_filter(text, schema))
            .transpose()?;
        let search = self.search.as_deref().map(odata::parse_search).transpose()?;
        if search.is_some() && !self.eventual {
            return Err(ODataError::search_requires_consistency_level().into());
        }
        let mut condition = Condition::everything();
        if let Some(filter) = &filter {
            if !advanced && let Some(operator) = filter.advanced_operator(schema) {
                return Err(ODataError::advanced_query_required(operator).into());
            }
            condition = condition.and(translate::filter(filter)?);
        }
        if let Some(search) = &search {
            condition = condition.and(translate::search(search)?);
        }
        Ok((condition, filter.is_some()))
    }

    /// The absolute `@odata.nextLink` to the page after `cursor` of the same query.
    pub fn user_next_link(&self, collection: UserCollection, cursor: &Cursor) -> String {
        let token = format!("{TOKEN_VERSION}.{}.{}", self.fingerprint(collection), cursor.encode());
        self.link_with_token(&URL_SAFE_NO_PAD.encode(token))
    }

    /// The cursor in `$skiptoken`, if it was made for this very query.
    fn page_cursor(&self, collection: UserCollection) -> Result<Option<Cursor>, GraphError> {
        let Some(token) = self.cursor()? else { return Ok(None) };
        let mut parts = token.splitn(3, '.');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(TOKEN_VERSION), Some(fingerprint), Some(cursor)) if fingerprint == self.fingerprint(collection) => {
                Cursor::decode(cursor)
                    .map(Some)
                    .map_err(|_| GraphError::bad_request("The $skiptoken is not valid."))
            }
            _ => Err(GraphError::bad_request(
                "The $skiptoken is not valid for this query: follow @odata.nextLink as given.",
            )),
        }
    }

    /// What identifies a query across its pages: the collection, `$filter`, `$search` and
    /// `$orderby` (FNV-1a, 64 bits; a consistency check, not a secret).
    fn fingerprint(&self, collection: UserCollection) -> String {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let parts = [
            Some(collection.token_name()),
            self.filter.as_deref(),
            self.search.as_deref(),
            self.orderby.as_deref(),
        ];
        for part in parts {
            // A marker byte keeps "absent" apart from "empty" and parts apart from each other.
            let bytes = part.map_or(&[0xff_u8][..], str::as_bytes);
            for &byte in bytes.iter().chain(&[0x00]) {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        }
        format!("{hash:016x}")
    }

    /// Refuses the options this resource does not support yet.
    pub fn refuse_unsupported(&self) -> Result<(), GraphError> {
        if self.search.is_some() && !self.eventual {
            return Err(GraphError::unsupported_query(
                "Request with $search query parameter only works through MSGraph with a special request header: \
                 'ConsistencyLevel: eventual'",
            ));
        }
        for (name, present) in [
            ("$filter", &self.filter),
            ("$orderby", &self.orderby),
            ("$search", &self.search),
        ] {
            if present.is_some() {
                return Err(GraphError::unsupported_query(format!(
                    "Query option '{name}' is not supported yet by this server."
                )));
            }
        }
        Ok(())
    }

    /// The absolute `@odata.nextLink` for the page after `cursor`, keeping the query's
    /// options (`$filter`, `$orderby`, `$search`, `$select`, `$top`, `$count`).
    pub fn next_link(&self, cursor: &str) -> String {
        self.link_with_token(&URL_SAFE_NO_PAD.encode(cursor))
    }

    fn link_with_token(&self, token: &str) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        let options = [
            ("$filter", &self.filter),
            ("$orderby", &self.orderby),
            ("$search", &self.search),
            ("$select", &self.select),
            ("$top", &self.top),
            ("$count", &self.count),
        ];
        for (name, value) in options {
            if let Some(value) = value {
                query.append_pair(name, value);
            }
        }
        query.append_pair("$skiptoken", token);
        format!("{}{}?{}", self.base, self.path, query.finish())
    }

    /// The cursor carried by `$skiptoken`, if any.
    pub fn cursor(&self) -> Result<Option<String>, GraphError> {
        let Some(token) = &self.skiptoken else { return Ok(None) };
        let bytes = URL_SAFE_NO_PAD
            .decode(token)
            .map_err(|_| GraphError::bad_request("The $skiptoken is not valid."))?;
        String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| GraphError::bad_request("The $skiptoken is not valid."))
    }

    /// `@odata.context` for this resource, such as `…/$metadata#users(id,displayName)`.
    pub fn context(&self, entity_set: &str, selection: Option<&[&str]>) -> String {
        match selection {
            Some(selected) => format!("{}/$metadata#{entity_set}({})", self.base, selected.join(",")),
            None => format!("{}/$metadata#{entity_set}", self.base),
        }
    }
}

fn consistency_eventual(headers: &HeaderMap) -> bool {
    headers
        .get_all("consistencylevel")
        .iter()
        .any(|value| value.to_str().is_ok_and(|v| v.trim().eq_ignore_ascii_case("eventual")))
}

fn split_version(path: &str) -> (&str, &str) {
    let trimmed = path.trim_start_matches('/');
    match trimmed.split_once('/') {
        Some((version, rest)) => (version, &path[path.len() - rest.len() - 1..]),
        None => (trimmed, ""),
    }
}

/// `scheme://host` as the client addressed us (behind TLS, `X-Forwarded-Proto: https`).
fn origin(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| h.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)))
        .unwrap_or("localhost");
    let forwarded_https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"));
    let scheme = if forwarded_https { "https" } else { "http" };
    format!("{scheme}://{host}")
}

impl From<odata::ODataError> for GraphError {
    fn from(error: odata::ODataError) -> Self {
        if error.code == "Request_UnsupportedQuery" {
            GraphError::unsupported_query(error.message)
        } else {
            GraphError::bad_request(error.message)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_segment_is_split_off() {
        assert_eq!(split_version("/v1.0/users"), ("v1.0", "/users"));
        assert_eq!(
            split_version("/beta/directory/deletedItems/graph.user"),
            ("beta", "/directory/deletedItems/graph.user")
        );
    }
}
