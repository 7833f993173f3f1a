//! The mail job: at every interval it queues the purge reminders that are due, then
//! delivers every due message in the outbox, one claim at a time, until none is due. Safe
//! in every process that shares a database: a claim holds a message for the lease, so
//! each message is sent by one process; one that dies mid-send leaves it to the next
//! claim when its lease ends.

use crate::every::{First, Ticks};
use directory::Directory;
use directory::mail::{ClaimedMail, MailStatus, RetryPolicy};
use roster_mail::Mailer;
use std::time::Duration;
use tokio::sync::watch;

/// What the job needs; built by `serve` from the settings.
#[derive(Debug, Clone)]
pub struct MailJob {
    pub directory: Directory,
    pub mailer: Mailer,
    pub interval: Duration,
    pub retry: RetryPolicy,
    /// How long a claim holds a message; longer than the slowest delivery.
    pub lease: Duration,
}

impl MailJob {
    /// The retry policy that starts at `first` and doubles up to an hour, ten attempts.
    pub fn retry_from(first: Duration) -> RetryPolicy {
        RetryPolicy {
            first: to_time(first),
            ..RetryPolicy::default()
        }
    }
}

fn to_time(duration: Duration) -> time::Duration {
    time::Duration::try_from(duration).unwrap_or(time::Duration::MAX)
}

/// Runs until `stop` turns true. The first run is immediate.
pub async fn run(job: MailJob, stop: watch::Receiver<bool>) {
    tracing::info!(delivery = job.mailer.describe(), "the mail job is running");
    let watching = stop.clone();
    let mut ticks = Ticks::new(job.interval, First::AtOnce, stop);
    while ticks.next().await {
        run_once(&job, &watching).await;
    }
}

/// Queues due reminders, then sends until nothing is due (or the server stops).
pub async fn run_once(job: &MailJob, stop: &watch::Receiver<bool>) {
    match job.directory.queue_purge_reminders().await {
        Ok(0) => {}
        Ok(users) => tracing::info!(users, "queued purge reminders"),
        Err(error) => tracing::warn!(%error, "could not queue purge reminders; retrying at the next interval"),
    }
    while !*stop.borrow() {
        match job.directory.mail_due().await {
            Ok(true) => {}
            Ok(false) => return,
            Err(error) => {
                tracing::warn!(%error, "cannot read the outbox; retrying at the next interval");
                return;
            }
        }
        match job.directory.claim_mail(to_time(job.lease)).await {
            Ok(Some(claimed)) => deliver(job, &claimed).await,
            Ok(None) => return,
            Err(error) => {
                tracing::warn!(%error, "cannot claim mail; retrying at the next interval");
                return;
            }
        }
    }
}

async fn deliver(job: &MailJob, claimed: &ClaimedMail) {
    let message = &claimed.message;
    let (id, kind, attempt) = (message.id.to_string(), message.kind().as_str(), message.attempts);
    let recorded = match job.mailer.deliver(message).await {
        Ok(()) => {
            tracing::info!(%id, kind, attempt, recipients = message.recipients.len(), "mail sent");
            job.directory.mail_sent(claimed).await.map(|_| ())
        }
        Err(failure) => match job.directory.mail_failed(claimed, &failure, &job.retry).await {
            Ok(MailStatus::Failed) => {
                tracing::error!(%id, kind, attempt, answer = %failure.answer, "mail failed for good");
                Ok(())
            }
            Ok(_) => {
                tracing::warn!(%id, kind, attempt, answer = %failure.answer, "mail not sent; it will be retried");
                Ok(())
            }
            Err(error) => Err(error),
        },
    };
    if let Err(error) = recorded {
        tracing::warn!(%id, %error, "cannot record a delivery; the message is retried when its lease ends");
    }
}
