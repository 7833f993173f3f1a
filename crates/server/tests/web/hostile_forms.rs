//! Hostile form posts to every page form: bodies that are too large, not form-encoded, not
//! UTF-8, or carry thousands of fields. Each gets a readable error page with the security
//! headers (never a 500, never a bare text answer) and changes nothing: at most a refused
//! attempt is recorded (a password form without the current password is a failed check).

use crate::support::{PASSWORD, WebApp};
use directory::Caller;
use directory::audit::{AuditOutcome, AuditQuery};
use reqwest::StatusCode;

/// The forms a signed-in administrator can post (signing out needs nothing but its token,
/// so any body with the token signs out; the CSRF test covers it).
const FORMS: &[&str] = &[
    "/signin",
    "/account/password",
    "/account/set-password/no-such-link",
    "/admin/users/new",
    "/admin/users/delete",
    "/admin/deleted-users/restore",
    "/admin/deleted-users/restore/log",
    "/admin/deleted-users/restore/report",
];

/// Hostile bodies: what each is, its content type and its bytes.
fn bodies(csrf: &str) -> Vec<(&'static str, &'static str, Vec<u8>)> {
    let form = "application/x-www-form-urlencoded";
    let many_ids: String = (0..20_000).map(|n| format!("id={n:032x}&")).collect();
    vec![
        (
            "3 MB of one field",
            form,
            format!("csrf={csrf}&display_name={}", "A".repeat(3 << 20)).into_bytes(),
        ),
        ("20,000 ids", form, format!("{many_ids}csrf={csrf}").into_bytes()),
        (
            "bytes that are not UTF-8",
            form,
            [b"csrf=".as_slice(), csrf.as_bytes(), b"&id=%FF%FE&x=\xff"].concat(),
        ),
        (
            "broken percent-encoding",
            form,
            format!("csrf={csrf}&id=%zz%&step=%").into_bytes(),
        ),
        (
            "JSON instead of a form",
            "application/json",
            format!("{{\"csrf\":\"{csrf}\"}}").into_bytes(),
        ),
        ("no content type", "", format!("csrf={csrf}").into_bytes()),
        (
            "a NUL and control characters",
            form,
            format!("csrf={csrf}&display_name=a%00b%1b[31m&username=x%0d%0ay").into_bytes(),
        ),
    ]
}

#[tokio::test]
async fn hostile_bodies_get_a_readable_page_and_change_nothing() {
    let app = WebApp::spawn().await;
    let admin = app.signed_in("ga").await;
    let csrf = admin.csrf().to_owned();
    let client = admin.client();
    let audit = || async {
        let query = AuditQuery {
            limit: 1000,
            ..AuditQuery::default()
        };
        app.directory.audit_events(&Caller::system(), &query).await.unwrap()
    };
    let before = audit().await.len();
    let mut faults = Vec::new();
    for path in FORMS {
        for (what, content_type, body) in bodies(&csrf) {
            let mut request = client.post(format!("{}{path}", app.origin)).body(body);
            if !content_type.is_empty() {
                request = request.header("content-type", content_type);
            }
            let response = request.send().await.unwrap();
            let status = response.status();
            let html = response
                .headers()
                .get("content-type")
                .is_some_and(|v| v.to_str().unwrap().starts_with("text/html"));
            let csp = response.headers().contains_key("content-security-policy");
            let text = response.text().await.unwrap();
            let readable = html && text.contains("<h1");
            if status.is_server_error() || (!status.is_success() && !status.is_redirection() && !readable) || !csp {
                faults.push(format!(
                    "POST {path} with {what}: {status} html={html} csp={csp} {:.80}",
                    text
                ));
            }
        }
    }
    assert!(faults.is_empty(), "{}", faults.join("\n"));
    let after = audit().await;
    let changes: Vec<_> = after[..after.len() - before]
        .iter()
        .filter(|event| event.outcome != AuditOutcome::Failure)
        .collect();
    assert!(changes.is_empty(), "only refusals were recorded: {changes:?}");
    let mut again = app.browser();
    assert!(again.sign_in("ga@contoso.com", PASSWORD).await.status.is_success());
    assert_eq!(StatusCode::OK, again.get("/admin").await.status);
}
