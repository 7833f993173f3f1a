//! What every page shares: the [`Chrome`] (language, signed-in user, navigation, CSRF
//! token), rendering, the readable error page, and security headers.

use crate::WebState;
use crate::lang::Tr;
use askama::Template;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use directory::{Error, Kind};
use roster_i18n::Lang;

/// The navigation section a page belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    None,
    Home,
    Users,
    DeletedUsers,
    Groups,
    Licenses,
    Roles,
    Audit,
    Mail,
    Account,
}

/// The admin center's navigation: section, path and label key.
pub const NAV: [(Section, &str, &str); 9] = [
    (Section::Home, "/admin", "nav-home"),
    (Section::Users, "/admin/users", "nav-users"),
    (Section::DeletedUsers, "/admin/deleted-users", "nav-deleted-users"),
    (Section::Groups, "/admin/groups", "nav-groups"),
    (Section::Licenses, "/admin/licenses", "nav-licenses"),
    (Section::Roles, "/admin/roles", "nav-roles"),
    (Section::Audit, "/admin/audit", "nav-audit"),
    (Section::Mail, "/admin/mail", "nav-mail"),
    (Section::Account, "/account", "nav-account"),
];

/// The frame around every page.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub t: Tr,
    /// The signed-in user's display name; `None` on pages before sign-in.
    pub user_name: Option<String>,
    pub admin: bool,
    /// The CSRF token every form on the page carries.
    pub csrf: String,
    /// This page's path and query, for the language switcher to come back to.
    pub path: String,
    pub section: Section,
}

impl Chrome {
    /// The chrome of a page seen before signing in.
    pub fn anonymous(t: Tr, csrf: String, path: &str) -> Chrome {
        Chrome {
            t,
            user_name: None,
            admin: false,
            csrf,
            path: path.to_owned(),
            section: Section::None,
        }
    }

    pub fn nav(&self) -> Vec<NavLink> {
        NAV.iter()
            .map(|(section, href, key)| NavLink {
                href,
                label: self.t.get(key),
                current: *section == self.section,
            })
            .collect()
    }

    /// The other languages, for the switcher.
    pub fn other_languages(&self) -> Vec<Lang> {
        Lang::ALL.into_iter().filter(|l| *l != self.t.lang()).collect()
    }
}

#[derive(Debug)]
pub struct NavLink {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

/// A UTC date as `YYYY-MM-DD`.
pub fn date(at: directory::Timestamp) -> String {
    let d = at.to_offset(time::UtcOffset::UTC).date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// A UTC date and time as `YYYY-MM-DD HH:MM:SS`.
pub fn date_time(at: directory::Timestamp) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!("{} {:02}:{:02}:{:02}", date(at), at.hour(), at.minute(), at.second())
}

/// Renders a template as an HTML response.
pub fn render(template: &impl Template) -> Response {
    match template.render() {
        Ok(body) => Html(body).into_response(),
        Err(error) => {
            tracing::error!(%error, "a template failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "The page could not be rendered.").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    chrome: Chrome,
    title: &'a str,
    message: &'a str,
}

/// A readable error page with a status.
pub fn error_page(t: Tr, status: StatusCode, title: &str, message: &str) -> Response {
    let page = ErrorPage {
        chrome: Chrome::anonymous(t, String::new(), "/"),
        title,
        message,
    };
    (status, render(&page)).into_response()
}

/// The HTTP status for a domain error.
pub fn status_of(error: &Error) -> StatusCode {
    match error.kind() {
        Kind::Invalid => StatusCode::BAD_REQUEST,
        Kind::NotFound => StatusCode::NOT_FOUND,
        Kind::Conflict => StatusCode::CONFLICT,
        Kind::Forbidden => StatusCode::FORBIDDEN,
        Kind::Unauthenticated => StatusCode::UNAUTHORIZED,
        Kind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        Kind::Throttled => StatusCode::TOO_MANY_REQUESTS,
        Kind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// A domain error explained in the page's language: the code's translated description,
/// and the specific detail.
pub fn explain(t: Tr, error: &Error) -> String {
    let general = t.get(&format!("error-code-{}", error.code().as_str().replace('_', "-")));
    match error.kind() {
        Kind::Internal | Kind::Unavailable => general,
        _ => format!("{general} ({error})"),
    }
}

/// The error page for a domain error.
pub fn domain_error(t: Tr, error: &Error) -> Response {
    if error.kind() == Kind::Internal {
        tracing::error!(%error, "a page failed");
    }
    let mut response = error_page(t, status_of(error), &t.get("error-title"), &explain(t, error));
    if error.kind() == Kind::Unavailable {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    }
    response
}

/// Turns the framework's plain-text refusals of a request (a body too large, not a form,
/// not UTF-8) into the readable error page, keeping their status.
pub async fn readable_rejections(request: Request, next: Next) -> Response {
    let jar = axum_extra::extract::CookieJar::from_headers(request.headers());
    let t = Tr(crate::lang::negotiate(&jar, request.headers(), None));
    let response = next.run(request).await;
    let plain_text = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/plain"));
    if response.status().is_client_error() && plain_text {
        let (title, body) = (t.get("error-request-title"), t.get("error-request-body"));
        return error_page(t, response.status(), &title, &body);
    }
    response
}

/// Browsers keep to https for two years once they saw this over https.
const HSTS: &str = "max-age=63072000";

/// Headers every page carries: no framing, no sniffing, no caching of personal pages, a
/// content security policy that allows only this origin, and, when the organisation is
/// served over https, HSTS.
pub async fn security_headers(State(state): State<WebState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if state.config.secure_cookies {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    }
    let set = [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
    ];
    for (name, value) in set {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
