//! `{"@odata.id": "https://…/v1.0/directoryObjects/{id}"}` bodies that add a link, as
//! `members/$ref`, `owners/$ref` and `manager/$ref` take them.

use super::error::GraphError;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    #[serde(rename = "@odata.id")]
    odata_id: String,
}

impl Reference {
    /// The object id at the end of `@odata.id` (`…/directoryObjects/{id}` or `…/users/{id}`).
    pub fn id<T: std::str::FromStr>(&self) -> Result<T, GraphError> {
        let last = self.odata_id.trim_end_matches('/').rsplit('/').next().unwrap_or("");
        let last = last.strip_prefix("directoryObjects(").unwrap_or(last);
        last.trim_end_matches(')')
            .trim_matches('\'')
            .parse()
            .map_err(|_| GraphError::bad_request(format!("Invalid object identifier '{}'.", self.odata_id)))
    }
}

/// Parses an id from a path segment; anything else is a 404, as Graph answers.
pub fn path_id<T: std::str::FromStr>(text: &str) -> Result<T, GraphError> {
    text.parse().map_err(|_| GraphError::not_found(text))
}
