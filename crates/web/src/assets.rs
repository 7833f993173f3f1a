//! Static assets compiled into the binary: the stylesheet.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

const STYLESHEET: &str = include_str!("../assets/roster.css");

pub(crate) fn routes() -> Router<crate::WebState> {
    Router::new().route("/assets/roster.css", get(stylesheet))
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
}
