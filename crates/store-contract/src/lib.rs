//! The storage contract: one behavioural suite that every storage adapter must pass.
//!
//! Each backend's `tests/contract.rs` calls [`contract_tests!`] with a function that makes
//! a fresh, empty [`TestDb`]; the macro expands to one `#[tokio::test]` per case, so the
//! same names appear in both backends' test output. Cases in [`port`] exercise the storage
//! port directly; cases in [`lifecycle`] drive the domain's use cases with a manual clock.

pub mod lifecycle;
pub mod port;

use directory::store::Store;
use futures::future::BoxFuture;
use std::sync::Arc;

/// Opens stores on one fresh database. Every call opens a new store with its own
/// connections, as a second process would.
pub struct TestDb {
    open: Box<dyn Fn() -> BoxFuture<'static, Arc<dyn Store>> + Send + Sync>,
}

impl TestDb {
    pub fn new(open: impl Fn() -> BoxFuture<'static, Arc<dyn Store>> + Send + Sync + 'static) -> Self {
        TestDb { open: Box::new(open) }
    }

    pub async fn store(&self) -> Arc<dyn Store> {
        (self.open)().await
    }
}

/// Expands to one test per contract case for a backend: `contract_tests!(fresh_db)` where
/// `async fn fresh_db() -> TestDb`. Every case is listed here, once.
#[macro_export]
macro_rules! contract_tests {
    ($fresh:path) => {
        $crate::contract_tests!(@cases $fresh;
            port::user_round_trips_with_every_property,
            port::upn_is_unique_among_active_users_ignoring_case,
            port::addresses_are_unique_across_users_and_groups,
            port::deleted_users_keep_reserving_addresses_until_released,
            port::seats_are_taken_only_while_free_unless_overage,
            port::purge_deletes_once_and_cascades,
            port::tokens_round_trip_and_revoke,
            port::audit_events_round_trip_newest_first,
        );
    };
    (@cases $fresh:path; $($module:ident :: $case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let db = $fresh().await;
                $crate::$module::$case(db).await;
            }
        )*
    };
}
