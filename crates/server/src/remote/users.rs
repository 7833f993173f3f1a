//! `roster users list|create|delete`, over Graph's `/v1.0/users`.

use super::client::Client;
use super::output::{self, Table, text};
use super::{Failure, config};
use crate::cli::{RemoteListArgs, UserCreateArgs, UserDeleteArgs};
use directory::password::Password;
use reqwest::Method;
use serde_json::{Value, json};

const LIST_SELECT: &str = "id,displayName,userPrincipalName,mail,accountEnabled";

pub(crate) async fn list(args: RemoteListArgs) -> Result<(), Failure> {
    let client = Client::new(config::target(&args.remote)?)?;
    let top = args.page_size.to_string();
    let url = client.url("/v1.0/users", &[], &[("$select", LIST_SELECT), ("$top", &top)]);
    let users = client.get_all(url).await?;
    if args.json {
        let users: Vec<Value> = users
            .iter()
            .map(|user| {
                json!({
                    "id": text(user, "id"),
                    "displayName": user.get("displayName").cloned().unwrap_or(Value::Null),
                    "userPrincipalName": text(user, "userPrincipalName"),
                    "mail": user.get("mail").cloned().unwrap_or(Value::Null),
                    "accountEnabled": user.get("accountEnabled").cloned().unwrap_or(Value::Null),
                })
            })
            .collect();
        output::print_json(&Value::Array(users));
        return Ok(());
    }
    if users.is_empty() {
        println!("No users.");
        return Ok(());
    }
    let mut table = Table::new(&["Display name", "User principal name", "Enabled", "Id"]);
    for user in &users {
        let enabled = match user.get("accountEnabled").and_then(Value::as_bool) {
            Some(true) => "yes",
            Some(false) => "no",
            None => "",
        };
        table.row(vec![
            text(user, "displayName"),
            text(user, "userPrincipalName"),
            enabled.to_owned(),
            text(user, "id"),
        ]);
    }
    print!("{}", table.render());
    println!("{} user{}.", users.len(), if users.len() == 1 { "" } else { "s" });
    Ok(())
}

pub(crate) async fn create(args: UserCreateArgs) -> Result<(), Failure> {
    let alias = args
        .upn
        .split_once('@')
        .map_or(args.upn.as_str(), |(alias, _)| alias)
        .to_owned();
    let (password, generated) = if args.password_stdin {
        (output::read_stdin_line("password")?, false)
    } else {
        (generate_password(&alias), true)
    };
    let client = Client::new(config::target(&args.remote)?)?;
    let body = json!({
        "accountEnabled": true,
        "displayName": args.display_name,
        "mailNickname": alias,
        "userPrincipalName": args.upn,
        "passwordProfile": {
            "password": password,
            "forceChangePasswordNextSignIn": args.force_change,
        },
    });
    let created = client
        .send(Method::POST, client.url("/v1.0/users", &[], &[]), Some(&body))
        .await?;
    let upn = text(&created, "userPrincipalName");
    let id = text(&created, "id");
    if args.json {
        output::print_json(&json!({
            "id": id,
            "userPrincipalName": upn,
            "displayName": text(&created, "displayName"),
            "generatedPassword": generated.then_some(password),
            "forceChangePasswordNextSignIn": args.force_change,
        }));
        return Ok(());
    }
    println!("Created {upn} (id {id}).");
    if generated {
        println!("Password (shown once): {password}");
    }
    if args.force_change {
        println!("The password must be changed at first sign-in.");
    }
    Ok(())
}

/// A generated password that the server's policy accepts for this alias.
fn generate_password(alias: &str) -> String {
    loop {
        let password = Password::generate();
        if Password::parse(password.expose(), Some(alias)).is_ok() {
            return password.expose().to_owned();
        }
    }
}

pub(crate) async fn delete(args: UserDeleteArgs) -> Result<(), Failure> {
    let client = Client::new(config::target(&args.remote)?)?;
    let mut failed = 0;
    for key in &args.users {
        match client
            .send(Method::DELETE, client.url("/v1.0/users", &[key], &[]), None)
            .await
        {
            Ok(_) => println!("Deleted {key}; it is in the recycle bin (`roster deleted list`)."),
            Err(error @ super::client::RequestError::Connection(_)) => return Err(error.into()),
            Err(error) => {
                failed += 1;
                eprintln!("error: {key}: {}", error.describe());
            }
        }
    }
    if failed > 0 {
        return Err(Failure::partial());
    }
    Ok(())
}
