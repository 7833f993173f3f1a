//! T37: an open-model load. Requests arrive at a fixed rate whatever the server does (a
//! slow answer never delays the next request), and each latency counts from the moment
//! the request was due, so a stall shows in full (no coordinated omission). Meanwhile a
//! bulk restore runs and the purge job removes a batch of expired users.

use super::admin_pages::sign_in;
use crate::client::Api;
use crate::seed::Seeder;
use crate::stats::Samples;
use anyhow::{Context, Result, bail};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;
use tokio::task::JoinSet;

/// A sign-in every this often: the per-address limit allows 10 a minute.
const SIGN_IN_EVERY: Duration = Duration::from_secs(7);
/// The retention that expires every seeded bin user (deleted two hours ago).
const SHORT_RETENTION: time::Duration = time::Duration::hours(1);
const DEFAULT_RETENTION: time::Duration = time::Duration::days(30);

/// What the load's requests did.
#[derive(Debug, Default)]
pub(crate) struct Load {
    pub(crate) reads: Samples,
    pub(crate) writes: Samples,
    pub(crate) sign_ins: Samples,
    /// Requests due in the run, and how many got an error (or an unexpected status).
    pub(crate) scheduled: usize,
    pub(crate) errors: usize,
    pub(crate) bulk: Duration,
    /// From expiring the users to the last one purged (so it includes waiting up to one
    /// purge interval, a second, for the job's next run); `None` if it did not finish.
    pub(crate) purge: Option<Duration>,
}

/// What to run: requests per second for how long, against which users, beside a bulk
/// restore of `bulk` users and the purge of `purge` expired ones.
#[derive(Debug, Clone)]
pub(crate) struct Shape {
    pub(crate) rate: u32,
    pub(crate) length: Duration,
    pub(crate) users: Vec<String>,
    pub(crate) bulk: usize,
    pub(crate) purge: usize,
    /// The admin's base URL, user name and password, for the sign-ins.
    pub(crate) admin: (String, String, String),
}

/// Runs the load for `shape.length`; the bulk restore, then the purge, start a tenth of
/// the way in.
pub(crate) async fn run(seeder: &Seeder, api: &Api, shape: Shape) -> Result<Load> {
    if shape.users.is_empty() || shape.rate == 0 {
        bail!("the load needs users and a rate");
    }
    seeder.set_retention(DEFAULT_RETENTION).await?;
    // Seeded names are numbered; these start far past any other part's users.
    let first = 10_000_000;
    let restorable: Vec<String> = seeder
        .deleted_users(first, shape.bulk)
        .await?
        .iter()
        .map(|id| id.to_string())
        .collect();
    seeder.deleted_users(first + shape.bulk, shape.purge).await?;
    let load = Arc::new(Mutex::new(Load::default()));
    let started = Instant::now();
    let arrivals = tokio::spawn(arrive(api.clone(), shape.clone(), load.clone()));
    tokio::time::sleep(shape.length / 10).await;
    let (_, bulk) = api.bulk_restore(&restorable, "keep").await?;
    let after = seeder.bin_rows_after_purge(SHORT_RETENTION).await?;
    let purge_started = Instant::now();
    seeder.set_retention(SHORT_RETENTION).await?;
    let mut purge = None;
    while started.elapsed() < shape.length + Duration::from_secs(60) {
        if seeder.bin_rows().await? <= after {
            purge = Some(purge_started.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    arrivals.await.context("the arrival task")?;
    let mut load = std::mem::take(&mut *load.lock().await);
    for samples in [&mut load.reads, &mut load.writes, &mut load.sign_ins] {
        samples.wall = shape.length;
    }
    load.bulk = bulk;
    load.purge = purge;
    Ok(load)
}

/// Sends each request at its due time (request `n` at `n / rate` seconds) until the run's
/// length has passed, then waits for the last answers.
async fn arrive(api: Api, shape: Shape, load: Arc<Mutex<Load>>) {
    let start = tokio::time::Instant::now();
    let mut tasks = JoinSet::new();
    let mut next_sign_in = Duration::ZERO;
    for n in 0_u32.. {
        let due = Duration::from_secs_f64(f64::from(n) / f64::from(shape.rate));
        if due >= shape.length {
            break;
        }
        tokio::time::sleep_until(start + due).await;
        let due_at = (start + due).into_std();
        let user = shape.users[n as usize % shape.users.len()].clone();
        let (api_now, load_now) = (api.clone(), load.clone());
        tasks.spawn(async move {
            let kind = one_request(&api_now, n, &user).await;
            record(&load_now, kind, due_at).await;
        });
        if due >= next_sign_in {
            next_sign_in += SIGN_IN_EVERY;
            let (admin, load) = (shape.admin.clone(), load.clone());
            tasks.spawn(async move {
                let browser = reqwest::Client::builder().cookie_store(true).no_proxy().build();
                let signed = match browser {
                    Ok(browser) => sign_in(&browser, &admin.0, &admin.1, &admin.2).await,
                    Err(error) => Err(error.into()),
                };
                record(&load, signed.map(|()| Kind::SignIn), due_at).await;
            });
        }
    }
    while tasks.join_next().await.is_some() {}
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Read,
    Write,
    SignIn,
}

/// Three reads (a user twice, then a page of the bin) for every write (a job title). An
/// unexpected status is an error.
async fn one_request(api: &Api, n: u32, user: &str) -> Result<Kind> {
    match n % 4 {
        0 => api.patch_user(user, &format!("Load {n}")).await.map(|_| Kind::Write),
        3 => api
            .get("/v1.0/directory/deletedItems/microsoft.graph.user?$top=100", false)
            .await
            .map(|_| Kind::Read),
        _ => api.get(&format!("/v1.0/users/{user}"), false).await.map(|_| Kind::Read),
    }
}

/// Counts an answer, its latency taken from when it was due.
async fn record(load: &Mutex<Load>, outcome: Result<Kind>, due_at: Instant) {
    let latency = due_at.elapsed();
    let mut load = load.lock().await;
    load.scheduled += 1;
    match outcome {
        Ok(Kind::Read) => load.reads.push(latency),
        Ok(Kind::Write) => load.writes.push(latency),
        Ok(Kind::SignIn) => load.sign_ins.push(latency),
        Err(_) => load.errors += 1,
    }
}
