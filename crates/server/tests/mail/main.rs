//! Outgoing mail end to end: a real `roster serve` delivers to a real SMTP server process
//! (aiosmtpd, `scripts/smtp-sink/sink.py`) on loopback. Messages arrive with the right
//! headers, language, recipients and content; they wait while the server is down and
//! arrive once it is back; and a `roster serve` killed with SIGKILL between queueing and
//! sending, or in the middle of the SMTP conversation, loses nothing and sends nothing
//! twice. The tests that start `roster` run on SQLite here and on PostgreSQL in
//! `tests/mail_postgres` (the same modules with its own `backend.rs`).

mod backend;
mod delivery;
mod injection;
#[path = "../common/process.rs"]
mod process;
mod support;
mod tls;
