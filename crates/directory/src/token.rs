//! Bearer tokens: random secrets shown once, stored as SHA-256 hashes, with expiry and
//! revocation. A user's tokens stop working when the user is deleted or disabled.

use crate::audit::AuditAction;
use crate::caller::{Caller, Permission, Principal};
use crate::clock::Timestamp;
use crate::directory::{Directory, Target, audit_event};
use crate::error::{Code, Error};
use crate::ids::{AppId, TokenId, UserId};
use crate::role::RoleSet;
use sha2::{Digest, Sha256};
use std::fmt;
use time::Duration;

/// Whom a token speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSubject {
    /// Acts as the user, with the user's current roles.
    User(UserId),
    /// Acts with a fixed set of roles, for automation and recovery.
    Service { roles: RoleSet },
    /// Acts as an app registration, with the app's current roles.
    App(AppId),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    pub id: TokenId,
    pub name: String,
    /// Hex SHA-256 of the secret.
    pub hash: String,
    pub subject: TokenSubject,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

impl TokenRecord {
    pub fn is_valid_at(&self, now: Timestamp) -> bool {
        self.revoked_at.is_none() && now < self.expires_at
    }
}

/// A token's secret, `rst_` and 43 URL-safe characters (256 random bits). Shown once.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenSecret(String);

impl TokenSecret {
    pub const PREFIX: &'static str = "rst_";

    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        crate::password::fill_random(&mut bytes);
        TokenSecret(format!("{}{}", Self::PREFIX, base64_url(&bytes)))
    }

    /// Wraps a secret presented by a client.
    pub fn presented(text: &str) -> Self {
        TokenSecret(text.to_owned())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> String {
        let digest = Sha256::digest(self.0.as_bytes());
        digest.iter().map(|byte| format!("{byte:02x}")).collect()
    }
}

impl fmt::Debug for TokenSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenSecret(***)")
    }
}

pub(crate) fn base64_url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len() * 4 / 3 + 1);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_random_and_hash_stably() {
        let secret = TokenSecret::generate();
        assert_eq!(secret.expose().len(), 4 + 43);
        assert_ne!(secret, TokenSecret::generate());
        assert_eq!(secret.hash(), TokenSecret::presented(secret.expose()).hash());
        assert_eq!(secret.hash().len(), 64);
        assert_eq!(base64_url(b"\xfb\xff"), "-_8");
    }
}

/// A freshly issued token: its record and its secret, shown once.
#[derive(Debug)]
pub struct IssuedToken {
    pub record: TokenRecord,
    pub secret: TokenSecret,
}

impl Directory {
    /// Issues a token that acts with fixed roles, for automation and recovery.
    pub async fn issue_service_token(
        &self,
        caller: &Caller,
        name: &str,
        roles: RoleSet,
        lifetime: Duration,
    ) -> Result<IssuedToken, Error> {
        caller.authorize(Permission::ManageTokens)?;
        if roles.is_empty() {
            return Err(Error::invalid(
                Code::InvalidValue,
                "roles",
                "a service token needs at least one role",
            ));
        }
        self.issue(caller, name, TokenSubject::Service { roles }, lifetime)
            .await
    }

    /// Issues a token that acts as an active, enabled user (after it signed in, or for an
    /// admin acting on its behalf).
    pub async fn issue_user_token(
        &self,
        caller: &Caller,
        user: UserId,
        lifetime: Duration,
    ) -> Result<IssuedToken, Error> {
        if caller.user_id() != Some(user) {
            caller.authorize(Permission::ManageTokens)?;
        }
        let mut tx = self.store.read().await?;
        let holder = tx.user(user).await?.ok_or_else(|| Error::not_found(user))?;
        drop(tx);
        self.issue(caller, &holder.upn.to_string(), TokenSubject::User(user), lifetime)
            .await
    }

    pub(crate) async fn issue(
        &self,
        caller: &Caller,
        name: &str,
        subject: TokenSubject,
        lifetime: Duration,
    ) -> Result<IssuedToken, Error> {
        let name = crate::user::text_property("name", name, 128)?;
        if lifetime <= Duration::ZERO || lifetime > Duration::days(3650) {
            return Err(Error::invalid(
                Code::InvalidValue,
                "expiresIn",
                "a token lives longer than zero and at most 3650 days",
            ));
        }
        let now = self.now();
        let secret = TokenSecret::generate();
        let record = TokenRecord {
            id: TokenId::generate(),
            name,
            hash: secret.hash(),
            subject,
            created_at: now,
            expires_at: now + lifetime,
            revoked_at: None,
        };
        let mut tx = self.store.begin().await?;
        tx.insert_token(&record).await?;
        let mut event = audit_event(
            caller,
            now,
            AuditAction::IssueToken,
            Target::new(record.id, &record.name),
        );
        event.details.push(("expiresAt".into(), record.expires_at.to_string()));
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(IssuedToken { record, secret })
    }

    /// The caller a presented secret stands for. Fails with [`Error::Unauthenticated`] for an
    /// unknown, expired or revoked token, and for a user that is deleted or disabled.
    /// A service token costs one statement, outside any transaction; a user's or an app's
    /// is then read in a snapshot of its own.
    pub async fn authenticate(&self, secret: &TokenSecret) -> Result<Caller, Error> {
        let now = self.now();
        let record = self.store.lookup_token(&secret.hash()).await?;
        let record = record.filter(|r| r.is_valid_at(now)).ok_or(Error::Unauthenticated)?;
        match record.subject {
            TokenSubject::Service { roles } => Ok(Caller::new(Principal::Service { name: record.name }, roles)),
            TokenSubject::User(id) => {
                let mut tx = self.store.read().await?;
                let (user, roles) = tx
                    .user_with_roles(id)
                    .await?
                    .filter(|(user, _)| user.account_enabled)
                    .ok_or(Error::Unauthenticated)?;
                Ok(Caller::new(
                    Principal::User {
                        id,
                        upn: user.upn.to_string(),
                    },
                    roles,
                ))
            }
            TokenSubject::App(id) => {
                let app = self.store.read().await?.app(id).await?.ok_or(Error::Unauthenticated)?;
                Ok(Caller::new(
                    Principal::App {
                        id,
                        name: app.display_name,
                    },
                    app.roles,
                ))
            }
        }
    }

    pub async fn revoke_token(&self, caller: &Caller, id: TokenId) -> Result<(), Error> {
        caller.authorize(Permission::ManageTokens)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !tx.revoke_token(id, now).await? {
            return Err(Error::not_found(id));
        }
        let event = audit_event(caller, now, AuditAction::RevokeToken, Target::new(id, id));
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(())
    }
}
