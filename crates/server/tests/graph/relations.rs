//! Licences, groups, roles, manager and audit over Graph (checklist items 20, 44–47).

use crate::support::TestApp;
use directory::Caller;
use directory::license::NewSku;
use directory::role::AdminRole;
use reqwest::StatusCode;
use serde_json::json;

async fn subscription(app: &TestApp, seats: i64) -> String {
    let sku = NewSku {
        id: None,
        part_number: "ENTERPRISEPACK".into(),
        prepaid_units: seats,
        service_plans: vec![],
    };
    app.directory
        .add_subscription(&Caller::system(), sku)
        .await
        .unwrap()
        .id
        .to_string()
}

#[tokio::test]
async fn licences_need_a_usage_location_and_a_free_seat_and_follow_delete_and_restore() {
    let app = TestApp::spawn().await;
    let sku = subscription(&app, 1).await;
    let adele = app.create_user("adele@contoso.com").await;
    let assign = format!("/users/{adele}/assignLicense");
    let add = json!({"addLicenses": [{"skuId": sku, "disabledPlans": []}], "removeLicenses": []});

    let no_location = app.post(&assign, add.clone()).await;
    assert_eq!(
        no_location.json()["error"]["message"],
        "License assignment cannot be done for user with invalid usage location."
    );
    assert_eq!(
        app.post(&assign, json!({"addLicenses": []})).await.status,
        StatusCode::BAD_REQUEST,
        "removeLicenses is required"
    );
    app.patch(&format!("/users/{adele}"), json!({"usageLocation": "NL"}))
        .await;
    assert_eq!(app.post(&assign, add.clone()).await.status, StatusCode::OK);
    let consumed = |body: serde_json::Value| body["value"][0]["consumedUnits"].as_i64().unwrap();
    assert_eq!(consumed(app.get("/subscribedSkus").await.json()), 1);
    let details = app.get(&format!("/users/{adele}/licenseDetails")).await.json();
    assert_eq!(details["value"][0]["skuPartNumber"], "ENTERPRISEPACK");

    let bob = app.create_user("bob@contoso.com").await;
    app.patch(&format!("/users/{bob}"), json!({"usageLocation": "NL"}))
        .await;
    let full = app.post(&format!("/users/{bob}/assignLicense"), add.clone()).await;
    assert!(
        full.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("does not have any available licenses")
    );

    app.delete_user(&adele).await;
    assert_eq!(
        consumed(app.get("/subscribedSkus").await.json()),
        0,
        "a deleted user frees its seat"
    );
    app.post(&format!("/directory/deletedItems/{adele}/restore"), json!({}))
        .await;
    assert_eq!(
        consumed(app.get("/subscribedSkus").await.json()),
        1,
        "a restored user takes it again"
    );
}

#[tokio::test]
async fn groups_members_owners_and_member_of_survive_delete_and_restore() {
    let app = TestApp::spawn().await;
    let created = app
        .post(
            "/groups",
            json!({"displayName": "Sales", "mailNickname": "sales", "securityEnabled": true, "mailEnabled": false}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let group = created.json()["id"].as_str().unwrap().to_owned();
    let adele = app.create_user("adele@contoso.com").await;
    let reference = json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{adele}")});
    assert_eq!(
        app.post(&format!("/groups/{group}/members/$ref"), reference.clone())
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.post(&format!("/groups/{group}/members/$ref"), reference.clone())
            .await
            .status,
        StatusCode::BAD_REQUEST,
        "already a member"
    );
    assert_eq!(
        app.post(&format!("/groups/{group}/owners/$ref"), reference)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let members = app.get(&format!("/groups/{group}/members")).await.json();
    assert_eq!(members["value"][0]["id"], adele.as_str());
    assert_eq!(members["value"][0]["@odata.type"], "#microsoft.graph.user");

    app.delete_user(&adele).await;
    assert!(
        app.get(&format!("/groups/{group}/members")).await.json()["value"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    app.post(&format!("/directory/deletedItems/{adele}/restore"), json!({}))
        .await;
    let member_of = app.get(&format!("/users/{adele}/memberOf")).await.json();
    assert_eq!(member_of["value"][0]["displayName"], "Sales");
    assert_eq!(
        app.delete(&format!("/groups/{group}/members/{adele}/$ref"))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.delete(&format!("/groups/{group}")).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.get(&format!("/groups/{group}")).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn roles_and_manager_links() {
    let app = TestApp::spawn().await;
    let adele = app.create_user("adele@contoso.com").await;
    let boss = app.create_user("boss@contoso.com").await;
    let roles = app.get("/directoryRoles").await.json();
    assert!(
        roles["value"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["displayName"] == "User Administrator")
    );
    let user_admin = AdminRole::UserAdministrator.template_id();
    let reference = json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{adele}")});
    assert_eq!(
        app.post(&format!("/directoryRoles/{user_admin}/members/$ref"), reference)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let members = app.get(&format!("/directoryRoles/{user_admin}/members")).await.json();
    assert_eq!(members["value"][0]["id"], adele.as_str());

    assert_eq!(
        app.get(&format!("/users/{adele}/manager")).await.status,
        StatusCode::NOT_FOUND
    );
    let manager = json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/users/{boss}")});
    assert_eq!(
        app.send(
            reqwest::Method::PUT,
            &format!("/users/{adele}/manager/$ref"),
            Some(manager),
            &app.token,
            &[]
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get(&format!("/users/{adele}/manager")).await.json()["id"],
        boss.as_str()
    );
    app.delete_user(&adele).await;
    app.post(&format!("/directory/deletedItems/{adele}/restore"), json!({}))
        .await;
    assert_eq!(
        app.get(&format!("/users/{adele}/manager")).await.json()["id"],
        boss.as_str(),
        "the manager comes back"
    );
    let roles_back = app.get(&format!("/directoryRoles/{user_admin}/members")).await.json();
    assert_eq!(roles_back["value"][0]["id"], adele.as_str(), "the role comes back");
    assert_eq!(
        app.delete(&format!("/users/{adele}/manager/$ref")).await.status,
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn the_audit_log_records_the_lifecycle_newest_first() {
    let app = TestApp::spawn().await;
    let adele = app.create_user("adele@contoso.com").await;
    app.delete_user(&adele).await;
    app.delete(&format!("/directory/deletedItems/{adele}")).await;
    let audits = app.get("/auditLogs/directoryAudits?$top=3").await.json();
    let names: Vec<&str> = audits["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["activityDisplayName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Hard delete user", "Delete user", "Add user"]);
    assert_eq!(audits["value"][0]["result"], "success");
    assert_eq!(audits["value"][0]["targetResources"][0]["id"], adele.as_str());
    let reader = app.token_with(&[AdminRole::UserAdministrator]).await;
    let denied = app
        .send(reqwest::Method::GET, "/auditLogs/directoryAudits", None, &reader, &[])
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn each_audit_record_names_the_request_it_came_from() {
    let app = TestApp::spawn().await;
    let adele = app.create_user("adele@contoso.com").await;
    let deleted = app.delete(&format!("/users/{adele}")).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let request_id = deleted.headers["request-id"].to_str().unwrap();
    let audits = app.get("/auditLogs/directoryAudits?$top=1").await.json();
    let record = &audits["value"][0];
    assert_eq!(record["activityDisplayName"], "Delete user");
    assert_eq!(record["correlationId"], request_id, "{record}");
    let details = record["additionalDetails"].as_array().unwrap();
    assert!(
        details
            .iter()
            .any(|d| d["key"] == "correlationId" && d["value"] == request_id),
        "{record}"
    );
}
