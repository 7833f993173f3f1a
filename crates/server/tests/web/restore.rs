//! Deleted users and the restore wizard, as the seed article walks them: a plain restore,
//! a user name conflict answered both ways, a proxy address conflict, and a bulk restore
//! with one failure (log as CSV, retry one at a time), then the restored user signs in.

use crate::support::{Browser, PASSWORD, Page, WebApp};
use directory::Caller;
use directory::address::EmailAddress;
use directory::license::{LicenseAssignment, NewSku};
use directory::password::Password;
use directory::role::AdminRole;
use directory::upn::UserPrincipalName;
use directory::user::{NewUser, UsageLocation, User, UserUpdate};
use reqwest::StatusCode;

const WIZARD: &str = "/admin/deleted-users/restore";

async fn delete(app: &WebApp, user: &User) {
    app.directory
        .delete_user(&Caller::system(), user.id, false)
        .await
        .unwrap();
}

/// The hidden fields of the page's forms (but the CSRF token), as a browser would send them.
fn hidden_fields(page: &Page) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    for tag in page.text.split("<input").skip(1) {
        let tag = &tag[..tag.find('>').unwrap()];
        let attribute = |name: &str| {
            let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
            Some(unescape(&tag[start..start + tag[start..].find('"')?]))
        };
        if attribute("type").as_deref() == Some("hidden") && attribute("name").as_deref() != Some("csrf") {
            fields.push((attribute("name").unwrap(), attribute("value").unwrap_or_default()));
        }
    }
    fields
}

fn unescape(text: &str) -> String {
    text.replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

/// The text of the element with this id (up to the next tag).
fn text_at(page: &Page, id: &str) -> String {
    let at = page
        .text
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}: {}", page.text));
    let rest = &page.text[at..];
    let body = &rest[rest.find('>').unwrap() + 1..];
    unescape(&body[..body.find('<').unwrap()])
}

/// Posts the page's wizard form: its hidden fields, with `step` replaced, plus `extra`.
async fn next(browser: &mut Browser, page: &Page, extra: &[(&str, &str)]) -> Page {
    let fields = hidden_fields(page);
    let mut form: Vec<(&str, &str)> = fields
        .iter()
        .filter(|(name, _)| !name.starts_with("log-"))
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    form.extend_from_slice(extra);
    browser.post(WIZARD, &form).await
}

/// Selects these users on the Deleted users page and selects Restore.
async fn select_and_restore(browser: &mut Browser, users: &[&User]) -> Page {
    let list = browser.get("/admin/deleted-users").await;
    let ids: Vec<String> = users.iter().map(|u| u.id.to_string()).collect();
    let mut form = vec![("step", "start")];
    for id in &ids {
        assert!(list.has_id(&format!("select-{id}")), "{}", list.text);
        form.push(("id", id));
    }
    assert!(list.has_id("restore-selected"));
    let page = browser.post(WIZARD, &form).await;
    assert!(page.has_id("wizard-step-password"), "{}", page.text);
    page
}

#[tokio::test]
async fn a_plain_restore_shows_the_generated_password_once_and_the_user_signs_in() {
    let app = WebApp::spawn().await;
    let ada = app.user("ada", "Ada Lovelace", &[]).await;
    delete(&app, &ada).await;
    app.clock.advance(time::Duration::days(3));
    let mut admin = app.signed_in("ga").await;

    let list = admin.get("/admin/deleted-users").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.has_id(&format!("deleted-row-{}", ada.id)));
    assert!(list.text.contains("ada@contoso.com"));
    assert!(list.text.contains("<td>27</td>"), "27 days left: {}", list.text);

    let password = select_and_restore(&mut admin, &[&ada]).await;
    for id in ["password-auto", "password-manual", "force-change", "next", "cancel"] {
        assert!(password.has_id(id), "{id}");
    }
    let preview = next(&mut admin, &password, &[("password", "auto"), ("force-change", "on")]).await;
    assert!(preview.has_id(&format!("preview-row-{}", ada.id)), "{}", preview.text);
    assert!(preview.has_id("restore-confirm"));
    assert!(!preview.text.contains(PASSWORD));

    let results = next(&mut admin, &preview, &[("step", "restore")]).await;
    assert!(results.has_id(&format!("result-row-{}", ada.id)), "{}", results.text);
    assert!(results.has_id("restore-succeeded") && !results.has_id("restore-failed"));
    assert!(
        results
            .text
            .contains("make sure you notify them that their password changed")
    );
    assert!(results.has_id("send-email-and-close") && results.has_id("close"));
    let generated = text_at(&results, &format!("result-password-{}", ada.id));
    assert!(generated.chars().count() >= 15, "{generated}");
    assert!(
        !hidden_fields(&results)
            .iter()
            .any(|(_, value)| value.contains(&generated)),
        "no password in the forms the page posts"
    );

    // Shown once: posting the same step again finds nobody left to restore.
    let again = next(&mut admin, &preview, &[("step", "restore")]).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert!(!again.text.contains(&generated));
    assert!(!admin.get("/admin/deleted-users").await.text.contains(&generated));

    let mut ada_browser = app.browser();
    let signed_in = ada_browser.sign_in("ada@contoso.com", &generated).await;
    assert_eq!(signed_in.path, "/account/password", "forced change: {}", signed_in.text);
}

#[tokio::test]
async fn a_user_name_conflict_is_solved_by_renaming_the_active_user() {
    let app = WebApp::spawn().await;
    let ada = app.user("ada", "Ada Lovelace", &[]).await;
    delete(&app, &ada).await;
    let newcomer = app.user("ada", "Ada Newcomer", &[]).await;
    let mut admin = app.signed_in("ga").await;

    let password = select_and_restore(&mut admin, &[&ada]).await;
    let conflicts = next(&mut admin, &password, &[("password", "keep")]).await;
    assert!(conflicts.has_id("wizard-step-conflicts"), "{}", conflicts.text);
    let radio = format!("conflict-{}-rename-active", ada.id);
    assert!(conflicts.has_id(&radio) && conflicts.has_id(&format!("conflict-{}-new-upn", ada.id)));
    assert!(
        conflicts.text.contains("Ada Newcomer (ada@contoso.com)"),
        "who holds it"
    );

    let field = format!("conflict-{}", ada.id);
    let preview = next(&mut admin, &conflicts, &[(&field, "rename-active")]).await;
    assert!(
        preview.has_id(&format!("preview-replaced-{}", ada.id)),
        "{}",
        preview.text
    );
    let results = next(&mut admin, &preview, &[("step", "restore")]).await;
    let replaced = text_at(&results, &format!("result-replaced-{}", ada.id));
    assert!(replaced.contains("ada.replaced."), "{replaced}");

    let system = Caller::system();
    assert_eq!(
        app.directory.user(&system, ada.id).await.unwrap().upn.to_string(),
        "ada@contoso.com"
    );
    let renamed = app.directory.user(&system, newcomer.id).await.unwrap();
    assert!(renamed.upn.to_string().starts_with("ada.replaced."), "{}", renamed.upn);
    let mut ada_browser = app.browser();
    assert_eq!(ada_browser.sign_in("ada@contoso.com", PASSWORD).await.path, "/account");
}

#[tokio::test]
async fn a_user_name_conflict_is_solved_with_a_new_user_name_after_a_wrong_one() {
    let app = WebApp::spawn().await;
    let ada = app.user("ada", "Ada Lovelace", &[]).await;
    delete(&app, &ada).await;
    app.user("ada", "Ada Newcomer", &[]).await;
    let mut admin = app.signed_in("ga").await;

    let password = select_and_restore(&mut admin, &[&ada]).await;
    let manual = "a quiet orchard at dusk 1843";
    let conflicts = next(
        &mut admin,
        &password,
        &[("password", "manual"), ("new-password", manual)],
    )
    .await;
    let field = format!("conflict-{}", ada.id);
    let upn_field = format!("new-upn-{}", ada.id);
    let wrong = next(
        &mut admin,
        &conflicts,
        &[(&field, "new-upn"), (&upn_field, "ada@fabrikam.com")],
    )
    .await;
    assert!(wrong.has_id(&format!("conflict-error-{}", ada.id)), "{}", wrong.text);
    assert!(wrong.text.contains("value=\"ada@fabrikam.com\""), "the answer is kept");

    let preview = next(
        &mut admin,
        &wrong,
        &[(&field, "new-upn"), (&upn_field, "ada.lovelace@contoso.com")],
    )
    .await;
    assert!(preview.has_id(&format!("preview-row-{}", ada.id)), "{}", preview.text);
    let results = next(&mut admin, &preview, &[("step", "restore")]).await;
    assert!(text_at(&results, &format!("result-status-{}", ada.id)).contains("Restored"));
    assert!(
        !results.has_id(&format!("result-password-{}", ada.id)),
        "a typed password is not shown"
    );
    let restored = app.directory.user(&Caller::system(), ada.id).await.unwrap();
    assert_eq!(restored.upn.to_string(), "ada.lovelace@contoso.com");
    assert_eq!(restored.mail().unwrap().to_string(), "ada.lovelace@contoso.com");
    let mut ada_browser = app.browser();
    assert_eq!(
        ada_browser.sign_in("ada.lovelace@contoso.com", manual).await.path,
        "/account"
    );
}

#[tokio::test]
async fn a_proxy_address_conflict_is_reconciled_and_says_who_holds_the_address() {
    let app = WebApp::spawn().await;
    let system = Caller::system();
    let upn = UserPrincipalName::parse("ada@contoso.com").unwrap();
    let mut new = NewUser::new(upn, "Ada Lovelace", Password::parse(PASSWORD, None).unwrap());
    new.aliases = vec![EmailAddress::parse("countess@contoso.com").unwrap()];
    let ada = app.directory.create_user(&system, new).await.unwrap();
    app.directory.delete_user(&system, ada.id, true).await.unwrap();
    let bob = app.user("bob", "Bob Babbage", &[]).await;
    let take = UserUpdate {
        mail: Some(EmailAddress::parse("countess@contoso.com").unwrap()),
        ..UserUpdate::default()
    };
    app.directory.update_user(&system, bob.id, take).await.unwrap();
    let mut admin = app.signed_in("ga").await;

    let password = select_and_restore(&mut admin, &[&ada]).await;
    let preview = next(&mut admin, &password, &[("password", "keep")]).await;
    let removed = text_at(&preview, &format!("preview-removed-{}", ada.id));
    assert!(removed.contains("held by someone else"), "{removed}");
    assert!(
        preview
            .text
            .contains("countess@contoso.com (held by Bob Babbage (bob@contoso.com))")
    );
    let results = next(&mut admin, &preview, &[("step", "restore")]).await;
    assert!(
        results.has_id(&format!("result-removed-{}", ada.id)),
        "{}",
        results.text
    );
    let restored = app.directory.user(&system, ada.id).await.unwrap();
    assert!(
        !restored
            .proxy_addresses
            .iter()
            .any(|a| a.to_string().contains("countess"))
    );
    let bob_now = app.directory.user(&system, bob.id).await.unwrap();
    assert_eq!(bob_now.mail().unwrap().to_string(), "countess@contoso.com");
}

#[tokio::test]
async fn a_bulk_restore_with_one_refusal_offers_the_log_and_a_retry_one_at_a_time() {
    let app = WebApp::spawn().await;
    app.user("ua", "Uma Useradmin", &[AdminRole::UserAdministrator]).await;
    let gia = app.user("gia", "Gia Global", &[AdminRole::GlobalAdministrator]).await;
    let bo = app.user("bo", "Bo Basic", &[]).await;
    let sku = app
        .directory
        .add_subscription(
            &Caller::system(),
            NewSku {
                id: None,
                part_number: "ENTERPRISEPACK".into(),
                prepaid_units: 1,
                service_plans: Vec::new(),
            },
        )
        .await
        .unwrap();
    let located = UserUpdate {
        usage_location: Some(Some(UsageLocation::parse("NL").unwrap())),
        ..UserUpdate::default()
    };
    app.directory
        .update_user(&Caller::system(), bo.id, located)
        .await
        .unwrap();
    let seat = LicenseAssignment {
        sku_id: sku.id,
        disabled_plans: Vec::new(),
    };
    app.directory
        .assign_license(&Caller::system(), bo.id, vec![seat], Vec::new())
        .await
        .unwrap();
    delete(&app, &gia).await;
    delete(&app, &bo).await;
    let mut ua = app.signed_in("ua").await;

    let list = ua.get("/admin/deleted-users").await;
    assert!(
        list.has_id(&format!("deleted-row-{}", gia.id)),
        "a deleted Global Administrator is visible"
    );
    assert!(list.text.contains("ENTERPRISEPACK") && list.text.contains("Global Administrator"));

    let password = select_and_restore(&mut ua, &[&gia, &bo]).await;
    let preview = next(&mut ua, &password, &[("password", "auto")]).await;
    let refusal = text_at(&preview, &format!("preview-error-{}", gia.id));
    assert!(
        refusal.contains("Global Administrator"),
        "the reason in words: {refusal}"
    );
    let results = next(&mut ua, &preview, &[("step", "restore")]).await;
    assert_eq!(
        text_at(&results, "restore-failed"),
        "The restore operation failed for some users. View the log to see which users were not restored, \
         and then restore the failed accounts one at a time."
    );
    assert!(text_at(&results, &format!("result-error-{}", gia.id)).contains("Global Administrator"));
    assert!(text_at(&results, &format!("result-status-{}", bo.id)).contains("Restored"));
    let generated = text_at(&results, &format!("result-password-{}", bo.id));
    assert!(!results.has_id(&format!("retry-{}", bo.id)));
    assert!(results.has_id(&format!("retry-{}", gia.id)) && results.has_id("download-log"));

    let log_fields = hidden_fields(&results);
    let log: Vec<(&str, &str)> = log_fields
        .iter()
        .filter(|(name, _)| name.starts_with("log-"))
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let csv = ua.post("/admin/deleted-users/restore/log", &log).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.text
            .starts_with("id,displayName,userPrincipalName,result,code,details\r\n")
    );
    assert!(csv.text.contains(&format!(
        "\"{}\",\"Gia Global\",\"gia@contoso.com\",\"failed\",\"forbidden\"",
        gia.id
    )));
    assert!(
        csv.text
            .contains(&format!("\"{}\",\"Bo Basic\",\"bo@contoso.com\",\"restored\"", bo.id))
    );
    assert!(!csv.text.contains(&generated), "no password in the log");

    // Retry the failed one, alone.
    ua.get("/admin/deleted-users").await;
    let retry = ua.post(WIZARD, &[("step", "start"), ("id", &gia.id.to_string())]).await;
    assert!(retry.has_id("wizard-step-password") && retry.has_id(&format!("wizard-user-{}", gia.id)));
    assert!(!retry.has_id(&format!("wizard-user-{}", bo.id)));

    let mut bo_browser = app.browser();
    assert_eq!(bo_browser.sign_in("bo@contoso.com", &generated).await.path, "/account");
}

#[tokio::test]
async fn send_email_and_close_queues_the_report_and_returns_to_the_list() {
    let app = WebApp::spawn().await;
    let ada = app.user("ada", "Ada Lovelace", &[]).await;
    delete(&app, &ada).await;
    let mut admin = app.signed_in("ga").await;
    let password = select_and_restore(&mut admin, &[&ada]).await;
    let preview = next(&mut admin, &password, &[("password", "keep")]).await;
    let results = next(&mut admin, &preview, &[("step", "restore")]).await;
    let fields = hidden_fields(&results);
    let mut form: Vec<(&str, &str)> = fields
        .iter()
        .filter(|(name, _)| name.starts_with("log-"))
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    form.push(("recipients", "helpdesk@contoso.com, ga@contoso.com"));
    let sent = admin.post("/admin/deleted-users/restore/report", &form).await;
    assert_eq!(sent.path, "/admin/deleted-users");
    assert!(text_at(&sent, "report-sent").contains("2 recipients"), "{}", sent.text);

    form.pop();
    form.push(("recipients", "not an address"));
    let refused = admin.post("/admin/deleted-users/restore/report", &form).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_restore_without_the_sessions_csrf_token_is_refused_and_changes_nothing() {
    let app = WebApp::spawn().await;
    let ada = app.user("ada", "Ada Lovelace", &[]).await;
    delete(&app, &ada).await;
    let mut admin = app.signed_in("ga").await;
    let id = ada.id.to_string();
    let form = [
        ("step", "restore"),
        ("id", id.as_str()),
        ("password", "keep"),
        ("csrf", "forged"),
    ];
    let refused = admin.post_raw(WIZARD, &form).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        app.directory.user(&Caller::system(), ada.id).await.is_err(),
        "still deleted"
    );
    let no_token = admin.post_raw(WIZARD, &form[..3]).await;
    assert_eq!(no_token.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_search_past_one_page_says_more_than_instead_of_counting() {
    let app = WebApp::spawn().await;
    for (alias, name) in [("ada.one", "Ada One"), ("ada.two", "Ada Two"), ("bob", "Bob Other")] {
        let user = app.user(alias, name, &[]).await;
        delete(&app, &user).await;
    }
    let mut admin = app.signed_in("ga").await;
    let paged = admin.get("/admin/deleted-users?q=ada&top=1").await;
    assert_eq!(text_at(&paged, "deleted-count"), "More than one deleted user matches");
    let whole = admin.get("/admin/deleted-users?q=ada&top=5").await;
    assert_eq!(text_at(&whole, "deleted-count"), "2 deleted users");
    let everyone = admin.get("/admin/deleted-users?top=1").await;
    assert_eq!(
        text_at(&everyone, "deleted-count"),
        "3 deleted users",
        "without a search the count is exact"
    );
}

#[tokio::test]
async fn the_list_searches_by_name_or_user_name_and_pages() {
    let app = WebApp::spawn().await;
    let ada = app.user("ada", "Ada Lovelace", &[]).await;
    let bob = app.user("bob.b", "Bob Babbage", &[]).await;
    delete(&app, &ada).await;
    delete(&app, &bob).await;
    let mut admin = app.signed_in("ga").await;
    let by_name = admin.get("/admin/deleted-users?q=lovel").await;
    assert!(by_name.has_id(&format!("deleted-row-{}", ada.id)));
    assert!(!by_name.has_id(&format!("deleted-row-{}", bob.id)));
    let by_upn = admin.get("/admin/deleted-users?q=bob.b%40contoso").await;
    assert!(by_upn.has_id(&format!("deleted-row-{}", bob.id)) && !by_upn.has_id(&format!("deleted-row-{}", ada.id)));
    assert!(text_at(&by_upn, "deleted-count").contains("One deleted user"));
    let all = admin.get("/admin/deleted-users").await;
    assert!(
        !all.has_id("next-page") && !all.has_id("first-page"),
        "two users fit on one page"
    );
    let first = admin.get("/admin/deleted-users?top=1").await;
    assert!(first.has_id(&format!("deleted-row-{}", ada.id)) && !first.has_id(&format!("deleted-row-{}", bob.id)));
    let next_href = first
        .text
        .split("href=\"")
        .find(|s| s.contains("id=\"next-page\""))
        .unwrap();
    let next_href = unescape(&next_href[..next_href.find('"').unwrap()]);
    let second = admin.get(&next_href).await;
    assert!(second.has_id(&format!("deleted-row-{}", bob.id)) && !second.has_id(&format!("deleted-row-{}", ada.id)));
    assert!(second.has_id("first-page") && !second.has_id("next-page"));
    let dutch = admin.get("/lang/nl-NL?back=/admin/deleted-users").await;
    assert!(dutch.text.contains("Datum van definitieve verwijdering") && dutch.has_id("restore-selected"));
    let bad_cursor = admin.get("/admin/deleted-users?after=nonsense").await;
    assert_eq!(bad_cursor.status, StatusCode::BAD_REQUEST);
}
