//! T17's header injection half: a display name can carry no line break into a message, and
//! one that only looks like headers (`Bcc:`, quotes, angle brackets, commas) stays text in
//! the body, adding no header and no recipient, through a real SMTP delivery.

use crate::support::{Roster, Sink, free_port};
use reqwest::Method;
use serde_json::json;
use std::time::Duration;

const LOOKS_LIKE_HEADERS: &str = "Eve \"Bcc: spy@evil.example\" <spy@evil.example>, Cc: spy2@evil.example;";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_display_name_cannot_add_headers_or_recipients_to_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let sink = Sink::start(dir.path(), free_port(), None);
    let roster = Roster::init(dir.path());
    let server = roster.serve(sink.port);

    for name in [
        "Eve\r\nBcc: spy@evil.example",
        "Eve\nBcc: spy@evil.example",
        "Eve\rX: y",
    ] {
        let user = json!({
            "accountEnabled": true, "displayName": name, "mailNickname": "eve",
            "userPrincipalName": "eve@contoso.com", "passwordProfile": {"password": "a long enough passphrase"},
            "otherMails": ["eve@home.example"],
        });
        let (status, body) = server.send(Method::POST, "/v1.0/users", Some(user)).await;
        assert_eq!(status, 400, "{name:?}: {body}");
        assert_eq!(body["error"]["code"], "Request_BadRequest", "{body}");
    }
    let (status, _) = server.send(Method::GET, "/v1.0/users/eve@contoso.com", None).await;
    assert_eq!(status, 404, "nothing was created");

    server.restore_new_user_named("eve", LOOKS_LIKE_HEADERS, None).await;
    let received = sink.wait_for(1, Duration::from_secs(30));
    assert_eq!(received.len(), 1);
    let raw = &received[0];
    let envelope_to = raw.lines().find_map(|line| line.strip_prefix("X-Envelope-To: "));
    assert_eq!(envelope_to, Some("eve@home.example, eve.private@home.example"), "{raw}");
    assert!(
        !raw.contains("spy@evil.example\r\n") && !raw.contains("\nBcc:") && !raw.contains("\nCc:"),
        "{raw}"
    );
    let message = mail_parser::MessageParser::default().parse(raw.as_bytes()).unwrap();
    assert!(message.bcc().is_none() && message.cc().is_none(), "{raw}");
    let to: Vec<&str> = message.to().unwrap().iter().filter_map(|a| a.address()).collect();
    assert_eq!(to, ["eve@home.example", "eve.private@home.example"]);
    let text = message.body_text(0).unwrap();
    assert!(
        text.contains(LOOKS_LIKE_HEADERS),
        "the name stays text in the body: {text}"
    );
    let html = message.body_html(0).unwrap();
    assert!(
        html.contains("&#60;spy@evil.example&#62;") && !html.contains("<spy"),
        "{html}"
    );
}
