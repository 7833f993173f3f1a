//! The one error every OData parser here returns, with Graph's codes and, where known, Graph's exact messages.

use std::fmt;

/// Why a query option was rejected: a Graph error `code` and a human `message`, ready for the OData error envelope.
///
/// `code` is always [`ODataError::BAD_REQUEST`] (malformed input: syntax, types, ranges) or
/// [`ODataError::UNSUPPORTED_QUERY`] (well-formed, but a property or operator Graph does not support there).
/// Both map to HTTP 400.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ODataError {
    /// `"Request_BadRequest"` or `"Request_UnsupportedQuery"`.
    pub code: &'static str,
    /// The message for the `error.message` field.
    pub message: String,
}

impl ODataError {
    /// Code for malformed query options.
    pub const BAD_REQUEST: &'static str = "Request_BadRequest";
    /// Code for well-formed queries that Graph does not support (unknown property, operator, advanced feature).
    pub const UNSUPPORTED_QUERY: &'static str = "Request_UnsupportedQuery";

    /// A `Request_BadRequest` error with `message`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self {
            code: Self::BAD_REQUEST,
            message: message.into(),
        }
    }

    /// A `Request_UnsupportedQuery` error with `message`.
    pub fn unsupported_query(message: impl Into<String>) -> Self {
        Self {
            code: Self::UNSUPPORTED_QUERY,
            message: message.into(),
        }
    }

    /// Graph's error for an advanced operator (`ne`, `not`, `endsWith`, ...) used without `$count=true` and
    /// `ConsistencyLevel: eventual`. `operator` is the name as Graph spells it, e.g. `endsWith`.
    pub fn advanced_query_required(operator: &str) -> Self {
        Self::unsupported_query(format!(
            "Operator '{operator}' is not supported because the required parameters might be missing. Try adding \
             $count=true query parameter and ConsistencyLevel:eventual header. Refer to \
             https://aka.ms/graph-docs/advanced-queries for more information"
        ))
    }

    /// Graph's error for a `$filter` clause on a property (or with an operator) it does not support.
    /// `resource` is the entity name, e.g. `User`.
    pub fn unsupported_filter_property(property: &str, resource: &str) -> Self {
        Self::unsupported_query(format!(
            "Unsupported or invalid query filter clause specified for property '{property}' of resource '{resource}'."
        ))
    }

    /// Graph's error for `$orderby` on a property that cannot be sorted, or that needs advanced query parameters
    /// the request lacks (e.g. `createdDateTime` without them).
    pub fn unsupported_sort_property(property: &str, resource: &str) -> Self {
        Self::unsupported_query(format!("Unsupported sort property '{property}' for '{resource}'."))
    }

    /// Graph's error for `$filter` together with `$orderby` without advanced query parameters.
    pub fn sorting_not_supported() -> Self {
        Self::unsupported_query("Sorting not supported for current query.")
    }

    /// Graph's error for `$search` without `ConsistencyLevel: eventual`.
    pub fn search_requires_consistency_level() -> Self {
        Self::unsupported_query(
            "Request with $search query parameter only works through MSGraph with a special request header: \
             'ConsistencyLevel: eventual'",
        )
    }

    /// Graph's error for the `/$count` path segment without `ConsistencyLevel: eventual`.
    pub fn count_not_supported() -> Self {
        Self::bad_request("$count is not currently supported.")
    }

    /// Graph's error for an unknown property in `$select`; `type_name` is e.g. `microsoft.graph.user`.
    pub fn property_not_found(property: &str, type_name: &str) -> Self {
        Self::bad_request(format!(
            "Could not find a property named '{property}' on type '{type_name}'."
        ))
    }

    /// A `$filter` syntax or type error: Graph prefixes these with "Invalid filter clause: ".
    pub(super) fn filter_clause(detail: impl fmt::Display) -> Self {
        Self::bad_request(format!("Invalid filter clause: {detail}"))
    }

    /// An option longer than [`MAX_LENGTH`] bytes.
    pub(super) fn too_long(option: &str, length: usize) -> Self {
        Self::bad_request(format!(
            "The {option} query option is too long: {length} bytes, at most {MAX_LENGTH} are allowed."
        ))
    }
}

impl fmt::Display for ODataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ODataError {}

/// The longest value, in bytes, any query option may have.
pub const MAX_LENGTH: usize = 4096;

/// `Syntax error at position {position} in '{text}'.`, OData's wording; `position` counts characters from 0.
pub(super) fn syntax_at(position: usize, text: &str) -> String {
    format!("Syntax error at position {position} in '{text}'.")
}

/// Rejects `text` when it is longer than [`MAX_LENGTH`] bytes.
pub(super) fn check_length(option: &str, text: &str) -> Result<(), ODataError> {
    if text.len() > MAX_LENGTH {
        Err(ODataError::too_long(option, text.len()))
    } else {
        Ok(())
    }
}
