//! What one statement's round trip to sqlx's SQLite worker thread costs on this host, the
//! "hop" every statement of a use case pays (BENCHMARKS.md): times `SELECT ?` on one
//! in-memory connection from a two-worker Tokio runtime, as the server runs, and prints the
//! median and p99.
//!
//! ```sh
//! cargo run --release -p store-sqlite --example hop -- 20000
//! ```

use sqlx::Connection;
use sqlx::sqlite::SqliteConnection;
use std::time::{Duration, Instant};

fn main() -> Result<(), sqlx::Error> {
    let runs: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(20_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let mut connection = SqliteConnection::connect("sqlite::memory:").await?;
        let mut samples: Vec<Duration> = Vec::with_capacity(runs);
        for n in 0..runs {
            let started = Instant::now();
            let echoed: i64 = sqlx::query_scalar("SELECT ?")
                .bind(n as i64)
                .fetch_one(&mut connection)
                .await?;
            samples.push(started.elapsed());
            assert_eq!(echoed, n as i64);
        }
        samples.sort_unstable();
        let at = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
        println!(
            "{runs} round trips of `SELECT ?`: median {:.1} µs, p99 {:.1} µs",
            at(0.5).as_secs_f64() * 1e6,
            at(0.99).as_secs_f64() * 1e6
        );
        Ok(())
    })
}
