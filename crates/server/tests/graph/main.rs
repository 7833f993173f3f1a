//! Graph v1.0 conformance tests (graph-lifecycle.md §6), against the real router served
//! in-process on port 0 over SQLite, with a manual clock. `tests/graph_postgres` runs the
//! same modules over PostgreSQL.

mod backend;
mod batch;
mod deleted_items;
mod errors;
mod filters;
mod hostile_bodies;
mod oauth;
mod relations;
mod role_matrix;
mod roster_api;
#[path = "../common/routes.rs"]
mod routes;
mod secrets;
mod support;
mod tampering;
mod unicode_names;
mod users;
