//! `roster init`: create the organisation and print the first admin's credentials once.

use crate::cli::InitArgs;
use crate::settings::{self, InitSettings};
use crate::storage::{self, Missing};
use anyhow::{Result, bail};
use directory::Error;
use directory::tenant::Initialized;

pub async fn run(args: InitArgs) -> Result<()> {
    let settings = settings::init(&args)?;
    let opened = storage::open_for_tool(&settings.database, Missing::Create).await?;
    let (directory, _) = crate::clock_sync::directory(opened.store).await?;
    match directory
        .initialize(&settings.organization, settings.domain.clone())
        .await
    {
        Ok(initialized) => {
            print_sign_in(&settings, &initialized);
            Ok(())
        }
        Err(Error::AlreadyInitialized) => bail!(
            "{} already holds an organisation; nothing was changed",
            settings.database.describe()
        ),
        Err(error) => Err(error.into()),
    }
}

/// Prints how to sign in. The password is shown here and nowhere else, ever.
pub fn print_sign_in(settings: &InitSettings, initialized: &Initialized) {
    println!(
        "Roster is initialised for {} ({}) in {}.",
        initialized.tenant.name,
        settings.domain,
        settings.database.describe()
    );
    println!("  Sign in as:  {}", initialized.admin.upn);
    println!("  Password:    {}", initialized.admin_password.expose());
    println!("  This password is shown only once, and must be changed at first sign-in.");
    println!("  For scripts: roster token issue --role \"Global Administrator\"");
}
