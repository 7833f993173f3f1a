//! One backend's run: seed, start `roster serve`, measure in the order of the issue, and
//! collect the rows with their targets.

use crate::backend::Backend;
use crate::client::Api;
use crate::plan::{Part, Plan};
use crate::report::Row;
use crate::scenarios::{admin_pages, bulk, lifecycle, open_load, pages, purge};
use crate::seed::Seeder;
use crate::server::Server;
use crate::stats::{Summary, ms};
use anyhow::{Result, bail};
use std::path::Path;
use std::time::{Duration, Instant};

const MB: f64 = 1_000_000.0;
/// The password of the admins the bench signs in as.
const ADMIN_PASSWORD: &str = "a bench admin passphrase 2026";

/// Everything measured on one backend.
pub(crate) async fn backend(backend: &Backend, plan: &Plan, roster: &Path, log: &Path) -> Result<Vec<Row>> {
    let name = backend.name();
    let mut rows = Vec::new();
    let seeder = Seeder::new(backend.open().await?).await?;
    let tokens = seeder.tokens(plan.workers + 1).await?;
    let started = Instant::now();
    let live = seeder.live_users(0, plan.live).await?;
    backend.settle().await?;
    rows.push(Row::once(
        name,
        "seed active users (not a target)",
        plan.live,
        started.elapsed(),
    ));
    println!(
        "{name}: seeded {} active users in {:.1} s",
        plan.live,
        started.elapsed().as_secs_f64()
    );

    let server = Server::start(roster, &backend.serve_args(), log).await?;
    let http = Api::pool()?;
    let apis: Vec<Api> = tokens.iter().map(|t| Api::new(http.clone(), &server.base, t)).collect();
    let mut bin: Vec<String> = Vec::new();
    let mut serial_medians = Vec::new();
    for &size in &plan.bins {
        let added = seeder.deleted_users(bin.len(), size - bin.len()).await?;
        backend.settle().await?;
        bin.extend(added.iter().map(|id| id.to_string()));
        if !plan.measures(Part::Lifecycle) {
            continue;
        }
        println!("{name}: bin at {size}; measuring the lifecycle");
        let one = lifecycle::run(&apis[..1], &format!("s{size}"), plan.serial, 1).await?;
        let many = lifecycle::run(&apis[1..], &format!("c{size}"), plan.concurrent, plan.workers).await?;
        serial_medians.push((size, one.delete.summary(), one.restore.summary()));
        rows.extend(lifecycle_rows(name, size, &one, 1));
        rows.extend(lifecycle_rows(name, size, &many, plan.workers));
    }
    rows.extend(growth_rows(name, &serial_medians));

    if plan.measures(Part::Pages) {
        rows.extend(page_rows(name, plan, &apis[0]).await?);
    }
    if plan.measures(Part::Admin) {
        rows.extend(admin_page_rows(name, plan, &seeder, &server.base).await?);
    }
    let users = plan.live + plan.bin_max();
    rows.push(memory_row(
        name,
        &server,
        &format!("{users} users, after the lifecycle and pages"),
    )?);
    if plan.measures(Part::Bulk) {
        rows.extend(bulk_rows(name, plan, &apis[0], &bin).await?);
        println!(
            "{name}: peak RSS {:.0} MB after the bulk restores",
            server.peak_rss()? as f64 / MB
        );
        seeder.deleted_users(bin.len(), 2 * plan.bulk).await?;
        backend.settle().await?;
    }
    if plan.measures(Part::Purge) {
        rows.extend(purge_rows(name, &seeder, &apis[0], &live).await?);
    }
    if plan.measures(Part::Load) {
        rows.extend(load_rows(name, plan, &seeder, &apis[0], &server.base, &live).await?);
    }
    rows.push(memory_row(
        name,
        &server,
        &format!("{users} users, the whole run (bulk restores and purge too)"),
    )?);
    server.stop()?;
    Ok(rows)
}

/// Issue 7's pages of 100 deleted users, one row per query shape.
async fn page_rows(name: &'static str, plan: &Plan, api: &Api) -> Result<Vec<Row>> {
    println!("{name}: pages of the bin at {}", plan.bin_max());
    let mut rows = Vec::new();
    for shape in pages::run(api, plan.depth, plan.repeats).await? {
        let summary = shape.samples.summary();
        let what = format!("page of 100 deleted, {} (bin {})", shape.name, plan.bin_max());
        let met = summary.p99 <= Duration::from_millis(5);
        rows.push(Row::latency(name, what, summary).sqlite_target("p99 ≤ 5 ms", met));
    }
    Ok(rows)
}

/// T37: the open load, with a bulk restore and a purge beside it.
async fn load_rows(
    name: &'static str,
    plan: &Plan,
    seeder: &Seeder,
    api: &Api,
    base: &str,
    live: &[directory::ids::UserId],
) -> Result<Vec<Row>> {
    let (rate, seconds) = (plan.load_rate, plan.load_length.as_secs());
    println!("{name}: open load, {rate} requests/s for {seconds} s");
    let admin = seeder.admin("load-admin", ADMIN_PASSWORD).await?;
    let shape = open_load::Shape {
        rate,
        length: plan.load_length,
        users: live.iter().take(1000).map(|id| id.to_string()).collect(),
        bulk: plan.load_bulk,
        purge: plan.load_purge,
        admin: (base.to_owned(), admin, ADMIN_PASSWORD.to_owned()),
    };
    let load = open_load::run(seeder, api, shape).await?;
    let what = |kind: &str| format!("open load {rate}/s for {seconds} s: {kind} (from when due)");
    let p99_within = |s: Summary, ms: u64| s.p99 <= Duration::from_millis(ms);
    let (reads, writes) = (load.reads.summary(), load.writes.summary());
    let error_rate = load.errors as f64 / load.scheduled.max(1) as f64;
    // The purge's budget, and up to one purge interval until the job's next run.
    let purge_limit = 1.0 + plan.load_purge as f64 / 10_000.0;
    let purge_row = match load.purge {
        Some(took) => Row::once(name, "purge during the open load (from expiry)", plan.load_purge, took).target(
            format!("≤ {purge_limit:.2} s (1 s interval + 10 s per 100k)"),
            took.as_secs_f64() <= purge_limit,
        ),
        None => Row::value(name, "purge during the open load", "did not finish".into()).target("finishes", false),
    };
    // Every wait for a lock is part of some request's time, so the slowest request bounds
    // them all (T37: no lock wait over 1 s).
    let slowest = [&load.reads, &load.writes, &load.sign_ins]
        .iter()
        .map(|samples| samples.slowest())
        .max()
        .unwrap_or_default();
    let slowest_row = Row::value(
        name,
        format!("open load {rate}/s for {seconds} s: the slowest request (from when due)"),
        format!("{} ms", ms(slowest)),
    )
    .target(
        "< 1 s, which bounds every lock wait (T37)",
        slowest < Duration::from_secs(1),
    );
    Ok(vec![
        Row::latency(name, what("reads"), reads).target("p99 ≤ 150 ms (T37)", p99_within(reads, 150)),
        Row::latency(name, what("writes"), writes).target("p99 ≤ 300 ms (T37)", p99_within(writes, 300)),
        Row::latency(name, what("sign-ins, one per 7 s"), load.sign_ins.summary()),
        Row::value(
            name,
            format!("open load {rate}/s for {seconds} s: errors"),
            format!("{} of {} ({:.3} %)", load.errors, load.scheduled, error_rate * 100.0),
        )
        .target("< 0.1 %", error_rate < 0.001),
        slowest_row,
        Row::once(name, "bulk restore during the open load", plan.load_bulk, load.bulk),
        purge_row,
    ])
}

/// The server's peak resident memory so far against issue 7's 150 MB.
fn memory_row(name: &'static str, server: &Server, when: &str) -> Result<Row> {
    let peak = server.peak_rss()?;
    println!("{name}: peak RSS {:.0} MB, {when}", peak as f64 / MB);
    let value = format!("{:.0} MB", peak as f64 / MB);
    let what = format!("server peak RSS (VmHWM), {when}");
    Ok(Row::value(name, what, value).sqlite_target("≤ 150 MB", peak as f64 <= 150.0 * MB))
}

/// Issue 4's target: admin center pages well under 50 ms with (at least) 10,000 users in
/// the bin.
async fn admin_page_rows(name: &'static str, plan: &Plan, seeder: &Seeder, base: &str) -> Result<Vec<Row>> {
    println!("{name}: admin center pages at bin {}", plan.bin_max());
    let upn = seeder.admin("page-admin", ADMIN_PASSWORD).await?;
    let shapes = admin_pages::run(base, &upn, ADMIN_PASSWORD, plan.repeats).await?;
    Ok(shapes
        .into_iter()
        .map(|shape| {
            let summary = shape.samples.summary();
            let what = format!("admin center: {} (bin {})", shape.name, plan.bin_max());
            let met = summary.p99 < Duration::from_millis(50);
            Row::latency(name, what, summary).target("p99 < 50 ms (issue 4)", met)
        })
        .collect())
}

fn lifecycle_rows(name: &'static str, bin: usize, measured: &lifecycle::Lifecycle, workers: usize) -> Vec<Row> {
    let serial = workers == 1;
    let how = if serial {
        "one at a time".to_owned()
    } else {
        format!("{workers} in flight")
    };
    let target = |summary: Summary, row: Row| {
        if serial {
            let met = summary.median <= Duration::from_millis(1) && summary.p99 <= Duration::from_millis(3);
            row.sqlite_target("median ≤ 1 ms, p99 ≤ 3 ms", met)
        } else {
            row
        }
    };
    let create = measured.create.summary();
    let delete = measured.delete.summary();
    let restore = measured.restore.summary();
    vec![
        Row::latency(
            name,
            format!("create user, {how}, bin {bin} (hashes a password)"),
            create,
        ),
        target(
            delete,
            Row::latency(name, format!("delete user, {how}, bin {bin}"), delete),
        ),
        target(
            restore,
            Row::latency(name, format!("restore user, {how}, bin {bin}"), restore),
        ),
    ]
}

/// Growth of the one-at-a-time medians from the smallest bin to the largest.
fn growth_rows(name: &'static str, medians: &[(usize, Summary, Summary)]) -> Vec<Row> {
    let (Some(first), Some(last)) = (medians.first(), medians.last()) else {
        return Vec::new();
    };
    let ratio = |a: Summary, b: Summary| b.median.as_secs_f64() / a.median.as_secs_f64().max(1e-9);
    let mut rows = Vec::new();
    for (what, a, b) in [("delete", first.1, last.1), ("restore", first.2, last.2)] {
        let growth = ratio(a, b);
        let text = format!("{growth:.2}× ({} → {} ms)", ms(a.median), ms(b.median));
        let what = format!("{what} median growth, bin {} → {}", first.0, last.0);
        rows.push(Row::value(name, what, text).sqlite_target("≤ 1.5×", growth <= 1.5));
    }
    rows
}

async fn bulk_rows(name: &'static str, plan: &Plan, api: &Api, bin: &[String]) -> Result<Vec<Row>> {
    if bin.len() < 2 * plan.bulk {
        bail!(
            "the bin holds {} users, too few for two bulk restores of {}",
            bin.len(),
            plan.bulk
        );
    }
    println!("{name}: bulk restores of {}", plan.bulk);
    // Timed before the restores: right after one, the server was still busy (the hash took
    // 22.5 ms there against 15.5 ms before it, 100k users).
    let one_hash = bulk::one_hash().await?;
    let keep = bulk::restore(api, &bin[..plan.bulk], "keep").await?;
    let per_10k = if name == "SQLite" { 2.0 } else { 4.0 };
    let limit = per_10k * plan.bulk as f64 / 10_000.0;
    let what = format!("bulk restore of {}, passwords kept", plan.bulk);
    let target = format!("≤ {limit:.2} s ({per_10k} s per 10k)");
    let keep_row = Row::once(name, what, plan.bulk, keep).target(target, keep.as_secs_f64() <= limit);
    let floor = bulk::hashing_floor(plan.bulk, one_hash);
    let generated = bulk::restore(api, &bin[plan.bulk..2 * plan.bulk], "generate").await?;
    let what = format!("bulk restore of {}, passwords generated", plan.bulk);
    let ratio = generated.as_secs_f64() / floor.as_secs_f64();
    let target = format!(
        "≤ 1.25 × floor; floor {:.2} s ({} ms/hash); {ratio:.2}×",
        floor.as_secs_f64(),
        ms(one_hash)
    );
    let generated_row = Row::once(name, what, plan.bulk, generated).target(target, ratio <= 1.25);
    Ok(vec![keep_row, generated_row])
}

async fn purge_rows(
    name: &'static str,
    seeder: &Seeder,
    api: &Api,
    live: &[directory::ids::UserId],
) -> Result<Vec<Row>> {
    let Some(user) = live.first() else {
        bail!("no active user to probe with during the purge");
    };
    println!("{name}: purge");
    let purged = purge::run(seeder, api, &user.to_string()).await?;
    let secs = purged.duration.as_secs_f64();
    let reads = purged.reads.summary();
    let writes = purged.writes.summary();
    let p99_ok = |s: Summary| s.p99 <= Duration::from_millis(20);
    let purged_n = usize::try_from(purged.purged).unwrap_or(usize::MAX);
    let limit = 10.0 * purged_n as f64 / 100_000.0;
    Ok(vec![
        Row::once(
            name,
            "purge of expired users (the purge job, batches sized to ~8 ms)",
            purged_n,
            purged.duration,
        )
        .sqlite_target(format!("≤ {limit:.2} s (10 s per 100k)"), secs <= limit),
        Row::latency(name, "API reads during the purge (GET user, GET bin page)", reads)
            .sqlite_target("p99 ≤ 20 ms", p99_ok(reads)),
        Row::latency(name, "API writes during the purge (PATCH user)", writes)
            .sqlite_target("p99 ≤ 20 ms", p99_ok(writes)),
    ])
}
