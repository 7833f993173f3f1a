//! SMTP over TLS with AUTH against a real relay (aiosmtpd) whose certificate comes from an
//! organisation's own CA: STARTTLS and implicit TLS deliver once `ca_file` trusts that CA;
//! without it the certificate is refused before anything is sent, and a wrong password is
//! a permanent failure. Certificates are made for each run with the `openssl` tool.

use crate::support::{Sink, free_port};
use directory::mail::DeliveryFailure;
use directory::mail::{AccountRestored, Language, Notification, OutboxMessage};
use roster_mail::{Delivery, Mailer, SmtpConfig, Tls};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// A CA, and a certificate it issued for 127.0.0.1, as PEM files in `dir`.
struct Certificates {
    ca: PathBuf,
    relay: PathBuf,
    relay_key: PathBuf,
}

fn openssl(dir: &Path, args: &[&str]) {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the openssl tool (apt-get install openssl) makes the test certificates");
    assert!(
        output.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn certificates(dir: &Path) -> Certificates {
    let ca_ext = [
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign",
    ];
    let mut ca = vec!["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"];
    ca.extend(["-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=Contoso Test CA"]);
    ca.extend(ca_ext);
    openssl(dir, &ca);
    let request = [
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "relay.key",
        "-out",
        "relay.csr",
    ];
    openssl(
        dir,
        &[&["req"][..], &request, &["-subj", "/CN=relay.contoso.test"]].concat(),
    );
    let ext = "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n";
    std::fs::write(dir.join("relay.ext"), ext).unwrap();
    let mut sign = vec!["x509", "-req", "-in", "relay.csr", "-CA", "ca.pem", "-CAkey", "ca.key"];
    sign.extend([
        "-CAcreateserial",
        "-out",
        "relay.pem",
        "-days",
        "2",
        "-extfile",
        "relay.ext",
    ]);
    openssl(dir, &sign);
    Certificates {
        ca: dir.join("ca.pem"),
        relay: dir.join("relay.pem"),
        relay_key: dir.join("relay.key"),
    }
}

/// A sink that requires TLS (STARTTLS, or implicit) and AUTH as `roster` / `s3cret pass`.
fn secure_sink(dir: &Path, certs: &Certificates, implicit: bool) -> Sink {
    let (cert, key) = (certs.relay.to_str().unwrap(), certs.relay_key.to_str().unwrap());
    let mut options = vec!["--tls-cert", cert, "--tls-key", key, "--auth", "roster:s3cret pass"];
    if implicit {
        options.push("--implicit-tls");
    }
    Sink::start_with(dir, free_port(), None, &options)
}

async fn deliver(sink: &Sink, tls: Tls, password: &str, ca_file: Option<&Path>) -> Result<(), DeliveryFailure> {
    let smtp = SmtpConfig {
        host: "127.0.0.1".into(),
        port: sink.port,
        tls,
        credentials: Some(("roster".into(), password.into())),
        timeout: Duration::from_secs(5),
        ca_file: ca_file.map(Path::to_path_buf),
    };
    let mailer = Mailer::new("roster@contoso.com", Delivery::Smtp(smtp)).unwrap();
    let notice = Notification::AccountRestored(AccountRestored {
        organization: "Contoso".into(),
        display_name: "Adele".into(),
        upn: "adele@contoso.com".into(),
        password_changed: false,
    });
    let to = vec![directory::address::EmailAddress::parse("adele@home.example").unwrap()];
    let message = OutboxMessage::new(notice, to, Language::english(), time::OffsetDateTime::now_utc());
    mailer.deliver(&message).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starttls_and_implicit_tls_with_auth_deliver_to_a_relay_with_its_own_ca() {
    let dir = tempfile::tempdir().unwrap();
    let certs = certificates(dir.path());
    for (implicit, tls) in [(false, Tls::StartTls), (true, Tls::Tls)] {
        let base = dir.path().join(format!("implicit-{implicit}"));
        let sink = secure_sink(&base, &certs, implicit);
        deliver(&sink, tls, "s3cret pass", Some(&certs.ca)).await.unwrap();
        let received = sink.wait_for(1, Duration::from_secs(10));
        assert_eq!(received.len(), 1, "{tls:?}");
        assert!(received[0].contains("X-Sink-TLS: yes\r\n"), "{}", received[0]);
        assert!(received[0].contains("X-Sink-Auth: roster\r\n"), "{}", received[0]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_certificate_or_a_wrong_password_sends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let certs = certificates(dir.path());
    let sink = secure_sink(dir.path(), &certs, false);
    let untrusted = deliver(&sink, Tls::StartTls, "s3cret pass", None).await.unwrap_err();
    assert!(
        !untrusted.permanent,
        "a certificate problem may be fixed: {untrusted:?}"
    );
    let refused = deliver(&sink, Tls::StartTls, "wrong", Some(&certs.ca))
        .await
        .unwrap_err();
    assert!(refused.permanent, "the relay refused the password: {refused:?}");
    assert!(refused.answer.contains("535"), "{refused:?}");
    // Both attempts failed before DATA, so the sink holds nothing; no wait is needed.
    assert!(sink.received().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starttls_is_required_when_configured_so_nothing_goes_out_in_clear_text() {
    let dir = tempfile::tempdir().unwrap();
    let sink = Sink::start(dir.path(), free_port(), None);
    let failure = deliver(&sink, Tls::StartTls, "s3cret pass", None).await.unwrap_err();
    assert!(!failure.answer.is_empty(), "{failure:?}");
    // The client gave up before DATA, so the sink cannot hold a message: no wait needed.
    assert!(
        sink.received().is_empty(),
        "the sink offers no STARTTLS, so nothing was sent"
    );
}
