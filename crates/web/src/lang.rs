//! The page language: the `roster-lang` cookie set by the switcher, else the signed-in
//! user's preferred language, else the browser's `Accept-Language`, else English.

use axum::Router;
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use roster_i18n::{Arg, Lang};
use serde::Deserialize;

/// The cookie the language switcher sets.
pub const LANG_COOKIE: &str = "roster-lang";

/// Translations for templates: `{{ t.get("key") }}`.
#[derive(Debug, Clone, Copy)]
pub struct Tr(pub Lang);

impl Tr {
    pub fn get(&self, key: &str) -> String {
        self.0.t(key)
    }

    /// A message with one text argument.
    pub fn with(&self, key: &str, name: &str, value: &str) -> String {
        self.0.t_args(key, &[(name, Arg::Text(value))])
    }

    /// A message with one number argument (plural forms pick on it).
    pub fn num(&self, key: &str, name: &str, value: impl std::borrow::Borrow<i64>) -> String {
        self.0.t_args(key, &[(name, Arg::Number(*value.borrow()))])
    }

    /// The `lang` attribute of the page.
    pub fn tag(&self) -> &'static str {
        self.0.tag()
    }

    pub fn lang(&self) -> Lang {
        self.0
    }
}

/// The language for a request, given the signed-in user's preference if any.
pub fn negotiate(jar: &CookieJar, headers: &HeaderMap, preferred: Option<&str>) -> Lang {
    let chosen = jar.get(LANG_COOKIE).and_then(|c| Lang::from_tag(c.value()));
    let accept = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
    chosen.unwrap_or_else(|| Lang::negotiate(preferred, accept))
}

pub(crate) fn routes() -> Router<crate::WebState> {
    Router::new().route("/lang/{tag}", get(switch))
}

#[derive(Debug, Deserialize)]
struct Back {
    back: Option<String>,
}

/// Sets the language cookie and goes back to the page the switcher was on.
async fn switch(Path(tag): Path<String>, Query(back): Query<Back>, jar: CookieJar) -> impl IntoResponse {
    let jar = match Lang::from_tag(&tag) {
        Some(lang) => jar.add(
            Cookie::build((LANG_COOKIE, lang.tag()))
                .path("/")
                .same_site(SameSite::Lax)
                .http_only(true)
                .max_age(time::Duration::days(365)),
        ),
        None => jar,
    };
    (jar, Redirect::to(&local_path(back.back.as_deref())))
}

/// A path on this site to return to: anything else (another host, a scheme) becomes `/`.
pub fn local_path(path: Option<&str>) -> String {
    match path {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') => p.to_owned(),
        _ => "/".to_owned(),
    }
}
