//! T12, the partition half: two `roster serve` replicas purge one expired bin on
//! PostgreSQL, one of them through a [`TcpProxy`]. Its link is cut while it is inside a
//! purge transaction (its DELETE went through, its COMMIT cannot). PostgreSQL ends that
//! idle session after 5 s and rolls it back, so the other replica keeps answering and
//! finishes the purge, while the cut-off one answers 503 with `Retry-After` within a bound
//! (its pool gives up after 5 s), never a 500 and never a hang. Once healed it answers 200
//! again, and every expired user is purged and audited exactly once, nothing else moved.

use crate::api::{Answer, Api};
use crate::backend::Backend;
use crate::inspect::bin_count;
use crate::kill_purge::ExpiredBin;
use crate::seed::Seeder;
use crate::server::Server;
use crate::stalled_purge::{STALL_BOUND, assert_reads_prompt, assert_write_within, timed, write_locks};
use crate::support::{Deadline, exclusive, scale};
use crate::tcp_proxy::{TcpProxy, in_front_of};
use std::collections::HashSet;
use std::time::{Duration, Instant};

/// How long the cut-off replica may take to say 503: the pool's 5 s acquire timeout.
const CUT_ANSWER_BOUND: Duration = Duration::from_secs(12);
/// Tries at cutting the link inside a purge transaction.
const CUT_TRIES: usize = 400;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_cut_off_from_postgres_mid_purge_answers_503_while_the_other_finishes_the_purge() {
    let _one = exclusive().await;
    let backend = Backend::postgres();
    let Backend::Postgres { url, schema, .. } = &backend else {
        unreachable!("a PostgreSQL backend")
    };
    let store = backend.open().await;
    let seeder = Seeder::new(store.clone()).await;
    let token = seeder.token().await;
    let bin = ExpiredBin::seed(&seeder, 3000 * scale()).await;
    let total = bin_count(&store).await;
    let (proxy, proxied) = in_front_of(&backend);
    let [cut_off, connected] = start_pair(&proxied, &backend);
    let deadline = Deadline::after(Duration::from_secs(120), "the purge jobs to start");
    while bin_count(&store).await == total {
        deadline.tick().await;
    }
    let pool = sqlx::PgPool::connect(url).await.unwrap();
    let held = cut_inside_a_transaction(&proxy, &pool, schema).await;
    assert!(
        !held.is_empty(),
        "no cut landed inside a purge transaction in {CUT_TRIES} tries"
    );
    let left = bin_count(&store).await;
    println!("cut off holding {held:?}, with {left} of {total} users left in the bin");

    let cut_api = Api::new(&cut_off.base, &token, Duration::from_secs(60));
    let api = Api::new(&connected.base, &token, Duration::from_secs(60));
    let user = bin.live[0].id.as_uuid();
    let ((), ()) = tokio::join!(assert_unavailable(&cut_api, user), async {
        assert_reads_prompt(&api, "cut-off").await;
        assert_write_within(&api, user, "cut-off").await;
    });
    let deadline = Deadline::after(STALL_BOUND, "the connected replica to purge past the cut-off one");
    while bin_count(&store).await >= left {
        deadline.tick().await;
    }
    let fresh = bin.fresh.len() as u64;
    let deadline = Deadline::after(
        Duration::from_secs(120),
        "the connected replica to empty the expired bin",
    );
    while bin_count(&store).await > fresh {
        deadline.tick().await;
    }
    assert!(proxy.is_cut(), "the bin emptied while the link was still cut");
    assert!(
        sessions_in_transaction(&pool, schema, &proxy.upstream_ports())
            .await
            .is_empty(),
        "PostgreSQL ended the cut-off replica's transaction"
    );
    proxy.heal();
    assert_answers_again(&cut_api).await;
    drop((cut_off, connected));
    pool.close().await;
    bin.assert_purged_once(&store).await;
    drop(proxy);
    backend.clean_up().await;
}

/// Starts the replica behind the proxy and the directly connected one at once.
fn start_pair(proxied: &Backend, direct: &Backend) -> [Server; 2] {
    let (proxied, direct) = (proxied.serve_args(), direct.serve_args());
    std::thread::scope(|scope| {
        let first = scope.spawn(|| Server::start("t12-cut", &proxied, "1s"));
        let second = scope.spawn(|| Server::start("t12-connected", &direct, "1s"));
        [first.join().unwrap(), second.join().unwrap()]
    })
}

/// Cuts the link until the cut catches a proxied session holding the row locks of a purge
/// (its cascade reached the licences); each miss is resumed at once, a short blip. Returns
/// the tables it holds, or nothing if no try caught one.
async fn cut_inside_a_transaction(proxy: &TcpProxy, pool: &sqlx::PgPool, schema: &str) -> Vec<String> {
    for attempt in 0..CUT_TRIES {
        proxy.cut();
        let mut tables = sessions_in_transaction(pool, schema, &proxy.upstream_ports()).await;
        if tables.iter().any(|table| table == "license_assignments") {
            tables.sort();
            println!("cut inside a purge transaction at try {attempt}");
            return tables;
        }
        proxy.resume();
        tokio::time::sleep(Duration::from_millis(1 + attempt as u64 % 7)).await;
    }
    Vec::new()
}

/// The tables of `schema` on which sessions from `ports` hold row-writing locks.
async fn sessions_in_transaction(pool: &sqlx::PgPool, schema: &str, ports: &HashSet<u16>) -> Vec<String> {
    write_locks(pool, schema)
        .await
        .into_iter()
        .filter(|(port, _)| ports.contains(port))
        .map(|(_, table)| table)
        .collect()
}

/// A read and a write on the cut-off replica each answer 503 with `Retry-After` within
/// [`CUT_ANSWER_BOUND`].
async fn assert_unavailable(api: &Api, user: uuid::Uuid) {
    let (read, took) = timed(api.get("/v1.0/users?$top=5")).await;
    assert_503("read", read, took);
    let (write, took) = timed(api.set_job_title(user, "Cut off")).await;
    assert_503("write", write, took);
}

fn assert_503(what: &str, answer: reqwest::Result<Answer>, took: Duration) {
    let answer = answer.unwrap_or_else(|e| panic!("the cut-off replica's {what} got no answer: {e}"));
    println!("cut off, a {what} answered {} in {took:?}", answer.status);
    assert_eq!(answer.status, 503, "the cut-off replica's {what}: {answer:?}");
    assert!(answer.retry_after.is_some(), "503 without Retry-After: {answer:?}");
    assert!(took < CUT_ANSWER_BOUND, "the cut-off replica's {what} took {took:?}");
}

/// After the heal the replica answers 200 within 30 s; until then only 503s.
async fn assert_answers_again(api: &Api) {
    let started = Instant::now();
    let deadline = Deadline::after(Duration::from_secs(30), "the healed replica to answer 200");
    loop {
        let answer = api.get("/v1.0/users?$top=1").await.expect("the healed replica answers");
        if answer.status.is_success() {
            println!("healed, the replica answered 200 after {:?}", started.elapsed());
            return;
        }
        assert_eq!(answer.status, 503, "while healing: {answer:?}");
        deadline.tick().await;
    }
}
