//! `parse_filter`: parses `$filter`, then checks the unchecked tree against a [`Schema`] (names, operators, types).

use uuid::Uuid;

use super::ast::{AnyPredicate, CompareOp, Filter, Literal};
use super::error::ODataError;
use super::schema::{Operator, Property, PropertyType, Schema};
use super::syntax::{self, Expr, Function};

/// Parses a URL-decoded `$filter` value and checks it against `schema`.
///
/// Syntax errors, type mismatches and limit violations are `Request_BadRequest`; unknown properties, and operators
/// a property does not support, are `Request_UnsupportedQuery` with Graph's "Unsupported or invalid query filter
/// clause" message. Advanced operators are accepted: check [`Filter::advanced_operator`] against the request.
pub fn parse_filter(text: &str, schema: &Schema) -> Result<Filter, ODataError> {
    let expr = syntax::parse(text)?;
    Binder { schema }.bind(expr)
}

struct Binder<'a> {
    schema: &'a Schema,
}

impl Binder<'_> {
    fn bind(&self, expr: Expr) -> Result<Filter, ODataError> {
        match expr {
            Expr::Or(parts) => {
                let parts = self.bind_flat(parts, |f| if let Filter::Or(inner) = f { Ok(inner) } else { Err(f) })?;
                Ok(Filter::Or(parts))
            }
            Expr::And(parts) => {
                let parts = self.bind_flat(parts, |f| if let Filter::And(inner) = f { Ok(inner) } else { Err(f) })?;
                Ok(Filter::And(parts))
            }
            Expr::Not(inner) => Ok(Filter::Not(Box::new(self.bind(*inner)?))),
            Expr::Compare { property, op, value } => self.compare(&property, op, value),
            Expr::In { property, values } => self.in_list(&property, values),
            Expr::Call {
                function,
                property,
                argument,
            } => self.call(function, &property, argument),
            Expr::Lambda { property, all, lambda } => self.lambda(&property, all, lambda),
        }
    }

    /// Binds `parts`, splicing in the parts of a part that `splice` opens (`(a and b) and c` → `a, b, c`).
    fn bind_flat(
        &self,
        parts: Vec<Expr>,
        splice: fn(Filter) -> Result<Vec<Filter>, Filter>,
    ) -> Result<Vec<Filter>, ODataError> {
        let mut out = Vec::with_capacity(parts.len());
        for part in parts {
            match splice(self.bind(part)?) {
                Ok(inner) => out.extend(inner),
                Err(filter) => out.push(filter),
            }
        }
        Ok(out)
    }

    // property op value
    fn compare(&self, property: &str, op: CompareOp, value: Literal) -> Result<Filter, ODataError> {
        let prop = self.scalar(property)?;
        let value = if value == Literal::Null {
            let null_ok = prop.null.is_some() && matches!(op, CompareOp::Eq | CompareOp::Ne);
            if !null_ok {
                return Err(self.unsupported(prop.name));
            }
            Literal::Null
        } else {
            coerce(prop.ty, value, op.kind_name())?
        };
        self.require(prop, op.operator())?;
        Ok(Filter::Compare {
            property: prop.name,
            op,
            value,
        })
    }

    // property in (values)
    fn in_list(&self, property: &str, values: Vec<Literal>) -> Result<Filter, ODataError> {
        let prop = self.scalar(property)?;
        let mut checked = Vec::with_capacity(values.len());
        for value in values {
            if value == Literal::Null {
                return Err(self.unsupported(prop.name));
            }
            checked.push(coerce(prop.ty, value, "In")?);
        }
        self.require(prop, Operator::In)?;
        Ok(Filter::In {
            property: prop.name,
            values: checked,
        })
    }

    // startsWith(property, 'prefix') / endsWith(property, 'suffix')
    fn call(&self, function: Function, property: &str, argument: Literal) -> Result<Filter, ODataError> {
        let prop = self.scalar(property)?;
        let text = string_argument(function, argument)?;
        if prop.ty != PropertyType::String || text.is_empty() {
            // Graph rejects an empty prefix the same way.
            return Err(self.unsupported(prop.name));
        }
        Ok(match function {
            Function::StartsWith => {
                self.require(prop, Operator::StartsWith)?;
                Filter::StartsWith {
                    property: prop.name,
                    prefix: text,
                }
            }
            Function::EndsWith => {
                self.require(prop, Operator::EndsWith)?;
                Filter::EndsWith {
                    property: prop.name,
                    suffix: text,
                }
            }
        })
    }

    // collection/any(x: x eq 'v' | startsWith(x, 'v') | endsWith(x, 'v'))
    fn lambda(&self, property: &str, all: bool, lambda: Option<(String, Box<Expr>)>) -> Result<Filter, ODataError> {
        let prop = self.lookup(property)?;
        if prop.ty != PropertyType::StringCollection || all {
            return Err(self.unsupported(prop.name));
        }
        let Some((variable, body)) = lambda else {
            return Err(self.unsupported(prop.name));
        };
        let predicate = match *body {
            Expr::Compare {
                property,
                op: CompareOp::Eq,
                value,
            } if property == variable => match coerce(PropertyType::String, value, CompareOp::Eq.kind_name())? {
                Literal::String(value) => AnyPredicate::Eq(value),
                _ => return Err(self.unsupported(prop.name)),
            },
            Expr::Call {
                function,
                property,
                argument,
            } if property == variable => {
                let text = string_argument(function, argument)?;
                if text.is_empty() {
                    return Err(self.unsupported(prop.name));
                }
                match function {
                    Function::StartsWith => AnyPredicate::StartsWith(text),
                    Function::EndsWith => AnyPredicate::EndsWith(text),
                }
            }
            _ => return Err(self.unsupported(prop.name)),
        };
        self.require(prop, predicate.operator())?;
        Ok(Filter::Any {
            property: prop.name,
            predicate,
        })
    }

    fn lookup(&self, property: &str) -> Result<&'static Property, ODataError> {
        self.schema.property(property).ok_or_else(|| self.unsupported(property))
    }

    /// A known property that is not a collection (collections are only filterable through `any`).
    fn scalar(&self, property: &str) -> Result<&'static Property, ODataError> {
        let prop = self.lookup(property)?;
        if prop.ty == PropertyType::StringCollection {
            return Err(self.unsupported(prop.name));
        }
        Ok(prop)
    }

    fn require(&self, prop: &Property, operator: Operator) -> Result<(), ODataError> {
        match prop.support(operator) {
            Some(_) => Ok(()),
            None => Err(self.unsupported(prop.name)),
        }
    }

    fn unsupported(&self, property: &str) -> ODataError {
        ODataError::unsupported_filter_property(property, self.schema.resource)
    }
}

/// `value` as a value of type `ty`, or OData's type-mismatch error. A quoted GUID is a GUID.
fn coerce(ty: PropertyType, value: Literal, kind: &str) -> Result<Literal, ODataError> {
    match (ty, value) {
        (PropertyType::String, value @ Literal::String(_))
        | (PropertyType::Bool, value @ Literal::Bool(_))
        | (PropertyType::DateTime, value @ Literal::DateTime(_))
        | (PropertyType::Guid, value @ Literal::Guid(_))
        | (PropertyType::Int, value @ Literal::Int(_)) => Ok(value),
        (PropertyType::Guid, Literal::String(text)) => match Uuid::try_parse(&text) {
            Ok(guid) if text.len() == 36 => Ok(Literal::Guid(guid)),
            _ => Err(ODataError::bad_request(format!("Invalid object identifier '{text}'."))),
        },
        (ty, value) => Err(ODataError::filter_clause(format!(
            "A binary operator with incompatible types was detected. Found operand types '{}' and '{}' for operator \
             kind '{kind}'.",
            ty.edm_type(),
            value.edm_type()
        ))),
    }
}

/// The string argument of `function`, or OData's no-matching-signature error.
fn string_argument(function: Function, argument: Literal) -> Result<String, ODataError> {
    match argument {
        Literal::String(text) => Ok(text),
        _ => Err(ODataError::filter_clause(format!(
            "No function signature for the function with name '{name}' matches the specified arguments. The function \
             signatures considered are: {name}(Edm.String Nullable=true, Edm.String Nullable=true).",
            name = function.name()
        ))),
    }
}
