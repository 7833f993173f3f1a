//! `$batch` (checklist items 37 and 38): each request answered with its own status.

use crate::support::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn twenty_restores_in_one_batch_each_with_its_own_status() {
    let app = TestApp::spawn().await;
    let mut ids = Vec::new();
    for n in 0..19 {
        let id = app.create_user(&format!("user{n}@contoso.com")).await;
        app.delete_user(&id).await;
        ids.push(id);
    }
    let mut requests: Vec<Value> = ids
        .iter()
        .enumerate()
        .map(|(n, id)| json!({"id": n.to_string(), "method": "POST", "url": format!("/directory/deletedItems/{id}/restore")}))
        .collect();
    requests.push(json!({"id": "19", "method": "POST", "url": "/directory/deletedItems/00000000-0000-0000-0000-000000000000/restore"}));
    let reply = app.post("/$batch", json!({"requests": requests})).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let responses = reply.json()["responses"].as_array().unwrap().clone();
    assert_eq!(responses.len(), 20);
    assert!(responses[..19].iter().all(|r| r["status"] == 200), "{responses:?}");
    assert_eq!(responses[19]["status"], 404);
    assert_eq!(responses[19]["body"]["error"]["code"], "Request_ResourceNotFound");
    assert_eq!(responses[0]["body"]["@odata.type"], "#microsoft.graph.user");

    let too_many: Vec<Value> = (0..21)
        .map(|n| json!({"id": n.to_string(), "method": "GET", "url": "/users"}))
        .collect();
    assert_eq!(
        app.post("/$batch", json!({"requests": too_many})).await.error_code(),
        "Request_BadRequest"
    );
}

#[tokio::test]
async fn headers_inside_a_request_count_and_dependencies_are_honoured() {
    let app = TestApp::spawn().await;
    let requests = json!({"requests": [
        {"id": "eventual", "method": "GET", "url": "/users/$count", "headers": {"ConsistencyLevel": "eventual"}},
        {"id": "plain", "method": "GET", "url": "/users/$count"},
        {"id": "after", "method": "GET", "url": "/users", "dependsOn": ["plain"]},
        {"id": "create", "method": "POST", "url": "users", "body": crate::support::new_user("batch@contoso.com")},
    ]});
    let responses = app.post("/$batch", requests).await.json()["responses"].clone();
    assert_eq!(responses[0]["status"], 200);
    assert_eq!(responses[0]["body"], "1");
    assert_eq!(responses[1]["status"], 400);
    assert_eq!(responses[2]["status"], 424, "its dependency failed");
    assert_eq!(responses[3]["status"], 201);
    let unauthenticated = app
        .send(reqwest::Method::POST, "/$batch", Some(json!({"requests": []})), "", &[])
        .await;
    assert_eq!(unauthenticated.status, StatusCode::UNAUTHORIZED);
}
