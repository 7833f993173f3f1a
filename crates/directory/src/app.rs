//! App registrations: non-human principals with admin roles that sign in with a client
//! secret (OAuth 2.0 client credentials) and get short-lived bearer tokens. Secrets are
//! shown once and stored as SHA-256 hashes; an app's tokens act with its current roles and
//! die with it.

use crate::audit::AuditAction;
use crate::caller::{Caller, Permission, Principal};
use crate::clock::Timestamp;
use crate::directory::{Directory, Target, audit_event, tenant_in};
use crate::error::{Code, Error};
use crate::ids::{AppId, AppSecretId};
use crate::role::RoleSet;
use crate::token::{IssuedToken, TokenSecret, TokenSubject, base64_url};
use std::fmt;
use time::Duration;
use uuid::Uuid;

/// How long a client secret lives unless asked otherwise.
pub const DEFAULT_SECRET_LIFETIME: Duration = Duration::days(180);
/// The longest a client secret may live.
pub const MAX_SECRET_LIFETIME: Duration = Duration::days(730);
/// How long a token from the client-credentials grant lives.
pub const APP_TOKEN_LIFETIME: Duration = Duration::hours(1);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppRegistration {
    pub id: AppId,
    /// What clients present as `client_id` (Graph's `appId`).
    pub client_id: Uuid,
    pub display_name: String,
    pub roles: RoleSet,
    pub created_at: Timestamp,
}

/// A stored client secret: its hash and a hint, never the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppSecretRecord {
    pub id: AppSecretId,
    pub app: AppId,
    /// Hex SHA-256 of the secret.
    pub hash: String,
    /// The secret's first three characters (Graph's `hint`).
    pub hint: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// A new client secret: its record and its value, shown once.
#[derive(Clone)]
pub struct ClientSecret {
    pub record: AppSecretRecord,
    value: TokenSecret,
}

impl ClientSecret {
    pub fn expose(&self) -> &str {
        self.value.expose()
    }
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientSecret")
            .field("record", &self.record)
            .finish_non_exhaustive()
    }
}

fn new_secret(app: AppId, now: Timestamp, lifetime: Duration) -> Result<ClientSecret, Error> {
    if lifetime <= Duration::ZERO || lifetime > MAX_SECRET_LIFETIME {
        return Err(Error::invalid(
            Code::InvalidValue,
            "endDateTime",
            "a client secret lives longer than zero and at most two years",
        ));
    }
    let mut bytes = [0u8; 30];
    crate::password::fill_random(&mut bytes);
    let value = TokenSecret::presented(&base64_url(&bytes));
    let record = AppSecretRecord {
        id: AppSecretId::generate(),
        app,
        hash: value.hash(),
        hint: value.expose().chars().take(3).collect(),
        created_at: now,
        expires_at: now + lifetime,
    };
    Ok(ClientSecret { record, value })
}

impl Directory {
    /// Registers an app with these roles and its first client secret.
    pub async fn create_app(
        &self,
        caller: &Caller,
        name: &str,
        roles: RoleSet,
    ) -> Result<(AppRegistration, ClientSecret), Error> {
        caller.authorize(Permission::ManageTokens)?;
        let display_name = crate::user::text_property("displayName", name, 128)?;
        check_roles(&roles)?;
        let now = self.now();
        let app = AppRegistration {
            id: AppId::generate(),
            client_id: Uuid::new_v4(),
            display_name,
            roles,
            created_at: now,
        };
        let secret = new_secret(app.id, now, DEFAULT_SECRET_LIFETIME)?;
        let mut tx = self.store.begin().await?;
        tenant_in(&mut *tx).await?;
        tx.insert_app(&app).await?;
        tx.insert_app_secret(&secret.record).await?;
        let mut event = audit_event(
            caller,
            now,
            AuditAction::AddApplication,
            Target::new(app.id, &app.display_name),
        );
        event.details.push(("appId".into(), app.client_id.to_string()));
        event.details.push(("roles".into(), role_names(&app.roles)));
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok((app, secret))
    }

    /// Adds a client secret to an app; `lifetime` defaults to 180 days, at most two years.
    pub async fn add_app_secret(
        &self,
        caller: &Caller,
        id: AppId,
        lifetime: Option<Duration>,
    ) -> Result<ClientSecret, Error> {
        caller.authorize(Permission::ManageTokens)?;
        let now = self.now();
        let secret = new_secret(id, now, lifetime.unwrap_or(DEFAULT_SECRET_LIFETIME))?;
        let mut tx = self.store.begin().await?;
        let app = tx.app(id).await?.ok_or_else(|| Error::not_found(id))?;
        tx.insert_app_secret(&secret.record).await?;
        let mut event = audit_event(
            caller,
            now,
            AuditAction::AddApplicationSecret,
            Target::new(id, &app.display_name),
        );
        event
            .details
            .push(("expiresAt".into(), secret.record.expires_at.to_string()));
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(secret)
    }

    /// Replaces an app's roles; its tokens act with the new ones at once.
    pub async fn set_app_roles(&self, caller: &Caller, id: AppId, roles: RoleSet) -> Result<AppRegistration, Error> {
        caller.authorize(Permission::ManageTokens)?;
        check_roles(&roles)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let mut app = tx.app(id).await?.ok_or_else(|| Error::not_found(id))?;
        app.roles = roles;
        tx.update_app_roles(id, &app.roles).await?;
        let mut event = audit_event(
            caller,
            now,
            AuditAction::UpdateApplication,
            Target::new(id, &app.display_name),
        );
        event.details.push(("roles".into(), role_names(&app.roles)));
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(app)
    }

    /// Every app registration, by display name.
    pub async fn apps(&self, caller: &Caller) -> Result<Vec<AppRegistration>, Error> {
        caller.authorize(Permission::ManageTokens)?;
        let mut tx = self.store.read().await?;
        Ok(tx.apps().await?)
    }

    /// Deletes an app with its secrets and tokens.
    pub async fn delete_app(&self, caller: &Caller, id: AppId) -> Result<(), Error> {
        caller.authorize(Permission::ManageTokens)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let app = tx.app(id).await?.ok_or_else(|| Error::not_found(id))?;
        tx.delete_app(id).await?;
        let event = audit_event(
            caller,
            now,
            AuditAction::DeleteApplication,
            Target::new(id, &app.display_name),
        );
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The client-credentials grant: a one-hour token for the app whose client id and
    /// unexpired secret are presented. Anything wrong is [`Error::Unauthenticated`].
    pub async fn issue_app_token(&self, client_id: Uuid, secret: &str) -> Result<IssuedToken, Error> {
        let presented = TokenSecret::presented(secret).hash();
        let now = self.now();
        let mut tx = self.store.read().await?;
        let app = tx.app_by_client_id(client_id).await?.ok_or(Error::Unauthenticated)?;
        let secrets = tx.app_secrets(app.id).await?;
        drop(tx);
        // Hashes are compared, never secrets, so timing reveals nothing about a secret.
        let matched = secrets.iter().any(|s| s.hash == presented && now < s.expires_at);
        let caller = Caller::new(
            Principal::App {
                id: app.id,
                name: app.display_name.clone(),
            },
            app.roles.clone(),
        );
        if !matched {
            // A registered app's failed sign-in is audited like a user's; an unknown
            // client id names nothing and is not.
            let target = Target::new(app.id, &app.display_name);
            let error = Error::Unauthenticated;
            self.audit_failure(&caller, AuditAction::IssueToken, target, &error)
                .await;
            return Err(error);
        }
        self.issue(
            &caller,
            &app.display_name,
            TokenSubject::App(app.id),
            APP_TOKEN_LIFETIME,
        )
        .await
    }
}

fn check_roles(roles: &RoleSet) -> Result<(), Error> {
    if roles.is_empty() {
        return Err(Error::invalid(
            Code::InvalidValue,
            "roles",
            "an app needs at least one role",
        ));
    }
    Ok(())
}

fn role_names(roles: &RoleSet) -> String {
    roles
        .iter()
        .map(|role| role.display_name())
        .collect::<Vec<_>>()
        .join(", ")
}
