//! The HTTP client of the remote CLI: a bearer token on every request, Graph's error
//! envelope turned into `code: message`, `@odata.nextLink` followed to the end, and a
//! refused connection reported with the server's address.

use super::Failure;
use super::config::Target;
use reqwest::{Method, RequestBuilder, StatusCode, Url};
use serde_json::Value;
use std::time::Duration;

/// Why one request failed.
#[derive(Debug, Clone)]
pub(crate) enum RequestError {
    /// The server was not reached, or did not answer in time.
    Connection(String),
    /// The server answered with an error: Graph's `code` and `message`.
    Api {
        status: StatusCode,
        code: String,
        message: String,
    },
    /// The server answered something this client does not understand.
    Protocol(String),
}

impl RequestError {
    /// `code: message`, as printed after `error: `.
    pub(crate) fn describe(&self) -> String {
        match self {
            RequestError::Connection(message) | RequestError::Protocol(message) => message.clone(),
            RequestError::Api { code, message, .. } => format!("{code}: {message}"),
        }
    }

    /// The code for a result row: Graph's code, or one of the client's own.
    pub(crate) fn code(&self) -> &str {
        match self {
            RequestError::Connection(_) => "connection_failed",
            RequestError::Protocol(_) => "bad_response",
            RequestError::Api { code, .. } => code,
        }
    }

    /// The message for a result row.
    pub(crate) fn message(&self) -> &str {
        match self {
            RequestError::Connection(message) | RequestError::Protocol(message) => message,
            RequestError::Api { message, .. } => message,
        }
    }
}

impl From<RequestError> for Failure {
    fn from(error: RequestError) -> Self {
        match &error {
            RequestError::Connection(_) => Failure::connection(error.describe()),
            RequestError::Api { .. } | RequestError::Protocol(_) => Failure::refused(error.describe()),
        }
    }
}

/// A client for one server and token.
#[derive(Debug)]
pub(crate) struct Client {
    http: reqwest::Client,
    target: Target,
    origin: Url,
}

impl Client {
    pub(crate) fn new(target: Target) -> Result<Self, Failure> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("roster-cli/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(600))
            .build()
            .map_err(|error| Failure::usage(format!("cannot set up the HTTP client: {error}")))?;
        let origin = Url::parse(&target.server)
            .map_err(|error| Failure::usage(format!("bad server URL '{}': {error}", target.server)))?;
        Ok(Client { http, target, origin })
    }

    pub(crate) fn server(&self) -> &str {
        &self.target.server
    }

    /// `server` + `path` (which starts with `/`), with path segments given apart so that
    /// user names are percent-encoded, and query pairs.
    pub(crate) fn url(&self, path: &str, segments: &[&str], query: &[(&str, &str)]) -> Url {
        let mut url = Url::parse(&format!("{}{path}", self.target.server)).unwrap_or_else(|_| self.origin.clone());
        if !segments.is_empty()
            && let Ok(mut parts) = url.path_segments_mut()
        {
            parts.pop_if_empty().extend(segments);
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }

    /// Sends one request and returns the body of a successful answer (`Null` when empty).
    pub(crate) async fn send(&self, method: Method, url: Url, body: Option<&Value>) -> Result<Value, RequestError> {
        let mut request: RequestBuilder = self
            .http
            .request(method, url)
            .bearer_auth(&self.target.token)
            .header("accept", "application/json");
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|error| self.connection_error(&error))?;
        let status = response.status();
        let text = response.text().await.map_err(|error| self.connection_error(&error))?;
        if status.is_success() {
            if text.trim().is_empty() {
                return Ok(Value::Null);
            }
            return serde_json::from_str(&text).map_err(|error| {
                RequestError::Protocol(format!(
                    "{} answered {status} with a body that is not JSON: {error}",
                    self.server()
                ))
            });
        }
        Err(api_error(status, &text))
    }

    pub(crate) async fn get(&self, url: Url) -> Result<Value, RequestError> {
        self.send(Method::GET, url, None).await
    }

    /// Every item of a Graph collection, following `@odata.nextLink` until there is none.
    pub(crate) async fn get_all(&self, first: Url) -> Result<Vec<Value>, RequestError> {
        let mut items = Vec::new();
        let mut next = Some(first);
        let mut pages = 0usize;
        while let Some(url) = next.take() {
            pages += 1;
            if pages > 100_000 {
                return Err(RequestError::Protocol("the server's paging does not end".into()));
            }
            let mut page = self.get(url).await?;
            match page.get_mut("value").map(Value::take) {
                Some(Value::Array(values)) => items.extend(values),
                _ => {
                    return Err(RequestError::Protocol(format!(
                        "{} answered a collection without `value`",
                        self.server()
                    )));
                }
            }
            if let Some(link) = page.get("@odata.nextLink").and_then(Value::as_str) {
                next = Some(self.same_server(link)?);
            }
        }
        Ok(items)
    }

    /// A next link, sent only to the server this client talks to: a link naming another
    /// origin (a proxy that rewrote the host, say) keeps its path and query but gets ours,
    /// so the token never goes elsewhere.
    fn same_server(&self, link: &str) -> Result<Url, RequestError> {
        let mut url = Url::parse(link)
            .or_else(|_| self.origin.join(link))
            .map_err(|error| RequestError::Protocol(format!("bad @odata.nextLink '{link}': {error}")))?;
        if url.origin() != self.origin.origin() {
            let mut rebased = self.origin.clone();
            rebased.set_path(url.path());
            rebased.set_query(url.query());
            url = rebased;
        }
        Ok(url)
    }

    fn connection_error(&self, error: &reqwest::Error) -> RequestError {
        let mut cause: &dyn std::error::Error = error;
        while let Some(source) = cause.source() {
            cause = source;
        }
        let what = if error.is_timeout() {
            "the server did not answer in time".to_owned()
        } else {
            cause.to_string()
        };
        RequestError::Connection(format!(
            "cannot reach the Roster server at {}: {what}. Is `roster serve` running there, and is the URL right?",
            self.server()
        ))
    }
}

/// Graph's envelope `{"error":{"code","message"}}`, or the status and body of anything else.
fn api_error(status: StatusCode, text: &str) -> RequestError {
    let envelope: Option<(String, String)> = serde_json::from_str::<Value>(text).ok().and_then(|body| {
        let error = body.get("error")?;
        let code = error.get("code")?.as_str()?.to_owned();
        let message = error
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        Some((code, message))
    });
    let (code, message) = envelope.unwrap_or_else(|| {
        let mut body: String = text.trim().chars().take(200).collect();
        if body.is_empty() {
            body = status.canonical_reason().unwrap_or("no message").to_owned();
        }
        (format!("HTTP {}", status.as_u16()), body)
    });
    RequestError::Api { status, code, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_envelopes_and_other_bodies_become_code_and_message() {
        let graph = api_error(
            StatusCode::UNAUTHORIZED,
            r#"{"error":{"code":"InvalidAuthenticationToken","message":"Access token is empty.","innerError":{}}}"#,
        );
        assert_eq!(graph.describe(), "InvalidAuthenticationToken: Access token is empty.");
        let proxy = api_error(StatusCode::BAD_GATEWAY, "<html>bad gateway</html>");
        assert_eq!(proxy.describe(), "HTTP 502: <html>bad gateway</html>");
        let empty = api_error(StatusCode::NOT_FOUND, "");
        assert_eq!(empty.describe(), "HTTP 404: Not Found");
    }

    #[test]
    fn next_links_stay_on_the_server() {
        let client = Client::new(Target {
            server: "https://roster.contoso.com".into(),
            token: "t".into(),
        })
        .unwrap();
        let same = client
            .same_server("https://roster.contoso.com/v1.0/users?$skiptoken=a")
            .unwrap();
        assert_eq!(same.as_str(), "https://roster.contoso.com/v1.0/users?$skiptoken=a");
        let other = client
            .same_server("http://internal:8080/v1.0/users?$skiptoken=a")
            .unwrap();
        assert_eq!(other.as_str(), "https://roster.contoso.com/v1.0/users?$skiptoken=a");
        let url = client.url("/v1.0/users", &["a b#c@contoso.com"], &[("$top", "1")]);
        assert_eq!(
            url.as_str(),
            "https://roster.contoso.com/v1.0/users/a%20b%23c@contoso.com?%24top=1"
        );
    }
}
