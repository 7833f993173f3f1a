//! The recursive-descent `$filter` parser: tokens to an unchecked tree, following the grammar in the
//! [module docs](super) and enforcing the size limits. Names are not resolved here; see `bind`.

use super::ast::{CompareOp, Literal};
use super::error::{ODataError, check_length, syntax_at};
use super::lexer::{Tok, Token, tokenize};

/// The most nodes (boolean operators, comparisons, calls, lambdas and literals) one filter may have.
pub const MAX_NODES: usize = 100;
/// The deepest nesting of parentheses, `not` and lambdas one filter may have.
pub const MAX_DEPTH: usize = 32;

/// A syntactically valid filter whose names and types are still unchecked.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Expr {
    Or(Vec<Expr>),
    And(Vec<Expr>),
    Not(Box<Expr>),
    /// `path op literal`.
    Compare {
        property: String,
        op: CompareOp,
        value: Literal,
    },
    /// `path in (literal, …)`.
    In {
        property: String,
        values: Vec<Literal>,
    },
    /// `function(path, literal)`.
    Call {
        function: Function,
        property: String,
        argument: Literal,
    },
    /// `path/any(variable: body)` or `path/all(…)`; `any()` has neither variable nor body.
    Lambda {
        property: String,
        all: bool,
        lambda: Option<(String, Box<Expr>)>,
    },
}

/// A string function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Function {
    StartsWith,
    EndsWith,
}

impl Function {
    /// OData's lower-case name, as its error messages use it.
    pub(super) fn name(self) -> &'static str {
        match self {
            Self::StartsWith => "startswith",
            Self::EndsWith => "endswith",
        }
    }
}

/// Parses `text` (URL-decoded) into an unchecked tree.
pub(super) fn parse(text: &str) -> Result<Expr, ODataError> {
    check_length("$filter", text)?;
    let tokens = tokenize(text)?;
    let mut parser = Parser {
        text,
        tokens,
        at: 0,
        nodes: 0,
        depth: 0,
    };
    let expr = parser.or()?;
    if parser.current().tok != Tok::End {
        return Err(parser.syntax_error());
    }
    Ok(expr)
}

#[derive(Debug)]
struct Parser<'a> {
    text: &'a str,
    /// Never empty: the last token is [`Tok::End`].
    tokens: Vec<Token>,
    /// Index of the current token; never past the [`Tok::End`].
    at: usize,
    nodes: usize,
    depth: usize,
}

impl Parser<'_> {
    // or_expr = and_expr { "or" and_expr }
    fn or(&mut self) -> Result<Expr, ODataError> {
        let mut parts = vec![self.and()?];
        while self.at_keyword("or") {
            self.advance();
            self.count(1)?;
            parts.push(self.and()?);
        }
        Ok(combine(parts, Expr::Or))
    }

    // and_expr = unary { "and" unary }
    fn and(&mut self) -> Result<Expr, ODataError> {
        let mut parts = vec![self.unary()?];
        while self.at_keyword("and") {
            self.advance();
            self.count(1)?;
            parts.push(self.unary()?);
        }
        Ok(combine(parts, Expr::And))
    }

    // unary = "not" unary | primary
    fn unary(&mut self) -> Result<Expr, ODataError> {
        if !self.at_keyword("not") {
            return self.primary();
        }
        self.advance();
        self.count(1)?;
        self.enter()?;
        let inner = self.unary()?;
        self.depth -= 1;
        Ok(Expr::Not(Box::new(inner)))
    }

    // primary = "(" or_expr ")" | function_call | predicate
    fn primary(&mut self) -> Result<Expr, ODataError> {
        match &self.current().tok {
            Tok::LParen => {
                self.advance();
                self.enter()?;
                let inner = self.or()?;
                self.expect(&Tok::RParen, "')' or operator expected")?;
                self.depth -= 1;
                Ok(inner)
            }
            Tok::Ident(name) if self.peek() == &Tok::LParen => {
                let name = name.clone();
                self.call(&name)
            }
            Tok::Ident(_) => self.predicate(),
            Tok::End => Err(self.expression_expected()),
            _ => Err(self.syntax_error()),
        }
    }

    // function_call = ( "startsWith" | "endsWith" ) "(" path "," literal ")"
    fn call(&mut self, name: &str) -> Result<Expr, ODataError> {
        let function = if name.eq_ignore_ascii_case("startswith") {
            Function::StartsWith
        } else if name.eq_ignore_ascii_case("endswith") {
            Function::EndsWith
        } else {
            return Err(ODataError::filter_clause(format!(
                "An unknown function with name '{name}' was found. This may also be a function import or a key \
                 lookup on a navigation property, which is not allowed."
            )));
        };
        self.advance(); // name
        self.advance(); // "("
        self.count(1)?;
        let property = self.path()?;
        self.expect(&Tok::Comma, "')' or ',' expected")?;
        let argument = self.literal()?;
        self.expect(&Tok::RParen, "')' or ',' expected")?;
        Ok(Expr::Call {
            function,
            property,
            argument,
        })
    }

    // predicate = path ( compare_op literal | "in" "(" literal { "," literal } ")" ) | lambda
    fn predicate(&mut self) -> Result<Expr, ODataError> {
        let property = self.path()?;
        if self.current().tok == Tok::Slash {
            return self.lambda(property);
        }
        let Tok::Ident(word) = &self.current().tok else {
            return Err(self.syntax_error());
        };
        if word.eq_ignore_ascii_case("in") {
            self.advance();
            self.count(1)?;
            return self.in_list(property);
        }
        let op = CompareOp::from_keyword(word).ok_or_else(|| self.syntax_error())?;
        self.advance();
        self.count(1)?;
        let value = self.literal()?;
        Ok(Expr::Compare { property, op, value })
    }

    // "(" literal { "," literal } ")"
    fn in_list(&mut self, property: String) -> Result<Expr, ODataError> {
        self.expect(&Tok::LParen, "'(' expected")?;
        let mut values = vec![self.literal()?];
        loop {
            match self.current().tok {
                Tok::Comma => {
                    self.advance();
                    values.push(self.literal()?);
                }
                Tok::RParen => {
                    self.advance();
                    return Ok(Expr::In { property, values });
                }
                _ => return Err(self.expected("')' or ',' expected")),
            }
        }
    }

    // lambda = path "/" ( "any" | "all" ) "(" [ identifier ":" or_expr ] ")"
    fn lambda(&mut self, property: String) -> Result<Expr, ODataError> {
        self.advance(); // "/"; `path` stopped here only because "any(" or "all(" follows
        let all = self.at_keyword("all");
        self.advance(); // "any" or "all"
        self.advance(); // "("
        self.count(1)?;
        if self.current().tok == Tok::RParen {
            self.advance();
            return Ok(Expr::Lambda {
                property,
                all,
                lambda: None,
            });
        }
        self.enter()?;
        let variable = self.identifier()?;
        self.expect(&Tok::Colon, "':' expected")?;
        let body = self.or()?;
        self.expect(&Tok::RParen, "')' or operator expected")?;
        self.depth -= 1;
        Ok(Expr::Lambda {
            property,
            all,
            lambda: Some((variable, Box::new(body))),
        })
    }

    // path = identifier { "/" identifier }, stopping before "/any(" and "/all("
    fn path(&mut self) -> Result<String, ODataError> {
        let mut path = self.identifier()?;
        while self.current().tok == Tok::Slash && !self.lambda_ahead() {
            self.advance();
            path.push('/');
            path.push_str(&self.identifier()?);
        }
        Ok(path)
    }

    fn lambda_ahead(&self) -> bool {
        let word = self.tokens.get(self.at + 1).map(|t| &t.tok);
        let is_lambda =
            matches!(word, Some(Tok::Ident(w)) if w.eq_ignore_ascii_case("any") || w.eq_ignore_ascii_case("all"));
        is_lambda && self.tokens.get(self.at + 2).map(|t| &t.tok) == Some(&Tok::LParen)
    }

    fn identifier(&mut self) -> Result<String, ODataError> {
        match &self.current().tok {
            Tok::Ident(name) => {
                let name = name.clone();
                self.advance();
                Ok(name)
            }
            Tok::End => Err(self.expression_expected()),
            _ => Err(self.syntax_error()),
        }
    }

    // literal = string | guid | datetime | integer | "true" | "false" | "null"
    fn literal(&mut self) -> Result<Literal, ODataError> {
        let literal = match &self.current().tok {
            Tok::Literal(literal) => literal.clone(),
            Tok::Ident(word) if word.eq_ignore_ascii_case("true") => Literal::Bool(true),
            Tok::Ident(word) if word.eq_ignore_ascii_case("false") => Literal::Bool(false),
            Tok::Ident(word) if word.eq_ignore_ascii_case("null") => Literal::Null,
            Tok::End => return Err(self.expression_expected()),
            _ => return Err(self.syntax_error()),
        };
        self.advance();
        self.count(1)?;
        Ok(literal)
    }

    fn current(&self) -> &Token {
        &self.tokens[self.at]
    }

    fn peek(&self) -> &Tok {
        self.tokens.get(self.at + 1).map_or(&Tok::End, |t| &t.tok)
    }

    fn advance(&mut self) {
        if self.at + 1 < self.tokens.len() {
            self.at += 1;
        }
    }

    fn at_keyword(&self, keyword: &str) -> bool {
        matches!(&self.current().tok, Tok::Ident(word) if word.eq_ignore_ascii_case(keyword))
    }

    fn expect(&mut self, tok: &Tok, what: &str) -> Result<(), ODataError> {
        if &self.current().tok != tok {
            return Err(self.expected(what));
        }
        self.advance();
        Ok(())
    }

    fn count(&mut self, nodes: usize) -> Result<(), ODataError> {
        self.nodes += nodes;
        if self.nodes > MAX_NODES {
            return Err(ODataError::filter_clause(format!(
                "The node count limit of '{MAX_NODES}' has been exceeded at position {} in '{}'.",
                self.current().end,
                self.text
            )));
        }
        Ok(())
    }

    fn enter(&mut self) -> Result<(), ODataError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ODataError::filter_clause(format!(
                "The recursion limit of '{MAX_DEPTH}' has been exceeded at position {} in '{}'.",
                self.current().end,
                self.text
            )));
        }
        Ok(())
    }

    // Positions point just past the offending token, as OData's lexer reports them.

    fn syntax_error(&self) -> ODataError {
        ODataError::filter_clause(syntax_at(self.current().end, self.text))
    }

    fn expression_expected(&self) -> ODataError {
        self.expected("Expression expected")
    }

    fn expected(&self, what: &str) -> ODataError {
        ODataError::filter_clause(format!("{what} at position {} in '{}'.", self.current().end, self.text))
    }
}

/// One part stays itself; several become `make(parts)`.
fn combine(mut parts: Vec<Expr>, make: fn(Vec<Expr>) -> Expr) -> Expr {
    match parts.pop() {
        Some(only) if parts.is_empty() => only,
        Some(last) => {
            parts.push(last);
            make(parts)
        }
        None => make(parts),
    }
}
