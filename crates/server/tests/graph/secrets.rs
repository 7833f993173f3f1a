//! Secrets and read-only properties (T20): no response ever carries a password, a
//! password hash or a token secret, whatever `$select` asks for, and a body cannot write
//! what Graph treats as read-only (mass assignment): such a write is refused whole and the
//! user stays as it was.

use crate::support::{TestApp, new_user};
use reqwest::StatusCode;
use serde_json::{Value, json};

const FIRST: &str = "xWwvJ]6NMw+bWH-d";
const SECOND: &str = "a second secret passphrase 9";

/// Every property a deleted user can be asked for.
fn every_deleted_property() -> String {
    roster_http::graph::dto::deleted_user_properties().join(",")
}

/// Every property an active user can be asked for.
fn every_property() -> String {
    every_deleted_property().replace(",permanentDeletionDateTime", "")
}

#[tokio::test]
async fn no_response_carries_a_password_a_hash_or_a_token_secret() {
    let app = TestApp::spawn().await;
    let id = app.create_user("ada@contoso.com").await;
    let reset = json!({"passwordProfile": {"password": SECOND, "forceChangePasswordNextSignIn": false}});
    assert_eq!(
        app.patch(&format!("/users/{id}"), reset).await.status,
        StatusCode::NO_CONTENT
    );
    let all = every_property();
    let mut seen = Vec::new();
    for path in [
        format!("/users/{id}?$select={all}"),
        format!("/users?$select={all}"),
        "/auditLogs/directoryAudits".to_owned(),
    ] {
        seen.push((path.clone(), app.get(&path).await));
    }
    let one = app.get(&format!("/users/{id}?$select=passwordProfile")).await;
    assert_eq!(one.json()["passwordProfile"], Value::Null, "{}", one.text);
    app.delete_user(&id).await;
    let all = every_deleted_property();
    for path in [
        format!("/directory/deletedItems/{id}?$select={all}"),
        format!("/directory/deletedItems/microsoft.graph.user?$select={all}"),
    ] {
        seen.push((path.clone(), app.get(&path).await));
    }
    for (path, reply) in seen {
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.text);
        for secret in [FIRST, SECOND, "$argon2", &app.token, "rst_"] {
            assert!(!reply.text.contains(secret), "{path} shows {secret:?}: {}", reply.text);
        }
    }
}

#[tokio::test]
async fn read_only_properties_cannot_be_written_and_a_refused_body_changes_nothing() {
    let app = TestApp::spawn().await;
    let id = app.create_user("ada@contoso.com").await;
    let path = format!("/users/{id}?$select={}", every_property());
    let before = app.get(&path).await.json();
    let forged = [
        ("id", json!("00000000-0000-0000-0000-000000000001")),
        ("createdDateTime", json!("2001-01-01T00:00:00Z")),
        ("deletedDateTime", json!("2001-01-01T00:00:00Z")),
        ("onPremisesSyncEnabled", json!(true)),
        ("proxyAddresses", json!(["SMTP:ceo@contoso.com"])),
        ("passwordHash", json!("$argon2id$v=19$m=8,t=1,p=1$AAAA$AAAA")),
        (
            "assignedLicenses",
            json!([{"skuId": "6fd2c87f-b296-42f0-b197-1e91e994b900"}]),
        ),
        ("memberOf", json!([{"id": "00000000-0000-0000-0000-000000000002"}])),
        ("roles", json!(["Global Administrator"])),
        ("passwordPolicies", json!("DisablePasswordExpiration")),
    ];
    for (name, value) in forged {
        let mut body = json!({"displayName": "Renamed By A Forged Body"});
        body[name] = value.clone();
        let reply = app.patch(&format!("/users/{id}"), body).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "PATCH {name}: {}", reply.text);
        assert_eq!(reply.error_code(), "Request_BadRequest", "PATCH {name}");
        let mut create = new_user(&format!("{}@contoso.com", name.to_lowercase()));
        create[name] = value;
        let reply = app.post("/users", create).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "POST {name}: {}", reply.text);
    }
    assert_eq!(app.get(&path).await.json(), before, "the user is as it was");
    assert_eq!(app.get_eventual("/users/$count").await.text, "2", "nothing was created");
}
