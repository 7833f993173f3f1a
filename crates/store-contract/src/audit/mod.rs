//! Audit cases over the use cases and the raw database: T34, one record per effect over a
//! whole scripted history, and T35's append-only table (triggers refuse UPDATE and DELETE
//! of audit rows, except Roster's own one-time filling of chain fields).

mod append_only;
mod history;
mod ledger;

pub use append_only::*;
pub use history::*;

pub(crate) use append_only::{lift_append_only_guard, restore_append_only_guard};
