//! What a message says: its kind and the facts it needs, in the domain's words. Rendering
//! (text and HTML, per language) is the mail adapter's job; nothing here is formatted.

use crate::clock::Timestamp;
use crate::error::{Code, Error};
use std::fmt;

/// A language tag such as `en` or `nl-NL` (BCP 47 shape: letters, digits and hyphens).
/// The renderer picks the closest language it has.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Language(String);

impl Language {
    pub fn english() -> Self {
        Language("en".into())
    }

    pub fn parse(text: &str) -> Result<Self, Error> {
        let text = text.trim();
        let ok = (2..=35).contains(&text.len())
            && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !text.starts_with('-')
            && !text.ends_with('-');
        if !ok {
            return Err(Error::invalid(
                Code::InvalidValue,
                "language",
                format!("'{text}' is not a language tag such as en or nl-NL"),
            ));
        }
        Ok(Language(text.to_owned()))
    }

    /// The user's preferred language when it is a valid tag, else `fallback`.
    pub fn preferred_or(preferred: Option<&str>, fallback: &Language) -> Language {
        preferred
            .and_then(|text| Language::parse(text).ok())
            .unwrap_or_else(|| fallback.clone())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The kinds of message Roster sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MailKind {
    AccountRestored,
    RestoreReport,
    PurgeReminder,
    PasswordLink,
}

impl MailKind {
    pub const ALL: &'static [MailKind] = &[
        MailKind::AccountRestored,
        MailKind::RestoreReport,
        MailKind::PurgeReminder,
        MailKind::PasswordLink,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::AccountRestored => "accountRestored",
            MailKind::RestoreReport => "restoreReport",
            MailKind::PurgeReminder => "purgeReminder",
            MailKind::PasswordLink => "passwordLink",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        MailKind::ALL.iter().copied().find(|kind| kind.as_str() == text)
    }
}

/// A message's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notification {
    /// To a restored user's alternate addresses (`otherMails`).
    AccountRestored(AccountRestored),
    /// To the recipients an admin chose at the end of a restore.
    RestoreReport(RestoreReport),
    /// To the Global Administrators, before users are purged.
    PurgeReminder(PurgeReminder),
    /// A one-time set-password link, to the recipients an admin chose.
    PasswordLink(PasswordLinkNotice),
}

impl Notification {
    pub fn kind(&self) -> MailKind {
        match self {
            Notification::AccountRestored(_) => MailKind::AccountRestored,
            Notification::RestoreReport(_) => MailKind::RestoreReport,
            Notification::PurgeReminder(_) => MailKind::PurgeReminder,
            Notification::PasswordLink(_) => MailKind::PasswordLink,
        }
    }

    /// The same message without any secret (links, passwords): what the outbox keeps once
    /// the message has been sent or given up.
    pub fn redacted(&self) -> Notification {
        let mut copy = self.clone();
        match &mut copy {
            Notification::RestoreReport(report) => {
                for row in &mut report.rows {
                    if row.credential.is_some() {
                        row.credential = Some(Credential::Redacted);
                    }
                }
            }
            Notification::PasswordLink(notice) => notice.url = Credential::REDACTED.into(),
            Notification::AccountRestored(_) | Notification::PurgeReminder(_) => {}
        }
        copy
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRestored {
    pub organization: String,
    pub display_name: String,
    pub upn: String,
    /// Whether the restore set a new password.
    pub password_changed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreReport {
    pub organization: String,
    pub rows: Vec<ReportRow>,
}

/// One user's line in a restore report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRow {
    pub display_name: String,
    pub upn: String,
    pub outcome: ReportOutcome,
    /// Only when the organisation allows sending credentials by mail.
    pub credential: Option<Credential>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportOutcome {
    Restored,
    AlreadyActive,
    /// The public error code and its message.
    Failed {
        code: String,
        message: String,
    },
}

/// How a recipient gets to a restored user's password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A one-time link to set a new password.
    Link { url: String, expires_at: Timestamp },
    /// The generated password in clear text (only when the organisation chose that).
    Password(String),
    /// A credential that was sent and then removed from the outbox.
    Redacted,
}

impl Credential {
    pub const REDACTED: &'static str = "(removed after sending)";
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurgeReminder {
    pub organization: String,
    /// The reminder's threshold: 7 or 1 days before the purge.
    pub days: u32,
    pub users: Vec<ReminderUser>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderUser {
    pub display_name: String,
    pub upn: String,
    pub purge_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordLinkNotice {
    pub organization: String,
    pub display_name: String,
    pub upn: String,
    pub url: String,
    pub expires_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags_are_checked_and_fall_back() {
        assert_eq!(Language::parse("nl-NL").unwrap().as_str(), "nl-NL");
        assert!(Language::parse("nl\r\nBcc: x").is_err());
        assert!(Language::parse("-en").is_err());
        let fallback = Language::english();
        assert_eq!(Language::preferred_or(Some("de"), &fallback).as_str(), "de");
        assert_eq!(Language::preferred_or(Some("??"), &fallback), fallback);
        assert_eq!(Language::preferred_or(None, &fallback), fallback);
        for kind in MailKind::ALL {
            assert_eq!(MailKind::parse(kind.as_str()), Some(*kind));
        }
    }

    #[test]
    fn redaction_removes_links_and_passwords_only() {
        let at = crate::clock::ManualClock::at_default_start();
        let row = |credential| ReportRow {
            display_name: "Adele".into(),
            upn: "adele@contoso.com".into(),
            outcome: ReportOutcome::Restored,
            credential,
        };
        let report = Notification::RestoreReport(RestoreReport {
            organization: "Contoso".into(),
            rows: vec![
                row(Some(Credential::Password("secret".into()))),
                row(Some(Credential::Link {
                    url: "https://x/account/set-password/rpl_x".into(),
                    expires_at: crate::Clock::now(&at),
                })),
                row(None),
            ],
        });
        let Notification::RestoreReport(redacted) = report.redacted() else {
            panic!("the kind stays");
        };
        let credentials: Vec<_> = redacted.rows.iter().map(|r| r.credential.clone()).collect();
        assert_eq!(
            credentials,
            [Some(Credential::Redacted), Some(Credential::Redacted), None]
        );
    }
}
