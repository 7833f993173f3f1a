//! A transaction whose process stalls (T12) cannot hold its locks for long: PostgreSQL ends
//! the idle session after 5 s, its transaction rolls back whole, and another process's
//! write on the same row goes through instead of waiting for ever.

mod support;

use directory::store::Store;
use std::time::{Duration, Instant};
use store_postgres::PgStore;

#[tokio::test]
async fn a_stalled_transaction_is_ended_and_rolled_back_so_others_proceed() {
    let schema = support::fresh_schema();
    let stalled = PgStore::connect_in_schema(&support::url(), &schema).await.unwrap();
    let other = PgStore::connect_in_schema(&support::url(), &schema).await.unwrap();
    let ada = support::users(&stalled, &["ada"]).await.remove(0);

    let mut frozen = stalled.begin().await.unwrap();
    let mut half_done = ada.clone();
    half_done.display_name = "Half done".into();
    frozen.update_user(&half_done).await.unwrap();
    // `frozen` now sits idle in its transaction, holding Ada's row, as a stopped process would.

    let started = Instant::now();
    let mut renamed = ada.clone();
    renamed.display_name = "Renamed elsewhere".into();
    let write = async {
        let mut tx = other.begin().await?;
        tx.update_user(&renamed).await?;
        tx.commit().await
    };
    let written = tokio::time::timeout(Duration::from_secs(30), write).await;
    written.expect("the write waited 30 s for the stalled holder").unwrap();
    let waited = started.elapsed();
    assert!(
        waited < Duration::from_secs(9),
        "waited {waited:?} for the stalled holder"
    );

    assert!(frozen.commit().await.is_err(), "the stalled transaction was ended");
    let mut read = other.read().await.unwrap();
    let now = read.user(ada.id).await.unwrap().unwrap();
    assert_eq!(
        now.display_name, "Renamed elsewhere",
        "nothing of the stalled one remains"
    );
    drop(read);
    support::drop_schema(&schema).await;
}
