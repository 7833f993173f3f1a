//! Property tests: no input, random or a mutated valid query, makes a parser panic, and every error carries one of
//! the two Graph codes.

use proptest::prelude::*;

use super::*;

const SELECTABLE: &[&str] = &["id", "displayName", "mail", "userPrincipalName", "deletedDateTime"];

const VALID_FILTERS: &[&str] = &[
    "displayName eq 'Adele' and (mail eq 'a@b.c' or not accountEnabled eq false)",
    "startsWith(displayName,'Ad') or endsWith(mail,'@contoso.com')",
    "userPrincipalName in ('a@x.com', 'b@x.com', 'O''Brien@x.com')",
    "proxyAddresses/any(p: p eq 'smtp:x@y.com') and proxyAddresses/any(q:startsWith(q,'SMTP:'))",
    "createdDateTime ge 2025-01-01T00:00:00Z and createdDateTime lt 2025-02-01T10:30+01:00",
    "id eq 87d349ed-44d7-43e1-9a83-5f2406dee5bd or id in ('87d349ed-44d7-43e1-9a83-5f2406dee5bd')",
    "onPremisesSyncEnabled eq null and NOT(jobTitle ne 'x')",
];
const VALID_ORDERBY: &[&str] = &["displayName desc", "userPrincipalName asc, createdDateTime"];
const VALID_SEARCH: &[&str] = &[r#""displayName:room 1" AND "mail:x" OR "surname:O\"Hara""#];
const VALID_SELECT: &[&str] = &["id,displayName, mail"];
const VALID_SCALARS: &[&str] = &["999", "true"];

fn seeds() -> Vec<&'static str> {
    [VALID_FILTERS, VALID_ORDERBY, VALID_SEARCH, VALID_SELECT, VALID_SCALARS].concat()
}

fn assert_graph_code<T>(input: &str, result: Result<T, ODataError>) {
    if let Err(error) = result {
        assert!(
            error.code == ODataError::BAD_REQUEST || error.code == ODataError::UNSUPPORTED_QUERY,
            "input {input:?}: unexpected code {error}"
        );
        assert!(!error.message.is_empty(), "input {input:?}: empty message");
    }
}

fn every_parser(input: &str) {
    for schema in [Schema::users(), Schema::deleted_users()] {
        let filter = parse_filter(input, schema);
        if let Ok(filter) = &filter {
            let _ = filter.advanced_operator(schema);
        }
        assert_graph_code(input, filter);
        assert_graph_code(input, parse_orderby(input, schema));
    }
    assert_graph_code(input, parse_select(input, SELECTABLE));
    assert_graph_code(input, parse_top(input));
    assert_graph_code(input, parse_count(input));
    assert_graph_code(input, parse_search(input));
}

/// One edit of a text, with positions taken modulo its length.
#[derive(Debug, Clone)]
enum Edit {
    Delete(usize),
    Insert(usize, char),
    Duplicate(usize, usize),
    Truncate(usize),
    Swap(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let interesting = prop::sample::select(vec![
        '(', ')', '\'', '"', ',', '/', ':', ' ', '-', '+', 'T', 'Z', '0', 'n',
    ]);
    let character = prop_oneof![3 => interesting, 1 => any::<char>()];
    prop_oneof![
        any::<usize>().prop_map(Edit::Delete),
        (any::<usize>(), character).prop_map(|(at, c)| Edit::Insert(at, c)),
        (any::<usize>(), 0usize..40).prop_map(|(at, n)| Edit::Duplicate(at, n)),
        any::<usize>().prop_map(Edit::Truncate),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::Swap(a, b)),
    ]
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for edit in edits {
        let len = chars.len();
        match *edit {
            Edit::Delete(at) if len > 0 => {
                chars.remove(at % len);
            }
            Edit::Insert(at, c) => chars.insert(at % (len + 1), c),
            Edit::Duplicate(at, n) if len > 0 => {
                let start = at % len;
                let end = (start + n).min(len);
                let copy = chars[start..end].to_vec();
                chars.splice(end..end, copy);
            }
            Edit::Truncate(at) => chars.truncate(at % (len + 1)),
            Edit::Swap(a, b) if len > 0 => chars.swap(a % len, b % len),
            _ => {}
        }
    }
    chars.into_iter().collect()
}

#[test]
fn seeds_are_valid() {
    for filter in VALID_FILTERS {
        parse_filter(filter, Schema::users()).unwrap();
    }
    for orderby in VALID_ORDERBY {
        parse_orderby(orderby, Schema::users()).unwrap();
    }
    for search in VALID_SEARCH {
        parse_search(search).unwrap();
    }
    for select in VALID_SELECT {
        parse_select(select, SELECTABLE).unwrap();
    }
    parse_top(VALID_SCALARS[0]).unwrap();
    parse_count(VALID_SCALARS[1]).unwrap();
}

fn config(cases: u32) -> ProptestConfig {
    // No regression files: they would land in the source tree.
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(600))]

    #[test]
    fn arbitrary_strings_never_panic(input in any::<String>()) {
        every_parser(&input);
    }

    #[test]
    fn query_alphabet_strings_never_panic(input in "[a-zA-Z0-9 '(),/:.$_+\"\\\\-]{0,160}") {
        every_parser(&input);
    }
}

proptest! {
    #![proptest_config(config(800))]

    #[test]
    fn mutated_valid_queries_never_panic(
        seed in prop::sample::select(seeds()),
        edits in prop::collection::vec(edit(), 1..8),
    ) {
        every_parser(&apply(seed, &edits));
    }
}
