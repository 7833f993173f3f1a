//! Create, delete and restore users over Graph, one request in flight per worker: with
//! one worker that is "one at a time"; with sixteen, the concurrent case.

use crate::client::Api;
use crate::seed::DOMAIN;
use crate::stats::Samples;
use anyhow::Result;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

#[derive(Debug, Clone, Copy)]
enum Op {
    Create,
    Delete,
    Restore,
}

/// The latencies of each step.
#[derive(Debug)]
pub(crate) struct Lifecycle {
    pub(crate) create: Samples,
    pub(crate) delete: Samples,
    pub(crate) restore: Samples,
}

/// Creates `count` users named after `label`, deletes them all, then restores them all,
/// each step with `workers` requests in flight.
pub(crate) async fn run(apis: &[Api], label: &str, count: usize, workers: usize) -> Result<Lifecycle> {
    let aliases: Vec<String> = (0..count).map(|n| format!("probe-{label}-{n}")).collect();
    let (create, ids) = phase(apis, Op::Create, aliases, workers).await?;
    let (delete, _) = phase(apis, Op::Delete, ids.clone(), workers).await?;
    let (restore, _) = phase(apis, Op::Restore, ids, workers).await?;
    Ok(Lifecycle {
        create,
        delete,
        restore,
    })
}

/// Runs `op` on every item with `workers` workers; returns the samples and, for
/// creates, the new ids.
async fn phase(apis: &[Api], op: Op, items: Vec<String>, workers: usize) -> Result<(Samples, Vec<String>)> {
    let items = Arc::new(items);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..workers {
        let api = apis[worker % apis.len()].clone();
        let (items, next) = (items.clone(), next.clone());
        tasks.spawn(async move {
            let mut samples = Samples::default();
            let mut created = Vec::new();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(n) else { break };
                let latency = match op {
                    Op::Create => {
                        let (id, latency) = api.create_user(item, DOMAIN).await?;
                        created.push(id);
                        latency
                    }
                    Op::Delete => api.delete_user(item).await?,
                    Op::Restore => api.restore_user(item).await?,
                };
                samples.push(latency);
            }
            anyhow::Ok((samples, created))
        });
    }
    let mut all = Samples::default();
    let mut ids = Vec::new();
    while let Some(done) = tasks.join_next().await {
        let (samples, created) = done??;
        all.extend(samples);
        ids.extend(created);
    }
    all.wall = started.elapsed();
    Ok((all, ids))
}
