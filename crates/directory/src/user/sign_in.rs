//! Signing in with a password: the check itself, lockout against guessing, sessions, and
//! changing one's own password.
//!
//! Failed attempts are counted per sign-in name (known or not, so a lockout never tells
//! which names exist). [`LOCKOUT_THRESHOLD`] failures within [`FAILURE_WINDOW`] lock
//! password sign-in for that name for [`LOCKOUT_DURATION`]. A session is a user token
//! named [`SESSION_TOKEN_NAME`]; like every user token it dies when the user is deleted or
//! disabled, and a restore does not revive it (the user signs in again).

use super::User;
use crate::audit::{AuditAction, AuditEvent, AuditOutcome};
use crate::caller::{Caller, Principal};
use crate::clock::Timestamp;
use crate::directory::{Directory, Target, audit_event};
use crate::error::{Code, Error};
use crate::ids::{AuditId, TokenId, UserId};
use crate::password;
use crate::password::{Password, PasswordHash};
use crate::token::{TokenRecord, TokenSecret, TokenSubject};
use crate::upn::UserPrincipalName;
use std::sync::OnceLock;
use time::Duration;

/// Failed attempts within [`FAILURE_WINDOW`] that lock sign-in.
pub const LOCKOUT_THRESHOLD: u32 = 5;
/// How far back failed attempts count.
pub const FAILURE_WINDOW: Duration = Duration::minutes(15);
/// How long a lockout lasts.
pub const LOCKOUT_DURATION: Duration = Duration::minutes(15);
/// The name of tokens that are browser sessions.
pub const SESSION_TOKEN_NAME: &str = "session";

/// Failed sign-ins for one sign-in name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInFailures {
    /// The lower-cased sign-in name as typed.
    pub key: String,
    pub failures: u32,
    pub first_failure_at: Timestamp,
    pub locked_until: Option<Timestamp>,
}

impl SignInFailures {
    /// The record after one more failure at `now`.
    fn after_failure(previous: Option<SignInFailures>, key: &str, now: Timestamp) -> SignInFailures {
        let current = previous.filter(|p| now < p.first_failure_at + FAILURE_WINDOW && p.locked_until.is_none());
        let (failures, first_failure_at) = match current {
            Some(p) => (p.failures + 1, p.first_failure_at),
            None => (1, now),
        };
        let locked_until = (failures >= LOCKOUT_THRESHOLD).then_some(now + LOCKOUT_DURATION);
        SignInFailures {
            key: key.to_owned(),
            failures,
            first_failure_at,
            locked_until,
        }
    }

    fn locked_at(&self, now: Timestamp) -> Option<Timestamp> {
        self.locked_until.filter(|until| now < *until)
    }
}

/// A new browser session.
#[derive(Debug)]
pub struct SignedIn {
    pub user: User,
    pub secret: TokenSecret,
    pub expires_at: Timestamp,
}

/// The user behind a session, with the caller it acts as.
#[derive(Debug, Clone)]
pub struct Session {
    pub caller: Caller,
    pub user: User,
}

/// The comparison key of a sign-in name as typed.
fn sign_in_key(name: &str) -> String {
    name.trim().chars().take(256).collect::<String>().to_lowercase()
}

fn decoy_hash() -> &'static PasswordHash {
    static DECOY: OnceLock<PasswordHash> = OnceLock::new();
    DECOY.get_or_init(|| password::hash(&Password::generate()))
}

impl Directory {
    /// The active, enabled user with this UPN and password, or [`Error::Unauthenticated`]
    /// (deleted, disabled, unknown and wrong password all look the same to the caller).
    pub async fn check_password(&self, upn: &str, password: &str) -> Result<User, Error> {
        let upn = UserPrincipalName::parse(upn).map_err(|_| Error::Unauthenticated)?;
        let mut tx = self.store.read().await?;
        let user = tx.user_by_upn_key(&upn.key()).await?;
        let hash = match &user {
            Some(user) => tx.password_hash(user.id).await?,
            None => None,
        };
        drop(tx);
        // Unknown users cost one hash too, so timing does not tell which names exist.
        let known = user.is_some() && hash.is_some();
        let hash = hash.unwrap_or_else(|| decoy_hash().clone());
        let valid = password::verify_blocking(hash, password.to_owned()).await;
        match user {
            Some(user) if known && valid && user.account_enabled => Ok(user),
            _ => Err(Error::Unauthenticated),
        }
    }

    /// Signs a user in with a password and opens a session of `lifetime`. Fails with
    /// [`Error::Locked`] while the name is locked out, else [`Error::Unauthenticated`] for
    /// anything wrong. Every attempt is audited.
    pub async fn sign_in(&self, name: &str, password: &str, lifetime: Duration) -> Result<SignedIn, Error> {
        let key = sign_in_key(name);
        let mut tx = self.store.read().await?;
        let failures = tx.sign_in_failures(&key).await?;
        drop(tx);
        if let Some(until) = failures.as_ref().and_then(|f| f.locked_at(self.now())) {
            self.audit_sign_in_failure(&key, "locked").await;
            return Err(Error::Locked { until });
        }
        match self.check_password(name, password).await {
            Ok(user) => self.open_session(&key, user, lifetime).await,
            Err(Error::Unauthenticated) => Err(self.count_failure(&key).await),
            Err(other) => Err(other),
        }
    }

    async fn open_session(&self, key: &str, user: User, lifetime: Duration) -> Result<SignedIn, Error> {
        let now = self.now();
        let (secret, record) = session_token(user.id, now, lifetime);
        let mut tx = self.store.begin().await?;
        tx.clear_sign_in_failures(key).await?;
        tx.insert_token(&record).await?;
        let caller = user_caller(&user);
        tx.append_audit(&audit_event(
            &caller,
            now,
            AuditAction::SignIn,
            Target::new(user.id, &user.upn),
        ))
        .await?;
        tx.commit().await?;
        Ok(SignedIn {
            user,
            secret,
            expires_at: record.expires_at,
        })
    }

    /// Counts a failed attempt (locking the name at the threshold) and says what to answer.
    async fn count_failure(&self, key: &str) -> Error {
        let now = self.now();
        let result = async {
            let mut tx = self.store.begin().await?;
            let previous = tx.sign_in_failures(key).await?;
            let record = SignInFailures::after_failure(previous, key, now);
            tx.put_sign_in_failures(&record).await?;
            tx.append_audit(&sign_in_failure_event(key, now, "wrongCredentials"))
                .await?;
            if let Some(until) = record.locked_until {
                let mut event = sign_in_failure_event(key, now, "locked");
                event.action = AuditAction::LockSignIn;
                event.outcome = AuditOutcome::Success;
                event.details.push(("lockedUntil".into(), until.to_string()));
                tx.append_audit(&event).await?;
            }
            tx.commit().await?;
            Ok::<_, Error>(record.locked_until)
        }
        .await;
        match result {
            Ok(Some(until)) => Error::Locked { until },
            Ok(None) => Error::Unauthenticated,
            Err(error) => error,
        }
    }

    async fn audit_sign_in_failure(&self, key: &str, reason: &str) {
        let event = sign_in_failure_event(key, self.now(), reason);
        let written = async {
            let mut tx = self.store.begin().await?;
            tx.append_audit(&event).await?;
            tx.commit().await
        };
        if let Err(error) = written.await {
            tracing::warn!(%error, "could not audit a failed sign-in");
        }
    }

    /// The session a browser presents: its user must still be active and enabled.
    pub async fn session(&self, secret: &TokenSecret) -> Result<Session, Error> {
        let caller = self.authenticate(secret).await?;
        let id = caller.user_id().ok_or(Error::Unauthenticated)?;
        let mut tx = self.store.read().await?;
        let user = tx.user(id).await?.ok_or(Error::Unauthenticated)?;
        Ok(Session { caller, user })
    }

    /// Ends a session. Signing out twice, or with an unknown secret, is not an error.
    pub async fn sign_out(&self, secret: &TokenSecret) -> Result<(), Error> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let Some(record) = tx.token_by_hash(&secret.hash()).await? else {
            return Ok(());
        };
        if !record.is_valid_at(now) || !tx.revoke_token(record.id, now).await? {
            return Ok(());
        }
        if let TokenSubject::User(id) = record.subject
            && let Some(user) = tx.user(id).await?
        {
            let event = audit_event(
                &user_caller(&user),
                now,
                AuditAction::SignOut,
                Target::new(id, &user.upn),
            );
            tx.append_audit(&event).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Changes the signed-in user's own password after checking the current one. It clears
    /// "change at next sign-in", ends every other session and token of the user, and opens
    /// a fresh session of `lifetime`, which it returns.
    pub async fn change_own_password(
        &self,
        caller: &Caller,
        current: &str,
        new: &str,
        lifetime: Duration,
    ) -> Result<SignedIn, Error> {
        let id = caller.user_id().ok_or(Error::Unauthenticated)?;
        let user = self.own_user(id).await?;
        if self.check_password(&user.upn.to_string(), current).await.is_err() {
            return Err(Error::invalid(
                Code::InvalidValue,
                "currentPassword",
                "the current password is not correct",
            ));
        }
        if current == new {
            return Err(Error::invalid(
                Code::WeakPassword,
                "newPassword",
                "the new password must differ from the current one",
            ));
        }
        let new = Password::parse(new, Some(&user.mail_nickname))?;
        let hash = password::hash_blocking(new).await?;
        self.replace_own_password(&user, &hash, lifetime).await
    }

    async fn own_user(&self, id: UserId) -> Result<User, Error> {
        let mut tx = self.store.read().await?;
        let user = tx.user(id).await?.ok_or(Error::Unauthenticated)?;
        super::manage::refuse_synced(&user)?;
        Ok(user)
    }

    async fn replace_own_password(
        &self,
        user: &User,
        hash: &PasswordHash,
        lifetime: Duration,
    ) -> Result<SignedIn, Error> {
        let now = self.now();
        let (secret, record) = session_token(user.id, now, lifetime);
        let mut tx = self.store.begin().await?;
        let current = tx.user(user.id).await?.ok_or(Error::Unauthenticated)?;
        tx.set_password(user.id, hash, false).await?;
        tx.revoke_tokens_of(user.id, now).await?;
        tx.insert_token(&record).await?;
        let caller = user_caller(&current);
        let event = audit_event(
            &caller,
            now,
            AuditAction::ChangeOwnPassword,
            Target::new(user.id, &current.upn),
        );
        tx.append_audit(&event).await?;
        tx.commit().await?;
        let user = User {
            force_change_password: false,
            ..current
        };
        Ok(SignedIn {
            user,
            secret,
            expires_at: record.expires_at,
        })
    }
}

/// A new session token for a user, and its record to store.
fn session_token(user: UserId, now: Timestamp, lifetime: Duration) -> (TokenSecret, TokenRecord) {
    let secret = TokenSecret::generate();
    let record = TokenRecord {
        id: TokenId::generate(),
        name: SESSION_TOKEN_NAME.to_owned(),
        hash: secret.hash(),
        subject: TokenSubject::User(user),
        created_at: now,
        expires_at: now + lifetime,
        revoked_at: None,
    };
    (secret, record)
}

/// The caller a user acts as in its own audit records (roles do not matter there).
fn user_caller(user: &User) -> Caller {
    Caller::new(
        Principal::User {
            id: user.id,
            upn: user.upn.to_string(),
        },
        Default::default(),
    )
}

/// A failed sign-in record: the actor and target are the name as typed.
fn sign_in_failure_event(key: &str, at: Timestamp, reason: &str) -> AuditEvent {
    AuditEvent {
        id: AuditId::generate(),
        at,
        actor: key.to_owned(),
        action: AuditAction::SignIn,
        target_id: None,
        target: key.to_owned(),
        outcome: AuditOutcome::Failure,
        details: vec![("reason".into(), reason.to_owned())],
    }
}
