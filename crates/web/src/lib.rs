//! Roster's admin center and account pages: server-rendered HTML (askama) in English and
//! Dutch, with password sign-in, sessions, CSRF protection and the restore wizard.
//!
//! - [`session`]: the session cookie, the [`session::Signed`] and [`session::Admin`]
//!   extractors, and CSRF tokens derived from the session.
//! - [`page`]: what every page shares (language, the signed-in user, navigation) and the
//!   readable error page every failure renders.
//! - [`sign_in`] and [`account`]: signing in and out, "My account", changing a password;
//!   `set_password`: the page a one-time set-password link opens.
//! - [`admin`]: the admin center.
//!
//! Handlers parse forms into domain values, call one `Directory` use case and render a
//! template; the rules live in the domain.

pub mod account;
pub mod admin;
mod assets;
pub mod client_ip;
pub mod lang;
pub mod page;
pub mod session;
mod set_password;
pub mod sign_in;
pub mod throttle;

use axum::Router;
use directory::Directory;
use directory::user::sign_in::SessionPolicy;
use std::sync::Arc;

/// How the pages are served.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Whether browsers reach Roster over HTTPS (directly or through a proxy). Then the
    /// session cookie is a `__Host-` cookie with `Secure`.
    pub secure_cookies: bool,
    /// How long a session lasts after sign-in, and how long it may sit idle.
    pub sessions: SessionPolicy,
    /// Password attempts allowed per client address.
    pub attempts: throttle::AttemptLimit,
    /// Reverse proxies whose `X-Forwarded-For` says who the client is.
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            sessions: SessionPolicy::DEFAULT,
            attempts: throttle::AttemptLimit::DEFAULT,
            trusted_proxies: Vec::new(),
        }
    }
}

/// Everything a page handler needs. Cheap to clone.
#[derive(Debug, Clone)]
pub struct WebState {
    pub directory: Directory,
    pub config: Arc<WebConfig>,
    pub attempts: throttle::AttemptThrottle,
}

impl WebState {
    pub fn new(directory: Directory, config: WebConfig) -> Self {
        WebState {
            directory,
            attempts: throttle::AttemptThrottle::new(config.attempts),
            config: Arc::new(config),
        }
    }
}

/// The pages, to merge into the HTTP application.
pub fn router(state: WebState) -> Router {
    Router::new()
        .merge(assets::routes())
        .merge(lang::routes())
        .merge(sign_in::routes())
        .merge(account::routes())
        .merge(set_password::routes())
        .merge(admin::routes())
        .layer(axum::middleware::from_fn(page::readable_rejections))
        .layer(axum::middleware::from_fn(session::same_origin))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            page::security_headers,
        ))
        .with_state(state)
}

#[cfg(test)]
mod tests;
