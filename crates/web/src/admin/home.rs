//! The admin center's home: how many users there are, active and deleted, with links.

use crate::WebState;
use crate::page::{Chrome, Section, domain_error, render};
use crate::session::Admin;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;

pub(super) fn routes() -> Router<WebState> {
    Router::new().route("/admin", get(home))
}

#[derive(Template)]
#[template(path = "admin/home.html")]
struct HomePage {
    chrome: Chrome,
    active: u64,
    deleted: u64,
}

async fn home(State(state): State<WebState>, Admin(signed): Admin) -> Response {
    let caller = &signed.session.caller;
    let counts = async {
        let active = state.directory.count_users(caller).await?;
        let deleted = state.directory.count_deleted_users(caller).await?;
        Ok::<_, directory::Error>((active, deleted))
    };
    match counts.await {
        Ok((active, deleted)) => render(&HomePage {
            chrome: signed.chrome(Section::Home),
            active,
            deleted,
        }),
        Err(error) => domain_error(signed.t(), &error),
    }
}
