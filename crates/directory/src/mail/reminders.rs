//! Purge reminders: when the organisation turns them on, the Global Administrators hear
//! about users 7 days and 1 day before they are purged. Each user is reminded at most
//! once per threshold and deletion, even with several processes: the database remembers
//! each (user, deletion time, threshold) under a primary key, and only the transaction
//! that inserted it mentions the user.

use super::notification::{Language, Notification, PurgeReminder, ReminderUser};
use super::outbox::OutboxMessage;
use super::settings::{MailSettings, mail_settings_in};
use crate::address::EmailAddress;
use crate::clock::Timestamp;
use crate::directory::{Directory, tenant_in};
use crate::error::Error;
use crate::ids::UserId;
use crate::role::AdminRole;
use crate::store::Tx;
use crate::tenant::Tenant;
use time::Duration;

/// The thresholds, in days before the purge, most urgent first.
pub const REMINDER_DAYS: [u32; 2] = [1, 7];
const PAGE: u32 = 200;

impl Directory {
    /// Queues the purge reminders that are due now; returns how many users were mentioned.
    /// Does nothing unless the organisation turned reminders on, or when no Global
    /// Administrator has an e-mail address. Safe to run often and in several processes.
    pub async fn queue_purge_reminders(&self) -> Result<usize, Error> {
        let now = self.now();
        // A cheap read first: when reminders are off, the job never takes the writer.
        if !mail_settings_in(&mut *self.store.read().await?).await?.purge_reminders {
            return Ok(0);
        }
        let mut tx = self.store.begin().await?;
        let tenant = tenant_in(&mut *tx).await?;
        let settings = mail_settings_in(&mut *tx).await?;
        if !settings.purge_reminders {
            return Ok(0);
        }
        let admins = admin_recipients(&mut *tx, &settings).await?;
        if admins.is_empty() {
            return Ok(0);
        }
        let mut due: Vec<Candidate> = Vec::new();
        for candidate in users_near_purge(&mut *tx, &tenant, now).await? {
            if tx
                .remember_purge_reminder(candidate.id, candidate.deleted_at, candidate.threshold)
                .await?
            {
                due.push(candidate);
            }
        }
        for threshold in REMINDER_DAYS {
            let users: Vec<ReminderUser> = due
                .iter()
                .filter(|candidate| candidate.threshold == threshold)
                .map(|candidate| candidate.user.clone())
                .collect();
            if users.is_empty() {
                continue;
            }
            let reminder = Notification::PurgeReminder(PurgeReminder {
                organization: tenant.name.clone(),
                days: threshold,
                users,
            });
            for (language, group) in &admins {
                let message = OutboxMessage::new(reminder.clone(), group.clone(), language.clone(), now);
                tx.queue_mail(&message).await?;
            }
        }
        tx.commit().await?;
        Ok(due.len())
    }
}

/// The enabled Global Administrators' primary addresses, grouped by language.
async fn admin_recipients(
    tx: &mut dyn Tx,
    settings: &MailSettings,
) -> Result<Vec<(Language, Vec<EmailAddress>)>, Error> {
    let mut groups: Vec<(Language, Vec<EmailAddress>)> = Vec::new();
    for id in tx.role_holders(AdminRole::GlobalAdministrator).await? {
        let Some(admin) = tx.user(id).await?.filter(|u| u.account_enabled) else {
            continue;
        };
        let Some(address) = admin.mail().cloned() else {
            continue;
        };
        let language = Language::preferred_or(admin.preferred_language.as_deref(), &settings.default_language);
        match groups.iter_mut().find(|(known, _)| *known == language) {
            Some((_, group)) => group.push(address),
            None => groups.push((language, vec![address])),
        }
    }
    Ok(groups)
}

/// A deleted user within a threshold of its purge.
struct Candidate {
    id: UserId,
    deleted_at: Timestamp,
    /// The most urgent threshold it has reached.
    threshold: u32,
    user: ReminderUser,
}

/// Restorable users purged within the widest threshold, oldest deletion first.
async fn users_near_purge(tx: &mut dyn Tx, tenant: &Tenant, now: Timestamp) -> Result<Vec<Candidate>, Error> {
    let widest = Duration::days(i64::from(REMINDER_DAYS[REMINDER_DAYS.len() - 1]));
    let not_before = now - tenant.retention.duration();
    let mut found = Vec::new();
    let mut after = None;
    loop {
        let page = tx.deleted_users_page(not_before, after, PAGE).await?;
        let Some(last) = page.last() else {
            return Ok(found);
        };
        after = Some((last.deleted_at, last.user.id));
        for deleted in &page {
            let purge_at = tenant.purge_at(deleted.deleted_at);
            let left = purge_at - now;
            if left > widest {
                return Ok(found);
            }
            let Some(threshold) = REMINDER_DAYS
                .iter()
                .copied()
                .find(|d| left <= Duration::days(i64::from(*d)))
            else {
                continue;
            };
            let user = ReminderUser {
                display_name: deleted.user.display_name.clone(),
                upn: deleted.user.upn.to_string(),
                purge_at,
            };
            found.push(Candidate {
                id: deleted.user.id,
                deleted_at: deleted.deleted_at,
                threshold,
                user,
            });
        }
    }
}
