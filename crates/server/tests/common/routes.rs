//! The routes a crate declares, read from its source: every `.route("…", get(…).post(…))`
//! as (method, path) pairs, so a matrix test can prove it lists every route.

use std::path::Path;

/// Every route declared under `src_dir` (searched recursively).
pub(crate) fn declared_routes(src_dir: &Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut stack = vec![src_dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.extend(routes_in(&std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    found
}

/// The routes one source file declares.
fn routes_in(source: &str) -> Vec<(String, String)> {
    let mut routes = Vec::new();
    for (start, _) in source.match_indices(".route(") {
        let call = call_arguments(&source[start + ".route(".len()..]);
        let Some(open) = call.find('"') else { continue };
        let Some(len) = call[open + 1..].find('"') else {
            continue;
        };
        let path = call[open + 1..open + 1 + len].replace("{{", "{").replace("}}", "}");
        let handlers = &call[open + 1 + len..];
        for method in ["get", "post", "put", "patch", "delete"] {
            if calls(handlers, method) {
                routes.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    routes
}

/// The text up to the parenthesis that closes the call.
fn call_arguments(rest: &str) -> &str {
    let mut depth = 1;
    let end = rest
        .char_indices()
        .find(|&(_, c)| {
            depth += match c {
                '(' => 1,
                ')' => -1,
                _ => 0,
            };
            depth == 0
        })
        .map_or(rest.len(), |(i, _)| i);
    &rest[..end]
}

/// Whether `handlers` calls the method router `method(…)` (not `foo_get(` or `x::get(`).
fn calls(handlers: &str, method: &str) -> bool {
    handlers
        .match_indices(&format!("{method}("))
        .any(|(i, _)| i == 0 || !handlers[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':'))
}
