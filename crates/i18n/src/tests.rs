//! Every key in every language, and language negotiation.

use super::*;
use crate::source::message_ids;
use std::collections::BTreeSet;

/// All keys, of every language.
pub(crate) fn all_keys() -> BTreeSet<String> {
    Lang::ALL.iter().flat_map(|lang| message_ids(*lang)).collect()
}

#[test]
fn every_key_exists_in_every_language() {
    let all = all_keys();
    assert!(all.len() >= 2, "the locale files define keys");
    for lang in Lang::ALL {
        let own = message_ids(lang);
        let missing: Vec<_> = all.difference(&own).collect();
        assert!(missing.is_empty(), "{} lacks {missing:?}", lang.tag());
    }
}

/// Every `$variable` named anywhere in the locale files, to fill in with dummy values.
fn all_variables() -> BTreeSet<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
    let mut names = BTreeSet::new();
    for lang in Lang::ALL {
        for entry in std::fs::read_dir(root.join(lang.tag()))
            .expect("locale directory")
            .flatten()
        {
            let text = std::fs::read_to_string(entry.path()).expect("readable .ftl file");
            for part in text.split('$').skip(1) {
                let name: String = part
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .collect();
                names.insert(name);
            }
        }
    }
    names
}

#[test]
fn every_key_resolves_in_every_language() {
    let variables = all_variables();
    let args: Vec<(&str, Arg<'_>)> = variables.iter().map(|name| (name.as_str(), Arg::Number(2))).collect();
    for lang in Lang::ALL {
        for key in all_keys() {
            let text = lang.t_args(&key, &args);
            assert!(
                !text.is_empty() && text != key,
                "{key} does not resolve in {}",
                lang.tag()
            );
        }
    }
}

#[test]
fn dutch_differs_from_english() {
    assert_ne!(Lang::Nl.t("sign-in-title"), Lang::En.t("sign-in-title"));
}

#[test]
fn arguments_are_filled_in() {
    let text = Lang::En.t_args("signed-in-as", &[("name", Arg::Text("Ada"))]);
    assert!(text.contains("Ada"), "{text}");
}

#[test]
fn negotiation_prefers_the_users_language_then_the_browser() {
    assert_eq!(Lang::negotiate(Some("nl-NL"), Some("en-US")), Lang::Nl);
    assert_eq!(Lang::negotiate(None, Some("de-DE, nl;q=0.8, en;q=0.5")), Lang::Nl);
    assert_eq!(Lang::negotiate(Some("fr"), Some("en;q=0.9, nl;q=0.95")), Lang::Nl);
    assert_eq!(Lang::negotiate(None, Some("nl;q=0, en")), Lang::En);
    assert_eq!(Lang::negotiate(None, Some("garbage;q=x")), Lang::En);
    assert_eq!(Lang::negotiate(None, None), Lang::En);
}
