//! E-mail and proxy-address parsing: no panics; a parsed address parses again to the same
//! key.
#![no_main]

use directory::address::{EmailAddress, ProxyAddress, ProxyAddresses};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(address) = EmailAddress::parse(text) {
        assert!(EmailAddress::parse(&address.to_string()).is_ok());
    }
    if let Ok(proxy) = ProxyAddress::parse(text) {
        let again = ProxyAddress::parse(&proxy.to_string()).expect("a parsed proxy address parses again");
        assert_eq!(again.key(), proxy.key());
    }
    let _ = ProxyAddresses::parse_all(text.split(','));
});
