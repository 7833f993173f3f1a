//! Contract cases on the storage port itself (see the crate docs).
//!
//! Each case builds domain values directly and talks to [`directory::store`] only, so a
//! failure points at the adapter, not at a use case.

mod addresses;
mod bin;
mod delete;
mod licenses;
mod purge;
mod records;
mod restore;
mod users;

pub use addresses::*;
pub use bin::*;
pub use delete::*;
pub use licenses::*;
pub use purge::*;
pub use records::*;
pub use restore::*;
pub use users::*;

use directory::address::{EmailAddress, ProxyAddresses};
use directory::clock::Timestamp;
use directory::group::Group;
use directory::ids::{GroupId, SkuId, TokenId, UserId};
use directory::license::{ServicePlan, Sku};
use directory::password::{self, Password, PasswordHash};
use directory::store::{Constraint, Store, StoreError};
use directory::token::{TokenRecord, TokenSubject};
use directory::upn::UserPrincipalName;
use directory::user::User;
use std::sync::Arc;
use time::Duration;
use time::macros::datetime;

/// A fixed instant with a microsecond part, so that truncation bugs show.
fn t0() -> Timestamp {
    datetime!(2026-01-05 09:00:00.123456 UTC)
}

fn at(seconds: i64) -> Timestamp {
    t0() + Duration::seconds(seconds)
}

fn a_password() -> PasswordHash {
    password::hash(&Password::parse("correct horse battery staple", None).unwrap())
}

fn addresses(texts: &[&str]) -> ProxyAddresses {
    ProxyAddresses::parse_all(texts.iter().copied()).unwrap()
}

/// A user with only the required properties.
fn user(upn: &str, proxies: &[&str]) -> User {
    let mut user = User::new(UserPrincipalName::parse(upn).unwrap(), &format!("User {upn}"), t0());
    user.proxy_addresses = addresses(proxies);
    user
}

fn group(name: &str, mail: Option<&str>) -> Group {
    Group {
        id: GroupId::generate(),
        display_name: name.to_owned(),
        mail_nickname: name.to_lowercase().replace(' ', "-"),
        description: Some(format!("The {name} group")),
        mail: mail.map(|m| EmailAddress::parse(m).unwrap()),
        created_at: at(1),
    }
}

fn sku(part_number: &str, prepaid_units: i64) -> Sku {
    Sku {
        id: SkuId::generate(),
        part_number: part_number.to_owned(),
        prepaid_units,
        consumed_units: 0,
        service_plans: vec![
            ServicePlan {
                id: uuid::Uuid::new_v4(),
                name: "EXCHANGE_S_ENTERPRISE".into(),
            },
            ServicePlan {
                id: uuid::Uuid::new_v4(),
                name: "SHAREPOINTENTERPRISE".into(),
            },
        ],
    }
}

fn token(name: &str, subject: TokenSubject) -> TokenRecord {
    TokenRecord {
        id: TokenId::generate(),
        name: name.to_owned(),
        hash: format!("{:064x}", uuid::Uuid::new_v4().as_u128()),
        subject,
        created_at: at(0),
        expires_at: at(3600),
        revoked_at: None,
    }
}

#[track_caller]
fn assert_conflict<T: std::fmt::Debug>(result: Result<T, StoreError>, expected: Constraint) {
    match result {
        Err(StoreError::Conflict(constraint)) => assert_eq!(constraint, expected),
        other => panic!("expected a conflict on {expected:?}, got {other:?}"),
    }
}

fn is_other_conflict<T>(result: &Result<T, StoreError>) -> bool {
    matches!(result, Err(StoreError::Conflict(Constraint::Other(_))))
}

/// Inserts and commits users.
async fn insert(store: &Arc<dyn Store>, users: &[&User], hash: &PasswordHash) {
    let mut tx = store.begin().await.unwrap();
    for user in users {
        tx.insert_user(user, hash).await.unwrap();
    }
    tx.commit().await.unwrap();
}

async fn delete(store: &Arc<dyn Store>, id: UserId, when: Timestamp) {
    let mut tx = store.begin().await.unwrap();
    assert!(tx.soft_delete_user(id, when, false).await.unwrap());
    tx.commit().await.unwrap();
}
