//! Table-driven tests of restore planning: no database, just values.

use super::*;
use crate::address::OwnerKind;
use crate::tenant::{LicenseOverage, Retention};
use crate::upn::DomainName;
use time::Duration;
use time::macros::datetime;

const DELETED_AT: Timestamp = datetime!(2026-03-01 12:00:00 UTC);

fn tenant() -> Tenant {
    Tenant {
        id: uuid::Uuid::nil(),
        name: "Contoso".into(),
        domains: vec![
            DomainName::parse("contoso.com").unwrap(),
            DomainName::parse("fabrikam.com").unwrap(),
        ],
        retention: Retention::DEFAULT,
        license_overage: LicenseOverage::Refuse,
        created_at: DELETED_AT,
    }
}

fn user(upn: &str, addresses: &[&str]) -> User {
    let mut user = User::new(UserPrincipalName::parse(upn).unwrap(), "Adele Vance", DELETED_AT);
    user.proxy_addresses = ProxyAddresses::parse_all(addresses.iter().copied()).unwrap();
    user
}

fn deleted(upn: &str, addresses: &[&str]) -> DeletedUser {
    DeletedUser {
        user: user(upn, addresses),
        deleted_at: DELETED_AT,
        addresses_released: false,
    }
}

fn holder(key: &str) -> AddressHolder {
    AddressHolder {
        key: key.into(),
        owner_id: uuid::Uuid::now_v7(),
        owner_kind: OwnerKind::User,
        owner_deleted: false,
    }
}

fn plan(
    deleted: &DeletedUser,
    upn_holder: Option<&User>,
    holders: &[AddressHolder],
    options: &RestoreOptions,
    now: Timestamp,
) -> Result<RestorePlan, Error> {
    let claims = Claims {
        upn_holder,
        address_holders: holders,
    };
    plan_restore(deleted, &tenant(), &claims, options, now)
}

fn addresses(plan: &RestorePlan) -> Vec<String> {
    plan.user.proxy_addresses.iter().map(ToString::to_string).collect()
}

#[test]
fn restorable_until_one_instant_before_the_retention_ends() {
    let adele = deleted("adele@contoso.com", &["SMTP:adele@contoso.com"]);
    let end = DELETED_AT + Duration::days(30);
    let options = RestoreOptions::default();
    assert!(plan(&adele, None, &[], &options, end - Duration::seconds(1)).is_ok());
    let at_end = plan(&adele, None, &[], &options, end).unwrap_err();
    assert!(matches!(at_end, Error::NotFound { .. }));
}

#[test]
fn upn_conflict_fails_by_default_and_names_the_holder() {
    let adele = deleted("adele@contoso.com", &["SMTP:adele@contoso.com"]);
    let newcomer = user("Adele@contoso.com", &[]);
    let error = plan(&adele, Some(&newcomer), &[], &RestoreOptions::default(), DELETED_AT).unwrap_err();
    match error {
        Error::UpnTaken { upn, holder } => {
            assert_eq!(upn, "adele@contoso.com");
            assert_eq!(holder.unwrap().object_id, newcomer.id.0);
        }
        other => panic!("expected a UPN conflict, got {other:?}"),
    }
}

#[test]
fn replace_active_keeps_the_upn_and_names_the_user_to_rename() {
    let adele = deleted("adele@contoso.com", &["SMTP:adele@contoso.com"]);
    let newcomer = user("adele@contoso.com", &[]);
    let options = RestoreOptions {
        on_upn_conflict: ConflictResolution::ReplaceActive,
        ..Default::default()
    };
    let planned = plan(&adele, Some(&newcomer), &[], &options, DELETED_AT).unwrap();
    assert_eq!(planned.user.upn.to_string(), "adele@contoso.com");
    assert_eq!(planned.replaced.unwrap().id, newcomer.id);
}

#[test]
fn a_new_upn_becomes_the_primary_address_and_keeps_the_old_one() {
    let adele = deleted("adele@contoso.com", &["SMTP:adele@contoso.com"]);
    let options = RestoreOptions {
        new_upn: Some(UserPrincipalName::parse("adele.vance@fabrikam.com").unwrap()),
        ..Default::default()
    };
    let planned = plan(&adele, None, &[], &options, DELETED_AT).unwrap();
    assert_eq!(planned.user.upn.to_string(), "adele.vance@fabrikam.com");
    assert_eq!(
        addresses(&planned),
        ["SMTP:adele.vance@fabrikam.com", "smtp:adele@contoso.com"]
    );
}

#[test]
fn a_new_upn_in_an_unverified_domain_is_refused() {
    let adele = deleted("adele@contoso.com", &[]);
    let options = RestoreOptions {
        new_upn: Some(UserPrincipalName::parse("adele@elsewhere.org").unwrap()),
        ..Default::default()
    };
    let error = plan(&adele, None, &[], &options, DELETED_AT).unwrap_err();
    assert_eq!(error.code(), crate::error::Code::UnverifiedDomain);
}

#[test]
fn proxy_conflict_fails_without_reconcile() {
    let adele = deleted(
        "adele@contoso.com",
        &["SMTP:adele@contoso.com", "smtp:sales@contoso.com"],
    );
    let holders = [holder("smtp:sales@contoso.com")];
    let error = plan(&adele, None, &holders, &RestoreOptions::default(), DELETED_AT).unwrap_err();
    match error {
        Error::AddressTaken { address, holder } => {
            assert_eq!(address, "sales@contoso.com");
            assert_eq!(holder.unwrap().object_id, holders[0].owner_id);
        }
        other => panic!("expected an address conflict, got {other:?}"),
    }
}

#[test]
fn reconcile_drops_only_conflicting_addresses_and_promotes_the_upn_address() {
    let adele = deleted(
        "adele@contoso.com",
        &[
            "SMTP:av@contoso.com",
            "smtp:sales@contoso.com",
            "smtp:adele@contoso.com",
        ],
    );
    let holders = [holder("smtp:av@contoso.com"), holder("smtp:sales@contoso.com")];
    let options = RestoreOptions {
        auto_reconcile_proxies: true,
        ..Default::default()
    };
    let planned = plan(&adele, None, &holders, &options, DELETED_AT).unwrap();
    assert_eq!(addresses(&planned), ["SMTP:adele@contoso.com"]);
    assert_eq!(planned.removed_addresses.len(), 2);
    assert_eq!(planned.promoted_primary.unwrap().to_string(), "adele@contoso.com");
}

#[test]
fn the_users_own_reservations_are_not_conflicts() {
    let adele = deleted("adele@contoso.com", &["SMTP:adele@contoso.com"]);
    let mut own = holder("smtp:adele@contoso.com");
    own.owner_id = adele.user.id.0;
    own.owner_deleted = true;
    let planned = plan(&adele, None, &[own], &RestoreOptions::default(), DELETED_AT).unwrap();
    assert!(planned.removed_addresses.is_empty());
}

#[test]
fn synced_users_are_refused() {
    let mut synced = deleted("adele@contoso.com", &[]);
    synced.user.on_premises_sync_enabled = Some(true);
    let error = plan(&synced, None, &[], &RestoreOptions::default(), DELETED_AT).unwrap_err();
    assert_eq!(error.code(), crate::error::Code::SyncedObjectReadOnly);
    assert!(
        error
            .to_string()
            .contains("on-premises mastered Directory Sync objects")
    );
}

#[test]
fn a_password_reset_sets_the_force_change_flag_and_keep_leaves_it() {
    let mut adele = deleted("adele@contoso.com", &[]);
    adele.user.force_change_password = true;
    let keep = plan(&adele, None, &[], &RestoreOptions::default(), DELETED_AT).unwrap();
    assert!(keep.user.force_change_password);
    let generate = RestoreOptions {
        password: PasswordReset::Generate,
        force_change_password: false,
        ..Default::default()
    };
    assert!(
        !plan(&adele, None, &[], &generate, DELETED_AT)
            .unwrap()
            .user
            .force_change_password
    );
}

#[test]
fn replaced_upns_fit_the_length_limit_and_count_attempts() {
    let upn = UserPrincipalName::parse(&format!("{}@contoso.com", "a".repeat(64))).unwrap();
    let at = datetime!(2026-11-25 10:00:00 UTC);
    let first = replaced_upn(&upn, at, 1).unwrap();
    assert!(first.local().ends_with(".replaced.20261125"));
    assert_eq!(first.local().len(), 64);
    let short = UserPrincipalName::parse("adele@contoso.com").unwrap();
    assert_eq!(
        replaced_upn(&short, at, 3).unwrap().to_string(),
        "adele.replaced.20261125-3@contoso.com"
    );
}

#[test]
fn only_addresses_another_object_can_hold_are_contested() {
    let own = ["SMTP:adele@contoso.com", "smtp:av@contoso.com"];
    let kept = deleted("adele@contoso.com", &own);
    let new_upn = |upn: &str| RestoreOptions {
        new_upn: Some(UserPrincipalName::parse(upn).unwrap()),
        ..RestoreOptions::default()
    };
    let none: Vec<String> = Vec::new();
    assert_eq!(contested_address_keys(&kept, &RestoreOptions::default()), none);
    assert_eq!(
        contested_address_keys(&kept, &new_upn("AV@contoso.com")),
        none,
        "its own"
    );
    assert_eq!(
        contested_address_keys(&kept, &new_upn("adele.v@fabrikam.com")),
        vec!["smtp:adele.v@fabrikam.com".to_owned()]
    );
    let released = DeletedUser {
        addresses_released: true,
        ..kept.clone()
    };
    for options in [RestoreOptions::default(), new_upn("adele.v@fabrikam.com")] {
        assert_eq!(
            contested_address_keys(&released, &options),
            wanted_address_keys(&released, &options),
            "a released user's addresses may be anyone's"
        );
    }
}
