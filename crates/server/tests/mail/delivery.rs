//! Delivery end to end on this binary's backend: the notice's headers, language,
//! recipients and content; mail that waits while SMTP is down and survives a kill; a kill
//! in the middle of the SMTP conversation; the `.eml` outbox without SMTP; the mail
//! settings through the CLI.

use crate::support::{self, Roster, Sink, free_port};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_notice_arrives_with_the_right_headers_language_recipients_and_content() {
    let dir = tempfile::tempdir().unwrap();
    let sink = Sink::start(dir.path(), free_port(), None);
    let roster = Roster::init(dir.path());
    let server = roster.serve(sink.port);
    let id = server.restore_new_user("nina", Some("nl-NL")).await;

    let received = sink.wait_for(1, Duration::from_secs(30));
    let raw = &received[0];
    let message = mail_parser::MessageParser::default().parse(raw.as_bytes()).unwrap();
    assert_eq!(message.subject(), Some("Je account nina@contoso.com is hersteld"));
    let from = message
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .unwrap();
    assert_eq!(from, "roster@contoso.com");
    let to: Vec<&str> = message.to().unwrap().iter().filter_map(|a| a.address()).collect();
    assert_eq!(to, ["nina@home.example", "nina.private@home.example"]);
    assert!(
        raw.starts_with(
            "X-Envelope-From: roster@contoso.com\r\nX-Envelope-To: nina@home.example, nina.private@home.example\r\n"
        ),
        "{raw}"
    );
    assert_eq!(message.header_raw("Content-Language").map(str::trim), Some("nl-NL"));
    assert_eq!(
        message.header_raw("Auto-Submitted").map(str::trim),
        Some("auto-generated")
    );
    let text = message.body_text(0).unwrap();
    assert!(text.contains("Beste Nina Test,"), "{text}");
    assert!(text.contains("heeft je account nina@contoso.com hersteld"), "{text}");
    let html = message.body_html(0).unwrap();
    assert!(html.contains("<html lang=\"nl-NL\">"), "{html}");

    // The sink may store the message a moment before the sender records it as sent.
    let entry = &server
        .wait_for_log(Duration::from_secs(10), |entry| entry["status"] == "sent")
        .await;
    assert_eq!(entry["attempts"], 1);
    assert_eq!(entry["kind"], "accountRestored");
    let mail_id = entry["id"].as_str().unwrap().replace('-', "");
    assert_eq!(message.message_id(), Some(format!("{mail_id}@contoso.com").as_str()));
    assert!(server.audit_has_restore(&id).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_waits_while_smtp_is_down_survives_a_kill_and_arrives_once_it_is_back() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let roster = Roster::init(dir.path());
    let server = roster.serve(port);
    server.restore_new_user("adele", None).await;
    let failed_attempt = server
        .wait_for_log(Duration::from_secs(30), |entry| {
            entry["status"] == "queued" && entry["attempts"].as_u64() >= Some(1)
        })
        .await;
    let answer = failed_attempt["lastError"].as_str().unwrap_or_default().to_owned();
    assert!(!answer.is_empty(), "the log keeps why it failed: {failed_attempt}");

    // Killed while the message waits for its next attempt: nothing is lost.
    server.kill();
    let sink = Sink::start(dir.path(), port, None);
    let server = roster.serve(port);
    let received = sink.wait_for(1, Duration::from_secs(30));
    assert!(received[0].contains("Subject: Your account adele@contoso.com has been restored"));
    let sent = server
        .wait_for_log(Duration::from_secs(10), |entry| entry["status"] == "sent")
        .await;
    assert!(sent["attempts"].as_u64() >= Some(2), "{sent}");
    assert!(sent["lastError"].is_null(), "{sent}");
    server.stop();
    assert_eq!(sink.received().len(), 1, "delivered once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_in_the_middle_of_the_smtp_conversation_sends_the_message_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let hold = dir.path().join("hold");
    std::fs::write(&hold, "").unwrap();
    let sink = Sink::start(dir.path(), free_port(), Some(&hold));
    let roster = Roster::init(dir.path());
    let server = roster.serve(sink.port);
    server.restore_new_user("megan", None).await;
    let held = hold.with_extension("held");
    support::wait_until(Duration::from_secs(30), || held.exists());
    server.kill();
    std::fs::remove_file(&hold).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    assert!(sink.received().is_empty(), "the killed sender delivered nothing");

    let server = roster.serve(sink.port);
    // The claim of the killed process holds the message until its lease ends.
    let received = sink.wait_for(1, Duration::from_secs(60));
    assert!(received[0].contains("megan@contoso.com"));
    let sent = server
        .wait_for_log(Duration::from_secs(10), |entry| entry["status"] == "sent")
        .await;
    assert_eq!(sent["attempts"], 2, "{sent}");
    server.stop();
    assert_eq!(sink.received().len(), 1, "sent exactly once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_smtp_mail_is_written_as_eml_files_in_the_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let roster = Roster::init(dir.path());
    let server = roster.serve_without_smtp();
    server.restore_new_user("lidia", None).await;
    let outbox = roster.data().join("outbox");
    let files = || -> Vec<std::path::PathBuf> {
        std::fs::read_dir(&outbox)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                    .collect()
            })
            .unwrap_or_default()
    };
    support::wait_until(Duration::from_secs(30), || !files().is_empty());
    let sent = server
        .wait_for_log(Duration::from_secs(10), |entry| entry["status"] == "sent")
        .await;
    let file = files().pop().unwrap();
    assert_eq!(file.file_stem().unwrap().to_str(), sent["id"].as_str());
    let text = std::fs::read_to_string(file).unwrap();
    assert!(
        text.contains("Subject: Your account lidia@contoso.com has been restored"),
        "{text}"
    );
    assert!(
        text.contains("To: lidia@home.example, lidia.private@home.example"),
        "{text}"
    );
}

#[test]
fn tenant_set_changes_the_mail_settings_and_refuses_bad_values() {
    let dir = tempfile::tempdir().unwrap();
    let roster = Roster::init(dir.path());
    let shown = roster.run(&["tenant", "show"]).unwrap();
    assert!(
        shown.contains("Mail credentials: never") && shown.contains("Purge reminders:  off"),
        "{shown}"
    );
    let args = [
        "tenant",
        "set",
        "--mail-language",
        "nl-NL",
        "--public-url",
        "https://roster.contoso.com/",
        "--mail-credentials",
        "link",
        "--purge-reminders",
        "on",
    ];
    let set = roster.run(&args).unwrap();
    for line in [
        "Mail language:    nl-NL",
        "Public URL:       https://roster.contoso.com",
        "Mail credentials: link",
        "Purge reminders:  on",
    ] {
        assert!(set.contains(line), "{line} in {set}");
    }
    let bad = roster
        .run(&["tenant", "set", "--mail-credentials", "always"])
        .unwrap_err();
    assert!(
        bad.contains("--mail-credentials is `never`, `link` or `password`"),
        "{bad}"
    );
    let bad = roster.run(&["tenant", "set", "--public-url", "ftp://x"]).unwrap_err();
    assert!(bad.contains("is not an http(s) address"), "{bad}");
    let cleared = roster.run(&["tenant", "set", "--public-url", ""]).unwrap();
    assert!(cleared.contains("Public URL:       (not set)"), "{cleared}");
}
