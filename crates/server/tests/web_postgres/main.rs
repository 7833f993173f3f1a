//! The page tests of `tests/web` (the same modules, the same test names) against
//! PostgreSQL: each test app gets its own schema in the test database, as in
//! `tests/graph_postgres`.

#[path = "../graph_postgres/backend.rs"]
mod backend;
#[path = "../web/directory_pages.rs"]
mod directory_pages;
#[path = "../web/hostile_forms.rs"]
mod hostile_forms;
#[path = "../web/restore.rs"]
mod restore;
#[path = "../common/routes.rs"]
mod routes;
#[path = "../web/security.rs"]
mod security;
#[path = "../web/set_password.rs"]
mod set_password;
#[path = "../web/sign_in.rs"]
mod sign_in;
#[path = "../web/support.rs"]
mod support;
#[path = "../web/users.rs"]
mod users;
