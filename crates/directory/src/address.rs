//! E-mail addresses and `proxyAddresses`, valid by construction.
//!
//! A proxy address is `TYPE:value`. `SMTP:` (upper case) marks the one primary address,
//! `smtp:` a secondary; other types (`X500:`, `SIP:`, …) are kept but only SMTP values are
//! checked as addresses. Addresses are unique case-insensitively across every user and
//! group, including deleted users that still reserve theirs; [`ProxyAddress::key`] is the
//! comparison key.

use crate::error::{Code, Error};
use crate::upn::{DomainName, UserPrincipalName};
use std::fmt;

const TARGET: &str = "proxyAddresses";

/// Whether an object holding an address is a user or a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OwnerKind {
    User,
    Group,
}

impl OwnerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OwnerKind::User => "user",
            OwnerKind::Group => "group",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "user" => Some(OwnerKind::User),
            "group" => Some(OwnerKind::Group),
            _ => None,
        }
    }
}

/// An ASCII e-mail address `local@domain`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress {
    local: String,
    domain: DomainName,
}

impl EmailAddress {
    pub fn parse(text: &str) -> Result<Self, Error> {
        let invalid = || {
            Error::invalid(
                Code::InvalidValue,
                "mail",
                format!("'{text}' is not a valid e-mail address"),
            )
        };
        let (local, domain) = text.rsplit_once('@').ok_or_else(invalid)?;
        let local_ok = (1..=64).contains(&local.len())
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-.".contains(c))
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..");
        if !local_ok || text.len() > 254 {
            return Err(invalid());
        }
        let domain = DomainName::parse(domain).map_err(|_| invalid())?;
        Ok(EmailAddress {
            local: local.to_owned(),
            domain,
        })
    }

    pub fn domain(&self) -> &DomainName {
        &self.domain
    }

    /// The case-insensitive comparison key.
    pub fn key(&self) -> String {
        format!("smtp:{}@{}", self.local.to_ascii_lowercase(), self.domain)
    }
}

impl From<&UserPrincipalName> for EmailAddress {
    fn from(upn: &UserPrincipalName) -> Self {
        EmailAddress {
            local: upn.local().to_owned(),
            domain: upn.domain().clone(),
        }
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.local, self.domain)
    }
}

/// One entry of `proxyAddresses`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ProxyAddress {
    Smtp { address: EmailAddress, primary: bool },
    Other { prefix: String, value: String },
}

impl ProxyAddress {
    pub fn parse(text: &str) -> Result<Self, Error> {
        let invalid = |why: &str| {
            Error::invalid(
                Code::InvalidProxyAddress,
                TARGET,
                format!("'{text}' is not a valid proxy address: {why}"),
            )
        };
        let (prefix, value) = text.split_once(':').ok_or_else(|| invalid("expected TYPE:value"))?;
        match prefix {
            "SMTP" | "smtp" => {
                let address = EmailAddress::parse(value).map_err(|_| invalid("bad SMTP address"))?;
                Ok(ProxyAddress::Smtp {
                    address,
                    primary: prefix == "SMTP",
                })
            }
            _ if prefix.eq_ignore_ascii_case("smtp") => Err(invalid("write SMTP: or smtp:")),
            _ => {
                let prefix_ok = (1..=9).contains(&prefix.len()) && prefix.chars().all(|c| c.is_ascii_alphanumeric());
                let value_ok = !value.is_empty() && value.len() <= 1024 && !value.chars().any(char::is_control);
                if !prefix_ok || !value_ok {
                    return Err(invalid("bad type or value"));
                }
                Ok(ProxyAddress::Other {
                    prefix: prefix.to_owned(),
                    value: value.to_owned(),
                })
            }
        }
    }

    pub fn primary(address: EmailAddress) -> Self {
        ProxyAddress::Smtp { address, primary: true }
    }

    pub fn secondary(address: EmailAddress) -> Self {
        ProxyAddress::Smtp {
            address,
            primary: false,
        }
    }

    /// The comparison key: lower case, with `smtp:` for primary and secondary alike.
    pub fn key(&self) -> String {
        match self {
            ProxyAddress::Smtp { address, .. } => address.key(),
            ProxyAddress::Other { prefix, value } => {
                format!("{}:{}", prefix.to_ascii_lowercase(), value.to_lowercase())
            }
        }
    }

    pub fn is_primary(&self) -> bool {
        matches!(self, ProxyAddress::Smtp { primary: true, .. })
    }

    pub fn smtp_address(&self) -> Option<&EmailAddress> {
        match self {
            ProxyAddress::Smtp { address, .. } => Some(address),
            ProxyAddress::Other { .. } => None,
        }
    }
}

impl fmt::Display for ProxyAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProxyAddress::Smtp { address, primary: true } => write!(f, "SMTP:{address}"),
            ProxyAddress::Smtp {
                address,
                primary: false,
            } => write!(f, "smtp:{address}"),
            ProxyAddress::Other { prefix, value } => write!(f, "{prefix}:{value}"),
        }
    }
}

/// A user's or group's `proxyAddresses`: no duplicates, and exactly one `SMTP:` primary
/// whenever there is any SMTP address. `mail` is the primary address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxyAddresses(Vec<ProxyAddress>);

impl ProxyAddresses {
    pub fn new(addresses: Vec<ProxyAddress>) -> Result<Self, Error> {
        let mut keys: Vec<String> = addresses.iter().map(ProxyAddress::key).collect();
        keys.sort();
        keys.dedup();
        if keys.len() != addresses.len() {
            return Err(Error::invalid(
                Code::InvalidProxyAddress,
                TARGET,
                "proxyAddresses lists the same address twice",
            ));
        }
        let n_smtp = addresses.iter().filter(|a| a.smtp_address().is_some()).count();
        let n_primary = addresses.iter().filter(|a| a.is_primary()).count();
        if n_smtp > 0 && n_primary != 1 {
            return Err(Error::invalid(
                Code::InvalidProxyAddress,
                TARGET,
                "proxyAddresses must have exactly one SMTP: primary address",
            ));
        }
        Ok(ProxyAddresses(addresses))
    }

    /// Just one primary address.
    pub fn with_primary(address: EmailAddress) -> Self {
        ProxyAddresses(vec![ProxyAddress::primary(address)])
    }

    pub fn parse_all<'a>(texts: impl IntoIterator<Item = &'a str>) -> Result<Self, Error> {
        let parsed = texts
            .into_iter()
            .map(ProxyAddress::parse)
            .collect::<Result<Vec<_>, _>>()?;
        ProxyAddresses::new(parsed)
    }

    pub fn iter(&self) -> impl Iterator<Item = &ProxyAddress> {
        self.0.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The primary SMTP address: the user's or group's `mail`.
    pub fn mail(&self) -> Option<&EmailAddress> {
        self.0
            .iter()
            .find(|a| a.is_primary())
            .and_then(ProxyAddress::smtp_address)
    }

    pub fn keys(&self) -> Vec<String> {
        self.0.iter().map(ProxyAddress::key).collect()
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.0.iter().any(|a| a.key() == key)
    }

    /// Makes `address` the primary; the old primary stays as a secondary.
    pub fn set_primary(&mut self, address: EmailAddress) {
        let key = address.key();
        for entry in &mut self.0 {
            if let ProxyAddress::Smtp { primary, .. } = entry {
                *primary = false;
            }
        }
        self.0.retain(|entry| entry.key() != key);
        self.0.insert(0, ProxyAddress::primary(address));
    }

    /// Removes the addresses with the given keys. If the primary goes, the address equal to
    /// `preferred` (usually the UPN) is promoted when present, else the first remaining SMTP
    /// address. Returns what was removed and the promoted address, if any.
    pub fn remove_keys(
        &mut self,
        keys: &[String],
        preferred: Option<&EmailAddress>,
    ) -> (Vec<ProxyAddress>, Option<EmailAddress>) {
        let (removed, kept): (Vec<_>, Vec<_>) = self.0.drain(..).partition(|entry| keys.contains(&entry.key()));
        self.0 = kept;
        let lost_primary = removed.iter().any(ProxyAddress::is_primary);
        let remaining_smtp = self.0.iter().filter_map(ProxyAddress::smtp_address);
        let promoted = if lost_primary {
            let preferred_key = preferred.map(EmailAddress::key);
            let remaining: Vec<&EmailAddress> = remaining_smtp.collect();
            remaining
                .iter()
                .find(|a| Some(a.key()) == preferred_key)
                .or_else(|| remaining.first())
                .map(|a| (*a).clone())
        } else {
            None
        };
        if let Some(address) = &promoted {
            self.set_primary(address.clone());
        }
        (removed, promoted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addresses(texts: &[&str]) -> ProxyAddresses {
        ProxyAddresses::parse_all(texts.iter().copied()).unwrap()
    }

    fn shown(addresses: &ProxyAddresses) -> Vec<String> {
        addresses.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn exactly_one_primary_and_no_duplicates_ignoring_case() {
        assert!(ProxyAddresses::parse_all(["smtp:a@contoso.com"]).is_err());
        assert!(ProxyAddresses::parse_all(["SMTP:a@contoso.com", "SMTP:b@contoso.com"]).is_err());
        assert!(ProxyAddresses::parse_all(["SMTP:a@contoso.com", "smtp:A@Contoso.com"]).is_err());
        assert!(ProxyAddresses::parse_all(["X500:/o=x", "SIP:a@contoso.com"]).is_ok());
        assert!(ProxyAddress::parse("Smtp:a@contoso.com").is_err());
        assert!(ProxyAddress::parse("SMTP:adèle@contoso.com").is_err());
        assert!(ProxyAddress::parse("nocolon").is_err());
    }

    #[test]
    fn removing_the_primary_promotes_the_preferred_address_else_the_first_secondary() {
        let upn_address = EmailAddress::parse("adele@contoso.com").unwrap();
        let mut list = addresses(&["SMTP:av@contoso.com", "smtp:x@contoso.com", "smtp:adele@contoso.com"]);
        let (removed, promoted) = list.remove_keys(&["smtp:av@contoso.com".into()], Some(&upn_address));
        assert_eq!(removed.len(), 1);
        assert_eq!(promoted.unwrap().to_string(), "adele@contoso.com");
        assert_eq!(shown(&list), ["SMTP:adele@contoso.com", "smtp:x@contoso.com"]);

        let mut list = addresses(&["SMTP:av@contoso.com", "smtp:x@contoso.com"]);
        let (_, promoted) = list.remove_keys(&["smtp:av@contoso.com".into()], Some(&upn_address));
        assert_eq!(promoted.unwrap().to_string(), "x@contoso.com");
        assert_eq!(list.mail().unwrap().to_string(), "x@contoso.com");

        let mut list = addresses(&["SMTP:av@contoso.com"]);
        let (_, promoted) = list.remove_keys(&["smtp:av@contoso.com".into()], None);
        assert!(promoted.is_none());
        assert!(list.mail().is_none());
    }

    #[test]
    fn set_primary_demotes_the_old_primary() {
        let mut list = addresses(&["SMTP:a@contoso.com"]);
        list.set_primary(EmailAddress::parse("b@contoso.com").unwrap());
        assert_eq!(shown(&list), ["SMTP:b@contoso.com", "smtp:a@contoso.com"]);
    }
}
