//! "Roles": each built-in admin role with the active users who hold it.

use crate::WebState;
use crate::page::{Chrome, Section, domain_error, render};
use crate::session::Admin;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use directory::views::RoleAssignments;

pub(super) fn routes() -> Router<WebState> {
    Router::new().route("/admin/roles", get(roles))
}

#[derive(Template)]
#[template(path = "admin/roles.html")]
struct RolesPage {
    chrome: Chrome,
    roles: Vec<RoleAssignments>,
}

async fn roles(State(state): State<WebState>, Admin(signed): Admin) -> Response {
    match state.directory.role_assignments(&signed.session.caller).await {
        Ok(roles) => render(&RolesPage {
            chrome: signed.chrome(Section::Roles),
            roles,
        }),
        Err(error) => domain_error(signed.t(), &error),
    }
}
