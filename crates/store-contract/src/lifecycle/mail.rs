//! Outgoing mail: messages are queued in the transaction of the change that causes them,
//! two senders never get the same message, failures back off and give up, one-time
//! set-password links work once and expire, and purge reminders are sent once.

use super::{Fixture, caller_with, email, new_user, upn};
use crate::TestDb;
use directory::audit::{AuditAction, AuditQuery};
use directory::error::Code;
use directory::mail::{
    Credential, CredentialDelivery, DeliveryFailure, Language, MailLogQuery, MailSettingsUpdate, MailStatus,
    Notification, OutboxMessage, PASSWORD_LINK_LIFETIME, PublicUrl, RetryPolicy,
};
use directory::recycle_bin::{PasswordReset, RestoreOptions};
use directory::role::AdminRole;
use directory::user::User;
use directory::{Directory, Error};
use std::collections::HashSet;
use time::Duration;

const LEASE: Duration = Duration::minutes(5);

async fn log(fx: &Fixture) -> Vec<OutboxMessage> {
    let query = MailLogQuery::default();
    fx.directory.mail_log(&fx.admin, &query).await.unwrap()
}

/// A user with alternate addresses and a preferred language, created and deleted.
async fn deleted_with_other_mails(fx: &Fixture, name: &str, language: Option<&str>) -> User {
    let mut new = new_user(&format!("{name}@contoso.com"));
    new.other_mails = vec![
        email(&format!("{name}@home.example")),
        email(&format!("{name}.2@home.example")),
    ];
    new.preferred_language = language.map(str::to_owned);
    let user = fx.directory.create_user(&fx.admin, new).await.unwrap();
    fx.delete(&user).await;
    user
}

async fn allow_links(fx: &Fixture) {
    let update = MailSettingsUpdate {
        public_url: Some(Some(PublicUrl::parse("https://roster.contoso.com").unwrap())),
        credentials: Some(CredentialDelivery::Link),
        ..MailSettingsUpdate::default()
    };
    fx.directory.update_mail_settings(&fx.admin, update).await.unwrap();
}

pub async fn restore_mail_is_queued_in_the_restore_transaction_and_a_failed_restore_queues_nothing(db: TestDb) {
    let fx = Fixture::new(db).await;
    let adele = deleted_with_other_mails(&fx, "adele", Some("nl-NL")).await;
    let squatter = fx.create("adele@contoso.com").await;
    let refused = fx
        .directory
        .restore_user(&fx.admin, adele.id, RestoreOptions::default())
        .await;
    assert!(matches!(refused, Err(Error::UpnTaken { .. })));
    assert!(log(&fx).await.is_empty(), "a failed restore queues nothing");

    fx.delete(&squatter).await;
    let options = RestoreOptions {
        password: PasswordReset::Generate,
        ..RestoreOptions::default()
    };
    fx.directory.restore_user(&fx.admin, adele.id, options).await.unwrap();
    let messages = log(&fx).await;
    assert_eq!(messages.len(), 1);
    let message = &messages[0];
    assert_eq!(message.recipients, adele.other_mails);
    assert_eq!(message.language, Language::parse("nl-NL").unwrap());
    assert_eq!((message.status, message.attempts), (MailStatus::Queued, 0));
    let Notification::AccountRestored(notice) = &message.notification else {
        panic!("an account-restored notice, not {:?}", message.notification);
    };
    assert_eq!(
        (notice.upn.as_str(), notice.password_changed),
        ("adele@contoso.com", true)
    );
    assert_eq!(notice.organization, "Contoso");

    let plain = fx.create("plain@contoso.com").await;
    fx.delete(&plain).await;
    fx.directory
        .restore_user(&fx.admin, plain.id, RestoreOptions::default())
        .await
        .unwrap();
    assert_eq!(log(&fx).await.len(), 1, "no alternate addresses, no message");
}

pub async fn two_claimers_get_each_message_once_and_a_lost_lease_moves_on(db: TestDb) {
    let fx = Fixture::new(db).await;
    for n in 0..12 {
        let user = deleted_with_other_mails(&fx, &format!("u{n}"), None).await;
        fx.directory
            .restore_user(&fx.admin, user.id, RestoreOptions::default())
            .await
            .unwrap();
    }
    assert!(fx.directory.mail_due().await.unwrap());
    let second = fx.second_process().await;
    let claim_all = |directory: Directory| async move {
        let mut claims = Vec::new();
        while let Some(claimed) = directory.claim_mail(LEASE).await.unwrap() {
            claims.push(claimed);
        }
        claims
    };
    let (a, b) = tokio::join!(
        tokio::spawn(claim_all(fx.directory.clone())),
        tokio::spawn(claim_all(second.clone()))
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    let mut claims: Vec<_> = a.iter().chain(&b).cloned().collect();
    let ids: HashSet<_> = claims.iter().map(|c| c.message.id).collect();
    assert_eq!(claims.len(), 12, "every message claimed: {} + {}", a.len(), b.len());
    assert_eq!(ids.len(), 12, "and none twice");
    assert!(
        !fx.directory.mail_due().await.unwrap(),
        "nothing is due while leases run"
    );

    // Eleven are delivered; the sender of the last one dies before it records anything.
    let crashed = claims.pop().unwrap();
    for claimed in &claims {
        assert!(fx.directory.mail_sent(claimed).await.unwrap());
    }
    fx.clock.advance(LEASE - Duration::seconds(1));
    assert!(
        second.claim_mail(LEASE).await.unwrap().is_none(),
        "its lease still runs"
    );
    fx.clock.advance(Duration::seconds(1));
    let retaken = second
        .claim_mail(LEASE)
        .await
        .unwrap()
        .expect("due again once its lease ended");
    assert_eq!((retaken.message.id, retaken.message.attempts), (crashed.message.id, 2));
    assert!(
        !fx.directory.mail_sent(&crashed).await.unwrap(),
        "a lost claim records nothing"
    );
    assert!(second.mail_sent(&retaken).await.unwrap());
    let messages = log(&fx).await;
    assert!(messages.iter().all(|m| m.status == MailStatus::Sent));
    let last = messages.iter().find(|m| m.id == crashed.message.id).unwrap();
    assert_eq!(last.sent_at, Some(fx.directory.now()));
    assert!(!fx.directory.mail_due().await.unwrap());
}

pub async fn failed_deliveries_back_off_then_give_up_and_permanent_refusals_fail_at_once(db: TestDb) {
    let fx = Fixture::new(db).await;
    for name in ["first", "second"] {
        let user = deleted_with_other_mails(&fx, name, None).await;
        fx.directory
            .restore_user(&fx.admin, user.id, RestoreOptions::default())
            .await
            .unwrap();
    }
    let policy = RetryPolicy {
        first: Duration::seconds(30),
        max: Duration::seconds(60),
        max_attempts: 3,
    };
    let down = DeliveryFailure {
        answer: "connection refused".into(),
        permanent: false,
    };
    let claimed = fx.directory.claim_mail(LEASE).await.unwrap().unwrap();
    let id = claimed.message.id;
    let status = fx.directory.mail_failed(&claimed, &down, &policy).await.unwrap();
    assert_eq!(status, MailStatus::Queued);
    let refused = DeliveryFailure {
        answer: "550 5.1.1 mailbox unavailable".into(),
        permanent: true,
    };
    let other = fx.directory.claim_mail(LEASE).await.unwrap().unwrap();
    assert_ne!(other.message.id, id);
    assert_eq!(
        fx.directory.mail_failed(&other, &refused, &policy).await.unwrap(),
        MailStatus::Failed
    );

    for (wait, attempt) in [(Duration::seconds(30), 2), (Duration::seconds(60), 3)] {
        fx.clock.advance(wait - Duration::seconds(1));
        assert!(fx.directory.claim_mail(LEASE).await.unwrap().is_none(), "backing off");
        fx.clock.advance(Duration::seconds(1));
        let again = fx
            .directory
            .claim_mail(LEASE)
            .await
            .unwrap()
            .expect("due after the back-off");
        assert_eq!((again.message.id, again.message.attempts), (id, attempt));
        let expected = if attempt == 3 {
            MailStatus::Failed
        } else {
            MailStatus::Queued
        };
        assert_eq!(
            fx.directory.mail_failed(&again, &down, &policy).await.unwrap(),
            expected
        );
    }
    let messages = log(&fx).await;
    assert!(messages.iter().all(|m| m.status == MailStatus::Failed));
    let gave_up = messages.iter().find(|m| m.id == id).unwrap();
    assert_eq!(
        (gave_up.attempts, gave_up.last_error.as_deref()),
        (3, Some("connection refused"))
    );
    let refused_log = messages.iter().find(|m| m.id == other.message.id).unwrap();
    assert_eq!(refused_log.last_error.as_deref(), Some("550 5.1.1 mailbox unavailable"));
    fx.clock.advance(Duration::days(1));
    assert!(
        fx.directory.claim_mail(LEASE).await.unwrap().is_none(),
        "failed for good"
    );
}

pub async fn a_password_link_works_once_and_expires(db: TestDb) {
    let fx = Fixture::new(db).await;
    let adele = fx.create("adele@contoso.com").await;
    let without_url = fx.directory.issue_password_link(&fx.admin, adele.id, &[]).await;
    assert!(matches!(
        without_url,
        Err(Error::Invalid {
            target: Some("publicUrl"),
            ..
        })
    ));
    allow_links(&fx).await;
    let reader = caller_with(&[AdminRole::GlobalReader]);
    let refused = fx.directory.issue_password_link(&reader, adele.id, &[]).await;
    assert!(matches!(refused, Err(Error::Forbidden { .. })));

    let link = fx
        .directory
        .issue_password_link(&fx.admin, adele.id, &[])
        .await
        .unwrap();
    assert!(
        link.url
            .starts_with("https://roster.contoso.com/account/set-password/rpl_")
    );
    assert_ne!(link.record.hash, link.secret.expose());
    let info = fx.directory.password_link(link.secret.expose()).await.unwrap();
    assert_eq!(
        (info.user, info.expires_at),
        (adele.id, fx.directory.now() + PASSWORD_LINK_LIFETIME)
    );
    let weak = fx
        .directory
        .redeem_password_link(link.secret.expose(), "short", &Default::default())
        .await;
    assert!(matches!(
        weak,
        Err(Error::Invalid {
            code: Code::WeakPassword,
            ..
        })
    ));

    let new_password = "correct horse battery staple";
    fx.directory
        .redeem_password_link(link.secret.expose(), new_password, &Default::default())
        .await
        .unwrap();
    assert!(
        fx.directory
            .check_password("adele@contoso.com", new_password)
            .await
            .is_ok()
    );
    let again = fx
        .directory
        .redeem_password_link(link.secret.expose(), "another fine passphrase", &Default::default())
        .await;
    assert!(matches!(&again, Err(e) if e.code() == Code::PasswordLinkInvalid));
    assert!(fx.directory.password_link(link.secret.expose()).await.is_err());
    assert!(
        fx.directory
            .check_password("adele@contoso.com", new_password)
            .await
            .is_ok()
    );

    let expiring = fx
        .directory
        .issue_password_link(&fx.admin, adele.id, &[])
        .await
        .unwrap();
    fx.clock.advance(PASSWORD_LINK_LIFETIME - Duration::seconds(1));
    assert!(fx.directory.password_link(expiring.secret.expose()).await.is_ok());
    fx.clock.advance(Duration::seconds(1));
    let late = fx
        .directory
        .redeem_password_link(expiring.secret.expose(), "another fine passphrase", &Default::default())
        .await;
    assert!(matches!(&late, Err(e) if e.code() == Code::PasswordLinkInvalid));
    assert!(fx.directory.password_link("rpl_made_up").await.is_err());
    let query = AuditQuery {
        action: Some(AuditAction::RedeemPasswordLink),
        target_id: Some(adele.id.as_uuid()),
        ..AuditQuery::default()
    };
    let events = fx.directory.audit_events(&fx.admin, &query).await.unwrap();
    assert_eq!(events.len(), 1, "one successful use is audited");
    assert_eq!(events[0].actor, "adele@contoso.com", "with the user as the actor");
}

pub async fn a_restore_report_checks_recipients_first_and_carries_links_only_when_allowed(db: TestDb) {
    let fx = Fixture::new(db).await;
    let adele = deleted_with_other_mails(&fx, "adele", None).await;
    let results = fx
        .directory
        .restore_users(&fx.admin, vec![(adele.id, RestoreOptions::default())])
        .await;
    let queued = log(&fx).await.len();
    let texts = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect::<Vec<String>>();
    let bad = fx
        .directory
        .send_restore_report(
            &fx.admin,
            &texts(&["ok@contoso.com", "not an address"]),
            &results,
            false,
        )
        .await;
    assert!(matches!(
        bad,
        Err(Error::Invalid {
            target: Some("recipients"),
            ..
        })
    ));
    let many: Vec<String> = (0..21).map(|n| format!("r{n}@contoso.com")).collect();
    assert!(
        fx.directory
            .send_restore_report(&fx.admin, &many, &results, false)
            .await
            .is_err()
    );
    let off = fx
        .directory
        .send_restore_report(&fx.admin, &texts(&["ok@contoso.com"]), &results, true)
        .await;
    assert!(matches!(
        off,
        Err(Error::Invalid {
            target: Some("credentials"),
            ..
        })
    ));
    assert_eq!(log(&fx).await.len(), queued, "refused reports queue nothing");

    allow_links(&fx).await;
    let mut dutch = new_user("nina@contoso.com");
    dutch.preferred_language = Some("nl-NL".into());
    fx.directory.create_user(&fx.admin, dutch).await.unwrap();
    let recipients = texts(&["helpdesk@fabrikam.com", "NINA@contoso.com"]);
    let sent = fx
        .directory
        .send_restore_report(&fx.admin, &recipients, &results, true)
        .await
        .unwrap();
    assert_eq!(sent, 2);
    let reports: Vec<_> = log(&fx)
        .await
        .into_iter()
        .filter(|m| matches!(m.notification, Notification::RestoreReport(_)))
        .collect();
    let languages: HashSet<_> = reports.iter().map(|m| m.language.as_str().to_owned()).collect();
    assert_eq!(languages, HashSet::from(["en".to_owned(), "nl-NL".to_owned()]));
    assert!(reports.iter().all(|m| m.recipients.len() == 1));

    let claimed = loop {
        let claimed = fx.directory.claim_mail(LEASE).await.unwrap().unwrap();
        if matches!(claimed.message.notification, Notification::RestoreReport(_)) {
            break claimed;
        }
    };
    let Notification::RestoreReport(report) = &claimed.message.notification else {
        unreachable!()
    };
    let Some(Credential::Link { url, .. }) = &report.rows[0].credential else {
        panic!("a link for the restored user: {report:?}");
    };
    let secret = url.rsplit('/').next().unwrap();
    assert_eq!(fx.directory.password_link(secret).await.unwrap().user, adele.id);
    fx.directory.mail_sent(&claimed).await.unwrap();
    let stored = log(&fx).await.into_iter().find(|m| m.id == claimed.message.id).unwrap();
    let Notification::RestoreReport(stored) = stored.notification else {
        unreachable!()
    };
    assert_eq!(
        stored.rows[0].credential,
        Some(Credential::Redacted),
        "secrets leave the outbox once sent"
    );
    assert_eq!(upn("adele@contoso.com").to_string(), stored.rows[0].upn);
}

pub async fn purge_reminders_are_queued_once_per_user_and_threshold(db: TestDb) {
    let fx = Fixture::new(db).await;
    let adele = fx.create("adele@contoso.com").await;
    fx.delete(&adele).await;
    assert_eq!(fx.directory.queue_purge_reminders().await.unwrap(), 0, "off by default");
    let on = MailSettingsUpdate {
        purge_reminders: Some(true),
        ..MailSettingsUpdate::default()
    };
    fx.directory.update_mail_settings(&fx.admin, on).await.unwrap();
    fx.clock.advance(Duration::days(23) - Duration::seconds(1));
    assert_eq!(
        fx.directory.queue_purge_reminders().await.unwrap(),
        0,
        "more than 7 days left"
    );
    fx.clock.advance(Duration::seconds(1));
    let second = fx.second_process().await;
    let (a, b) = tokio::join!(fx.directory.queue_purge_reminders(), second.queue_purge_reminders());
    assert_eq!(a.unwrap() + b.unwrap(), 1, "one reminder, however many runners");
    assert_eq!(fx.directory.queue_purge_reminders().await.unwrap(), 0);
    fx.clock.advance(Duration::days(6));
    assert_eq!(
        fx.directory.queue_purge_reminders().await.unwrap(),
        1,
        "the 1-day reminder"
    );
    assert_eq!(fx.directory.queue_purge_reminders().await.unwrap(), 0);

    let reminders: Vec<_> = log(&fx)
        .await
        .into_iter()
        .filter_map(|m| match m.notification {
            Notification::PurgeReminder(reminder) => Some((reminder.days, m.recipients)),
            _ => None,
        })
        .collect();
    let admin = vec![email("admin@contoso.com")];
    assert_eq!(reminders, vec![(1, admin.clone()), (7, admin)]);
}
