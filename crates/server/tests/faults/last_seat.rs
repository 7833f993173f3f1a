//! T06 over HTTP: a subscription with one free seat, and twenty requests that each want it
//! sent at once to two `roster serve` replicas on one PostgreSQL: ten `assignLicense` for
//! active users and ten restores of deleted users who held the licence. Exactly one seat is
//! granted; the other assignments are refused with Graph's error, the other restores
//! succeed without the licence (the default policy), and the consumed count is exact.

use crate::api::{Answer, Api};
use crate::backend::Backend;
use crate::replicas::two_replicas;
use crate::seed::{Seeded, Seeder};
use crate::support::exclusive;
use directory::Caller;
use directory::ids::SkuId;
use directory::license::{LicenseAssignment, NewSku};
use directory::store::Store;
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

const TAKERS: usize = 10;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_requests_for_the_last_seat_on_two_replicas_grant_it_once() {
    let _one = exclusive().await;
    let backend = Backend::postgres();
    let store = backend.open().await;
    let seeder = Seeder::new(store.clone()).await;
    let token = seeder.token().await;
    let sku = one_seat_subscription(&seeder).await;
    let active = seeder.live("t06active", TAKERS).await;
    let deleted = seeder.deleted("t06gone", TAKERS, time::Duration::minutes(5)).await;
    hold_while_deleted(&store, &deleted, sku).await;
    let replicas = two_replicas("t06", &backend, "1h");
    let apis: Vec<Api> = replicas
        .iter()
        .map(|replica| Api::new(&replica.base, &token, Duration::from_secs(30)))
        .collect();
    for user in &active {
        let located = apis[0]
            .send(Method::PATCH, &user_path(user), Some(json!({"usageLocation": "NL"})))
            .await
            .unwrap();
        assert_eq!(located.status, StatusCode::NO_CONTENT, "{located:?}");
    }

    let mut requests = tokio::task::JoinSet::new();
    for (n, user) in active.iter().enumerate() {
        let (api, path) = (apis[n % 2].clone(), format!("{}/assignLicense", user_path(user)));
        let body = json!({"addLicenses": [{"skuId": sku.as_uuid(), "disabledPlans": []}], "removeLicenses": []});
        requests.spawn(async move { (true, api.send(Method::POST, &path, Some(body)).await.unwrap()) });
    }
    for (n, user) in deleted.iter().enumerate() {
        let api = apis[(n + 1) % 2].clone();
        let path = format!("/v1.0/directory/deletedItems/{}/restore", user.id.as_uuid());
        requests.spawn(async move { (false, api.send(Method::POST, &path, None).await.unwrap()) });
    }
    let answers = requests.join_all().await;

    let assigned = answers
        .iter()
        .filter(|(assign, a)| *assign && a.status.is_success())
        .count();
    for (assign, answer) in &answers {
        check_answer(*assign, answer);
    }
    let holders = holders_of(&store, &active, &deleted, sku).await;
    assert_eq!(holders, 1, "exactly one of the twenty holds the last seat");
    assert!(assigned <= holders, "{assigned} assignments answered success");
    println!(
        "T06: the seat went to {}",
        if assigned == 1 { "an assignment" } else { "a restore" }
    );
    assert_eq!(consumed_units(&apis[1], sku).await, 1, "consumed units are exact");
    drop(replicas);
    backend.clean_up().await;
}

/// A second subscription with one seat, which nobody holds yet.
async fn one_seat_subscription(seeder: &Seeder) -> SkuId {
    let sku = NewSku {
        id: None,
        part_number: "LASTSEAT".into(),
        prepaid_units: 1,
        service_plans: Vec::new(),
    };
    seeder
        .directory
        .add_subscription(&Caller::system(), sku)
        .await
        .unwrap()
        .id
}

/// Gives each deleted user the licence too, as if they held it when they were deleted
/// (a deleted user's licences take no seat).
async fn hold_while_deleted(store: &Arc<dyn Store>, deleted: &[Seeded], sku: SkuId) {
    let mut tx = store.begin().await.unwrap();
    for user in deleted {
        let license = LicenseAssignment {
            sku_id: sku,
            disabled_plans: Vec::new(),
        };
        tx.add_license(user.id, &license).await.unwrap();
    }
    tx.commit().await.unwrap();
}

fn user_path(user: &Seeded) -> String {
    format!("/v1.0/users/{}", user.id.as_uuid())
}

/// An assignment either took the seat or was refused as Graph refuses it; every restore
/// succeeds, with or without the licence.
fn check_answer(assign: bool, answer: &Answer) {
    assert!(!answer.status.is_server_error(), "{answer:?}");
    if !assign {
        assert_eq!(answer.status, StatusCode::OK, "a restore: {answer:?}");
    } else if !answer.status.is_success() {
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{answer:?}");
        assert_eq!(answer.error_code(), Some("Request_BadRequest"), "{answer:?}");
    }
}

/// How many of the users hold the licence now (all of them are active by now).
async fn holders_of(store: &Arc<dyn Store>, active: &[Seeded], deleted: &[Seeded], sku: SkuId) -> usize {
    let mut read = store.read().await.unwrap();
    let mut holders = 0;
    for user in active.iter().chain(deleted) {
        assert!(read.user(user.id).await.unwrap().is_some(), "{} is active", user.upn);
        let licenses = read.licenses_of(user.id).await.unwrap();
        holders += licenses.iter().filter(|license| license.sku_id == sku).count();
    }
    holders
}

async fn consumed_units(api: &Api, sku: SkuId) -> i64 {
    let skus = api.get("/v1.0/subscribedSkus").await.unwrap();
    assert_eq!(skus.status, StatusCode::OK, "{skus:?}");
    let wanted = sku.as_uuid().to_string();
    let entry = skus.body["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["skuId"] == wanted.as_str())
        .unwrap_or_else(|| panic!("the subscription is listed: {}", skus.body));
    entry["consumedUnits"].as_i64().unwrap()
}
