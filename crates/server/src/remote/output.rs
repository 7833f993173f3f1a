//! What the remote CLI shows and asks: aligned tables, CSV, JSON, a progress bar on a
//! terminal, hidden prompts for secrets and a yes/no confirmation.

use super::Failure;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::Value;
use std::io::{BufRead, IsTerminal, Write};
use std::time::Duration;

/// A table printed as aligned columns under an upper-case header.
#[derive(Debug)]
pub(crate) struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub(crate) fn new(headers: &[&str]) -> Self {
        Table {
            headers: headers.iter().map(|h| h.to_uppercase()).collect(),
            rows: Vec::new(),
        }
    }

    pub(crate) fn row(&mut self, cells: Vec<String>) {
        self.rows
            .push(cells.into_iter().map(|cell| escape_for_terminal(&cell)).collect());
    }

    /// Drops the columns at these positions that are empty in every row.
    pub(crate) fn drop_empty_columns(&mut self, optional: &[usize]) {
        let empty: Vec<usize> = optional
            .iter()
            .copied()
            .filter(|&column| self.rows.iter().all(|row| row.get(column).is_none_or(String::is_empty)))
            .collect();
        let keep = |column: &usize| !empty.contains(column);
        self.headers = self
            .headers
            .iter()
            .enumerate()
            .filter(|(i, _)| keep(i))
            .map(|(_, h)| h.clone())
            .collect();
        for row in &mut self.rows {
            *row = row
                .iter()
                .enumerate()
                .filter(|(i, _)| keep(i))
                .map(|(_, c)| c.clone())
                .collect();
        }
    }

    pub(crate) fn render(&self) -> String {
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (column, cell) in row.iter().enumerate() {
                if let Some(width) = widths.get_mut(column) {
                    *width = (*width).max(cell.chars().count());
                }
            }
        }
        let mut out = String::new();
        for line in std::iter::once(&self.headers).chain(&self.rows) {
            let mut text = String::new();
            for (column, cell) in line.iter().enumerate() {
                if column > 0 {
                    text.push_str("  ");
                }
                text.push_str(cell);
                let width = widths.get(column).copied().unwrap_or(0);
                text.extend(std::iter::repeat_n(' ', width.saturating_sub(cell.chars().count())));
            }
            out.push_str(text.trim_end());
            out.push('\n');
        }
        out
    }
}

/// Text made safe for a terminal: control characters (CR, LF, ESC and the rest) and the
/// invisible bidirectional and zero-width marks appear escaped, as `\r`, `\n`, `\u{1b}`,
/// and a backslash doubles, so text from a server or the audit log can neither move the
/// cursor, recolour or rewrite what is shown, nor pass for escaped text.
pub(crate) fn escape_for_terminal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '\\' {
            out.push_str("\\\\");
        } else if c.is_control() || is_invisible_mark(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Zero-width and bidirectional formatting marks, which can reorder or hide what follows.
fn is_invisible_mark(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

/// One CSV record (RFC 4180): a field with a comma, quote, CR or LF, or with spaces at an
/// end, is quoted, with quotes doubled. Ends with CRLF.
pub(crate) fn csv_record<S: AsRef<str>>(fields: &[S]) -> String {
    let mut line = String::new();
    for (index, field) in fields.iter().enumerate() {
        let field = field.as_ref();
        if index > 0 {
            line.push(',');
        }
        let needs_quotes = field.contains([',', '"', '\n', '\r']) || field.trim() != field;
        if needs_quotes {
            line.push('"');
            line.push_str(&field.replace('"', "\"\""));
            line.push('"');
        } else {
            line.push_str(field);
        }
    }
    line.push_str("\r\n");
    line
}

/// Pretty JSON on stdout.
pub(crate) fn print_json(value: &Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
    );
}

/// A string field of a JSON object, or "".
pub(crate) fn text(value: &Value, name: &str) -> String {
    value.get(name).and_then(Value::as_str).unwrap_or_default().to_owned()
}

/// A progress bar on stderr, hidden when stderr is not a terminal.
pub(crate) fn progress(total: u64, message: &'static str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({elapsed})") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(message);
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

pub(crate) fn stdin_is_terminal() -> bool {
    std::io::stdin().is_terminal()
}

/// The first line of standard input, without its line ending.
pub(crate) fn read_stdin_line(what: &str) -> Result<String, Failure> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|error| Failure::usage(format!("cannot read the {what} from standard input: {error}")))?;
    let line = line.trim_end_matches(['\r', '\n']).to_owned();
    if line.is_empty() {
        return Err(Failure::usage(format!("standard input held no {what}")));
    }
    Ok(line)
}

/// Asks on the terminal without echo.
pub(crate) fn prompt_hidden(prompt: &str) -> Result<String, Failure> {
    let answer = rpassword::prompt_password(prompt)
        .map_err(|error| Failure::usage(format!("cannot read from the terminal: {error}")))?;
    if answer.is_empty() {
        return Err(Failure::usage("nothing was entered"));
    }
    Ok(answer)
}

/// A secret from the first line of stdin when it is not a terminal, or else asked twice
/// on the terminal without echo.
pub(crate) fn read_new_secret(what: &str) -> Result<String, Failure> {
    if !stdin_is_terminal() {
        return read_stdin_line(what);
    }
    let first = prompt_hidden(&format!("New {what}: "))?;
    let again = prompt_hidden(&format!("Repeat the {what}: "))?;
    if first != again {
        return Err(Failure::usage(format!("the two {what}s differ")));
    }
    Ok(first)
}

/// Asks a yes/no question on the terminal; only `y` or `yes` is a yes.
pub(crate) fn confirm(question: &str) -> Result<bool, Failure> {
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|error| Failure::usage(format!("cannot read the answer: {error}")))?;
    Ok(matches!(answer.trim().to_lowercase().as_str(), "y" | "yes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        let line = csv_record(&["plain", "a,b", "say \"hi\"", "two\nlines", " padded", ""]);
        assert_eq!(line, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\" padded\",\r\n");
    }

    #[test]
    fn tables_align_columns_and_drop_empty_optional_ones() {
        let mut table = Table::new(&["Name", "Note", "Days"]);
        table.row(vec!["Alice".into(), String::new(), "30".into()]);
        table.row(vec!["Bo\x1b[2J".into(), String::new(), "7".into()]);
        table.drop_empty_columns(&[1]);
        assert_eq!(table.render(), "NAME         DAYS\nAlice        30\nBo\\u{1b}[2J  7\n");
    }

    #[test]
    fn control_characters_and_invisible_marks_are_escaped_for_the_terminal() {
        let hostile = "eve\r\nfake line\x1b[31mred\u{202e}\u{7}\\n";
        assert_eq!(
            escape_for_terminal(hostile),
            "eve\\r\\nfake line\\u{1b}[31mred\\u{202e}\\u{7}\\\\n"
        );
        assert_eq!(escape_for_terminal("Zoë Åberg"), "Zoë Åberg");
    }
}
