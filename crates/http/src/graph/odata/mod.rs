//! OData query options as Graph accepts them for directory objects: `$filter`, `$orderby`, `$select`, `$top`,
//! `$count` and `$search`, parsed into checked values.
//!
//! Pure: no HTTP, no SQL. The caller URL-decodes each value (`%24filter` is `$filter`, `%20` is a space) and then
//! decides, from `ConsistencyLevel: eventual` and `$count=true`, whether the advanced parts of a query are allowed:
//! [`Filter::advanced_operator`], [`OrderBy::advanced`], any `$search`, and `$filter` together with `$orderby`.
//! Every parser returns an [`ODataError`] whose code is `Request_BadRequest` or `Request_UnsupportedQuery`.
//!
//! # `$filter` grammar
//!
//! Keywords, function names and `true`/`false`/`null` are case-insensitive; property names are matched
//! case-insensitively against the [`Schema`]. Spaces and tabs separate tokens.
//!
//! ```text
//! filter      = or_expr ;
//! or_expr     = and_expr { "or" and_expr } ;
//! and_expr    = unary { "and" unary } ;
//! unary       = "not" unary | primary ;                    (* so: not > and > or *)
//! primary     = "(" or_expr ")"
//!             | function "(" path "," literal ")"
//!             | path compare_op literal
//!             | path "in" "(" literal { "," literal } ")"
//!             | path "/" ( "any" | "all" ) "(" [ identifier ":" or_expr ] ")" ;
//! function    = "startsWith" | "endsWith" ;
//! compare_op  = "eq" | "ne" | "gt" | "ge" | "lt" | "le" ;
//! path        = identifier { "/" identifier } ;
//! identifier  = ( letter | "_" | "$" ) { letter | digit | "_" } ;
//! literal     = string | "true" | "false" | "null" | integer | guid | datetime ;
//! string      = "'" { any character except "'" | "''" } "'" ;   (* '' is an escaped quote *)
//! integer     = [ "-" ] digit { digit } ;                         (* fits in i64 *)
//! guid        = 8 hex "-" 4 hex "-" 4 hex "-" 4 hex "-" 12 hex ;  (* bare, not quoted *)
//! datetime    = date "T" hh ":" mm [ ":" ss [ "." fraction ] ] ( "Z" | ( "+" | "-" ) hh ":" mm ) ;
//! ```
//!
//! The grammar is deliberately wider than what the checker then accepts against a [`Schema`]: a lambda body must be
//! `x eq 'v'`, `startsWith(x,'v')` or `endsWith(x,'v')` on the lambda variable, `all` and multi-segment paths are
//! unsupported, and a `GUID` property also takes a quoted GUID (`id eq '…'`, the form clients send).
//!
//! Limits (a violation is `Request_BadRequest`, never a stack overflow): 4096 bytes per option, 100 nodes (each
//! `and`/`or`/`not`, comparison, `in`, function call, lambda and literal counts one) and nesting depth 32
//! (parentheses, `not`, lambdas). Positions in syntax errors count characters from 0 and, as in OData, point just
//! past the offending token.

mod ast;
mod bind;
mod error;
mod lexer;
mod orderby;
mod paging;
mod schema;
mod search;
mod select;
mod syntax;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

pub use ast::{AnyPredicate, CompareOp, Filter, Literal};
pub use bind::parse_filter;
pub use error::{MAX_LENGTH, ODataError};
pub use orderby::{Direction, MAX_SORT_KEYS, OrderBy, parse_orderby};
pub use paging::{MAX_PAGE_SIZE, parse_count, parse_top};
pub use schema::{Operator, Property, PropertyType, Schema, Support};
pub use search::{MAX_SEARCH_TERMS, SEARCHABLE_PROPERTIES, Search, SearchTerm, parse_search};
pub use select::parse_select;
pub use syntax::{MAX_DEPTH, MAX_NODES};
