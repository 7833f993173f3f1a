//! `roster-bench`: issue 7's benchmark in one command. It seeds a fresh SQLite data
//! directory and a fresh PostgreSQL schema with N users (groups, licences, aliases; the
//! recycle bin at 0, 1k, 10k and 100k), starts the real `roster serve` on each, drives it
//! over keep-alive HTTP, and prints (and with `--report`, writes) a Markdown table of
//! median, p99 and throughput against the issue's targets.
//!
//! ```sh
//! cargo build --release -p roster -p roster-bench
//! target/release/roster-bench --report bench-results.md      # the full run, 100,000 users
//! target/release/roster-bench --quick                        # 1,000 users, about a minute
//! target/release/roster-bench --only pages,bulk               # the same seeding, fewer parts
//! target/release/roster-bench --only load --load-seconds 600  # T37: open load, purge and bulk beside it
//! ```

mod backend;
mod client;
mod host;
mod plan;
mod report;
mod run;
mod scenarios;
mod seed;
mod server;
mod stats;

use anyhow::{Context, Result, bail};
use backend::Backend;
use clap::{Parser, ValueEnum};
use plan::{Part, Plan};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Which {
    Sqlite,
    Postgres,
    Both,
}

/// Benchmarks a real `roster serve` on SQLite and PostgreSQL (issue 7).
#[derive(Debug, Parser)]
#[command(name = "roster-bench")]
struct Args {
    /// Active users, and the largest recycle bin, of the full run.
    #[arg(long, default_value_t = 100_000)]
    users: usize,
    /// A small run (1,000 users) that takes about a minute per backend.
    #[arg(long, conflicts_with = "smoke")]
    quick: bool,
    /// A tiny run that only checks the tool works (CI); its figures mean nothing.
    #[arg(long)]
    smoke: bool,
    #[arg(long, value_enum, default_value_t = Which::Both)]
    backend: Which,
    /// The PostgreSQL database; the run uses (and drops) the schema `roster_bench` in it.
    #[arg(
        long,
        env = "ROSTER_BENCH_DATABASE_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/test"
    )]
    database_url: String,
    /// The `roster` binary to serve; by default the one beside this binary.
    #[arg(long)]
    roster: Option<PathBuf>,
    /// Measure only these parts (comma-separated); the seeding is the same.
    #[arg(long, value_enum, value_delimiter = ',')]
    only: Vec<Part>,
    /// How long the open load runs, in seconds (default: 600 in the full run, 60 with
    /// `--quick`).
    #[arg(long)]
    load_seconds: Option<u64>,
    /// The open load's requests per second.
    #[arg(long)]
    load_rate: Option<u32>,
    /// Also write the Markdown report to this file.
    #[arg(long)]
    report: Option<PathBuf>,
    /// Leave the seeded data behind (the SQLite data directory, the PostgreSQL schema
    /// `roster_bench`) to look into it afterwards, and print where it is.
    #[arg(long)]
    keep: bool,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let mut plan = if args.smoke {
        Plan::smoke()
    } else if args.quick {
        Plan::quick()
    } else {
        Plan::full(args.users)
    };
    plan.only = args.only.clone();
    if let Some(seconds) = args.load_seconds {
        plan.load_length = std::time::Duration::from_secs(seconds);
    }
    if let Some(rate) = args.load_rate {
        plan.load_rate = rate;
    }
    let roster = roster_binary(args.roster.as_deref())?;
    let host = host::HostSpeed::measure(&std::env::temp_dir()).await?;
    println!("host: {}", host.describe());
    let mut rows = Vec::new();
    if matches!(args.backend, Which::Sqlite | Which::Both) {
        rows.extend(measure(Backend::sqlite()?, &plan, &roster, args.keep).await?);
    }
    if matches!(args.backend, Which::Postgres | Which::Both) {
        rows.extend(measure(Backend::postgres(&args.database_url).await?, &plan, &roster, args.keep).await?);
    }
    let command: Vec<String> = std::env::args().collect();
    let markdown = report::markdown(&rows, &command.join(" "), &host);
    println!("\n{markdown}");
    if let Some(path) = &args.report {
        std::fs::write(path, &markdown).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

async fn measure(backend: Backend, plan: &Plan, roster: &std::path::Path, keep: bool) -> Result<Vec<report::Row>> {
    let log = std::env::temp_dir().join(format!("roster-bench-{}.log", backend.name()));
    let rows = run::backend(&backend, plan, roster, &log).await.with_context(|| {
        format!(
            "the {} run failed; the server's log is {}",
            backend.name(),
            log.display()
        )
    })?;
    if keep {
        println!("{}: the data is kept in {}", backend.name(), backend.keep());
    } else {
        backend.clean_up().await?;
    }
    Ok(rows)
}

fn roster_binary(given: Option<&std::path::Path>) -> Result<PathBuf> {
    let path = match given {
        Some(path) => path.to_owned(),
        None => std::env::current_exe()?.with_file_name("roster"),
    };
    if !path.is_file() {
        bail!(
            "no roster binary at {}; build it with `cargo build --release -p roster` or pass --roster",
            path.display()
        );
    }
    Ok(path)
}
