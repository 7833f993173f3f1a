//! "Active users": search, filter, paging, adding a user (a generated password shown once,
//! licences) and deleting one or several users with the reasons for each refusal.

use crate::support::{Page, WebApp};
use directory::Caller;
use directory::audit::{AuditAction, AuditQuery};
use directory::license::{NewSku, Sku};
use directory::role::AdminRole;
use directory::upn::UserPrincipalName;
use directory::user::{User, UserUpdate};
use reqwest::StatusCode;

/// A subscription with this many seats.
pub(crate) async fn subscription(app: &WebApp, part_number: &str, seats: i64) -> Sku {
    let new = NewSku {
        id: None,
        part_number: part_number.to_owned(),
        prepaid_units: seats,
        service_plans: Vec::new(),
    };
    app.directory.add_subscription(&Caller::system(), new).await.unwrap()
}

/// The text of the element with this id, without tags (up to its first closing tag of
/// the same name, so not for nested elements of one kind).
pub(crate) fn text_of(page: &Page, id: &str) -> String {
    let at = page
        .text
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}: {}", page.text));
    let open = page.text[..at].rfind('<').unwrap();
    let name: String = page.text[open + 1..]
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    let rest = &page.text[at..];
    let body = &rest[rest.find('>').unwrap() + 1..];
    let body = &body[..body.find(&format!("</{name}>")).unwrap()];
    let mut text = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The `href` of the link with this id, unescaped.
fn href_of(page: &Page, id: &str) -> String {
    let start = page.text.find(&format!("id=\"{id}\"")).unwrap();
    let tag_start = page.text[..start].rfind('<').unwrap();
    let tag = &page.text[tag_start..start];
    let href = tag.split("href=\"").nth(1).unwrap().split('"').next().unwrap();
    unescape(href)
}

/// Decodes the character references askama writes (`&amp;`, `&#38;`, `&#x3d;`, ...).
fn unescape(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let end = rest[at..].find(';').map(|e| at + e).unwrap();
        let entity = &rest[at + 1..end];
        let decoded = match entity {
            "amp" => '&',
            "quot" => '"',
            "lt" => '<',
            "gt" => '>',
            _ if entity.starts_with("#x") => char::from_u32(u32::from_str_radix(&entity[2..], 16).unwrap()).unwrap(),
            _ => char::from_u32(entity[1..].parse().unwrap()).unwrap(),
        };
        out.push(decoded);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

fn row(user: &User) -> String {
    format!("user-{}", user.id)
}

#[tokio::test]
async fn the_list_searches_by_name_user_name_or_mail_filters_on_sign_in_and_pages() {
    let app = WebApp::spawn().await;
    let ada = app.user("ada", "Ada Lovelace", &[]).await;
    let alan = app.user("alan", "Alan Turing", &[]).await;
    let grace = app.user("grace", "Grace Hopper", &[]).await;
    let blocked = UserUpdate {
        account_enabled: Some(false),
        ..UserUpdate::default()
    };
    app.directory
        .update_user(&Caller::system(), alan.id, blocked)
        .await
        .unwrap();
    let mut browser = app.signed_in("ga").await;

    // By display name: Ada, Administrator (the first admin), Alan | Gloria, Grace.
    let first = browser.get("/admin/users?size=3").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    assert!(first.has_id(&row(&ada)) && first.has_id(&row(&alan)), "{}", first.text);
    assert!(!first.has_id(&row(&grace)));
    assert!(first.has_id("users-next") && !first.has_id("users-first"));
    let second = browser.get(&href_of(&first, "users-next")).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.text);
    assert!(second.has_id(&row(&grace)) && second.text.contains("Gloria Admin"));
    assert!(
        !second.has_id(&row(&ada)) && !second.has_id("users-next"),
        "{}",
        second.text
    );
    assert!(second.has_id("users-first"));

    let by_word = browser.get("/admin/users?q=hop").await;
    assert!(by_word.has_id(&row(&grace)) && !by_word.has_id(&row(&ada)));
    let by_upn = browser.get("/admin/users?q=ADA%40contoso").await;
    assert!(
        by_upn.has_id(&row(&ada)) && !by_upn.has_id(&row(&alan)),
        "{}",
        by_upn.text
    );
    let nobody = browser.get("/admin/users?q=zz").await;
    assert!(nobody.has_id("users-empty"));

    let disabled = browser.get("/admin/users?filter=disabled").await;
    assert!(disabled.has_id(&row(&alan)) && !disabled.has_id(&row(&ada)));
    assert!(disabled.text.contains("sign-in blocked"));
    let enabled = browser.get("/admin/users?filter=enabled").await;
    assert!(enabled.has_id(&row(&ada)) && !enabled.has_id(&row(&alan)));

    let forged = browser.get("/admin/users?after=garbage").await;
    assert_eq!(forged.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_list_shows_each_users_licenses() {
    let app = WebApp::spawn().await;
    let sku = subscription(&app, "ENTERPRISEPACK", 5).await;
    let ada = app.user("ada", "Ada Lovelace", &[]).await;
    let located = UserUpdate {
        usage_location: Some(Some(directory::user::UsageLocation::parse("NL").unwrap())),
        ..UserUpdate::default()
    };
    app.directory
        .update_user(&Caller::system(), ada.id, located)
        .await
        .unwrap();
    let license = directory::license::LicenseAssignment {
        sku_id: sku.id,
        disabled_plans: Vec::new(),
    };
    app.directory
        .assign_license(&Caller::system(), ada.id, vec![license], Vec::new())
        .await
        .unwrap();
    let mut browser = app.signed_in("ga").await;
    let page = browser.get("/admin/users?q=ada").await;
    assert!(text_of(&page, &row(&ada)).contains("ENTERPRISEPACK"), "{}", page.text);
    let page = browser.get("/admin/users?q=gloria").await;
    assert!(page.text.contains("Unlicensed"));
}

#[tokio::test]
async fn an_admin_adds_a_user_with_a_generated_password_shown_once_and_a_license() {
    let app = WebApp::spawn().await;
    let sku = subscription(&app, "ENTERPRISEPACK", 1).await;
    let mut browser = app.signed_in("ga").await;
    let form = browser.get("/admin/users/new").await;
    assert!(form.has_id("password-auto") && form.has_id("force-change"));
    assert!(form.text.contains("@contoso.com"));
    let sku_id = sku.id.to_string();
    let added = browser
        .post(
            "/admin/users/new",
            &[
                ("first_name", "Megan"),
                ("last_name", "Bowen"),
                ("display_name", "Megan Bowen"),
                ("username", "meganb"),
                ("domain", "contoso.com"),
                ("password_mode", "auto"),
                ("force_change", "on"),
                ("usage_location", "nl"),
                ("license", &sku_id),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.text);
    assert_eq!(text_of(&added, "added-upn"), "meganb@contoso.com");
    assert!(added.has_id("added-force-change") && !added.has_id("added-license-error"));
    let password = text_of(&added, "added-password");

    let upn = UserPrincipalName::parse("meganb@contoso.com").unwrap();
    let megan = app
        .directory
        .user_by_id_or_upn(&Caller::system(), &upn.to_string())
        .await
        .unwrap();
    assert_eq!(megan.given_name.as_deref(), Some("Megan"));
    assert_eq!(megan.usage_location.as_ref().map(|l| l.as_str()), Some("NL"));
    let licenses = app.directory.licenses_of(&Caller::system(), megan.id).await.unwrap();
    assert_eq!(licenses.len(), 1);

    let list = browser.get("/admin/users?q=megan").await;
    assert!(!list.text.contains(&password), "the password is shown only once");
    let mut megans = app.browser();
    let signed_in = megans.sign_in("meganb@contoso.com", &password).await;
    assert_eq!(signed_in.path, "/account/password", "{}", signed_in.text);
}

#[tokio::test]
async fn the_add_form_keeps_what_was_typed_and_says_what_is_wrong() {
    let app = WebApp::spawn().await;
    app.user("ada", "Ada Lovelace", &[]).await;
    let mut browser = app.signed_in("ga").await;
    browser.get("/admin/users/new").await;
    let fields = |username: &'static str, mode: &'static str, password: &'static str| {
        vec![
            ("display_name", "Ada Two"),
            ("username", username),
            ("domain", "contoso.com"),
            ("password_mode", mode),
            ("password", password),
        ]
    };
    let weak = browser
        .post("/admin/users/new", &fields("ada2", "manual", "short"))
        .await;
    assert_eq!(weak.status, StatusCode::BAD_REQUEST);
    assert!(text_of(&weak, "add-user-error").contains("password"), "{}", weak.text);
    assert!(weak.text.contains("value=\"Ada Two\""));
    assert!(
        weak.text
            .contains("id=\"password-manual\" name=\"password_mode\" value=\"manual\" checked")
    );
    assert!(
        !weak
            .text
            .contains("id=\"force-change\" name=\"force_change\" value=\"on\" checked")
    );

    let taken = browser.post("/admin/users/new", &fields("ADA", "auto", "")).await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    assert!(text_of(&taken, "add-user-error").contains("Another active user already has this user name"));

    let foreign = browser
        .post(
            "/admin/users/new",
            &[("display_name", "X"), ("username", "x"), ("domain", "fabrikam.com")],
        )
        .await;
    assert_eq!(foreign.status, StatusCode::BAD_REQUEST);
    assert!(text_of(&foreign, "add-user-error").contains("verified domains"));
}

#[tokio::test]
async fn a_license_without_a_free_seat_is_reported_and_the_user_is_still_added() {
    let app = WebApp::spawn().await;
    let sku = subscription(&app, "SPE_E3", 0).await;
    let mut browser = app.signed_in("ga").await;
    browser.get("/admin/users/new").await;
    let sku_id = sku.id.to_string();
    let added = browser
        .post(
            "/admin/users/new",
            &[
                ("display_name", "Nestor Wilke"),
                ("username", "nestorw"),
                ("domain", "contoso.com"),
                ("password_mode", "auto"),
                ("usage_location", "US"),
                ("license", &sku_id),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::OK);
    assert!(
        text_of(&added, "added-license-error").contains("no licenses available"),
        "{}",
        added.text
    );
    assert!(!added.has_id("added-force-change"));
}

/// The users' ids as `id` fields of the list's form.
fn picked(users: &[&User]) -> String {
    users
        .iter()
        .map(|u| format!("id={}", u.id))
        .collect::<Vec<_>>()
        .join("&")
}

#[tokio::test]
async fn a_user_administrator_deletes_several_users_and_learns_why_some_were_refused() {
    let app = WebApp::spawn().await;
    app.user("uma", "Uma Admin", &[AdminRole::UserAdministrator]).await;
    let ada = app.user("ada", "Ada Lovelace", &[]).await;
    let gina = app.user("gina", "Gina Global", &[AdminRole::GlobalAdministrator]).await;
    let mut browser = app.signed_in("uma").await;

    let confirm = browser
        .get(&format!("/admin/users/delete?{}", picked(&[&ada, &gina])))
        .await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.text);
    assert!(confirm.has_id(&format!("delete-user-{}", ada.id)));
    assert!(confirm.has_id(&format!("delete-user-{}", gina.id)));
    assert!(confirm.has_id("release-aliases"));

    let (ada_id, gina_id) = (ada.id.to_string(), gina.id.to_string());
    let result = browser
        .post("/admin/users/delete", &[("id", &ada_id), ("id", &gina_id)])
        .await;
    assert_eq!(result.status, StatusCode::OK, "{}", result.text);
    assert_eq!(text_of(&result, &format!("delete-done-{ada_id}")), "ada@contoso.com");
    let reason = text_of(&result, &format!("delete-failed-{gina_id}"));
    assert!(reason.contains("gina@contoso.com"), "{reason}");
    assert!(
        reason.contains("Your admin role does not allow this action on this user"),
        "{reason}"
    );
    assert!(result.text.contains("1 user could not be deleted."));
    assert!(!result.has_id("delete-released"));

    assert_eq!(app.directory.count_deleted_users(&Caller::system()).await.unwrap(), 1);
    assert!(app.directory.user(&Caller::system(), gina.id).await.is_ok());
    let query = AuditQuery {
        action: Some(AuditAction::DeleteUser),
        ..AuditQuery::default()
    };
    let records = app.directory.audit_events(&Caller::system(), &query).await.unwrap();
    assert_eq!(records.len(), 2, "one success and one refusal: {records:?}");
}

#[tokio::test]
async fn the_last_global_administrator_is_not_deleted_and_the_page_says_so() {
    let app = WebApp::spawn().await;
    let first_admin = app
        .directory
        .user_by_id_or_upn(&Caller::system(), "admin@contoso.com")
        .await
        .unwrap();
    app.directory
        .delete_user(&Caller::system(), first_admin.id, false)
        .await
        .unwrap();
    let mut browser = app.signed_in("ga").await;
    let me = app
        .directory
        .user_by_id_or_upn(&Caller::system(), "ga@contoso.com")
        .await
        .unwrap();
    browser.get(&format!("/admin/users/delete?id={}", me.id)).await;
    let me_id = me.id.to_string();
    let result = browser.post("/admin/users/delete", &[("id", &me_id)]).await;
    assert_eq!(result.status, StatusCode::CONFLICT);
    assert!(
        text_of(&result, &format!("delete-failed-{me_id}")).contains("last active Global Administrator"),
        "{}",
        result.text
    );
    assert_eq!(browser.get("/admin").await.path, "/admin", "still signed in");
}

#[tokio::test]
async fn releasing_aliases_on_delete_lets_a_new_user_take_the_address() {
    let app = WebApp::spawn().await;
    let ada = app.user("ada", "Ada Lovelace", &[]).await;
    let bob = app.user("bob", "Bob Kept", &[]).await;
    let mut browser = app.signed_in("ga").await;
    browser.get(&format!("/admin/users/delete?{}", picked(&[&ada]))).await;
    let ada_id = ada.id.to_string();
    let result = browser
        .post("/admin/users/delete", &[("id", &ada_id), ("release", "on")])
        .await;
    assert!(result.has_id("delete-released"), "{}", result.text);
    browser.get(&format!("/admin/users/delete?{}", picked(&[&bob]))).await;
    let bob_id = bob.id.to_string();
    browser.post("/admin/users/delete", &[("id", &bob_id)]).await;

    let new_ada = app.user("ada", "Ada Again", &[]).await;
    assert_eq!(
        new_ada.mail().map(ToString::to_string).as_deref(),
        Some("ada@contoso.com")
    );
    let new_bob = app.user("bob", "Bob Again", &[]).await;
    assert_eq!(new_bob.mail(), None, "a deleted user keeps its address reserved");
}

#[tokio::test]
async fn deleting_needs_a_selection_and_the_forms_token() {
    let app = WebApp::spawn().await;
    let ada = app.user("ada", "Ada Lovelace", &[]).await;
    let mut browser = app.signed_in("ga").await;
    let none = browser.get("/admin/users/delete").await;
    assert_eq!(none.status, StatusCode::BAD_REQUEST);
    assert!(none.has_id("delete-none"));

    let ada_id = ada.id.to_string();
    let forged = browser
        .post_raw("/admin/users/delete", &[("id", &ada_id), ("csrf", "forged")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(app.directory.user(&Caller::system(), ada.id).await.is_ok());
}

#[tokio::test]
async fn the_pages_speak_dutch() {
    let app = WebApp::spawn().await;
    let mut browser = app.signed_in("ga").await;
    let page = browser.get("/lang/nl-NL?back=/admin/users").await;
    assert!(page.text.contains("Actieve gebruikers") && page.text.contains("Een gebruiker toevoegen"));
    let form = browser.get("/admin/users/new").await;
    assert!(form.text.contains("Ik wil het wachtwoord zelf maken"));
}
