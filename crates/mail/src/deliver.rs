//! Delivery: over SMTP (no TLS, STARTTLS or implicit TLS; optional AUTH; a timeout per
//! attempt) or, with no SMTP configured, as `<mail id>.eml` files in a directory. Writing
//! a file is atomic (temporary file, then rename) and a retry rewrites the same file, so
//! the directory never shows a message twice.

use crate::envelope::{self, envelope};
use crate::render::render;
use directory::mail::{DeliveryFailure, OutboxMessage};
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls as SmtpTls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;
use std::time::Duration;

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tls {
    /// Plain text (for a relay on the same machine or a test server).
    None,
    /// Upgrade with STARTTLS, refusing to go on without it (port 587).
    #[default]
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
}

impl Tls {
    pub fn parse(text: &str) -> Option<Tls> {
        match text {
            "none" => Some(Tls::None),
            "starttls" => Some(Tls::StartTls),
            "tls" => Some(Tls::Tls),
            _ => None,
        }
    }

    /// The usual port for this mode.
    pub fn default_port(self) -> u16 {
        match self {
            Tls::None => 25,
            Tls::StartTls => 587,
            Tls::Tls => 465,
        }
    }
}

#[derive(Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub tls: Tls,
    /// User name and password for AUTH.
    pub credentials: Option<(String, String)>,
    /// For connecting and for each SMTP command.
    pub timeout: Duration,
    /// A PEM file of certificate authorities to trust besides the public ones (an
    /// organisation's own CA for an internal relay).
    pub ca_file: Option<PathBuf>,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("user", &self.credentials.as_ref().map(|(user, _)| user))
            .field("timeout", &self.timeout)
            .field("ca_file", &self.ca_file)
            .finish()
    }
}

/// Where messages go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Smtp(SmtpConfig),
    /// `.eml` files in this directory (the embedded default).
    Files(PathBuf),
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("bad mail sender: {0}")]
    From(#[from] envelope::EnvelopeError),
    #[error("bad SMTP settings: {0}")]
    Smtp(String),
}

#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>, Duration),
    Files(PathBuf),
}

/// Renders, builds and delivers queued messages. Cheap to clone.
#[derive(Clone)]
pub struct Mailer {
    from: Mailbox,
    transport: Transport,
    description: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.description)
    }
}

impl Mailer {
    /// A mailer sending as `from` (such as `Roster <roster@contoso.com>`).
    pub fn new(from: &str, delivery: Delivery) -> Result<Mailer, ConfigError> {
        let from = envelope::mailbox(from)?;
        let (transport, description) = match delivery {
            Delivery::Files(dir) => {
                let description = format!(".eml files in {}", dir.display());
                (Transport::Files(dir), description)
            }
            Delivery::Smtp(config) => {
                let description = format!("SMTP at {}:{} ({:?})", config.host, config.port, config.tls);
                (Transport::Smtp(smtp(&config)?, config.timeout), description)
            }
        };
        Ok(Mailer {
            from,
            transport,
            description,
        })
    }

    /// Where this mailer delivers, for the log.
    pub fn describe(&self) -> &str {
        &self.description
    }

    /// Renders and delivers one message. A failure says whether retrying may help.
    pub async fn deliver(&self, message: &OutboxMessage) -> Result<(), DeliveryFailure> {
        let rendered = render(message).map_err(|e| permanent(format!("cannot render the message: {e}")))?;
        let email = envelope(message, &rendered, &self.from).map_err(|e| permanent(e.to_string()))?;
        match &self.transport {
            Transport::Smtp(smtp, timeout) => send_smtp(smtp, *timeout, &email).await,
            Transport::Files(dir) => write_file(dir, &message.id.0, &email).await,
        }
    }
}

fn permanent(answer: String) -> DeliveryFailure {
    DeliveryFailure {
        answer,
        permanent: true,
    }
}

fn transient(answer: String) -> DeliveryFailure {
    DeliveryFailure {
        answer,
        permanent: false,
    }
}

fn smtp(config: &SmtpConfig) -> Result<AsyncSmtpTransport<Tokio1Executor>, ConfigError> {
    let builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host);
    let builder = match config.tls {
        Tls::None => builder,
        Tls::StartTls => builder.tls(SmtpTls::Required(tls_parameters(config)?)),
        Tls::Tls => builder.tls(SmtpTls::Wrapper(tls_parameters(config)?)),
    };
    let mut builder = builder.port(config.port).timeout(Some(config.timeout));
    if let Some((user, password)) = &config.credentials {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    Ok(builder.build())
}

/// Certificate checks for the relay's name: the public roots, and the configured CA file.
fn tls_parameters(config: &SmtpConfig) -> Result<TlsParameters, ConfigError> {
    let mut builder = TlsParameters::builder(config.host.clone());
    if let Some(path) = &config.ca_file {
        let pem = std::fs::read(path)
            .map_err(|e| ConfigError::Smtp(format!("cannot read the CA file {}: {e}", path.display())))?;
        let certificate = Certificate::from_pem(&pem)
            .map_err(|e| ConfigError::Smtp(format!("the CA file {} is not PEM: {e}", path.display())))?;
        builder = builder.add_root_certificate(certificate);
    }
    builder.build_rustls().map_err(|e| ConfigError::Smtp(e.to_string()))
}

async fn send_smtp(
    smtp: &AsyncSmtpTransport<Tokio1Executor>,
    timeout: Duration,
    email: &Message,
) -> Result<(), DeliveryFailure> {
    // The transport times out each step; this bounds the whole conversation.
    match tokio::time::timeout(timeout * 4, smtp.send(email.clone())).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(error)) if error.is_permanent() => Err(permanent(smtp_answer(&error))),
        Ok(Err(error)) => Err(transient(smtp_answer(&error))),
        Err(_) => Err(transient(format!("no answer within {} s", (timeout * 4).as_secs()))),
    }
}

/// The SMTP server's answer, or what went wrong before there was one.
fn smtp_answer(error: &lettre::transport::smtp::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

async fn write_file(dir: &std::path::Path, id: &uuid::Uuid, email: &Message) -> Result<(), DeliveryFailure> {
    let io = |e: std::io::Error| transient(format!("cannot write to {}: {e}", dir.display()));
    tokio::fs::create_dir_all(dir).await.map_err(io)?;
    let name = format!("{}.eml", id.hyphenated());
    let partial = dir.join(format!(".{name}.partial"));
    tokio::fs::write(&partial, email.formatted()).await.map_err(io)?;
    tokio::fs::rename(&partial, dir.join(name)).await.map_err(io)?;
    Ok(())
}
