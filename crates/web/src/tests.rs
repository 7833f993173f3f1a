//! Every error code and every key the templates use has text in both languages.

use roster_i18n::Lang;
use roster_i18n::source::message_ids;

#[test]
fn every_error_code_has_text_in_every_language() {
    for code in directory::Code::ALL {
        let key = format!("error-code-{}", code.as_str().replace('_', "-"));
        for lang in Lang::ALL {
            assert!(message_ids(lang).contains(&key), "{key} is missing in {}", lang.tag());
        }
    }
}

/// The literal keys in `t.get("…")`, `t.with("…"` and `t.num("…"` calls of templates.
fn template_keys() -> Vec<(String, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut keys = Vec::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for call in ["t.get(\"", "t.with(\"", "t.num(\""] {
                for part in text.split(call).skip(1) {
                    let key = part.split('"').next().unwrap_or_default();
                    keys.push((path.display().to_string(), key.to_owned()));
                }
            }
        }
    }
    keys
}

#[test]
fn every_key_a_template_uses_has_text_in_every_language() {
    let keys = template_keys();
    assert!(keys.len() > 20, "templates use translated text");
    for lang in Lang::ALL {
        let defined = message_ids(lang);
        for (file, key) in &keys {
            assert!(defined.contains(key), "{file} uses {key}, missing in {}", lang.tag());
        }
    }
}

#[test]
fn every_mail_kind_and_status_has_text_in_every_language() {
    let kinds = directory::mail::MailKind::ALL
        .iter()
        .map(|k| format!("mail-kind-{}", k.as_str()));
    let statuses = ["queued", "sending", "sent", "failed"].map(|s| format!("mail-status-{s}"));
    for key in kinds.chain(statuses) {
        for lang in Lang::ALL {
            assert!(message_ids(lang).contains(&key), "{key} is missing in {}", lang.tag());
        }
    }
}
