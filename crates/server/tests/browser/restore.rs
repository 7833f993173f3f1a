//! The seed's three scenarios in the browser, each in English and in Dutch, each ending
//! with the restored user signing in: a plain restore, a user name conflict (both of the
//! seed's answers), and a proxy address conflict.

use crate::scenario::Scenario;
use crate::steps::{PasswordStep, deleted_user, user_with_aliases};
use crate::support::{PASSWORD, WebApp};
use directory::Caller;
use directory::ids::UserId;
use roster_i18n::Lang;
use time::Duration;

fn date(at: directory::Timestamp) -> String {
    format!("{:04}-{:02}-{:02}", at.year(), u8::from(at.month()), at.day())
}

/// "Restore one or more user accounts", then "Send email and close", then the user signs
/// in with the generated password and must change it first.
async fn plain_restore(lang: Lang) {
    let mut s = Scenario::start("plain-restore", lang).await;
    let adele = deleted_user(&s.app, "adele", "Adele Vance", &[]).await;
    s.app.clock.advance(Duration::days(2));
    let view = s.app.directory.deleted_user(&Caller::system(), adele.id).await.unwrap();

    s.admin_signs_in("ga").await;
    s.go_to_deleted_users().await;
    assert_eq!(s.web.text_of("main h1").await, s.t("restore-list-title"));
    if lang == Lang::Nl {
        assert_eq!(s.t("restore-list-title"), "Verwijderde gebruikers");
    }
    let row = s.text(&format!("deleted-row-{}", adele.id)).await;
    assert!(
        row.contains("Adele Vance") && row.contains("adele@contoso.com"),
        "{row}"
    );
    assert!(row.contains(&date(view.deleted.deleted_at)), "deleted on: {row}");
    assert!(row.contains(&date(view.purge_at)), "permanent deletion date: {row}");
    assert!(row.split_whitespace().any(|word| word == "28"), "28 days left: {row}");

    s.select_and_restore(&[adele.id]).await;
    s.set_password(PasswordStep::Auto).await;
    s.confirm_preview().await;
    assert_eq!(s.result_status(adele.id).await, "restored");
    assert_eq!(
        s.text(&format!("result-status-{}", adele.id)).await,
        s.t("restore-status-restored")
    );
    assert_eq!(
        s.text("restore-succeeded").await,
        s.t_num("restore-succeeded", "count", 1)
    );
    assert_eq!(s.text("password-reminder").await, s.t("restore-password-reminder"));
    let password = s.text(&format!("result-password-{}", adele.id)).await;
    assert!(password.len() >= 15, "a generated password is shown once: {password:?}");

    s.fill("recipients", "ga@contoso.com").await;
    s.shot("send-email").await;
    s.click("send-email-and-close").await;
    s.wait_path("/admin/deleted-users").await;
    assert_eq!(s.text("report-sent").await, s.t_num("restore-report-sent", "count", 1));
    s.id("deleted-empty").await;
    s.shot("email-sent").await;

    s.sign_out().await;
    s.first_sign_in("adele@contoso.com", &password).await;
    assert_eq!(s.text("account-name").await, "Adele Vance");
    s.finish().await;
}

#[tokio::test]
async fn a_deleted_user_is_restored_with_a_generated_password_and_signs_in_in_english() {
    plain_restore(Lang::En).await;
}

#[tokio::test]
async fn a_deleted_user_is_restored_with_a_generated_password_and_signs_in_in_dutch() {
    plain_restore(Lang::Nl).await;
}

/// Adele is deleted, and a newcomer gets her user name; the admin starts the restore.
async fn name_conflict(name: &str, lang: Lang) -> (Scenario, UserId, UserId) {
    let mut s = Scenario::start(name, lang).await;
    let adele = deleted_user(&s.app, "adele", "Adele Vance", &[]).await;
    let newcomer = s.app.user("adele", "Adele Newcomer", &[]).await;
    s.admin_signs_in("ga").await;
    s.go_to_deleted_users().await;
    s.select_and_restore(&[adele.id]).await;
    (s, adele.id, newcomer.id)
}

/// The conflicts step for Adele: it names her user name and who holds it now.
async fn conflict_is_explained(s: &mut Scenario, adele: UserId) {
    s.id("wizard-step-conflicts").await;
    let row = s.text(&format!("conflict-{adele}")).await;
    assert!(
        row.contains(&s.t_with("restore-conflict-taken", "upn", "adele@contoso.com")),
        "{row}"
    );
    assert!(row.contains("Adele Newcomer"), "the holder is named: {row}");
    s.shot("conflict").await;
}

/// "Replace the active user account with the one that you are restoring."
async fn rename_the_active_user(lang: Lang) {
    let (mut s, adele, newcomer) = name_conflict("name-conflict-rename-active", lang).await;
    let chosen = "restored with a chosen passphrase";
    s.set_password(PasswordStep::Manual(chosen)).await;
    conflict_is_explained(&mut s, adele).await;
    s.click(&format!("conflict-{adele}-rename-active")).await;
    s.shot("rename-active").await;
    s.click("next").await;

    let replaced = s.text(&format!("preview-replaced-{adele}")).await;
    assert_eq!(
        replaced,
        s.t_with("restore-preview-replaced", "upn", "adele@contoso.com")
    );
    s.confirm_preview().await;
    assert_eq!(s.result_status(adele).await, "restored");
    let renamed = s.app.directory.user(&Caller::system(), newcomer).await.unwrap();
    assert!(
        renamed.upn.to_string().starts_with("adele.replaced."),
        "{}",
        renamed.upn
    );
    let replaced = s.text(&format!("result-replaced-{adele}")).await;
    assert!(replaced.contains(&renamed.upn.to_string()), "{replaced}");
    assert!(
        s.text(&format!("result-row-{adele}"))
            .await
            .contains("adele@contoso.com")
    );
    s.close_results().await;

    s.sign_out().await;
    s.sign_in("adele@contoso.com", chosen).await;
    s.wait_path("/account").await;
    assert_eq!(s.text("account-name").await, "Adele Vance");
    s.shot("my-account").await;
    s.finish().await;
}

#[tokio::test]
async fn a_user_name_conflict_is_resolved_by_renaming_the_active_user_in_english() {
    rename_the_active_user(Lang::En).await;
}

#[tokio::test]
async fn a_user_name_conflict_is_resolved_by_renaming_the_active_user_in_dutch() {
    rename_the_active_user(Lang::Nl).await;
}

/// "Type a new primary email address for the user and select Restore."
async fn give_a_new_user_name(lang: Lang) {
    let (mut s, adele, newcomer) = name_conflict("name-conflict-new-upn", lang).await;
    s.set_password(PasswordStep::Keep).await;
    conflict_is_explained(&mut s, adele).await;
    s.click(&format!("conflict-{adele}-new-upn")).await;
    s.fill(&format!("new-upn-{adele}"), "adele@elsewhere.org").await;
    s.click("next").await;
    let error = s.text(&format!("conflict-error-{adele}")).await;
    assert!(error.contains(&s.t("error-code-unverified-domain")), "{error}");
    s.shot("unverified-domain").await;

    s.fill(&format!("new-upn-{adele}"), "adele.vance@contoso.com").await;
    s.shot("new-user-name").await;
    s.click("next").await;
    let preview = s.text(&format!("preview-row-{adele}")).await;
    assert!(preview.contains("adele.vance@contoso.com"), "{preview}");
    s.confirm_preview().await;
    assert_eq!(s.result_status(adele).await, "restored");
    assert!(
        s.text(&format!("result-row-{adele}"))
            .await
            .contains("adele.vance@contoso.com")
    );
    let holder = s.app.directory.user(&Caller::system(), newcomer).await.unwrap();
    assert_eq!(
        holder.upn.to_string(),
        "adele@contoso.com",
        "the active user keeps its name"
    );
    s.close_results().await;

    s.sign_out().await;
    s.sign_in("adele.vance@contoso.com", PASSWORD).await;
    s.wait_path("/account").await;
    assert_eq!(s.text("account-upn").await, "adele.vance@contoso.com");
    assert_eq!(s.text("account-name").await, "Adele Vance");
    s.shot("my-account").await;
    s.finish().await;
}

#[tokio::test]
async fn a_user_name_conflict_is_resolved_with_a_new_user_name_in_english() {
    give_a_new_user_name(Lang::En).await;
}

#[tokio::test]
async fn a_user_name_conflict_is_resolved_with_a_new_user_name_in_dutch() {
    give_a_new_user_name(Lang::Nl).await;
}

/// Adele had the alias sales@, released when she was deleted; Megan holds it now.
async fn proxy_conflict_setup(app: &WebApp) -> UserId {
    let adele = user_with_aliases(app, "adele", "Adele Vance", &["sales@contoso.com"]).await;
    app.directory
        .delete_user(&Caller::system(), adele.id, true)
        .await
        .unwrap();
    user_with_aliases(app, "megan", "Megan Bowen", &["sales@contoso.com"]).await;
    adele.id
}

/// "Any conflicting proxy addresses are automatically removed from the user you are
/// restoring", and the results say which.
async fn proxy_address_conflict(lang: Lang) {
    let mut s = Scenario::start("proxy-conflict", lang).await;
    let adele = proxy_conflict_setup(&s.app).await;
    s.admin_signs_in("ga").await;
    s.go_to_deleted_users().await;
    s.select_and_restore(&[adele]).await;
    s.set_password(PasswordStep::Auto).await;
    let preview = s.text(&format!("preview-removed-{adele}")).await;
    assert!(
        preview.contains("sales@contoso.com") && preview.contains("Megan Bowen"),
        "{preview}"
    );
    assert!(preview.starts_with(&s.t("restore-preview-removed")), "{preview}");
    s.confirm_preview().await;

    assert_eq!(s.result_status(adele).await, "restored");
    let removed = s.text(&format!("result-removed-{adele}")).await;
    assert!(removed.starts_with(&s.t("restore-result-removed")), "{removed}");
    assert!(
        removed.contains("sales@contoso.com") && removed.contains("Megan Bowen"),
        "{removed}"
    );
    let password = s.text(&format!("result-password-{adele}")).await;
    s.close_results().await;

    s.sign_out().await;
    s.first_sign_in("adele@contoso.com", &password).await;
    let account = s.web.text_of("main").await;
    assert!(
        !account.contains("sales@contoso.com"),
        "the alias stays with Megan: {account}"
    );
    s.finish().await;
}

#[tokio::test]
async fn a_proxy_address_conflict_is_reported_as_removed_in_english() {
    proxy_address_conflict(Lang::En).await;
}

#[tokio::test]
async fn a_proxy_address_conflict_is_reported_as_removed_in_dutch() {
    proxy_address_conflict(Lang::Nl).await;
}
