//! Passwords: the policy (NIST SP 800-63B), generation, and Argon2id hashing.
//!
//! Policy: 15 to 256 characters (NIST's minimum for a password used alone), counted in
//! Unicode scalar values; no composition rules; refused when it is on the bundled list of
//! common passwords (also with digits or symbols appended), when it contains the user's
//! alias, or when it uses fewer than 5 distinct characters. Hashes are Argon2id PHC strings
//! with the OWASP parameters (19 MiB, t = 2, p = 1). Hashing is slow on purpose: callers run
//! it with [`hash_blocking`] off the async runtime.

mod argon;

use crate::error::{Code, Error};
use std::fmt;

pub const MIN_LEN: usize = 15;
pub const MAX_LEN: usize = 256;
const MIN_DISTINCT: usize = 5;
const COMMON: &str = include_str!("common-passwords.txt");

/// A password that meets the policy. Its `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Checks `text` against the policy; `alias` is the user's UPN alias, which the
    /// password may not contain.
    pub fn parse(text: &str, alias: Option<&str>) -> Result<Self, Error> {
        let length = text.chars().count();
        if length < MIN_LEN {
            return Err(weak(format!("it must have at least {MIN_LEN} characters")));
        }
        if length > MAX_LEN {
            return Err(weak(format!("it must have at most {MAX_LEN} characters")));
        }
        if text.chars().any(char::is_control) {
            return Err(weak("it must not contain control characters".into()));
        }
        let mut distinct: Vec<char> = text.chars().collect();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.len() < MIN_DISTINCT {
            return Err(weak("it repeats too few characters".into()));
        }
        if is_common(text) {
            return Err(weak("it is a commonly used password".into()));
        }
        if let Some(alias) = alias.filter(|alias| alias.len() >= 4)
            && text.to_lowercase().contains(&alias.to_lowercase())
        {
            return Err(weak("it contains the user name".into()));
        }
        Ok(Password(text.to_owned()))
    }

    /// A random password of 4 groups of 5 unambiguous letters and digits, such as
    /// `Xk3pQ-7hTwm-…` (23 characters, about 113 bits).
    pub fn generate() -> Self {
        const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        let mut text = String::with_capacity(23);
        for group in 0..4 {
            if group > 0 {
                text.push('-');
            }
            for _ in 0..5 {
                text.push(char::from(ALPHABET[random_below(ALPHABET.len())]));
            }
        }
        Password(text)
    }

    /// The secret itself, to show once or to hash.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

fn weak(why: String) -> Error {
    Error::Invalid {
        code: Code::WeakPassword,
        message: format!(
            "The specified password does not comply with password complexity requirements. \
             Please provide a different password. ({why})"
        ),
        target: Some("passwordProfile"),
    }
}

fn is_common(text: &str) -> bool {
    let lowered = text.to_lowercase();
    let stripped = lowered.trim_end_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation());
    COMMON
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .any(|common| common == lowered || common == stripped)
}

/// An unbiased random index below `bound` from the operating system's generator.
fn random_below(bound: usize) -> usize {
    let zone = u32::MAX - (u32::MAX % bound as u32);
    loop {
        let value = random_u32();
        if value < zone {
            return (value % bound as u32) as usize;
        }
    }
}

fn random_u32() -> u32 {
    let mut bytes = [0u8; 4];
    fill_random(&mut bytes);
    u32::from_le_bytes(bytes)
}

/// Fills `buffer` from the operating system's generator. Without one nothing here is safe,
/// so failing to read it aborts.
pub(crate) fn fill_random(buffer: &mut [u8]) {
    #[allow(clippy::expect_used)]
    getrandom::fill(buffer).expect("the operating system's random number generator failed");
}

/// An Argon2id PHC string, such as `$argon2id$v=19$m=19456,t=2,p=1$…`.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// Wraps a stored PHC string (as read from the database).
    pub fn from_phc(phc: String) -> Self {
        PasswordHash(phc)
    }

    pub fn as_phc(&self) -> &str {
        &self.0
    }

    /// Whether the password matches. CPU-bound: async code uses [`verify_blocking`].
    pub fn verify(&self, password: &str) -> bool {
        argon::verify_with(&mut Vec::new(), &self.0, password.as_bytes())
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(***)")
    }
}

/// Hashes with a fresh random salt. CPU-bound (tens of milliseconds): async code uses
/// [`hash_blocking`].
pub fn hash(password: &Password) -> PasswordHash {
    argon::hash_with(&mut Vec::new(), password.expose().as_bytes())
}

/// [`hash`] on one of the hashing threads (one per core, each reusing its memory), so the
/// async workers keep serving requests and hashing never takes more than a core each.
pub async fn hash_blocking(password: Password) -> Result<PasswordHash, Error> {
    argon::run(move |memory| argon::hash_with(memory, password.expose().as_bytes())).await
}

/// [`PasswordHash::verify`] on one of the hashing threads, like [`hash_blocking`].
pub async fn verify_blocking(hash: PasswordHash, password: String) -> bool {
    argon::run(move |memory| argon::verify_with(memory, hash.as_phc(), password.as_bytes()))
        .await
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(text: &str, alias: Option<&str>, ok: bool) {
        assert_eq!(Password::parse(text, alias).is_ok(), ok, "{text:?}");
    }

    #[test]
    fn policy() {
        check("correct horse battery", None, true);
        check("fourteen chars", None, false);
        check("fifteen chars!!", None, true);
        check(&"x".repeat(257), None, false);
        check("Ünïcödé pässwörd", None, true);
        check("aaaaaaaaaaaaaaaaaaaa", None, false);
        check("abababababababab", None, false);
        check("PasswordPassword", None, false);
        check("passwordpassword2024!", None, false);
        check("Qwertyuiopasdfgh", None, false);
        check("adele-likes-long-walks", Some("AdeleV"), true);
        check("adelev-likes-long-walks", Some("AdeleV"), false);
        check("tab\there and more text", None, false);
    }

    #[test]
    fn generated_passwords_meet_the_policy_and_differ() {
        let first = Password::generate();
        let second = Password::generate();
        assert_ne!(first, second);
        assert!(Password::parse(first.expose(), Some("adele")).is_ok());
        assert_eq!(first.expose().len(), 23);
    }

    #[test]
    fn hashes_are_argon2id_and_verify_only_the_right_password() {
        let password = Password::parse("correct horse battery", None).unwrap();
        let hashed = hash(&password);
        assert!(hashed.as_phc().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(hashed.verify("correct horse battery"));
        assert!(!hashed.verify("correct horse batterY"));
        assert!(!format!("{hashed:?}").contains("argon2"));
    }

    #[test]
    fn hashes_from_the_argon2_crate_still_verify_and_ours_verify_there() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc};
        let theirs = argon2::Argon2::default()
            .hash_password(b"correct horse battery")
            .unwrap()
            .to_string();
        assert!(PasswordHash::from_phc(theirs).verify("correct horse battery"));
        let ours = hash(&Password::parse("correct horse battery", None).unwrap());
        let parsed = phc::PasswordHash::new(ours.as_phc()).unwrap();
        assert!(
            argon2::Argon2::default()
                .verify_password(b"correct horse battery", &parsed)
                .is_ok()
        );
    }

    #[test]
    fn malformed_or_oversized_stored_hashes_never_verify() {
        for stored in [
            "",
            "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaA",
            "$argon2id$v=19$m=99999999,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
            "$argon2id$v=19$m=19456,t=2$c2FsdHNhbHRzYWx0$aGFzaA",
            "$argon2id$v=19$m=19456,t=2,p=1$!!$aGFzaA",
        ] {
            assert!(
                !PasswordHash::from_phc(stored.into()).verify("anything at all here"),
                "{stored}"
            );
        }
    }

    #[tokio::test]
    async fn the_hashing_threads_hash_and_verify() {
        let password = Password::parse("correct horse battery", None).unwrap();
        let hashed = hash_blocking(password).await.unwrap();
        assert!(verify_blocking(hashed.clone(), "correct horse battery".into()).await);
        assert!(!verify_blocking(hashed, "correct horse batterY".into()).await);
    }
}
