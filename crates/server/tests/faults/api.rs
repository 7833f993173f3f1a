//! A small HTTP client for the fault tests: one bearer token, answers as status, the
//! `Retry-After` header and JSON, and transport failures as errors (a killed server).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;

/// One answer from the server.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) retry_after: Option<String>,
    pub(crate) body: Value,
}

impl Answer {
    /// The Graph envelope's `error.code`, if this is an error.
    pub(crate) fn error_code(&self) -> Option<&str> {
        self.body["error"]["code"].as_str()
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Api {
    client: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    /// `timeout` bounds every request: a hung server is a transport error.
    pub(crate) fn new(base: &str, token: &str, timeout: Duration) -> Api {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .expect("an HTTP client");
        Api {
            client,
            base: base.to_owned(),
            token: token.to_owned(),
        }
    }

    pub(crate) async fn send(&self, method: Method, path: &str, body: Option<Value>) -> reqwest::Result<Answer> {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let text = response.text().await?;
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(Answer {
            status,
            retry_after,
            body,
        })
    }

    pub(crate) async fn get(&self, path: &str) -> reqwest::Result<Answer> {
        self.send(Method::GET, path, None).await
    }

    /// Bulk restore through `/roster/v1/recycleBin/restore`, each user with `options`.
    pub(crate) async fn bulk_restore(&self, ids: &[uuid::Uuid], options: &Value) -> reqwest::Result<Answer> {
        let users: Vec<Value> = ids
            .iter()
            .map(|id| {
                let mut item = options.clone();
                item["id"] = id.to_string().into();
                item
            })
            .collect();
        let body = json!({ "users": users });
        self.send(Method::POST, "/roster/v1/recycleBin/restore", Some(body))
            .await
    }

    /// `PATCH /v1.0/users/{id}` setting the job title.
    pub(crate) async fn set_job_title(&self, id: uuid::Uuid, title: &str) -> reqwest::Result<Answer> {
        let path = format!("/v1.0/users/{id}");
        self.send(Method::PATCH, &path, Some(json!({ "jobTitle": title })))
            .await
    }

    /// `POST /v1.0/users` for `<alias>@<domain>`.
    pub(crate) async fn create_user(&self, alias: &str, domain: &str) -> reqwest::Result<Answer> {
        let user = json!({
            "accountEnabled": true,
            "displayName": alias,
            "mailNickname": alias,
            "userPrincipalName": format!("{alias}@{domain}"),
            "passwordProfile": {"password": "a long enough passphrase"},
        });
        self.send(Method::POST, "/v1.0/users", Some(user)).await
    }
}
