//! Outgoing mail: a transactional outbox and the use cases around it.
//!
//! A use case that causes a notification queues it **in its own transaction**
//! ([`crate::store::Tx::queue_mail`]), so a change and its mail commit or roll back
//! together. A background sender (in `crates/server`, with rendering and SMTP in
//! `crates/mail`) then claims one due message at a time with a lease, delivers it, and
//! marks it sent, or failed with the SMTP answer and an exponential back-off; after
//! [`RetryPolicy::max_attempts`] it gives up. A sender that dies mid-delivery leaves the
//! message `sending`; when its lease ends another claim picks it up. On PostgreSQL
//! claiming skips rows locked by other processes, so several servers send each message
//! once; every message keeps one `Message-ID` derived from its id, so a receiver can drop
//! the rare duplicate of a delivery that was accepted just before a crash.
//!
//! - [`notification`]: what a message says (kinds and their facts) and to whom.
//! - [`outbox`]: queued messages, their status, leases and back-off.
//! - [`settings`]: the organisation's mail settings (all sending of credentials is off by
//!   default).
//! - [`links`]: one-time set-password links (random secret, stored hashed, 24 h, once).
//! - `queue`, `report`, `reminders`, `sender`: the use cases.

pub mod links;
pub mod notification;
pub mod outbox;
pub mod settings;

mod queue;
mod reminders;
mod report;
mod sender;

pub use links::{IssuedPasswordLink, LinkSecret, PASSWORD_LINK_LIFETIME, PasswordLinkInfo, PasswordLinkRecord};
pub use notification::{
    AccountRestored, Credential, Language, MailKind, Notification, PasswordLinkNotice, PurgeReminder, ReminderUser,
    ReportOutcome, ReportRow, RestoreReport,
};
pub use outbox::{ClaimedMail, DeliveryFailure, MailId, MailLogQuery, MailStatus, OutboxMessage, RetryPolicy};
pub(crate) use queue::queue_account_restored;
pub use reminders::REMINDER_DAYS;
pub use report::MAX_REPORT_RECIPIENTS;
pub use settings::{CredentialDelivery, MailSettings, MailSettingsUpdate, PublicUrl};
