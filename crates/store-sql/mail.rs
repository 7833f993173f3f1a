//! Outgoing mail: the outbox (queue, claim with a lease, finish, log), the mail settings,
//! set-password links and purge reminders.
//!
//! A notification is stored as lines of tab-separated fields (tabs and newlines inside
//! values become spaces; times are unix microseconds), the first field naming the line.
//! Claiming is one `UPDATE … WHERE id = (SELECT … LIMIT 1)`; on PostgreSQL the inner select
//! adds `FOR UPDATE SKIP LOCKED`, so concurrent senders never wait for, or take, the same
//! row. SQLite has one writer, so its claims are serial anyway.

use crate::codec::{corrupt, join_lines, split_lines};
use crate::db_time::{self, Stored};
use crate::tx::Conn;
use crate::{Db, classify};
use directory::address::EmailAddress;
use directory::clock::Timestamp;
use directory::ids::UserId;
use directory::mail::{
    AccountRestored, Credential, CredentialDelivery, Language, MailId, MailKind, MailLogQuery, MailSettings,
    MailStatus, Notification, OutboxMessage, PasswordLinkNotice, PasswordLinkRecord, PublicUrl, PurgeReminder,
    ReminderUser, ReportOutcome, ReportRow, RestoreReport,
};
use directory::store::StoreError;
use sqlx::{Database, QueryBuilder};
use uuid::Uuid;

macro_rules! mail_columns {
    () => {
        "id, kind, payload, recipients, language, status, attempts, created_at, due_at, sent_at, last_error"
    };
}

macro_rules! claim_sql {
    ($lock:literal) => {
        concat!(
            "UPDATE mail_outbox SET status = 'sending', due_at = $2, claim = $3, attempts = attempts + 1 \
             WHERE id = (SELECT id FROM mail_outbox WHERE status IN ('queued', 'sending') AND due_at <= $1 \
             ORDER BY due_at, id LIMIT 1",
            $lock,
            ") RETURNING ",
            mail_columns!()
        )
    };
}

#[derive(sqlx::FromRow)]
struct MailRow {
    id: Uuid,
    kind: String,
    payload: String,
    recipients: String,
    language: String,
    status: String,
    attempts: i32,
    created_at: Stored,
    due_at: Stored,
    sent_at: Option<Stored>,
    last_error: Option<String>,
}

impl MailRow {
    fn into_message(self) -> Result<OutboxMessage, StoreError> {
        let kind = MailKind::parse(&self.kind).ok_or_else(|| corrupt("mail kind", &self.kind))?;
        let recipients = split_lines(&self.recipients)
            .map(EmailAddress::parse)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| corrupt("mail recipient", e))?;
        Ok(OutboxMessage {
            id: MailId(self.id),
            notification: decode(kind, &self.payload)?,
            recipients,
            language: Language::parse(&self.language).map_err(|e| corrupt("mail language", e))?,
            status: MailStatus::parse(&self.status).ok_or_else(|| corrupt("mail status", &self.status))?,
            attempts: u32::try_from(self.attempts).map_err(|e| corrupt("mail attempts", e))?,
            created_at: db_time::from_db(self.created_at)?,
            due_at: db_time::from_db(self.due_at)?,
            sent_at: self.sent_at.map(db_time::from_db).transpose()?,
            last_error: self.last_error,
        })
    }
}

pub(crate) async fn queue_mail(c: &mut Conn, message: &OutboxMessage) -> Result<(), StoreError> {
    sqlx::query::<Db>(concat!(
        "INSERT INTO mail_outbox (",
        mail_columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    ))
    .bind(message.id.0)
    .bind(message.kind().as_str())
    .bind(encode(&message.notification))
    .bind(join_lines(&message.recipients))
    .bind(message.language.as_str().to_owned())
    .bind(message.status.as_str())
    .bind(attempts(message)?)
    .bind(db_time::to_db(message.created_at))
    .bind(db_time::to_db(message.due_at))
    .bind(message.sent_at.map(db_time::to_db))
    .bind(message.last_error.clone())
    .execute(&mut *c)
    .await
    .map_err(classify)?;
    Ok(())
}

fn attempts(message: &OutboxMessage) -> Result<i32, StoreError> {
    i32::try_from(message.attempts).map_err(|e| StoreError::Other(format!("too many attempts: {e}")))
}

pub(crate) async fn claim_mail(
    c: &mut Conn,
    now: Timestamp,
    lease_until: Timestamp,
    claim: Uuid,
) -> Result<Option<OutboxMessage>, StoreError> {
    let sql = if Db::NAME == "PostgreSQL" {
        claim_sql!(" FOR UPDATE SKIP LOCKED")
    } else {
        claim_sql!("")
    };
    let row = sqlx::query_as::<Db, MailRow>(sql)
        .bind(db_time::to_db(now))
        .bind(db_time::to_db(lease_until))
        .bind(claim)
        .fetch_optional(&mut *c)
        .await
        .map_err(classify)?;
    row.map(MailRow::into_message).transpose()
}

pub(crate) async fn finish_mail(c: &mut Conn, message: &OutboxMessage, claim: Uuid) -> Result<bool, StoreError> {
    let done = sqlx::query::<Db>(
        "UPDATE mail_outbox SET status = $3, due_at = $4, sent_at = $5, last_error = $6, payload = $7, claim = NULL \
         WHERE id = $1 AND status = 'sending' AND claim = $2",
    )
    .bind(message.id.0)
    .bind(claim)
    .bind(message.status.as_str())
    .bind(db_time::to_db(message.due_at))
    .bind(message.sent_at.map(db_time::to_db))
    .bind(message.last_error.clone())
    .bind(encode(&message.notification))
    .execute(&mut *c)
    .await
    .map_err(classify)?;
    Ok(done.rows_affected() > 0)
}

pub(crate) async fn next_mail_due(c: &mut Conn) -> Result<Option<Timestamp>, StoreError> {
    let due: Option<Stored> = sqlx::query_scalar::<Db, Option<Stored>>(
        "SELECT MIN(due_at) FROM mail_outbox WHERE status IN ('queued', 'sending')",
    )
    .fetch_one(&mut *c)
    .await
    .map_err(classify)?;
    due.map(db_time::from_db).transpose()
}

pub(crate) async fn mail_log(c: &mut Conn, query: &MailLogQuery) -> Result<Vec<OutboxMessage>, StoreError> {
    let mut sql = QueryBuilder::<Db>::new(concat!("SELECT ", mail_columns!(), " FROM mail_outbox WHERE 1 = 1"));
    if let Some(status) = query.status {
        sql.push(" AND status = ").push_bind(status.as_str());
    }
    sql.push(" ORDER BY created_at DESC, id DESC LIMIT ")
        .push_bind(i64::from(query.limit.max(1)));
    let rows: Vec<MailRow> = sql.build_query_as().fetch_all(&mut *c).await.map_err(classify)?;
    rows.into_iter().map(MailRow::into_message).collect()
}

#[derive(sqlx::FromRow)]
struct SettingsRow {
    default_language: String,
    public_url: Option<String>,
    credentials: String,
    purge_reminders: bool,
}

pub(crate) async fn mail_settings(c: &mut Conn) -> Result<Option<MailSettings>, StoreError> {
    let row = sqlx::query_as::<Db, SettingsRow>(
        "SELECT default_language, public_url, credentials, purge_reminders FROM mail_settings",
    )
    .fetch_optional(&mut *c)
    .await
    .map_err(classify)?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(MailSettings {
        default_language: Language::parse(&row.default_language).map_err(|e| corrupt("mail language", e))?,
        public_url: row
            .public_url
            .as_deref()
            .map(PublicUrl::parse)
            .transpose()
            .map_err(|e| corrupt("public URL", e))?,
        credentials: CredentialDelivery::parse(&row.credentials)
            .ok_or_else(|| corrupt("credential delivery", &row.credentials))?,
        purge_reminders: row.purge_reminders,
    }))
}

pub(crate) async fn save_mail_settings(c: &mut Conn, settings: &MailSettings) -> Result<(), StoreError> {
    sqlx::query::<Db>(
        "INSERT INTO mail_settings (singleton, default_language, public_url, credentials, purge_reminders) \
         VALUES (1, $1, $2, $3, $4) ON CONFLICT (singleton) DO UPDATE SET default_language = $1, \
         public_url = $2, credentials = $3, purge_reminders = $4",
    )
    .bind(settings.default_language.as_str().to_owned())
    .bind(settings.public_url.as_ref().map(|url| url.as_str().to_owned()))
    .bind(settings.credentials.as_str())
    .bind(settings.purge_reminders)
    .execute(&mut *c)
    .await
    .map_err(classify)?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct LinkRow {
    id: Uuid,
    user_id: Uuid,
    hash: String,
    created_at: Stored,
    expires_at: Stored,
    used_at: Option<Stored>,
}

pub(crate) async fn password_link_by_hash(c: &mut Conn, hash: &str) -> Result<Option<PasswordLinkRecord>, StoreError> {
    let row = sqlx::query_as::<Db, LinkRow>(
        "SELECT id, user_id, hash, created_at, expires_at, used_at FROM password_links WHERE hash = $1",
    )
    .bind(hash.to_owned())
    .fetch_optional(&mut *c)
    .await
    .map_err(classify)?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(PasswordLinkRecord {
        id: row.id,
        user: UserId(row.user_id),
        hash: row.hash,
        created_at: db_time::from_db(row.created_at)?,
        expires_at: db_time::from_db(row.expires_at)?,
        used_at: row.used_at.map(db_time::from_db).transpose()?,
    }))
}

pub(crate) async fn insert_password_link(c: &mut Conn, link: &PasswordLinkRecord) -> Result<(), StoreError> {
    sqlx::query::<Db>(
        "INSERT INTO password_links (id, user_id, hash, created_at, expires_at, used_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(link.id)
    .bind(link.user.0)
    .bind(link.hash.clone())
    .bind(db_time::to_db(link.created_at))
    .bind(db_time::to_db(link.expires_at))
    .bind(link.used_at.map(db_time::to_db))
    .execute(&mut *c)
    .await
    .map_err(classify)?;
    Ok(())
}

pub(crate) async fn use_password_link(c: &mut Conn, id: Uuid, at: Timestamp) -> Result<bool, StoreError> {
    let done = sqlx::query::<Db>(
        "UPDATE password_links SET used_at = $2 WHERE id = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(id)
    .bind(db_time::to_db(at))
    .execute(&mut *c)
    .await
    .map_err(classify)?;
    Ok(done.rows_affected() > 0)
}

pub(crate) async fn remember_purge_reminder(
    c: &mut Conn,
    user: UserId,
    deleted_at: Timestamp,
    days: u32,
) -> Result<bool, StoreError> {
    let days = i32::try_from(days).map_err(|e| StoreError::Other(format!("reminder days: {e}")))?;
    let done = sqlx::query::<Db>(
        "INSERT INTO purge_reminders (user_id, deleted_at, days) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(user.0)
    .bind(db_time::to_db(deleted_at))
    .bind(days)
    .execute(&mut *c)
    .await
    .map_err(classify)?;
    Ok(done.rows_affected() > 0)
}

/// The notification as lines of tab-separated fields.
fn encode(notification: &Notification) -> String {
    let mut lines: Vec<Vec<String>> = Vec::new();
    let mut line = |fields: &[&str]| lines.push(fields.iter().map(|f| f.replace(['\t', '\n', '\r'], " ")).collect());
    match notification {
        Notification::AccountRestored(n) => {
            line(&["organization", &n.organization]);
            line(&["user", &n.display_name, &n.upn]);
            line(&["passwordChanged", &n.password_changed.to_string()]);
        }
        Notification::RestoreReport(n) => {
            line(&["organization", &n.organization]);
            for row in &n.rows {
                let (outcome, code, message) = match &row.outcome {
                    ReportOutcome::Restored => ("restored", "", ""),
                    ReportOutcome::AlreadyActive => ("alreadyActive", "", ""),
                    ReportOutcome::Failed { code, message } => ("failed", code.as_str(), message.as_str()),
                };
                let (kind, value, expires) = match &row.credential {
                    None => ("none", String::new(), String::new()),
                    Some(Credential::Link { url, expires_at }) => ("link", url.clone(), micros(*expires_at)),
                    Some(Credential::Password(password)) => ("password", password.clone(), String::new()),
                    Some(Credential::Redacted) => ("redacted", String::new(), String::new()),
                };
                line(&[
                    "row",
                    &row.display_name,
                    &row.upn,
                    outcome,
                    code,
                    message,
                    kind,
                    &value,
                    &expires,
                ]);
            }
        }
        Notification::PurgeReminder(n) => {
            line(&["organization", &n.organization]);
            line(&["days", &n.days.to_string()]);
            for user in &n.users {
                line(&["user", &user.display_name, &user.upn, &micros(user.purge_at)]);
            }
        }
        Notification::PasswordLink(n) => {
            line(&["organization", &n.organization]);
            line(&["user", &n.display_name, &n.upn]);
            line(&["link", &n.url, &micros(n.expires_at)]);
        }
    }
    lines
        .iter()
        .map(|fields| fields.join("\t"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn micros(at: Timestamp) -> String {
    (at.unix_timestamp_nanos() / 1000).to_string()
}

fn from_micros(text: &str) -> Result<Timestamp, StoreError> {
    let micros: i128 = text.parse().map_err(|e| corrupt("mail time", e))?;
    Timestamp::from_unix_timestamp_nanos(micros * 1000).map_err(|e| corrupt("mail time", e))
}

/// The lines of a payload, split into fields.
struct Payload<'a>(Vec<Vec<&'a str>>);

impl<'a> Payload<'a> {
    fn parse(text: &'a str) -> Self {
        Payload(split_lines(text).map(|line| line.split('\t').collect()).collect())
    }

    /// Every line named `name`, each with exactly `fields` fields after the name.
    fn all(&self, name: &str, fields: usize) -> Result<Vec<&[&'a str]>, StoreError> {
        self.0
            .iter()
            .filter(|line| line[0] == name)
            .map(|line| {
                if line.len() == fields + 1 {
                    Ok(&line[1..])
                } else {
                    Err(corrupt("mail payload line", line.join(" ")))
                }
            })
            .collect()
    }

    /// The one line named `name`.
    fn one(&self, name: &str, fields: usize) -> Result<&[&'a str], StoreError> {
        let lines = self.all(name, fields)?;
        match lines.as_slice() {
            [line] => Ok(line),
            _ => Err(corrupt("mail payload", format!("expected one '{name}' line"))),
        }
    }

    fn text(&self, name: &str) -> Result<String, StoreError> {
        Ok(self.one(name, 1)?[0].to_owned())
    }
}

fn decode(kind: MailKind, text: &str) -> Result<Notification, StoreError> {
    let payload = Payload::parse(text);
    let organization = payload.text("organization")?;
    Ok(match kind {
        MailKind::AccountRestored => {
            let user = payload.one("user", 2)?;
            Notification::AccountRestored(AccountRestored {
                organization,
                display_name: user[0].to_owned(),
                upn: user[1].to_owned(),
                password_changed: payload.text("passwordChanged")? == "true",
            })
        }
        MailKind::RestoreReport => Notification::RestoreReport(RestoreReport {
            organization,
            rows: payload
                .all("row", 8)?
                .into_iter()
                .map(report_row)
                .collect::<Result<_, _>>()?,
        }),
        MailKind::PurgeReminder => Notification::PurgeReminder(PurgeReminder {
            organization,
            days: payload.text("days")?.parse().map_err(|e| corrupt("reminder days", e))?,
            users: payload
                .all("user", 3)?
                .into_iter()
                .map(|f| {
                    Ok(ReminderUser {
                        display_name: f[0].to_owned(),
                        upn: f[1].to_owned(),
                        purge_at: from_micros(f[2])?,
                    })
                })
                .collect::<Result<_, StoreError>>()?,
        }),
        MailKind::PasswordLink => {
            let user = payload.one("user", 2)?;
            let link = payload.one("link", 2)?;
            Notification::PasswordLink(PasswordLinkNotice {
                organization,
                display_name: user[0].to_owned(),
                upn: user[1].to_owned(),
                url: link[0].to_owned(),
                expires_at: from_micros(link[1])?,
            })
        }
    })
}

fn report_row(f: &[&str]) -> Result<ReportRow, StoreError> {
    let outcome = match f[2] {
        "restored" => ReportOutcome::Restored,
        "alreadyActive" => ReportOutcome::AlreadyActive,
        "failed" => ReportOutcome::Failed {
            code: f[3].to_owned(),
            message: f[4].to_owned(),
        },
        other => return Err(corrupt("report outcome", other)),
    };
    let credential = match f[5] {
        "none" => None,
        "link" => Some(Credential::Link {
            url: f[6].to_owned(),
            expires_at: from_micros(f[7])?,
        }),
        "password" => Some(Credential::Password(f[6].to_owned())),
        "redacted" => Some(Credential::Redacted),
        other => return Err(corrupt("report credential", other)),
    };
    Ok(ReportRow {
        display_name: f[0].to_owned(),
        upn: f[1].to_owned(),
        outcome,
        credential,
    })
}
