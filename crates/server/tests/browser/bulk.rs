//! A bulk restore where one user fails: a User Administrator restores three deleted users,
//! one of them a Global Administrator. The results say the restore failed for some users
//! and why, the log downloads as CSV, the failed user is retried on its own (and refused
//! again, with the reason shown before anything changes), and a Global Administrator then
//! restores it. A restored user signs in.

use crate::scenario::Scenario;
use crate::steps::{PasswordStep, deleted_user};
use directory::ids::UserId;
use directory::role::AdminRole;
use roster_i18n::Lang;

/// The CSV log's row for one user.
fn log_row(csv: &str, id: UserId) -> String {
    let id = id.to_string();
    csv.lines()
        .find(|line| line.contains(&id))
        .unwrap_or_default()
        .to_owned()
}

async fn bulk_restore_with_one_failure(lang: Lang) {
    let mut s = Scenario::start("bulk-restore", lang).await;
    s.app.user("uma", "Uma Admin", &[AdminRole::UserAdministrator]).await;
    let adele = deleted_user(&s.app, "adele", "Adele Vance", &[]).await.id;
    let alex = deleted_user(&s.app, "alex", "Alex Wilber", &[]).await.id;
    let gina = deleted_user(&s.app, "gina", "Gina Global", &[AdminRole::GlobalAdministrator])
        .await
        .id;

    s.admin_signs_in("uma").await;
    s.go_to_deleted_users().await;
    s.select_and_restore(&[adele, alex, gina]).await;
    s.set_password(PasswordStep::Auto).await;
    s.id("wizard-step-preview").await;
    let refusal = s.t_with("restore-forbidden-target", "roles", "Global Administrator");
    assert_eq!(s.text(&format!("preview-error-{gina}")).await, refusal);
    assert_eq!(
        s.text("preview-failures").await,
        s.t_num("restore-preview-failures", "count", 1)
    );
    s.confirm_preview().await;

    assert_eq!(s.text("restore-failed").await, s.t("restore-failed-some"));
    if lang == Lang::Nl {
        assert!(
            s.text("restore-failed")
                .await
                .starts_with("De herstelbewerking is voor sommige gebruikers mislukt.")
        );
    }
    assert_eq!(s.result_status(adele).await, "restored");
    assert_eq!(s.result_status(alex).await, "restored");
    assert_eq!(s.result_status(gina).await, "failed");
    assert_eq!(s.text(&format!("result-error-{gina}")).await, refusal);
    let password = s.text(&format!("result-password-{adele}")).await;

    s.click("download-log").await;
    let log = s.web.downloaded("restore-log.csv").await;
    assert!(
        log.starts_with("id,displayName,userPrincipalName,result,code,details"),
        "{log}"
    );
    assert_eq!(log.lines().count(), 4, "{log}");
    assert!(log_row(&log, adele).contains("\"restored\""), "{log}");
    assert!(log_row(&log, gina).contains("\"failed\",\"forbidden\""), "{log}");
    assert!(!log.contains(&password), "the log never holds a password");

    s.click(&format!("retry-{gina}")).await;
    s.id("wizard-step-password").await;
    assert_eq!(s.web.find_all("[id^=\"wizard-user-\"]").await.len(), 1, "one at a time");
    s.id(&format!("wizard-user-{gina}")).await;
    s.set_password(PasswordStep::Auto).await;
    assert_eq!(s.text(&format!("preview-error-{gina}")).await, refusal);
    s.shot("retry-refused").await;

    s.sign_out().await;
    s.admin_signs_in("ga").await;
    s.go_to_deleted_users().await;
    assert_eq!(s.text("deleted-count").await, s.t_num("restore-list-count", "count", 1));
    s.click(&format!("restore-{gina}")).await;
    s.set_password(PasswordStep::Auto).await;
    s.confirm_preview().await;
    assert_eq!(s.result_status(gina).await, "restored");
    s.close_results().await;
    s.id("deleted-empty").await;

    s.sign_out().await;
    s.first_sign_in("adele@contoso.com", &password).await;
    s.finish().await;
}

#[tokio::test]
async fn a_bulk_restore_with_one_failure_offers_the_log_and_a_retry_in_english() {
    bulk_restore_with_one_failure(Lang::En).await;
}

#[tokio::test]
async fn a_bulk_restore_with_one_failure_offers_the_log_and_a_retry_in_dutch() {
    bulk_restore_with_one_failure(Lang::Nl).await;
}
