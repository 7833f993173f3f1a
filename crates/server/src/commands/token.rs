//! `roster token issue`: print a new bearer token, straight from the database, for
//! automation and for recovery when no admin can sign in.

use crate::cli::TokenIssueArgs;
use crate::settings;
use crate::storage::{self, Missing};
use anyhow::{Context, Result, anyhow};
use directory::role::{AdminRole, RoleSet};
use directory::{Caller, Error};

pub async fn issue(args: TokenIssueArgs) -> Result<()> {
    let database = settings::storage(&args.storage)?;
    let roles = parse_roles(&args.roles)?;
    let lifetime = settings::parse_duration("expires-in", &args.expires_in)?;
    let lifetime = time::Duration::try_from(lifetime).context("the lifetime is too long")?;
    let opened = storage::open_for_tool(&database, Missing::Refuse).await?;
    let (directory, _) = crate::clock_sync::directory(opened.store).await?;
    let issued = directory
        .issue_service_token(&Caller::system(), &args.name, roles, lifetime)
        .await
        .map_err(|error| match error {
            Error::NotInitialized => anyhow!(
                "{} holds no organisation yet; run `roster init --domain <your domain>` first",
                database.describe()
            ),
            other => other.into(),
        })?;
    eprintln!(
        "Issued token '{}' (id {}), valid until {}.",
        issued.record.name, issued.record.id, issued.record.expires_at
    );
    println!("{}", issued.secret.expose());
    Ok(())
}

pub(crate) fn parse_roles(names: &[String]) -> Result<RoleSet> {
    names
        .iter()
        .map(|name| {
            AdminRole::parse(name).ok_or_else(|| {
                let known: Vec<&str> = AdminRole::ALL.iter().map(|role| role.display_name()).collect();
                anyhow!("unknown role '{name}'; the roles are: {}", known.join(", "))
            })
        })
        .collect()
}
