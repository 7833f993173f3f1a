//! `$filter`, `$orderby`, `$search` and `$count` on `/users` and on the recycle bin
//! (checklist items 12–15, and §1.1 "Advanced queries" with the §2.2 messages).

use crate::support::{TestApp, new_user};
use reqwest::StatusCode;
use serde_json::Value;

const DELETED: &str = "/directory/deletedItems/microsoft.graph.user";

/// Creates a user with a display name and returns its id.
async fn create_named(app: &TestApp, upn: &str, name: &str) -> String {
    let mut body = new_user(upn);
    body["displayName"] = name.into();
    let reply = app.post("/users", body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.json()["id"].as_str().unwrap().to_owned()
}

fn names(body: &Value) -> Vec<String> {
    body["value"]
        .as_array()
        .unwrap_or_else(|| panic!("no value in {body}"))
        .iter()
        .map(|item| item["displayName"].as_str().unwrap().to_owned())
        .collect()
}

#[track_caller]
fn assert_ok(reply: &crate::support::Reply) -> Value {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.json()
}

#[track_caller]
fn assert_refused(reply: &crate::support::Reply, code: &str, message: &str) {
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text);
    assert_eq!(reply.error_code(), code, "{}", reply.text);
    assert_eq!(reply.json()["error"]["message"], message, "{}", reply.text);
}

const ADVANCED_HINT: &str = "is not supported because the required parameters might be missing. Try adding \
                             $count=true query parameter and ConsistencyLevel:eventual header. Refer to \
                             https://aka.ms/graph-docs/advanced-queries for more information";

/// Adele, Alex and Zed, deleted a day apart in that order.
async fn three_deleted(app: &TestApp) {
    for (upn, name) in [
        ("adele@contoso.com", "Adele Vance"),
        ("alex@contoso.com", "Alex Wilber"),
        ("zed@contoso.com", "Zed Adams"),
    ] {
        let id = create_named(app, upn, name).await;
        app.delete_user(&id).await;
        app.clock.advance(time::Duration::days(1));
    }
}

#[tokio::test]
async fn deleted_items_filter_by_name_mail_and_deletion_time() {
    let app = TestApp::spawn().await;
    three_deleted(&app).await;

    let starts = assert_ok(
        &app.get(&format!("{DELETED}?$filter=startsWith(displayName,'Ad')"))
            .await,
    );
    assert_eq!(names(&starts), ["Adele Vance"]);
    let encoded = assert_ok(
        &app.get(&format!("{DELETED}?%24filter=startsWith(displayName,%27Ad%27)"))
            .await,
    );
    assert_eq!(encoded["value"], starts["value"]);

    let mail = assert_ok(&app.get(&format!("{DELETED}?$filter=mail eq 'ALEX@contoso.com'")).await);
    assert_eq!(names(&mail), ["Alex Wilber"]);
    assert_eq!(mail["value"][0]["mail"], "alex@contoso.com");

    let since_2025 = app
        .get(&format!("{DELETED}?$filter=deletedDateTime ge 2025-01-01T00:00:00Z"))
        .await;
    assert_eq!(
        names(&assert_ok(&since_2025)),
        ["Adele Vance", "Alex Wilber", "Zed Adams"]
    );
    let later = app
        .get(&format!("{DELETED}?$filter=deletedDateTime ge 2026-01-06T00:00:00Z"))
        .await;
    assert_eq!(names(&assert_ok(&later)), ["Alex Wilber", "Zed Adams"]);

    // The short cast filters the same way; active users are not in the bin.
    let short = app
        .get("/directory/deletedItems/graph.user?$filter=startsWith(displayName,'Ad')")
        .await;
    assert_eq!(assert_ok(&short)["value"], starts["value"]);
    let active = assert_ok(&app.get("/users?$filter=startsWith(displayName,'Ad')").await);
    assert_eq!(names(&active), ["Administrator"]);
}

#[tokio::test]
async fn ordering_by_deletion_time_needs_the_advanced_query_parameters() {
    let app = TestApp::spawn().await;
    three_deleted(&app).await;
    let path = format!("{DELETED}?$orderby=deletedDateTime desc");
    let message = "Unsupported sort property 'deletedDateTime' for 'User'.";
    assert_refused(&app.get(&path).await, "Request_UnsupportedQuery", message);
    assert_refused(&app.get_eventual(&path).await, "Request_UnsupportedQuery", message);
    let body = assert_ok(&app.get_eventual(&format!("{path}&$count=true")).await);
    assert_eq!(names(&body), ["Zed Adams", "Alex Wilber", "Adele Vance"]);
    assert_eq!(body["@odata.count"], 3);
    let ascending = app
        .get_eventual(&format!("{DELETED}?$count=true&$orderby=deletedDateTime asc"))
        .await;
    assert_eq!(
        names(&assert_ok(&ascending)),
        ["Adele Vance", "Alex Wilber", "Zed Adams"]
    );
    // displayName and userPrincipalName sort without them.
    let by_name = assert_ok(&app.get(&format!("{DELETED}?$orderby=displayName desc")).await);
    assert_eq!(names(&by_name), ["Zed Adams", "Alex Wilber", "Adele Vance"]);
}

#[tokio::test]
async fn advanced_queries_are_refused_without_their_parameters_with_graphs_messages() {
    let app = TestApp::spawn().await;
    create_named(&app, "adele@contoso.com", "Adele Vance").await;
    for (filter, operator) in [
        ("endsWith(mail,'@contoso.com')", "endsWith"),
        ("displayName ne 'x'", "ne"),
        ("not(startsWith(displayName,'A'))", "not"),
        ("givenName eq null", "eq"),
    ] {
        let path = format!("/users?$filter={filter}");
        let message = format!("Operator '{operator}' {ADVANCED_HINT}");
        assert_refused(&app.get(&path).await, "Request_UnsupportedQuery", &message);
        assert_refused(&app.get_eventual(&path).await, "Request_UnsupportedQuery", &message);
        assert_refused(
            &app.get(&format!("{path}&$count=true")).await,
            "Request_UnsupportedQuery",
            &message,
        );
        assert_ok(&app.get_eventual(&format!("{path}&$count=true")).await);
    }
    let both = "/users?$filter=startsWith(displayName,'A')&$orderby=displayName";
    assert_refused(
        &app.get(both).await,
        "Request_UnsupportedQuery",
        "Sorting not supported for current query.",
    );
    assert_ok(&app.get_eventual(&format!("{both}&$count=true")).await);
    assert_refused(
        &app.get("/users?$orderby=createdDateTime").await,
        "Request_UnsupportedQuery",
        "Unsupported sort property 'createdDateTime' for 'User'.",
    );
    assert_refused(
        &app.get("/users?$search=\"displayName:ad\"").await,
        "Request_UnsupportedQuery",
        "Request with $search query parameter only works through MSGraph with a special request header: \
         'ConsistencyLevel: eventual'",
    );
    // Basic filters and sorts need nothing.
    let basic = assert_ok(&app.get("/users?$filter=startsWith(displayName,'ad')").await);
    assert_eq!(names(&basic), ["Adele Vance", "Administrator"]);
    assert!(basic.get("@odata.count").is_none());
}

#[tokio::test]
async fn counts_honour_the_filter_in_the_body_and_in_the_count_segment() {
    let app = TestApp::spawn().await;
    for n in 0..4 {
        create_named(&app, &format!("team{n}@contoso.com"), &format!("Team member {n}")).await;
    }
    create_named(&app, "other@contoso.com", "Someone else").await;
    let filter = "$filter=startsWith(displayName,'team')";
    let body = assert_ok(&app.get_eventual(&format!("/users?{filter}&$count=true&$top=3")).await);
    assert_eq!(body["@odata.count"], 4);
    assert_eq!(names(&body).len(), 3);
    // Without the header, $count=true is ignored, as Graph does.
    let quiet = assert_ok(&app.get(&format!("/users?{filter}&$count=true")).await);
    assert!(quiet.get("@odata.count").is_none());

    let segment = app.get_eventual(&format!("/users/$count?{filter}")).await;
    assert_eq!(segment.status, StatusCode::OK, "{}", segment.text);
    assert_eq!(segment.text, "4");
    let advanced = app
        .get_eventual("/users/$count?$filter=endsWith(userPrincipalName,'@contoso.com')")
        .await;
    assert_eq!(advanced.text, "6");
    let searched = app.get_eventual("/users/$count?$search=\"displayName:member\"").await;
    assert_eq!(searched.text, "4");
    assert_refused(
        &app.get(&format!("/users/$count?{filter}")).await,
        "Request_BadRequest",
        "$count is not currently supported.",
    );

    three_deleted(&app).await;
    let bin = app
        .get_eventual(&format!("{DELETED}/$count?$filter=startsWith(displayName,'a')"))
        .await;
    assert_eq!(bin.text, "2");
    let bin_body = app
        .get_eventual(&format!("{DELETED}?$count=true&$filter=startsWith(displayName,'a')"))
        .await;
    assert_eq!(assert_ok(&bin_body)["@odata.count"], 2);
}

#[tokio::test]
async fn next_links_page_through_the_same_filtered_sorted_query() {
    let app = TestApp::spawn().await;
    for (n, name) in [
        "Team Delta",
        "team alpha",
        "Team Charlie",
        "TEAM bravo",
        "Team Echo",
        "Team alpha",
    ]
    .iter()
    .enumerate()
    {
        create_named(&app, &format!("t{n}@contoso.com"), name).await;
    }
    create_named(&app, "zed@contoso.com", "Zed Adams").await;
    let first = "/users?$filter=startsWith(displayName,'team')&$orderby=displayName desc&$top=2&$count=true\
                 &$select=id,displayName";
    let mut body = assert_ok(&app.get_eventual(first).await);
    assert_eq!(body["@odata.count"], 6);
    let mut seen = names(&body);
    let mut links = Vec::new();
    while let Some(next) = body["@odata.nextLink"].as_str().map(str::to_owned) {
        assert!(next.starts_with("http://"), "{next}");
        for option in [
            "%24filter=",
            "%24orderby=",
            "%24top=2",
            "%24count=true",
            "%24select=",
            "%24skiptoken=",
        ] {
            assert!(next.contains(option), "{option} missing in {next}");
        }
        links.push(next.clone());
        body = assert_ok(&app.get_eventual(&next).await);
        assert_eq!(body["@odata.count"], 6);
        let mut keys: Vec<&String> = body["value"][0].as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(keys, ["displayName", "id"]);
        seen.extend(names(&body));
    }
    assert_eq!(links.len(), 2);
    let mut expected = seen.clone();
    expected.sort_by_key(|name| std::cmp::Reverse(name.to_lowercase()));
    assert_eq!(seen, expected);
    assert_eq!(seen.len(), 6);
    assert!(!seen.iter().any(|name| name == "Zed Adams"));

    // A token replayed with another order or filter is refused, not misread.
    let flipped = links[0].replace("desc", "asc");
    assert_refused_code(&app.get_eventual(&flipped).await, "Request_BadRequest");
    let other_filter = links[0].replace("team", "zed");
    assert_refused_code(&app.get_eventual(&other_filter).await, "Request_BadRequest");

    // The recycle bin pages the same way, newest deletion first.
    for n in 0..5 {
        let id = create_named(&app, &format!("gone{n}@contoso.com"), &format!("Gone {n}")).await;
        app.delete_user(&id).await;
        app.clock.advance(time::Duration::minutes(1));
    }
    let mut page = assert_ok(
        &app.get_eventual(&format!("{DELETED}?$orderby=deletedDateTime desc&$count=true&$top=2"))
            .await,
    );
    let mut gone = names(&page);
    while let Some(next) = page["@odata.nextLink"].as_str().map(str::to_owned) {
        page = assert_ok(&app.get_eventual(&next).await);
        gone.extend(names(&page));
    }
    assert_eq!(gone, ["Gone 4", "Gone 3", "Gone 2", "Gone 1", "Gone 0"]);
}

#[track_caller]
fn assert_refused_code(reply: &crate::support::Reply, code: &str) {
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text);
    assert_eq!(reply.error_code(), code);
}

#[tokio::test]
async fn search_matches_the_start_of_words() {
    let app = TestApp::spawn().await;
    for (upn, name) in [
        ("adele@contoso.com", "Adele Vance"),
        ("zed@contoso.com", "Zed Adams"),
        ("lee@contoso.com", "Lee Gladstone"),
    ] {
        create_named(&app, upn, name).await;
    }
    let found = app
        .get_eventual("/users?$search=\"displayName:ad\"&$orderby=displayName")
        .await;
    assert_eq!(names(&assert_ok(&found)), ["Adele Vance", "Administrator", "Zed Adams"]);
    let both = app
        .get_eventual("/users?$search=\"displayName:ad\" AND \"displayName:va\"")
        .await;
    assert_eq!(names(&assert_ok(&both)), ["Adele Vance"]);
    let either = app
        .get_eventual("/users?$search=\"displayName:lee\" OR \"mail:zed\"&$orderby=displayName")
        .await;
    assert_eq!(names(&assert_ok(&either)), ["Lee Gladstone", "Zed Adams"]);
    let with_filter = app
        .get_eventual("/users?$search=\"displayName:ad\"&$filter=startsWith(userPrincipalName,'z')&$count=true")
        .await;
    let body = assert_ok(&with_filter);
    assert_eq!(names(&body), ["Zed Adams"]);
    assert_eq!(body["@odata.count"], 1);
}

#[tokio::test]
async fn bad_queries_are_graph_400s_never_500s() {
    let app = TestApp::spawn().await;
    create_named(&app, "adele@contoso.com", "Adele Vance").await;
    let many_words = format!("$search=\"displayName:{}\"", "a ".repeat(40));
    let bad = [
        "$filter=displayName eq",
        "$filter=displayName eq 'unterminated",
        "$filter=nosuch eq 'x'",
        "$filter=accountEnabled eq 'yes'",
        "$filter=createdDateTime ge 'yesterday'",
        "$filter=startsWith(displayName,'')",
        "$filter=proxyAddresses/all(p:p eq 'x')",
        "$filter=displayName eq 42",
        "$filter=((((((((((((((((((((((((((((((((((displayName eq 'x'))))))))))))))))))))))))))))))))))",
        "$orderby=mail",
        "$orderby=displayName,userPrincipalName",
        "$orderby=displayName sideways",
        "$search=displayName:ad",
        "$search=\"nosuch:ad\"",
        "$search=\"displayName:\"",
        many_words.as_str(),
        "$top=0",
        "$count=maybe",
        "$skiptoken=not-a-token",
        "$skiptoken=dTEuMDAwMDAwMDAwMDAwMDAwMC54",
    ];
    for query in bad {
        for path in ["/users", DELETED] {
            // `$count=true` first: a bad `$count` later in the query replaces it.
            let reply = app.get_eventual(&format!("{path}?$count=true&{query}")).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{path}?{query}: {}", reply.text);
            let code = reply.error_code();
            assert!(
                code == "Request_BadRequest" || code == "Request_UnsupportedQuery",
                "{path}?{query}: {code}"
            );
        }
    }
    let deleted_only = app
        .get_eventual("/users?$filter=deletedDateTime eq null&$count=true")
        .await;
    assert_refused_code(&deleted_only, "Request_UnsupportedQuery");
}
