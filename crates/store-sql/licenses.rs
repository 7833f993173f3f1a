//! Subscriptions (SKUs) with their seat counter, and users' licence assignments.

use crate::codec::{plans_from_text, plans_to_text, uuids_from_text, uuids_to_text};
use crate::tx::Conn;
use crate::{Db, classify};
use directory::ids::{SkuId, UserId};
use directory::license::{LicenseAssignment, Sku};
use directory::store::StoreError;
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct SkuRow {
    id: Uuid,
    part_number: String,
    prepaid_units: i64,
    consumed_units: i64,
    service_plans: String,
}

impl SkuRow {
    fn decode(self) -> Result<Sku, StoreError> {
        Ok(Sku {
            id: SkuId(self.id),
            part_number: self.part_number,
            prepaid_units: self.prepaid_units,
            consumed_units: self.consumed_units,
            service_plans: plans_from_text(&self.service_plans)?,
        })
    }
}

/// All subscriptions, by part number.
pub(crate) async fn skus(c: &mut Conn) -> Result<Vec<Sku>, StoreError> {
    let rows = sqlx::query_as::<Db, SkuRow>(
        "SELECT id, part_number, prepaid_units, consumed_units, service_plans FROM skus ORDER BY part_number",
    )
    .fetch_all(&mut *c)
    .await
    .map_err(classify)?;
    rows.into_iter().map(SkuRow::decode).collect()
}

/// One subscription.
pub(crate) async fn sku(c: &mut Conn, id: SkuId) -> Result<Option<Sku>, StoreError> {
    let row = sqlx::query_as::<Db, SkuRow>(
        "SELECT id, part_number, prepaid_units, consumed_units, service_plans FROM skus WHERE id = $1",
    )
    .bind(id.0)
    .fetch_optional(&mut *c)
    .await
    .map_err(classify)?;
    row.map(SkuRow::decode).transpose()
}

/// Inserts a subscription; a duplicate part number is a conflict.
pub(crate) async fn insert_sku(c: &mut Conn, sku: &Sku) -> Result<(), StoreError> {
    sqlx::query::<Db>(
        "INSERT INTO skus (id, part_number, prepaid_units, consumed_units, service_plans) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(sku.id.0)
    .bind(sku.part_number.clone())
    .bind(sku.prepaid_units)
    .bind(sku.consumed_units)
    .bind(plans_to_text(&sku.service_plans))
    .execute(&mut *c)
    .await
    .map_err(classify)?;
    Ok(())
}

/// Sets the seats bought; false if the subscription does not exist.
pub(crate) async fn set_prepaid_units(c: &mut Conn, id: SkuId, prepaid_units: i64) -> Result<bool, StoreError> {
    let done = sqlx::query::<Db>("UPDATE skus SET prepaid_units = $2 WHERE id = $1")
        .bind(id.0)
        .bind(prepaid_units)
        .execute(&mut *c)
        .await
        .map_err(classify)?;
    Ok(done.rows_affected() > 0)
}

/// Takes a seat with one conditional update, so two writers never take the last seat twice.
pub(crate) async fn take_seat(c: &mut Conn, id: SkuId, allow_overage: bool) -> Result<bool, StoreError> {
    let sql = if allow_overage {
        "UPDATE skus SET consumed_units = consumed_units + 1 WHERE id = $1"
    } else {
        "UPDATE skus SET consumed_units = consumed_units + 1 WHERE id = $1 AND consumed_units < prepaid_units"
    };
    let done = sqlx::query::<Db>(sql)
        .bind(id.0)
        .execute(&mut *c)
        .await
        .map_err(classify)?;
    Ok(done.rows_affected() > 0)
}

/// Adds `count` to `consumed_units` if it is still `consumed_before`.
pub(crate) async fn take_seats(c: &mut Conn, id: SkuId, consumed_before: i64, count: i64) -> Result<bool, StoreError> {
    let done =
        sqlx::query::<Db>("UPDATE skus SET consumed_units = consumed_units + $3 WHERE id = $1 AND consumed_units = $2")
            .bind(id.0)
            .bind(consumed_before)
            .bind(count)
            .execute(&mut *c)
            .await
            .map_err(classify)?;
    Ok(done.rows_affected() > 0)
}

/// Frees a seat; the counter never goes below zero.
pub(crate) async fn release_seat(c: &mut Conn, id: SkuId) -> Result<(), StoreError> {
    sqlx::query::<Db>("UPDATE skus SET consumed_units = consumed_units - 1 WHERE id = $1 AND consumed_units > 0")
        .bind(id.0)
        .execute(&mut *c)
        .await
        .map_err(classify)?;
    Ok(())
}

/// Assigns a licence; a second assignment of the same SKU is a conflict.
pub(crate) async fn add_license(c: &mut Conn, user: UserId, license: &LicenseAssignment) -> Result<(), StoreError> {
    sqlx::query::<Db>("INSERT INTO license_assignments (user_id, sku_id, disabled_plans) VALUES ($1, $2, $3)")
        .bind(user.0)
        .bind(license.sku_id.0)
        .bind(uuids_to_text(&license.disabled_plans))
        .execute(&mut *c)
        .await
        .map_err(classify)?;
    Ok(())
}

/// Removes a licence assignment; false if there was none.
pub(crate) async fn remove_license(c: &mut Conn, user: UserId, sku: SkuId) -> Result<bool, StoreError> {
    let done = sqlx::query::<Db>("DELETE FROM license_assignments WHERE user_id = $1 AND sku_id = $2")
        .bind(user.0)
        .bind(sku.0)
        .execute(&mut *c)
        .await
        .map_err(classify)?;
    Ok(done.rows_affected() > 0)
}

/// Licence assignments of a user in any state.
pub(crate) async fn licenses_of(c: &mut Conn, user: UserId) -> Result<Vec<LicenseAssignment>, StoreError> {
    let rows: Vec<(Uuid, String)> = sqlx::query_as::<Db, (Uuid, String)>(
        "SELECT sku_id, disabled_plans FROM license_assignments WHERE user_id = $1 ORDER BY sku_id",
    )
    .bind(user.0)
    .fetch_all(&mut *c)
    .await
    .map_err(classify)?;
    rows.into_iter()
        .map(|(sku_id, plans)| {
            Ok(LicenseAssignment {
                sku_id: SkuId(sku_id),
                disabled_plans: uuids_from_text(&plans)?,
            })
        })
        .collect()
}
