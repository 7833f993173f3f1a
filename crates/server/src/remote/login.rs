//! `roster login`: takes a token (standard input, `ROSTER_TOKEN`, or a prompt without
//! echo; never a flag), checks it with `GET /v1.0/users?$top=1` and saves the server and
//! token. `roster logout` forgets the token.

use super::client::{Client, RequestError};
use super::config::{self, DEFAULT_SERVER, Target};
use super::{Failure, output};
use crate::cli::LoginArgs;
use reqwest::StatusCode;

pub(crate) async fn login(args: LoginArgs) -> Result<(), Failure> {
    let path = config::path()?;
    let mut saved = config::load(&path)?;
    let server = match (&args.remote.server, &saved.server) {
        (Some(server), _) | (None, Some(server)) => config::normalize_server(server)?,
        (None, None) => DEFAULT_SERVER.to_owned(),
    };
    let token = if args.token_stdin {
        output::read_stdin_line("token")?.trim().to_owned()
    } else if let Some(token) = config::env_token() {
        token
    } else if output::stdin_is_terminal() {
        output::prompt_hidden(&format!("Token for {server} (from `roster token issue`): "))?
            .trim()
            .to_owned()
    } else {
        return Err(Failure::usage(
            "no token: pipe it in with --token-stdin, or set ROSTER_TOKEN",
        ));
    };
    if token.is_empty() {
        return Err(Failure::usage("the token is empty"));
    }
    let client = Client::new(Target {
        server: server.clone(),
        token: token.clone(),
    })?;
    let check = client
        .get(client.url("/v1.0/users", &[], &[("$top", "1"), ("$select", "id")]))
        .await;
    match check {
        Ok(_) => {}
        // Authenticated, but its roles may not read users: still a good token.
        Err(RequestError::Api {
            status: StatusCode::FORBIDDEN,
            ..
        }) => eprintln!("warning: the token is valid, but its roles may not list users"),
        Err(error @ RequestError::Api { .. }) => {
            let described = error.describe();
            let stop = if described.ends_with('.') { "" } else { "." };
            return Err(Failure::refused(format!("{described}{stop} The token was not saved.")));
        }
        Err(error) => return Err(error.into()),
    }
    saved.server = Some(server.clone());
    saved.token = Some(token);
    config::save(&path, &saved)?;
    println!(
        "Logged in to {server}. The token is saved in {} (mode 0600).",
        path.display()
    );
    Ok(())
}

pub(crate) fn logout() -> Result<(), Failure> {
    let path = config::path()?;
    let mut saved = config::load(&path)?;
    if saved.token.take().is_none() {
        println!("No token was saved in {}.", path.display());
        return Ok(());
    }
    config::save(&path, &saved)?;
    println!("The token is removed from {}.", path.display());
    Ok(())
}
