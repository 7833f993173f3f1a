//! The Graph conformance tests of `tests/graph` (the same modules, the same test names),
//! against PostgreSQL: each test app gets its own schema in the test database.

#[path = "../graph/batch.rs"]
mod batch;
#[path = "../graph/deleted_items.rs"]
mod deleted_items;
#[path = "../graph/errors.rs"]
mod errors;
#[path = "../graph/filters.rs"]
mod filters;
#[path = "../graph/hostile_bodies.rs"]
mod hostile_bodies;
#[path = "../graph/oauth.rs"]
mod oauth;
#[path = "../graph/relations.rs"]
mod relations;
#[path = "../graph/role_matrix.rs"]
mod role_matrix;
#[path = "../graph/roster_api.rs"]
mod roster_api;
#[path = "../common/routes.rs"]
mod routes;
#[path = "../graph/secrets.rs"]
mod secrets;
#[path = "../graph/support.rs"]
mod support;
#[path = "../graph/tampering.rs"]
mod tampering;
#[path = "../graph/unicode_names.rs"]
mod unicode_names;
#[path = "../graph/users.rs"]
mod users;

mod backend;
