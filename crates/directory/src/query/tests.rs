//! Unit tests of user queries: checks, the reference evaluator, cursors.

use super::*;
use crate::upn::UserPrincipalName;
use time::macros::datetime;

fn a_user(name: &str) -> User {
    let mut user = User::new(
        UserPrincipalName::parse("adele@contoso.com").unwrap(),
        name,
        datetime!(2026-01-05 09:00:00.123456 UTC),
    );
    user.given_name = Some("Émile".into());
    user
}

#[test]
fn text_is_keyed_in_lower_case_including_non_ascii() {
    assert_eq!(TextKey::new("ÉMILE Zola").as_str(), "émile zola");
    let user = a_user("Émile Zola");
    let starts = Condition::starts_with(Field::GivenName, "ÉM").unwrap();
    assert!(starts.matches(&user, None));
    assert_eq!(UserKeys::of(&user).display_name, "émile zola");
}

#[test]
fn null_is_two_valued() {
    let user = a_user("Adele");
    let surname_x = Condition::compare(Field::Surname, Comparison::Eq, Value::text("x")).unwrap();
    assert!(!surname_x.matches(&user, None));
    assert!(Condition::Not(Box::new(surname_x)).matches(&user, None));
    let ne = Condition::compare(Field::Surname, Comparison::Ne, Value::text("x")).unwrap();
    assert!(ne.matches(&user, None));
    let null = Condition::compare(Field::Surname, Comparison::Eq, Value::Null).unwrap();
    assert!(null.matches(&user, None));
    let deleted = Condition::compare(Field::DeletedDateTime, Comparison::Eq, Value::Null).unwrap();
    assert!(deleted.matches(&user, None));
    assert!(!deleted.matches(&user, Some(user.created_at)));
}

#[test]
fn leaves_check_their_types() {
    assert!(Condition::compare(Field::AccountEnabled, Comparison::Eq, Value::text("x")).is_err());
    assert!(Condition::compare(Field::AccountEnabled, Comparison::Gt, Value::Bool(true)).is_err());
    assert!(Condition::starts_with(Field::CreatedDateTime, "x").is_err());
    assert!(Condition::starts_with(Field::DisplayName, "").is_err());
    assert!(Condition::one_of(Field::Id, vec![]).is_err());
    assert!(Condition::words_start_with(Field::DisplayName, " . ").is_err());
    assert!(Condition::words_start_with(Field::DisplayName, &"a ".repeat(MAX_WORDS + 1)).is_err());
}

#[test]
fn search_matches_word_starts() {
    let user = a_user("Adele Vance");
    let yes = Condition::words_start_with(Field::DisplayName, "va ad").unwrap();
    let no = Condition::words_start_with(Field::DisplayName, "ance").unwrap();
    let upn = Condition::words_start_with(Field::UserPrincipalName, "contoso").unwrap();
    assert!(yes.matches(&user, None));
    assert!(!no.matches(&user, None));
    assert!(upn.matches(&user, None));
}

#[test]
fn cursors_round_trip_and_must_fit_the_order() {
    let user = a_user("Adele: the first");
    for key in [
        SortKey::DisplayName,
        SortKey::UserPrincipalName,
        SortKey::CreatedDateTime,
    ] {
        let cursor = Cursor::after(Sort::descending(key), &user, None).unwrap();
        assert_eq!(Cursor::decode(&cursor.encode()).unwrap(), cursor);
    }
    assert!(Cursor::decode("xa:nope:1").is_err());
    assert!(Cursor::decode("ca:00000000-0000-0000-0000-000000000000:soon").is_err());
    let mut query = UserQuery::new(Sort::ascending(SortKey::DisplayName));
    query.after = Some(Cursor::after(Sort::descending(SortKey::DisplayName), &user, None).unwrap());
    assert!(query.check(false).is_err());
    query.after = Some(Cursor::after(Sort::ascending(SortKey::DisplayName), &user, None).unwrap());
    assert!(query.check(false).is_ok());
    assert!(
        UserQuery::new(Sort::ascending(SortKey::DeletedDateTime))
            .check(false)
            .is_err()
    );
}

#[test]
fn and_flattens() {
    let a = Condition::starts_with(Field::DisplayName, "a").unwrap();
    let b = Condition::starts_with(Field::Surname, "b").unwrap();
    assert_eq!(Condition::everything().and(a.clone()), a);
    assert_eq!(
        Condition::All(vec![a.clone()]).and(b.clone()),
        Condition::All(vec![a, b])
    );
}
