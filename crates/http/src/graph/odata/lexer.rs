//! The `$filter` lexer: URL-decoded text to tokens, each with its character span (positions count from 0).

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use super::ast::Literal;
use super::error::ODataError;

/// What a token is.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    /// A name: property, keyword (`and`, `eq`, `true`, …), function or lambda variable. Keywords are recognised by
    /// the parser, case-insensitively.
    Ident(String),
    /// A string, GUID, DateTimeOffset or integer literal.
    Literal(Literal),
    LParen,
    RParen,
    Comma,
    Slash,
    Colon,
    /// The end of the input; always the last token.
    End,
}

/// A token and its span `start..end` in characters.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Token {
    pub(super) tok: Tok,
    pub(super) start: usize,
    pub(super) end: usize,
}

/// Splits `text` into tokens, ending with [`Tok::End`]. Spaces and tabs separate tokens.
pub(super) fn tokenize(text: &str) -> Result<Vec<Token>, ODataError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let tok = match c {
            ' ' | '\t' => {
                i += 1;
                continue;
            }
            '(' | ')' | ',' | '/' | ':' => {
                i += 1;
                match c {
                    '(' => Tok::LParen,
                    ')' => Tok::RParen,
                    ',' => Tok::Comma,
                    '/' => Tok::Slash,
                    _ => Tok::Colon,
                }
            }
            '\'' => {
                let (value, next) = string(&chars, i, text)?;
                i = next;
                Tok::Literal(Literal::String(value))
            }
            _ if guid_at(&chars, i) => {
                let guid: String = chars[i..i + 36].iter().collect();
                i += 36;
                let guid = Uuid::try_parse(&guid).map_err(|_| unrecognized(&guid, start, text))?;
                Tok::Literal(Literal::Guid(guid))
            }
            _ if c.is_ascii_digit() || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) => {
                let mut j = i + 1;
                while chars
                    .get(j)
                    .is_some_and(|&c| c.is_ascii_alphanumeric() || matches!(c, '.' | ':' | '+' | '-'))
                {
                    j += 1;
                }
                let run: String = chars[i..j].iter().collect();
                i = j;
                Tok::Literal(number_or_datetime(&run).ok_or_else(|| unrecognized(&run, start, text))?)
            }
            _ if c.is_ascii_alphabetic() || c == '_' || c == '$' => {
                let mut j = i + 1;
                while chars.get(j).is_some_and(|&c| c.is_ascii_alphanumeric() || c == '_') {
                    j += 1;
                }
                let name: String = chars[i..j].iter().collect();
                i = j;
                Tok::Ident(name)
            }
            _ => {
                return Err(ODataError::filter_clause(format!(
                    "Syntax error: character '{c}' is not valid at position {i} in '{text}'."
                )));
            }
        };
        tokens.push(Token { tok, start, end: i });
    }
    tokens.push(Token {
        tok: Tok::End,
        start: chars.len(),
        end: chars.len(),
    });
    Ok(tokens)
}

/// Reads the string literal whose opening quote is at `start`; returns its value and the index after it.
fn string(chars: &[char], start: usize, text: &str) -> Result<(String, usize), ODataError> {
    let mut value = String::new();
    let mut j = start + 1;
    loop {
        match chars.get(j) {
            None => {
                return Err(ODataError::filter_clause(format!(
                    "There is an unterminated string literal at position {start} in '{text}'."
                )));
            }
            Some('\'') if chars.get(j + 1) == Some(&'\'') => {
                value.push('\'');
                j += 2;
            }
            Some('\'') => return Ok((value, j + 1)),
            Some(&c) => {
                value.push(c);
                j += 1;
            }
        }
    }
}

/// Whether a bare GUID (`8-4-4-4-12` hex digits) starts at `i` and is not part of a longer word.
fn guid_at(chars: &[char], i: usize) -> bool {
    let Some(candidate) = chars.get(i..i + 36) else {
        return false;
    };
    let shaped = candidate.iter().enumerate().all(|(k, c)| {
        if matches!(k, 8 | 13 | 18 | 23) {
            *c == '-'
        } else {
            c.is_ascii_hexdigit()
        }
    });
    shaped
        && !chars
            .get(i + 36)
            .is_some_and(|&c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':' | '+'))
}

/// An integer (`-12`) or an RFC 3339 DateTimeOffset (`2025-01-01T00:00:00Z`; OData lets the seconds be omitted).
fn number_or_datetime(run: &str) -> Option<Literal> {
    let digits = run.strip_prefix('-').unwrap_or(run);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return run.parse().ok().map(Literal::Int);
    }
    let parsed = OffsetDateTime::parse(run, &Rfc3339).ok().or_else(|| {
        // `YYYY-MM-DDThh:mm` followed by the offset: add the seconds RFC 3339 requires.
        let (minutes, offset) = (run.get(..16)?, run.get(16..)?);
        if !offset.starts_with(['Z', 'z', '+', '-']) {
            return None;
        }
        OffsetDateTime::parse(&format!("{minutes}:00{offset}"), &Rfc3339).ok()
    });
    parsed.map(Literal::DateTime)
}

fn unrecognized(literal: &str, position: usize, text: &str) -> ODataError {
    ODataError::filter_clause(format!(
        "Unrecognized literal '{literal}' at position {position} in '{text}'."
    ))
}
