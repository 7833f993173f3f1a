//! The nemesis of a T39 run: one fault at a time, at random intervals, until told to stop,
//! each healed before the next: SIGKILL a replica and start it again, SIGSTOP/SIGCONT a
//! replica, cut a replica's database link (for longer or shorter than PostgreSQL's 5 s
//! idle-in-transaction limit) and heal it, crash the PostgreSQL cluster and start it.

use super::cluster::{Cluster, REPLICAS};
use super::rng::Rng;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

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

/// Injects faults until `stop`; everything is healed when it returns.
pub(crate) async fn run(cluster: Arc<Cluster>, stop: Arc<AtomicBool>, seed: u64, start: Instant) -> Vec<Injected> {
    let mut rng = Rng::new(seed);
    let mut injected = Vec::new();
    loop {
        if !calm(&stop, rng.millis(1000, 3000)).await {
            return injected;
        }
        let fault = match rng.below(4) {
            0 => Fault::Kill(rng.below(REPLICAS)),
            1 => Fault::Pause(rng.below(REPLICAS)),
            2 => Fault::Cut(rng.below(REPLICAS)),
            _ => Fault::RestartDatabase,
        };
        let from = start.elapsed();
        inject(&cluster, fault, &mut rng).await;
        let to = start.elapsed();
        println!("nemesis: {fault} from {from:.1?} to {to:.1?}");
        injected.push(Injected { fault, from, to });
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

async fn inject(cluster: &Arc<Cluster>, fault: Fault, rng: &mut Rng) {
    match fault {
        Fault::Kill(n) => {
            cluster.kill(n);
            blocking(cluster, move |cluster| cluster.start(n)).await;
        }
        Fault::Pause(n) => {
            cluster.signal(n, "STOP");
            tokio::time::sleep(rng.millis(500, 4000)).await;
            cluster.signal(n, "CONT");
        }
        Fault::Cut(n) => {
            cluster.proxy(n).cut();
            tokio::time::sleep(rng.millis(1000, 8000)).await;
            cluster.proxy(n).heal();
        }
        Fault::RestartDatabase => {
            blocking(cluster, |cluster| cluster.database.stop_immediately()).await;
            tokio::time::sleep(rng.millis(200, 2000)).await;
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
