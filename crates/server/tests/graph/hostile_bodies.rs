//! Hostile JSON bodies (T32, and T40's CI tier for the Graph user DTOs): random JSON built
//! from the user properties, and random bytes, as `POST /users` and `PATCH /users/{id}`
//! through the real router. Every answer is a 2xx or a 4xx with Graph's error envelope,
//! never a 5xx, and the server still answers afterwards.

use crate::support::TestApp;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use reqwest::Method;
use serde_json::{Map, Value};

const PROPERTIES: &[&str] = &[
    "accountEnabled",
    "displayName",
    "mailNickname",
    "userPrincipalName",
    "passwordProfile",
    "password",
    "forceChangePasswordNextSignIn",
    "givenName",
    "surname",
    "jobTitle",
    "department",
    "usageLocation",
    "mail",
    "otherMails",
    "proxyAddresses",
    "onPremisesSyncEnabled",
    "id",
    "deletedDateTime",
    "@odata.type",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,24}".prop_map(Value::String),
        "[a-z]{1,8}@contoso\\.com".prop_map(Value::String),
        Just(Value::String("a long enough passphrase 7".into())),
    ]
}

fn json_body() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(PROPERTIES), inner), 0..6).prop_map(|pairs| {
                Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect::<Map<_, _>>())
            }),
        ]
    })
}

fn body_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        json_body().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        prop::collection::vec(any::<u8>(), 0..64),
        Just(b"{\"displayName\": \"a\", \"displayName\": \"b\"}".to_vec()),
        Just(format!("{}{}", "[".repeat(5000), "]".repeat(5000)).into_bytes()),
        Just(b"{\"displayName\": \"\\ud800\"}".to_vec()),
        Just(b"{\"accountEnabled\": 1e400}".to_vec()),
    ]
}

#[test]
fn random_user_bodies_get_a_client_error_or_success_never_a_server_error() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (app, target) = runtime.block_on(async {
        let app = TestApp::spawn().await;
        let target = app.create_user("target@contoso.com").await;
        (app, target)
    });
    let client = reqwest::Client::new();
    let config = Config {
        cases: 150,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let outcome = runner.run(&body_bytes(), |body| {
        for (method, path) in [
            (Method::POST, "/users".to_owned()),
            (Method::PATCH, format!("/users/{target}")),
        ] {
            let (status, text) = runtime.block_on(async {
                let response = client
                    .request(method.clone(), format!("{}{path}", app.base))
                    .bearer_auth(&app.token)
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await
                    .unwrap();
                (response.status(), response.text().await.unwrap())
            });
            prop_assert!(!status.is_server_error(), "{method} {path}: {status} {text}");
            if status.is_client_error() {
                let error: Value = serde_json::from_str(&text).unwrap_or_default();
                prop_assert!(error["error"]["code"].is_string(), "{method} {path}: {status} {text}");
            }
        }
        Ok(())
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
    let after = runtime.block_on(app.get(&format!("/users/{target}")));
    assert_eq!(after.json()["id"], Value::String(target));
}
