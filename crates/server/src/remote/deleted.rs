//! `roster deleted list|purge`, and what `restore` shares with them: the recycle bin read
//! from `GET /v1.0/directory/deletedItems/microsoft.graph.user` (every page), each user's
//! original name recovered from its tombstone, and names resolved to ids.

use super::client::{Client, RequestError};
use super::output::{self, Table, text};
use super::{Failure, config};
use crate::cli::{PurgeArgs, RemoteListArgs};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::HashSet;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Duration, OffsetDateTime};

/// The largest page Graph serves.
pub(crate) const MAX_PAGE: u16 = 999;

const DELETED_SELECT: &str = "id,displayName,userPrincipalName,deletedDateTime,permanentDeletionDateTime";

/// One user in the recycle bin.
#[derive(Debug, Clone)]
pub(crate) struct DeletedUser {
    pub(crate) id: String,
    pub(crate) display_name: String,
    /// The name it had, without the tombstone's id prefix.
    pub(crate) upn: String,
    /// `<32-hex id><upn>`, as Graph shows it.
    pub(crate) tombstone: String,
    pub(crate) deleted: Option<OffsetDateTime>,
    pub(crate) purge_at: Option<OffsetDateTime>,
}

impl DeletedUser {
    fn from_graph(item: &Value) -> Self {
        let id = text(item, "id");
        let tombstone = text(item, "userPrincipalName");
        let time = |name: &str| OffsetDateTime::parse(&text(item, name), &Rfc3339).ok();
        DeletedUser {
            upn: original_upn(&id, &tombstone).to_owned(),
            display_name: text(item, "displayName"),
            deleted: time("deletedDateTime"),
            purge_at: time("permanentDeletionDateTime"),
            id,
            tombstone,
        }
    }

    /// Whole days until the purge, rounded up; 0 once it is due.
    pub(crate) fn days_left(&self, now: OffsetDateTime) -> Option<i64> {
        let left = self.purge_at? - now;
        if left <= Duration::ZERO {
            return Some(0);
        }
        let day = Duration::DAY.whole_nanoseconds();
        Some(((left.whole_nanoseconds() + day - 1) / day) as i64)
    }
}

/// The original UPN in a tombstone `<32 hex of the id><UPN>`; the text itself when it is
/// not one.
pub(crate) fn original_upn<'a>(id: &str, tombstone: &'a str) -> &'a str {
    let hex: String = id.chars().filter(|c| *c != '-').collect();
    match tombstone.get(..32) {
        Some(prefix) if hex.len() == 32 && prefix.eq_ignore_ascii_case(&hex) => &tombstone[32..],
        _ => tombstone,
    }
}

/// Every user in the recycle bin, read `page_size` at a time.
pub(crate) async fn fetch(client: &Client, page_size: u16) -> Result<Vec<DeletedUser>, RequestError> {
    let top = page_size.to_string();
    let url = client.url(
        "/v1.0/directory/deletedItems/microsoft.graph.user",
        &[],
        &[("$select", DELETED_SELECT), ("$top", &top)],
    );
    Ok(client.get_all(url).await?.iter().map(DeletedUser::from_graph).collect())
}

/// What a name on the command line stands for.
#[derive(Debug, Clone)]
pub(crate) enum Resolved {
    /// A user in the recycle bin.
    Found(DeletedUser),
    /// An id that is not in the recycle bin: the server decides (already active, or gone).
    Id(String),
    /// No such deleted user, or more than one: `code` and `message` for its result row.
    Unknown { code: &'static str, message: String },
}

/// Resolves a name: an id (with or without dashes), a tombstone, or an original user
/// principal name compared without case.
pub(crate) fn resolve(name: &str, bin: &[DeletedUser]) -> Resolved {
    if let Ok(id) = uuid::Uuid::parse_str(name.trim()) {
        let id = id.hyphenated().to_string();
        return match bin.iter().find(|user| user.id.eq_ignore_ascii_case(&id)) {
            Some(user) => Resolved::Found(user.clone()),
            None => Resolved::Id(id),
        };
    }
    let name = name.trim();
    let matches: Vec<&DeletedUser> = bin
        .iter()
        .filter(|user| user.upn.eq_ignore_ascii_case(name) || user.tombstone.eq_ignore_ascii_case(name))
        .collect();
    match matches.as_slice() {
        [user] => Resolved::Found((*user).clone()),
        [] => Resolved::Unknown {
            code: "not_found",
            message: format!("no deleted user has the user principal name '{name}'"),
        },
        several => Resolved::Unknown {
            code: "ambiguous_name",
            message: format!(
                "{} deleted users had the name '{name}'; name one by id: {}",
                several.len(),
                several.iter().map(|u| u.id.as_str()).collect::<Vec<_>>().join(", ")
            ),
        },
    }
}

fn when(at: Option<OffsetDateTime>) -> String {
    at.and_then(|at| {
        at.format(format_description!("[year]-[month]-[day] [hour]:[minute]"))
            .ok()
    })
    .unwrap_or_default()
}

fn graph_time(at: Option<OffsetDateTime>) -> Value {
    at.and_then(|at| at.format(&Rfc3339).ok())
        .map_or(Value::Null, Value::from)
}

pub(crate) async fn list(args: RemoteListArgs) -> Result<(), Failure> {
    let client = Client::new(config::target(&args.remote)?)?;
    let bin = fetch(&client, args.page_size).await?;
    let now = OffsetDateTime::now_utc();
    if args.json {
        let users: Vec<Value> = bin
            .iter()
            .map(|user| {
                json!({
                    "id": user.id,
                    "displayName": user.display_name,
                    "userPrincipalName": user.upn,
                    "deletedUserPrincipalName": user.tombstone,
                    "deletedDateTime": graph_time(user.deleted),
                    "permanentDeletionDateTime": graph_time(user.purge_at),
                    "daysLeft": user.days_left(now),
                })
            })
            .collect();
        output::print_json(&Value::Array(users));
        return Ok(());
    }
    if bin.is_empty() {
        println!("The recycle bin is empty.");
        return Ok(());
    }
    let mut table = Table::new(&[
        "Name",
        "Original UPN",
        "Deleted on (UTC)",
        "Permanently deleted (UTC)",
        "Days left",
        "Id",
    ]);
    for user in &bin {
        table.row(vec![
            user.display_name.clone(),
            user.upn.clone(),
            when(user.deleted),
            when(user.purge_at),
            user.days_left(now).map(|d| d.to_string()).unwrap_or_default(),
            user.id.clone(),
        ]);
    }
    print!("{}", table.render());
    println!("{} deleted user{}.", bin.len(), if bin.len() == 1 { "" } else { "s" });
    Ok(())
}

pub(crate) async fn purge(args: PurgeArgs) -> Result<(), Failure> {
    let interactive = output::stdin_is_terminal();
    if !args.yes && !interactive {
        return Err(Failure::usage(
            "refusing to purge without confirmation: standard input is not a terminal; pass --yes to delete for good",
        ));
    }
    let client = Client::new(config::target(&args.remote)?)?;
    let bin = fetch(&client, MAX_PAGE).await?;
    let mut failed = 0;
    let mut seen = HashSet::new();
    let mut targets: Vec<(String, String)> = Vec::new();
    for name in &args.users {
        let (id, label) = match resolve(name, &bin) {
            Resolved::Found(user) => (user.id.clone(), format!("{} ({})", user.upn, user.id)),
            Resolved::Id(id) => (id.clone(), id),
            Resolved::Unknown { code, message } => {
                failed += 1;
                eprintln!("error: {name}: {code}: {message}");
                continue;
            }
        };
        if seen.insert(id.clone()) {
            targets.push((id, label));
        }
    }
    if !targets.is_empty() && !args.yes {
        eprintln!("These users will be deleted permanently:");
        for (_, label) in &targets {
            eprintln!("  {label}");
        }
        let count = targets.len();
        let question = format!(
            "Purge {count} user{}? This cannot be undone.",
            if count == 1 { "" } else { "s" }
        );
        if !output::confirm(&question)? {
            return Err(Failure::refused("cancelled; nothing was purged"));
        }
    }
    for (id, label) in &targets {
        let url = client.url("/v1.0/directory/deletedItems", &[id], &[]);
        match client.send(Method::DELETE, url, None).await {
            Ok(_) => println!("Purged {label}."),
            Err(error @ RequestError::Connection(_)) => return Err(error.into()),
            Err(error) => {
                failed += 1;
                eprintln!("error: {label}: {}", error.describe());
            }
        }
    }
    if failed > 0 {
        return Err(Failure::partial());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: &str, upn: &str, purge_at: Option<OffsetDateTime>) -> DeletedUser {
        DeletedUser {
            id: id.into(),
            display_name: String::new(),
            upn: upn.into(),
            tombstone: format!("{}{upn}", id.replace('-', "")),
            deleted: None,
            purge_at,
        }
    }

    #[test]
    fn the_original_name_comes_out_of_the_tombstone() {
        let id = "0195f3b2-7c1a-7d3e-9a4b-5c6d7e8f9a0b";
        assert_eq!(
            original_upn(id, "0195f3b27c1a7d3e9a4b5c6d7e8f9a0balice@contoso.com"),
            "alice@contoso.com"
        );
        assert_eq!(original_upn(id, "alice@contoso.com"), "alice@contoso.com");
        assert_eq!(
            original_upn(id, "ffffffffffffffffffffffffffffffffalice@contoso.com").len(),
            49
        );
    }

    #[test]
    fn days_left_round_up_and_stop_at_zero() {
        let now = OffsetDateTime::UNIX_EPOCH + Duration::days(100);
        let left = |d: Duration| user("a", "a@b.c", Some(now + d)).days_left(now).unwrap();
        assert_eq!(left(Duration::days(30) - Duration::seconds(1)), 30);
        assert_eq!(left(Duration::days(30)), 30);
        assert_eq!(left(Duration::seconds(1)), 1);
        assert_eq!(left(Duration::ZERO), 0);
        assert_eq!(left(-Duration::hours(1)), 0);
    }

    #[test]
    fn names_resolve_by_id_or_original_upn_without_case() {
        let a = "0195f3b2-7c1a-7d3e-9a4b-5c6d7e8f9a0b";
        let b = "0195f3b2-7c1a-7d3e-9a4b-5c6d7e8f9a0c";
        let c = "0195f3b2-7c1a-7d3e-9a4b-5c6d7e8f9a0d";
        let bin = vec![
            user(a, "alice@contoso.com", None),
            user(b, "bob@contoso.com", None),
            user(c, "bob@contoso.com", None),
        ];
        assert!(matches!(resolve("ALICE@contoso.com", &bin), Resolved::Found(u) if u.id == a));
        assert!(matches!(resolve(&a.replace('-', ""), &bin), Resolved::Found(u) if u.id == a));
        assert!(matches!(
            resolve("0195f3b2-7c1a-7d3e-9a4b-000000000000", &bin),
            Resolved::Id(_)
        ));
        assert!(matches!(
            resolve("carol@contoso.com", &bin),
            Resolved::Unknown { code: "not_found", .. }
        ));
        assert!(matches!(
            resolve("bob@contoso.com", &bin),
            Resolved::Unknown {
                code: "ambiguous_name",
                ..
            }
        ));
    }
}
