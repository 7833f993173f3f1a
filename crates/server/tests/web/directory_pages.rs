//! Licences, roles, groups and the audit log in the admin center.

use crate::support::WebApp;
use crate::users::{subscription, text_of};
use directory::Caller;
use directory::group::{GroupLink, NewGroup};
use directory::license::LicenseAssignment;
use directory::role::AdminRole;
use directory::user::{UsageLocation, UserUpdate};
use reqwest::StatusCode;
use time::Duration;

#[tokio::test]
async fn licenses_show_seats_bought_used_and_free() {
    let app = WebApp::spawn().await;
    let sku = subscription(&app, "ENTERPRISEPACK", 3).await;
    subscription(&app, "EMS", 0).await;
    let ada = app.user("ada", "Ada Lovelace", &[]).await;
    let located = UserUpdate {
        usage_location: Some(Some(UsageLocation::parse("NL").unwrap())),
        ..UserUpdate::default()
    };
    app.directory
        .update_user(&Caller::system(), ada.id, located)
        .await
        .unwrap();
    let license = LicenseAssignment {
        sku_id: sku.id,
        disabled_plans: Vec::new(),
    };
    app.directory
        .assign_license(&Caller::system(), ada.id, vec![license], Vec::new())
        .await
        .unwrap();

    let mut browser = app.signed_in("ga").await;
    let page = browser.get("/admin/licenses").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(text_of(&page, "license-ENTERPRISEPACK"), "ENTERPRISEPACK 3 1 2");
    assert_eq!(text_of(&page, "license-EMS"), "EMS 0 0 0");
    assert!(page.text.contains("aria-current=\"page\""));

    app.directory
        .delete_user(&Caller::system(), ada.id, false)
        .await
        .unwrap();
    let page = browser.get("/admin/licenses").await;
    assert_eq!(
        text_of(&page, "license-ENTERPRISEPACK"),
        "ENTERPRISEPACK 3 0 3",
        "a deleted user frees its seat"
    );
}

#[tokio::test]
async fn roles_show_who_holds_each_role() {
    let app = WebApp::spawn().await;
    app.user("uma", "Uma Admin", &[AdminRole::UserAdministrator]).await;
    app.user("gina", "Gina Global", &[AdminRole::GlobalAdministrator]).await;
    let mut browser = app.signed_in("uma").await;
    let page = browser.get("/admin/roles").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let global = text_of(&page, &format!("role-{}", AdminRole::GlobalAdministrator.template_id()));
    assert_eq!(
        global,
        "Global Administrator Administrator admin@contoso.com Gina Global gina@contoso.com Gloria Admin ga@contoso.com"
    );
    let users = text_of(&page, &format!("role-{}", AdminRole::UserAdministrator.template_id()));
    assert_eq!(users, "User Administrator Uma Admin uma@contoso.com");
    let readers = text_of(&page, &format!("role-{}", AdminRole::GlobalReader.template_id()));
    assert_eq!(readers, "Global Reader No one has this role.");
}

#[tokio::test]
async fn groups_list_and_show_members_and_owners() {
    let app = WebApp::spawn().await;
    let ada = app.user("ada", "Ada Lovelace", &[]).await;
    let bob = app.user("bob", "Bob Builder", &[]).await;
    let group = app
        .directory
        .create_group(&Caller::system(), NewGroup::new("Engineering", "engineering"))
        .await
        .unwrap();
    app.directory
        .create_group(&Caller::system(), NewGroup::new("Empty", "empty"))
        .await
        .unwrap();
    for (link, user) in [
        (GroupLink::Member, &ada),
        (GroupLink::Member, &bob),
        (GroupLink::Owner, &bob),
    ] {
        app.directory
            .add_to_group(&Caller::system(), group.id, link, user.id)
            .await
            .unwrap();
    }
    let mut browser = app.signed_in("ga").await;
    let list = browser.get("/admin/groups").await;
    assert!(list.has_id(&format!("open-group-{}", group.id)), "{}", list.text);
    let page = browser.get(&format!("/admin/groups/{}", group.id)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(text_of(&page, "group-name"), "Engineering");
    assert!(page.has_id(&format!("member-{}", ada.id)) && page.has_id(&format!("member-{}", bob.id)));
    assert!(page.has_id(&format!("owner-{}", bob.id)) && !page.has_id(&format!("owner-{}", ada.id)));
    assert!(page.text.contains("Members (2)") && page.text.contains("Owners (1)"));

    app.directory
        .delete_user(&Caller::system(), ada.id, false)
        .await
        .unwrap();
    let page = browser.get(&format!("/admin/groups/{}", group.id)).await;
    assert!(
        !page.has_id(&format!("member-{}", ada.id)),
        "deleted users are not active members"
    );

    let missing = browser.get(&format!("/admin/groups/{}", uuid::Uuid::now_v7())).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let garbage = browser.get("/admin/groups/not-an-id").await;
    assert_eq!(garbage.status, StatusCode::NOT_FOUND);
    assert!(garbage.has_id("error-message"));
}

/// The activity column of each row of the audit table, top to bottom.
fn activities(page: &crate::support::Page) -> Vec<String> {
    page.text
        .split("<td class=\"activity\">")
        .skip(1)
        .map(|cell| cell.split('<').next().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_audit_log_filters_by_activity_actor_target_and_date() {
    let app = WebApp::spawn().await;
    let ada = app.user("ada", "Ada Lovelace", &[]).await;
    app.clock.advance(Duration::days(2));
    let mut browser = app.signed_in("ga").await;
    let ada_id = ada.id.to_string();
    browser.get(&format!("/admin/users/delete?id={ada_id}")).await;
    browser.post("/admin/users/delete", &[("id", &ada_id)]).await;

    let all = browser.get("/admin/audit").await;
    assert_eq!(all.status, StatusCode::OK);
    let shown = activities(&all);
    assert_eq!(
        shown.first().map(String::as_str),
        Some("Delete user"),
        "newest first: {shown:?}"
    );
    assert!(shown.contains(&"Add user".to_owned()));

    let deletes = browser.get("/admin/audit?action=Delete+user").await;
    assert_eq!(activities(&deletes), ["Delete user"]);
    assert!(deletes.text.contains("<option value=\"Delete user\" selected>"));

    let by_actor = browser.get("/admin/audit?actor=ga%40contoso.com").await;
    let by_ga = activities(&by_actor);
    assert!(
        by_ga.contains(&"Delete user".to_owned()) && !by_ga.contains(&"Add user".to_owned()),
        "{by_ga:?}"
    );
    let by_name = browser.get("/admin/audit?target=ada%40contoso.com").await;
    assert_eq!(activities(&by_name), ["Delete user", "Add user"]);
    let by_id = browser.get(&format!("/admin/audit?target={ada_id}")).await;
    assert_eq!(activities(&by_id), ["Delete user", "Add user"]);

    let today = directory::Clock::now(&app.clock).date();
    let earlier = browser
        .get(&format!("/admin/audit?to={}", today - Duration::days(1)))
        .await;
    assert!(!activities(&earlier).contains(&"Delete user".to_owned()));
    assert!(activities(&earlier).contains(&"Add user".to_owned()));
    let from_today = browser.get(&format!("/admin/audit?from={today}&to={today}")).await;
    assert!(!activities(&from_today).contains(&"Add user".to_owned()));
    assert!(activities(&from_today).contains(&"Delete user".to_owned()));

    let bad = browser.get("/admin/audit?from=yesterday").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(text_of(&bad, "audit-error").contains("YYYY-MM-DD"));
}

#[tokio::test]
async fn the_audit_log_shows_more_on_request() {
    let app = WebApp::spawn().await;
    let mut browser = app.signed_in("ga").await;
    let page = browser.get("/admin/audit?limit=2").await;
    assert_eq!(activities(&page).len(), 2);
    assert!(page.has_id("audit-more"));
    let more = page.text.split("id=\"audit-more\"").next().unwrap();
    assert!(more.contains("limit=102"));
}

#[tokio::test]
async fn a_user_administrator_is_told_why_the_audit_log_is_closed() {
    let app = WebApp::spawn().await;
    app.user("uma", "Uma Admin", &[AdminRole::UserAdministrator]).await;
    let mut browser = app.signed_in("uma").await;
    let page = browser.get("/admin/audit").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(text_of(&page, "error-message").contains("Your admin role does not allow"));
    let mut reader = {
        app.user("rita", "Rita Reader", &[AdminRole::GlobalReader]).await;
        app.signed_in("rita").await
    };
    assert_eq!(reader.get("/admin/audit").await.status, StatusCode::OK);
    let add = reader.get("/admin/users/new").await;
    assert_eq!(add.status, StatusCode::FORBIDDEN, "a Global Reader cannot add users");
}
