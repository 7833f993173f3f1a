//! Subscriptions (SKUs with seats) and licence assignments.
//!
//! A seat is taken by an assignment to an active user and freed when the user is deleted;
//! the assignment itself stays on the deleted user and is re-applied on restore.
//! `consumed_units` is a counter changed only by conditional updates, so two concurrent
//! assignments can never take the last seat twice.

use crate::audit::AuditAction;
use crate::caller::{Caller, Permission};
use crate::directory::{Directory, Target, audit_event};
use crate::error::{Code, Error};
use crate::ids::{SkuId, UserId};
use crate::store::StoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sku {
    pub id: SkuId,
    /// Graph `skuPartNumber`, such as `ENTERPRISEPACK`.
    pub part_number: String,
    /// Seats bought (Graph `prepaidUnits.enabled`).
    pub prepaid_units: i64,
    /// Seats taken by active users (Graph `consumedUnits`); may exceed `prepaid_units`
    /// only under [`crate::tenant::LicenseOverage::Allow`].
    pub consumed_units: i64,
    pub service_plans: Vec<ServicePlan>,
}

impl Sku {
    pub fn free_seats(&self) -> i64 {
        (self.prepaid_units - self.consumed_units).max(0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServicePlan {
    pub id: uuid::Uuid,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseAssignment {
    pub sku_id: SkuId,
    pub disabled_plans: Vec<uuid::Uuid>,
}

/// A subscription the organisation bought.
#[derive(Debug, Clone)]
pub struct NewSku {
    /// Graph's `skuId`; generated when not given.
    pub id: Option<SkuId>,
    pub part_number: String,
    pub prepaid_units: i64,
    pub service_plans: Vec<ServicePlan>,
}

impl Directory {
    pub async fn add_subscription(&self, caller: &Caller, new: NewSku) -> Result<Sku, Error> {
        caller.authorize(Permission::ManageSubscriptions)?;
        let part_number = part_number(&new.part_number)?;
        let sku = Sku {
            id: new.id.unwrap_or_else(SkuId::generate),
            part_number,
            prepaid_units: seats(new.prepaid_units)?,
            consumed_units: 0,
            service_plans: new.service_plans,
        };
        let now = self.now();
        let mut tx = self.store.begin().await?;
        tx.insert_sku(&sku).await.map_err(|e| match e {
            StoreError::Conflict(_) => Error::AlreadyExists {
                what: format!("subscription {}", sku.part_number),
            },
            other => Error::Store(other),
        })?;
        let mut event = audit_event(
            caller,
            now,
            AuditAction::AddSubscription,
            Target::new(sku.id, &sku.part_number),
        );
        event
            .details
            .push(("prepaidUnits".into(), sku.prepaid_units.to_string()));
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(sku)
    }

    /// Changes the number of seats bought. Fewer seats than are in use is allowed (the
    /// organisation is then over-assigned) but never below zero.
    pub async fn set_prepaid_units(&self, caller: &Caller, id: SkuId, prepaid_units: i64) -> Result<Sku, Error> {
        caller.authorize(Permission::ManageSubscriptions)?;
        let prepaid_units = seats(prepaid_units)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !tx.set_prepaid_units(id, prepaid_units).await? {
            return Err(Error::not_found(id));
        }
        let sku = tx.sku(id).await?.ok_or_else(|| Error::not_found(id))?;
        let mut event = audit_event(
            caller,
            now,
            AuditAction::UpdateSubscription,
            Target::new(id, &sku.part_number),
        );
        event.details.push(("prepaidUnits".into(), prepaid_units.to_string()));
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(sku)
    }

    pub async fn subscriptions(&self, caller: &Caller) -> Result<Vec<Sku>, Error> {
        caller.authorize(Permission::ReadDirectory)?;
        Ok(self.store.read().await?.skus().await?)
    }

    /// Licences assigned to an active user.
    pub async fn licenses_of(&self, caller: &Caller, user: UserId) -> Result<Vec<LicenseAssignment>, Error> {
        caller.authorize(Permission::ReadDirectory)?;
        let mut tx = self.store.read().await?;
        tx.user(user).await?.ok_or_else(|| Error::not_found(user))?;
        Ok(tx.licenses_of(user).await?)
    }

    /// Graph `assignLicense`: removes, then adds. Adding needs a usage location and a free
    /// seat; re-adding an assigned SKU only replaces its disabled plans.
    pub async fn assign_license(
        &self,
        caller: &Caller,
        user_id: UserId,
        add: Vec<LicenseAssignment>,
        remove: Vec<SkuId>,
    ) -> Result<Vec<LicenseAssignment>, Error> {
        caller.authorize(Permission::AssignLicense)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let user = tx.user(user_id).await?.ok_or_else(|| Error::not_found(user_id))?;
        if add.is_empty() && remove.is_empty() {
            // Nothing changes, so nothing is audited.
            return Ok(tx.licenses_of(user_id).await?);
        }
        if !add.is_empty() && user.usage_location.is_none() {
            return Err(Error::invalid(
                Code::UsageLocationRequired,
                "usageLocation",
                "License assignment cannot be done for user with invalid usage location.",
            ));
        }
        let mut event = audit_event(caller, now, AuditAction::ChangeLicense, Target::new(user_id, &user.upn));
        for sku in remove {
            if !tx.remove_license(user_id, sku).await? {
                return Err(Error::invalid(
                    Code::InvalidValue,
                    "removeLicenses",
                    format!("License {sku} is not assigned to the user."),
                ));
            }
            tx.release_seat(sku).await?;
            event.details.push(("removed".into(), sku.to_string()));
        }
        let held: Vec<SkuId> = tx.licenses_of(user_id).await?.iter().map(|l| l.sku_id).collect();
        for license in add {
            tx.sku(license.sku_id)
                .await?
                .ok_or_else(|| Error::not_found(license.sku_id))?;
            if held.contains(&license.sku_id) {
                tx.remove_license(user_id, license.sku_id).await?;
            } else if !tx.take_seat(license.sku_id, false).await? {
                return Err(Error::invalid(
                    Code::NoLicenseSeats,
                    "addLicenses",
                    format!("Subscription {} does not have any available licenses.", license.sku_id),
                ));
            }
            tx.add_license(user_id, &license).await?;
            event.details.push(("added".into(), license.sku_id.to_string()));
        }
        tx.append_audit(&event).await?;
        let licenses = tx.licenses_of(user_id).await?;
        tx.commit().await?;
        Ok(licenses)
    }
}

fn part_number(text: &str) -> Result<String, Error> {
    let ok = (1..=64).contains(&text.len()) && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !ok {
        return Err(Error::invalid(
            Code::InvalidValue,
            "skuPartNumber",
            format!("'{text}' is not a valid SKU part number"),
        ));
    }
    Ok(text.to_owned())
}

fn seats(prepaid_units: i64) -> Result<i64, Error> {
    if !(0..=10_000_000).contains(&prepaid_units) {
        return Err(Error::invalid(
            Code::InvalidValue,
            "prepaidUnits",
            "the number of seats must be between 0 and 10000000",
        ));
    }
    Ok(prepaid_units)
}
