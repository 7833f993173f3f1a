//! The HTTP client side: Graph and Roster calls over keep-alive connections, each timed
//! from sending the request to having read the whole answer. Any unexpected status fails
//! the run, so a figure is never the speed of an error.

use anyhow::{Result, bail};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// A password that meets the policy, for users created over HTTP.
const PASSWORD: &str = "Bench-Horse-Battery-7391";

/// One worker's client: a shared connection pool and the worker's own token.
#[derive(Debug, Clone)]
pub(crate) struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    pub(crate) fn new(http: reqwest::Client, base: &str, token: &str) -> Self {
        Api {
            http,
            base: base.to_owned(),
            token: token.to_owned(),
        }
    }

    /// A client that keeps up to 64 idle connections open.
    pub(crate) fn pool() -> Result<reqwest::Client> {
        Ok(reqwest::Client::builder()
            .pool_max_idle_per_host(64)
            .no_proxy()
            .build()?)
    }

    /// Creates `alias@domain`; returns its id and the latency.
    pub(crate) async fn create_user(&self, alias: &str, domain: &str) -> Result<(String, Duration)> {
        let body = json!({
            "accountEnabled": true,
            "displayName": format!("Probe {alias}"),
            "mailNickname": alias,
            "userPrincipalName": format!("{alias}@{domain}"),
            "passwordProfile": {"password": PASSWORD, "forceChangePasswordNextSignIn": false},
        });
        let (value, latency) = self.send("POST", "/v1.0/users", Some(body), 201).await?;
        let id = value["id"].as_str().unwrap_or_default().to_owned();
        Ok((id, latency))
    }

    pub(crate) async fn delete_user(&self, id: &str) -> Result<Duration> {
        Ok(self.send("DELETE", &format!("/v1.0/users/{id}"), None, 204).await?.1)
    }

    pub(crate) async fn restore_user(&self, id: &str) -> Result<Duration> {
        let path = format!("/v1.0/directory/deletedItems/{id}/restore");
        Ok(self.send("POST", &path, None, 200).await?.1)
    }

    pub(crate) async fn patch_user(&self, id: &str, job_title: &str) -> Result<Duration> {
        let body = json!({ "jobTitle": job_title });
        Ok(self
            .send("PATCH", &format!("/v1.0/users/{id}"), Some(body), 204)
            .await?
            .1)
    }

    /// A GET of a path (or an absolute next link), with `ConsistencyLevel: eventual` when
    /// asked; returns the answer.
    pub(crate) async fn get(&self, path_or_url: &str, eventual: bool) -> Result<(Value, Duration)> {
        let url = if path_or_url.starts_with("http") {
            path_or_url.to_owned()
        } else {
            format!("{}{path_or_url}", self.base)
        };
        let mut request = self.http.get(url).bearer_auth(&self.token);
        if eventual {
            request = request.header("ConsistencyLevel", "eventual");
        }
        self.finish(request, 200).await
    }

    /// `POST /roster/v1/recycleBin/restore` for these ids; `mode` is `keep` or `generate`.
    /// Returns the summary and the wall time.
    pub(crate) async fn bulk_restore(&self, ids: &[String], mode: &str) -> Result<(Value, Duration)> {
        let users: Vec<Value> = ids
            .iter()
            .map(|id| json!({"id": id, "password": {"mode": mode}}))
            .collect();
        let (value, latency) = self
            .send(
                "POST",
                "/roster/v1/recycleBin/restore",
                Some(json!({ "users": users })),
                200,
            )
            .await?;
        Ok((value["summary"].clone(), latency))
    }

    async fn send(&self, method: &str, path: &str, body: Option<Value>, expect: u16) -> Result<(Value, Duration)> {
        let method = reqwest::Method::from_bytes(method.as_bytes())?;
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        self.finish(request, expect).await
    }

    async fn finish(&self, request: reqwest::RequestBuilder, expect: u16) -> Result<(Value, Duration)> {
        let started = Instant::now();
        let response = request.send().await?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await?;
        let latency = started.elapsed();
        if status != expect {
            bail!(
                "expected HTTP {expect}, got {status}: {}",
                String::from_utf8_lossy(&bytes)
            );
        }
        let value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)?
        };
        Ok((value, latency))
    }
}
