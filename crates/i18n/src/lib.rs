//! Roster's translations: every string a person reads (admin center pages, e-mail) in
//! English and Dutch, looked up by key from Fluent files under `locales/<tag>/*.ftl`.
//!
//! [`Lang`] is the closed set of languages Roster speaks; [`Lang::negotiate`] picks one
//! from a user's preferred language and the browser's `Accept-Language`. A test checks
//! that every key exists in every language, since Fluent only fails at lookup time.

mod negotiate;
pub mod source;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{Loader, static_loader};
use std::borrow::Cow;
use std::collections::HashMap;

pub use negotiate::parse_accept_language;

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// A language Roster speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    En,
    Nl,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Nl];

    /// The BCP 47 tag Roster uses for this language (`en`, `nl-NL`).
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Nl => "nl-NL",
        }
    }

    /// The language's name in itself, for a language switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Nl => "Nederlands",
        }
    }

    /// The language a tag such as `nl`, `nl-BE` or `en-US` asks for, if Roster speaks it.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "nl" => Some(Lang::Nl),
            _ => None,
        }
    }

    /// The user's preferred language if Roster speaks it, else the first language of the
    /// browser's `Accept-Language` that it speaks, else English.
    pub fn negotiate(preferred: Option<&str>, accept_language: Option<&str>) -> Lang {
        preferred
            .and_then(Lang::from_tag)
            .or_else(|| {
                parse_accept_language(accept_language.unwrap_or(""))
                    .into_iter()
                    .find_map(|tag| Lang::from_tag(&tag))
            })
            .unwrap_or_default()
    }

    fn id(self) -> fluent_templates::LanguageIdentifier {
        self.tag().parse().expect("built-in language tags are valid")
    }

    /// The text for `key`. A missing key shows as the key itself (the locale test keeps
    /// that from happening).
    pub fn t(self, key: &str) -> String {
        LOCALES.try_lookup(&self.id(), key).unwrap_or_else(|| key.to_owned())
    }

    /// The text for `key` with named arguments (`{ $name }` in the Fluent file).
    pub fn t_args(self, key: &str, args: &[(&str, Arg<'_>)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue<'_>> = args
            .iter()
            .map(|(name, value)| (Cow::Owned((*name).to_owned()), value.to_fluent()))
            .collect();
        LOCALES
            .try_lookup_with_args(&self.id(), key, &args)
            .unwrap_or_else(|| key.to_owned())
    }
}

/// An argument to a translated message.
#[derive(Debug, Clone, Copy)]
pub enum Arg<'a> {
    Text(&'a str),
    Number(i64),
}

impl<'a> Arg<'a> {
    fn to_fluent(self) -> FluentValue<'a> {
        match self {
            Arg::Text(text) => FluentValue::from(text),
            Arg::Number(number) => FluentValue::from(number),
        }
    }
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(text: &'a str) -> Self {
        Arg::Text(text)
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(text: &'a String) -> Self {
        Arg::Text(text)
    }
}

impl From<i64> for Arg<'_> {
    fn from(number: i64) -> Self {
        Arg::Number(number)
    }
}

#[cfg(test)]
mod tests;
