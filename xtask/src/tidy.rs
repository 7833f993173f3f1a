//! Tidy rules that keep the architecture visible, each with its reason:
//! - every Rust file starts with a `//!` line, so a reader knows what a module is for;
//! - the domain crate depends on no HTTP, SQL, mail or template crate, so rules stay pure;
//! - no ignored tests, no tests that pass by panicking, and no debug macro left behind;
//! - every crate inherits the workspace lints.

use std::fs;
use std::path::{Path, PathBuf};

const FORBIDDEN_IN_DOMAIN: &[&str] = &["axum", "sqlx", "http", "hyper", "reqwest", "lettre", "askama", "tower"];

pub(crate) fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Every broken rule, or nothing.
pub(crate) fn check(root: &Path) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();
    let mut files = Vec::new();
    for top in ["crates", "xtask"] {
        rust_files(&root.join(top), &mut files);
    }
    for file in &files {
        check_file(root, file, &mut problems);
    }
    check_domain_dependencies(root, &mut problems);
    check_lints(root, &mut problems);
    if problems.is_empty() { Ok(()) } else { Err(problems) }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() && path.file_name().is_some_and(|n| n != "target") {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn check_file(root: &Path, file: &Path, problems: &mut Vec<String>) {
    let shown = file.strip_prefix(root).unwrap_or(file).display();
    let Ok(text) = fs::read_to_string(file) else {
        problems.push(format!("{shown}: unreadable"));
        return;
    };
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if !first.starts_with("//!") {
        problems.push(format!(
            "{shown}: the first line must be a `//!` doc saying what the module is for"
        ));
    }
    let banned = [
        concat!("#[", "ignore"),
        concat!("#[", "should_panic"),
        concat!("dbg", "!("),
    ];
    for (number, line) in text.lines().enumerate() {
        for pattern in banned {
            if line.contains(pattern) {
                problems.push(format!("{shown}:{}: `{pattern}` is not allowed", number + 1));
            }
        }
    }
}

fn check_domain_dependencies(root: &Path, problems: &mut Vec<String>) {
    let manifest = fs::read_to_string(root.join("crates/directory/Cargo.toml")).unwrap_or_default();
    let mut in_dependencies = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_dependencies = line.contains("dependencies");
            continue;
        }
        let name = line.split(['=', '.', ' ']).next().unwrap_or("");
        if in_dependencies && FORBIDDEN_IN_DOMAIN.contains(&name) {
            problems.push(format!(
                "crates/directory depends on `{name}`; the domain must stay free of IO frameworks"
            ));
        }
    }
}

fn check_lints(root: &Path, problems: &mut Vec<String>) {
    let Ok(entries) = fs::read_dir(root.join("crates")) else {
        return;
    };
    let manifests = entries
        .flatten()
        .map(|e| e.path().join("Cargo.toml"))
        .chain([root.join("xtask/Cargo.toml")]);
    for manifest in manifests.filter(|m| m.exists()) {
        let text = fs::read_to_string(&manifest).unwrap_or_default();
        if !text.contains("[lints]\nworkspace = true") {
            let shown = manifest.strip_prefix(root).unwrap_or(&manifest).display().to_string();
            problems.push(format!("{shown}: add `[lints] workspace = true`"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_repository_is_tidy() {
        if let Err(problems) = check(&workspace_root()) {
            panic!("tidy found problems:\n{}", problems.join("\n"));
        }
    }

    #[test]
    fn tidy_catches_a_missing_module_doc_and_a_forbidden_dependency() {
        let dir = std::env::temp_dir().join(format!("roster-tidy-{}", std::process::id()));
        fs::create_dir_all(dir.join("crates/directory/src")).unwrap();
        fs::write(dir.join("crates/directory/src/lib.rs"), "pub fn x() {}\n").unwrap();
        fs::write(
            dir.join("crates/directory/Cargo.toml"),
            "[dependencies]\nsqlx = \"0.9\"\n",
        )
        .unwrap();
        let problems = check(&dir).unwrap_err();
        fs::remove_dir_all(&dir).unwrap();
        assert!(problems.iter().any(|p| p.contains("`//!` doc")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("depends on `sqlx`")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("[lints]")), "{problems:?}");
    }
}
