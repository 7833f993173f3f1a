//! One-time set-password links: a random secret in the link, only its SHA-256 stored,
//! valid for [`PASSWORD_LINK_LIFETIME`], and usable once (a conditional update decides,
//! so two racing requests cannot both use it). Using it sets the password, clears the
//! forced change, ends the user's sessions and is audited.

use super::notification::{Notification, PasswordLinkNotice};
use super::outbox::OutboxMessage;
use super::settings::{CredentialDelivery, MailSettings, mail_settings_in};
use crate::audit::AuditAction;
use crate::caller::{Caller, Origin, Permission};
use crate::clock::Timestamp;
use crate::directory::{Directory, Target, audit_event, tenant_in};
use crate::error::{Code, Error};
use crate::ids::UserId;
use crate::password::{self, Password};
use crate::store::{ReadTx, Tx};
use crate::user::User;
use sha2::{Digest, Sha256};
use std::fmt;
use time::Duration;

/// How long a set-password link works.
pub const PASSWORD_LINK_LIFETIME: Duration = Duration::hours(24);

/// A link's secret, `rpl_` and 43 URL-safe characters (256 random bits).
#[derive(Clone, PartialEq, Eq)]
pub struct LinkSecret(String);

impl LinkSecret {
    pub const PREFIX: &'static str = "rpl_";

    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        password::fill_random(&mut bytes);
        LinkSecret(format!("{}{}", Self::PREFIX, crate::token::base64_url(&bytes)))
    }

    /// Wraps a secret presented in a request.
    pub fn presented(text: &str) -> Self {
        LinkSecret(text.to_owned())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Hex SHA-256, the only form stored.
    pub fn hash(&self) -> String {
        Sha256::digest(self.0.as_bytes())
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }
}

impl fmt::Debug for LinkSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LinkSecret(***)")
    }
}

/// A link as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordLinkRecord {
    pub id: uuid::Uuid,
    pub user: UserId,
    pub hash: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub used_at: Option<Timestamp>,
}

impl PasswordLinkRecord {
    pub fn is_usable_at(&self, now: Timestamp) -> bool {
        self.used_at.is_none() && now < self.expires_at
    }
}

/// A new link: its secret and the address of the page that takes it, shown or mailed once.
#[derive(Debug)]
pub struct IssuedPasswordLink {
    pub record: PasswordLinkRecord,
    pub secret: LinkSecret,
    pub url: String,
}

/// What the set-password page shows for a usable link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordLinkInfo {
    pub user: UserId,
    pub upn: String,
    pub display_name: String,
    pub expires_at: Timestamp,
}

fn link_invalid() -> Error {
    Error::invalid(
        Code::PasswordLinkInvalid,
        "link",
        "This link to set a password is unknown, expired or already used. Ask an administrator for a new one.",
    )
}

/// Creates a link for `user` in the caller's transaction and audits it.
pub(crate) async fn issue_link_in(
    tx: &mut dyn Tx,
    caller: &Caller,
    settings: &MailSettings,
    user: &User,
    now: Timestamp,
) -> Result<IssuedPasswordLink, Error> {
    let public_url = settings.public_url.as_ref().ok_or_else(|| {
        Error::invalid(
            Code::InvalidValue,
            "publicUrl",
            "set the organisation's public address (roster tenant set --public-url) before sending links",
        )
    })?;
    let secret = LinkSecret::generate();
    let record = PasswordLinkRecord {
        id: uuid::Uuid::now_v7(),
        user: user.id,
        hash: secret.hash(),
        created_at: now,
        expires_at: now + PASSWORD_LINK_LIFETIME,
        used_at: None,
    };
    tx.insert_password_link(&record).await?;
    let mut event = audit_event(
        caller,
        now,
        AuditAction::IssuePasswordLink,
        Target::new(user.id, &user.upn),
    );
    event.details.push(("expiresAt".into(), record.expires_at.to_string()));
    tx.append_audit(&event).await?;
    let url = public_url.set_password_page(secret.expose());
    Ok(IssuedPasswordLink { record, secret, url })
}

/// The link's record and its active user, if the link is usable now.
async fn usable_link(
    tx: &mut dyn ReadTx,
    secret: &LinkSecret,
    now: Timestamp,
) -> Result<(PasswordLinkRecord, User), Error> {
    let record = tx
        .password_link_by_hash(&secret.hash())
        .await?
        .filter(|record| record.is_usable_at(now))
        .ok_or_else(link_invalid)?;
    let user = tx.user(record.user).await?.ok_or_else(link_invalid)?;
    Ok((record, user))
}

impl Directory {
    /// Issues a one-time set-password link for an active user (the caller needs the right
    /// to reset that user's password). With recipients, the link is also mailed to them
    /// in the same transaction, which the organisation must allow
    /// ([`CredentialDelivery`] other than `Never`).
    pub async fn issue_password_link(
        &self,
        caller: &Caller,
        id: UserId,
        recipients: &[String],
    ) -> Result<IssuedPasswordLink, Error> {
        caller.authorize(Permission::ResetPassword)?;
        let recipients = super::report::parse_recipients(recipients, !recipients.is_empty())?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let tenant = tenant_in(&mut *tx).await?;
        let settings = mail_settings_in(&mut *tx).await?;
        let user = tx.user(id).await?.ok_or_else(|| Error::not_found(id))?;
        caller.authorize_on(Permission::ResetPassword, &tx.roles_of(id).await?)?;
        crate::user::manage::refuse_synced(&user)?;
        if !recipients.is_empty() && settings.credentials == CredentialDelivery::Never {
            return Err(credentials_off());
        }
        let issued = issue_link_in(&mut *tx, caller, &settings, &user, now).await?;
        let notice = Notification::PasswordLink(PasswordLinkNotice {
            organization: tenant.name.clone(),
            display_name: user.display_name.clone(),
            upn: user.upn.to_string(),
            url: issued.url.clone(),
            expires_at: issued.record.expires_at,
        });
        for (language, group) in super::report::by_language(&mut *tx, &settings, recipients).await? {
            tx.queue_mail(&OutboxMessage::new(notice.clone(), group, language, now))
                .await?;
        }
        tx.commit().await?;
        Ok(issued)
    }

    /// Who a link is for, if it is usable now (for the set-password page before it asks
    /// for the new password). Unknown, used and expired links are one error.
    pub async fn password_link(&self, secret: &str) -> Result<PasswordLinkInfo, Error> {
        let now = self.now();
        let mut tx = self.store.read().await?;
        let (record, user) = usable_link(&mut *tx, &LinkSecret::presented(secret), now).await?;
        Ok(info(&record, &user))
    }

    /// Sets the user's password through a link, once: clears the forced change, ends the
    /// user's token sessions, uses up the link and audits it with the user as the actor,
    /// the request coming from `origin`.
    pub async fn redeem_password_link(
        &self,
        secret: &str,
        new_password: &str,
        origin: &Origin,
    ) -> Result<PasswordLinkInfo, Error> {
        let secret = LinkSecret::presented(secret);
        let (_, user) = usable_link(&mut *self.store.read().await?, &secret, self.now()).await?;
        let password = Password::parse(new_password, Some(user.upn.local()))?;
        let hash = password::hash_blocking(password).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let (record, user) = usable_link(&mut *tx, &secret, now).await?;
        if !tx.use_password_link(record.id, now).await? {
            return Err(link_invalid());
        }
        tx.set_password(user.id, &hash, false).await?;
        tx.revoke_tokens_of(user.id, now).await?;
        let mut event = audit_event(
            &Caller::system().with_origin(origin.clone()),
            now,
            AuditAction::RedeemPasswordLink,
            Target::new(user.id, &user.upn),
        );
        event.actor = user.upn.to_string();
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(info(&record, &user))
    }
}

fn info(record: &PasswordLinkRecord, user: &User) -> PasswordLinkInfo {
    PasswordLinkInfo {
        user: user.id,
        upn: user.upn.to_string(),
        display_name: user.display_name.clone(),
        expires_at: record.expires_at,
    }
}

pub(crate) fn credentials_off() -> Error {
    Error::invalid(
        Code::InvalidValue,
        "credentials",
        "this organisation does not send credentials by mail (roster tenant set --mail-credentials link)",
    )
}
