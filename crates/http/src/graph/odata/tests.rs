//! Table-driven tests for the OData parsers: grammar, precedence, escapes, literals, every error class and the limits.

use time::macros::datetime;
use uuid::Uuid;

use super::*;

const BAD: &str = ODataError::BAD_REQUEST;
const UNSUPPORTED: &str = ODataError::UNSUPPORTED_QUERY;
const GUID: &str = "87d349ed-44d7-43e1-9a83-5f2406dee5bd";

/// `Ok(value)`, or `Err((code, a fragment of the message))`.
type Want<T> = Result<T, (&'static str, &'static str)>;
type Expected = Want<Filter>;

fn assert_outcome<T: PartialEq + std::fmt::Debug>(input: &str, got: Result<T, ODataError>, want: Want<T>) {
    match (got, want) {
        (Ok(got), Ok(want)) => assert_eq!(got, want, "input: {input}"),
        (Err(got), Err((code, fragment))) => {
            assert_eq!(got.code, code, "input: {input}; message: {}", got.message);
            assert!(
                got.message.contains(fragment),
                "input: {input}; {:?} lacks {fragment:?}",
                got.message
            );
        }
        (got, want) => panic!("input: {input}\n got: {got:?}\nwant: {want:?}"),
    }
}

fn check_with(schema: &Schema, input: &str, expected: Expected) {
    assert_outcome(input, parse_filter(input, schema), expected);
}

fn check(input: &str, expected: Expected) {
    check_with(Schema::users(), input, expected);
}

fn s(value: &str) -> Literal {
    Literal::String(value.to_owned())
}

fn guid(text: &str) -> Literal {
    Literal::Guid(Uuid::parse_str(text).unwrap())
}

fn cmp(property: &'static str, op: CompareOp, value: Literal) -> Filter {
    Filter::Compare { property, op, value }
}

fn eq(property: &'static str, value: Literal) -> Filter {
    cmp(property, CompareOp::Eq, value)
}

fn and(parts: Vec<Filter>) -> Filter {
    Filter::And(parts)
}

fn or(parts: Vec<Filter>) -> Filter {
    Filter::Or(parts)
}

fn not(inner: Filter) -> Filter {
    Filter::Not(Box::new(inner))
}

fn starts(property: &'static str, prefix: &str) -> Filter {
    Filter::StartsWith {
        property,
        prefix: prefix.to_owned(),
    }
}

fn any(property: &'static str, predicate: AnyPredicate) -> Filter {
    Filter::Any { property, predicate }
}

#[test]
fn precedence_and_grouping() {
    let (a, b, c) = (eq("displayName", s("a")), eq("mail", s("b")), eq("surname", s("c")));
    let cases: Vec<(&str, Expected)> = vec![
        ("displayName eq 'a'", Ok(a.clone())),
        (
            "displayName eq 'a' and mail eq 'b' or surname eq 'c'",
            Ok(or(vec![and(vec![a.clone(), b.clone()]), c.clone()])),
        ),
        (
            "displayName eq 'a' or mail eq 'b' and surname eq 'c'",
            Ok(or(vec![a.clone(), and(vec![b.clone(), c.clone()])])),
        ),
        (
            "(displayName eq 'a' or mail eq 'b') and surname eq 'c'",
            Ok(and(vec![or(vec![a.clone(), b.clone()]), c.clone()])),
        ),
        (
            "not displayName eq 'a' and mail eq 'b'",
            Ok(and(vec![not(a.clone()), b.clone()])),
        ),
        (
            "not displayName eq 'a' or mail eq 'b'",
            Ok(or(vec![not(a.clone()), b.clone()])),
        ),
        (
            "NOT(displayName eq 'a' or mail eq 'b')",
            Ok(not(or(vec![a.clone(), b.clone()]))),
        ),
        ("not not displayName eq 'a'", Ok(not(not(a.clone())))),
        (
            "displayName eq 'a' and (mail eq 'b' and surname eq 'c')",
            Ok(and(vec![a.clone(), b.clone(), c.clone()])),
        ),
        (
            "(displayName eq 'a' or mail eq 'b') or surname eq 'c'",
            Ok(or(vec![a.clone(), b.clone(), c.clone()])),
        ),
        (
            "displayName eq 'a' or mail eq 'b' or surname eq 'c'",
            Ok(or(vec![a.clone(), b.clone(), c.clone()])),
        ),
        ("((displayName eq 'a'))", Ok(a.clone())),
        ("  displayName \t eq\t'a'  ", Ok(a.clone())),
        (
            "displayName EQ 'a' AND mail Eq 'b'",
            Ok(and(vec![a.clone(), b.clone()])),
        ),
        ("DISPLAYNAME eq 'a'", Ok(a.clone())),
    ];
    for (input, expected) in cases {
        check(input, expected);
    }
}

#[test]
fn operators_functions_and_lambdas() {
    let cases: Vec<(&str, Expected)> = vec![
        ("jobTitle ne 'x'", Ok(cmp("jobTitle", CompareOp::Ne, s("x")))),
        ("startsWith(displayName,'Ad')", Ok(starts("displayName", "Ad"))),
        ("startswith(displayName, 'Ad')", Ok(starts("displayName", "Ad"))),
        ("STARTSWITH( DISPLAYNAME , 'Ad' )", Ok(starts("displayName", "Ad"))),
        (
            "endsWith(mail,'@contoso.com')",
            Ok(Filter::EndsWith {
                property: "mail",
                suffix: "@contoso.com".into(),
            }),
        ),
        (
            "userPrincipalName in ('a@x.com', 'b@x.com')",
            Ok(Filter::In {
                property: "userPrincipalName",
                values: vec![s("a@x.com"), s("b@x.com")],
            }),
        ),
        (
            "usageLocation IN ('US')",
            Ok(Filter::In {
                property: "usageLocation",
                values: vec![s("US")],
            }),
        ),
        (
            "proxyAddresses/any(p: p eq 'smtp:x@y.com')",
            Ok(any("proxyAddresses", AnyPredicate::Eq("smtp:x@y.com".into()))),
        ),
        (
            "proxyAddresses/any(p:startsWith(p,'smtp:x'))",
            Ok(any("proxyAddresses", AnyPredicate::StartsWith("smtp:x".into()))),
        ),
        (
            "proxyaddresses/ANY(x:StartsWith(x,'SMTP:'))",
            Ok(any("proxyAddresses", AnyPredicate::StartsWith("SMTP:".into()))),
        ),
        (
            "proxyAddresses/any (p:endsWith(p, 'OnMicrosoft.com'))",
            Ok(any("proxyAddresses", AnyPredicate::EndsWith("OnMicrosoft.com".into()))),
        ),
        (
            "not(proxyAddresses/any(p:p eq 'smtp:a@b.c'))",
            Ok(not(any("proxyAddresses", AnyPredicate::Eq("smtp:a@b.c".into())))),
        ),
        (
            "accountEnabled eq false",
            Ok(eq("accountEnabled", Literal::Bool(false))),
        ),
        ("accountEnabled eq TRUE", Ok(eq("accountEnabled", Literal::Bool(true)))),
        (
            "onPremisesSyncEnabled ne true",
            Ok(cmp("onPremisesSyncEnabled", CompareOp::Ne, Literal::Bool(true))),
        ),
        (
            "onPremisesSyncEnabled eq null",
            Ok(eq("onPremisesSyncEnabled", Literal::Null)),
        ),
        ("mail ne null", Ok(cmp("mail", CompareOp::Ne, Literal::Null))),
    ];
    for (input, expected) in cases {
        check(input, expected);
    }
}

#[test]
fn literals_and_escapes() {
    let cases: Vec<(&str, Expected)> = vec![
        ("displayName eq 'O''Brien'", Ok(eq("displayName", s("O'Brien")))),
        ("displayName eq ''''", Ok(eq("displayName", s("'")))),
        ("displayName eq ''", Ok(eq("displayName", s("")))),
        (
            "displayName eq 'a and b or (c)'",
            Ok(eq("displayName", s("a and b or (c)"))),
        ),
        ("displayName eq 'Zoë 李'", Ok(eq("displayName", s("Zoë 李")))),
        ("id eq 87d349ed-44d7-43e1-9a83-5f2406dee5bd", Ok(eq("id", guid(GUID)))),
        ("id eq '87D349ED-44D7-43E1-9A83-5F2406DEE5BD'", Ok(eq("id", guid(GUID)))),
        (
            "id eq deadbeef-44d7-43e1-9a83-5f2406dee5bd",
            Ok(eq("id", guid("deadbeef-44d7-43e1-9a83-5f2406dee5bd"))),
        ),
        (
            "id in (87d349ed-44d7-43e1-9a83-5f2406dee5bd, '87d349ed-44d7-43e1-9a83-5f2406dee5bd')",
            Ok(Filter::In {
                property: "id",
                values: vec![guid(GUID), guid(GUID)],
            }),
        ),
        (
            "createdDateTime ge 2025-01-01T00:00:00Z",
            Ok(cmp(
                "createdDateTime",
                CompareOp::Ge,
                Literal::DateTime(datetime!(2025-01-01 00:00 UTC)),
            )),
        ),
        (
            "createdDateTime lt 2025-02-01T00:00:00+01:00",
            Ok(cmp(
                "createdDateTime",
                CompareOp::Lt,
                Literal::DateTime(datetime!(2025-02-01 00:00 +1)),
            )),
        ),
        (
            "createdDateTime gt 2025-01-01T10:30Z",
            Ok(cmp(
                "createdDateTime",
                CompareOp::Gt,
                Literal::DateTime(datetime!(2025-01-01 10:30 UTC)),
            )),
        ),
        (
            "createdDateTime le 2025-01-01T00:00:00.123-05:00",
            Ok(cmp(
                "createdDateTime",
                CompareOp::Le,
                Literal::DateTime(datetime!(2025-01-01 00:00:00.123 -5)),
            )),
        ),
    ];
    for (input, expected) in cases {
        check(input, expected);
    }
}

static THINGS: Schema = Schema {
    resource: "Thing",
    properties: &[Property {
        name: "size",
        ty: PropertyType::Int,
        operators: &[(Operator::Eq, Support::Basic), (Operator::Gt, Support::Basic)],
        null: None,
    }],
    sortable: &[],
};

#[test]
fn integer_literals() {
    let int = |op, value| Ok(cmp("size", op, Literal::Int(value)));
    let cases: Vec<(&str, Expected)> = vec![
        ("size eq 42", int(CompareOp::Eq, 42)),
        ("size gt -5", int(CompareOp::Gt, -5)),
        ("size eq 9223372036854775807", int(CompareOp::Eq, i64::MAX)),
        (
            "size eq 9223372036854775808",
            Err((BAD, "Unrecognized literal '9223372036854775808' at position 8")),
        ),
        ("size eq 1.5", Err((BAD, "Unrecognized literal '1.5'"))),
        (
            "size eq 'x'",
            Err((
                BAD,
                "operand types 'Edm.Int64' and 'Edm.String' for operator kind 'Equal'",
            )),
        ),
        ("size lt 1", Err((UNSUPPORTED, "property 'size' of resource 'Thing'"))),
    ];
    for (input, expected) in cases {
        check_with(&THINGS, input, expected);
    }
}

#[test]
fn syntax_errors_say_where() {
    let cases: Vec<(&str, Expected)> = vec![
        (
            "displayName eq",
            Err((
                BAD,
                "Invalid filter clause: Expression expected at position 14 in 'displayName eq'.",
            )),
        ),
        ("", Err((BAD, "Expression expected at position 0 in ''."))),
        ("   ", Err((BAD, "Expression expected at position 3"))),
        (
            "displayName",
            Err((
                BAD,
                "Invalid filter clause: Syntax error at position 11 in 'displayName'.",
            )),
        ),
        (
            "displayName eq 'a' and",
            Err((BAD, "Expression expected at position 22")),
        ),
        (
            "displayName eq 'a' , mail eq 'b'",
            Err((BAD, "Syntax error at position 20")),
        ),
        ("displayName eq 'a')", Err((BAD, "Syntax error at position 19"))),
        (
            "(displayName eq 'a'",
            Err((BAD, "')' or operator expected at position 19")),
        ),
        (
            "displayName eq 'a",
            Err((BAD, "There is an unterminated string literal at position 15")),
        ),
        (
            "displayName eq 'it''s",
            Err((BAD, "unterminated string literal at position 15")),
        ),
        (
            "displayName # 'a'",
            Err((BAD, "Syntax error: character '#' is not valid at position 12")),
        ),
        ("displayName eq surname", Err((BAD, "Syntax error at position 22"))),
        ("'a' eq displayName", Err((BAD, "Syntax error at position 3"))),
        ("displayName eq eq 'a'", Err((BAD, "Syntax error at position 17"))),
        ("displayName likes 'a'", Err((BAD, "Syntax error at position 17"))),
        (
            "startsWith(displayName 'a')",
            Err((BAD, "')' or ',' expected at position 26")),
        ),
        (
            "startsWith(displayName,'a'",
            Err((BAD, "')' or ',' expected at position 26")),
        ),
        (
            "startsWith('a', displayName)",
            Err((BAD, "Syntax error at position 14")),
        ),
        ("userPrincipalName in ()", Err((BAD, "Syntax error at position 23"))),
        (
            "userPrincipalName in ('a' 'b')",
            Err((BAD, "')' or ',' expected at position 29")),
        ),
        ("userPrincipalName in 'a'", Err((BAD, "'(' expected at position 24"))),
        ("proxyAddresses/any(p p eq 'x')", Err((BAD, "':' expected"))),
        ("proxyAddresses/any(p: p eq 'x'", Err((BAD, "')' or operator expected"))),
        (
            "contains(displayName,'a')",
            Err((BAD, "An unknown function with name 'contains' was found.")),
        ),
        (
            "createdDateTime ge 2025-01-01",
            Err((BAD, "Unrecognized literal '2025-01-01' at position 19")),
        ),
        (
            "createdDateTime ge 2025-13-01T00:00:00Z",
            Err((BAD, "Unrecognized literal")),
        ),
        (
            "createdDateTime ge 2025-01-01T00:00:00",
            Err((BAD, "Unrecognized literal")),
        ),
        (
            "displayName eq -",
            Err((BAD, "character '-' is not valid at position 15")),
        ),
        (
            "displayName eq 'a' and not",
            Err((BAD, "Expression expected at position 26")),
        ),
    ];
    for (input, expected) in cases {
        check(input, expected);
    }
}

#[test]
fn type_errors() {
    let cases: Vec<(&str, Expected)> = vec![
        (
            "accountEnabled eq 'true'",
            Err((
                BAD,
                "Invalid filter clause: A binary operator with incompatible types was detected. Found operand types \
                 'Edm.Boolean' and 'Edm.String' for operator kind 'Equal'.",
            )),
        ),
        (
            "displayName eq true",
            Err((BAD, "'Edm.String' and 'Edm.Boolean' for operator kind 'Equal'")),
        ),
        (
            "displayName ne 5",
            Err((BAD, "'Edm.String' and 'Edm.Int32' for operator kind 'NotEqual'")),
        ),
        (
            "createdDateTime ge '2025-01-01T00:00:00Z'",
            Err((BAD, "'Edm.DateTimeOffset' and 'Edm.String'")),
        ),
        (
            "displayName eq 87d349ed-44d7-43e1-9a83-5f2406dee5bd",
            Err((BAD, "'Edm.String' and 'Edm.Guid'")),
        ),
        (
            "id eq 'not-a-guid'",
            Err((BAD, "Invalid object identifier 'not-a-guid'.")),
        ),
        (
            "id eq '87d349ed44d743e19a835f2406dee5bd'",
            Err((BAD, "Invalid object identifier")),
        ),
        ("id eq true", Err((BAD, "'Edm.Guid' and 'Edm.Boolean'"))),
        ("accountEnabled in ('x')", Err((BAD, "for operator kind 'In'"))),
        (
            "startsWith(displayName, 5)",
            Err((BAD, "No function signature for the function with name 'startswith'")),
        ),
        (
            "proxyAddresses/any(p:p eq true)",
            Err((BAD, "'Edm.String' and 'Edm.Boolean'")),
        ),
        ("proxyAddresses/any(p:endsWith(p, null))", Err((BAD, "name 'endswith'"))),
    ];
    for (input, expected) in cases {
        check(input, expected);
    }
}

#[test]
fn unsupported_properties_and_operators() {
    let foo = "Unsupported or invalid query filter clause specified for property 'foo' of resource 'User'.";
    let cases: Vec<(&str, Expected)> = vec![
        ("foo eq 'x'", Err((UNSUPPORTED, foo))),
        ("displayName eq 'a' and foo eq 'x'", Err((UNSUPPORTED, foo))),
        (
            "jobtitle gt 'x'",
            Err((UNSUPPORTED, "property 'jobTitle' of resource 'User'")),
        ),
        (
            "accountEnabled gt true",
            Err((UNSUPPORTED, "property 'accountEnabled'")),
        ),
        (
            "startsWith(accountEnabled,'x')",
            Err((UNSUPPORTED, "property 'accountEnabled'")),
        ),
        ("startsWith(id,'87')", Err((UNSUPPORTED, "property 'id'"))),
        (
            "startsWith(displayName,'')",
            Err((UNSUPPORTED, "property 'displayName'")),
        ),
        ("proxyAddresses eq 'x'", Err((UNSUPPORTED, "property 'proxyAddresses'"))),
        (
            "startsWith(proxyAddresses,'x')",
            Err((UNSUPPORTED, "property 'proxyAddresses'")),
        ),
        (
            "displayName/any(p:p eq 'x')",
            Err((UNSUPPORTED, "property 'displayName'")),
        ),
        (
            "proxyAddresses/all(p:p eq 'x')",
            Err((UNSUPPORTED, "property 'proxyAddresses'")),
        ),
        ("proxyAddresses/any()", Err((UNSUPPORTED, "property 'proxyAddresses'"))),
        (
            "proxyAddresses/any(p:q eq 'x')",
            Err((UNSUPPORTED, "property 'proxyAddresses'")),
        ),
        (
            "proxyAddresses/any(p:p eq 'a' or p eq 'b')",
            Err((UNSUPPORTED, "property 'proxyAddresses'")),
        ),
        (
            "proxyAddresses/any(p:p ne 'a')",
            Err((UNSUPPORTED, "property 'proxyAddresses'")),
        ),
        (
            "proxyAddresses/any(p:startsWith(p,''))",
            Err((UNSUPPORTED, "property 'proxyAddresses'")),
        ),
        ("manager/id eq 'x'", Err((UNSUPPORTED, "property 'manager/id'"))),
        (
            "assignedLicenses/$count eq 0",
            Err((UNSUPPORTED, "property 'assignedLicenses/$count'")),
        ),
        (
            "userPrincipalName eq null",
            Err((UNSUPPORTED, "property 'userPrincipalName'")),
        ),
        (
            "createdDateTime ge null",
            Err((UNSUPPORTED, "property 'createdDateTime'")),
        ),
        ("mail ge null", Err((UNSUPPORTED, "property 'mail'"))),
        (
            "userPrincipalName in ('a', null)",
            Err((UNSUPPORTED, "property 'userPrincipalName'")),
        ),
        (
            "deletedDateTime ge 2025-01-01T00:00:00Z",
            Err((UNSUPPORTED, "property 'deletedDateTime'")),
        ),
    ];
    for (input, expected) in cases {
        check(input, expected);
    }
}

#[test]
fn deleted_users_schema() {
    let may = |h| Literal::DateTime(datetime!(2025-05-02 00:00 UTC).replace_hour(h).unwrap());
    let cases: Vec<(&str, Expected)> = vec![
        (
            "deletedDateTime ge 2025-05-02T00:00:00Z",
            Ok(cmp("deletedDateTime", CompareOp::Ge, may(0))),
        ),
        ("startsWith(displayName,'Ad')", Ok(starts("displayName", "Ad"))),
        ("mail eq 'x@contoso.com'", Ok(eq("mail", s("x@contoso.com")))),
        (
            "deletedDateTime in (2025-05-02T00:00:00Z, 2025-05-02T09:00:00Z)",
            Ok(Filter::In {
                property: "deletedDateTime",
                values: vec![may(0), may(9)],
            }),
        ),
        (
            "deletedDateTime eq 'x'",
            Err((BAD, "'Edm.DateTimeOffset' and 'Edm.String'")),
        ),
    ];
    for (input, expected) in cases {
        check_with(Schema::deleted_users(), input, expected);
    }
}

#[test]
fn advanced_operators() {
    let cases: &[(&Schema, &str, Option<&str>)] = &[
        (Schema::users(), "displayName eq 'a'", None),
        (
            Schema::users(),
            "startsWith(displayName,'a') and accountEnabled eq true",
            None,
        ),
        (Schema::users(), "id in ('87d349ed-44d7-43e1-9a83-5f2406dee5bd')", None),
        (Schema::users(), "createdDateTime ge 2025-01-01T00:00:00Z", None),
        (Schema::users(), "proxyAddresses/any(p:startsWith(p,'smtp:'))", None),
        (Schema::users(), "displayName ne 'a'", Some("ne")),
        (Schema::users(), "not(displayName eq 'a')", Some("not")),
        (Schema::users(), "endsWith(mail,'@x.com')", Some("endsWith")),
        (Schema::users(), "displayName eq null", Some("eq")),
        (
            Schema::users(),
            "startsWith(displayName,'a') or accountEnabled ne true",
            Some("ne"),
        ),
        (
            Schema::users(),
            "proxyAddresses/any(p:endsWith(p,'x'))",
            Some("endsWith"),
        ),
        (Schema::users(), "createdDateTime in (2025-01-01T00:00:00Z)", Some("in")),
        (Schema::deleted_users(), "deletedDateTime ge 2025-01-01T00:00:00Z", None),
        (
            Schema::deleted_users(),
            "deletedDateTime ne 2025-01-01T00:00:00Z",
            Some("ne"),
        ),
    ];
    for (schema, input, expected) in cases {
        let filter = parse_filter(input, schema).unwrap();
        assert_eq!(filter.advanced_operator(schema), *expected, "input: {input}");
        assert_eq!(filter.is_advanced(schema), expected.is_some(), "input: {input}");
    }
}

#[test]
fn limits_are_errors_not_overflows() {
    let long = format!("displayName eq '{}'", "a".repeat(MAX_LENGTH - 17));
    assert_eq!(long.len(), MAX_LENGTH);
    assert!(parse_filter(&long, Schema::users()).is_ok());
    let too_long = format!("displayName eq '{}'", "a".repeat(MAX_LENGTH - 16));
    let error = parse_filter(&too_long, Schema::users()).unwrap_err();
    assert_eq!((error.code, error.message.contains("too long")), (BAD, true), "{error}");

    let nested = |depth: usize| format!("{}displayName eq 'a'{}", "(".repeat(depth), ")".repeat(depth));
    assert!(parse_filter(&nested(MAX_DEPTH), Schema::users()).is_ok());
    let error = parse_filter(&nested(MAX_DEPTH + 1), Schema::users()).unwrap_err();
    assert!(
        error.code == BAD && error.message.contains("recursion limit of '32'"),
        "{error}"
    );
    for hostile in [
        "(".repeat(4000),
        "not ".repeat(1000),
        "not(".repeat(1000),
        "proxyAddresses/any(p:".repeat(200),
    ] {
        let error = parse_filter(&hostile, Schema::users()).unwrap_err();
        assert_eq!(error.code, BAD, "{error}");
    }

    // Each comparison is 2 nodes (comparison + literal) and each `and` is 1: 33 comparisons are 98 nodes.
    let chain = |n: usize| vec!["accountEnabled eq true"; n].join(" and ");
    assert!(parse_filter(&chain(33), Schema::users()).is_ok());
    let error = parse_filter(&chain(34), Schema::users()).unwrap_err();
    assert!(
        error.code == BAD && error.message.contains("node count limit of '100'"),
        "{error}"
    );
    let list = |n: usize| format!("mail in ({})", vec!["'x'"; n].join(","));
    assert!(parse_filter(&list(MAX_NODES - 1), Schema::users()).is_ok());
    assert_eq!(parse_filter(&list(MAX_NODES), Schema::users()).unwrap_err().code, BAD);
}

#[test]
fn error_helpers_use_graph_wording() {
    assert_eq!(
        ODataError::advanced_query_required("endsWith").message,
        "Operator 'endsWith' is not supported because the required parameters might be missing. Try adding \
         $count=true query parameter and ConsistencyLevel:eventual header. Refer to \
         https://aka.ms/graph-docs/advanced-queries for more information"
    );
    assert_eq!(ODataError::advanced_query_required("ne").code, UNSUPPORTED);
    assert_eq!(
        ODataError::unsupported_filter_property("foo", "User").message,
        "Unsupported or invalid query filter clause specified for property 'foo' of resource 'User'."
    );
    assert_eq!(
        ODataError::count_not_supported().message,
        "$count is not currently supported."
    );
    assert_eq!(ODataError::search_requires_consistency_level().code, UNSUPPORTED);
    let error = ODataError::bad_request("nope");
    assert_eq!(error.to_string(), "Request_BadRequest: nope");
    let boxed: Box<dyn std::error::Error> = Box::new(error);
    assert_eq!(boxed.to_string(), "Request_BadRequest: nope");
}

#[test]
fn orderby() {
    use Direction::{Asc, Desc};
    let ok = |keys: &[(&'static str, Direction)], advanced| {
        Ok(OrderBy {
            keys: keys.to_vec(),
            advanced,
        })
    };
    let cases: Vec<(&Schema, &str, Want<OrderBy>)> = vec![
        (Schema::users(), "displayName", ok(&[("displayName", Asc)], None)),
        (Schema::users(), "displayName desc", ok(&[("displayName", Desc)], None)),
        (
            Schema::users(),
            " DISPLAYNAME  DESC ",
            ok(&[("displayName", Desc)], None),
        ),
        (
            Schema::users(),
            "userPrincipalName asc,displayName desc",
            ok(&[("userPrincipalName", Asc), ("displayName", Desc)], None),
        ),
        (
            Schema::users(),
            "createdDateTime desc",
            ok(&[("createdDateTime", Desc)], Some("createdDateTime")),
        ),
        (
            Schema::users(),
            "displayName, createdDateTime",
            ok(
                &[("displayName", Asc), ("createdDateTime", Asc)],
                Some("createdDateTime"),
            ),
        ),
        (
            Schema::deleted_users(),
            "deletedDateTime asc",
            ok(&[("deletedDateTime", Asc)], Some("deletedDateTime")),
        ),
        (
            Schema::deleted_users(),
            "createdDateTime",
            Err((UNSUPPORTED, "property 'createdDateTime'")),
        ),
        (
            Schema::users(),
            "jobTitle",
            Err((UNSUPPORTED, "Unsupported sort property 'jobTitle' for 'User'.")),
        ),
        (Schema::users(), "", Err((BAD, "Syntax error at position 0 in ''."))),
        (
            Schema::users(),
            "displayName,",
            Err((BAD, "Syntax error at position 12")),
        ),
        (
            Schema::users(),
            "displayName sideways",
            Err((BAD, "Syntax error at position 0")),
        ),
        (Schema::users(), "displayName asc desc", Err((BAD, "Syntax error"))),
        (Schema::users(), "mail, displayName asc", Err((UNSUPPORTED, "'mail'"))),
        (
            Schema::users(),
            "displayName, displayName desc",
            Err((BAD, "Duplicate property named 'displayName'")),
        ),
        (
            Schema::users(),
            "displayName, userPrincipalName, createdDateTime",
            Err((UNSUPPORTED, "more than 2 properties")),
        ),
    ];
    for (schema, input, expected) in cases {
        assert_outcome(input, parse_orderby(input, schema), expected);
    }
}

#[test]
fn select() {
    let allowed = &["id", "displayName", "mail", "userPrincipalName", "deletedDateTime"];
    let cases: Vec<(&str, Want<Vec<&str>>)> = vec![
        ("id,displayName", Ok(vec!["id", "displayName"])),
        ("DisplayName, ID ,displayname", Ok(vec!["displayName", "id"])),
        ("deletedDateTime", Ok(vec!["deletedDateTime"])),
        (
            "foo",
            Err((
                BAD,
                "Could not find a property named 'foo' on type 'microsoft.graph.user'.",
            )),
        ),
        ("id, Foo ", Err((BAD, "Could not find a property named 'Foo' on type"))),
        ("", Err((BAD, "Syntax error at position 0"))),
        ("id,,mail", Err((BAD, "Syntax error at position 3"))),
    ];
    for (input, expected) in cases {
        assert_outcome(input, parse_select(input, allowed), expected);
    }
}

#[test]
fn top_and_count() {
    for (input, want) in [("1", 1), ("999", 999), ("050", 50)] {
        assert_eq!(parse_top(input), Ok(want), "input: {input}");
    }
    let page = ODataError::bad_request("Invalid page size specified: '1000'. Must be between 1 and 999 inclusive.");
    assert_eq!(parse_top("1000"), Err(page));
    for input in ["0", "99999999999999999999"] {
        let error = parse_top(input).unwrap_err();
        assert!(
            error.code == BAD && error.message.starts_with("Invalid page size specified"),
            "{error}"
        );
    }
    for input in ["", "-1", "abc", "1.5", " 5", "+5"] {
        let error = parse_top(input).unwrap_err();
        assert_eq!(
            error.message,
            format!(
                "Invalid value '{input}' for $top query option found. The $top query option requires a non-negative \
                 integer value."
            )
        );
    }

    assert_eq!(parse_count("true"), Ok(true));
    assert_eq!(parse_count("false"), Ok(false));
    for input in ["TRUE", "1", "", "yes"] {
        assert_eq!(
            parse_count(input),
            Err(ODataError::bad_request(format!(
                "'{input}' is not a valid count option."
            )))
        );
    }
}

#[test]
fn search() {
    let term = |property, words: &str| {
        Search::Term(SearchTerm {
            property,
            words: words.to_owned(),
        })
    };
    let cases: Vec<(&str, Want<Search>)> = vec![
        (r#""displayName:room""#, Ok(term("displayName", "room"))),
        (
            r#"  "DISPLAYNAME: Adele Vance "  "#,
            Ok(term("displayName", "Adele Vance")),
        ),
        (r#""mail:a:b""#, Ok(term("mail", "a:b"))),
        (
            r#""displayName:say \"hi\" \\o/""#,
            Ok(term("displayName", r#"say "hi" \o/"#)),
        ),
        (
            r#""displayName:room 1" AND "mail:contoso""#,
            Ok(Search::And(vec![
                term("displayName", "room 1"),
                term("mail", "contoso"),
            ])),
        ),
        (
            r#""displayName:a" OR "mail:b" AND "surname:c""#,
            Ok(Search::Or(vec![
                term("displayName", "a"),
                Search::And(vec![term("mail", "b"), term("surname", "c")]),
            ])),
        ),
        (
            r#""givenName:a"  or  "userPrincipalName:b""#,
            Ok(Search::Or(vec![term("givenName", "a"), term("userPrincipalName", "b")])),
        ),
        ("", Err((BAD, "'\"' expected at position 0"))),
        ("room", Err((BAD, "'\"' expected at position 0"))),
        ("displayName:room", Err((BAD, "'\"' expected"))),
        (r#""room""#, Err((BAD, "expected \"property:words\""))),
        (r#""jobTitle:x""#, Err((UNSUPPORTED, "property 'jobTitle'"))),
        (r#""displayName:  ""#, Err((BAD, "no words"))),
        (r#""displayName:a" AND"#, Err((BAD, "Syntax error at position 16"))),
        (r#""displayName:a" AND "#, Err((BAD, "'\"' expected at position 20"))),
        (r#""displayName:a" "mail:b""#, Err((BAD, "Syntax error at position 16"))),
        (
            r#""displayName:a"AND "mail:b""#,
            Err((BAD, "Syntax error at position 15")),
        ),
        (
            r#""displayName:a" NOT "mail:b""#,
            Err((BAD, "Syntax error at position 16")),
        ),
        (r#""displayName:a"#, Err((BAD, "unterminated clause at position 0"))),
    ];
    for (input, expected) in cases {
        assert_outcome(input, parse_search(input), expected);
    }
    let many = vec![r#""mail:x""#; MAX_SEARCH_TERMS + 1].join(" OR ");
    assert_eq!(parse_search(&many).unwrap_err().code, BAD);
}
