//! The storage contract: one behavioural suite that every storage adapter must pass.
//!
//! Each backend's `tests/contract.rs` calls [`contract_tests!`] with a function that makes
//! a fresh, empty [`TestDb`]; the macro expands to one `#[tokio::test]` per case, so the
//! same names appear in both backends' test output. Cases in [`port`] exercise the storage
//! port directly; cases in [`lifecycle`] drive the domain's use cases with a manual clock;
//! cases in [`audit`] check the audit log against a whole history and the raw database.

pub mod audit;
pub mod batched;
pub mod lifecycle;
pub mod port;

use directory::store::Store;
use futures::future::BoxFuture;
use std::sync::Arc;

/// Opens stores on one fresh database. Every call opens a new store with its own
/// connections, as a second process would.
pub struct TestDb {
    open: Box<dyn Fn() -> BoxFuture<'static, Arc<dyn Store>> + Send + Sync>,
    cleanup: Cleanup,
    raw_sql: Option<RawSql>,
}

/// Runs SQL straight on a test database, around the store: how the tamper cases edit rows.
/// Fails with the database's message.
pub type RawSql = Arc<dyn Fn(String) -> BoxFuture<'static, Result<(), String>> + Send + Sync>;

/// Removes a test database after a case passed (a failed case keeps it for inspection).
#[derive(Clone, Default)]
pub struct Cleanup(Option<Arc<dyn Fn() -> BoxFuture<'static, ()> + Send + Sync>>);

impl Cleanup {
    pub async fn run(self) {
        if let Some(cleanup) = self.0 {
            cleanup().await;
        }
    }
}

impl std::fmt::Debug for Cleanup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Cleanup")
    }
}

impl std::fmt::Debug for TestDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TestDb")
    }
}

impl TestDb {
    pub fn new(open: impl Fn() -> BoxFuture<'static, Arc<dyn Store>> + Send + Sync + 'static) -> Self {
        TestDb {
            open: Box::new(open),
            cleanup: Cleanup::default(),
            raw_sql: None,
        }
    }

    /// Lets cases run SQL around the store (statements valid on both backends).
    pub fn with_raw_sql(
        mut self,
        raw_sql: impl Fn(String) -> BoxFuture<'static, Result<(), String>> + Send + Sync + 'static,
    ) -> Self {
        self.raw_sql = Some(Arc::new(raw_sql));
        self
    }

    /// Runs SQL straight on the database; panics when it fails or the backend gave no hook.
    pub async fn raw_sql(&self, sql: &str) {
        if let Err(error) = self.try_raw_sql(sql).await {
            panic!("raw SQL failed: {error}\n{sql}");
        }
    }

    /// Runs SQL straight on the database and says how it ended (the append-only cases
    /// expect refusals); panics when the backend gave no hook.
    pub async fn try_raw_sql(&self, sql: &str) -> Result<(), String> {
        let run = self
            .raw_sql
            .as_ref()
            .expect("this backend's TestDb has no raw SQL hook");
        run(sql.to_owned()).await
    }

    /// Whether the database is SQLite (its raw SQL knows `sqlite_version()`); the few
    /// statements that differ between the backends, such as dropping a trigger, ask.
    pub async fn is_sqlite(&self) -> bool {
        self.try_raw_sql("SELECT sqlite_version()").await.is_ok()
    }

    /// Runs `cleanup` after a case that passed.
    pub fn with_cleanup(mut self, cleanup: impl Fn() -> BoxFuture<'static, ()> + Send + Sync + 'static) -> Self {
        self.cleanup = Cleanup(Some(Arc::new(cleanup)));
        self
    }

    pub fn cleanup(&self) -> Cleanup {
        self.cleanup.clone()
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
            port::what_a_purge_leaves_for_later_never_shows_and_is_forgotten,
            port::a_read_sees_one_snapshot_while_a_purge_commits,
            port::tokens_round_trip_and_revoke,
            port::audit_events_round_trip_newest_first,
            port::a_page_of_the_bin_reads_every_detail_as_the_single_reads_do,
            port::a_filtered_page_is_the_same_whether_the_window_holds_it_or_not,
            port::the_bin_count_stays_exact_through_deletes_restores_purges_and_rollbacks,
            port::a_restore_reads_its_user_with_details_and_current_groups_in_one_read,
            port::a_restore_from_what_was_read_writes_the_user_back_whatever_changed,
            port::a_restore_from_what_was_read_conflicts_on_a_taken_address,
            port::a_soft_delete_remembers_groups_frees_seats_revokes_tokens_and_keeps_the_rest,
            port::a_soft_delete_releases_addresses_only_when_asked,
            port::a_soft_delete_of_a_user_not_active_returns_false_and_changes_nothing,
            port::racing_soft_deletes_of_one_user_delete_it_once,
            lifecycle::bulk_restore_reports_each_user_in_input_order_and_is_never_all_or_nothing,
            lifecycle::preview_reports_what_restore_would_do_and_changes_nothing,
            lifecycle::deleting_frees_the_name_and_keeps_everything_on_the_deleted_user,
            lifecycle::deleting_is_refused_without_the_role_and_changes_nothing,
            lifecycle::assigning_a_licence_needs_a_usage_location_and_a_free_seat,
            lifecycle::restore_without_a_free_seat_drops_the_licence_by_default,
            lifecycle::restore_without_a_free_seat_over_assigns_under_the_overage_policy,
            lifecycle::permanent_delete_is_final_and_audited_once,
            lifecycle::the_purge_job_purges_only_expired_users_and_audits_each_once,
            lifecycle::a_shorter_retention_applies_to_users_already_deleted,
            lifecycle::two_purge_runners_purge_each_expired_user_exactly_once,
            lifecycle::racing_restores_and_creates_for_one_upn_leave_exactly_one_holder,
            lifecycle::a_restored_user_has_exactly_its_memberships_roles_licences_and_manager_back,
            lifecycle::a_upn_conflict_fails_by_default_and_changes_nothing,
            lifecycle::a_new_upn_resolves_a_upn_conflict_and_becomes_the_primary_address,
            lifecycle::replacing_the_active_user_renames_it_in_the_same_transaction,
            lifecycle::replacing_a_privileged_active_user_needs_a_role_that_reaches_it,
            lifecycle::a_proxy_conflict_fails_unless_reconciled_and_reconcile_promotes_a_new_primary,
            lifecycle::restore_works_until_one_second_before_retention_ends,
            lifecycle::restore_at_the_end_of_retention_is_refused_and_the_user_is_purged,
            lifecycle::a_user_admin_cannot_restore_a_deleted_global_admin_and_nothing_changes,
            lifecycle::a_synced_user_is_refused,
            lifecycle::a_group_deleted_meanwhile_is_reported_as_skipped,
            lifecycle::creating_a_user_checks_domain_and_uniqueness_and_audits,
            lifecycle::initializing_twice_is_refused_and_the_first_admin_must_change_its_password,
            lifecycle::tokens_work_until_revoked_expired_or_their_user_is_deleted,
            lifecycle::the_last_global_admin_cannot_be_deleted_disabled_or_demoted,
            lifecycle::passwords_follow_the_user_through_delete_and_restore,
            lifecycle::filters_agree_with_the_reference_for_every_operator_and_field,
            lifecycle::text_matching_ignores_case_including_non_ascii_letters,
            lifecycle::starts_with_treats_like_wildcards_as_plain_characters,
            lifecycle::keyset_pages_walk_both_directions_through_ties,
            lifecycle::a_cursor_from_another_order_is_refused,
            lifecycle::keys_follow_updates_and_restores,
            lifecycle::deleted_users_are_filtered_by_deletion_time_and_expired_ones_never_found,
            lifecycle::app_secrets_round_trip_expire_and_refuse_a_wrong_secret,
            lifecycle::app_tokens_follow_the_app_roles_and_die_with_the_app,
            lifecycle::app_changes_and_app_token_issuance_are_audited,
            lifecycle::repeated_failures_lock_sign_in_per_name_until_the_lockout_ends,
            lifecycle::a_password_spray_from_one_address_pauses_sign_in_from_it_without_locking_names,
            lifecycle::replicas_that_check_in_see_each_other_until_one_stops,
            lifecycle::failed_sign_ins_that_count_no_more_are_forgotten_and_the_rest_kept,
            lifecycle::parallel_wrong_passwords_from_several_processes_are_counted_exactly,
            lifecycle::a_revoked_role_or_disabled_account_counts_at_once_in_another_process,
            lifecycle::twenty_concurrent_takers_of_the_last_seat_leave_one_holder,
            lifecycle::sessions_slide_while_used_and_never_past_their_lifetime,
            lifecycle::unknown_names_lock_too_and_old_failures_expire,
            lifecycle::sessions_end_with_sign_out_deletion_or_disabling_and_restore_does_not_revive_them,
            lifecycle::changing_ones_own_password_checks_the_current_one_and_ends_other_sessions,
            lifecycle::restore_mail_is_queued_in_the_restore_transaction_and_a_failed_restore_queues_nothing,
            lifecycle::two_claimers_get_each_message_once_and_a_lost_lease_moves_on,
            lifecycle::failed_deliveries_back_off_then_give_up_and_permanent_refusals_fail_at_once,
            lifecycle::a_password_link_works_once_and_expires,
            lifecycle::a_restore_report_checks_recipients_first_and_carries_links_only_when_allowed,
            lifecycle::purge_reminders_are_queued_once_per_user_and_threshold,
            lifecycle::a_clean_audit_chain_verifies_and_needs_the_audit_role,
            lifecycle::edited_swapped_deleted_or_truncated_audit_rows_are_detected,
            lifecycle::concurrent_appends_from_two_processes_keep_one_linear_chain,
            lifecycle::records_from_before_the_chain_are_chained_once_when_the_store_opens,
            lifecycle::the_admin_views_show_licences_role_holders_and_group_people,
            lifecycle::a_bulk_delete_reports_each_user_and_the_audit_log_filters_by_target,
            batched::a_bulk_restore_counts_seats_across_its_group_and_audits_each_user_once,
            batched::two_users_of_one_bulk_restore_wanting_one_upn_get_one_restore_and_one_conflict,
            batched::a_batched_purge_deletes_only_expired_deleted_users_and_each_once,
            audit::every_effect_of_a_whole_history_leaves_exactly_one_audit_record_in_commit_order,
            audit::raw_updates_and_deletes_of_audit_rows_are_refused_and_change_nothing,
        );
    };
    (@cases $fresh:path; $($module:ident :: $case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let db = $fresh().await;
                let cleanup = db.cleanup();
                $crate::$module::$case(db).await;
                cleanup.run().await;
            }
        )*
    };
}
