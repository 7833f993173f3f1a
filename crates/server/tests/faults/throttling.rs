//! T38, one request budget for a deployment of two replicas (PostgreSQL): `--rate-limit`
//! is the deployment's, and each replica takes an equal share of it among the replicas
//! that have checked in (`directory::replica`). A token spread over both replicas gets the
//! budget once, not once per replica; past it, Graph's 429 with an integer `Retry-After`
//! on both; another token is unaffected; nothing answers 5xx.

use crate::api::Api;
use crate::backend::Backend;
use crate::seed::Seeder;
use crate::server::Server;
use crate::support::{Deadline, exclusive};
use reqwest::StatusCode;
use std::time::{Duration, Instant};

/// Requests a second per token for the whole deployment (a burst of twice as many).
const RATE: u32 = 5;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_spread_over_two_replicas_gets_one_budget_and_other_tokens_answer() {
    let _one = exclusive().await;
    let backend = Backend::postgres();
    let store = backend.open().await;
    let seeder = Seeder::new(store.clone()).await;
    let (busy, quiet) = (seeder.token().await, seeder.token().await);
    let args = backend.serve_args();
    let rate = RATE.to_string();
    let env = [("ROSTER_RATE_LIMIT", rate.as_str())];
    let replicas = [
        Server::start_with_env("t38-a", &args, "1h", &env),
        Server::start_with_env("t38-b", &args, "1h", &env),
    ];
    wait_until_both_take_half(&replicas).await;
    let timeout = Duration::from_secs(30);
    let apis = replicas.each_ref().map(|server| Api::new(&server.base, &busy, timeout));

    let started = Instant::now();
    let (mut statuses, mut retry_after) = (Vec::new(), None);
    for n in 0..4 * RATE as usize {
        let answer = apis[n % 2].get("/v1.0/users?$top=1").await.unwrap();
        assert!(!answer.status.is_server_error(), "{answer:?}");
        if answer.status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(answer.error_code(), Some("TooManyRequests"), "{answer:?}");
            retry_after = answer.retry_after.clone();
        }
        statuses.push(answer.status.as_u16());
    }
    let answered = statuses.iter().filter(|s| **s == 200).count();
    // The deployment's burst, and what the deployment's rate refilled meanwhile.
    let refilled = (started.elapsed().as_secs_f64() * f64::from(RATE)).ceil() as usize;
    assert!(statuses[..2 * RATE as usize].iter().all(|s| *s == 200), "{statuses:?}");
    assert!(
        answered <= 2 * RATE as usize + refilled,
        "one budget for both: {statuses:?}"
    );
    for (n, status) in statuses.iter().enumerate().rev().take(2) {
        assert_eq!(
            *status,
            429,
            "the last answer of replica {} refuses: {statuses:?}",
            n % 2
        );
    }
    let seconds: u32 = retry_after.expect("Retry-After").parse().expect("whole seconds");
    assert!((1..=60).contains(&seconds), "Retry-After {seconds}");

    for server in &replicas {
        let other_token = Api::new(&server.base, &quiet, timeout);
        let answer = other_token.get("/v1.0/users?$top=1").await.unwrap();
        assert_eq!(answer.status, StatusCode::OK, "another token on {}", server.base);
        let listed = other_token.get("/roster/v1/replicas").await.unwrap();
        let mut live: Vec<&str> = listed.body["value"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|replica| replica["live"] == true)
            .filter_map(|replica| replica["name"].as_str())
            .collect();
        live.sort_unstable();
        assert_eq!(live, ["t38-a", "t38-b"], "{}", listed.body);
    }
    drop(replicas);
    backend.clean_up().await;
}

/// Waits until each replica has seen the other check in and taken half the budget (the
/// first to start saw only itself until its next check-in, at most 10 s later).
async fn wait_until_both_take_half(replicas: &[Server; 2]) {
    let deadline = Deadline::after(Duration::from_secs(30), "both replicas to see each other");
    while !replicas.iter().all(|server| {
        let log = std::fs::read_to_string(&server.log).unwrap_or_default();
        log.lines().any(|line| line.contains("replicas=2"))
    }) {
        deadline.tick().await;
    }
}
