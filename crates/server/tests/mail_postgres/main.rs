//! The mail tests of `tests/mail` that start `roster` (the same modules, the same test
//! names) against PostgreSQL: each test gets its own schema in the test database. The TLS
//! tests (`tests/mail/tls.rs`) keep no directory, so they run only in `tests/mail`.

mod backend;
#[path = "../mail/delivery.rs"]
mod delivery;
#[path = "../mail/injection.rs"]
mod injection;
#[path = "../common/process.rs"]
mod process;
#[path = "../mail/support.rs"]
mod support;
