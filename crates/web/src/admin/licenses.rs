//! "Licenses": each subscription with the seats bought, used and free.

use crate::WebState;
use crate::page::{Chrome, Section, domain_error, render};
use crate::session::Admin;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use directory::license::Sku;

pub(super) fn routes() -> Router<WebState> {
    Router::new().route("/admin/licenses", get(licenses))
}

#[derive(Template)]
#[template(path = "admin/licenses.html")]
struct LicensesPage {
    chrome: Chrome,
    subscriptions: Vec<Sku>,
}

async fn licenses(State(state): State<WebState>, Admin(signed): Admin) -> Response {
    match state.directory.subscriptions(&signed.session.caller).await {
        Ok(mut subscriptions) => {
            subscriptions.sort_by(|a, b| a.part_number.cmp(&b.part_number));
            render(&LicensesPage {
                chrome: signed.chrome(Section::Licenses),
                subscriptions,
            })
        }
        Err(error) => domain_error(signed.t(), &error),
    }
}
