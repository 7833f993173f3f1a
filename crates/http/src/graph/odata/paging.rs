//! `$top` (page size) and `$count` (whether to include `@odata.count`).

use super::error::{ODataError, check_length};

/// The largest `$top` Graph accepts for users and deleted items.
pub const MAX_PAGE_SIZE: u32 = 999;

/// Parses `$top`: an integer from 1 to [`MAX_PAGE_SIZE`].
///
/// Anything that is not a non-negative integer gets OData's "Invalid value … for $top" message; an integer out of
/// range gets Graph's "Invalid page size specified" message. Both are `Request_BadRequest`.
pub fn parse_top(text: &str) -> Result<u32, ODataError> {
    check_length("$top", text)?;
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ODataError::bad_request(format!(
            "Invalid value '{text}' for $top query option found. The $top query option requires a non-negative \
             integer value."
        )));
    }
    match text.parse::<u32>() {
        Ok(size) if (1..=MAX_PAGE_SIZE).contains(&size) => Ok(size),
        _ => Err(ODataError::bad_request(format!(
            "Invalid page size specified: '{text}'. Must be between 1 and {MAX_PAGE_SIZE} inclusive."
        ))),
    }
}

/// Parses `$count`: exactly `true` or `false`.
///
/// Without `ConsistencyLevel: eventual` Graph silently ignores `$count=true`; that decision is the caller's.
pub fn parse_count(text: &str) -> Result<bool, ODataError> {
    check_length("$count", text)?;
    match text {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(ODataError::bad_request(format!(
            "'{text}' is not a valid count option."
        ))),
    }
}
