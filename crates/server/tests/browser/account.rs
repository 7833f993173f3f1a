//! Signing in and out, the wrong-password message, the forced password change at first
//! sign-in, "My account" and the language of the pages, in a real browser.

use crate::driver::Driver;
use crate::scenario::Scenario;
use crate::support::PASSWORD;
use directory::Caller;
use directory::password::Password;
use directory::user::PasswordChoice;
use roster_i18n::Lang;

async fn wrong_password_then_admin_center_then_sign_out(lang: Lang) {
    let mut s = Scenario::start("sign-in", lang).await;
    s.sign_in("ga@contoso.com", "not the password at all").await;
    assert_eq!(s.text("sign-in-error").await, s.t("sign-in-wrong"));
    if lang == Lang::Nl {
        assert_eq!(s.text("sign-in-error").await, "Uw account of wachtwoord is onjuist.");
    }
    s.shot("wrong-password").await;

    s.sign_in("ga@contoso.com", crate::support::PASSWORD).await;
    s.wait_path("/admin").await;
    assert_eq!(s.web.text_of("main h1").await, s.t("home-title"));
    assert_eq!(s.text("my-account").await, "Gloria Admin");
    s.shot("admin-center").await;

    s.sign_out().await;
    s.shot("signed-out").await;
    s.open("/admin").await;
    s.wait_path("/signin").await;
    assert!(
        s.web.cookie("roster-session").await.is_none(),
        "the session cookie is gone"
    );
    s.finish().await;
}

#[tokio::test]
async fn a_wrong_password_is_refused_then_the_admin_signs_in_and_out_in_english() {
    wrong_password_then_admin_center_then_sign_out(Lang::En).await;
}

#[tokio::test]
async fn a_wrong_password_is_refused_then_the_admin_signs_in_and_out_in_dutch() {
    wrong_password_then_admin_center_then_sign_out(Lang::Nl).await;
}

async fn forced_password_change_at_first_sign_in(lang: Lang) {
    let mut s = Scenario::start("first-sign-in", lang).await;
    let ada = s.app.user("ada", "Ada Lovelace", &[]).await;
    let temporary = "temporary passphrase 9 lives";
    let choice = PasswordChoice::Set(Password::parse(temporary, None).unwrap());
    s.app
        .directory
        .reset_password(&Caller::system(), ada.id, choice, true)
        .await
        .unwrap();

    s.sign_in("ada@contoso.com", temporary).await;
    s.wait_path("/account/password").await;
    assert_eq!(s.text("password-forced").await, s.t("password-forced"));
    s.shot("forced-change").await;
    s.open("/account").await;
    s.wait_path("/account/password").await;

    let new = "a brand new passphrase for ada";
    s.fill("current", temporary).await;
    s.fill("new", new).await;
    s.fill("confirm", "a different passphrase for ada").await;
    s.click("save-password").await;
    assert_eq!(s.text("password-error").await, s.t("password-mismatch"));
    s.shot("passwords-differ").await;

    s.fill("current", temporary).await;
    s.fill("new", new).await;
    s.fill("confirm", new).await;
    s.click("save-password").await;
    s.wait_path("/account").await;
    assert_eq!(s.text("password-changed").await, s.t("password-changed"));
    assert_eq!(s.text("account-upn").await, "ada@contoso.com");
    assert_eq!(s.text("account-name").await, "Ada Lovelace");
    s.shot("my-account").await;

    s.sign_out().await;
    s.sign_in("ada@contoso.com", temporary).await;
    assert_eq!(s.text("sign-in-error").await, s.t("sign-in-wrong"));
    s.sign_in("ada@contoso.com", new).await;
    s.wait_path("/account").await;
    assert!(s.web.find_all("[id=\"password-forced\"]").await.is_empty());
    s.finish().await;
}

#[tokio::test]
async fn a_user_must_change_a_reset_password_at_first_sign_in_in_english() {
    forced_password_change_at_first_sign_in(Lang::En).await;
}

#[tokio::test]
async fn a_user_must_change_a_reset_password_at_first_sign_in_in_dutch() {
    forced_password_change_at_first_sign_in(Lang::Nl).await;
}

#[tokio::test]
async fn the_browsers_language_chooses_dutch_and_the_switcher_goes_back_to_english() {
    let app = crate::support::WebApp::spawn().await;
    let web = Driver::start("nl-NL,nl").await;
    web.goto(&format!("{}/signin", app.origin)).await;
    web.wait_for("html[lang=\"nl-NL\"]").await;
    let button = web.wait_for("[id=\"sign-in\"]").await;
    assert_eq!(web.text(&button).await, "Aanmelden");

    web.click(&web.wait_for("[id=\"switch-language\"]").await).await;
    web.wait_for("html[lang=\"en\"]").await;
    let button = web.wait_for("[id=\"sign-in\"]").await;
    assert_eq!(web.text(&button).await, "Sign in");

    web.type_into(&web.wait_for("[id=\"username\"]").await, "ga@contoso.com")
        .await;
    web.type_into(&web.wait_for("[id=\"password\"]").await, PASSWORD).await;
    web.click(&button).await;
    let heading = web.wait_for("main h1").await;
    assert_eq!(
        web.text(&heading).await,
        "Admin center",
        "the switcher's choice outlives sign-in"
    );
    web.quit().await;
}
