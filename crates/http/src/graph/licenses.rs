//! Licences: `/subscribedSkus`, `/users/{id}/assignLicense` and `/users/{id}/licenseDetails`.

use super::auth::Authenticated;
use super::body::GraphJson;
use super::dto;
use super::error::GraphError;
use super::query::QueryOptions;
use crate::AppState;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Json;
use axum::routing::{get, post};
use directory::ids::SkuId;
use directory::license::{LicenseAssignment, Sku};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/subscribedSkus", get(subscribed_skus))
        .route("/users/{key}/assignLicense", post(assign_license))
        .route("/users/{key}/licenseDetails", get(license_details))
}

fn service_plans(sku: &Sku) -> Value {
    sku.service_plans
        .iter()
        .map(|plan| {
            json!({"servicePlanId": plan.id, "servicePlanName": plan.name,
                   "provisioningStatus": "Success", "appliesTo": "User"})
        })
        .collect()
}

async fn subscribed_skus(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    query: QueryOptions,
) -> Result<Json<Value>, GraphError> {
    let tenant = app.directory.tenant().await?;
    let skus = app.directory.subscriptions(&caller).await?;
    let items = skus
        .iter()
        .map(|sku| {
            json!({
                "id": format!("{}_{}", tenant.id, sku.id),
                "skuId": sku.id.to_string(),
                "skuPartNumber": sku.part_number,
                "appliesTo": "User",
                "capabilityStatus": "Enabled",
                "consumedUnits": sku.consumed_units,
                "prepaidUnits": {"enabled": sku.prepaid_units, "suspended": 0, "warning": 0, "lockedOut": 0},
                "servicePlans": service_plans(sku),
            })
        })
        .collect();
    Ok(Json(dto::collection(
        query.context("subscribedSkus", None),
        items,
        None,
        None,
    )))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct AddLicense {
    sku_id: uuid::Uuid,
    #[serde(default)]
    disabled_plans: Vec<uuid::Uuid>,
}

/// Both arrays are required, as in Graph.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct AssignLicense {
    add_licenses: Option<Vec<AddLicense>>,
    remove_licenses: Option<Vec<uuid::Uuid>>,
}

async fn assign_license(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    Path(key): Path<String>,
    query: QueryOptions,
    GraphJson(body): GraphJson<AssignLicense>,
) -> Result<Json<Value>, GraphError> {
    let (Some(add), Some(remove)) = (body.add_licenses, body.remove_licenses) else {
        return Err(GraphError::bad_request(
            "Both addLicenses and removeLicenses are required; send an empty array for none.",
        ));
    };
    let user = app.directory.user_by_id_or_upn(&caller, &key).await?;
    let add = add
        .into_iter()
        .map(|l| LicenseAssignment {
            sku_id: SkuId(l.sku_id),
            disabled_plans: l.disabled_plans,
        })
        .collect();
    let remove = remove.into_iter().map(SkuId).collect();
    app.directory.assign_license(&caller, user.id, add, remove).await?;
    let context = format!("{}/$entity", query.context("users", None));
    Ok(Json(dto::entity(context, dto::user(&user, None))))
}

async fn license_details(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    Path(key): Path<String>,
    query: QueryOptions,
) -> Result<Json<Value>, GraphError> {
    let user = app.directory.user_by_id_or_upn(&caller, &key).await?;
    let assigned = app.directory.licenses_of(&caller, user.id).await?;
    let skus = app.directory.subscriptions(&caller).await?;
    let items = assigned
        .iter()
        .filter_map(|license| skus.iter().find(|sku| sku.id == license.sku_id))
        .map(|sku| {
            json!({"id": sku.id.to_string(), "skuId": sku.id.to_string(),
                   "skuPartNumber": sku.part_number, "servicePlans": service_plans(sku)})
        })
        .collect();
    let context = query.context(&format!("users('{}')/licenseDetails", user.id), None);
    Ok(Json(dto::collection(context, items, None, None)))
}
