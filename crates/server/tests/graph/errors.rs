//! The error envelope and hostile input: every failure is a Graph error and changes nothing.

use crate::support::{TestApp, new_user};
use reqwest::{Method, StatusCode};

#[tokio::test]
async fn bad_or_missing_tokens_are_401s_in_graph_shape() {
    let app = TestApp::spawn().await;
    for token in ["", "rst_forged", "x".repeat(600).as_str()] {
        let reply = app.send(Method::GET, "/users", None, token, &[]).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{token:?}");
        assert_eq!(reply.error_code(), "InvalidAuthenticationToken");
    }
}

#[tokio::test]
async fn every_error_carries_request_ids_and_echoes_the_client_request_id() {
    let app = TestApp::spawn().await;
    let reply = app
        .send(
            Method::GET,
            "/users/nobody@contoso.com",
            None,
            &app.token,
            &[("client-request-id", "abc-123")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.headers["client-request-id"], "abc-123");
    assert!(
        reply.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let body = reply.json();
    assert_eq!(body["error"]["innerError"]["client-request-id"], "abc-123");
    assert_eq!(
        body["error"]["innerError"]["request-id"],
        reply.headers["request-id"].to_str().unwrap()
    );
    assert_eq!(app.get("/nonsense").await.error_code(), "BadRequest");
    assert_eq!(
        app.send(Method::PUT, "/users", None, &app.token, &[]).await.status,
        StatusCode::METHOD_NOT_ALLOWED
    );
}

#[tokio::test]
async fn malformed_and_oversized_bodies_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::new();
    let url = format!("{}/users", app.base);
    let cases: Vec<(&str, Vec<u8>, StatusCode)> = vec![
        (
            "application/json",
            b"{\"accountEnabled\": tru".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        ("application/json", b"[1,2,3]".to_vec(), StatusCode::BAD_REQUEST),
        (
            "text/plain",
            serde_json::to_vec(&new_user("a@contoso.com")).unwrap(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "application/json",
            vec![b' '; 2 * 1024 * 1024],
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
    ];
    for (content_type, body, expected) in cases {
        let reply = client
            .post(&url)
            .bearer_auth(&app.token)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = reply.status();
        let text = reply.text().await.unwrap();
        assert_eq!(status, expected, "{text}");
        let envelope: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert!(envelope["error"]["code"].is_string());
    }
    assert_eq!(app.get_eventual("/users/$count").await.text, "1");
}

#[tokio::test]
async fn unsupported_query_options_are_graph_400s() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/users?$skip=2").await.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        app.get("/users?$search=%22displayName:ad%22").await.error_code(),
        "Request_UnsupportedQuery"
    );
    assert_eq!(
        app.get("/users?%24top=1").await.json()["value"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "encoded option names work"
    );
    let reader = app.token_with(&[directory::role::AdminRole::GlobalReader]).await;
    let denied = app
        .send(Method::POST, "/users", Some(new_user("a@contoso.com")), &reader, &[])
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_caller_over_its_rate_limit_gets_429_with_retry_after_and_others_do_not() {
    let app = TestApp::spawn_throttled(3).await;
    for _ in 0..3 {
        assert_eq!(app.get("/users").await.status, StatusCode::OK);
    }
    let throttled = app.get("/users").await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(throttled.error_code(), "TooManyRequests");
    let retry_after: u32 = throttled.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry_after), "{retry_after}");
    let other = app.token_with(&[directory::role::AdminRole::GlobalReader]).await;
    assert_eq!(
        app.send(Method::GET, "/users", None, &other, &[]).await.status,
        StatusCode::OK
    );
}
