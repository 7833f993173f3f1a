//! User principal names and domain names, valid by construction.
//!
//! Rules (Entra's UPN policy, kept stricter where noted): `local@domain`; local part of
//! `A–Z a–z 0–9 ' . - _ ! # ^ ~`, at most 64 characters, not starting or ending with a dot
//! and without two dots in a row (stricter); domain of at most 48 characters; 113 in all.
//! Internationalised domains must be given as A-labels (`xn--…`). Uniqueness is judged on
//! [`UserPrincipalName::key`], the lower-cased form, computed here and never in SQL.

use crate::error::{Code, Error};
use std::fmt;

const UPN_TARGET: &str = "userPrincipalName";

/// A DNS domain name in lower case, such as `contoso.com`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DomainName(String);

impl DomainName {
    pub fn parse(text: &str) -> Result<Self, Error> {
        let domain = text.trim_end_matches('.').to_ascii_lowercase();
        let labels: Vec<&str> = domain.split('.').collect();
        let well_formed = domain.len() <= 253
            && labels.len() >= 2
            && labels.iter().all(|label| is_dns_label(label))
            && labels
                .last()
                .is_some_and(|tld| !tld.chars().all(|c| c.is_ascii_digit()));
        if !well_formed || !text.is_ascii() {
            return Err(Error::invalid(
                Code::InvalidValue,
                "domain",
                format!("'{text}' is not a valid domain name"),
            ));
        }
        Ok(DomainName(domain))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_dns_label(label: &str) -> bool {
    (1..=63).contains(&label.len())
        && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !label.starts_with('-')
        && !label.ends_with('-')
}

impl fmt::Display for DomainName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A user principal name. The local part keeps the case it was given; the domain is
/// lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UserPrincipalName {
    local: String,
    domain: DomainName,
}

impl UserPrincipalName {
    pub const MAX_LEN: usize = 113;
    pub const MAX_LOCAL_LEN: usize = 64;
    pub const MAX_DOMAIN_LEN: usize = 48;

    pub fn parse(text: &str) -> Result<Self, Error> {
        let invalid = |why: &str| {
            Error::invalid(
                Code::InvalidUserPrincipalName,
                UPN_TARGET,
                format!("Invalid value specified for property 'userPrincipalName': {why}."),
            )
        };
        if text.len() > Self::MAX_LEN {
            return Err(invalid("longer than 113 characters"));
        }
        let Some((local, domain)) = text.split_once('@') else {
            return Err(invalid("it must have the form alias@domain"));
        };
        if local.is_empty() || local.len() > Self::MAX_LOCAL_LEN {
            return Err(invalid("the part before @ must have 1 to 64 characters"));
        }
        if !local.chars().all(is_upn_local_char) {
            return Err(invalid("only A-Z, a-z, 0-9 and ' . - _ ! # ^ ~ are allowed before @"));
        }
        if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return Err(invalid("a dot cannot start or end the alias or follow a dot"));
        }
        if domain.len() > Self::MAX_DOMAIN_LEN {
            return Err(invalid("the part after @ must have at most 48 characters"));
        }
        let domain = DomainName::parse(domain).map_err(|_| invalid("the domain is not valid"))?;
        Ok(UserPrincipalName {
            local: local.to_owned(),
            domain,
        })
    }

    pub fn from_parts(local: &str, domain: &DomainName) -> Result<Self, Error> {
        Self::parse(&format!("{local}@{domain}"))
    }

    pub fn local(&self) -> &str {
        &self.local
    }

    pub fn domain(&self) -> &DomainName {
        &self.domain
    }

    /// The case-insensitive comparison key; uniqueness among active users is on this.
    pub fn key(&self) -> String {
        format!("{}@{}", self.local.to_ascii_lowercase(), self.domain)
    }
}

fn is_upn_local_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "'.-_!#^~".contains(c)
}

impl fmt::Display for UserPrincipalName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.local, self.domain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(text: &str, expect: Option<&str>) {
        let got = UserPrincipalName::parse(text).ok().map(|upn| upn.to_string());
        assert_eq!(got.as_deref(), expect, "parsing {text:?}");
    }

    #[test]
    fn upn_rules() {
        check("AdeleV@Contoso.com", Some("AdeleV@contoso.com"));
        check("o'brien.x-y_z!#^~@contoso.com", Some("o'brien.x-y_z!#^~@contoso.com"));
        check("adele@contoso", None);
        check("adele.@contoso.com", None);
        check(".adele@contoso.com", None);
        check("ad..ele@contoso.com", None);
        check("adèle@contoso.com", None);
        check("a@b@contoso.com", None);
        check("adele vance@contoso.com", None);
        check("@contoso.com", None);
        check("adele@", None);
        check("adele@-contoso.com", None);
        check(
            &format!("{}@contoso.com", "a".repeat(64)),
            Some(&format!("{}@contoso.com", "a".repeat(64))),
        );
        check(&format!("{}@contoso.com", "a".repeat(65)), None);
        check(&format!("a@{}.com", "b".repeat(45)), None);
        check(
            &format!("a@{}.com", "b".repeat(44)),
            Some(&format!("a@{}.com", "b".repeat(44))),
        );
    }

    #[test]
    fn key_folds_case_but_display_keeps_the_alias_case() {
        let upn = UserPrincipalName::parse("AdeleV@CONTOSO.com").unwrap();
        assert_eq!(upn.key(), "adelev@contoso.com");
        assert_eq!(upn.to_string(), "AdeleV@contoso.com");
    }
}
