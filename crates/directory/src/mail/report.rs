//! The restore report: at the end of a restore the admin chooses who hears about it. The
//! recipients are checked before anything is queued, and credentials go along only when
//! the organisation allows it, preferably as one-time links.

use super::links::{credentials_off, issue_link_in};
use super::notification::{Credential, Language, Notification, ReportOutcome, ReportRow, RestoreReport};
use super::outbox::OutboxMessage;
use super::settings::{CredentialDelivery, MailSettings, mail_settings_in};
use crate::address::{EmailAddress, OwnerKind};
use crate::audit::AuditAction;
use crate::caller::{Caller, Permission};
use crate::clock::Timestamp;
use crate::directory::{Directory, Target, audit_event, tenant_in};
use crate::error::{Code, Error};
use crate::ids::UserId;
use crate::recycle_bin::{RestoreOutcome, RestoreResult, RestoredUser};
use crate::store::{ReadTx, Tx};

/// The most recipients one report may have.
pub const MAX_REPORT_RECIPIENTS: usize = 20;

/// Parses and de-duplicates recipients (ignoring case); refuses an invalid one, none at
/// all (when `required`), and more than [`MAX_REPORT_RECIPIENTS`].
pub(crate) fn parse_recipients(texts: &[String], required: bool) -> Result<Vec<EmailAddress>, Error> {
    let mut recipients: Vec<EmailAddress> = Vec::new();
    for text in texts {
        let address = EmailAddress::parse(text.trim()).map_err(|_| {
            Error::invalid(
                Code::InvalidValue,
                "recipients",
                format!("'{}' is not a valid e-mail address", text.escape_debug()),
            )
        })?;
        if !recipients.iter().any(|known| known.key() == address.key()) {
            recipients.push(address);
        }
    }
    if required && recipients.is_empty() {
        return Err(Error::invalid(
            Code::InvalidValue,
            "recipients",
            "choose at least one recipient",
        ));
    }
    if recipients.len() > MAX_REPORT_RECIPIENTS {
        return Err(Error::invalid(
            Code::InvalidValue,
            "recipients",
            format!("at most {MAX_REPORT_RECIPIENTS} recipients, not {}", recipients.len()),
        ));
    }
    Ok(recipients)
}

/// Groups recipients by language: a directory user's preferred language when the address
/// is theirs, else the organisation's default. Groups come in first-seen order.
pub(crate) async fn by_language(
    tx: &mut dyn ReadTx,
    settings: &MailSettings,
    recipients: Vec<EmailAddress>,
) -> Result<Vec<(Language, Vec<EmailAddress>)>, Error> {
    let mut groups: Vec<(Language, Vec<EmailAddress>)> = Vec::new();
    for address in recipients {
        let holders = tx.address_holders(&[address.key()]).await?;
        let mut preferred = None;
        if let Some(holder) = holders
            .iter()
            .find(|h| h.owner_kind == OwnerKind::User && !h.owner_deleted)
            && let Some(user) = tx.user(UserId(holder.owner_id)).await?
        {
            preferred = user.preferred_language;
        }
        let language = Language::preferred_or(preferred.as_deref(), &settings.default_language);
        match groups.iter_mut().find(|(known, _)| *known == language) {
            Some((_, group)) => group.push(address),
            None => groups.push((language, vec![address])),
        }
    }
    Ok(groups)
}

impl Directory {
    /// Queues the report of a restore to the recipients the admin chose, one message per
    /// language. Nothing is queued when a recipient is invalid or there are more than
    /// [`MAX_REPORT_RECIPIENTS`]. With `include_credentials`, each restored user's row
    /// carries a one-time set-password link (or its generated password), which the
    /// organisation must allow.
    pub async fn send_restore_report(
        &self,
        caller: &Caller,
        recipients: &[String],
        results: &[RestoreResult],
        include_credentials: bool,
    ) -> Result<usize, Error> {
        caller.authorize(Permission::RestoreUser)?;
        let recipients = parse_recipients(recipients, true)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let tenant = tenant_in(&mut *tx).await?;
        let settings = mail_settings_in(&mut *tx).await?;
        if include_credentials && settings.credentials == CredentialDelivery::Never {
            return Err(credentials_off());
        }
        let delivery = if include_credentials {
            settings.credentials
        } else {
            CredentialDelivery::Never
        };
        let mut rows = Vec::with_capacity(results.len());
        for result in results {
            rows.push(report_row(&mut *tx, caller, &settings, delivery, result, now).await?);
        }
        let report = Notification::RestoreReport(RestoreReport {
            organization: tenant.name.clone(),
            rows,
        });
        let count = recipients.len();
        let groups = by_language(&mut *tx, &settings, recipients).await?;
        for (language, group) in groups {
            tx.queue_mail(&OutboxMessage::new(report.clone(), group, language, now))
                .await?;
        }
        let mut event = audit_event(
            caller,
            now,
            AuditAction::SendRestoreReport,
            Target::new(tenant.id, &tenant.name),
        );
        event.details.push(("recipients".into(), count.to_string()));
        event.details.push(("users".into(), results.len().to_string()));
        event.details.push(("credentials".into(), delivery.as_str().into()));
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(count)
    }
}

async fn report_row(
    tx: &mut dyn Tx,
    caller: &Caller,
    settings: &MailSettings,
    delivery: CredentialDelivery,
    result: &RestoreResult,
    now: Timestamp,
) -> Result<ReportRow, Error> {
    let (display_name, upn) = names(&mut *tx, result).await?;
    let (outcome, credential) = match &result.outcome {
        RestoreOutcome::Restored(restored) => {
            let credential = credential(tx, caller, settings, delivery, restored, now).await?;
            (ReportOutcome::Restored, credential)
        }
        RestoreOutcome::AlreadyActive => (ReportOutcome::AlreadyActive, None),
        RestoreOutcome::Failed(error) => (
            ReportOutcome::Failed {
                code: error.code().as_str().into(),
                message: error.to_string(),
            },
            None,
        ),
    };
    Ok(ReportRow {
        display_name,
        upn,
        outcome,
        credential,
    })
}

/// The user's name and UPN as they are now (active or deleted), else the id.
async fn names(tx: &mut dyn Tx, result: &RestoreResult) -> Result<(String, String), Error> {
    if let RestoreOutcome::Restored(restored) = &result.outcome {
        return Ok((restored.user.display_name.clone(), restored.user.upn.to_string()));
    }
    if let Some(user) = tx.user(result.id).await? {
        return Ok((user.display_name, user.upn.to_string()));
    }
    if let Some(deleted) = tx.deleted_user(result.id).await? {
        return Ok((deleted.user.display_name, deleted.user.upn.to_string()));
    }
    Ok((result.id.to_string(), result.id.to_string()))
}

async fn credential(
    tx: &mut dyn Tx,
    caller: &Caller,
    settings: &MailSettings,
    delivery: CredentialDelivery,
    restored: &RestoredUser,
    now: Timestamp,
) -> Result<Option<Credential>, Error> {
    match delivery {
        CredentialDelivery::Never => Ok(None),
        CredentialDelivery::Password => Ok(restored
            .generated_password
            .as_ref()
            .map(|password| Credential::Password(password.expose().to_owned()))),
        CredentialDelivery::Link => {
            let Some(user) = tx.user(restored.user.id).await? else {
                return Ok(None);
            };
            caller.authorize_on(Permission::ResetPassword, &tx.roles_of(user.id).await?)?;
            let issued = issue_link_in(tx, caller, settings, &user, now).await?;
            Ok(Some(Credential::Link {
                url: issued.url,
                expires_at: issued.record.expires_at,
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipients_are_checked_deduplicated_and_bounded() {
        let texts = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let parsed = parse_recipients(&texts(&["a@contoso.com", "A@Contoso.com ", "b@contoso.com"]), true).unwrap();
        assert_eq!(parsed.len(), 2);
        assert!(parse_recipients(&[], true).is_err());
        assert!(parse_recipients(&[], false).unwrap().is_empty());
        assert!(parse_recipients(&texts(&["a@contoso.com\r\nBcc: x@evil.com"]), true).is_err());
        assert!(parse_recipients(&texts(&["Alice <a@contoso.com>"]), true).is_err());
        let many: Vec<String> = (0..=MAX_REPORT_RECIPIENTS)
            .map(|n| format!("u{n}@contoso.com"))
            .collect();
        let error = parse_recipients(&many, true).unwrap_err();
        assert_eq!(error.target(), Some("recipients"));
        assert!(parse_recipients(&many[..MAX_REPORT_RECIPIENTS], true).is_ok());
    }
}
