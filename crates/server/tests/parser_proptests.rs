//! Bounded property runs (T40's CI tier) of the parsers outside the OData module, which
//! has its own in `crates/http/src/graph/odata/proptests.rs`: UPNs and domains, e-mail and
//! proxy addresses, and `Accept-Language`. No input panics, and whatever parses is
//! canonical: its text parses again to the same value and comparison key.

use directory::address::{EmailAddress, ProxyAddress, ProxyAddresses};
use directory::upn::{DomainName, UserPrincipalName};
use proptest::prelude::*;
use proptest::test_runner::Config;

fn config() -> Config {
    Config {
        cases: 800,
        failure_persistence: None,
        ..Config::default()
    }
}

/// Text built from the characters that matter to these parsers, and confusables.
fn hostile_text() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("@".to_owned()),
        Just(".".to_owned()),
        Just(":".to_owned()),
        Just("smtp:".to_owned()),
        Just("SMTP:".to_owned()),
        Just("xn--".to_owned()),
        Just("contoso.com".to_owned()),
        Just("é".to_owned()),
        Just("e\u{301}".to_owned()),
        Just("ı".to_owned()),
        Just("\u{212A}".to_owned()),
        Just("ß".to_owned()),
        Just("а".to_owned()),
        Just("\u{200D}".to_owned()),
        Just("\u{202E}".to_owned()),
        Just("ａ".to_owned()),
        Just(";q=0.5".to_owned()),
        Just(",".to_owned()),
        Just("-".to_owned()),
        Just("*".to_owned()),
        "[a-zA-Z0-9'._!#^~-]{0,8}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(pieces, 0..12).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn upns_and_domains_never_panic_and_parse_canonically(text in hostile_text()) {
        if let Ok(upn) = UserPrincipalName::parse(&text) {
            let again = UserPrincipalName::parse(&upn.to_string()).expect("a parsed UPN parses again");
            prop_assert_eq!(again.key(), upn.key());
            prop_assert_eq!(UserPrincipalName::parse(&upn.key()).map(|u| u.key()).ok(), Some(upn.key()));
        }
        if let Ok(domain) = DomainName::parse(&text) {
            prop_assert!(DomainName::parse(&domain.to_string()).is_ok());
        }
    }

    #[test]
    fn addresses_never_panic_and_parse_canonically(text in hostile_text()) {
        if let Ok(address) = EmailAddress::parse(&text) {
            let again = EmailAddress::parse(&address.to_string()).expect("a parsed address parses again");
            prop_assert_eq!(again.key(), address.key());
        }
        if let Ok(proxy) = ProxyAddress::parse(&text) {
            let again = ProxyAddress::parse(&proxy.to_string()).expect("a parsed proxy address parses again");
            prop_assert_eq!(again.key(), proxy.key());
        }
        if let Ok(all) = ProxyAddresses::parse_all(text.split(',')) {
            let keys = all.keys();
            let mut unique = keys.clone();
            unique.sort();
            unique.dedup();
            prop_assert_eq!(unique.len(), keys.len(), "a parsed set holds each address once");
        }
    }

    #[test]
    fn accept_language_never_panics_and_yields_tags(text in hostile_text()) {
        for tag in roster_i18n::parse_accept_language(&text) {
            prop_assert!(!tag.is_empty());
        }
        let _ = roster_i18n::Lang::negotiate(Some(&text), Some(&text));
    }
}
