//! `$orderby`: `property [asc|desc]`, comma-separated, checked against a schema's sortable properties.

use super::error::{ODataError, check_length, syntax_at};
use super::schema::{Schema, Support};

/// The most sort keys one `$orderby` may have.
pub const MAX_SORT_KEYS: usize = 2;

/// A sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Direction {
    /// Ascending, the default.
    #[default]
    Asc,
    /// Descending.
    Desc,
}

/// A checked `$orderby`.
///
/// The caller still enforces two advanced-query rules: when [`OrderBy::advanced`] is `Some(p)` and the request
/// lacks `ConsistencyLevel: eventual` + `$count=true`, answer
/// [`ODataError::unsupported_sort_property(p, resource)`](ODataError::unsupported_sort_property); and `$orderby`
/// together with `$filter` always needs them ([`ODataError::sorting_not_supported`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderBy {
    /// The sort keys in priority order: canonical property names, no duplicates, 1 to [`MAX_SORT_KEYS`] of them.
    pub keys: Vec<(&'static str, Direction)>,
    /// The first key that sorts only in advanced queries (e.g. `createdDateTime`), if any.
    pub advanced: Option<&'static str>,
}

impl OrderBy {
    /// Whether sorting needs advanced query parameters.
    pub fn is_advanced(&self) -> bool {
        self.advanced.is_some()
    }
}

/// Parses a URL-decoded `$orderby` value against `schema`'s sortable properties (matched case-insensitively).
pub fn parse_orderby(text: &str, schema: &Schema) -> Result<OrderBy, ODataError> {
    check_length("$orderby", text)?;
    let mut keys: Vec<(&'static str, Direction)> = Vec::new();
    let mut advanced = None;
    let mut position = 0; // in characters, for messages
    for item in text.split(',') {
        let item_position = position;
        position += item.chars().count() + 1;
        let mut words = item.split_whitespace();
        let (Some(name), direction, None) = (words.next(), words.next(), words.next()) else {
            return Err(ODataError::bad_request(syntax_at(item_position, text)));
        };
        let direction = match direction {
            None => Direction::Asc,
            Some(word) if word.eq_ignore_ascii_case("asc") => Direction::Asc,
            Some(word) if word.eq_ignore_ascii_case("desc") => Direction::Desc,
            Some(_) => return Err(ODataError::bad_request(syntax_at(item_position, text))),
        };
        let Some((property, support)) = schema.sortable(name) else {
            return Err(ODataError::unsupported_sort_property(name, schema.resource));
        };
        if keys.iter().any(|(key, _)| *key == property) {
            return Err(ODataError::bad_request(format!(
                "Duplicate property named '{property}' is not supported in '$orderby'."
            )));
        }
        if keys.len() == MAX_SORT_KEYS {
            return Err(ODataError::unsupported_query(format!(
                "Sorting by more than {MAX_SORT_KEYS} properties is not supported."
            )));
        }
        if support == Support::Advanced && advanced.is_none() {
            advanced = Some(property);
        }
        keys.push((property, direction));
    }
    Ok(OrderBy { keys, advanced })
}
