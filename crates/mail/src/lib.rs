//! Roster's outgoing mail: turns the domain's queued notifications into e-mail and
//! delivers it. The outbox itself (queueing, claiming, retries) is in
//! `directory::mail`; the loop that drives it is `roster::mail_job`.
//!
//! - [`render`]: a notification as subject, text and HTML (askama templates in
//!   `templates/`, words from `crates/i18n/locales/*/mail.ftl`), English or Dutch.
//! - [`envelope`]: the message with typed headers and a stable `Message-ID`.
//! - [`deliver`]: SMTP with lettre (rustls) or `.eml` files, and what a failure means.

pub mod deliver;
pub mod envelope;
pub mod render;

pub use deliver::{ConfigError, Delivery, Mailer, SmtpConfig, Tls};
pub use render::{Rendered, render};

#[cfg(test)]
mod tests;
