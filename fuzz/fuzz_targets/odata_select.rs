//! `$select`: whatever is accepted is one of the allowed properties.
#![no_main]

use libfuzzer_sys::fuzz_target;
use roster_http::graph::odata::parse_select;

const ALLOWED: &[&str] = &["id", "displayName", "mail", "userPrincipalName", "deletedDateTime"];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(selected) = parse_select(text, ALLOWED) {
        assert!(selected.iter().all(|name| ALLOWED.contains(name)));
    }
});
