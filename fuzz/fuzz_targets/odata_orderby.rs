//! `$orderby` (and `$top`, `$count`, `$search`, which share its input shape): no panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use roster_http::graph::odata::{Schema, parse_count, parse_orderby, parse_search, parse_top};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for schema in [Schema::users(), Schema::deleted_users()] {
        let _ = parse_orderby(text, schema);
    }
    let _ = parse_top(text);
    let _ = parse_count(text);
    let _ = parse_search(text);
});
