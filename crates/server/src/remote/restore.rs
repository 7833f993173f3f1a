//! `roster deleted restore`: names resolved against the recycle bin, then Roster's bulk
//! endpoint `POST /roster/v1/recycleBin/restore` in batches, with a progress bar. Every name
//! gets a result row, in the order given: a name that matches no deleted user fails alone.
//! The rows are printed as a table (or JSON) and, with `--log`, written as CSV, which never
//! holds a generated password.

use super::client::{Client, RequestError};
use super::deleted::{self, Resolved};
use super::output::{self, Table, csv_record, text};
use super::{Failure, config};
use crate::cli::{PasswordChoice, RestoreArgs};
use reqwest::Method;
use serde_json::{Map, Value, json};
use std::io::Write;

/// The sentence the admin center shows when a bulk restore did not restore everyone.
const SOME_FAILED: &str = "the restore failed for some users; see the log and retry them one at a time";

const CSV_HEADER: &[&str] = &[
    "input",
    "id",
    "userPrincipalName",
    "status",
    "finalUserPrincipalName",
    "removedProxyAddresses",
    "licensesNotRestored",
    "skippedGroups",
    "replacedUser",
    "passwordReset",
    "errorCode",
    "errorMessage",
];

/// One user's result, from the server's answer or from the client's own checks.
#[derive(Debug, Clone, Default)]
struct Row {
    /// The name as given on the command line.
    input: String,
    id: Option<String>,
    /// The name it had before deletion, when known.
    upn: Option<String>,
    /// `restored`, `alreadyActive` or `failed`.
    status: String,
    /// What the server answered for this user (empty for a client-side failure).
    result: Map<String, Value>,
    /// `code` and `message` of a failure.
    error: Option<(String, String)>,
}

impl Row {
    fn failed(&mut self, code: &str, message: &str) {
        self.status = "failed".into();
        self.error = Some((code.to_owned(), message.to_owned()));
    }

    fn field(&self, name: &str) -> Option<&Value> {
        self.result.get(name).filter(|v| !v.is_null())
    }

    fn final_upn(&self) -> String {
        self.field("userPrincipalName")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    }

    fn list(&self, name: &str) -> Vec<Value> {
        self.field(name).and_then(Value::as_array).cloned().unwrap_or_default()
    }

    fn removed_addresses(&self) -> Vec<String> {
        self.list("removedProxyAddresses")
            .iter()
            .map(|a| text(a, "address"))
            .collect()
    }

    fn removed_with_holders(&self) -> Vec<String> {
        self.list("removedProxyAddresses")
            .iter()
            .map(|a| {
                let holder = a.get("heldBy").filter(|h| !h.is_null());
                match holder {
                    Some(h) => format!("{} (held by {} {})", text(a, "address"), text(h, "type"), text(h, "id")),
                    None => text(a, "address"),
                }
            })
            .collect()
    }

    fn licenses(&self, outcome: &str) -> Vec<String> {
        self.list("licenses")
            .iter()
            .filter(|l| l.get("outcome").and_then(Value::as_str) == Some(outcome))
            .map(|l| text(l, "skuId"))
            .collect()
    }

    fn skipped_groups(&self) -> Vec<String> {
        self.list("skippedGroups")
            .iter()
            .map(|g| {
                let name = text(g, "displayName");
                if name.is_empty() { text(g, "id") } else { name }
            })
            .collect()
    }

    fn replaced(&self) -> Option<String> {
        let replaced = self.field("replacedUser")?;
        Some(format!(
            "{} renamed to {}",
            text(replaced, "previousUserPrincipalName"),
            text(replaced, "newUserPrincipalName")
        ))
    }

    fn generated_password(&self) -> Option<&str> {
        self.field("generatedPassword").and_then(Value::as_str)
    }

    fn error_text(&self) -> String {
        self.error
            .as_ref()
            .map(|(code, message)| format!("{code}: {message}"))
            .unwrap_or_default()
    }

    fn shown_upn(&self) -> String {
        self.upn.clone().unwrap_or_else(|| {
            if uuid::Uuid::parse_str(&self.input).is_ok() {
                String::new()
            } else {
                self.input.clone()
            }
        })
    }

    fn csv(&self) -> String {
        let (code, message) = self.error.clone().unwrap_or_default();
        let password_reset = match self.field("passwordReset").and_then(Value::as_bool) {
            Some(true) => "true",
            Some(false) => "false",
            None => "",
        };
        csv_record(&[
            self.input.clone(),
            self.id.clone().unwrap_or_default(),
            self.shown_upn(),
            self.status.clone(),
            self.final_upn(),
            self.removed_with_holders().join("; "),
            self.licenses("notRestored").join("; "),
            self.skipped_groups().join("; "),
            self.replaced().unwrap_or_default(),
            password_reset.to_owned(),
            code,
            message,
        ])
    }

    fn json(&self) -> Value {
        let or_empty = |name: &str| Value::Array(self.list(name));
        json!({
            "input": self.input,
            "id": self.id,
            "userPrincipalName": self.upn,
            "status": self.status,
            "finalUserPrincipalName": self.field("userPrincipalName"),
            "mail": self.field("mail"),
            "removedProxyAddresses": or_empty("removedProxyAddresses"),
            "promotedPrimaryAddress": self.field("promotedPrimaryAddress"),
            "licensesNotRestored": self.licenses("notRestored"),
            "licensesOverAssigned": self.licenses("overAssigned"),
            "restoredGroups": or_empty("restoredGroups"),
            "skippedGroups": or_empty("skippedGroups"),
            "roles": or_empty("roles"),
            "replacedUser": self.field("replacedUser"),
            "passwordReset": self.field("passwordReset"),
            "generatedPassword": self.generated_password(),
            "error": self.error.as_ref().map(|(code, message)| {
                let mut error = json!({"code": code, "message": message});
                if let Some(server) = self.field("error") {
                    error["graphCode"] = server.get("graphCode").cloned().unwrap_or(Value::Null);
                    error["heldBy"] = server.get("heldBy").cloned().unwrap_or(Value::Null);
                }
                error
            }),
        })
    }
}

/// The per-user options the bulk endpoint takes.
fn request_item(id: &str, args: &RestoreArgs, password: Option<&str>) -> Value {
    let mode = match args.password {
        PasswordChoice::Keep => "keep",
        PasswordChoice::Auto => "generate",
        PasswordChoice::Prompt => "set",
    };
    let mut password_json = json!({"mode": mode, "forceChangePasswordNextSignIn": args.force_change});
    if let Some(value) = password {
        password_json["value"] = value.into();
    }
    let mut item = json!({
        "id": id,
        "onUserPrincipalNameConflict": if args.replace_active { "replaceActive" } else { "fail" },
        "autoReconcileProxyConflict": args.auto_reconcile_proxies,
        "password": password_json,
    });
    if let Some(upn) = &args.new_upn {
        item["newUserPrincipalName"] = upn.as_str().into();
    }
    item
}

pub(crate) async fn restore(args: RestoreArgs) -> Result<(), Failure> {
    if args.new_upn.is_some() && args.users.len() != 1 {
        return Err(Failure::usage(
            "--new-upn names one user: restore the others without it",
        ));
    }
    // A log that cannot be written is found out before anything is restored.
    let mut log = match &args.log {
        Some(path) => Some(
            std::fs::File::create(path)
                .map_err(|error| Failure::usage(format!("cannot write the log {}: {error}", path.display())))?,
        ),
        None => None,
    };
    let prepared = prepare(&args).await;
    let (password, client, bin) = match prepared {
        Ok(prepared) => prepared,
        Err(failure) => {
            // Nothing was restored: leave no empty log behind.
            if let Some(path) = &args.log {
                let _ = std::fs::remove_file(path);
            }
            return Err(failure);
        }
    };

    let mut rows: Vec<Row> = Vec::with_capacity(args.users.len());
    let mut pending: Vec<(usize, String)> = Vec::new();
    for name in &args.users {
        let mut row = Row {
            input: name.clone(),
            ..Row::default()
        };
        match deleted::resolve(name, &bin) {
            Resolved::Found(user) => {
                row.id = Some(user.id.clone());
                row.upn = Some(user.upn.clone());
                pending.push((rows.len(), user.id));
            }
            Resolved::Id(id) => {
                row.id = Some(id.clone());
                pending.push((rows.len(), id));
            }
            Resolved::Unknown { code, message } => row.failed(code, &message),
        }
        rows.push(row);
    }

    let bar = output::progress(pending.len() as u64, "Restoring");
    let url = client.url("/roster/v1/recycleBin/restore", &[], &[]);
    for batch in pending.chunks(usize::from(args.batch_size)) {
        let users: Vec<Value> = batch
            .iter()
            .map(|(_, id)| request_item(id, &args, password.as_deref()))
            .collect();
        let answer = client
            .send(Method::POST, url.clone(), Some(&json!({ "users": users })))
            .await;
        apply(&mut rows, batch, answer);
        bar.inc(batch.len() as u64);
    }
    bar.finish_and_clear();

    let count = |status: &str| rows.iter().filter(|r| r.status == status).count();
    let (restored, already, failed) = (count("restored"), count("alreadyActive"), count("failed"));
    if args.json {
        output::print_json(&json!({
            "results": rows.iter().map(Row::json).collect::<Vec<_>>(),
            "summary": {"restored": restored, "alreadyActive": already, "failed": failed},
        }));
    } else {
        print_results(&rows);
        println!("Restored {restored}, already active {already}, failed {failed}.");
    }
    // Written after the results are shown, so a failing disk cannot hide a password.
    if let (Some(file), Some(path)) = (&mut log, &args.log) {
        let mut text = csv_record(CSV_HEADER);
        for row in &rows {
            text.push_str(&row.csv());
        }
        file.write_all(text.as_bytes())
            .and_then(|()| file.flush())
            .map_err(|error| Failure::usage(format!("cannot write the log {}: {error}", path.display())))?;
        eprintln!("The results are logged in {}.", path.display());
    }
    if failed > 0 {
        return Err(Failure::refused(SOME_FAILED));
    }
    Ok(())
}

/// The password to set (with `--password prompt`), the client and the recycle bin.
async fn prepare(args: &RestoreArgs) -> Result<(Option<String>, Client, Vec<deleted::DeletedUser>), Failure> {
    let password = match args.password {
        PasswordChoice::Prompt => Some(output::read_new_secret("password")?),
        PasswordChoice::Keep | PasswordChoice::Auto => None,
    };
    let client = Client::new(config::target(&args.remote)?)?;
    let bin = deleted::fetch(&client, deleted::MAX_PAGE).await?;
    Ok((password, client, bin))
}

/// Fills the rows of one batch from the server's answer, matched by id (the answer keeps
/// the request's order); a request that failed as a whole fails each of its users.
fn apply(rows: &mut [Row], batch: &[(usize, String)], answer: Result<Value, RequestError>) {
    let results = match answer {
        Ok(body) => body
            .get("results")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
        Err(error) => {
            for (index, _) in batch {
                rows[*index].failed(error.code(), error.message());
            }
            return;
        }
    };
    let mut used = vec![false; results.len()];
    for (position, (index, id)) in batch.iter().enumerate() {
        let same_id = |r: &Value| text(r, "id").eq_ignore_ascii_case(id);
        let found = match results.get(position) {
            Some(result) if same_id(result) && !used[position] => Some(position),
            _ => (0..results.len()).find(|&i| !used[i] && same_id(&results[i])),
        };
        let row = &mut rows[*index];
        let Some(found) = found else {
            row.failed("bad_response", "the server's answer has no result for this user");
            continue;
        };
        used[found] = true;
        let Value::Object(result) = results[found].clone() else {
            row.failed("bad_response", "the server's result for this user is not an object");
            continue;
        };
        row.status = result
            .get("status")
            .and_then(Value::as_str)
            .unwrap_or("failed")
            .to_owned();
        if row.status == "failed" {
            let error = result.get("error").cloned().unwrap_or(Value::Null);
            let code = Some(text(&error, "code"))
                .filter(|c| !c.is_empty())
                .unwrap_or_else(|| "failed".into());
            row.error = Some((code, text(&error, "message")));
        }
        row.result = result;
    }
}

fn print_results(rows: &[Row]) {
    let mut table = Table::new(&[
        "Id",
        "UPN",
        "Status",
        "Final UPN",
        "Removed addresses",
        "Licences not restored",
        "Skipped groups",
        "Error",
    ]);
    for row in rows {
        let status = match row.status.as_str() {
            "alreadyActive" => "already active",
            other => other,
        };
        table.row(vec![
            row.id.clone().unwrap_or_default(),
            row.shown_upn(),
            status.to_owned(),
            row.final_upn(),
            row.removed_addresses().join(", "),
            row.licenses("notRestored").join(", "),
            row.skipped_groups().join(", "),
            row.error_text(),
        ]);
    }
    table.drop_empty_columns(&[4, 5, 6, 7]);
    print!("{}", table.render());
    for row in rows {
        if let Some(replaced) = row.replaced() {
            println!("To free its name for {}, the active {replaced}.", row.final_upn());
        }
    }
    let passwords: Vec<(String, &str)> = rows
        .iter()
        .filter_map(|row| Some((row.final_upn(), row.generated_password()?)))
        .collect();
    if !passwords.is_empty() {
        println!();
        println!("Generated passwords (shown once, not in the log):");
        let mut table = Table::new(&["User", "Password"]);
        for (upn, password) in passwords {
            table.row(vec![upn, password.to_owned()]);
        }
        print!("{}", table.render());
    }
}
