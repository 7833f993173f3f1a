//! The Fluent source files as text, for tests that check completeness: which message ids
//! a language defines itself (not through its fallback). Reads the files of this
//! checkout, so it is meant for tests only.

use crate::Lang;
use std::collections::BTreeSet;

/// The message ids this language's Fluent files define.
pub fn message_ids(lang: Lang) -> BTreeSet<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("locales")
        .join(lang.tag());
    let mut ids = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).expect("locale directory").flatten() {
        let text = std::fs::read_to_string(entry.path()).expect("readable .ftl file");
        ids.extend(text.lines().filter_map(message_id));
    }
    ids
}

/// The id a Fluent line defines (`key = …`), if it starts a message.
fn message_id(line: &str) -> Option<String> {
    let (id, _) = line.split_once('=')?;
    let id = id.trim_end();
    let valid = id.chars().next()?.is_ascii_alphabetic()
        && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    valid.then(|| id.to_owned())
}
