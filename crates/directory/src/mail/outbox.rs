//! Queued messages: their status, the lease a sender holds while delivering one, and the
//! back-off between failed attempts.

use super::notification::{Language, MailKind, Notification};
use crate::address::EmailAddress;
use crate::clock::Timestamp;
use std::fmt;
use time::Duration;

/// A queued message's id; also the stable part of its `Message-ID`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MailId(pub uuid::Uuid);

impl MailId {
    pub fn generate() -> Self {
        MailId(uuid::Uuid::now_v7())
    }

    /// `<32 hex digits@domain>`: the same for every attempt to send this message, so that
    /// a receiver can drop a duplicate delivered after a crash.
    pub fn message_id(&self, domain: &str) -> String {
        format!("<{}@{domain}>", self.0.simple())
    }
}

impl fmt::Display for MailId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

/// Where a message is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MailStatus {
    /// Waiting for its first or next attempt (`due_at`).
    Queued,
    /// Claimed by a sender whose lease ends at `due_at`; after that anyone may claim it.
    Sending,
    Sent,
    /// Given up: a permanent SMTP refusal, or too many attempts.
    Failed,
}

impl MailStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MailStatus::Queued => "queued",
            MailStatus::Sending => "sending",
            MailStatus::Sent => "sent",
            MailStatus::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            MailStatus::Queued,
            MailStatus::Sending,
            MailStatus::Sent,
            MailStatus::Failed,
        ]
        .into_iter()
        .find(|status| status.as_str() == text)
    }
}

/// A message in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    pub id: MailId,
    pub notification: Notification,
    /// Everyone the message is addressed to (`To:`), at least one.
    pub recipients: Vec<EmailAddress>,
    pub language: Language,
    pub status: MailStatus,
    /// Attempts started so far (a claim counts as one).
    pub attempts: u32,
    pub created_at: Timestamp,
    /// Queued: the next attempt. Sending: the end of the lease. Otherwise the last change.
    pub due_at: Timestamp,
    pub sent_at: Option<Timestamp>,
    /// The last failure, such as the SMTP server's answer.
    pub last_error: Option<String>,
}

impl OutboxMessage {
    /// A new message, due at once.
    pub fn new(
        notification: Notification,
        recipients: Vec<EmailAddress>,
        language: Language,
        now: Timestamp,
    ) -> OutboxMessage {
        OutboxMessage {
            id: MailId::generate(),
            notification,
            recipients,
            language,
            status: MailStatus::Queued,
            attempts: 0,
            created_at: now,
            due_at: now,
            sent_at: None,
            last_error: None,
        }
    }

    pub fn kind(&self) -> MailKind {
        self.notification.kind()
    }
}

/// A message a sender holds. Only the holder of `claim` may record how delivery ended.
#[derive(Debug, Clone)]
pub struct ClaimedMail {
    pub message: OutboxMessage,
    pub claim: uuid::Uuid,
}

/// Why a delivery failed, in the SMTP server's words where there are any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryFailure {
    pub answer: String,
    /// A refusal that retrying cannot fix (SMTP 5xx, an invalid message).
    pub permanent: bool,
}

/// How long to wait after each failed attempt: `first`, doubling up to `max`; give up
/// after `max_attempts` attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub first: Duration,
    pub max: Duration,
    pub max_attempts: u32,
}

impl Default for RetryPolicy {
    /// 1 minute, doubling up to 1 hour, 10 attempts (about 5 hours in all).
    fn default() -> Self {
        RetryPolicy {
            first: Duration::minutes(1),
            max: Duration::hours(1),
            max_attempts: 10,
        }
    }
}

impl RetryPolicy {
    /// The wait after the `attempts`-th failed attempt, or `None` to give up.
    pub fn delay_after(&self, attempts: u32) -> Option<Duration> {
        if attempts >= self.max_attempts {
            return None;
        }
        let doublings = attempts.saturating_sub(1).min(30);
        let delay = self.first.saturating_mul(1_i32 << doublings);
        Some(delay.min(self.max))
    }
}

/// Which log entries to read, newest first.
#[derive(Debug, Clone, Default)]
pub struct MailLogQuery {
    pub status: Option<MailStatus>,
    /// At most this many (100 when zero, never more than 1000).
    pub limit: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_up_to_the_cap_then_gives_up() {
        let policy = RetryPolicy {
            first: Duration::seconds(10),
            max: Duration::seconds(60),
            max_attempts: 5,
        };
        let delays: Vec<_> = (1..=5).map(|n| policy.delay_after(n)).collect();
        assert_eq!(
            delays,
            [
                Some(Duration::seconds(10)),
                Some(Duration::seconds(20)),
                Some(Duration::seconds(40)),
                Some(Duration::seconds(60)),
                None
            ]
        );
        assert_eq!(RetryPolicy::default().delay_after(40), None);
    }

    #[test]
    fn message_ids_are_stable_and_statuses_round_trip() {
        let id = MailId(uuid::Uuid::nil());
        assert_eq!(
            id.message_id("contoso.com"),
            "<00000000000000000000000000000000@contoso.com>"
        );
        for status in [
            MailStatus::Queued,
            MailStatus::Sending,
            MailStatus::Sent,
            MailStatus::Failed,
        ] {
            assert_eq!(MailStatus::parse(status.as_str()), Some(status));
        }
    }
}
