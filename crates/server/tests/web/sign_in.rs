//! Sign-in, lockout, CSRF, forced password change, sessions of deleted users, languages.

use crate::support::{PASSWORD, WebApp};
use directory::Caller;
use directory::audit::{AuditAction, AuditQuery};
use directory::password::Password;
use directory::recycle_bin::RestoreOptions;
use directory::role::AdminRole;
use directory::user::PasswordChoice;
use reqwest::StatusCode;
use roster_web::WebConfig;
use time::Duration;

#[tokio::test]
async fn an_admin_signs_in_to_the_admin_center_and_a_user_to_my_account() {
    let app = WebApp::spawn().await;
    app.user("ada", "Ada Lovelace", &[]).await;
    let mut admin = app.signed_in("ga").await;
    let home = admin.get("/").await;
    assert_eq!(home.path, "/admin");
    assert!(home.has_id("home-deleted"), "{}", home.text);

    let mut ada = app.signed_in("ada").await;
    let page = ada.get("/").await;
    assert_eq!(page.path, "/account");
    assert!(page.text.contains("ada@contoso.com"));
    let refused = ada.get("/admin").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.text.contains("You need an admin role"));
}

#[tokio::test]
async fn a_wrong_password_is_refused_with_microsofts_words_and_nothing_is_signed_in() {
    let app = WebApp::spawn().await;
    let mut browser = app.browser();
    let page = browser.sign_in("ga@contoso.com", "not the password at all").await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(page.text.contains("Your account or password is incorrect."));
    assert_eq!(browser.get("/admin").await.path, "/signin");
    let unknown = browser.sign_in("nobody@contoso.com", PASSWORD).await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert!(unknown.text.contains("Your account or password is incorrect."));
    let query = AuditQuery {
        action: Some(AuditAction::SignIn),
        limit: 10,
        ..AuditQuery::default()
    };
    let failures = app.directory.audit_events(&Caller::system(), &query).await.unwrap();
    assert_eq!(failures.len(), 2, "{failures:?}");
    for failure in &failures {
        assert_eq!(
            failure.detail("clientIpAddress"),
            Some("127.0.0.1"),
            "where it came from: {failure:?}"
        );
        assert!(failure.detail("correlationId").is_some(), "{failure:?}");
    }
}

#[tokio::test]
async fn five_failures_lock_sign_in_until_the_lockout_ends() {
    let app = WebApp::spawn().await;
    app.user("ada", "Ada Lovelace", &[]).await;
    let mut browser = app.browser();
    for _ in 0..4 {
        let page = browser.sign_in("ada@contoso.com", "wrong wrong wrong wrong").await;
        assert!(page.text.contains("Your account or password is incorrect."));
    }
    let fifth = browser.sign_in("ada@contoso.com", "wrong wrong wrong wrong").await;
    assert!(fifth.text.contains("temporarily locked"), "{}", fifth.text);
    let right = browser.sign_in("ada@contoso.com", PASSWORD).await;
    assert_eq!(right.status, StatusCode::UNAUTHORIZED);
    assert!(right.text.contains("temporarily locked"));

    app.clock.advance(Duration::minutes(15));
    let page = browser.sign_in("ADA@contoso.com", PASSWORD).await;
    assert_eq!(page.path, "/account", "{}", page.text);

    let query = AuditQuery {
        action: Some(AuditAction::LockSignIn),
        ..AuditQuery::default()
    };
    let locks = app.directory.audit_events(&Caller::system(), &query).await.unwrap();
    assert_eq!(locks.len(), 1);
    assert_eq!(locks[0].target, "ada@contoso.com");
}

#[tokio::test]
async fn failures_older_than_the_window_do_not_count() {
    let app = WebApp::spawn().await;
    app.user("ada", "Ada Lovelace", &[]).await;
    let mut browser = app.browser();
    for _ in 0..4 {
        browser.sign_in("ada@contoso.com", "wrong wrong wrong wrong").await;
    }
    app.clock.advance(Duration::minutes(16));
    let page = browser.sign_in("ada@contoso.com", "wrong wrong wrong wrong").await;
    assert!(page.text.contains("Your account or password is incorrect."));
    assert_eq!(browser.sign_in("ada@contoso.com", PASSWORD).await.path, "/account");
}

#[tokio::test]
async fn forms_without_the_right_csrf_token_are_refused_and_change_nothing() {
    let app = WebApp::spawn().await;
    let mut browser = app.browser();
    browser.get("/signin").await;
    let forged = browser
        .post_raw(
            "/signin",
            &[
                ("username", "ga@contoso.com"),
                ("password", PASSWORD),
                ("csrf", "forged"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.text.contains("This form has expired"));
    assert_eq!(browser.get("/admin").await.path, "/signin");

    let mut admin = app.signed_in("ga").await;
    let refused = admin.post_raw("/signout", &[("csrf", "forged")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        admin.get("/admin").await.path,
        "/admin",
        "the session survives a forged sign-out"
    );
    admin.get("/admin").await;
    let signed_out = admin.post("/signout", &[]).await;
    assert_eq!(signed_out.path, "/signin");
    assert_eq!(admin.get("/admin").await.path, "/signin");
}

#[tokio::test]
async fn a_cross_site_post_is_refused_even_with_a_valid_token() {
    let app = WebApp::spawn().await;
    let mut admin = app.signed_in("ga").await;
    let page = admin.get("/admin").await;
    let csrf = page
        .text
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let response = reqwest::Client::new()
        .post(format!("{}/signout", app.origin))
        .header("origin", "https://evil.example")
        .form(&[("csrf", csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_user_told_to_change_its_password_must_do_so_before_anything_else() {
    let app = WebApp::spawn().await;
    let ada = app.user("ada", "Ada Lovelace", &[AdminRole::UserAdministrator]).await;
    let temporary = Password::parse("temporary passphrase 9 lives", None).unwrap();
    app.directory
        .reset_password(&Caller::system(), ada.id, PasswordChoice::Set(temporary), true)
        .await
        .unwrap();
    let mut browser = app.browser();
    let page = browser.sign_in("ada@contoso.com", "temporary passphrase 9 lives").await;
    assert_eq!(page.path, "/account/password");
    assert!(page.has_id("password-forced"));
    assert_eq!(browser.get("/admin/users").await.path, "/account/password");
    assert_eq!(browser.get("/account").await.path, "/account/password");

    let weak = browser
        .post(
            "/account/password",
            &[
                ("current", "temporary passphrase 9 lives"),
                ("new", "short"),
                ("confirm", "short"),
            ],
        )
        .await;
    assert_eq!(weak.status, StatusCode::BAD_REQUEST);
    assert!(weak.has_id("password-error"));
    let new = "a brand new passphrase for ada";
    let done = browser
        .post(
            "/account/password",
            &[
                ("current", "temporary passphrase 9 lives"),
                ("new", new),
                ("confirm", new),
            ],
        )
        .await;
    assert_eq!(done.path, "/account", "{}", done.text);
    assert!(done.has_id("password-changed"));
    assert_eq!(browser.get("/admin").await.path, "/admin");
    let mut other = app.browser();
    assert_eq!(
        other
            .sign_in("ada@contoso.com", "temporary passphrase 9 lives")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(other.sign_in("ada@contoso.com", new).await.path, "/admin");
}

#[tokio::test]
async fn a_deleted_users_session_stops_and_a_restore_revives_sign_in() {
    let app = WebApp::spawn().await;
    let ada = app.user("ada", "Ada Lovelace", &[]).await;
    let mut browser = app.signed_in("ada").await;
    assert_eq!(browser.get("/account").await.path, "/account");

    app.directory
        .delete_user(&Caller::system(), ada.id, false)
        .await
        .unwrap();
    assert_eq!(browser.get("/account").await.path, "/signin");
    assert_eq!(
        browser.sign_in("ada@contoso.com", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );

    app.directory
        .restore_user(&Caller::system(), ada.id, RestoreOptions::default())
        .await
        .unwrap();
    assert_eq!(browser.sign_in("ada@contoso.com", PASSWORD).await.path, "/account");
}

#[tokio::test]
async fn pages_speak_dutch_from_the_browser_or_the_switcher() {
    let app = WebApp::spawn().await;
    let dutch = reqwest::Client::new()
        .get(format!("{}/signin", app.origin))
        .header("accept-language", "nl-NL,nl;q=0.9,en;q=0.5")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(dutch.contains("lang=\"nl-NL\""));
    assert!(dutch.contains("Aanmelden"));

    let mut browser = app.signed_in("ga").await;
    let switched = browser.get("/lang/nl-NL?back=/admin").await;
    assert_eq!(switched.path, "/admin");
    assert!(switched.text.contains("Beheercentrum"));
    let outside = browser.get("/lang/en?back=https://evil.example/").await;
    assert_eq!(outside.path, "/admin", "a switcher never leaves the site");
}

#[tokio::test]
async fn one_address_trying_many_passwords_is_slowed_down() {
    let app = WebApp::spawn().await;
    let mut browser = app.browser();
    let burst = roster_web::throttle::AttemptLimit::DEFAULT.burst.get();
    for attempt in 0..burst {
        let page = browser
            .sign_in(&format!("user{attempt}@contoso.com"), "wrong wrong wrong wrong")
            .await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    let page = browser.sign_in("ga@contoso.com", PASSWORD).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.text.contains("Too many sign-in attempts"));
}

#[tokio::test]
async fn a_password_spray_over_two_replicas_is_stopped_for_the_address_by_their_shared_count() {
    use directory::user::address_limit::ADDRESS_THRESHOLD;
    use directory::user::sign_in::LOCKOUT_DURATION;
    use roster_web::throttle::AttemptLimit;
    let generous = std::num::NonZeroU32::new(10_000).unwrap();
    let config = WebConfig {
        // Each replica's own limit alone would let the whole spray through.
        attempts: AttemptLimit {
            per_minute: generous,
            burst: generous,
        },
        trusted_proxies: vec!["127.0.0.1/32".parse().unwrap()],
        ..WebConfig::default()
    };
    let app = WebApp::spawn_with(config.clone()).await;
    let replicas = [app.origin.clone(), app.replica(config).await];
    let mut spray = replicas
        .each_ref()
        .map(|origin| WebApp::browser_behind_proxy(origin, "203.0.113.9"));
    for n in 0..ADDRESS_THRESHOLD as usize {
        let name = format!("user{n}@contoso.com");
        let page = spray[n % 2].sign_in(&name, "wrong wrong wrong wrong").await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "attempt {n}");
    }
    for browser in &mut spray {
        let page = browser.sign_in("ga@contoso.com", PASSWORD).await;
        assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS, "{}", page.text);
        assert!(page.text.contains("Too many sign-in attempts"));
    }
    let mut office = WebApp::browser_behind_proxy(&replicas[1], "198.51.100.7");
    assert!(office.sign_in("ga@contoso.com", PASSWORD).await.status.is_success());

    app.clock.advance(LOCKOUT_DURATION);
    assert!(spray[0].sign_in("ga@contoso.com", PASSWORD).await.status.is_success());
}

#[tokio::test]
async fn a_session_ends_after_an_idle_hour_and_a_busy_one_after_eight_hours() {
    let app = WebApp::spawn().await;
    let policy = roster_web::WebConfig::default().sessions;
    assert_eq!((policy.idle, policy.lifetime), (Duration::hours(1), Duration::hours(8)));
    let mut idle = app.signed_in("ga").await;
    let mut busy = app.signed_in("ga").await;
    for step in 1..=15 {
        app.clock.advance(Duration::minutes(30));
        let page = busy.get("/admin").await;
        assert_eq!(page.path, "/admin", "busy, {} minutes in", step * 30);
        if step == 2 {
            let page = idle.get("/admin").await;
            assert_eq!(page.path, "/signin", "idle for an hour");
        }
    }
    app.clock.advance(Duration::minutes(29));
    assert_eq!(busy.get("/admin").await.path, "/admin", "7 h 59 min after sign-in");
    app.clock.advance(Duration::minutes(1));
    assert_eq!(busy.get("/admin").await.path, "/signin", "8 hours after sign-in");
}
