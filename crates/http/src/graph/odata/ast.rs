//! The checked `$filter` tree that [`parse_filter`](super::parse_filter) returns, and which parts of it are advanced.

use time::OffsetDateTime;
use uuid::Uuid;

use super::schema::{Operator, Schema, Support};

/// A `$filter` expression checked against a [`Schema`]: every property exists and is named canonically, every
/// operator is one the property supports, and every value has the property's type.
///
/// Advanced operators are accepted here; whether the request may use them is the caller's decision, see
/// [`Filter::advanced_operator`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// All parts hold. Always two or more parts; nested `and`s are flattened.
    And(Vec<Filter>),
    /// At least one part holds. Always two or more parts; nested `or`s are flattened.
    Or(Vec<Filter>),
    /// The inner filter does not hold. Always advanced.
    Not(Box<Filter>),
    /// `property op value`. `value` has the property's type ([`Literal::Guid`] for GUID properties, even when the
    /// client quoted it); [`Literal::Null`] only comes with [`CompareOp::Eq`] or [`CompareOp::Ne`].
    Compare {
        /// Canonical property name.
        property: &'static str,
        /// The comparison.
        op: CompareOp,
        /// The right-hand side.
        value: Literal,
    },
    /// `startsWith(property, prefix)`, `prefix` non-empty.
    StartsWith {
        /// Canonical property name.
        property: &'static str,
        /// The prefix, unescaped.
        prefix: String,
    },
    /// `endsWith(property, suffix)`, `suffix` non-empty.
    EndsWith {
        /// Canonical property name.
        property: &'static str,
        /// The suffix, unescaped.
        suffix: String,
    },
    /// `property in (v1, v2, …)`: at least one value, none null, all of the property's type.
    In {
        /// Canonical property name.
        property: &'static str,
        /// The candidate values, in the order given.
        values: Vec<Literal>,
    },
    /// `property/any(x: …)` on a string collection: some element matches `predicate`.
    Any {
        /// Canonical property name.
        property: &'static str,
        /// What an element must match.
        predicate: AnyPredicate,
    },
}

/// A comparison operator of [`Filter::Compare`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `eq`.
    Eq,
    /// `ne`.
    Ne,
    /// `gt`.
    Gt,
    /// `ge`.
    Ge,
    /// `lt`.
    Lt,
    /// `le`.
    Le,
}

impl CompareOp {
    /// The operator for the keyword `word` (ASCII case-insensitive).
    pub(super) fn from_keyword(word: &str) -> Option<Self> {
        [Self::Eq, Self::Ne, Self::Gt, Self::Ge, Self::Lt, Self::Le]
            .into_iter()
            .find(|op| op.as_str().eq_ignore_ascii_case(word))
    }

    /// The keyword, e.g. `eq`.
    pub fn as_str(self) -> &'static str {
        self.operator().as_str()
    }

    /// The schema operator this comparison needs.
    pub fn operator(self) -> Operator {
        match self {
            Self::Eq => Operator::Eq,
            Self::Ne => Operator::Ne,
            Self::Gt => Operator::Gt,
            Self::Ge => Operator::Ge,
            Self::Lt => Operator::Lt,
            Self::Le => Operator::Le,
        }
    }

    /// OData's name for the operator kind, as used in type-mismatch messages.
    pub(super) fn kind_name(self) -> &'static str {
        match self {
            Self::Eq => "Equal",
            Self::Ne => "NotEqual",
            Self::Gt => "GreaterThan",
            Self::Ge => "GreaterThanOrEqual",
            Self::Lt => "LessThan",
            Self::Le => "LessThanOrEqual",
        }
    }
}

/// The test inside `property/any(x: …)`; the string is unescaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnyPredicate {
    /// `x eq 'value'`.
    Eq(String),
    /// `startsWith(x, 'prefix')`.
    StartsWith(String),
    /// `endsWith(x, 'suffix')` (advanced).
    EndsWith(String),
}

impl AnyPredicate {
    /// The schema operator this predicate needs.
    pub fn operator(&self) -> Operator {
        match self {
            Self::Eq(_) => Operator::Eq,
            Self::StartsWith(_) => Operator::StartsWith,
            Self::EndsWith(_) => Operator::EndsWith,
        }
    }
}

/// A literal value in a filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Literal {
    /// `'text'`, with `''` unescaped to `'`.
    String(String),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// An unquoted RFC 3339 DateTimeOffset such as `2025-01-01T00:00:00Z` (seconds may be omitted).
    DateTime(OffsetDateTime),
    /// A GUID: bare `8-4-4-4-12` hex, or quoted for a GUID property.
    Guid(Uuid),
    /// An integer such as `42` or `-1`.
    Int(i64),
}

impl Literal {
    /// The OData type name of the literal, as used in error messages.
    pub fn edm_type(&self) -> &'static str {
        match self {
            Self::String(_) => "Edm.String",
            Self::Bool(_) => "Edm.Boolean",
            Self::Null => "null",
            Self::DateTime(_) => "Edm.DateTimeOffset",
            Self::Guid(_) => "Edm.Guid",
            Self::Int(i) if i32::try_from(*i).is_ok() => "Edm.Int32",
            Self::Int(_) => "Edm.Int64",
        }
    }
}

impl Filter {
    /// The first operator in this filter that needs advanced query parameters under `schema` (the one it was parsed
    /// with), named as Graph spells it (`not`, `ne`, `endsWith`, `in`, …); `None` when the filter works by default.
    ///
    /// When it is `Some(op)` and the request lacks `ConsistencyLevel: eventual` or `$count=true`, answer
    /// [`ODataError::advanced_query_required(op)`](super::ODataError::advanced_query_required).
    pub fn advanced_operator(&self, schema: &Schema) -> Option<&'static str> {
        let advanced = |property: &str, operator: Operator, null: bool| {
            let prop = schema.property(property)?;
            let advanced =
                prop.support(operator) == Some(Support::Advanced) || (null && prop.null == Some(Support::Advanced));
            advanced.then(|| operator.as_str())
        };
        match self {
            Self::And(parts) | Self::Or(parts) => parts.iter().find_map(|part| part.advanced_operator(schema)),
            Self::Not(_) => Some("not"),
            Self::Compare { property, op, value } => advanced(property, op.operator(), *value == Literal::Null),
            Self::StartsWith { property, .. } => advanced(property, Operator::StartsWith, false),
            Self::EndsWith { property, .. } => advanced(property, Operator::EndsWith, false),
            Self::In { property, .. } => advanced(property, Operator::In, false),
            Self::Any { property, predicate } => advanced(property, predicate.operator(), false),
        }
    }

    /// Whether this filter needs advanced query parameters under `schema`; see [`Filter::advanced_operator`].
    pub fn is_advanced(&self, schema: &Schema) -> bool {
        self.advanced_operator(schema).is_some()
    }
}
