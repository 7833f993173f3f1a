//! The per-address limit on failed sign-ins, shared by every replica through the database.
//!
//! Lockout per name stops guessing one name from many places; this stops guessing many
//! names from one place (password spraying), which never locks a name. Failures from one
//! client address (an IPv6 client by its /64 network, which one client usually holds
//! whole) are counted like a name's, in the same table under a key no typed name can take:
//! [`ADDRESS_THRESHOLD`] within [`super::sign_in::FAILURE_WINDOW`] pause password sign-in
//! from that address for [`super::sign_in::LOCKOUT_DURATION`], on every replica at once.
//! Each attempt is reserved as a failure before its password is checked, and a right
//! password gives its reservation back, so people behind one address who sign in
//! correctly never use up the budget.

use super::sign_in::SignInFailures;
use crate::clock::Timestamp;
use crate::error::Error;
use crate::store::Tx;
use std::net::IpAddr;

/// Failed sign-ins from one address within the failure window that pause sign-in from it.
pub const ADDRESS_THRESHOLD: u32 = 50;

/// One attempt's reservation against its address's budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AddressReservation {
    key: String,
    /// The address (or IPv6 network) as audit records show it.
    pub(crate) label: String,
    /// When sign-in from the address is paused if this attempt fails.
    pub(crate) pauses_until: Option<Timestamp>,
}

/// The counter key of a client address. It starts with a space, which a sign-in name key
/// never does (names are trimmed), so no typed name counts against an address.
fn address_key(label: &str) -> String {
    format!(" address {label}")
}

/// The address as counted: an IPv4 address, or the /64 network of an IPv6 one.
fn address_label(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let network = u128::from(v6) & !((1u128 << 64) - 1);
                format!("{}/64", std::net::Ipv6Addr::from(network))
            }
        },
    }
}

/// Reserves one failure for the address, or refuses the attempt when sign-in from it is
/// paused. No address (a caller without connection info): nothing to count.
pub(crate) async fn reserve(
    tx: &mut dyn Tx,
    client: Option<IpAddr>,
    now: Timestamp,
) -> Result<Option<AddressReservation>, Error> {
    let Some(ip) = client else {
        return Ok(None);
    };
    let label = address_label(ip);
    let key = address_key(&label);
    let previous = tx.lock_sign_in_failures(&key).await?;
    if let Some(until) = previous.as_ref().and_then(|f| f.locked_at(now)) {
        return Err(Error::AddressThrottled { until });
    }
    let record = SignInFailures::after_failure(previous, &key, now, ADDRESS_THRESHOLD);
    tx.put_sign_in_failures(&record).await?;
    Ok(Some(AddressReservation {
        key,
        label,
        pauses_until: record.locked_until,
    }))
}

/// Gives a reservation back after a right password, in the caller's transaction.
pub(crate) async fn give_back(tx: &mut dyn Tx, reservation: &AddressReservation) -> Result<(), Error> {
    if let Some(mut record) = tx.lock_sign_in_failures(&reservation.key).await? {
        record.failures = record.failures.saturating_sub(1);
        if record.failures < ADDRESS_THRESHOLD {
            record.locked_until = None;
        }
        tx.put_sign_in_failures(&record).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_counts_alone_and_ipv6_by_its_64_network() {
        let label = |text: &str| address_label(text.parse().unwrap());
        assert_eq!(label("203.0.113.9"), "203.0.113.9");
        assert_eq!(label("::ffff:203.0.113.9"), "203.0.113.9");
        assert_eq!(label("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(label("2001:db8:1:2:ffff:1:2:3"), label("2001:db8:1:2::9"));
        assert_ne!(label("2001:db8:1:3::1"), label("2001:db8:1:2::1"));
    }

    #[test]
    fn no_typed_name_can_take_an_address_key() {
        let key = address_key("203.0.113.9");
        for typed in [key.clone(), format!("\t{key}"), key.trim().to_owned()] {
            assert_ne!(super::super::sign_in::sign_in_key(&typed), key, "{typed:?}");
        }
    }
}
