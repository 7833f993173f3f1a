//! Roster's own bulk restore and preview (`/roster/v1/recycleBin/…`) and its OpenAPI document.

use crate::support::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn deleted(app: &TestApp, upn: &str) -> String {
    let id = app.create_user(upn).await;
    app.delete_user(&id).await;
    id
}

fn roster_url(app: &TestApp, path: &str) -> String {
    format!("{}/roster/v1/{path}", app.base.trim_end_matches("/v1.0"))
}

#[tokio::test]
async fn bulk_restore_reports_every_user_and_is_never_all_or_nothing() {
    let app = TestApp::spawn().await;
    let plain = deleted(&app, "plain@contoso.com").await;
    let clash = deleted(&app, "clash@contoso.com").await;
    let replace = deleted(&app, "replace@contoso.com").await;
    let holder = app.create_user("clash@contoso.com").await;
    app.create_user("replace@contoso.com").await;
    let request = json!({"users": [
        {"id": plain, "password": {"mode": "generate", "forceChangePasswordNextSignIn": true}},
        {"id": clash},
        {"id": replace, "onUserPrincipalNameConflict": "replaceActive"},
        {"id": plain},
        {"id": "00000000-0000-0000-0000-000000000001", "password": {"mode": "set", "value": "short"}},
    ]});
    let reply = app.post(&roster_url(&app, "recycleBin/restore"), request).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let body = reply.json();
    let results = body["results"].as_array().unwrap();
    assert_eq!(results[0]["status"], "restored");
    assert_eq!(results[0]["generatedPassword"].as_str().unwrap().len(), 23);
    assert_eq!(results[1]["status"], "failed");
    assert_eq!(results[1]["error"]["code"], "user_principal_name_conflict");
    assert_eq!(results[1]["error"]["heldBy"]["id"], holder.as_str());
    assert_eq!(results[2]["status"], "restored");
    assert_eq!(
        results[2]["replacedUser"]["newUserPrincipalName"],
        "replace.replaced.20260105@contoso.com"
    );
    assert_eq!(results[3]["status"], "alreadyActive");
    assert_eq!(results[4]["error"]["code"], "weak_password");
    assert_eq!(body["summary"], json!({"restored": 2, "alreadyActive": 1, "failed": 2}));
    assert_eq!(
        app.get(&format!("/directory/deletedItems/{clash}")).await.status,
        StatusCode::OK,
        "still deleted"
    );
}

#[tokio::test]
async fn preview_says_what_would_happen_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let clash = deleted(&app, "clash@contoso.com").await;
    app.create_user("clash@contoso.com").await;
    let request = json!({"users": [{"id": clash}, {"id": clash, "newUserPrincipalName": "clash2@contoso.com"}]});
    let previews = app.post(&roster_url(&app, "recycleBin/preview"), request).await.json()["previews"].clone();
    assert_eq!(previews[0]["status"], "blocked");
    assert_eq!(previews[0]["error"]["graphCode"], "Request_BadRequest");
    assert_eq!(previews[1]["status"], "ready");
    assert_eq!(previews[1]["userPrincipalName"], "clash2@contoso.com");
    assert_eq!(
        app.get(&format!("/directory/deletedItems/{clash}")).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn bad_bulk_requests_are_graph_errors_and_the_openapi_document_is_served() {
    let app = TestApp::spawn().await;
    let too_many: Vec<Value> = (0..10_001)
        .map(|_| json!({"id": "00000000-0000-0000-0000-000000000001"}))
        .collect();
    let reply = app
        .post(&roster_url(&app, "recycleBin/restore"), json!({"users": too_many}))
        .await;
    assert_eq!(reply.error_code(), "Request_BadRequest");
    let unknown = app
        .post(
            &roster_url(&app, "recycleBin/restore"),
            json!({"users": [], "extra": 1}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    let spec = app.get(&roster_url(&app, "openapi.json")).await.json();
    assert_eq!(spec["openapi"], "3.1.0");
    assert!(spec["paths"]["/roster/v1/recycleBin/restore"]["post"].is_object());
}
