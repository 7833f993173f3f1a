//! `$filter` on both user schemas: any text parses or fails with a Graph 400, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use roster_http::graph::odata::{ODataError, Schema, parse_filter};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for schema in [Schema::users(), Schema::deleted_users()] {
        match parse_filter(text, schema) {
            Ok(filter) => {
                let _ = filter.advanced_operator(schema);
            }
            Err(error) => assert!(error.code == ODataError::BAD_REQUEST || error.code == ODataError::UNSUPPORTED_QUERY),
        }
    }
});
