//! The one-time set-password link page, and the mail log.

use crate::support::{PASSWORD, WebApp};
use directory::Caller;
use reqwest::StatusCode;
use time::Duration;

#[tokio::test]
async fn a_set_password_link_works_once_then_says_it_is_used() {
    let app = WebApp::spawn().await;
    let ada = app.user("ada", "Ada Lovelace", &[]).await;
    let link = app
        .directory
        .issue_password_link(&Caller::system(), ada.id, &[])
        .await
        .unwrap();
    let path = format!("/account/set-password/{}", link.secret.expose());
    let mut browser = app.browser();
    let form = browser.get(&path).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.text.contains("Ada Lovelace"), "{}", form.text);

    let new = "a passphrase chosen through a link";
    let mismatch = browser
        .post(&path, &[("new", new), ("confirm", "something else entirely")])
        .await;
    assert_eq!(mismatch.status, StatusCode::BAD_REQUEST);
    assert!(mismatch.has_id("set-password-error"));
    let done = browser.post(&path, &[("new", new), ("confirm", new)]).await;
    assert!(done.has_id("set-password-done"), "{}", done.text);

    let again = browser.post(&path, &[("new", new), ("confirm", new)]).await;
    assert_eq!(again.status, StatusCode::GONE);
    assert!(browser.get(&path).await.has_id("set-password-error"));
    assert_eq!(
        app.browser().sign_in("ada@contoso.com", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.browser().sign_in("ada@contoso.com", new).await.path, "/account");
}

#[tokio::test]
async fn an_expired_or_forged_link_sets_nothing() {
    let app = WebApp::spawn().await;
    let ada = app.user("ada", "Ada Lovelace", &[]).await;
    let link = app
        .directory
        .issue_password_link(&Caller::system(), ada.id, &[])
        .await
        .unwrap();
    let path = format!("/account/set-password/{}", link.secret.expose());
    let mut browser = app.browser();
    browser.get(&path).await;
    let forged = browser
        .post_raw(
            &path,
            &[
                ("new", "x".repeat(20).as_str()),
                ("confirm", "x".repeat(20).as_str()),
                ("csrf", "no"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    app.clock.advance(Duration::hours(24));
    let page = browser.get(&path).await;
    assert!(page.has_id("set-password-error"));
    let new = "a passphrase chosen too late";
    let late = browser.post(&path, &[("new", new), ("confirm", new)]).await;
    assert_eq!(late.status, StatusCode::GONE);
    assert_eq!(
        app.browser().sign_in("ada@contoso.com", PASSWORD).await.path,
        "/account"
    );
}

#[tokio::test]
async fn the_mail_log_lists_queued_messages_for_admins() {
    let app = WebApp::spawn().await;
    let mut admin = app.signed_in("ga").await;
    let empty = admin.get("/admin/mail").await;
    assert!(empty.has_id("mail-empty"), "{}", empty.text);
    let ada = app.user("ada", "Ada Lovelace", &[]).await;
    let update = directory::mail::MailSettingsUpdate {
        credentials: Some(directory::mail::CredentialDelivery::Link),
        ..Default::default()
    };
    app.directory
        .update_mail_settings(&Caller::system(), update)
        .await
        .unwrap();
    app.directory
        .issue_password_link(&Caller::system(), ada.id, &["helpdesk@fabrikam.com".to_owned()])
        .await
        .unwrap();
    let log = admin.get("/admin/mail?status=queued").await;
    assert!(log.has_id("mail-log"), "{}", log.text);
    assert!(log.text.contains("helpdesk@fabrikam.com"));
    assert!(log.text.contains("Set-password link"));
    let sent = admin.get("/admin/mail?status=sent").await;
    assert!(sent.has_id("mail-empty"));
}
