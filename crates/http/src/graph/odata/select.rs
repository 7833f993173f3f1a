//! `$select`: comma-separated property names, checked against the caller's list of selectable properties.

use super::error::{ODataError, check_length, syntax_at};

/// The type name in `$select` errors; users and deleted users are both `microsoft.graph.user`.
const TYPE_NAME: &str = "microsoft.graph.user";

/// Parses a URL-decoded `$select` value. Names match `allowed` case-insensitively; the result holds the canonical
/// names from `allowed`, in the order first requested, without duplicates.
///
/// An unknown name is `Request_BadRequest` "Could not find a property named 'x' on type 'microsoft.graph.user'.";
/// an empty item (`id,,mail`, or an empty value) is a syntax error.
pub fn parse_select(text: &str, allowed: &[&'static str]) -> Result<Vec<&'static str>, ODataError> {
    check_length("$select", text)?;
    let mut selected: Vec<&'static str> = Vec::new();
    let mut position = 0; // in characters, for messages
    for item in text.split(',') {
        let item_position = position;
        position += item.chars().count() + 1;
        let name = item.trim_matches([' ', '\t']);
        if name.is_empty() {
            return Err(ODataError::bad_request(syntax_at(item_position, text)));
        }
        let Some(canonical) = allowed.iter().find(|p| p.eq_ignore_ascii_case(name)) else {
            return Err(ODataError::property_not_found(name, TYPE_NAME));
        };
        if !selected.contains(canonical) {
            selected.push(canonical);
        }
    }
    Ok(selected)
}
