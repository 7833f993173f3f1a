//! The system under test of a T39 run: a private PostgreSQL cluster (which the nemesis may
//! crash and start) and three `roster serve` replicas, each reaching it through its own
//! [`TcpProxy`] (which the nemesis may cut). A replica can be killed and started again on
//! a new port; clients read the current addresses from here.

use crate::backend::Backend;
use crate::pg_cluster::PgCluster;
use crate::server::Server;
use crate::tcp_proxy::{TcpProxy, in_front_of};
use std::path::Path;
use std::sync::{Mutex, RwLock};

pub(crate) const REPLICAS: usize = 3;
const LIBFAKETIME: &str = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";
/// The last replica's machine clock runs this far behind (when libfaketime is installed);
/// it must follow the database's clock like the others.
const SKEW: &str = "-2h";

#[derive(Debug)]
struct Replica {
    proxy: TcpProxy,
    backend: Backend,
    env: Vec<(&'static str, &'static str)>,
    server: Mutex<Option<Server>>,
}

#[derive(Debug)]
pub(crate) struct Cluster {
    pub(crate) database: PgCluster,
    /// The database as the test itself reaches it: directly, never cut.
    pub(crate) direct: Backend,
    replicas: Vec<Replica>,
    bases: RwLock<Vec<String>>,
}

impl Cluster {
    /// Creates the database (with the directory's schema) and the proxies; no replica runs yet.
    pub(crate) fn new() -> Cluster {
        let database = PgCluster::start();
        let direct = Backend::postgres_at(&database.url(), "public");
        let replicas = (0..REPLICAS)
            .map(|n| {
                let (proxy, backend) = in_front_of(&direct);
                let skewed = n == REPLICAS - 1 && Path::new(LIBFAKETIME).is_file();
                let env = if skewed { skew_env() } else { Vec::new() };
                Replica {
                    proxy,
                    backend,
                    env,
                    server: Mutex::new(None),
                }
            })
            .collect();
        Cluster {
            database,
            direct,
            replicas,
            bases: RwLock::new(vec![String::new(); REPLICAS]),
        }
    }

    /// Starts every replica at once (blocking).
    pub(crate) fn start_all(&self) {
        std::thread::scope(|scope| {
            for n in 0..REPLICAS {
                scope.spawn(move || self.start(n));
            }
        });
    }

    /// Starts replica `n` (blocking until it listens) and publishes its address.
    pub(crate) fn start(&self, n: usize) {
        let replica = &self.replicas[n];
        let args = replica.backend.serve_args();
        let server = Server::start_with_env(&format!("t39-{n}"), &args, "1h", &replica.env);
        self.bases.write().unwrap()[n] = server.base.clone();
        *replica.server.lock().unwrap() = Some(server);
    }

    /// SIGKILLs replica `n`; its address stays published (and refuses connections).
    pub(crate) fn kill(&self, n: usize) {
        if let Some(server) = self.replicas[n].server.lock().unwrap().take() {
            server.kill();
        }
    }

    /// Sends `signal` (`"STOP"`, `"CONT"`) to replica `n`.
    pub(crate) fn signal(&self, n: usize, signal: &str) {
        if let Some(server) = self.replicas[n].server.lock().unwrap().as_ref() {
            server.signal(signal);
        }
    }

    pub(crate) fn proxy(&self, n: usize) -> &TcpProxy {
        &self.replicas[n].proxy
    }

    pub(crate) fn base(&self, n: usize) -> String {
        self.bases.read().unwrap()[n].clone()
    }

    pub(crate) fn is_skewed(&self, n: usize) -> bool {
        !self.replicas[n].env.is_empty()
    }

    /// Stops every replica.
    pub(crate) fn stop_all(&self) {
        for n in 0..REPLICAS {
            self.kill(n);
        }
    }
}

fn skew_env() -> Vec<(&'static str, &'static str)> {
    vec![
        ("LD_PRELOAD", LIBFAKETIME),
        ("FAKETIME", SKEW),
        ("FAKETIME_DONT_FAKE_MONOTONIC", "1"),
        ("FAKETIME_NO_CACHE", "1"),
    ]
}
