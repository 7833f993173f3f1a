//! T16: PostgreSQL stopped under load. A private cluster is stopped with `pg_ctl stop -m
//! immediate` while clients read and write; every request must answer within a bound,
//! with 503 and `Retry-After` (never a 500, never a hang), `/health` says 503, and once
//! the cluster is back the same `roster serve` answers again without a restart. A server
//! started while the cluster is down waits for it and then serves.

use crate::api::{Answer, Api};
use crate::backend::Backend;
use crate::pg_cluster::PgCluster;
use crate::seed::Seeder;
use crate::server::{Server, log_path};
use crate::support::{Deadline, exclusive};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const WORKERS: usize = 4;
/// The longest any request may take, database up or down.
const ANSWER_BOUND: Duration = Duration::from_secs(10);

const HEALTHY: u8 = 0;
const DOWN: u8 = 1;
const BACK: u8 = 2;

/// One request: the phase it started in, how long it took, and what came back.
#[derive(Debug)]
struct Sample {
    phase: u8,
    worker: usize,
    took: Duration,
    answer: Result<Answer, String>,
}

#[derive(Debug, Default)]
struct Load {
    phase: AtomicU8,
    stop: AtomicBool,
    samples: Mutex<Vec<Sample>>,
}

impl Load {
    fn count(&self, phase: u8, ok: impl Fn(&Sample) -> bool) -> Vec<usize> {
        let mut per_worker = vec![0; WORKERS];
        for sample in self.samples.lock().unwrap().iter() {
            if sample.phase == phase && ok(sample) {
                per_worker[sample.worker] += 1;
            }
        }
        per_worker
    }
}

fn unavailable(sample: &Sample) -> bool {
    sample.answer.as_ref().is_ok_and(|a| a.status == 503)
}

fn succeeded(sample: &Sample) -> bool {
    sample.answer.as_ref().is_ok_and(|a| a.status.is_success())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_stopped_under_load_answers_503_and_recovers_without_restart() {
    let _one = exclusive().await;
    let cluster = PgCluster::start();
    let backend = Backend::postgres_at(&cluster.url(), "public");
    let store = backend.open().await;
    let seeder = Seeder::new(store.clone()).await;
    let token = seeder.token().await;
    let users: Vec<uuid::Uuid> = seeder
        .live("load", WORKERS)
        .await
        .iter()
        .map(|u| u.id.as_uuid())
        .collect();
    drop(seeder);
    drop(store);
    let server = Server::start("t16", &backend.serve_args(), "1h");
    let api = Api::new(&server.base, &token, ANSWER_BOUND * 3);
    let load = Arc::new(Load::default());
    let mut workers = tokio::task::JoinSet::new();
    for (worker, user) in users.into_iter().enumerate() {
        workers.spawn(run_worker(api.clone(), load.clone(), worker, user));
    }

    wait_for(&load, HEALTHY, 5, succeeded, "requests before the outage").await;
    cluster.stop_immediately();
    load.phase.store(DOWN, Ordering::SeqCst);
    wait_for(&load, DOWN, 3, unavailable, "503 answers while PostgreSQL is down").await;
    let health = api.get("/health").await.expect("/health answers");
    assert_eq!(health.status, 503, "/health while PostgreSQL is down: {health:?}");
    assert!(health.retry_after.is_some(), "/health has Retry-After");

    cluster.up();
    load.phase.store(BACK, Ordering::SeqCst);
    wait_for(&load, BACK, 1, succeeded, "requests to succeed again").await;
    load.stop.store(true, Ordering::SeqCst);
    while workers.join_next().await.is_some() {}
    let health = api.get("/health").await.expect("/health answers");
    assert_eq!(health.status, 200, "/health after recovery: {health:?}");
    server.kill();
    assert_every_answer_bounded_and_never_500(&load);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_started_while_postgres_is_down_waits_for_it_and_then_serves() {
    let _one = exclusive().await;
    let cluster = PgCluster::start();
    let backend = Backend::postgres_at(&cluster.url(), "public");
    let token = Seeder::new(backend.open().await).await.token().await;
    cluster.stop_immediately();

    let log = log_path("t16-waiting");
    let (log_to, args) = (log.clone(), backend.serve_args());
    let starting =
        tokio::task::spawn_blocking(move || Server::start_logging_to(log_to, "t16-waiting", &args, "1h", &[]));
    let deadline = Deadline::after(Duration::from_secs(30), "the server to say it waits for the database");
    while !std::fs::read_to_string(&log)
        .unwrap_or_default()
        .contains("waiting for it")
    {
        deadline.tick().await;
    }
    assert!(
        !starting.is_finished(),
        "the server must not listen before its database is up"
    );
    cluster.up();
    let server = starting.await.expect("the server starts once PostgreSQL is up");
    let api = Api::new(&server.base, &token, ANSWER_BOUND);
    let users = api.get("/v1.0/users").await.expect("the users answer");
    assert_eq!(users.status, 200, "{users:?}");
    server.kill();
}

/// Waits until every worker has `count` samples of `phase` that satisfy `ok`.
async fn wait_for(load: &Load, phase: u8, count: usize, ok: impl Fn(&Sample) -> bool, what: &str) {
    let deadline = Deadline::after(Duration::from_secs(90), what);
    while load.count(phase, &ok).iter().any(|n| *n < count) {
        deadline.tick().await;
    }
}

/// Alternates a read and a write of its own user until told to stop.
async fn run_worker(api: Api, load: Arc<Load>, worker: usize, user: uuid::Uuid) {
    for n in 0_u64.. {
        if load.stop.load(Ordering::SeqCst) {
            return;
        }
        let phase = load.phase.load(Ordering::SeqCst);
        let started = Instant::now();
        let answer = if n % 2 == 0 {
            api.get(&format!("/v1.0/users/{user}")).await
        } else {
            api.set_job_title(user, &n.to_string()).await
        };
        let sample = Sample {
            phase,
            worker,
            took: started.elapsed(),
            answer: answer.map_err(|e| e.to_string()),
        };
        load.samples.lock().unwrap().push(sample);
    }
}

fn assert_every_answer_bounded_and_never_500(load: &Load) {
    let samples = load.samples.lock().unwrap();
    for (phase, name) in [(HEALTHY, "up"), (DOWN, "down"), (BACK, "back")] {
        let of_phase: Vec<&Sample> = samples.iter().filter(|s| s.phase == phase).collect();
        let slowest = of_phase.iter().map(|s| s.took).max().unwrap_or_default();
        let failed = of_phase.iter().filter(|s| !succeeded(s)).count();
        println!(
            "{name}: {} requests, {failed} not 2xx, slowest {slowest:?}",
            of_phase.len()
        );
    }
    for sample in samples.iter() {
        assert!(sample.took <= ANSWER_BOUND, "took {:?}: {sample:?}", sample.took);
        let answer = sample
            .answer
            .as_ref()
            .unwrap_or_else(|e| panic!("no answer: {e} ({sample:?})"));
        if answer.status.is_success() {
            continue;
        }
        assert_eq!(answer.status, 503, "{sample:?}");
        assert!(answer.retry_after.is_some(), "503 without Retry-After: {sample:?}");
        assert_eq!(answer.error_code(), Some("ServiceUnavailable"), "{sample:?}");
    }
}
