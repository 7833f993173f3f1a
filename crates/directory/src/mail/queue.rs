//! Notices queued by other use cases inside their own transactions.

use super::notification::{AccountRestored, Language, Notification};
use super::outbox::OutboxMessage;
use super::settings::mail_settings_in;
use crate::clock::Timestamp;
use crate::error::Error;
use crate::store::Tx;
use crate::user::User;

/// Tells a restored user, at its alternate addresses (`otherMails`), that the account is
/// back and whether its password changed. Called in the restore's transaction, so a
/// restore that does not commit sends nothing. No alternate addresses, no message.
pub(crate) async fn queue_account_restored(
    tx: &mut dyn Tx,
    organization: &str,
    user: &User,
    password_changed: bool,
    now: Timestamp,
) -> Result<(), Error> {
    if user.other_mails.is_empty() {
        return Ok(());
    }
    let settings = mail_settings_in(&mut *tx).await?;
    let language = Language::preferred_or(user.preferred_language.as_deref(), &settings.default_language);
    let notice = Notification::AccountRestored(AccountRestored {
        organization: organization.to_owned(),
        display_name: user.display_name.clone(),
        upn: user.upn.to_string(),
        password_changed,
    });
    let message = OutboxMessage::new(notice, user.other_mails.clone(), language, now);
    tx.queue_mail(&message).await?;
    Ok(())
}
