//! `$search`: double-quoted `"property:words"` clauses joined by `AND` / `OR`, for the tokenized user properties.
//!
//! ```text
//! search = clause { space+ ( "AND" | "OR" ) space+ clause }     (* AND binds tighter than OR *)
//! clause = '"' property ":" words '"'                          (* \" and \\ escape inside the quotes *)
//! ```

use super::error::{ODataError, check_length, syntax_at};

/// The properties `$search` accepts (matched case-insensitively).
pub const SEARCHABLE_PROPERTIES: &[&str] = &["displayName", "mail", "userPrincipalName", "givenName", "surname"];

/// The most clauses one `$search` may have.
pub const MAX_SEARCH_TERMS: usize = 32;

/// A checked `$search`: `AND` binds tighter than `OR`, so an `Or` holds terms and `And`s, an `And` holds terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Search {
    /// One clause.
    Term(SearchTerm),
    /// All of the parts match (two or more).
    And(Vec<Search>),
    /// Any of the parts matches (two or more).
    Or(Vec<Search>),
}

/// One `"property:words"` clause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchTerm {
    /// Canonical property name, one of [`SEARCHABLE_PROPERTIES`].
    pub property: &'static str,
    /// The words, unescaped and trimmed, never empty. Tokenizing them is the caller's business.
    pub words: String,
}

/// Parses a URL-decoded `$search` value.
///
/// Malformed input is `Request_BadRequest`; a property outside [`SEARCHABLE_PROPERTIES`] is
/// `Request_UnsupportedQuery`. `$search` always needs `ConsistencyLevel: eventual`; the caller checks that
/// ([`ODataError::search_requires_consistency_level`]).
pub fn parse_search(text: &str) -> Result<Search, ODataError> {
    check_length("$search", text)?;
    let chars: Vec<char> = text.chars().collect();
    let mut any_of: Vec<Vec<SearchTerm>> = Vec::new();
    let mut all_of: Vec<SearchTerm> = Vec::new();
    let mut count = 0;
    let mut i = skip_spaces(&chars, 0);
    loop {
        let (term, next) = clause(&chars, i, text)?;
        count += 1;
        if count > MAX_SEARCH_TERMS {
            return Err(ODataError::bad_request(format!(
                "Invalid $search query: more than {MAX_SEARCH_TERMS} clauses in '{text}'."
            )));
        }
        all_of.push(term);
        i = skip_spaces(&chars, next);
        if i == chars.len() {
            break;
        }
        let mut end = i;
        while chars.get(end).is_some_and(char::is_ascii_alphabetic) {
            end += 1;
        }
        let word: String = chars[i..end].iter().collect();
        let spaced = i > next && chars.get(end).is_some_and(|&c| c == ' ');
        if !spaced || !(word.eq_ignore_ascii_case("and") || word.eq_ignore_ascii_case("or")) {
            return Err(invalid(syntax_at(i, text)));
        }
        if word.eq_ignore_ascii_case("or") {
            any_of.push(std::mem::take(&mut all_of));
        }
        i = skip_spaces(&chars, end);
    }
    any_of.push(all_of);
    Ok(build(any_of))
}

/// Reads the clause whose opening quote should be at `start`; returns it and the index after its closing quote.
fn clause(chars: &[char], start: usize, text: &str) -> Result<(SearchTerm, usize), ODataError> {
    if chars.get(start) != Some(&'"') {
        return Err(invalid(format!("'\"' expected at position {start} in '{text}'.")));
    }
    let mut content = String::new();
    let mut j = start + 1;
    loop {
        match chars.get(j) {
            None => return Err(invalid(format!("unterminated clause at position {start} in '{text}'."))),
            Some('"') => break,
            Some('\\') if matches!(chars.get(j + 1), Some('"' | '\\')) => {
                content.extend(chars.get(j + 1));
                j += 2;
            }
            Some(&c) => {
                content.push(c);
                j += 1;
            }
        }
    }
    let Some((property, words)) = content.split_once(':') else {
        return Err(invalid(format!(
            "expected \"property:words\" at position {start} in '{text}'."
        )));
    };
    let property = property.trim();
    let Some(canonical) = SEARCHABLE_PROPERTIES.iter().find(|p| p.eq_ignore_ascii_case(property)) else {
        return Err(ODataError::unsupported_query(format!(
            "Unsupported or invalid query search clause specified for property '{property}' of resource 'User'."
        )));
    };
    let words = words.trim();
    if words.is_empty() {
        return Err(invalid(format!(
            "no words to search for at position {start} in '{text}'."
        )));
    }
    Ok((
        SearchTerm {
            property: canonical,
            words: words.to_owned(),
        },
        j + 1,
    ))
}

fn skip_spaces(chars: &[char], mut i: usize) -> usize {
    while chars.get(i).is_some_and(|&c| c == ' ') {
        i += 1;
    }
    i
}

fn invalid(detail: String) -> ODataError {
    ODataError::bad_request(format!("Invalid $search query: {detail}"))
}

/// OR of ANDs to the smallest tree: single parts are not wrapped.
fn build(any_of: Vec<Vec<SearchTerm>>) -> Search {
    let mut alternatives: Vec<Search> = any_of
        .into_iter()
        .map(|all_of| {
            let mut terms: Vec<Search> = all_of.into_iter().map(Search::Term).collect();
            if terms.len() == 1 {
                terms.remove(0)
            } else {
                Search::And(terms)
            }
        })
        .collect();
    if alternatives.len() == 1 {
        alternatives.remove(0)
    } else {
        Search::Or(alternatives)
    }
}
