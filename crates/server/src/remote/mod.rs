//! The remote CLI: `roster login`, `logout`, `users …` and `deleted …` talk to a running
//! Roster over HTTP, through the Graph API and Roster's bulk restore endpoint, as any client
//! does. Nothing here opens the database.
//!
//! - `config`: the saved server and token (`cli.toml`, mode 0600) and what overrides them.
//! - `client`: bearer authentication, Graph error envelopes, paging, connection errors.
//! - `output`: tables, CSV, prompts and the progress bar.
//! - `login`, `users`, `deleted` (list and purge), `restore`: the commands.
//!
//! Exit status: 0 when everything worked; 1 when the server refused the request or any
//! user failed; 2 for usage, configuration and connection errors.

mod client;
mod config;
pub(crate) mod deleted;
pub(crate) mod login;
pub(crate) mod output;
pub(crate) mod restore;
pub(crate) mod users;

use std::fmt;
use std::io::Write;

/// Why a remote command stopped: the message to print (if not printed already) and the
/// exit status.
#[derive(Debug)]
pub struct Failure {
    status: u8,
    message: Option<String>,
}

impl Failure {
    /// A wrong or missing argument, a missing login, an unusable config file: status 2.
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Failure {
            status: 2,
            message: Some(message.into()),
        }
    }

    /// The server could not be reached: status 2.
    pub(crate) fn connection(message: impl Into<String>) -> Self {
        Failure {
            status: 2,
            message: Some(message.into()),
        }
    }

    /// The server refused, or some users failed: status 1.
    pub(crate) fn refused(message: impl Into<String>) -> Self {
        Failure {
            status: 1,
            message: Some(message.into()),
        }
    }

    /// Status 1 after the errors were already printed, one per item.
    pub(crate) fn partial() -> Self {
        Failure {
            status: 1,
            message: None,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message.as_deref().unwrap_or("failed"))
    }
}

/// Ends a remote command: returns on success; otherwise prints the error and exits with
/// the command's status (1 or 2), which `main`'s single failure status cannot express.
pub fn finish(result: Result<(), Failure>) -> anyhow::Result<()> {
    let Err(failure) = result else { return Ok(()) };
    let _ = std::io::stdout().flush();
    if let Some(message) = &failure.message {
        // A server's message may quote input back: print it escaped, like table cells.
        eprintln!("error: {}", output::escape_for_terminal(message));
    }
    std::process::exit(i32::from(failure.status));
}
