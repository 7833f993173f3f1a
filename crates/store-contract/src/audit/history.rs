//! T34, audit completeness: one scripted history drives every mutating use case of the
//! domain, refused calls included, and after each step the whole audit log must equal the
//! effects performed so far, one record per effect, in commit order.
//!
//! The rule for refused calls, as the use cases implement it: a failed sign-in (wrong
//! credentials or locked name), a registered app's wrong or expired client secret, a wrong
//! current password on a password change, a refused
//! delete or restore (single or bulk item; "not found" excepted) and a forbidden explicit
//! purge each leave one failure record, written after the refused transaction rolled back.
//! Every other refused call (validation, conflicts, missing objects, missing roles) leaves
//! no record, and so does a call that changes nothing.

use super::ledger::Ledger;
use crate::TestDb;
use crate::lifecycle::Fixture;
use directory::audit::AuditAction as A;
use directory::upn::DomainName;

mod directory_objects;
mod lifecycle_steps;
mod sign_ins;

/// The first Global Administrator that `initialize` creates.
const FIRST_ADMIN: &str = "admin@contoso.com";
const SYSTEM: &str = "system";

pub async fn every_effect_of_a_whole_history_leaves_exactly_one_audit_record_in_commit_order(db: TestDb) {
    let fx = Fixture::new(db).await;
    let mut ledger = Ledger::open(&fx).await;
    ledger.done(A::InitializeTenant, SYSTEM, "Contoso");
    ledger.done(A::AddUser, SYSTEM, FIRST_ADMIN);
    ledger.done(A::AddDomain, SYSTEM, "fabrikam.com");
    ledger.check(&fx, "initialize and add a domain").await;
    let contoso = DomainName::parse("contoso.com").unwrap();
    let again = fx.directory.initialize("Contoso", contoso).await;
    assert!(again.is_err());
    ledger.check(&fx, "a second initialize is refused").await;

    let mut people = directory_objects::users(&fx, &mut ledger).await;
    directory_objects::licences_groups_and_roles(&fx, &mut ledger, &mut people).await;
    directory_objects::tokens_and_apps(&fx, &mut ledger, &people).await;
    directory_objects::tenant_settings(&fx, &mut ledger).await;
    sign_ins::sign_in_out_and_lockout(&fx, &mut ledger).await;
    sign_ins::own_password_and_links(&fx, &mut ledger, &people).await;
    lifecycle_steps::deletes(&fx, &mut ledger, &people).await;
    let results = lifecycle_steps::restores(&fx, &mut ledger, &people).await;
    lifecycle_steps::restore_report(&fx, &mut ledger, &results).await;
    lifecycle_steps::purges(&fx, &mut ledger, &people).await;
    lifecycle_steps::group_deletion(&fx, &mut ledger, &people).await;

    assert!(ledger.checks() >= 40, "the invariant is checked after every step");
    assert!(ledger.len() >= 60, "a whole history: {} records", ledger.len());
}
