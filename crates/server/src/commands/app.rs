//! `roster app create|list`: app registrations, straight from the database. A new app's
//! client secret is printed once; changes are audited with the actor `system`.

use crate::cli::{AppCreateArgs, StorageOnly};
use crate::commands::token::parse_roles;
use anyhow::Result;
use directory::Caller;

pub async fn create(args: AppCreateArgs) -> Result<()> {
    let roles = parse_roles(&args.roles)?;
    let directory = super::open_directory(&args.storage).await?;
    let (app, secret) = directory
        .create_app(&Caller::system(), &args.name, roles)
        .await
        .map_err(super::explain)?;
    eprintln!(
        "Registered app '{}' (object id {}); the secret is shown only now and expires {}.",
        app.display_name, app.id, secret.record.expires_at
    );
    println!("client_id={}", app.client_id);
    println!("client_secret={}", secret.expose());
    Ok(())
}

pub async fn list(args: StorageOnly) -> Result<()> {
    let directory = super::open_directory(&args.storage).await?;
    let apps = directory.apps(&Caller::system()).await.map_err(super::explain)?;
    if apps.is_empty() {
        eprintln!("No app registrations.");
    }
    for app in apps {
        let roles: Vec<&str> = app.roles.iter().map(|role| role.display_name()).collect();
        println!("{}\t{}\t{}", app.client_id, app.display_name, roles.join(", "));
    }
    Ok(())
}
