//! `roster tenant show|set|add-domain`: the organisation's settings, straight from the
//! database. Changes are audited with the actor `system`.

use crate::cli::{AddDomainArgs, StorageOnly, TenantSetArgs};
use anyhow::{Result, anyhow};
use directory::Caller;
use directory::mail::{CredentialDelivery, Language, MailSettings, MailSettingsUpdate, PublicUrl};
use directory::tenant::{LicenseOverage, Retention, Tenant, TenantSettings};
use directory::upn::DomainName;

pub async fn show(args: StorageOnly) -> Result<()> {
    let directory = super::open_directory(&args.storage).await?;
    print_tenant(&directory.tenant().await.map_err(super::explain)?);
    print_mail(&directory.mail_settings().await.map_err(super::explain)?);
    Ok(())
}

pub async fn set(args: TenantSetArgs) -> Result<()> {
    let mail = mail_update(&args)?;
    let settings = TenantSettings {
        name: args.name,
        retention: args.retention.as_deref().map(Retention::parse).transpose()?,
        license_overage: args
            .license_overage
            .as_deref()
            .map(|text| LicenseOverage::parse(text).ok_or_else(|| anyhow!("--license-overage is `refuse` or `allow`")))
            .transpose()?,
    };
    let directory = super::open_directory(&args.storage).await?;
    let tenant = directory
        .update_tenant(&Caller::system(), settings)
        .await
        .map_err(super::explain)?;
    if !mail.is_empty() {
        directory
            .update_mail_settings(&Caller::system(), mail)
            .await
            .map_err(super::explain)?;
    }
    print_tenant(&tenant);
    print_mail(&directory.mail_settings().await.map_err(super::explain)?);
    Ok(())
}

/// The mail settings among the flags.
fn mail_update(args: &TenantSetArgs) -> Result<MailSettingsUpdate> {
    let public_url = match args.public_url.as_deref().map(str::trim) {
        None => None,
        Some("") => Some(None),
        Some(text) => Some(Some(PublicUrl::parse(text)?)),
    };
    let credentials = args.mail_credentials.as_deref().map(|text| {
        CredentialDelivery::parse(text).ok_or_else(|| anyhow!("--mail-credentials is `never`, `link` or `password`"))
    });
    let reminders = args.purge_reminders.as_deref().map(|text| match text {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err(anyhow!("--purge-reminders is `on` or `off`")),
    });
    Ok(MailSettingsUpdate {
        default_language: args.mail_language.as_deref().map(Language::parse).transpose()?,
        public_url,
        credentials: credentials.transpose()?,
        purge_reminders: reminders.transpose()?,
    })
}

fn print_mail(mail: &MailSettings) {
    println!("Mail language:    {}", mail.default_language);
    let url = mail.public_url.as_ref().map_or("(not set)", PublicUrl::as_str);
    println!("Public URL:       {url}");
    println!("Mail credentials: {}", mail.credentials.as_str());
    let reminders = if mail.purge_reminders { "on" } else { "off" };
    println!("Purge reminders:  {reminders}");
}

pub async fn add_domain(args: AddDomainArgs) -> Result<()> {
    let domain = DomainName::parse(&args.domain)?;
    let directory = super::open_directory(&args.storage).await?;
    let tenant = directory
        .add_domain(&Caller::system(), domain)
        .await
        .map_err(super::explain)?;
    print_tenant(&tenant);
    Ok(())
}

fn print_tenant(tenant: &Tenant) {
    let domains: Vec<String> = tenant.domains.iter().map(ToString::to_string).collect();
    println!("Organisation:     {}", tenant.name);
    println!("Verified domains: {}", domains.join(", "));
    println!("Retention:        {}", describe(tenant.retention));
    println!("Licence overage:  {}", tenant.license_overage.as_str());
}

fn describe(retention: Retention) -> String {
    let seconds = retention.duration().whole_seconds();
    match seconds {
        _ if seconds % 86_400 == 0 => format!("{} days", seconds / 86_400),
        _ if seconds % 3_600 == 0 => format!("{} hours", seconds / 3_600),
        _ => format!("{seconds} seconds"),
    }
}
