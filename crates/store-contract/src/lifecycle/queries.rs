//! Querying users: every condition, sort and page through the use cases, checked against
//! the domain's reference evaluation (`Condition::matches`), so both backends must agree
//! with Rust, and so with each other.

use super::{Fixture, email, new_user};
use crate::TestDb;
use directory::Code;
use directory::clock::Timestamp;
use directory::ids::UserId;
use directory::query::{
    Comparison, Condition, Cursor, Field, Sort, SortKey, SortValue, TextKey, TextTest, UserQuery, Value,
};
use directory::recycle_bin::RestoreOptions;
use directory::user::{UsageLocation, User, UserUpdate};
use std::cmp::Ordering;
use time::Duration;

/// What a user is made of in these cases.
struct Spec {
    upn: &'static str,
    name: &'static str,
    given: Option<&'static str>,
    surname: Option<&'static str>,
    job: Option<&'static str>,
    department: Option<&'static str>,
    location: Option<&'static str>,
    mail: Option<&'static str>,
    aliases: &'static [&'static str],
    enabled: bool,
    synced: Option<bool>,
}

const BASE: Spec = Spec {
    upn: "",
    name: "",
    given: None,
    surname: None,
    job: None,
    department: None,
    location: None,
    mail: None,
    aliases: &[],
    enabled: true,
    synced: None,
};

/// A user with just a UPN and a display name.
async fn create_named(fx: &Fixture, upn: &str, name: &str) -> User {
    let mut new = new_user(upn);
    new.display_name = name.to_owned();
    fx.directory.create_user(&fx.admin, new).await.unwrap()
}

async fn create(fx: &Fixture, spec: Spec) -> User {
    let mut new = new_user(spec.upn);
    new.display_name = spec.name.to_owned();
    new.given_name = spec.given.map(str::to_owned);
    new.surname = spec.surname.map(str::to_owned);
    new.job_title = spec.job.map(str::to_owned);
    new.department = spec.department.map(str::to_owned);
    new.usage_location = spec.location.map(|l| UsageLocation::parse(l).unwrap());
    new.mail = spec.mail.map(email);
    new.aliases = spec.aliases.iter().map(|a| email(a)).collect();
    new.account_enabled = spec.enabled;
    new.on_premises_sync_enabled = spec.synced;
    fx.directory.create_user(&fx.admin, new).await.unwrap()
}

/// A varied population: ties, nulls, non-ASCII, wildcards, aliases, synced users. The
/// clock moves between some creations and not between others, so creation times tie too.
async fn population(fx: &Fixture) -> Vec<User> {
    let specs = [
        Spec {
            upn: "AdeleV@contoso.com",
            name: "Adele Vance",
            given: Some("Adele"),
            surname: Some("Vance"),
            job: Some("Retail Manager"),
            department: Some("Retail"),
            location: Some("US"),
            aliases: &["adele.vance@fabrikam.com"],
            ..BASE
        },
        Spec {
            upn: "alex@contoso.com",
            name: "Alex Wilber",
            given: Some("Alex"),
            surname: Some("Wilber"),
            job: Some("Marketing Assistant"),
            department: Some("Marketing"),
            location: Some("de"),
            mail: Some("Alex.Wilber@fabrikam.com"),
            ..BASE
        },
        Spec {
            upn: "emile@contoso.com",
            name: "Émile Zola",
            given: Some("Émile"),
            surname: Some("Zola"),
            department: Some("Écriture"),
            location: Some("FR"),
            enabled: false,
            ..BASE
        },
        Spec {
            upn: "same1@contoso.com",
            name: "Same Name",
            job: Some("50% off_sales"),
            synced: Some(true),
            ..BASE
        },
        Spec {
            upn: "same2@contoso.com",
            name: "same name",
            job: Some("50x offXsales"),
            synced: Some(false),
            ..BASE
        },
        Spec {
            upn: "same3@contoso.com",
            name: "SAME NAME",
            job: Some("back\\slash"),
            ..BASE
        },
        Spec {
            upn: "under_score@contoso.com",
            name: "Under_Score",
            surname: Some("O'Brien"),
            ..BASE
        },
        Spec {
            upn: "zed@fabrikam.com",
            name: "Zed Adams",
            given: Some("Zed"),
            surname: Some("Adams"),
            department: Some("Retail"),
            ..BASE
        },
    ];
    let mut users = Vec::new();
    for (index, spec) in specs.into_iter().enumerate() {
        users.push(create(fx, spec).await);
        if index % 3 != 1 {
            fx.clock.advance(Duration::seconds(1));
        }
    }
    users
}

/// Every active user, as the reference sees them.
async fn all_active(fx: &Fixture) -> Vec<User> {
    fx.directory.users_page(&fx.admin, None, 999).await.unwrap()
}

/// All pages of an active-user query: ids in order.
async fn walk_active(fx: &Fixture, mut query: UserQuery) -> Vec<UserId> {
    let mut ids = Vec::new();
    for _ in 0..100 {
        let page = fx.directory.query_users(&fx.admin, &query).await.unwrap();
        assert!(page.items.len() <= query.limit as usize);
        ids.extend(page.items.iter().map(|user| user.id));
        match page.next {
            Some(next) => {
                assert!(!page.items.is_empty());
                query.after = Some(next);
            }
            None => return ids,
        }
    }
    panic!("paging did not end");
}

/// All pages of a deleted-user query: ids in order.
async fn walk_deleted(fx: &Fixture, mut query: UserQuery) -> Vec<UserId> {
    let mut ids = Vec::new();
    for _ in 0..100 {
        let page = fx.directory.query_deleted_users(&fx.admin, &query).await.unwrap();
        ids.extend(page.items.iter().map(|entry| entry.deleted.user.id));
        match page.next {
            Some(next) => query.after = Some(next),
            None => return ids,
        }
    }
    panic!("paging did not end");
}

fn compare_sort_values(a: &SortValue, b: &SortValue) -> Ordering {
    match (a, b) {
        (SortValue::Text(a), SortValue::Text(b)) => a.as_bytes().cmp(b.as_bytes()),
        (SortValue::Time(a), SortValue::Time(b)) => a.cmp(b),
        _ => panic!("mixed sort values"),
    }
}

/// The reference answer: matching users in `(key, id)` order.
fn expected(users: &[(User, Option<Timestamp>)], condition: &Condition, sort: Sort) -> Vec<UserId> {
    let mut found: Vec<(SortValue, UserId)> = users
        .iter()
        .filter(|(user, deleted_at)| condition.matches(user, *deleted_at))
        .map(|(user, deleted_at)| {
            let cursor = Cursor::after(sort, user, *deleted_at).unwrap();
            (cursor.value, user.id)
        })
        .collect();
    found.sort_by(|a, b| compare_sort_values(&a.0, &b.0).then(a.1.cmp(&b.1)));
    if sort.descending {
        found.reverse();
    }
    found.into_iter().map(|(_, id)| id).collect()
}

fn text(field: Field, op: Comparison, value: &str) -> Condition {
    Condition::compare(field, op, Value::text(value)).unwrap()
}

fn null(field: Field, op: Comparison) -> Condition {
    Condition::compare(field, op, Value::Null).unwrap()
}

fn not(condition: Condition) -> Condition {
    Condition::Not(Box::new(condition))
}

/// Conditions covering every operator and every kind of field.
fn conditions(users: &[User], created: Timestamp) -> Vec<(&'static str, Condition)> {
    use Comparison::{Eq, Ge, Gt, Le, Lt, Ne};
    let adele = users[0].id.0;
    let alex = users[1].id.0;
    vec![
        ("everything", Condition::everything()),
        ("nothing", Condition::Any(vec![])),
        ("id eq", Condition::compare(Field::Id, Eq, Value::Uuid(adele)).unwrap()),
        ("id ne", Condition::compare(Field::Id, Ne, Value::Uuid(adele)).unwrap()),
        (
            "id in",
            Condition::one_of(Field::Id, vec![Value::Uuid(adele), Value::Uuid(alex)]).unwrap(),
        ),
        (
            "upn eq, any case",
            text(Field::UserPrincipalName, Eq, "ADELEV@contoso.COM"),
        ),
        (
            "upn startsWith",
            Condition::starts_with(Field::UserPrincipalName, "Same").unwrap(),
        ),
        (
            "upn endsWith",
            Condition::ends_with(Field::UserPrincipalName, "@FABRIKAM.com").unwrap(),
        ),
        ("displayName eq", text(Field::DisplayName, Eq, "same NAME")),
        ("displayName ne", text(Field::DisplayName, Ne, "same name")),
        ("displayName ge", text(Field::DisplayName, Ge, "same")),
        ("displayName lt", text(Field::DisplayName, Lt, "b")),
        ("displayName in", {
            let values = vec![
                Value::text("ZED ADAMS"),
                Value::text("émile zola"),
                Value::text("nobody"),
            ];
            Condition::one_of(Field::DisplayName, values).unwrap()
        }),
        ("givenName eq non-ASCII", text(Field::GivenName, Eq, "ÉMILE")),
        (
            "givenName startsWith non-ASCII",
            Condition::starts_with(Field::GivenName, "é").unwrap(),
        ),
        ("givenName eq null", null(Field::GivenName, Eq)),
        ("givenName ne null", null(Field::GivenName, Ne)),
        ("surname ne (nulls included)", text(Field::Surname, Ne, "vance")),
        ("surname with a quote", text(Field::Surname, Eq, "o'brien")),
        ("not surname eq", not(text(Field::Surname, Eq, "Vance"))),
        ("mail eq primary", text(Field::Mail, Eq, "alex.wilber@FABRIKAM.com")),
        (
            "mail eq alias is not mail",
            text(Field::Mail, Eq, "adele.vance@fabrikam.com"),
        ),
        (
            "mail endsWith",
            Condition::ends_with(Field::Mail, "@contoso.com").unwrap(),
        ),
        ("mail eq null", null(Field::Mail, Eq)),
        (
            "mailNickname startsWith",
            Condition::starts_with(Field::MailNickname, "SAME").unwrap(),
        ),
        (
            "jobTitle startsWith %",
            Condition::starts_with(Field::JobTitle, "50%").unwrap(),
        ),
        (
            "jobTitle startsWith _",
            Condition::starts_with(Field::JobTitle, "50% off_").unwrap(),
        ),
        (
            "jobTitle endsWith _",
            Condition::ends_with(Field::JobTitle, "_sales").unwrap(),
        ),
        (
            "jobTitle endsWith %",
            Condition::ends_with(Field::JobTitle, "%").unwrap(),
        ),
        (
            "jobTitle with a backslash",
            Condition::starts_with(Field::JobTitle, "back\\").unwrap(),
        ),
        (
            "jobTitle endsWith backslash",
            Condition::ends_with(Field::JobTitle, "\\slash").unwrap(),
        ),
        ("department eq non-ASCII", text(Field::Department, Eq, "ÉCRITURE")),
        ("department in", {
            let values = vec![Value::text("retail"), Value::text("marketing")];
            Condition::one_of(Field::Department, values).unwrap()
        }),
        ("usageLocation eq", text(Field::UsageLocation, Eq, "de")),
        ("usageLocation ne null", null(Field::UsageLocation, Ne)),
        (
            "accountEnabled eq false",
            Condition::compare(Field::AccountEnabled, Eq, Value::Bool(false)).unwrap(),
        ),
        (
            "accountEnabled ne true",
            Condition::compare(Field::AccountEnabled, Ne, Value::Bool(true)).unwrap(),
        ),
        (
            "onPremisesSyncEnabled eq true",
            Condition::compare(Field::OnPremisesSyncEnabled, Eq, Value::Bool(true)).unwrap(),
        ),
        (
            "onPremisesSyncEnabled ne true (nulls included)",
            Condition::compare(Field::OnPremisesSyncEnabled, Ne, Value::Bool(true)).unwrap(),
        ),
        ("onPremisesSyncEnabled eq null", null(Field::OnPremisesSyncEnabled, Eq)),
        (
            "createdDateTime gt",
            Condition::compare(Field::CreatedDateTime, Gt, Value::time(created + Duration::seconds(2))).unwrap(),
        ),
        (
            "createdDateTime le",
            Condition::compare(Field::CreatedDateTime, Le, Value::time(created + Duration::seconds(1))).unwrap(),
        ),
        (
            "createdDateTime eq",
            Condition::compare(Field::CreatedDateTime, Eq, Value::time(created)).unwrap(),
        ),
        (
            "createdDateTime in",
            Condition::one_of(
                Field::CreatedDateTime,
                vec![Value::time(created), Value::time(created + Duration::seconds(3))],
            )
            .unwrap(),
        ),
        ("deletedDateTime eq null", null(Field::DeletedDateTime, Eq)),
        (
            "proxyAddresses eq",
            Condition::any_address(TextTest::Eq(TextKey::new("SMTP:adele.vance@fabrikam.com"))).unwrap(),
        ),
        (
            "proxyAddresses startsWith",
            Condition::any_address(TextTest::StartsWith(TextKey::new("smtp:Alex"))).unwrap(),
        ),
        (
            "proxyAddresses endsWith",
            Condition::any_address(TextTest::EndsWith(TextKey::new("@FABRIKAM.COM"))).unwrap(),
        ),
        (
            "not proxyAddresses",
            not(Condition::any_address(TextTest::EndsWith(TextKey::new("@fabrikam.com"))).unwrap()),
        ),
        (
            "and / or / not",
            Condition::Any(vec![
                Condition::All(vec![
                    text(Field::Department, Eq, "retail"),
                    not(text(Field::GivenName, Eq, "zed")),
                ]),
                Condition::starts_with(Field::DisplayName, "émile").unwrap(),
            ]),
        ),
        (
            "search one word",
            Condition::words_start_with(Field::DisplayName, "ad").unwrap(),
        ),
        (
            "search words all match",
            Condition::words_start_with(Field::DisplayName, "VA adele").unwrap(),
        ),
        (
            "search mail words",
            Condition::words_start_with(Field::Mail, "wilber").unwrap(),
        ),
        (
            "search upn word after underscore",
            Condition::words_start_with(Field::UserPrincipalName, "score").unwrap(),
        ),
        (
            "search is not a substring match",
            Condition::words_start_with(Field::DisplayName, "dele").unwrap(),
        ),
        (
            "search or",
            Condition::Any(vec![
                Condition::words_start_with(Field::GivenName, "zed").unwrap(),
                Condition::words_start_with(Field::Surname, "zol").unwrap(),
            ]),
        ),
    ]
}

pub async fn filters_agree_with_the_reference_for_every_operator_and_field(db: TestDb) {
    let fx = Fixture::new(db).await;
    let created = fx.directory.now();
    let users = population(&fx).await;
    let everyone: Vec<(User, Option<Timestamp>)> = all_active(&fx).await.into_iter().map(|u| (u, None)).collect();
    assert_eq!(everyone.len(), users.len() + 1);
    let sort = Sort::ascending(SortKey::UserPrincipalName);
    for (name, condition) in conditions(&users, created) {
        let want = expected(&everyone, &condition, sort);
        let mut query = UserQuery::new(sort);
        query.condition = condition.clone();
        query.limit = 3;
        let got = walk_active(&fx, query).await;
        assert_eq!(got, want, "{name}");
        let count = fx.directory.count_users_matching(&fx.admin, &condition).await.unwrap();
        assert_eq!(count, want.len() as u64, "{name}");
    }
    // The table is not vacuous: these match something, and some conditions match nothing.
    let some = |condition: Condition| expected(&everyone, &condition, sort).len();
    assert_eq!(some(text(Field::DisplayName, Comparison::Eq, "same name")), 3);
    assert_eq!(some(Condition::starts_with(Field::JobTitle, "50%").unwrap()), 1);
    // Adele Vance, Zed Adams and the first administrator.
    assert_eq!(some(Condition::words_start_with(Field::DisplayName, "ad").unwrap()), 3);
    assert_eq!(some(text(Field::GivenName, Comparison::Eq, "émile")), 1);
}

pub async fn text_matching_ignores_case_including_non_ascii_letters(db: TestDb) {
    let fx = Fixture::new(db).await;
    let emile = create_named(&fx, "emile@contoso.com", "Émile Zola").await;
    for condition in [
        text(Field::DisplayName, Comparison::Eq, "ÉMILE ZOLA"),
        text(Field::DisplayName, Comparison::Eq, "émile zola"),
        Condition::starts_with(Field::DisplayName, "ÉMI").unwrap(),
        Condition::ends_with(Field::DisplayName, "E ZOLA").unwrap(),
        Condition::words_start_with(Field::DisplayName, "émi ZOL").unwrap(),
    ] {
        let mut query = UserQuery::new(Sort::ascending(SortKey::DisplayName));
        query.condition = condition.clone();
        let page = fx.directory.query_users(&fx.admin, &query).await.unwrap();
        let ids: Vec<UserId> = page.items.iter().map(|u| u.id).collect();
        assert_eq!(ids, [emile.id], "{condition:?}");
    }
    // "É" sorts after every ASCII letter, byte-wise, on both backends.
    let query = UserQuery::new(Sort::ascending(SortKey::DisplayName));
    let page = fx.directory.query_users(&fx.admin, &query).await.unwrap();
    assert_eq!(page.items.last().map(|u| u.id), Some(emile.id));
}

pub async fn starts_with_treats_like_wildcards_as_plain_characters(db: TestDb) {
    let fx = Fixture::new(db).await;
    for (upn, name) in [
        ("a@contoso.com", "50% off"),
        ("b@contoso.com", "50x off"),
        ("c@contoso.com", "a_b"),
        ("d@contoso.com", "axb"),
        ("e@contoso.com", "back\\slash"),
        ("f@contoso.com", "backxslash"),
    ] {
        create_named(&fx, upn, name).await;
    }
    let find = |prefix: &'static str, suffix: bool| {
        let directory = fx.directory.clone();
        let admin = fx.admin.clone();
        async move {
            let mut query = UserQuery::new(Sort::ascending(SortKey::DisplayName));
            query.condition = if suffix {
                Condition::ends_with(Field::DisplayName, prefix).unwrap()
            } else {
                Condition::starts_with(Field::DisplayName, prefix).unwrap()
            };
            let page = directory.query_users(&admin, &query).await.unwrap();
            page.items.into_iter().map(|u| u.display_name).collect::<Vec<_>>()
        }
    };
    assert_eq!(find("50%", false).await, ["50% off"]);
    assert_eq!(find("a_", false).await, ["a_b"]);
    assert_eq!(find("back\\", false).await, ["back\\slash"]);
    assert_eq!(find("%", false).await, Vec::<String>::new());
    assert_eq!(find("_b", true).await, ["a_b"]);
    assert_eq!(find("\\slash", true).await, ["back\\slash"]);
    assert_eq!(find("%", true).await, Vec::<String>::new());
}

pub async fn keyset_pages_walk_both_directions_through_ties(db: TestDb) {
    let fx = Fixture::new(db).await;
    // Display names tie in every case form; creation times tie in threes.
    for n in 0..9 {
        let name = ["Same", "SAME", "same", "Other", "Zulu"][n % 5];
        create_named(&fx, &format!("tie{n}@contoso.com"), name).await;
        if n % 3 == 2 {
            fx.clock.advance(Duration::seconds(1));
        }
    }
    let everyone: Vec<(User, Option<Timestamp>)> = all_active(&fx).await.into_iter().map(|u| (u, None)).collect();
    for key in [
        SortKey::DisplayName,
        SortKey::UserPrincipalName,
        SortKey::CreatedDateTime,
    ] {
        for sort in [Sort::ascending(key), Sort::descending(key)] {
            let want = expected(&everyone, &Condition::everything(), sort);
            assert_eq!(want.len(), 10);
            for limit in [1, 2, 3, 10, 11] {
                let mut query = UserQuery::new(sort);
                query.limit = limit;
                assert_eq!(walk_active(&fx, query).await, want, "{sort:?} by {limit}");
            }
        }
    }
    // A filtered walk: every page of the same query, counted the same.
    let condition = Condition::starts_with(Field::DisplayName, "s").unwrap();
    let sort = Sort::descending(SortKey::DisplayName);
    let mut query = UserQuery::new(sort);
    query.condition = condition.clone();
    query.limit = 2;
    let got = walk_active(&fx, query).await;
    assert_eq!(got, expected(&everyone, &condition, sort));
    assert_eq!(got.len(), 6);
    let count = fx.directory.count_users_matching(&fx.admin, &condition).await.unwrap();
    assert_eq!(count, 6);
}

pub async fn a_cursor_from_another_order_is_refused(db: TestDb) {
    let fx = Fixture::new(db).await;
    let user = fx.create("adele@contoso.com").await;
    fx.create("alex@contoso.com").await;
    let by_name = Sort::ascending(SortKey::DisplayName);
    let mut query = UserQuery::new(Sort::descending(SortKey::DisplayName));
    query.after = Some(Cursor::after(by_name, &user, None).unwrap());
    let error = fx.directory.query_users(&fx.admin, &query).await.unwrap_err();
    assert_eq!(error.code(), Code::InvalidValue);
    let by_deletion = UserQuery::new(Sort::ascending(SortKey::DeletedDateTime));
    let error = fx.directory.query_users(&fx.admin, &by_deletion).await.unwrap_err();
    assert_eq!(error.code(), Code::InvalidValue);
}

pub async fn keys_follow_updates_and_restores(db: TestDb) {
    let fx = Fixture::new(db).await;
    let adele = fx.create("adele@contoso.com").await;
    let by_name = |name: &str| {
        let mut query = UserQuery::new(Sort::ascending(SortKey::UserPrincipalName));
        query.condition = text(Field::DisplayName, Comparison::Eq, name);
        query
    };
    let update = UserUpdate {
        display_name: Some("Adèle Vance".into()),
        mail: Some(email("Adele.Vance@contoso.com")),
        department: Some(Some("Ventes".into())),
        ..UserUpdate::default()
    };
    fx.directory.update_user(&fx.admin, adele.id, update).await.unwrap();
    let found = fx
        .directory
        .query_users(&fx.admin, &by_name("ADÈLE vance"))
        .await
        .unwrap();
    assert_eq!(found.items.len(), 1);
    assert!(
        fx.directory
            .query_users(&fx.admin, &by_name("test user"))
            .await
            .unwrap()
            .items
            .iter()
            .all(|u| u.id != adele.id)
    );
    let mail = text(Field::Mail, Comparison::Eq, "adele.vance@contoso.com");
    assert_eq!(fx.directory.count_users_matching(&fx.admin, &mail).await.unwrap(), 1);

    fx.delete(&adele).await;
    assert_eq!(fx.directory.count_users_matching(&fx.admin, &mail).await.unwrap(), 0);
    assert_eq!(
        fx.directory
            .count_deleted_users_matching(&fx.admin, &mail)
            .await
            .unwrap(),
        1
    );
    let options = RestoreOptions {
        new_upn: Some(super::upn("adele.vance@fabrikam.com")),
        ..RestoreOptions::default()
    };
    fx.directory.restore_user(&fx.admin, adele.id, options).await.unwrap();
    let upn = text(Field::UserPrincipalName, Comparison::Eq, "ADELE.VANCE@fabrikam.com");
    assert_eq!(fx.directory.count_users_matching(&fx.admin, &upn).await.unwrap(), 1);
    assert_eq!(
        fx.directory
            .count_deleted_users_matching(&fx.admin, &mail)
            .await
            .unwrap(),
        0
    );
}

pub async fn deleted_users_are_filtered_by_deletion_time_and_expired_ones_never_found(db: TestDb) {
    let fx = Fixture::new(db).await;
    let start = fx.directory.now();
    let users = population(&fx).await;
    // One user a day: the first falls out of the 30-day retention below.
    let mut deleted_at = Vec::new();
    for user in &users {
        deleted_at.push(fx.directory.now());
        fx.delete(user).await;
        fx.clock.advance(Duration::days(1));
    }
    // Two deletions at the same instant tie on deletedDateTime.
    let twin_a = fx.create("twin.a@contoso.com").await;
    let twin_b = fx.create("twin.b@contoso.com").await;
    let twins_at = fx.directory.now();
    fx.delete(&twin_a).await;
    fx.delete(&twin_b).await;
    fx.clock.set(deleted_at[0] + Duration::days(30) + Duration::hours(1));
    let now = fx.directory.now();
    assert!(now > start);

    let bin = fx.directory.deleted_users(&fx.admin, None, 999).await.unwrap();
    assert_eq!(bin.len(), users.len() + 1, "the first deleted user has expired");
    let everyone: Vec<(User, Option<Timestamp>)> = bin
        .into_iter()
        .map(|view| (view.deleted.user, Some(view.deleted.deleted_at)))
        .collect();

    use Comparison::{Eq, Ge, Lt, Ne};
    let day = |n: usize| Value::time(deleted_at[n]);
    let cases = vec![
        ("everything", Condition::everything()),
        (
            "deletedDateTime ge",
            Condition::compare(Field::DeletedDateTime, Ge, day(3)).unwrap(),
        ),
        (
            "deletedDateTime lt",
            Condition::compare(Field::DeletedDateTime, Lt, day(3)).unwrap(),
        ),
        (
            "deletedDateTime eq twins",
            Condition::compare(Field::DeletedDateTime, Eq, Value::time(twins_at)).unwrap(),
        ),
        ("deletedDateTime ne null", null(Field::DeletedDateTime, Ne)),
        ("deletedDateTime eq null", null(Field::DeletedDateTime, Eq)),
        (
            "deletedDateTime ge the first, expired one",
            Condition::compare(Field::DeletedDateTime, Ge, day(0)).unwrap(),
        ),
        (
            "deletedDateTime in",
            Condition::one_of(Field::DeletedDateTime, vec![day(1), day(4), day(0)]).unwrap(),
        ),
        (
            "startsWith displayName",
            Condition::starts_with(Field::DisplayName, "Ad").unwrap(),
        ),
        ("mail eq", text(Field::Mail, Eq, "ALEX.WILBER@fabrikam.com")),
        (
            "upn eq the original",
            text(Field::UserPrincipalName, Eq, "adelev@contoso.com"),
        ),
        (
            "expired user by id",
            Condition::compare(Field::Id, Eq, Value::Uuid(users[0].id.0)).unwrap(),
        ),
        (
            "search",
            Condition::words_start_with(Field::DisplayName, "same").unwrap(),
        ),
    ];
    for key in [
        SortKey::DeletedDateTime,
        SortKey::DisplayName,
        SortKey::UserPrincipalName,
        SortKey::CreatedDateTime,
    ] {
        for sort in [Sort::ascending(key), Sort::descending(key)] {
            for (name, condition) in &cases {
                let want = expected(&everyone, condition, sort);
                let mut query = UserQuery::new(sort);
                query.condition = condition.clone();
                query.limit = 2;
                assert_eq!(walk_deleted(&fx, query).await, want, "{name}, {sort:?}");
                let count = fx
                    .directory
                    .count_deleted_users_matching(&fx.admin, condition)
                    .await
                    .unwrap();
                assert_eq!(count, want.len() as u64, "{name}");
            }
        }
    }
    let newest_first = Sort::descending(SortKey::DeletedDateTime);
    let got = walk_deleted(&fx, UserQuery::new(newest_first)).await;
    let mut twins = [twin_a.id, twin_b.id];
    twins.sort();
    assert_eq!(got[..2], [twins[1], twins[0]]);
    assert!(!got.contains(&users[0].id));
    // Deleted users are never found among active ones, nor active ones among deleted.
    let everything = Condition::everything();
    assert_eq!(
        fx.directory.count_users_matching(&fx.admin, &everything).await.unwrap(),
        1
    );
}
