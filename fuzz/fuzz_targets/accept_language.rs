//! `Accept-Language` negotiation: no panics, and every tag returned is non-empty.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for tag in roster_i18n::parse_accept_language(text) {
        assert!(!tag.is_empty());
    }
    let _ = roster_i18n::Lang::negotiate(Some(text), Some(text));
});
