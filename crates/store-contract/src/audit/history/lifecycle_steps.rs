//! History steps for the deleted-user lifecycle: deletes (single, bulk, refused), address
//! release, restores (single, bulk with one conflict, replacing an active user), the
//! restore report and its mail, reminders, and purges (explicit, refused, by the job).

use super::directory_objects::People;
use super::{FIRST_ADMIN, SYSTEM};
use crate::audit::ledger::Ledger;
use crate::lifecycle::{Fixture, caller_with};
use directory::audit::AuditAction as A;
use directory::ids::UserId;
use directory::recycle_bin::{ConflictResolution, RestoreOptions, RestoreOutcome, RestoreResult};
use directory::role::AdminRole;
use time::Duration;

const HELPDESK: &str = "token:contract";

pub(super) async fn deletes(fx: &Fixture, ledger: &mut Ledger, people: &People) {
    let d = &fx.directory;
    let adele = &people.adele;
    let helpdesk = caller_with(&[AdminRole::HelpdeskAdministrator]);
    assert!(d.delete_user(&helpdesk, adele.id, false).await.is_err());
    ledger.refused(A::DeleteUser, HELPDESK, adele.id);
    ledger
        .check(fx, "a helpdesk admin cannot delete a User Administrator")
        .await;
    let admin = d.user_by_id_or_upn(&fx.admin, FIRST_ADMIN).await.unwrap();
    assert!(d.delete_user(&fx.admin, admin.id, false).await.is_err());
    ledger.refused(A::DeleteUser, SYSTEM, admin.id);
    ledger
        .check(fx, "the last Global Administrator cannot be deleted")
        .await;
    assert!(d.delete_user(&fx.admin, UserId::generate(), false).await.is_err());
    ledger.check(fx, "deleting a missing user").await;

    d.delete_user(&fx.admin, adele.id, false).await.unwrap();
    ledger.done(A::DeleteUser, SYSTEM, "adele@contoso.com");
    ledger.check(fx, "delete a user").await;
    let ids: Vec<UserId> = people.bulk.iter().map(|user| user.id).collect();
    for outcome in d.delete_users(&fx.admin, &ids, false).await {
        assert!(outcome.result.is_ok(), "{outcome:?}");
    }
    for user in &people.bulk {
        ledger.done(A::DeleteUser, SYSTEM, &user.upn);
    }
    ledger.check(fx, "delete users in bulk").await;
    d.release_addresses(&fx.admin, adele.id).await.unwrap();
    ledger.done(A::ReleaseAliases, SYSTEM, "adele@contoso.com");
    ledger.check(fx, "release a deleted user's addresses").await;
}

pub(super) async fn restores(fx: &Fixture, ledger: &mut Ledger, people: &People) -> Vec<RestoreResult> {
    let d = &fx.directory;
    let adele = people.adele.id;
    d.restore_user(&fx.admin, adele, RestoreOptions::default())
        .await
        .unwrap();
    ledger.done(A::RestoreUser, SYSTEM, "adele@contoso.com");
    ledger.check(fx, "restore a user").await;
    assert!(
        d.restore_user(&fx.admin, adele, RestoreOptions::default())
            .await
            .is_err()
    );
    ledger.check(fx, "restoring an active user finds nothing").await;

    fx.create("erin@contoso.com").await;
    ledger.done(A::AddUser, SYSTEM, "erin@contoso.com");
    ledger.check(fx, "someone takes erin's name").await;
    let [dave, erin, frank] = [0, 1, 2].map(|n| &people.bulk[n]);
    let requests = [dave.id, erin.id, frank.id, adele]
        .into_iter()
        .map(|id| (id, RestoreOptions::default()))
        .collect();
    let results = d.restore_users(&fx.admin, requests).await;
    assert_bulk(&results);
    ledger.done(A::RestoreUser, SYSTEM, &dave.upn);
    ledger.done(A::RestoreUser, SYSTEM, &frank.upn);
    ledger.refused(A::RestoreUser, SYSTEM, erin.id);
    ledger
        .check(fx, "bulk restore: two restored, one conflict, one already active")
        .await;
    replace_active(fx, ledger, erin.id).await;
    results
}

fn assert_bulk(results: &[RestoreResult]) {
    let kinds: Vec<&str> = results
        .iter()
        .map(|result| match result.outcome {
            RestoreOutcome::Restored(_) => "restored",
            RestoreOutcome::AlreadyActive => "active",
            RestoreOutcome::Failed(_) => "failed",
        })
        .collect();
    assert_eq!(kinds, ["restored", "failed", "restored", "active"]);
}

async fn replace_active(fx: &Fixture, ledger: &mut Ledger, erin: UserId) {
    let options = RestoreOptions {
        on_upn_conflict: ConflictResolution::ReplaceActive,
        ..RestoreOptions::default()
    };
    let restored = fx.directory.restore_user(&fx.admin, erin, options).await.unwrap();
    let replaced = restored.replaced.expect("the active holder was renamed");
    ledger.done(A::RenameReplacedUser, SYSTEM, &replaced.new_upn);
    ledger.done(A::RestoreUser, SYSTEM, "erin@contoso.com");
    ledger
        .check(fx, "restore replacing the active holder of the name")
        .await;
}

pub(super) async fn restore_report(fx: &Fixture, ledger: &mut Ledger, results: &[RestoreResult]) {
    let d = &fx.directory;
    let invalid = d
        .send_restore_report(&fx.admin, &["not an address".into()], results, false)
        .await;
    assert!(invalid.is_err());
    ledger.check(fx, "a report to an invalid address is refused").await;
    let sent = d
        .send_restore_report(&fx.admin, &["it@contoso.com".into()], results, true)
        .await
        .unwrap();
    assert_eq!(sent, 1);
    // Each restored user's row carries a fresh one-time link: one effect each.
    for result in results {
        if let RestoreOutcome::Restored(restored) = &result.outcome {
            ledger.done(A::IssuePasswordLink, SYSTEM, &restored.user.upn);
        }
    }
    ledger.done(A::SendRestoreReport, SYSTEM, "Contoso Ltd");
    ledger.check(fx, "mail a restore report with links").await;
    let claimed = d
        .claim_mail(Duration::minutes(5))
        .await
        .unwrap()
        .expect("a queued report");
    assert!(d.mail_sent(&claimed).await.unwrap());
    ledger
        .check(fx, "delivering mail is the outbox's log, not the audit log")
        .await;
}

pub(super) async fn purges(fx: &Fixture, ledger: &mut Ledger, people: &People) {
    let d = &fx.directory;
    let (gina, harry) = (&people.gina, &people.harry);
    fx.delete(gina).await;
    fx.delete(harry).await;
    ledger.done(A::DeleteUser, SYSTEM, "gina@contoso.com");
    ledger.done(A::DeleteUser, SYSTEM, "harry@contoso.com");
    ledger.check(fx, "delete two more").await;
    let helpdesk = caller_with(&[AdminRole::HelpdeskAdministrator]);
    assert!(d.purge_deleted_user(&helpdesk, gina.id).await.is_err());
    ledger.refused(A::HardDeleteUser, HELPDESK, gina.id);
    ledger.check(fx, "a helpdesk admin cannot purge").await;
    d.purge_deleted_user(&fx.admin, gina.id).await.unwrap();
    ledger.done(A::HardDeleteUser, SYSTEM, "gina@contoso.com");
    ledger.check(fx, "purge a deleted user").await;
    assert!(d.purge_deleted_user(&fx.admin, gina.id).await.is_err());
    ledger.check(fx, "purging twice finds nothing").await;

    fx.clock.advance(Duration::days(27));
    d.queue_purge_reminders().await.unwrap();
    ledger.check(fx, "purge reminders are mail, not audit records").await;
    fx.clock.advance(Duration::days(4));
    let report = d.purge_expired().await.unwrap();
    assert_eq!(report.purged, vec![harry.id]);
    ledger.done(A::HardDeleteUser, SYSTEM, "harry@contoso.com");
    ledger.check(fx, "the purge job").await;
    assert!(d.purge_expired().await.unwrap().purged.is_empty());
    ledger.check(fx, "the purge job again finds nothing").await;
}

pub(super) async fn group_deletion(fx: &Fixture, ledger: &mut Ledger, people: &People) {
    let group = people.group.expect("the history made a group");
    fx.directory.delete_group(&fx.admin, group).await.unwrap();
    ledger.done(A::DeleteGroup, SYSTEM, "Sales");
    ledger.check(fx, "delete a group").await;
    assert!(fx.directory.delete_group(&fx.admin, group).await.is_err());
    ledger.check(fx, "deleting a group twice finds nothing").await;
}
