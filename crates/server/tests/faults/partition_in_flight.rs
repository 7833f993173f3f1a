//! T12, the partition half, for requests caught by the cut: a replica reaches PostgreSQL
//! through a `TcpProxy` while clients keep reading and writing; the link is cut under
//! them and stays cut. Every request, including those whose query was on the wire when
//! the link went dark, must be answered within a bound (503 with `Retry-After`, never a
//! 500): a replica whose database has vanished must say so, not hang its clients until the
//! network comes back. Once the link is back for new connections (the old ones lost for
//! good), the replica answers 200 again within the same bound.

use crate::api::{Answer, Api};
use crate::backend::Backend;
use crate::seed::Seeder;
use crate::server::Server;
use crate::support::{Deadline, exclusive};
use crate::tcp_proxy::in_front_of;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// More than the store's 10 connections, so that every one is caught by the cut.
const WORKERS: usize = 12;
/// The longest any request may take, link up or cut: the pool's 5 s acquire timeout with
/// room for a loaded machine.
const ANSWER_BOUND: Duration = Duration::from_secs(12);
/// How long the link stays cut at most: well past [`ANSWER_BOUND`].
const CUT_FOR: Duration = Duration::from_secs(25);

/// One request: when it started (since the test began), how long it took, what came back.
#[derive(Debug)]
struct Sample {
    started: Duration,
    took: Duration,
    answer: Result<Answer, String>,
}

#[derive(Debug, Default)]
struct Load {
    stop: AtomicBool,
    in_flight: Mutex<Vec<Option<Duration>>>,
    samples: Mutex<Vec<Sample>>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_in_flight_when_the_database_link_is_cut_are_answered_within_a_bound() {
    let _one = exclusive().await;
    let backend = Backend::postgres();
    let store = backend.open().await;
    let seeder = Seeder::new(store.clone()).await;
    let token = seeder.token().await;
    let users: Vec<uuid::Uuid> = seeder
        .live("inflight", WORKERS)
        .await
        .iter()
        .map(|u| u.id.as_uuid())
        .collect();
    let (proxy, proxied) = in_front_of(&backend);
    let server = Server::start("t12-in-flight", &proxied.serve_args(), "1h");
    let api = Api::new(&server.base, &token, CUT_FOR * 2);
    let begun = Instant::now();
    let load = Arc::new(Load {
        in_flight: Mutex::new(vec![None; WORKERS]),
        ..Load::default()
    });
    let mut workers = tokio::task::JoinSet::new();
    for (worker, user) in users.into_iter().enumerate() {
        workers.spawn(run_worker(api.clone(), load.clone(), worker, user, begun));
    }
    let deadline = Deadline::after(Duration::from_secs(60), "requests to succeed before the cut");
    while load.samples.lock().unwrap().len() < 5 * WORKERS {
        deadline.tick().await;
    }
    proxy.cut();
    let cut_at = begun.elapsed();
    let caught = in_flight_since(&load, cut_at);
    println!("cut at {cut_at:?} with {caught} requests in flight");
    wait_for_answers_to_everything_started_before(&load, cut_at).await;
    load.stop.store(true, Ordering::SeqCst);
    while workers.join_next().await.is_some() {}
    // The link comes back for new connections only, the old ones black-holed for good (a
    // NAT that lost their state): the replica itself must drop those its cut-short
    // statements left waiting, or they hold the pool's every slot.
    proxy.strand();
    let deadline = Deadline::after(ANSWER_BOUND, "the replica to answer 200 once the link is back");
    while !api.get("/v1.0/users?$top=1").await.is_ok_and(|a| a.status.is_success()) {
        deadline.tick().await;
    }
    drop(server);
    backend.clean_up().await;
    assert_bounded(&load, cut_at);
}

/// How many workers have a request out that started before `at`.
fn in_flight_since(load: &Load, at: Duration) -> usize {
    let in_flight = load.in_flight.lock().unwrap();
    in_flight
        .iter()
        .filter(|started| started.is_some_and(|s| s <= at))
        .count()
}

/// Waits (at most [`CUT_FOR`]) until no request that started before `cut_at` is still out.
async fn wait_for_answers_to_everything_started_before(load: &Load, cut_at: Duration) {
    let until = Instant::now() + CUT_FOR;
    while in_flight_since(load, cut_at) > 0 && Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Alternates a read of a page of users and a write of its own user until told to stop.
async fn run_worker(api: Api, load: Arc<Load>, worker: usize, user: uuid::Uuid, begun: Instant) {
    for n in 0_u64.. {
        if load.stop.load(Ordering::SeqCst) {
            return;
        }
        let started = begun.elapsed();
        load.in_flight.lock().unwrap()[worker] = Some(started);
        let answer = if n % 2 == 0 {
            api.get("/v1.0/users?$top=50").await
        } else {
            api.set_job_title(user, &n.to_string()).await
        };
        load.in_flight.lock().unwrap()[worker] = None;
        let sample = Sample {
            started,
            took: begun.elapsed() - started,
            answer: answer.map_err(|e| e.to_string()),
        };
        load.samples.lock().unwrap().push(sample);
    }
}

/// Every request was answered within [`ANSWER_BOUND`]: 2xx, or 503 with `Retry-After`.
fn assert_bounded(load: &Load, cut_at: Duration) {
    let samples = load.samples.lock().unwrap();
    let slow: Vec<String> = samples.iter().filter(|s| s.took > ANSWER_BOUND).map(brief).collect();
    println!(
        "{} requests; {} slower than {ANSWER_BOUND:?}",
        samples.len(),
        slow.len()
    );
    for sample in samples
        .iter()
        .filter(|s| s.started <= cut_at && s.started + s.took > cut_at)
    {
        println!("  in flight at the cut: {}", brief(sample));
    }
    assert!(
        slow.is_empty(),
        "requests hung past {ANSWER_BOUND:?} while the link was cut (until it healed): {slow:?}"
    );
    for sample in samples.iter() {
        let answer = sample.answer.as_ref().unwrap_or_else(|e| panic!("no answer: {e}"));
        if !answer.status.is_success() {
            assert_eq!(answer.status, 503, "{sample:?}");
            assert!(answer.retry_after.is_some(), "503 without Retry-After: {sample:?}");
        }
    }
}

/// When a request started, how long it took and how it ended, on one line.
fn brief(sample: &Sample) -> String {
    let ended = match &sample.answer {
        Ok(answer) => answer.status.to_string(),
        Err(error) => error.clone(),
    };
    format!("started {:.2?}, took {:.2?}, {ended}", sample.started, sample.took)
}
