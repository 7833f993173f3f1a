//! T38, request budgets on two replicas (PostgreSQL): each bearer token has its own budget
//! per `roster serve` process (`--rate-limit`, documented as per process). A token past its
//! budget gets Graph's 429 with an integer `Retry-After`; another token on the same replica
//! and the same token on the other replica are unaffected; nothing answers 5xx.

use crate::api::Api;
use crate::backend::Backend;
use crate::seed::Seeder;
use crate::server::Server;
use crate::support::exclusive;
use reqwest::StatusCode;
use std::time::Duration;

/// Requests a second per token in this test (a burst of twice as many).
const RATE: u32 = 5;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_past_its_budget_gets_429_while_other_tokens_and_replicas_answer() {
    let _one = exclusive().await;
    let backend = Backend::postgres();
    let store = backend.open().await;
    let seeder = Seeder::new(store.clone()).await;
    let (busy, quiet) = (seeder.token().await, seeder.token().await);
    let args = backend.serve_args();
    let rate = RATE.to_string();
    let env = [("ROSTER_RATE_LIMIT", rate.as_str())];
    let first = Server::start_with_env("t38-a", &args, "1h", &env);
    let second = Server::start_with_env("t38-b", &args, "1h", &env);
    let timeout = Duration::from_secs(30);

    let on_first = Api::new(&first.base, &busy, timeout);
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for _ in 0..4 * RATE {
        let answer = on_first.get("/v1.0/users?$top=1").await.unwrap();
        assert!(!answer.status.is_server_error(), "{answer:?}");
        if answer.status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(answer.error_code(), Some("TooManyRequests"), "{answer:?}");
            retry_after = answer.retry_after.clone();
        }
        statuses.push(answer.status.as_u16());
    }
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert!(
        refused > 0,
        "the budget of {} at once was not enforced: {statuses:?}",
        2 * RATE
    );
    assert!(statuses[..2 * RATE as usize].iter().all(|s| *s == 200), "{statuses:?}");
    let seconds: u32 = retry_after.expect("Retry-After").parse().expect("whole seconds");
    assert!((1..=60).contains(&seconds), "Retry-After {seconds}");

    let other_token = Api::new(&first.base, &quiet, timeout)
        .get("/v1.0/users?$top=1")
        .await
        .unwrap();
    assert_eq!(other_token.status, StatusCode::OK, "another token on the same replica");
    let other_replica = Api::new(&second.base, &busy, timeout)
        .get("/v1.0/users?$top=1")
        .await
        .unwrap();
    assert_eq!(
        other_replica.status,
        StatusCode::OK,
        "the same token on the other replica"
    );
    drop((first, second));
    backend.clean_up().await;
}
