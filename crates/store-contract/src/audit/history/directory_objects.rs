//! History steps on the directory's objects: users, licences, groups, roles, tokens, apps
//! and the organisation's settings.

use super::{FIRST_ADMIN, SYSTEM};
use crate::audit::ledger::Ledger;
use crate::lifecycle::{Fixture, caller_with, new_user};
use directory::app::AppRegistration;
use directory::audit::AuditAction as A;
use directory::group::{GroupLink, NewGroup};
use directory::ids::{GroupId, SkuId};
use directory::license::{LicenseAssignment, NewSku};
use directory::mail::{CredentialDelivery, MailSettingsUpdate, PublicUrl};
use directory::password::Password;
use directory::role::{AdminRole, RoleSet};
use directory::tenant::TenantSettings;
use directory::user::{PasswordChoice, UsageLocation, User, UserUpdate};
use time::Duration;

/// Adele's password after the admin reset it.
pub(super) const ADELE_PASSWORD: &str = "adele's reset passphrase";
/// Everyone else's password (from `new_user`).
pub(super) const PASSWORD: &str = "a long enough passphrase";

/// The users, group and subscription the later steps work on.
pub(super) struct People {
    pub(super) adele: User,
    pub(super) bob: User,
    pub(super) carol: User,
    pub(super) bulk: Vec<User>,
    pub(super) gina: User,
    pub(super) harry: User,
    pub(super) group: Option<GroupId>,
    pub(super) sku: Option<SkuId>,
}

async fn create(fx: &Fixture, ledger: &mut Ledger, upn: &str) -> User {
    let user = fx.create(upn).await;
    ledger.done(A::AddUser, SYSTEM, upn);
    ledger.check(fx, &format!("create {upn}")).await;
    user
}

pub(super) async fn users(fx: &Fixture, ledger: &mut Ledger) -> People {
    let mut people = People {
        adele: create(fx, ledger, "adele@contoso.com").await,
        bob: create(fx, ledger, "bob@contoso.com").await,
        carol: create(fx, ledger, "carol@contoso.com").await,
        bulk: Vec::new(),
        gina: create(fx, ledger, "gina@contoso.com").await,
        harry: create(fx, ledger, "harry@contoso.com").await,
        group: None,
        sku: None,
    };
    for name in ["dave", "erin", "frank"] {
        people
            .bulk
            .push(create(fx, ledger, &format!("{name}@contoso.com")).await);
    }
    let taken = fx.directory.create_user(&fx.admin, new_user("Adele@contoso.com")).await;
    assert!(taken.is_err());
    ledger.check(fx, "create a taken UPN is refused").await;
    let added = fx
        .directory
        .add_user(&fx.admin, new_user("ivy@contoso.com"), vec![])
        .await;
    assert!(added.unwrap().license_error.is_none());
    ledger.done(A::AddUser, SYSTEM, "ivy@contoso.com");
    ledger.check(fx, "add a user from the admin center").await;
    updates(fx, ledger, &mut people).await;
    people
}

async fn updates(fx: &Fixture, ledger: &mut Ledger, people: &mut People) {
    let adele = people.adele.id;
    let renamed = UserUpdate {
        display_name: Some("Adele Vance".into()),
        usage_location: Some(Some(UsageLocation::parse("US").unwrap())),
        ..UserUpdate::default()
    };
    people.adele = fx.directory.update_user(&fx.admin, adele, renamed).await.unwrap();
    ledger.done(A::UpdateUser, SYSTEM, "adele@contoso.com");
    ledger.check(fx, "update a user").await;
    fx.directory
        .update_user(&fx.admin, adele, UserUpdate::default())
        .await
        .unwrap();
    ledger.check(fx, "an update that changes nothing").await;
    let same_name = UserUpdate {
        display_name: Some("Adele Vance".into()),
        ..UserUpdate::default()
    };
    fx.directory.update_user(&fx.admin, adele, same_name).await.unwrap();
    ledger.check(fx, "an update to the values it has").await;

    let password = Password::parse(ADELE_PASSWORD, None).unwrap();
    let choice = PasswordChoice::Set(password);
    fx.directory
        .reset_password(&fx.admin, adele, choice, false)
        .await
        .unwrap();
    ledger.done(A::ResetPassword, SYSTEM, "adele@contoso.com");
    ledger.secret(ADELE_PASSWORD);
    ledger.check(fx, "reset a password").await;
    let generated = fx
        .directory
        .reset_password(&fx.admin, people.carol.id, PasswordChoice::Generate, true)
        .await
        .unwrap()
        .expect("a generated password");
    ledger.done(A::ResetPassword, SYSTEM, "carol@contoso.com");
    ledger.secret(generated.expose());
    ledger.check(fx, "reset a password to a generated one").await;
}

pub(super) async fn licences_groups_and_roles(fx: &Fixture, ledger: &mut Ledger, people: &mut People) {
    let sku = subscription(fx, ledger).await;
    people.sku = Some(sku);
    licences(fx, ledger, people, sku).await;
    people.group = Some(group(fx, ledger, people).await);
    roles(fx, ledger, people).await;
}

async fn subscription(fx: &Fixture, ledger: &mut Ledger) -> SkuId {
    let new = NewSku {
        id: None,
        part_number: "ENTERPRISEPACK".into(),
        prepaid_units: 2,
        service_plans: vec![],
    };
    let sku = fx.directory.add_subscription(&fx.admin, new).await.unwrap();
    ledger.done(A::AddSubscription, SYSTEM, "ENTERPRISEPACK");
    ledger.check(fx, "add a subscription").await;
    fx.directory.set_prepaid_units(&fx.admin, sku.id, 3).await.unwrap();
    ledger.done(A::UpdateSubscription, SYSTEM, "ENTERPRISEPACK");
    ledger.check(fx, "change a subscription's seats").await;
    assert!(fx.directory.set_prepaid_units(&fx.admin, sku.id, -1).await.is_err());
    ledger.check(fx, "negative seats are refused").await;
    sku.id
}

async fn licences(fx: &Fixture, ledger: &mut Ledger, people: &People, sku: SkuId) {
    let license = || {
        vec![LicenseAssignment {
            sku_id: sku,
            disabled_plans: vec![],
        }]
    };
    let d = &fx.directory;
    d.assign_license(&fx.admin, people.adele.id, license(), vec![])
        .await
        .unwrap();
    ledger.done(A::ChangeLicense, SYSTEM, "adele@contoso.com");
    ledger.check(fx, "assign a licence").await;
    let no_location = d.assign_license(&fx.admin, people.bob.id, license(), vec![]).await;
    assert!(no_location.is_err());
    ledger.check(fx, "a licence without a usage location is refused").await;
    d.assign_license(&fx.admin, people.adele.id, vec![], vec![])
        .await
        .unwrap();
    ledger.check(fx, "a licence change that changes nothing").await;
}

async fn group(fx: &Fixture, ledger: &mut Ledger, people: &People) -> GroupId {
    let d = &fx.directory;
    let group = d
        .create_group(&fx.admin, NewGroup::new("Sales", "sales"))
        .await
        .unwrap();
    ledger.done(A::AddGroup, SYSTEM, "Sales");
    ledger.check(fx, "create a group").await;
    let reader = caller_with(&[AdminRole::GlobalReader]);
    assert!(d.create_group(&reader, NewGroup::new("Ops", "ops")).await.is_err());
    ledger.check(fx, "a reader cannot create a group").await;
    let (adele, bob) = (people.adele.id, people.bob.id);
    d.add_to_group(&fx.admin, group.id, GroupLink::Member, adele)
        .await
        .unwrap();
    ledger.done(A::AddGroupMember, SYSTEM, "Sales");
    ledger.check(fx, "add a member").await;
    assert!(
        d.add_to_group(&fx.admin, group.id, GroupLink::Member, adele)
            .await
            .is_err()
    );
    ledger.check(fx, "adding a member twice is refused").await;
    d.add_to_group(&fx.admin, group.id, GroupLink::Owner, bob)
        .await
        .unwrap();
    ledger.done(A::AddGroupOwner, SYSTEM, "Sales");
    ledger.check(fx, "add an owner").await;
    d.remove_from_group(&fx.admin, group.id, GroupLink::Owner, bob)
        .await
        .unwrap();
    ledger.done(A::RemoveGroupOwner, SYSTEM, "Sales");
    ledger.check(fx, "remove an owner").await;
    assert!(
        d.remove_from_group(&fx.admin, group.id, GroupLink::Owner, bob)
            .await
            .is_err()
    );
    ledger.check(fx, "removing an owner twice is refused").await;
    group.id
}

async fn roles(fx: &Fixture, ledger: &mut Ledger, people: &People) {
    let d = &fx.directory;
    let (adele, bob) = (&people.adele, &people.bob);
    d.assign_role(&fx.admin, adele.id, AdminRole::UserAdministrator)
        .await
        .unwrap();
    ledger.done(A::AddRoleMember, SYSTEM, "adele@contoso.com");
    ledger.check(fx, "assign a role").await;
    let twice = d.assign_role(&fx.admin, adele.id, AdminRole::UserAdministrator).await;
    assert!(twice.is_err());
    ledger.check(fx, "assigning a role twice is refused").await;
    d.assign_role(&fx.admin, bob.id, AdminRole::HelpdeskAdministrator)
        .await
        .unwrap();
    ledger.done(A::AddRoleMember, SYSTEM, "bob@contoso.com");
    d.unassign_role(&fx.admin, bob.id, AdminRole::HelpdeskAdministrator)
        .await
        .unwrap();
    ledger.done(A::RemoveRoleMember, SYSTEM, "bob@contoso.com");
    ledger.check(fx, "assign and remove a role").await;
    let admin = d.user_by_id_or_upn(&fx.admin, FIRST_ADMIN).await.unwrap();
    let last = d
        .unassign_role(&fx.admin, admin.id, AdminRole::GlobalAdministrator)
        .await;
    assert!(last.is_err());
    ledger.check(fx, "the last Global Administrator keeps its role").await;
}

pub(super) async fn tokens_and_apps(fx: &Fixture, ledger: &mut Ledger, people: &People) {
    let d = &fx.directory;
    let roles = RoleSet::new([AdminRole::GlobalReader]);
    let token = d
        .issue_service_token(&fx.admin, "ci", roles, Duration::days(30))
        .await
        .unwrap();
    ledger.done(A::IssueToken, SYSTEM, "ci");
    ledger.secret(token.secret.expose());
    ledger.check(fx, "issue a service token").await;
    d.revoke_token(&fx.admin, token.record.id).await.unwrap();
    ledger.done(A::RevokeToken, SYSTEM, token.record.id);
    ledger.check(fx, "revoke a token").await;
    assert!(d.revoke_token(&fx.admin, token.record.id).await.is_err());
    ledger.check(fx, "revoking twice is refused").await;
    let for_adele = d
        .issue_user_token(&fx.admin, people.adele.id, Duration::hours(1))
        .await
        .unwrap();
    ledger.done(A::IssueToken, SYSTEM, "adele@contoso.com");
    ledger.secret(for_adele.secret.expose());
    ledger.check(fx, "issue a token for a user").await;
    apps(fx, ledger).await;
}

async fn apps(fx: &Fixture, ledger: &mut Ledger) {
    let d = &fx.directory;
    let roles = RoleSet::new([AdminRole::UserAdministrator]);
    let (app, secret): (AppRegistration, _) = d.create_app(&fx.admin, "Payroll", roles).await.unwrap();
    ledger.done(A::AddApplication, SYSTEM, "Payroll");
    ledger.secret(secret.expose());
    ledger.check(fx, "register an app").await;
    let second = d.add_app_secret(&fx.admin, app.id, None).await.unwrap();
    ledger.done(A::AddApplicationSecret, SYSTEM, "Payroll");
    ledger.secret(second.expose());
    ledger.check(fx, "add an app secret").await;
    let fewer = RoleSet::new([AdminRole::GlobalReader]);
    d.set_app_roles(&fx.admin, app.id, fewer).await.unwrap();
    ledger.done(A::UpdateApplication, SYSTEM, "Payroll");
    ledger.check(fx, "change an app's roles").await;
    let token = d.issue_app_token(app.client_id, second.expose()).await.unwrap();
    ledger.done(A::IssueToken, "app:Payroll", "Payroll");
    ledger.secret(token.secret.expose());
    ledger.check(fx, "an app signs in").await;
    assert!(d.issue_app_token(app.client_id, "not the secret").await.is_err());
    ledger.refused(A::IssueToken, "app:Payroll", "Payroll");
    ledger.check(fx, "an app with a wrong secret is refused").await;
    assert!(d.issue_app_token(uuid::Uuid::new_v4(), "not the secret").await.is_err());
    ledger.check(fx, "an unknown client id names nothing").await;
    d.delete_app(&fx.admin, app.id).await.unwrap();
    ledger.done(A::DeleteApplication, SYSTEM, "Payroll");
    ledger.check(fx, "delete an app").await;
}

pub(super) async fn tenant_settings(fx: &Fixture, ledger: &mut Ledger) {
    let d = &fx.directory;
    let renamed = TenantSettings {
        name: Some("Contoso Ltd".into()),
        ..TenantSettings::default()
    };
    d.update_tenant(&fx.admin, renamed).await.unwrap();
    ledger.done(A::UpdateTenant, SYSTEM, "Contoso");
    ledger.check(fx, "rename the organisation").await;
    d.update_tenant(&fx.admin, TenantSettings::default()).await.unwrap();
    ledger.check(fx, "a settings change that changes nothing").await;
    let mail = MailSettingsUpdate {
        public_url: Some(Some(PublicUrl::parse("https://roster.contoso.com").unwrap())),
        credentials: Some(CredentialDelivery::Link),
        purge_reminders: Some(true),
        ..MailSettingsUpdate::default()
    };
    d.update_mail_settings(&fx.admin, mail).await.unwrap();
    ledger.done(A::UpdateTenant, SYSTEM, "Contoso Ltd");
    ledger.check(fx, "change the mail settings").await;
    d.update_mail_settings(&fx.admin, MailSettingsUpdate::default())
        .await
        .unwrap();
    ledger.check(fx, "a mail settings change that changes nothing").await;
}
