//! The admin center: every page needs a signed-in user with an admin role, and every
//! action is still checked by the domain against the caller's roles.

mod audit;
mod deleted;
mod groups;
mod home;
mod licenses;
mod mail;
mod roles;
mod users;

use crate::WebState;
use axum::Router;

pub(crate) fn routes() -> Router<WebState> {
    Router::new()
        .merge(home::routes())
        .merge(users::routes())
        .merge(licenses::routes())
        .merge(roles::routes())
        .merge(groups::routes())
        .merge(audit::routes())
        .merge(deleted::routes())
        .merge(mail::routes())
}
