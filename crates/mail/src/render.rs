//! Each notification as a subject, a plain-text body and an HTML body, in the language
//! closest to the message's (English when Roster does not speak it). The words come from
//! the Fluent files in `crates/i18n`; the layout from two askama templates, which escape
//! everything in the HTML one.

use askama::Template;
use directory::clock::Timestamp;
use directory::mail::{
    AccountRestored, Credential, Notification, OutboxMessage, PasswordLinkNotice, PurgeReminder, ReportOutcome,
    RestoreReport,
};
use roster_i18n::{Arg, Lang};

/// A message ready to be put in an envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub lang: Lang,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// A link shown as a button (HTML) or on its own line (text).
#[derive(Debug, Clone)]
struct Action {
    label: String,
    url: String,
}

#[derive(Debug, Clone)]
struct Cell {
    text: String,
    url: Option<String>,
    note: Option<String>,
}

impl Cell {
    fn text(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            url: None,
            note: None,
        }
    }
}

#[derive(Debug, Clone)]
struct Table {
    headings: Vec<String>,
    rows: Vec<Vec<Cell>>,
}

/// What both templates show.
#[derive(Debug, Clone)]
struct Body {
    lang: &'static str,
    subject: String,
    greeting: Option<String>,
    paragraphs: Vec<String>,
    action: Option<Action>,
    table: Option<Table>,
    closing: Vec<String>,
    footer: String,
}

/// The HTML layout of a [`Body`] (its fields reach the template through `Deref`).
#[derive(Template)]
#[template(path = "mail.html")]
struct HtmlMail<'a> {
    body: &'a Body,
}

/// The plain-text layout of the same [`Body`].
#[derive(Template)]
#[template(path = "mail.txt")]
struct TextMail<'a> {
    body: &'a Body,
}

impl std::ops::Deref for HtmlMail<'_> {
    type Target = Body;
    fn deref(&self) -> &Body {
        self.body
    }
}

impl std::ops::Deref for TextMail<'_> {
    type Target = Body;
    fn deref(&self) -> &Body {
        self.body
    }
}

/// Renders a queued message in its language.
pub fn render(message: &OutboxMessage) -> Result<Rendered, askama::Error> {
    let lang = Lang::from_tag(message.language.as_str()).unwrap_or_default();
    let body = match &message.notification {
        Notification::AccountRestored(notice) => account_restored(lang, notice),
        Notification::RestoreReport(report) => restore_report(lang, report),
        Notification::PurgeReminder(reminder) => purge_reminder(lang, reminder),
        Notification::PasswordLink(notice) => password_link(lang, notice),
    };
    let html = HtmlMail { body: &body }.render()?;
    let text = TextMail { body: &body }.render()?;
    Ok(Rendered {
        lang,
        subject: body.subject,
        text,
        html,
    })
}

/// A time as people read it in a message: `2026-01-06 09:00 UTC`.
pub fn when(at: Timestamp) -> String {
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute()
    )
}

fn body(lang: Lang, organization: &str, subject: String) -> Body {
    Body {
        lang: lang.tag(),
        subject,
        greeting: None,
        paragraphs: Vec::new(),
        action: None,
        table: None,
        closing: Vec::new(),
        footer: lang.t_args("mail-footer", &[("organization", organization.into())]),
    }
}

fn account_restored(lang: Lang, notice: &AccountRestored) -> Body {
    let upn = ("upn", Arg::from(&notice.upn));
    let organization = ("organization", Arg::from(&notice.organization));
    let mut mail = body(lang, &notice.organization, lang.t_args("mail-restored-subject", &[upn]));
    mail.greeting = Some(lang.t_args("mail-greeting", &[("name", (&notice.display_name).into())]));
    mail.paragraphs
        .push(lang.t_args("mail-restored-body", &[upn, organization]));
    mail.paragraphs.push(lang.t(if notice.password_changed {
        "mail-restored-password-changed"
    } else {
        "mail-restored-password-kept"
    }));
    mail.closing.push(lang.t("mail-restored-not-you"));
    mail
}

fn restore_report(lang: Lang, report: &RestoreReport) -> Body {
    let restored = report
        .rows
        .iter()
        .filter(|row| row.outcome == ReportOutcome::Restored)
        .count();
    let count = |n: usize| Arg::Number(i64::try_from(n).unwrap_or(i64::MAX));
    let subject = lang.t_args(
        "mail-report-subject",
        &[("restored", count(restored)), ("total", count(report.rows.len()))],
    );
    let mut mail = body(lang, &report.organization, subject);
    let organization = ("organization", Arg::from(&report.organization));
    mail.paragraphs.push(lang.t_args("mail-report-intro", &[organization]));
    let with_credentials = report.rows.iter().any(|row| row.credential.is_some());
    let mut headings = vec![lang.t("mail-report-user"), lang.t("mail-report-result")];
    if with_credentials {
        headings.push(lang.t("mail-report-sign-in"));
    }
    let rows = report
        .rows
        .iter()
        .map(|row| {
            let mut cells = vec![
                Cell {
                    note: Some(row.upn.clone()),
                    ..Cell::text(row.display_name.clone())
                },
                Cell::text(match &row.outcome {
                    ReportOutcome::Restored => lang.t("mail-report-restored"),
                    ReportOutcome::AlreadyActive => lang.t("mail-report-already-active"),
                    ReportOutcome::Failed { message, .. } => {
                        lang.t_args("mail-report-failed", &[("message", message.into())])
                    }
                }),
            ];
            if with_credentials {
                cells.push(credential_cell(lang, row.credential.as_ref()));
            }
            cells
        })
        .collect();
    mail.table = Some(Table { headings, rows });
    mail
}

fn credential_cell(lang: Lang, credential: Option<&Credential>) -> Cell {
    match credential {
        None => Cell::text(lang.t("mail-report-none")),
        Some(Credential::Link { url, expires_at }) => Cell {
            text: lang.t("mail-report-link"),
            url: Some(url.clone()),
            note: Some(lang.t_args("mail-report-link-expires", &[("expires", (&when(*expires_at)).into())])),
        },
        Some(Credential::Password(password)) => {
            Cell::text(lang.t_args("mail-report-password", &[("password", password.into())]))
        }
        Some(Credential::Redacted) => Cell::text(lang.t("mail-report-removed")),
    }
}

fn purge_reminder(lang: Lang, reminder: &PurgeReminder) -> Body {
    let count = Arg::Number(i64::try_from(reminder.users.len()).unwrap_or(i64::MAX));
    let days = Arg::Number(i64::from(reminder.days));
    let subject = lang.t_args("mail-reminder-subject", &[("count", count), ("days", days)]);
    let mut mail = body(lang, &reminder.organization, subject);
    let organization = ("organization", Arg::from(&reminder.organization));
    mail.paragraphs
        .push(lang.t_args("mail-reminder-intro", &[organization]));
    let rows = reminder
        .users
        .iter()
        .map(|user| {
            vec![
                Cell {
                    note: Some(user.upn.clone()),
                    ..Cell::text(user.display_name.clone())
                },
                Cell::text(lang.t_args("mail-reminder-purge-at", &[("date", (&when(user.purge_at)).into())])),
            ]
        })
        .collect();
    mail.table = Some(Table {
        headings: vec![lang.t("mail-report-user"), lang.t("mail-report-result")],
        rows,
    });
    mail
}

fn password_link(lang: Lang, notice: &PasswordLinkNotice) -> Body {
    let upn = ("upn", Arg::from(&notice.upn));
    let mut mail = body(lang, &notice.organization, lang.t_args("mail-link-subject", &[upn]));
    let args = [
        ("organization", Arg::from(&notice.organization)),
        ("name", Arg::from(&notice.display_name)),
        upn,
    ];
    mail.paragraphs.push(lang.t_args("mail-link-body", &args));
    mail.action = Some(Action {
        label: lang.t("mail-link-action"),
        url: notice.url.clone(),
    });
    let expires = when(notice.expires_at);
    mail.closing
        .push(lang.t_args("mail-link-expires", &[("expires", (&expires).into())]));
    mail.closing.push(lang.t("mail-link-ignore"));
    mail
}
