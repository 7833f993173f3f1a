//! Typed identifiers. Every object id is a UUID; the types keep a group id from being
//! passed where a user id belongs.

use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! id_type {
    ($($(#[$meta:meta])* $name:ident;)*) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new, time-ordered (v7) id.
            pub fn generate() -> Self {
                $name(Uuid::now_v7())
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(text).map($name)
            }
        }
    )*};
}

id_type! {
    /// A user's object id; it survives delete and restore unchanged.
    UserId;
    /// A group's object id.
    GroupId;
    /// A subscribed SKU's id (Graph `skuId`).
    SkuId;
    /// A bearer token's id (not its secret).
    TokenId;
    /// An audit record's id.
    AuditId;
    /// An app registration's object id (Graph `id`, not its `appId`).
    AppId;
    /// A client secret's id (Graph `keyId`).
    AppSecretId;
}
