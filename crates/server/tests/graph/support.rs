//! The test application: a served router, a Global Administrator token, request helpers.
//! The binary's `backend` module says which database the router is served over.

use directory::role::{AdminRole, RoleSet};
use directory::upn::DomainName;
use directory::{Caller, Directory, ManualClock};
use reqwest::{Method, StatusCode};
use roster_http::AppState;
use roster_http::throttle::{RateLimit, Throttle};
use serde_json::{Value, json};
use std::num::NonZeroU32;
use std::sync::Arc;

pub(crate) struct TestApp {
    pub(crate) base: String,
    pub(crate) directory: Directory,
    pub(crate) clock: ManualClock,
    pub(crate) token: String,
    client: reqwest::Client,
    _storage: crate::backend::Storage,
}

/// A response, read whole.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) text: String,
}

impl Reply {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    /// The Graph error code, after checking the envelope's shape.
    pub(crate) fn error_code(&self) -> String {
        let body = self.json();
        let error = &body["error"];
        assert!(error["message"].is_string(), "{body}");
        assert!(error["innerError"]["request-id"].is_string(), "{body}");
        assert!(error["innerError"]["date"].is_string(), "{body}");
        error["code"].as_str().unwrap().to_owned()
    }
}

impl TestApp {
    pub(crate) async fn spawn() -> TestApp {
        TestApp::spawn_with_limit(Some(RateLimit::DEFAULT)).await
    }

    /// An app whose callers may make `burst` requests, then one a second.
    pub(crate) async fn spawn_throttled(burst: u32) -> TestApp {
        let limit = RateLimit {
            per_second: NonZeroU32::new(1).unwrap(),
            burst: NonZeroU32::new(burst).unwrap(),
        };
        TestApp::spawn_with_limit(Some(limit)).await
    }

    async fn spawn_with_limit(limit: Option<RateLimit>) -> TestApp {
        let (store, storage) = crate::backend::open().await;
        let clock = ManualClock::at_default_start();
        let directory = Directory::new(store, Arc::new(clock.clone()));
        directory
            .initialize("Contoso", DomainName::parse("contoso.com").unwrap())
            .await
            .unwrap();
        let token = service_token(&directory, &[AdminRole::GlobalAdministrator]).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}/v1.0", listener.local_addr().unwrap());
        let app = roster_http::router(AppState {
            directory: directory.clone(),
            throttle: Throttle::new(limit),
        });
        tokio::spawn(async move { axum::serve(listener, app).await });
        TestApp {
            base,
            directory,
            clock,
            token,
            client: reqwest::Client::new(),
            _storage: storage,
        }
    }

    /// A token acting with exactly these roles.
    pub(crate) async fn token_with(&self, roles: &[AdminRole]) -> String {
        service_token(&self.directory, roles).await
    }

    pub(crate) async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        token: &str,
        headers: &[(&str, &str)],
    ) -> Reply {
        let url = if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        };
        let mut request = self.client.request(method, url).bearer_auth(token);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        Reply {
            status: response.status(),
            headers: response.headers().clone(),
            text: response.text().await.unwrap(),
        }
    }

    pub(crate) async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None, &self.token, &[]).await
    }

    pub(crate) async fn get_eventual(&self, path: &str) -> Reply {
        self.send(
            Method::GET,
            path,
            None,
            &self.token,
            &[("ConsistencyLevel", "eventual")],
        )
        .await
    }

    pub(crate) async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(Method::POST, path, Some(body), &self.token, &[]).await
    }

    pub(crate) async fn patch(&self, path: &str, body: Value) -> Reply {
        self.send(Method::PATCH, path, Some(body), &self.token, &[]).await
    }

    pub(crate) async fn delete(&self, path: &str) -> Reply {
        self.send(Method::DELETE, path, None, &self.token, &[]).await
    }

    /// Creates a user through the API and returns its id.
    pub(crate) async fn create_user(&self, upn: &str) -> String {
        let reply = self.post("/users", new_user(upn)).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        reply.json()["id"].as_str().unwrap().to_owned()
    }

    pub(crate) async fn delete_user(&self, id: &str) {
        let reply = self.delete(&format!("/users/{id}")).await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text);
    }
}

pub(crate) fn new_user(upn: &str) -> Value {
    let alias = upn.split('@').next().unwrap();
    json!({
        "accountEnabled": true,
        "displayName": format!("User {alias}"),
        "mailNickname": alias,
        "userPrincipalName": upn,
        "passwordProfile": {"forceChangePasswordNextSignIn": true, "password": "xWwvJ]6NMw+bWH-d"}
    })
}

async fn service_token(directory: &Directory, roles: &[AdminRole]) -> String {
    let roles: RoleSet = roles.iter().copied().collect();
    let issued = directory
        .issue_service_token(&Caller::system(), "graph-tests", roles, time::Duration::days(3650))
        .await
        .unwrap();
    issued.secret.expose().to_owned()
}
