//! UPN and domain parsing: no panics, and what parses is canonical (parsing its text again
//! gives the same value and key).
#![no_main]

use directory::upn::{DomainName, UserPrincipalName};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(upn) = UserPrincipalName::parse(text) {
        let again = UserPrincipalName::parse(&upn.to_string()).expect("a parsed UPN parses again");
        assert_eq!(again.key(), upn.key());
    }
    if let Ok(domain) = DomainName::parse(text) {
        assert!(DomainName::parse(&domain.to_string()).is_ok());
    }
});
