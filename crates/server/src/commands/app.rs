//! `roster app create|list`: app registrations, straight from the database. A new app's
//! client secret is printed once; changes are audited with the actor `system`.

use crate::cli::{AppCreateArgs, StorageArgs, StorageOnly};
use crate::commands::token::parse_roles;
use crate::settings;
use crate::storage::{self, Missing};
use anyhow::{Result, anyhow};
use directory::{Caller, Directory, Error, SystemClock};
use std::sync::Arc;

pub async fn create(args: AppCreateArgs) -> Result<()> {
    let roles = parse_roles(&args.roles)?;
    let directory = open(&args.storage).await?;
    let (app, secret) = directory
        .create_app(&Caller::system(), &args.name, roles)
        .await
        .map_err(explain)?;
    eprintln!(
        "Registered app '{}' (object id {}); the secret is shown only now and expires {}.",
        app.display_name, app.id, secret.record.expires_at
    );
    println!("client_id={}", app.client_id);
    println!("client_secret={}", secret.expose());
    Ok(())
}

pub async fn list(args: StorageOnly) -> Result<()> {
    let directory = open(&args.storage).await?;
    let apps = directory.apps(&Caller::system()).await.map_err(explain)?;
    if apps.is_empty() {
        eprintln!("No app registrations.");
    }
    for app in apps {
        let roles: Vec<&str> = app.roles.iter().map(|role| role.display_name()).collect();
        println!("{}\t{}\t{}", app.client_id, app.display_name, roles.join(", "));
    }
    Ok(())
}

async fn open(storage: &StorageArgs) -> Result<Directory> {
    let database = settings::storage(storage)?;
    let opened = storage::open_for_tool(&database, Missing::Refuse).await?;
    Ok(Directory::new(opened.store, Arc::new(SystemClock)))
}

fn explain(error: Error) -> anyhow::Error {
    match error {
        Error::NotInitialized => anyhow!("this database holds no organisation yet; run `roster init` first"),
        other => other.into(),
    }
}
