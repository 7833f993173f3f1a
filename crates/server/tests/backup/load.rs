//! The backup test's Graph client, and how the shared write load (`common/write_load.rs`)
//! sends its writes through it: load users are `<name>@contoso.com`.

use crate::write_load::{Kind, State, Writes};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A Graph client for one server and token.
#[derive(Debug, Clone)]
pub(crate) struct Graph {
    client: reqwest::Client,
    base: String,
    token: String,
}

impl Graph {
    pub(crate) fn new(server: &str, token: &str) -> Graph {
        Graph {
            client: reqwest::Client::new(),
            base: format!("{server}/v1.0"),
            token: token.to_owned(),
        }
    }

    pub(crate) async fn send(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        match request.send().await {
            Ok(response) => {
                let status = response.status();
                let text = response.text().await.unwrap_or_default();
                (status, serde_json::from_str(&text).unwrap_or(Value::Null))
            }
            Err(_) => (StatusCode::SERVICE_UNAVAILABLE, Value::Null),
        }
    }

    /// Where the user is now: active, in the recycle bin, or gone.
    pub(crate) async fn state(&self, id: &str) -> State {
        if self.send(Method::GET, &format!("/users/{id}"), None).await.0 == StatusCode::OK {
            return State::Active;
        }
        let path = format!("/directory/deletedItems/{id}");
        match self.send(Method::GET, &path, None).await.0 {
            StatusCode::OK => State::Deleted,
            _ => State::Missing,
        }
    }
}

impl Writes for Graph {
    async fn write(&self, kind: Kind, name: &str, id: &str) -> Option<Value> {
        let (status, body) = match kind {
            Kind::Create => {
                let upn = format!("{name}@contoso.com");
                self.send(Method::POST, "/users", Some(new_user(&upn))).await
            }
            Kind::Delete => self.send(Method::DELETE, &format!("/users/{id}"), None).await,
            Kind::Restore => {
                let path = format!("/directory/deletedItems/{id}/restore");
                self.send(Method::POST, &path, None).await
            }
        };
        status.is_success().then_some(body)
    }
}

fn new_user(upn: &str) -> Value {
    let alias = upn.split('@').next().unwrap();
    json!({
        "accountEnabled": true,
        "displayName": format!("Load {alias}"),
        "mailNickname": alias,
        "userPrincipalName": upn,
        "passwordProfile": {"forceChangePasswordNextSignIn": false, "password": "xWwvJ]6NMw+bWH-d"}
    })
}
