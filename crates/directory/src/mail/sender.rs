//! The sender's side of the outbox: whether anything is due, claiming one message with a
//! lease, recording how its delivery ended, and the mail log.

use super::outbox::{ClaimedMail, DeliveryFailure, MailLogQuery, MailStatus, OutboxMessage, RetryPolicy};
use crate::caller::{Caller, Permission};
use crate::directory::Directory;
use crate::error::{Code, Error};
use time::Duration;

impl Directory {
    /// Whether a message is due now (a cheap read, so an idle sender never writes).
    pub async fn mail_due(&self) -> Result<bool, Error> {
        let now = self.now();
        let next = self.store.read().await?.next_mail_due().await?;
        Ok(next.is_some_and(|due| due <= now))
    }

    /// Claims the message due longest, if any, for `lease`: it becomes `sending`, its
    /// attempt is counted, and nobody else may claim it until the lease ends. A sender
    /// that dies keeps nothing: the message is due again when the lease ends.
    pub async fn claim_mail(&self, lease: Duration) -> Result<Option<ClaimedMail>, Error> {
        if lease <= Duration::ZERO {
            return Err(Error::invalid(
                Code::InvalidValue,
                "lease",
                "a lease must be longer than zero",
            ));
        }
        let now = self.now();
        let claim = uuid::Uuid::new_v4();
        let mut tx = self.store.begin().await?;
        let claimed = tx.claim_mail(now, now + lease, claim).await?;
        tx.commit().await?;
        Ok(claimed.map(|message| ClaimedMail { message, claim }))
    }

    /// Records a delivery; the stored copy loses its secrets. False when the claim was
    /// lost (its lease ended and another sender claimed the message).
    pub async fn mail_sent(&self, claimed: &ClaimedMail) -> Result<bool, Error> {
        let now = self.now();
        let mut message = claimed.message.clone();
        message.notification = message.notification.redacted();
        message.status = MailStatus::Sent;
        message.sent_at = Some(now);
        message.due_at = now;
        message.last_error = None;
        self.finish(claimed, &message).await
    }

    /// Records a failed attempt: the message waits for the policy's back-off, or fails for
    /// good after a permanent refusal or the last attempt (and then loses its secrets).
    /// Returns the new status.
    pub async fn mail_failed(
        &self,
        claimed: &ClaimedMail,
        failure: &DeliveryFailure,
        policy: &RetryPolicy,
    ) -> Result<MailStatus, Error> {
        let now = self.now();
        let mut message = claimed.message.clone();
        message.last_error = Some(failure.answer.chars().take(1000).collect());
        match policy.delay_after(message.attempts).filter(|_| !failure.permanent) {
            Some(delay) => {
                message.status = MailStatus::Queued;
                message.due_at = now + delay;
            }
            None => {
                message.status = MailStatus::Failed;
                message.due_at = now;
                message.notification = message.notification.redacted();
            }
        }
        self.finish(claimed, &message).await?;
        Ok(message.status)
    }

    async fn finish(&self, claimed: &ClaimedMail, message: &OutboxMessage) -> Result<bool, Error> {
        let mut tx = self.store.begin().await?;
        let updated = tx.finish_mail(message, claimed.claim).await?;
        tx.commit().await?;
        Ok(updated)
    }

    /// The mail log, newest first, without message bodies' secrets (Global Administrator
    /// or Global Reader).
    pub async fn mail_log(&self, caller: &Caller, query: &MailLogQuery) -> Result<Vec<OutboxMessage>, Error> {
        caller.authorize(Permission::ReadAudit)?;
        let mut query = query.clone();
        query.limit = if query.limit == 0 { 100 } else { query.limit.min(1000) };
        let mut messages = self.store.read().await?.mail_log(&query).await?;
        for message in &mut messages {
            message.notification = message.notification.redacted();
        }
        Ok(messages)
    }
}
