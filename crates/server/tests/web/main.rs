//! The admin center and account pages over real HTTP, as a browser without JavaScript
//! would use them: cookies, forms with CSRF tokens, redirects.

#[path = "../graph/backend.rs"]
mod backend;
mod directory_pages;
mod hostile_forms;
mod restore;
#[path = "../common/routes.rs"]
mod routes;
mod security;
mod set_password;
mod sign_in;
mod support;
mod users;
