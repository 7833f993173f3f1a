//! "Groups": the security groups, and one group with its members and owners.

use crate::WebState;
use crate::page::{Chrome, Section, domain_error, render};
use crate::session::Admin;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use directory::Error;
use directory::group::Group;
use directory::ids::GroupId;
use directory::views::GroupDetails;

pub(super) fn routes() -> Router<WebState> {
    Router::new()
        .route("/admin/groups", get(groups))
        .route("/admin/groups/{id}", get(group))
}

#[derive(Template)]
#[template(path = "admin/groups.html")]
struct GroupsPage {
    chrome: Chrome,
    groups: Vec<Group>,
}

async fn groups(State(state): State<WebState>, Admin(signed): Admin) -> Response {
    match state.directory.groups(&signed.session.caller).await {
        Ok(mut groups) => {
            groups.sort_by_cached_key(|group| (group.display_name.to_lowercase(), group.id));
            render(&GroupsPage {
                chrome: signed.chrome(Section::Groups),
                groups,
            })
        }
        Err(error) => domain_error(signed.t(), &error),
    }
}

#[derive(Template)]
#[template(path = "admin/group.html")]
struct GroupPage {
    chrome: Chrome,
    details: GroupDetails,
}

async fn group(State(state): State<WebState>, Admin(signed): Admin, Path(id): Path<String>) -> Response {
    let t = signed.t();
    let Ok(id) = id.parse::<GroupId>() else {
        return domain_error(t, &Error::NotFound { id });
    };
    match state.directory.group_details(&signed.session.caller, id).await {
        Ok(details) => render(&GroupPage {
            chrome: signed.chrome(Section::Groups),
            details,
        }),
        Err(error) => domain_error(t, &error),
    }
}
