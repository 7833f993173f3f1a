//! The client-credentials token endpoint: tokens by form body and by HTTP Basic, used on
//! Graph with the app's roles, and every OAuth error in RFC 6749's dialect.

use crate::support::{TestApp, new_user};
use directory::role::{AdminRole, RoleSet};
use directory::{Caller, Error, Principal};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::Value;

const SCOPE: &str = "https://graph.microsoft.com/.default";

struct Client {
    id: String,
    secret: String,
}

async fn register(app: &TestApp, roles: &[AdminRole]) -> Client {
    let roles: RoleSet = roles.iter().copied().collect();
    let (registration, secret) = app
        .directory
        .create_app(&Caller::system(), "Sync", roles)
        .await
        .unwrap();
    Client {
        id: registration.client_id.to_string(),
        secret: secret.expose().to_owned(),
    }
}

fn root(app: &TestApp) -> String {
    app.base.trim_end_matches("/v1.0").to_owned()
}

fn form(request: RequestBuilder, body: &str) -> RequestBuilder {
    request
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_owned())
}

async fn answer(request: RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}")),
    )
}

fn credentials(client: &Client) -> String {
    format!(
        "grant_type=client_credentials&client_id={}&client_secret={}&scope={SCOPE}",
        client.id, client.secret
    )
}

#[tokio::test]
async fn client_credentials_by_form_or_basic_give_a_token_with_the_app_roles() {
    let app = TestApp::spawn().await;
    let client = register(&app, &[AdminRole::GlobalReader]).await;
    let http = reqwest::Client::new();
    let tenant = app.directory.tenant().await.unwrap().id;
    let urls = [
        format!("{}/oauth2/v2.0/token", root(&app)),
        format!("{}/{tenant}/oauth2/v2.0/token", root(&app)),
        format!("{}/contoso.com/oauth2/v2.0/token", root(&app)),
    ];
    for url in &urls {
        let (status, body) = answer(form(http.post(url), &credentials(&client))).await;
        assert_eq!(status, StatusCode::OK, "{url}: {body}");
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(body["expires_in"], 3599);
        assert_eq!(body["ext_expires_in"], 3599);
        let token = body["access_token"].as_str().unwrap();
        let reply = app.send(Method::GET, "/users", None, token, &[]).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        let reply = app
            .send(Method::POST, "/users", Some(new_user("a@contoso.com")), token, &[])
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.text);
    }

    let basic = http.post(&urls[0]).basic_auth(&client.id, Some(&client.secret));
    let (status, body) = answer(form(basic, &format!("grant_type=client_credentials&scope={SCOPE}"))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let token = body["access_token"].as_str().unwrap();
    assert_eq!(
        app.send(Method::GET, "/users", None, token, &[]).await.status,
        StatusCode::OK
    );

    let apps = app.directory.apps(&Caller::system()).await.unwrap();
    app.directory.delete_app(&Caller::system(), apps[0].id).await.unwrap();
    let reply = app.send(Method::GET, "/users", None, token, &[]).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let as_app = Caller::new(
        Principal::App {
            id: apps[0].id,
            name: apps[0].display_name.clone(),
        },
        RoleSet::new([AdminRole::GlobalReader]),
    );
    assert!(matches!(
        app.directory.apps(&as_app).await,
        Err(Error::Forbidden { .. })
    ));
}

#[tokio::test]
async fn every_oauth_error_is_in_rfc_6749_shape() {
    let app = TestApp::spawn().await;
    let client = register(&app, &[AdminRole::GlobalAdministrator]).await;
    let http = reqwest::Client::new();
    let url = format!("{}/oauth2/v2.0/token", root(&app));
    let wrong_secret = Client {
        id: client.id.clone(),
        secret: "nope".into(),
    };
    let unknown = Client {
        id: uuid::Uuid::new_v4().to_string(),
        secret: client.secret.clone(),
    };
    let id = &client.id;
    let secret = &client.secret;
    let cases = [
        (credentials(&wrong_secret), 401, "invalid_client"),
        (credentials(&unknown), 401, "invalid_client"),
        (
            credentials(&Client {
                id: "not-a-uuid".into(),
                secret: secret.clone(),
            }),
            401,
            "invalid_client",
        ),
        (
            format!("grant_type=password&client_id={id}&client_secret={secret}&scope={SCOPE}"),
            400,
            "unsupported_grant_type",
        ),
        (
            format!("grant_type=client_credentials&client_id={id}&client_secret={secret}&scope=User.Read"),
            400,
            "invalid_scope",
        ),
        (
            format!("client_id={id}&client_secret={secret}&scope={SCOPE}"),
            400,
            "invalid_request",
        ),
        (
            format!("grant_type=client_credentials&client_id={id}&scope={SCOPE}"),
            400,
            "invalid_request",
        ),
        (
            format!("grant_type=client_credentials&client_id={id}&client_secret={secret}"),
            400,
            "invalid_request",
        ),
        (
            format!("{}&scope={SCOPE}", credentials(&client)),
            400,
            "invalid_request",
        ),
    ];
    for (body, status, error) in cases {
        let (got, reply) = answer(form(http.post(&url), &body)).await;
        assert_eq!(
            (got.as_u16(), reply["error"].as_str()),
            (status, Some(error)),
            "{body}: {reply}"
        );
        assert!(reply["error_description"].is_string(), "{reply}");
    }

    let (status, reply) = answer(
        http.post(&url)
            .json(&serde_json::json!({"grant_type": "client_credentials"})),
    )
    .await;
    assert_eq!(
        (status, reply["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request"))
    );
    let bad_basic = form(
        http.post(&url).basic_auth(id, Some("nope")),
        &format!("grant_type=client_credentials&scope={SCOPE}"),
    );
    let response = bad_basic.send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()["www-authenticate"], "Basic");
    let both = form(http.post(&url).basic_auth(id, Some(secret)), &credentials(&client));
    let (status, reply) = answer(both).await;
    assert_eq!(
        (status, reply["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request"))
    );
    let other_tenant = form(
        http.post(format!("{}/fabrikam.com/oauth2/v2.0/token", root(&app))),
        &credentials(&client),
    );
    let (status, reply) = answer(other_tenant).await;
    assert_eq!(
        (status, reply["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request"))
    );
}
