//! Token tampering (T22): every altered, truncated, padded, re-schemed or forged bearer
//! token gets the same Graph 401 with `WWW-Authenticate: Bearer`, and the real token
//! keeps working afterwards.

use crate::support::TestApp;
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, HeaderValue};

/// The `Authorization` values to try, each with what it tampers with.
fn tampered(token: &str) -> Vec<(&'static str, Vec<u8>)> {
    let last = token.chars().last().unwrap();
    let flipped = if last == 'A' { 'B' } else { 'A' };
    let body = &token[..token.len() - 1];
    let jwt = "eyJhbGciOiJub25lIn0.eyJyb2xlcyI6WyJHbG9iYWwgQWRtaW5pc3RyYXRvciJdfQ.";
    let cases: Vec<(&'static str, String)> = vec![
        ("last character changed", format!("Bearer {body}{flipped}")),
        ("one character short", format!("Bearer {body}")),
        ("one character more", format!("Bearer {token}A")),
        ("upper-cased", format!("Bearer {}", token.to_uppercase())),
        ("another prefix", format!("Bearer rsx_{}", &token[4..])),
        ("the prefix alone", "Bearer rst_".to_owned()),
        ("no token", "Bearer ".to_owned()),
        ("no scheme", token.to_owned()),
        ("the Basic scheme", format!("Basic {token}")),
        ("a scheme without a space", format!("Bearer{token}")),
        ("an unsigned JWT", format!("Bearer {jwt}")),
        (
            "a token with a space inside",
            format!("Bearer {} {}", &token[..10], &token[10..]),
        ),
        ("ten thousand characters", format!("Bearer rst_{}", "A".repeat(10_000))),
        ("a tab inside", format!("Bearer {}\t{}", &token[..10], &token[10..])),
        ("SQL in the token", "Bearer rst_' OR '1'='1".to_owned()),
    ];
    let mut cases: Vec<(&'static str, Vec<u8>)> = cases.into_iter().map(|(n, v)| (n, v.into_bytes())).collect();
    let mut latin1 = b"Bearer rst_".to_vec();
    latin1.extend([0xe9, 0xff, 0x80]);
    cases.push(("bytes that are not UTF-8", latin1));
    cases
}

/// Sends `value` as the only `Authorization` header (or two headers) and returns the reply.
async fn ask(app: &TestApp, values: &[Vec<u8>]) -> (StatusCode, Option<String>, serde_json::Value) {
    let mut request = reqwest::Client::new().get(format!("{}/users", app.base));
    for value in values {
        let Ok(value) = HeaderValue::from_bytes(value) else {
            panic!("not sendable: {value:?}");
        };
        request = request.header(AUTHORIZATION, value);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned());
    let body: serde_json::Value = response.json().await.unwrap();
    (status, challenge, body["error"].clone())
}

#[tokio::test]
async fn every_tampered_token_gets_the_same_401_and_the_real_one_still_works() {
    let app = TestApp::spawn().await;
    let mut seen = None;
    for (what, value) in tampered(&app.token) {
        let (status, challenge, error) = ask(&app, &[value]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}: {error}");
        assert_eq!(challenge.as_deref(), Some("Bearer"), "{what}");
        assert_eq!(error["code"], "InvalidAuthenticationToken", "{what}");
        let message = error["message"].as_str().unwrap().to_owned();
        let first = seen.get_or_insert_with(|| message.clone());
        assert_eq!(&message, first, "{what} is answered differently");
    }
    let real = format!("Bearer {}", app.token).into_bytes();
    let (status, _, _) = ask(&app, std::slice::from_ref(&real)).await;
    assert_eq!(status, StatusCode::OK, "the real token still works");
    let lower = format!("bearer {}", app.token).into_bytes();
    assert_eq!(
        ask(&app, &[lower]).await.0,
        StatusCode::OK,
        "the scheme is case-insensitive"
    );
    let (status, _, error) = ask(&app, &[real.clone(), b"Bearer rst_other".to_vec()]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "two Authorization headers: {error}");
}
