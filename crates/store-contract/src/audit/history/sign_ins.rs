//! History steps for signing in: success, failure, lockout, sign-out, changing one's own
//! password and one-time set-password links.

use super::SYSTEM;
use super::directory_objects::{ADELE_PASSWORD, People};
use crate::audit::ledger::Ledger;
use crate::lifecycle::{Fixture, caller_with};
use directory::audit::AuditAction as A;
use directory::role::AdminRole;
use directory::user::sign_in::LOCKOUT_THRESHOLD;
use time::Duration;

const SESSION: Duration = Duration::hours(8);
const WRONG: &str = "not the right passphrase";
/// Adele's password after she changed it herself.
const ADELE_OWN: &str = "a self-chosen fresh passphrase";
const CAROL_VIA_LINK: &str = "set through a one-time link";

pub(super) async fn sign_in_out_and_lockout(fx: &Fixture, ledger: &mut Ledger) {
    let d = &fx.directory;
    let adele = "adele@contoso.com";
    let signed = d.sign_in(adele, ADELE_PASSWORD, SESSION).await.unwrap();
    ledger.done(A::SignIn, adele, adele);
    ledger.secret(signed.secret.expose());
    ledger.check(fx, "sign in").await;
    assert!(d.sign_in("Adele@Contoso.com", WRONG, SESSION).await.is_err());
    ledger.refused(A::SignIn, adele, adele);
    ledger.check(fx, "a wrong password").await;
    d.sign_out(&signed.secret).await.unwrap();
    ledger.done(A::SignOut, adele, adele);
    ledger.check(fx, "sign out").await;
    d.sign_out(&signed.secret).await.unwrap();
    ledger.check(fx, "signing out twice changes nothing").await;
    lockout(fx, ledger).await;
}

async fn lockout(fx: &Fixture, ledger: &mut Ledger) {
    let bob = "bob@contoso.com";
    for attempt in 1..=LOCKOUT_THRESHOLD {
        assert!(fx.directory.sign_in(bob, WRONG, SESSION).await.is_err());
        ledger.refused(A::SignIn, bob, bob);
        if attempt == LOCKOUT_THRESHOLD {
            ledger.done(A::LockSignIn, bob, bob);
        }
        ledger.check(fx, &format!("failed attempt {attempt}")).await;
    }
    let locked = fx
        .directory
        .sign_in(bob, super::directory_objects::PASSWORD, SESSION)
        .await;
    assert!(matches!(locked, Err(directory::Error::Locked { .. })), "{locked:?}");
    ledger.refused(A::SignIn, bob, bob);
    ledger.check(fx, "an attempt while locked").await;
    let nobody = "nobody@contoso.com";
    assert!(fx.directory.sign_in(nobody, WRONG, SESSION).await.is_err());
    ledger.refused(A::SignIn, nobody, nobody);
    ledger.check(fx, "an unknown name").await;
}

pub(super) async fn own_password_and_links(fx: &Fixture, ledger: &mut Ledger, people: &People) {
    let d = &fx.directory;
    let adele = "adele@contoso.com";
    let signed = d.sign_in(adele, ADELE_PASSWORD, SESSION).await.unwrap();
    ledger.done(A::SignIn, adele, adele);
    let session = d.session(&signed.secret).await.unwrap();
    let wrong = d.change_own_password(&session.caller, WRONG, ADELE_OWN, SESSION).await;
    assert!(wrong.is_err());
    ledger.refused(A::ChangeOwnPassword, adele, adele);
    ledger
        .check(fx, "a password change with a wrong current password")
        .await;
    let same = d
        .change_own_password(&session.caller, ADELE_PASSWORD, ADELE_PASSWORD, SESSION)
        .await;
    assert!(same.is_err());
    ledger
        .check(fx, "a new password equal to the current one is refused")
        .await;
    let changed = d
        .change_own_password(&session.caller, ADELE_PASSWORD, ADELE_OWN, SESSION)
        .await
        .unwrap();
    ledger.done(A::ChangeOwnPassword, adele, adele);
    ledger.secret(ADELE_OWN);
    ledger.secret(changed.secret.expose());
    ledger.check(fx, "change one's own password").await;
    links(fx, ledger, people).await;
}

async fn links(fx: &Fixture, ledger: &mut Ledger, people: &People) {
    let d = &fx.directory;
    let carol = "carol@contoso.com";
    let reader = caller_with(&[AdminRole::GlobalReader]);
    assert!(d.issue_password_link(&reader, people.carol.id, &[]).await.is_err());
    ledger.check(fx, "a reader cannot issue a link").await;
    let link = d.issue_password_link(&fx.admin, people.carol.id, &[]).await.unwrap();
    ledger.done(A::IssuePasswordLink, SYSTEM, carol);
    ledger.secret(link.secret.expose());
    ledger.check(fx, "issue a set-password link").await;
    d.redeem_password_link(link.secret.expose(), CAROL_VIA_LINK, &Default::default())
        .await
        .unwrap();
    ledger.done(A::RedeemPasswordLink, carol, carol);
    ledger.secret(CAROL_VIA_LINK);
    ledger.check(fx, "redeem the link").await;
    let again = d
        .redeem_password_link(link.secret.expose(), "yet another passphrase", &Default::default())
        .await;
    assert!(again.is_err());
    ledger.check(fx, "a used link is refused").await;
}
