//! Subscriptions (SKUs with seats) and licence assignments.
//!
//! A seat is taken by an assignment to an active user and freed when the user is deleted;
//! the assignment itself stays on the deleted user and is re-applied on restore.
//! `consumed_units` is a counter changed only by conditional updates, so two concurrent
//! assignments can never take the last seat twice.

use crate::ids::SkuId;

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
