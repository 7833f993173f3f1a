//! Rendering in both languages, escaping, headers, header injection and file delivery.

use crate::envelope::{envelope, mailbox};
use crate::{Delivery, Mailer, render};
use directory::ManualClock;
use directory::address::EmailAddress;
use directory::clock::Clock;
use directory::mail::{
    AccountRestored, Credential, Language, Notification, OutboxMessage, PasswordLinkNotice, PurgeReminder,
    ReminderUser, ReportOutcome, ReportRow, RestoreReport,
};

fn message(notification: Notification, language: &str) -> OutboxMessage {
    let now = ManualClock::at_default_start().now();
    let recipients = vec![EmailAddress::parse("adele@home.example").unwrap()];
    OutboxMessage::new(notification, recipients, Language::parse(language).unwrap(), now)
}

fn restored(name: &str, upn: &str) -> Notification {
    Notification::AccountRestored(AccountRestored {
        organization: "Contoso".into(),
        display_name: name.into(),
        upn: upn.into(),
        password_changed: true,
    })
}

fn report() -> Notification {
    let row = |outcome, credential| ReportRow {
        display_name: "Adele Vance".into(),
        upn: "adele@contoso.com".into(),
        outcome,
        credential,
    };
    let expires_at = ManualClock::at_default_start().now();
    Notification::RestoreReport(RestoreReport {
        organization: "Contoso".into(),
        rows: vec![
            row(
                ReportOutcome::Restored,
                Some(Credential::Link {
                    url: "https://roster.contoso.com/account/set-password/rpl_abc".into(),
                    expires_at,
                }),
            ),
            row(
                ReportOutcome::Failed {
                    code: "user_principal_name_conflict".into(),
                    message: "taken".into(),
                },
                None,
            ),
        ],
    })
}

#[test]
fn every_kind_renders_in_english_and_dutch() {
    let at = ManualClock::at_default_start().now();
    let kinds = [
        restored("Adele", "adele@contoso.com"),
        report(),
        Notification::PurgeReminder(PurgeReminder {
            organization: "Contoso".into(),
            days: 7,
            users: vec![ReminderUser {
                display_name: "Adele".into(),
                upn: "adele@contoso.com".into(),
                purge_at: at,
            }],
        }),
        Notification::PasswordLink(PasswordLinkNotice {
            organization: "Contoso".into(),
            display_name: "Adele".into(),
            upn: "adele@contoso.com".into(),
            url: "https://roster.contoso.com/account/set-password/rpl_abc".into(),
            expires_at: at,
        }),
    ];
    for notification in kinds {
        let english = render(&message(notification.clone(), "en-GB")).unwrap();
        let dutch = render(&message(notification.clone(), "nl")).unwrap();
        assert_ne!(english.subject, dutch.subject);
        for rendered in [&english, &dutch] {
            for text in [&rendered.subject, &rendered.text, &rendered.html] {
                assert!(!text.contains("mail-"), "an untranslated key in {text}");
                assert!(!text.contains('\u{2068}'), "no isolation marks");
            }
            assert!(rendered.text.contains("Contoso") && rendered.html.contains("Contoso"));
        }
    }
    let dutch = render(&message(restored("Adele", "adele@contoso.com"), "nl-NL")).unwrap();
    assert_eq!(dutch.subject, "Je account adele@contoso.com is hersteld");
    assert!(dutch.html.starts_with("<!DOCTYPE html>\n<html lang=\"nl-NL\">"));
    let german = render(&message(restored("Adele", "adele@contoso.com"), "de")).unwrap();
    assert_eq!(german.subject, "Your account adele@contoso.com has been restored");
}

#[test]
fn the_report_shows_links_and_escapes_html() {
    let rendered = render(&message(report(), "en")).unwrap();
    assert_eq!(rendered.subject, "Restore report: 1 of 2 users restored");
    assert!(
        rendered
            .text
            .contains("https://roster.contoso.com/account/set-password/rpl_abc")
    );
    assert!(
        rendered
            .html
            .contains("href=\"https://roster.contoso.com/account/set-password/rpl_abc\"")
    );
    assert!(rendered.text.contains("Not restored: taken"));
    let hostile = render(&message(restored("<script>x</script>", "adele@contoso.com"), "en")).unwrap();
    assert!(!hostile.html.contains("<script>"));
    assert!(hostile.html.contains("&#60;script&#62;") || hostile.html.contains("&lt;script&gt;"));
    assert!(
        hostile.text.contains("Hello <script>x</script>,"),
        "text is not escaped"
    );
}

#[test]
fn the_envelope_has_typed_headers_and_a_stable_message_id() {
    let queued = message(restored("Adele", "adele@contoso.com"), "nl-NL");
    let rendered = render(&queued).unwrap();
    let from = mailbox("Roster <roster@contoso.com>").unwrap();
    let first = String::from_utf8(envelope(&queued, &rendered, &from).unwrap().formatted()).unwrap();
    let again = String::from_utf8(envelope(&queued, &rendered, &from).unwrap().formatted()).unwrap();
    let message_id = format!("Message-ID: <{}@contoso.com>", queued.id.0.simple());
    assert!(first.contains(&message_id) && again.contains(&message_id), "{first}");
    assert!(first.contains("To: adele@home.example"));
    assert!(first.contains("From: Roster <roster@contoso.com>"));
    assert!(first.contains("Content-Language: nl-NL"));
    assert!(first.contains("Auto-Submitted: auto-generated"));
    assert!(first.contains("multipart/alternative"));
}

#[test]
fn line_breaks_never_reach_a_header() {
    let hostile = message(restored("Eve", "eve@contoso.com\r\nBcc: victim@example.com"), "en");
    let rendered = render(&hostile).unwrap();
    let from = mailbox("roster@contoso.com").unwrap();
    assert!(envelope(&hostile, &rendered, &from).is_err());
    assert!(mailbox("roster@contoso.com\r\nBcc: victim@example.com").is_err());
    assert!(mailbox("Roster <roster@contoso.com>\nX: y").is_err());
}

#[tokio::test]
async fn file_delivery_writes_one_eml_per_message_even_when_retried() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("outbox");
    let mailer = Mailer::new("roster@contoso.com", Delivery::Files(outbox.clone())).unwrap();
    let queued = message(restored("Adele", "adele@contoso.com"), "en");
    mailer.deliver(&queued).await.unwrap();
    mailer.deliver(&queued).await.unwrap();
    let files: Vec<_> = std::fs::read_dir(&outbox)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(files, [std::ffi::OsString::from(format!("{}.eml", queued.id))]);
    let text = std::fs::read_to_string(outbox.join(&files[0])).unwrap();
    assert!(text.contains("Subject: Your account adele@contoso.com has been restored"));
    let hostile = message(restored("Eve", "x\r\nBcc: victim@example.com"), "en");
    let failure = mailer.deliver(&hostile).await.unwrap_err();
    assert!(failure.permanent, "{failure:?}");
}
