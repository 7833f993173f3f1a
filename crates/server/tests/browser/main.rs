//! End-to-end tests in real headless Chromium (Debian's `chromium` and `chromium-driver`),
//! driven over W3C WebDriver from `cargo test`: the app is served in-process on SQLite with
//! a manual clock (the page tests' support), set up through the directory's use cases,
//! and then used only through the browser, in English and in Dutch. Each scenario saves
//! screenshots under `target/browser/<scenario>-<lang>/`.
//!
//! Without `chromedriver` the tests fail with a message saying how to install it.

mod account;
#[path = "../graph/backend.rs"]
mod backend;
mod bulk;
mod driver;
mod restore;
mod scenario;
mod steps;
#[path = "../web/support.rs"]
#[allow(dead_code)]
mod support;
