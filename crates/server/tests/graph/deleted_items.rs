//! `/directory/deletedItems` conformance (checklist items 1, 4–8, 10, 12, 13, 16–19, 21–29,
//! 31, 34, 35).

use crate::support::TestApp;
use directory::role::AdminRole;
use reqwest::{Method, StatusCode};
use serde_json::json;

async fn deleted(app: &TestApp, upn: &str) -> String {
    let id = app.create_user(upn).await;
    app.delete_user(&id).await;
    id
}

#[tokio::test]
async fn deleted_users_are_listed_under_both_casts_with_their_tombstone() {
    let app = TestApp::spawn().await;
    let id = deleted(&app, "adele@contoso.com").await;
    let long = app.get("/directory/deletedItems/microsoft.graph.user").await;
    assert_eq!(long.status, StatusCode::OK, "{}", long.text);
    let short = app.get("/directory/deletedItems/graph.user").await;
    let lower = app.get("/directory/deleteditems/microsoft.graph.user").await;
    assert_eq!(long.json()["value"], short.json()["value"]);
    assert_eq!(long.json()["value"], lower.json()["value"]);
    let item = &long.json()["value"][0];
    assert_eq!(item["id"], id.as_str());
    assert_eq!(item["@odata.type"], "#microsoft.graph.user");
    assert_eq!(
        item["userPrincipalName"],
        format!("{}adele@contoso.com", id.replace('-', ""))
    );
    assert_eq!(item["mail"], "adele@contoso.com");
    assert_eq!(item["deletedDateTime"], "2026-01-05T09:00:00Z");
    assert_eq!(item["permanentDeletionDateTime"], "2026-02-04T09:00:00Z");

    let no_cast = app.get("/directory/deletedItems").await;
    assert_eq!(no_cast.error_code(), "Request_UnsupportedQuery");
}

#[tokio::test]
async fn one_deleted_item_is_a_directory_object_or_a_selected_user() {
    let app = TestApp::spawn().await;
    let id = deleted(&app, "adele@contoso.com").await;
    let item = app.get(&format!("/directory/deletedItems/{id}")).await.json();
    assert_eq!(item["@odata.type"], "#microsoft.graph.user");
    assert!(
        item["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("#directoryObjects/$entity")
    );
    let selected = app
        .get(&format!(
            "/directory/deletedItems/{id}/graph.user?$select=id,userPrincipalName"
        ))
        .await
        .json();
    let mut keys: Vec<&str> = selected.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["@odata.context", "deletedDateTime", "id", "userPrincipalName"]);
}

#[tokio::test]
async fn pages_counts_and_the_count_segment() {
    let app = TestApp::spawn().await;
    for n in 0..5 {
        deleted(&app, &format!("user{n}@contoso.com")).await;
        app.clock.advance(time::Duration::minutes(1));
    }
    let mut page = app.get("/directory/deletedItems/graph.user?$top=2").await.json();
    let mut pages = 1;
    let mut total = page["value"].as_array().unwrap().len();
    while let Some(next) = page["@odata.nextLink"].as_str().map(str::to_owned) {
        page = app.get(&next).await.json();
        pages += 1;
        total += page["value"].as_array().unwrap().len();
    }
    assert_eq!((pages, total), (3, 5));
    let counted = app
        .get_eventual("/directory/deletedItems/microsoft.graph.user?$count=true")
        .await
        .json();
    assert_eq!(counted["@odata.count"], 5);
    let count = app.get_eventual("/directory/deletedItems/graph.user/$count").await;
    assert_eq!((count.status, count.text.as_str()), (StatusCode::OK, "5"));
    assert!(
        count.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let refused = app.get("/directory/deletedItems/graph.user/$count").await;
    assert_eq!(refused.json()["error"]["message"], "$count is not currently supported.");
}

#[tokio::test]
async fn restore_accepts_no_body_an_empty_object_or_options() {
    let app = TestApp::spawn().await;
    let first = deleted(&app, "first@contoso.com").await;
    let no_body = app
        .send(
            Method::POST,
            &format!("/directory/deletedItems/{first}/restore"),
            None,
            &app.token,
            &[],
        )
        .await;
    assert_eq!(no_body.status, StatusCode::OK, "{}", no_body.text);
    let restored = no_body.json();
    assert_eq!(restored["@odata.type"], "#microsoft.graph.user");
    assert!(
        restored["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("#directoryObjects/$entity")
    );
    assert_eq!(restored["userPrincipalName"], "first@contoso.com");
    assert_eq!(app.get(&format!("/users/{first}")).await.status, StatusCode::OK);
    assert_eq!(
        app.post(&format!("/directory/deletedItems/{first}/restore"), json!({}))
            .await
            .status,
        StatusCode::NOT_FOUND,
        "active now"
    );

    let second = deleted(&app, "second@contoso.com").await;
    assert_eq!(
        app.post(&format!("/directory/deletedItems/{second}/restore"), json!({}))
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn upn_conflicts_fail_and_a_new_upn_resolves_them() {
    let app = TestApp::spawn().await;
    let id = deleted(&app, "adele@contoso.com").await;
    app.create_user("adele@contoso.com").await;
    let path = format!("/directory/deletedItems/{id}/restore");
    let conflict = app.post(&path, json!({})).await;
    assert_eq!(conflict.error_code(), "Request_BadRequest");
    let error = &conflict.json()["error"];
    assert_eq!(
        error["message"],
        "Another object with the same value for property userPrincipalName already exists."
    );
    assert_eq!(error["details"][0]["target"], "userPrincipalName");

    let bad = app
        .post(&path, json!({"newUserPrincipalName": "adele@elsewhere.org"}))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let typo = app.post(&path, json!({"foo": 1})).await;
    assert_eq!(typo.status, StatusCode::BAD_REQUEST);
    let wrong_type = app.post(&path, json!({"autoReconcileProxyConflict": "yes"})).await;
    assert_eq!(wrong_type.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        app.get(&format!("/directory/deletedItems/{id}")).await.status,
        StatusCode::OK,
        "still deleted"
    );

    let fixed = app
        .post(&path, json!({"newUserPrincipalName": "adele.vance@contoso.com"}))
        .await;
    assert_eq!(fixed.status, StatusCode::OK, "{}", fixed.text);
    assert_eq!(fixed.json()["userPrincipalName"], "adele.vance@contoso.com");
}

#[tokio::test]
async fn role_rules_apply_to_restore() {
    let app = TestApp::spawn().await;
    let boss = app.create_user("boss@contoso.com").await;
    let boss_id = boss.parse().unwrap();
    app.directory
        .assign_role(&directory::Caller::system(), boss_id, AdminRole::GlobalAdministrator)
        .await
        .unwrap();
    app.delete_user(&boss).await;
    let user_admin = app.token_with(&[AdminRole::UserAdministrator]).await;
    let path = format!("/directory/deletedItems/{boss}/restore");
    let denied = app.send(Method::POST, &path, None, &user_admin, &[]).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert_eq!(denied.error_code(), "Authorization_RequestDenied");
    assert_eq!(
        denied.json()["error"]["message"],
        "Insufficient privileges to complete the operation."
    );
    let privileged = app
        .token_with(&[AdminRole::PrivilegedAuthenticationAdministrator])
        .await;
    assert_eq!(
        app.send(Method::POST, &path, None, &privileged, &[]).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn permanent_delete_and_expiry_are_final() {
    let app = TestApp::spawn().await;
    let id = deleted(&app, "adele@contoso.com").await;
    let path = format!("/directory/deletedItems/{id}");
    let purged = app.delete(&path).await;
    assert_eq!(purged.status, StatusCode::NO_CONTENT);
    assert_eq!(app.delete(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.post(&format!("{path}/restore"), json!({})).await.status,
        StatusCode::NOT_FOUND
    );

    let expiring = deleted(&app, "later@contoso.com").await;
    app.clock.advance(time::Duration::days(30));
    assert_eq!(
        app.get(&format!("/directory/deletedItems/{expiring}")).await.status,
        StatusCode::NOT_FOUND
    );
    let restore = app
        .post(&format!("/directory/deletedItems/{expiring}/restore"), json!({}))
        .await;
    assert_eq!(restore.error_code(), "Request_ResourceNotFound");
}
