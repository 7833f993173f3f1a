//! `/users` conformance (checklist items 2, 3, 9, 39–41 and the users half of 48, 50, 51).

use crate::support::{TestApp, new_user};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn create_returns_201_with_the_default_properties_and_context() {
    let app = TestApp::spawn().await;
    let reply = app.post("/users", new_user("AdeleV@contoso.com")).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let body = reply.json();
    assert!(
        body["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("/v1.0/$metadata#users/$entity")
    );
    let mut keys: Vec<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "@odata.context",
            "businessPhones",
            "displayName",
            "givenName",
            "id",
            "jobTitle",
            "mail",
            "mobilePhone",
            "officeLocation",
            "preferredLanguage",
            "surname",
            "userPrincipalName"
        ]
    );
    assert_eq!(body["userPrincipalName"], "AdeleV@contoso.com");
    assert_eq!(body["mail"], "AdeleV@contoso.com");
}

#[tokio::test]
async fn create_refuses_missing_required_properties_read_only_ones_and_bad_values() {
    let app = TestApp::spawn().await;
    let mut missing = new_user("a@contoso.com");
    missing.as_object_mut().unwrap().remove("mailNickname");
    assert_eq!(app.post("/users", missing).await.error_code(), "Request_BadRequest");
    let mut no_password = new_user("a@contoso.com");
    no_password.as_object_mut().unwrap().remove("passwordProfile");
    assert_eq!(app.post("/users", no_password).await.status, StatusCode::BAD_REQUEST);
    let mut read_only = new_user("a@contoso.com");
    read_only["proxyAddresses"] = json!(["SMTP:a@contoso.com"]);
    assert_eq!(app.post("/users", read_only).await.status, StatusCode::BAD_REQUEST);
    let mut wrong_type = new_user("a@contoso.com");
    wrong_type["accountEnabled"] = json!("yes");
    assert_eq!(app.post("/users", wrong_type).await.status, StatusCode::BAD_REQUEST);

    let reply = app.post("/users", new_user("a@elsewhere.org")).await;
    assert_eq!(reply.error_code(), "Request_BadRequest");
    let body = reply.json();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("domain portion of the userPrincipalName property is invalid")
    );
    assert_eq!(body["error"]["details"][0]["code"], "InvalidValue");

    let mut weak = new_user("a@contoso.com");
    weak["passwordProfile"]["password"] = json!("password");
    let reply = app.post("/users", weak).await;
    assert!(
        reply.json()["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("The specified password does not comply with password complexity requirements.")
    );
    let users = app.get_eventual("/users/$count").await;
    assert_eq!(users.text, "1", "only the admin exists: nothing was created");
}

#[tokio::test]
async fn a_upn_taken_by_an_active_user_is_an_object_conflict_naming_the_holder() {
    let app = TestApp::spawn().await;
    let id = app.create_user("adele@contoso.com").await;
    let reply = app.post("/users", new_user("ADELE@contoso.com")).await;
    assert_eq!(reply.error_code(), "Request_BadRequest");
    let error = &reply.json()["error"];
    assert_eq!(
        error["message"],
        "Another object with the same value for property userPrincipalName already exists."
    );
    assert_eq!(error["details"][0]["code"], "ObjectConflict");
    assert_eq!(error["details"][0]["target"], "userPrincipalName");
    assert_eq!(error["details"][0]["conflictingObjectId"], id.as_str());
}

#[tokio::test]
async fn get_by_id_or_upn_select_and_patch() {
    let app = TestApp::spawn().await;
    let id = app.create_user("o'brien@contoso.com").await;
    let by_upn = app
        .get("/users/o%27brien%40contoso.com?$select=id,accountEnabled")
        .await;
    assert_eq!(by_upn.status, StatusCode::OK, "{}", by_upn.text);
    let body = by_upn.json();
    assert_eq!(body["id"], id.as_str());
    assert_eq!(body["accountEnabled"], true);
    assert!(body.get("displayName").is_none());
    assert!(
        body["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("#users(id,accountEnabled)/$entity")
    );

    let patch = app
        .patch(
            &format!("/users/{id}"),
            json!({"@odata.type": "#microsoft.graph.user", "jobTitle": "Engineer", "mail": "ob@contoso.com"}),
        )
        .await;
    assert_eq!(patch.status, StatusCode::NO_CONTENT, "{}", patch.text);
    assert!(patch.text.is_empty());
    let after = app
        .get(&format!("/users/{id}?$select=jobTitle,mail,proxyAddresses"))
        .await
        .json();
    assert_eq!(after["jobTitle"], "Engineer");
    assert_eq!(
        after["proxyAddresses"],
        json!(["SMTP:ob@contoso.com", "smtp:o'brien@contoso.com"])
    );

    let read_only = app
        .patch(
            &format!("/users/{id}"),
            json!({"proxyAddresses": ["SMTP:x@contoso.com"]}),
        )
        .await;
    assert_eq!(read_only.status, StatusCode::BAD_REQUEST);
    let unknown = app.get("/users?$select=id,shoeSize").await;
    assert_eq!(unknown.error_code(), "Request_BadRequest");
}

#[tokio::test]
async fn listing_pages_with_absolute_next_links_and_counts_with_consistency_level() {
    let app = TestApp::spawn().await;
    for n in 0..4 {
        app.create_user(&format!("user{n}@contoso.com")).await;
    }
    let first = app
        .get_eventual("/users?$top=2&$count=true&$select=userPrincipalName")
        .await
        .json();
    assert_eq!(first["@odata.count"], 5);
    assert_eq!(first["value"].as_array().unwrap().len(), 2);
    let mut seen: Vec<String> = Vec::new();
    let mut page = first;
    loop {
        seen.extend(
            page["value"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["userPrincipalName"].as_str().unwrap().to_owned()),
        );
        let Some(next) = page["@odata.nextLink"].as_str() else {
            break;
        };
        assert!(next.starts_with(&app.base), "{next}");
        page = app.get(next).await.json();
    }
    assert_eq!(
        seen,
        [
            "admin@contoso.com",
            "user0@contoso.com",
            "user1@contoso.com",
            "user2@contoso.com",
            "user3@contoso.com"
        ]
    );

    let without_header = app.get("/users?$count=true").await.json();
    assert!(
        without_header.get("@odata.count").is_none(),
        "silently ignored without ConsistencyLevel"
    );
    assert_eq!(
        app.get("/users/$count").await.json()["error"]["message"],
        "$count is not currently supported."
    );
    assert_eq!(app.get("/users?$top=1000").await.error_code(), "Request_BadRequest");
    assert_eq!(app.get("/users?$top=0").await.error_code(), "Request_BadRequest");
    assert_eq!(app.get("/users?$skiptoken=%%%").await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn deleted_users_are_invisible_to_users_routes() {
    let app = TestApp::spawn().await;
    let id = app.create_user("adele@contoso.com").await;
    let by_upn = app.delete("/users/adele@contoso.com").await;
    assert_eq!(by_upn.status, StatusCode::NO_CONTENT);
    assert!(by_upn.text.is_empty());
    for reply in [
        app.get(&format!("/users/{id}")).await,
        app.patch(&format!("/users/{id}"), json!({"jobTitle": "x"})).await,
        app.delete(&format!("/users/{id}")).await,
    ] {
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        assert_eq!(reply.error_code(), "Request_ResourceNotFound");
    }
    let listed = app.get("/users").await.json();
    assert!(
        listed["value"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["id"] != id.as_str())
    );
    assert_eq!(
        app.post("/users", new_user("adele@contoso.com")).await.status,
        StatusCode::CREATED,
        "the UPN is free again"
    );
}
