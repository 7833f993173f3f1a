//! Checking a user's password: the core of every sign-in. Throttling and lockout live with
//! the interfaces that accept passwords; this only says whether the pair is valid.

use super::User;
use crate::directory::Directory;
use crate::error::Error;
use crate::password;
use crate::password::{Password, PasswordHash};
use crate::upn::UserPrincipalName;
use std::sync::OnceLock;

fn decoy_hash() -> &'static PasswordHash {
    static DECOY: OnceLock<PasswordHash> = OnceLock::new();
    DECOY.get_or_init(|| password::hash(&Password::generate()))
}

impl Directory {
    /// The active, enabled user with this UPN and password, or [`Error::Unauthenticated`]
    /// (deleted, disabled, unknown and wrong password all look the same to the caller).
    pub async fn check_password(&self, upn: &str, password: &str) -> Result<User, Error> {
        let upn = UserPrincipalName::parse(upn).map_err(|_| Error::Unauthenticated)?;
        let mut tx = self.store.read().await?;
        let user = tx.user_by_upn_key(&upn.key()).await?;
        let hash = match &user {
            Some(user) => tx.password_hash(user.id).await?,
            None => None,
        };
        drop(tx);
        // Unknown users cost one hash too, so timing does not tell which names exist.
        let known = user.is_some() && hash.is_some();
        let hash = hash.unwrap_or_else(|| decoy_hash().clone());
        let valid = password::verify_blocking(hash, password.to_owned()).await;
        match user {
            Some(user) if known && valid && user.account_enabled => Ok(user),
            _ => Err(Error::Unauthenticated),
        }
    }
}
