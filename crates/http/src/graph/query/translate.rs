//! From the checked OData trees (`$filter`, `$search`, `$orderby`) to the domain's user
//! query: conditions, sort and nothing else. Whether the request may use advanced parts is
//! decided before this, in [`super::QueryOptions::user_query`].

use crate::graph::error::GraphError;
use crate::graph::odata::{AnyPredicate, CompareOp, Direction, Filter, Literal, OrderBy, Search, SearchTerm};
use directory::query::{Comparison, Condition, Field, Sort, SortKey, TextKey, TextTest, Value};

/// The domain condition for a `$filter` tree.
pub(super) fn filter(filter: &Filter) -> Result<Condition, GraphError> {
    Ok(match filter {
        Filter::And(parts) => Condition::All(parts.iter().map(self::filter).collect::<Result<_, _>>()?),
        Filter::Or(parts) => Condition::Any(parts.iter().map(self::filter).collect::<Result<_, _>>()?),
        Filter::Not(inner) => Condition::Not(Box::new(self::filter(inner)?)),
        Filter::Compare { property, op, value } => {
            Condition::compare(field(property)?, comparison(*op), self::value(property, value)?)?
        }
        Filter::StartsWith { property, prefix } => Condition::starts_with(field(property)?, prefix)?,
        Filter::EndsWith { property, suffix } => Condition::ends_with(field(property)?, suffix)?,
        Filter::In { property, values } => {
            let values = values
                .iter()
                .map(|literal| value(property, literal))
                .collect::<Result<_, _>>()?;
            Condition::one_of(field(property)?, values)?
        }
        Filter::Any { property, predicate } => {
            if field(property)? != Field::ProxyAddresses {
                return Err(unsupported(property));
            }
            let test = match predicate {
                AnyPredicate::Eq(text) => TextTest::Eq(TextKey::new(text)),
                AnyPredicate::StartsWith(text) => TextTest::StartsWith(TextKey::new(text)),
                AnyPredicate::EndsWith(text) => TextTest::EndsWith(TextKey::new(text)),
            };
            Condition::any_address(test)?
        }
    })
}

/// The domain condition for a `$search`: each clause matches words of its property that
/// start with the clause's words.
pub(super) fn search(search: &Search) -> Result<Condition, GraphError> {
    Ok(match search {
        Search::Term(SearchTerm { property, words }) => Condition::words_start_with(field(property)?, words)?,
        Search::And(parts) => Condition::All(parts.iter().map(self::search).collect::<Result<_, _>>()?),
        Search::Or(parts) => Condition::Any(parts.iter().map(self::search).collect::<Result<_, _>>()?),
    })
}

/// The domain sort for an `$orderby` of one key (the id always breaks ties).
pub(super) fn sort(orderby: &OrderBy, resource: &str) -> Result<Sort, GraphError> {
    let [(property, direction)] = orderby.keys.as_slice() else {
        return Err(GraphError::unsupported_query(
            "Sorting by more than one property is not supported by this server.",
        ));
    };
    let key = match *property {
        "displayName" => SortKey::DisplayName,
        "userPrincipalName" => SortKey::UserPrincipalName,
        "createdDateTime" => SortKey::CreatedDateTime,
        "deletedDateTime" => SortKey::DeletedDateTime,
        other => {
            return Err(GraphError::unsupported_query(format!(
                "Unsupported sort property '{other}' for '{resource}'."
            )));
        }
    };
    Ok(match direction {
        Direction::Asc => Sort::ascending(key),
        Direction::Desc => Sort::descending(key),
    })
}

fn field(property: &str) -> Result<Field, GraphError> {
    Field::from_name(property).ok_or_else(|| unsupported(property))
}

fn unsupported(property: &str) -> GraphError {
    GraphError::unsupported_query(format!(
        "Unsupported or invalid query filter clause specified for property '{property}' of resource 'User'."
    ))
}

fn comparison(op: CompareOp) -> Comparison {
    match op {
        CompareOp::Eq => Comparison::Eq,
        CompareOp::Ne => Comparison::Ne,
        CompareOp::Gt => Comparison::Gt,
        CompareOp::Ge => Comparison::Ge,
        CompareOp::Lt => Comparison::Lt,
        CompareOp::Le => Comparison::Le,
    }
}

fn value(property: &str, literal: &Literal) -> Result<Value, GraphError> {
    Ok(match literal {
        Literal::String(text) => Value::text(text),
        Literal::Bool(flag) => Value::Bool(*flag),
        Literal::Null => Value::Null,
        Literal::DateTime(at) => Value::time(*at),
        Literal::Guid(id) => Value::Uuid(*id),
        Literal::Int(_) => return Err(unsupported(property)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::odata::{Schema, parse_filter, parse_orderby, parse_search};

    fn translate(text: &str) -> Condition {
        filter(&parse_filter(text, Schema::deleted_users()).unwrap()).unwrap()
    }

    #[test]
    fn every_filter_shape_translates() {
        assert_eq!(
            translate("startsWith(displayName,'AD')"),
            Condition::starts_with(Field::DisplayName, "ad").unwrap()
        );
        assert_eq!(
            translate("mail eq 'X@Contoso.com' and accountEnabled eq true"),
            Condition::All(vec![
                Condition::compare(Field::Mail, Comparison::Eq, Value::text("x@contoso.com")).unwrap(),
                Condition::compare(Field::AccountEnabled, Comparison::Eq, Value::Bool(true)).unwrap(),
            ])
        );
        let deleted = translate("deletedDateTime ge 2025-01-01T00:00:00Z");
        assert!(matches!(
            deleted,
            Condition::Compare {
                field: Field::DeletedDateTime,
                op: Comparison::Ge,
                value: Value::Time(_)
            }
        ));
        assert_eq!(
            translate("proxyAddresses/any(p:p eq 'SMTP:a@b.com')"),
            Condition::AnyAddress(TextTest::Eq(TextKey::new("smtp:a@b.com")))
        );
        assert!(matches!(translate("not(givenName eq null)"), Condition::Not(_)));
        assert!(matches!(
            translate("id in ('6f2a3c1e-0000-4000-8000-000000000001')"),
            Condition::In { field: Field::Id, .. }
        ));
    }

    #[test]
    fn search_and_sort_translate() {
        let parsed = parse_search("\"displayName:ad\" OR \"mail:x\"").unwrap();
        assert!(matches!(search(&parsed).unwrap(), Condition::Any(parts) if parts.len() == 2));
        let orderby = parse_orderby("deletedDateTime desc", Schema::deleted_users()).unwrap();
        assert_eq!(
            sort(&orderby, "User").unwrap(),
            Sort::descending(SortKey::DeletedDateTime)
        );
        let two = parse_orderby("displayName,userPrincipalName", Schema::users()).unwrap();
        assert_eq!(sort(&two, "User").unwrap_err().code, "Request_UnsupportedQuery");
    }
}
