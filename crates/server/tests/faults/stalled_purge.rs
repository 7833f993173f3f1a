//! T12, a stalled purge replica: two `roster serve` replicas purge one expired bin on
//! PostgreSQL; one is frozen with SIGSTOP in the middle of a purge transaction (its rows
//! and locks stay held), while the other must keep answering reads and writes. After
//! SIGCONT every expired user is purged and audited exactly once and nothing else moved.
//! While the replica stays frozen, PostgreSQL ends its idle session after 5 s (the store's
//! session limits) and rolls its transaction back, so the running replica's write and
//! purge go on without waiting for SIGCONT.

use crate::api::{Answer, Api};
use crate::backend::Backend;
use crate::inspect::bin_count;
use crate::kill_purge::ExpiredBin;
use crate::replicas::two_replicas;
use crate::seed::Seeder;
use crate::server::Server;
use crate::support::{Deadline, exclusive, scale};
use std::collections::HashSet;
use std::time::{Duration, Instant};

/// How long a read on the running replica may take while the other one is frozen (or cut
/// off, in `partition.rs`).
pub(crate) const READ_BOUND: Duration = Duration::from_secs(2);
/// How long the running replica's write and purge may wait on the frozen one: the
/// store's 5 s idle-in-transaction limit, with room for a loaded machine.
pub(crate) const STALL_BOUND: Duration = Duration::from_secs(12);
/// Tries at freezing the replica inside a purge transaction.
const FREEZE_TRIES: usize = 400;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frozen_purge_replica_neither_double_purges_nor_stops_the_other_from_answering() {
    let _one = exclusive().await;
    let backend = Backend::postgres();
    let store = backend.open().await;
    let seeder = Seeder::new(store.clone()).await;
    let token = seeder.token().await;
    let bin = ExpiredBin::seed(&seeder, 3000 * scale()).await;
    let total = bin_count(&store).await;
    let [frozen, running] = two_replicas("t12", &backend, "1s");
    let deadline = Deadline::after(Duration::from_secs(120), "the purge jobs to start");
    while bin_count(&store).await == total {
        deadline.tick().await;
    }
    let caught = freeze_inside_a_transaction(&frozen, &backend).await;
    assert!(
        caught,
        "no SIGSTOP landed inside a purge transaction in {FREEZE_TRIES} tries"
    );
    let left = bin_count(&store).await;
    println!("frozen with {left} of {total} users left in the bin");
    assert!(left > bin.fresh.len() as u64, "frozen in the middle of the purge");

    let api = Api::new(&running.base, &token, Duration::from_secs(120));
    assert_reads_prompt(&api, "frozen").await;
    assert_write_within(&api, bin.live[0].id.as_uuid(), "frozen").await;
    let deadline = Deadline::after(STALL_BOUND, "the running replica to purge past the frozen one");
    while bin_count(&store).await >= left {
        deadline.tick().await;
    }
    frozen.signal("CONT");

    let fresh = bin.fresh.len() as u64;
    let deadline = Deadline::after(Duration::from_secs(120), "the purge jobs to empty the expired bin");
    while bin_count(&store).await > fresh {
        deadline.tick().await;
    }
    drop((frozen, running));
    bin.assert_purged_once(&store).await;
    backend.clean_up().await;
}

/// SIGSTOPs the replica until it is frozen inside a purge transaction after its `DELETE`:
/// one of its own connections holds write locks where the cascade went. False if no try did.
async fn freeze_inside_a_transaction(replica: &Server, backend: &Backend) -> bool {
    let Backend::Postgres { url, schema, .. } = backend else {
        panic!("T12 runs on PostgreSQL");
    };
    let pool = sqlx::PgPool::connect(url).await.unwrap();
    let mut caught = false;
    for attempt in 0..FREEZE_TRIES {
        replica.signal("STOP");
        let ports = local_ports(replica.pid());
        let mut tables: Vec<String> = write_locks(&pool, schema)
            .await
            .into_iter()
            .filter(|(port, _)| ports.contains(port))
            .map(|(_, table)| table)
            .collect();
        // A cascade reached the licences: its DELETE removed users and holds their rows.
        if tables.iter().any(|table| table == "license_assignments") {
            tables.sort();
            println!("frozen inside a purge transaction at try {attempt}, holding {tables:?}");
            caught = true;
            break;
        }
        replica.signal("CONT");
        tokio::time::sleep(Duration::from_millis(1 + attempt as u64 % 7)).await;
    }
    pool.close().await;
    caught
}

/// (client port, table) for each connection whose transaction holds a row-writing lock on
/// a table of `schema`.
pub(crate) async fn write_locks(pool: &sqlx::PgPool, schema: &str) -> Vec<(u16, String)> {
    let rows: Vec<(Option<i32>, String)> = sqlx::query_as(
        "SELECT DISTINCT a.client_port, c.relname::text FROM pg_locks l \
         JOIN pg_stat_activity a ON a.pid = l.pid \
         JOIN pg_class c ON c.oid = l.relation \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = $1 AND c.relkind = 'r' AND l.granted AND l.mode = 'RowExclusiveLock'",
    )
    .bind(schema)
    .fetch_all(pool)
    .await
    .unwrap();
    rows.into_iter()
        .filter_map(|(port, table)| Some((u16::try_from(port?).ok()?, table)))
        .collect()
}

/// Local TCP ports of a process's sockets, from `/proc/<pid>/fd` and `/proc/net/tcp{,6}`.
fn local_ports(pid: u32) -> HashSet<u16> {
    let inodes: HashSet<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .expect("the replica's descriptors")
        .filter_map(|fd| std::fs::read_link(fd.ok()?.path()).ok())
        .filter_map(|target| {
            let target = target.to_string_lossy().into_owned();
            Some(target.strip_prefix("socket:[")?.strip_suffix(']')?.to_owned())
        })
        .collect();
    let mut ports = HashSet::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let text = std::fs::read_to_string(table).unwrap_or_default();
        for fields in text
            .lines()
            .skip(1)
            .map(|line| line.split_whitespace().collect::<Vec<_>>())
        {
            let port = fields.get(1).and_then(|local| local.rsplit(':').next());
            let port = port.and_then(|hex| u16::from_str_radix(hex, 16).ok());
            if let (Some(port), Some(inode)) = (port, fields.get(9))
                && inodes.contains(*inode)
            {
                ports.insert(port);
            }
        }
    }
    ports
}

/// The users and the deleted users answer within [`READ_BOUND`], never 5xx, beside a
/// replica in trouble (`other`: "frozen", "cut-off").
pub(crate) async fn assert_reads_prompt(api: &Api, other: &str) {
    for path in [
        "/v1.0/users?$top=5",
        "/v1.0/directory/deletedItems/microsoft.graph.user?$top=5",
    ] {
        let (answer, took) = timed(api.get(path)).await;
        let answer = answer.unwrap_or_else(|e| panic!("{path}: {e}"));
        println!(
            "{path} answered {} in {took:?} beside the {other} replica",
            answer.status
        );
        assert!(answer.status.is_success(), "{path}: {answer:?}");
        assert!(took < READ_BOUND, "{path} took {took:?}");
    }
}

/// A `PATCH` of `user` succeeds within [`STALL_BOUND`] beside a replica in trouble.
pub(crate) async fn assert_write_within(api: &Api, user: uuid::Uuid, other: &str) {
    let (answer, took) = timed(api.set_job_title(user, "Survivor")).await;
    let answer = answer.expect("the write is answered");
    println!("beside the {other} replica, a write took {took:?}: {}", answer.status);
    assert!(answer.status.is_success(), "the write succeeds: {answer:?}");
    assert!(took < STALL_BOUND, "the write waited {took:?} on the {other} replica");
}

/// The answer to `request` and how long it took.
pub(crate) async fn timed<F: std::future::Future<Output = reqwest::Result<Answer>>>(
    request: F,
) -> (reqwest::Result<Answer>, Duration) {
    let started = Instant::now();
    let answer = request.await;
    (answer, started.elapsed())
}
