//! The seed's steps as a person does them in the browser (Users > Deleted users, select,
//! Restore, the password prompts, the preview, the results), and the setup that puts
//! users in the recycle bin through the directory's use cases.

use crate::scenario::Scenario;
use crate::support::{PASSWORD, WebApp};
use directory::Caller;
use directory::address::EmailAddress;
use directory::ids::UserId;
use directory::password::Password;
use directory::role::AdminRole;
use directory::upn::UserPrincipalName;
use directory::user::{NewUser, User};

/// How the password step is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PasswordStep<'a> {
    /// "Auto-generate password" (the default), with "change at first sign-in".
    Auto,
    /// "Let me create the password", without a forced change.
    Manual(&'a str),
    /// Keep the password the user had.
    Keep,
}

/// A user in the recycle bin: created with these roles, then deleted (its addresses kept).
pub(crate) async fn deleted_user(app: &WebApp, alias: &str, name: &str, roles: &[AdminRole]) -> User {
    let user = app.user(alias, name, roles).await;
    app.directory
        .delete_user(&Caller::system(), user.id, false)
        .await
        .unwrap();
    user
}

/// A new active user `<alias>@contoso.com` with extra e-mail aliases.
pub(crate) async fn user_with_aliases(app: &WebApp, alias: &str, name: &str, aliases: &[&str]) -> User {
    let upn = UserPrincipalName::parse(&format!("{alias}@contoso.com")).unwrap();
    let mut new = NewUser::new(upn, name, Password::parse(PASSWORD, None).unwrap());
    new.aliases = aliases.iter().map(|a| EmailAddress::parse(a).unwrap()).collect();
    app.directory.create_user(&Caller::system(), new).await.unwrap()
}

impl Scenario {
    /// Signs in as an admin (password [`PASSWORD`]) and waits for the admin center.
    pub(crate) async fn admin_signs_in(&mut self, alias: &str) {
        self.sign_in(&format!("{alias}@contoso.com"), PASSWORD).await;
        self.wait_path("/admin").await;
    }

    /// "In the admin center, go to the Users > Deleted users page": the navigation link.
    pub(crate) async fn go_to_deleted_users(&mut self) {
        let link = self.web.wait_for("nav a[href=\"/admin/deleted-users\"]").await;
        self.web.click(&link).await;
        self.wait_path("/admin/deleted-users").await;
        self.id("deleted-users").await;
        self.shot("deleted-users").await;
    }

    /// "Select the names of the users that you want to restore, and then select Restore."
    pub(crate) async fn select_and_restore(&mut self, users: &[UserId]) {
        for id in users {
            self.click(&format!("select-{id}")).await;
        }
        self.shot("selected").await;
        self.click("restore-selected").await;
        self.id("wizard-step-password").await;
    }

    /// "Follow the prompts to set their password": answers the password step and goes on.
    pub(crate) async fn set_password(&mut self, choice: PasswordStep<'_>) {
        let force = self.id("force-change").await;
        assert_eq!(
            self.web.property(&force, "checked").await,
            true,
            "change at first sign-in is the default"
        );
        match choice {
            PasswordStep::Auto => self.click("password-auto").await,
            PasswordStep::Manual(password) => {
                self.click("password-manual").await;
                self.fill("new-password", password).await;
                self.click("force-change").await;
            }
            PasswordStep::Keep => self.click("password-keep").await,
        }
        self.shot("password").await;
        self.click("next").await;
    }

    /// The preview: waits for it, screenshots it, and selects Restore.
    pub(crate) async fn confirm_preview(&mut self) {
        self.id("wizard-step-preview").await;
        self.shot("preview").await;
        self.click("restore-confirm").await;
        self.id("wizard-results").await;
        self.shot("results").await;
    }

    /// The result status (`restored`, `failed`, …) of one user on the results page.
    pub(crate) async fn result_status(&self, id: UserId) -> String {
        let cell = self.id(&format!("result-status-{id}")).await;
        self.web.attribute(&cell, "data-status").await.unwrap_or_default()
    }

    /// "Review the results, and then select Close": back on Deleted users.
    pub(crate) async fn close_results(&mut self) {
        self.click("close").await;
        self.wait_path("/admin/deleted-users").await;
    }

    /// Signs in as a restored user with a password it must change first, changes it, and
    /// lands on "My account" showing this user name.
    pub(crate) async fn first_sign_in(&mut self, upn: &str, password: &str) {
        self.sign_in(upn, password).await;
        self.wait_path("/account/password").await;
        assert_eq!(self.text("password-forced").await, self.t("password-forced"));
        self.shot("forced-change").await;
        let new = "the restored user's own passphrase";
        self.fill("current", password).await;
        self.fill("new", new).await;
        self.fill("confirm", new).await;
        self.click("save-password").await;
        self.wait_path("/account").await;
        assert_eq!(self.text("account-upn").await, upn);
        self.shot("my-account").await;
    }
}
