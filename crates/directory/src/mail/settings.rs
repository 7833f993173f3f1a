//! The organisation's mail settings: the default language, the public address that links
//! point to, whether credentials may be mailed (never, by default), and purge reminders.

use super::notification::Language;
use crate::audit::AuditAction;
use crate::caller::{Caller, Permission};
use crate::directory::{Directory, Target, audit_event, tenant_in};
use crate::error::{Code, Error};
use crate::store::ReadTx;

/// Whether, and how, a restore report may carry a restored user's credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CredentialDelivery {
    /// Never (the default): sending passwords by mail is risky.
    #[default]
    Never,
    /// A one-time link to set a new password, valid for 24 hours.
    Link,
    /// The generated password in clear text. Discouraged; a link is better.
    Password,
}

impl CredentialDelivery {
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialDelivery::Never => "never",
            CredentialDelivery::Link => "link",
            CredentialDelivery::Password => "password",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "never" => Some(CredentialDelivery::Never),
            "link" => Some(CredentialDelivery::Link),
            "password" => Some(CredentialDelivery::Password),
            _ => None,
        }
    }
}

/// The address people reach Roster at, such as `https://roster.contoso.com`: `http` or
/// `https`, no query or fragment, no trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl(String);

impl PublicUrl {
    pub fn parse(text: &str) -> Result<Self, Error> {
        let trimmed = text.trim().trim_end_matches('/');
        let rest = trimmed
            .strip_prefix("https://")
            .or_else(|| trimmed.strip_prefix("http://"))
            .unwrap_or("");
        let ok = !rest.is_empty()
            && trimmed.len() <= 512
            && !rest.starts_with('/')
            && trimmed.chars().all(|c| c.is_ascii_graphic())
            && !trimmed.contains(['?', '#', '"', '<', '>', '\\']);
        if !ok {
            return Err(Error::invalid(
                Code::InvalidValue,
                "publicUrl",
                format!("'{text}' is not an http(s) address such as https://roster.contoso.com"),
            ));
        }
        Ok(PublicUrl(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The page where a one-time link's secret sets a password.
    pub fn set_password_page(&self, secret: &str) -> String {
        format!("{}/account/set-password/{secret}", self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailSettings {
    /// For recipients without a (valid) preferred language.
    pub default_language: Language,
    pub public_url: Option<PublicUrl>,
    pub credentials: CredentialDelivery,
    /// Remind the Global Administrators 7 days and 1 day before users are purged.
    pub purge_reminders: bool,
}

impl Default for MailSettings {
    fn default() -> Self {
        MailSettings {
            default_language: Language::english(),
            public_url: None,
            credentials: CredentialDelivery::Never,
            purge_reminders: false,
        }
    }
}

/// Changes to the mail settings; `None` keeps a setting. `public_url: Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct MailSettingsUpdate {
    pub default_language: Option<Language>,
    pub public_url: Option<Option<PublicUrl>>,
    pub credentials: Option<CredentialDelivery>,
    pub purge_reminders: Option<bool>,
}

impl MailSettingsUpdate {
    pub fn is_empty(&self) -> bool {
        self.default_language.is_none()
            && self.public_url.is_none()
            && self.credentials.is_none()
            && self.purge_reminders.is_none()
    }
}

/// The stored settings, or the defaults.
pub(crate) async fn mail_settings_in(tx: &mut dyn ReadTx) -> Result<MailSettings, Error> {
    Ok(tx.mail_settings().await?.unwrap_or_default())
}

impl Directory {
    /// The organisation's mail settings. Any authenticated caller may read them.
    pub async fn mail_settings(&self) -> Result<MailSettings, Error> {
        let mut tx = self.store.read().await?;
        tenant_in(&mut *tx).await?;
        mail_settings_in(&mut *tx).await
    }

    /// Changes the mail settings (Global Administrator), audited as a tenant update.
    pub async fn update_mail_settings(
        &self,
        caller: &Caller,
        update: MailSettingsUpdate,
    ) -> Result<MailSettings, Error> {
        caller.authorize(Permission::ManageTenant)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let tenant = tenant_in(&mut *tx).await?;
        let mut settings = mail_settings_in(&mut *tx).await?;
        if update.is_empty() {
            // Nothing to change, so nothing is written or audited.
            return Ok(settings);
        }
        let target = Target::new(tenant.id, &tenant.name);
        let mut event = audit_event(caller, now, AuditAction::UpdateTenant, target);
        let mut detail = |key: &str, value: String| event.details.push((key.into(), value));
        if let Some(language) = update.default_language {
            detail("mailLanguage", language.to_string());
            settings.default_language = language;
        }
        if let Some(url) = update.public_url {
            detail("publicUrl", url.as_ref().map_or("", PublicUrl::as_str).to_owned());
            settings.public_url = url;
        }
        if let Some(credentials) = update.credentials {
            detail("mailCredentials", credentials.as_str().to_owned());
            settings.credentials = credentials;
        }
        if let Some(reminders) = update.purge_reminders {
            detail("purgeReminders", reminders.to_string());
            settings.purge_reminders = reminders;
        }
        tx.save_mail_settings(&settings).await?;
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_urls_are_plain_http_addresses() {
        let url = PublicUrl::parse("https://roster.contoso.com/").unwrap();
        assert_eq!(
            url.set_password_page("s"),
            "https://roster.contoso.com/account/set-password/s"
        );
        assert!(PublicUrl::parse("http://127.0.0.1:8080/roster").is_ok());
        for bad in [
            "ftp://x",
            "https://",
            "https://x/?a=1",
            "https://x y",
            "https://x\r\nBcc: y",
            "roster.contoso.com",
        ] {
            assert!(PublicUrl::parse(bad).is_err(), "{bad}");
        }
        for delivery in [
            CredentialDelivery::Never,
            CredentialDelivery::Link,
            CredentialDelivery::Password,
        ] {
            assert_eq!(CredentialDelivery::parse(delivery.as_str()), Some(delivery));
        }
    }
}
