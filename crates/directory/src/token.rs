//! Bearer tokens: random secrets shown once, stored as SHA-256 hashes, with expiry and
//! revocation. A user's tokens stop working when the user is deleted or disabled.

use crate::clock::Timestamp;
use crate::ids::{TokenId, UserId};
use crate::role::RoleSet;
use sha2::{Digest, Sha256};
use std::fmt;

/// Whom a token speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSubject {
    /// Acts as the user, with the user's current roles.
    User(UserId),
    /// Acts with a fixed set of roles, for automation and recovery.
    Service { roles: RoleSet },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    pub id: TokenId,
    pub name: String,
    /// Hex SHA-256 of the secret.
    pub hash: String,
    pub subject: TokenSubject,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

impl TokenRecord {
    pub fn is_valid_at(&self, now: Timestamp) -> bool {
        self.revoked_at.is_none() && now < self.expires_at
    }
}

/// A token's secret, `rst_` and 43 URL-safe characters (256 random bits). Shown once.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenSecret(String);

impl TokenSecret {
    pub const PREFIX: &'static str = "rst_";

    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        crate::password::fill_random(&mut bytes);
        TokenSecret(format!("{}{}", Self::PREFIX, base64_url(&bytes)))
    }

    /// Wraps a secret presented by a client.
    pub fn presented(text: &str) -> Self {
        TokenSecret(text.to_owned())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> String {
        let digest = Sha256::digest(self.0.as_bytes());
        digest.iter().map(|byte| format!("{byte:02x}")).collect()
    }
}

impl fmt::Debug for TokenSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenSecret(***)")
    }
}

fn base64_url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len() * 4 / 3 + 1);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_random_and_hash_stably() {
        let secret = TokenSecret::generate();
        assert_eq!(secret.expose().len(), 4 + 43);
        assert_ne!(secret, TokenSecret::generate());
        assert_eq!(secret.hash(), TokenSecret::presented(secret.expose()).hash());
        assert_eq!(secret.hash().len(), 64);
        assert_eq!(base64_url(b"\xfb\xff"), "-_8");
    }
}
