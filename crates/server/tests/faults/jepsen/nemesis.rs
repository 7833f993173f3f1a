//! The nemesis of a T39 run: faults at random intervals until told to stop, up to two at
//! once on different targets (so a replica may be killed while the database is down, or
//! two replicas cut at once): SIGKILL a replica and start it again, SIGSTOP/SIGCONT a
//! replica, cut a replica's database link (for longer or shorter than PostgreSQL's 5 s
//! idle-in-transaction limit) and heal it, crash the PostgreSQL cluster and start it.

use super::cluster::{Cluster, REPLICAS};
use super::rng::Rng;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Fault {
    Kill(usize),
    Pause(usize),
    Cut(usize),
    RestartDatabase,
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Kill(n) => write!(f, "kill and restart replica {n}"),
            Fault::Pause(n) => write!(f, "pause replica {n}"),
            Fault::Cut(n) => write!(f, "cut replica {n}'s database link"),
            Fault::RestartDatabase => write!(f, "crash and restart PostgreSQL"),
        }
    }
}

/// One fault, from injection to heal, in run time.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Injected {
    pub(crate) fault: Fault,
    pub(crate) from: Duration,
    pub(crate) to: Duration,
}

/// At most this many faults are active at once.
const AT_ONCE: usize = 2;

/// A fault about to be injected, with how long it is held before healing.
struct Planned {
    fault: Fault,
    hold: Duration,
}

/// Injects faults until `stop`, up to [`AT_ONCE`] at a time and never two on one target;
/// everything is healed when it returns. The faults come back in the order injected.
pub(crate) async fn run(cluster: Arc<Cluster>, stop: Arc<AtomicBool>, seed: u64, start: Instant) -> Vec<Injected> {
    let mut rng = Rng::new(seed);
    let mut active: Vec<(Fault, JoinHandle<Injected>)> = Vec::new();
    let mut injected = Vec::new();
    while calm(&stop, rng.millis(1000, 3000)).await {
        reap(&mut active, &mut injected, AT_ONCE - 1).await;
        let planned = plan(&mut rng);
        if active.iter().any(|(fault, _)| clash(*fault, planned.fault)) {
            continue;
        }
        let cluster = cluster.clone();
        let fault = planned.fault;
        let task = tokio::spawn(async move {
            let from = start.elapsed();
            inject(&cluster, planned).await;
            let to = start.elapsed();
            println!("nemesis: {fault} from {from:.1?} to {to:.1?}");
            Injected { fault, from, to }
        });
        active.push((fault, task));
    }
    reap(&mut active, &mut injected, 0).await;
    injected.sort_by_key(|injected| injected.from);
    injected
}

fn plan(rng: &mut Rng) -> Planned {
    let (fault, hold) = match rng.below(4) {
        0 => (Fault::Kill(rng.below(REPLICAS)), Duration::ZERO),
        1 => (Fault::Pause(rng.below(REPLICAS)), rng.millis(500, 4000)),
        // Longer or shorter than PostgreSQL's 5 s idle-in-transaction limit.
        2 => (Fault::Cut(rng.below(REPLICAS)), rng.millis(1000, 8000)),
        _ => (Fault::RestartDatabase, rng.millis(200, 2000)),
    };
    Planned { fault, hold }
}

/// Whether two faults hit one target: the same replica, or the database twice.
fn clash(a: Fault, b: Fault) -> bool {
    let target = |fault| match fault {
        Fault::Kill(n) | Fault::Pause(n) | Fault::Cut(n) => Some(n),
        Fault::RestartDatabase => None,
    };
    target(a) == target(b)
}

/// Collects the faults that have healed, then waits for the oldest until at most `keep`
/// are active.
async fn reap(active: &mut Vec<(Fault, JoinHandle<Injected>)>, injected: &mut Vec<Injected>, keep: usize) {
    let mut index = 0;
    while index < active.len() {
        if active.len() > keep || active[index].1.is_finished() {
            let (_, task) = active.remove(index);
            injected.push(task.await.expect("a nemesis fault"));
        } else {
            index += 1;
        }
    }
}

/// Waits `period`, or less if told to stop; false when told to stop.
async fn calm(stop: &AtomicBool, period: Duration) -> bool {
    let until = Instant::now() + period;
    while Instant::now() < until {
        if stop.load(Ordering::SeqCst) {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    !stop.load(Ordering::SeqCst)
}

/// Injects the fault, holds it, and heals it. A replica killed while the database is down
/// is started again all the same: `roster serve` waits for its database.
async fn inject(cluster: &Arc<Cluster>, Planned { fault, hold }: Planned) {
    match fault {
        Fault::Kill(n) => {
            cluster.kill(n);
            blocking(cluster, move |cluster| cluster.start(n)).await;
        }
        Fault::Pause(n) => {
            cluster.signal(n, "STOP");
            tokio::time::sleep(hold).await;
            cluster.signal(n, "CONT");
        }
        Fault::Cut(n) => {
            cluster.proxy(n).cut();
            tokio::time::sleep(hold).await;
            cluster.proxy(n).heal();
        }
        Fault::RestartDatabase => {
            blocking(cluster, |cluster| cluster.database.stop_immediately()).await;
            tokio::time::sleep(hold).await;
            blocking(cluster, |cluster| cluster.database.up()).await;
        }
    }
}

/// Runs a blocking step (starting a process, `pg_ctl`) off the test's workers.
async fn blocking(cluster: &Arc<Cluster>, step: impl FnOnce(&Cluster) + Send + 'static) {
    let cluster = cluster.clone();
    tokio::task::spawn_blocking(move || step(&cluster))
        .await
        .expect("a nemesis step");
}
