//! Roster's domain: the organisation directory and the deleted-user lifecycle.
//!
//! [`Directory`] is the façade every adapter calls: Graph, the admin center, the CLI and
//! the background jobs are peers with no private path to storage. Each use case checks the
//! [`Caller`], reads the [`Clock`] once, and owns one transaction on the [`Store`] (one per
//! user in bulk operations). Nothing in this crate knows HTTP or SQL.
//!
//! Module map:
//! - [`error`]: the public error-code table and the domain error.
//! - [`upn`], [`address`], [`password`]: values that are valid by construction.
//! - [`caller`], [`role`]: who may do what, including the sensitive-action matrix.
//! - [`tenant`], [`user`], [`group`], [`license`], [`token`], [`audit`]: the model.
//! - [`audit_chain`]: the audit log's hash chain and its verifier.
//! - [`app`]: app registrations, client secrets and the client-credentials grant.
//! - [`mail`]: the transactional outbox, set-password links and mail settings.
//! - [`recycle_bin`]: delete, restore (planning and applying) and purge.
//! - [`query`]: filtering, sorting and paging users (conditions, cursors, pages).
//! - [`store`]: the storage port the adapters implement.
//! - [`clock`]: injected time.
//! - [`views`]: read models for the admin center's pages.

pub mod address;
pub mod app;
pub mod audit;
pub mod audit_chain;
pub mod caller;
pub mod clock;
pub mod error;
pub mod group;
pub mod ids;
pub mod license;
pub mod mail;
pub mod password;
pub mod query;
pub mod recycle_bin;
pub mod replica;
pub mod role;
pub mod store;
pub mod tenant;
pub mod token;
pub mod upn;
pub mod user;
pub mod views;

mod directory;

pub use caller::{Caller, Origin, Permission, Principal};
pub use clock::{Clock, DatabaseClock, ManualClock, SystemClock, Timestamp};
pub use directory::Directory;
pub use error::{Code, Error, Kind, Result};
