//! Putting a rendered message in an envelope. Every header value is typed (addresses are
//! parsed as addresses) or checked for CR and LF, so nothing a user typed can add a header.

use crate::render::Rendered;
use directory::mail::OutboxMessage;
use lettre::Message;
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};

/// Why a message cannot be built; retrying will not help.
#[derive(Debug, thiserror::Error)]
pub enum EnvelopeError {
    #[error("'{0}' is not a valid e-mail address: {1}")]
    Address(String, String),
    #[error("the {0} contains a line break")]
    LineBreak(&'static str),
    #[error("the message has no recipient")]
    NoRecipient,
    #[error("cannot build the message: {0}")]
    Build(String),
}

/// Refuses text with CR or LF, which could end a header and start another.
pub fn header_text(what: &'static str, text: &str) -> Result<String, EnvelopeError> {
    if text.contains(['\r', '\n']) {
        return Err(EnvelopeError::LineBreak(what));
    }
    Ok(text.to_owned())
}

/// Parses a `From` such as `Roster <roster@contoso.com>`.
pub fn mailbox(text: &str) -> Result<Mailbox, EnvelopeError> {
    header_text("sender", text)?;
    text.parse::<Mailbox>()
        .map_err(|e| EnvelopeError::Address(text.to_owned(), e.to_string()))
}

/// `Content-Language`, so clients know which language the body is in.
#[derive(Debug, Clone)]
struct ContentLanguage(String);

impl Header for ContentLanguage {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Content-Language")
    }

    fn parse(text: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ContentLanguage(text.to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// `Auto-Submitted: auto-generated` (RFC 3834), so auto-responders stay quiet.
#[derive(Debug, Clone)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_owned())
    }
}

/// The message with `From`, `To` (every recipient), `Subject`, a `Message-ID` that is the
/// same for every attempt, `Content-Language`, and text and HTML alternatives.
pub fn envelope(message: &OutboxMessage, rendered: &Rendered, from: &Mailbox) -> Result<Message, EnvelopeError> {
    if message.recipients.is_empty() {
        return Err(EnvelopeError::NoRecipient);
    }
    let mut builder = Message::builder()
        .from(from.clone())
        .subject(header_text("subject", &rendered.subject)?)
        .message_id(Some(message.id.message_id(from.email.domain())))
        .date_now()
        .header(ContentLanguage(rendered.lang.tag().to_owned()))
        .header(AutoSubmitted);
    for recipient in &message.recipients {
        let text = recipient.to_string();
        let address = text
            .parse()
            .map_err(|e: lettre::address::AddressError| EnvelopeError::Address(text.clone(), e.to_string()))?;
        builder = builder.to(Mailbox::new(None, address));
    }
    let body = MultiPart::alternative()
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .body(rendered.text.clone()),
        )
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_HTML)
                .body(rendered.html.clone()),
        );
    builder.multipart(body).map_err(|e| EnvelopeError::Build(e.to_string()))
}
