//! Signing in with a password: the check itself, lockout against guessing, sessions, and
//! changing one's own password.
//!
//! Failed attempts are counted per sign-in name (known or not, so a lockout never tells
//! which names exist). [`LOCKOUT_THRESHOLD`] failures within [`FAILURE_WINDOW`] lock
//! password sign-in for that name for [`LOCKOUT_DURATION`]. Each attempt is counted
//! before its password is checked, so a burst of parallel guesses gets no more checks
//! than the threshold allows; a right password clears the count. A session is a user token
//! named [`SESSION_TOKEN_NAME`]; like every user token it dies when the user is deleted or
//! disabled, and a restore does not revive it (the user signs in again). Failures are
//! also counted per client address ([`super::address_limit`]), against password spraying.

use super::User;
use super::address_limit::{self, AddressReservation};
use crate::audit::{AuditAction, AuditEvent, AuditOutcome};
use crate::caller::{Caller, Origin, Principal};
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

/// Sessions are extended at most this often, so a busy session writes once a minute.
const SLIDE_STEP: Duration = Duration::minutes(1);

/// How long browser sessions last: at most `lifetime` after sign-in, and less when they
/// go `idle` that long without a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    pub lifetime: Duration,
    pub idle: Duration,
}

impl SessionPolicy {
    /// Eight hours at most, and one hour without a request ends a session.
    pub const DEFAULT: SessionPolicy = SessionPolicy {
        lifetime: Duration::hours(8),
        idle: Duration::hours(1),
    };

    /// When a session opened at `opened` and used at `now` ends.
    fn end_after_use(self, opened: Timestamp, now: Timestamp) -> Timestamp {
        (now + self.idle).min(opened + self.lifetime)
    }
}

/// A plain lifetime: the session ends then, however busy.
impl From<Duration> for SessionPolicy {
    fn from(lifetime: Duration) -> Self {
        SessionPolicy {
            lifetime,
            idle: lifetime,
        }
    }
}

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
    /// The record after one more failure at `now`; `threshold` failures lock it.
    pub(crate) fn after_failure(
        previous: Option<SignInFailures>,
        key: &str,
        now: Timestamp,
        threshold: u32,
    ) -> SignInFailures {
        let current = previous.filter(|p| now < p.first_failure_at + FAILURE_WINDOW && p.locked_until.is_none());
        let (failures, first_failure_at) = match current {
            Some(p) => (p.failures + 1, p.first_failure_at),
            None => (1, now),
        };
        let locked_until = (failures >= threshold).then_some(now + LOCKOUT_DURATION);
        SignInFailures {
            key: key.to_owned(),
            failures,
            first_failure_at,
            locked_until,
        }
    }

    pub(crate) fn locked_at(&self, now: Timestamp) -> Option<Timestamp> {
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

/// The comparison key of a sign-in name as typed: trimmed, so it never starts with a space
/// (those keys are the address limit's), and kept otherwise as typed for the records.
pub(crate) fn sign_in_key(name: &str) -> String {
    name.trim().chars().take(256).collect::<String>().to_lowercase()
}

/// What an attempt reserved before its password was checked: when a failure locks the
/// name, and its address's reservation.
#[derive(Debug)]
struct Reserved {
    locks_name_at: Option<Timestamp>,
    address: Option<AddressReservation>,
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

    /// Signs a user in with a password and opens a session under `policy`. Fails with
    /// [`Error::Locked`] while the name is locked out, else [`Error::Unauthenticated`] for
    /// anything wrong. Every attempt is audited.
    pub async fn sign_in(
        &self,
        name: &str,
        password: &str,
        policy: impl Into<SessionPolicy>,
    ) -> Result<SignedIn, Error> {
        self.sign_in_from(name, password, policy, &Origin::default()).await
    }

    /// [`Directory::sign_in`] for a request from `origin`, which every record of the
    /// attempt carries.
    pub async fn sign_in_from(
        &self,
        name: &str,
        password: &str,
        policy: impl Into<SessionPolicy>,
        origin: &Origin,
    ) -> Result<SignedIn, Error> {
        let policy = policy.into();
        let key = sign_in_key(name);
        let reserved = self.reserve_attempt(&key, origin).await?;
        match self.check_password(name, password).await {
            Ok(user) => self.open_session(&key, &reserved, user, policy, origin).await,
            Err(Error::Unauthenticated) => Err(self.record_failure(&key, &reserved, origin).await),
            Err(other) => Err(other),
        }
    }

    /// Counts the attempt as a failure before its password is checked, in one write
    /// transaction, so that parallel attempts cannot outrun the lockout: once the
    /// threshold is reserved, later attempts are refused unchecked. A right password
    /// clears the count again. The address is counted first, the same way; the attempt
    /// that reaches its threshold records the pause once it has failed (a right password
    /// gives the reservation back and lifts the pause again).
    async fn reserve_attempt(&self, key: &str, origin: &Origin) -> Result<Reserved, Error> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let address = match address_limit::reserve(&mut *tx, origin.client_ip, now).await {
            Err(refused @ Error::AddressThrottled { .. }) => {
                tx.append_audit(&sign_in_failure_event(key, now, "addressThrottled", origin))
                    .await?;
                tx.commit().await?;
                return Err(refused);
            }
            reserved => reserved?,
        };
        let previous = tx.lock_sign_in_failures(key).await?;
        if let Some(until) = previous.as_ref().and_then(|f| f.locked_at(now)) {
            tx.append_audit(&sign_in_failure_event(key, now, "locked", origin))
                .await?;
            if let Some(pause) = address_pause_event(key, address.as_ref(), now, origin) {
                tx.append_audit(&pause).await?;
            }
            tx.commit().await?;
            return Err(Error::Locked { until });
        }
        let record = SignInFailures::after_failure(previous, key, now, LOCKOUT_THRESHOLD);
        tx.put_sign_in_failures(&record).await?;
        tx.commit().await?;
        Ok(Reserved {
            locks_name_at: record.locked_until,
            address,
        })
    }

    async fn open_session(
        &self,
        key: &str,
        reserved: &Reserved,
        user: User,
        policy: SessionPolicy,
        origin: &Origin,
    ) -> Result<SignedIn, Error> {
        let now = self.now();
        let (secret, record) = session_token(user.id, now, policy);
        let mut tx = self.store.begin().await?;
        if let Some(address) = &reserved.address {
            address_limit::give_back(&mut *tx, address).await?;
        }
        tx.clear_sign_in_failures(key).await?;
        tx.insert_token(&record).await?;
        let caller = user_caller(&user).with_origin(origin.clone());
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

    /// Audits a wrong password (and the lock it caused) and says what to answer.
    async fn record_failure(&self, key: &str, reserved: &Reserved, origin: &Origin) -> Error {
        let now = self.now();
        let locks = reserved.locks_name_at;
        let result = async {
            let mut tx = self.store.begin().await?;
            tx.append_audit(&sign_in_failure_event(key, now, "wrongCredentials", origin))
                .await?;
            if let Some(until) = locks {
                tx.append_audit(&lock_event(key, key, now, until, origin)).await?;
            }
            if let Some(pause) = address_pause_event(key, reserved.address.as_ref(), now, origin) {
                tx.append_audit(&pause).await?;
            }
            tx.commit().await
        }
        .await;
        match (result, locks) {
            (Ok(()), Some(until)) => Error::Locked { until },
            (Ok(()), None) => Error::Unauthenticated,
            (Err(error), _) => error.into(),
        }
    }

    /// Forgets the failed-sign-in records of names and addresses that count no more (their
    /// window is over and they are not locked), so that every name or address ever
    /// mistyped does not keep a row. The purge job calls it; returns how many it forgot.
    pub async fn forget_stale_sign_in_failures(&self) -> Result<u64, Error> {
        let now = self.now();
        let mut tx = self.store.begin_redoable().await?;
        let forgotten = tx.forget_stale_sign_in_failures(now - FAILURE_WINDOW, now).await?;
        tx.commit().await?;
        Ok(forgotten)
    }

    /// The session a browser presents: its user must still be active and enabled.
    pub async fn session(&self, secret: &TokenSecret) -> Result<Session, Error> {
        let caller = self.authenticate(secret).await?;
        let id = caller.user_id().ok_or(Error::Unauthenticated)?;
        let mut tx = self.store.read().await?;
        let user = tx.user(id).await?.ok_or(Error::Unauthenticated)?;
        Ok(Session { caller, user })
    }

    /// Moves the end of a session in use to `policy.idle` from now, never past its
    /// lifetime. Called on every request, it writes at most once a minute per session; a
    /// session that already ended stays ended.
    pub async fn keep_session_alive(&self, secret: &TokenSecret, policy: SessionPolicy) -> Result<(), Error> {
        let now = self.now();
        let mut tx = self.store.read().await?;
        let record = tx.token_by_hash(&secret.hash()).await?;
        drop(tx);
        let Some(record) = record.filter(|r| r.is_valid_at(now) && r.name == SESSION_TOKEN_NAME) else {
            return Ok(());
        };
        let end = policy.end_after_use(record.created_at, now);
        if end - record.expires_at < SLIDE_STEP {
            return Ok(());
        }
        let mut tx = self.store.begin().await?;
        tx.extend_token(record.id, end).await?;
        tx.commit().await?;
        Ok(())
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
    /// a fresh session under `policy`, which it returns.
    pub async fn change_own_password(
        &self,
        caller: &Caller,
        current: &str,
        new: &str,
        policy: impl Into<SessionPolicy>,
    ) -> Result<SignedIn, Error> {
        let policy = policy.into();
        let id = caller.user_id().ok_or(Error::Unauthenticated)?;
        let user = self.own_user(id).await?;
        if self.check_password(&user.upn.to_string(), current).await.is_err() {
            let error = Error::invalid(
                Code::InvalidValue,
                "currentPassword",
                "the current password is not correct",
            );
            // A wrong current password is a failed credential check: audited like a
            // failed sign-in, with the user as actor.
            let target = Target::new(id, &user.upn);
            self.audit_failure(&user_caller(&user), AuditAction::ChangeOwnPassword, target, &error)
                .await;
            return Err(error);
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
        self.replace_own_password(&user, &hash, policy).await
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
        policy: SessionPolicy,
    ) -> Result<SignedIn, Error> {
        let now = self.now();
        let (secret, record) = session_token(user.id, now, policy);
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
fn session_token(user: UserId, now: Timestamp, policy: SessionPolicy) -> (TokenSecret, TokenRecord) {
    let secret = TokenSecret::generate();
    let record = TokenRecord {
        id: TokenId::generate(),
        name: SESSION_TOKEN_NAME.to_owned(),
        hash: secret.hash(),
        subject: TokenSubject::User(user),
        created_at: now,
        expires_at: policy.end_after_use(now, now),
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
/// The record of a lock on `target` (a sign-in name, or an address) that the attempt under
/// the name `key` caused.
fn lock_event(key: &str, target: &str, at: Timestamp, until: Timestamp, origin: &Origin) -> AuditEvent {
    let mut event = sign_in_failure_event(key, at, "locked", origin);
    event.action = AuditAction::LockSignIn;
    event.outcome = AuditOutcome::Success;
    event.target = target.to_owned();
    event.details.push(("lockedUntil".into(), until.to_string()));
    event
}

/// The record of the pause on an address that this failed attempt reached, if it did.
fn address_pause_event(
    key: &str,
    address: Option<&AddressReservation>,
    at: Timestamp,
    origin: &Origin,
) -> Option<AuditEvent> {
    let address = address?;
    let until = address.pauses_until?;
    Some(lock_event(
        key,
        &format!("address {}", address.label),
        at,
        until,
        origin,
    ))
}

fn sign_in_failure_event(key: &str, at: Timestamp, reason: &str, origin: &Origin) -> AuditEvent {
    let mut details = origin.details();
    details.push(("reason".into(), reason.to_owned()));
    AuditEvent {
        id: AuditId::generate(),
        at,
        actor: key.to_owned(),
        action: AuditAction::SignIn,
        target_id: None,
        target: key.to_owned(),
        outcome: AuditOutcome::Failure,
        details,
    }
}
