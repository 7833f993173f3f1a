//! Argon2id over memory that is allocated once and reused: a fixed pool of one hashing
//! thread per core, each owning its 19 MiB work area. Hashing on short-lived blocking
//! threads instead left one freed work area behind in every allocator arena it touched,
//! so the server's resident memory grew by ~19 MiB per thread that ever hashed.
//!
//! Hashes are PHC strings `$argon2id$v=19$m=…,t=…,p=…$<salt>$<hash>` (standard base64
//! without padding, as the PHC format says), so they verify with any Argon2 library.

use super::PasswordHash;
use crate::error::Error;
use argon2::{Algorithm, Argon2, Block, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, OnceLock};

/// A job for a hashing thread, given that thread's work area.
type Job = Box<dyn FnOnce(&mut Vec<Block>) + Send>;

/// The largest memory cost a stored hash may ask for when verified (1 GiB).
const MAX_M_COST: u32 = 1024 * 1024;

fn pool() -> &'static Mutex<Sender<Job>> {
    static POOL: OnceLock<Mutex<Sender<Job>>> = OnceLock::new();
    POOL.get_or_init(|| {
        let (sender, receiver) = channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        for n in 0..threads {
            let receiver = Arc::clone(&receiver);
            let spawned = std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || work(&receiver));
            if let Err(error) = spawned {
                tracing::error!(%error, "could not start a password hashing thread");
            }
        }
        Mutex::new(sender)
    })
}

/// A hashing thread: takes jobs one at a time and lends each its work area.
fn work(receiver: &Mutex<Receiver<Job>>) {
    let mut memory = vec![Block::default(); Params::DEFAULT.block_count()];
    loop {
        let job = match receiver.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => return,
        };
        match job {
            Ok(job) => job(&mut memory),
            Err(_) => return,
        }
    }
}

/// Runs `job` on a hashing thread and waits for it without blocking the async runtime.
pub(super) async fn run<T: Send + 'static>(
    job: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
) -> Result<T, Error> {
    let failed = || {
        Error::Store(crate::store::StoreError::Other(
            "password hashing is unavailable".into(),
        ))
    };
    let (reply, answer) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move |memory| {
        let _ = reply.send(job(memory));
    });
    pool().lock().map_err(|_| failed())?.send(job).map_err(|_| failed())?;
    answer.await.map_err(|_| failed())
}

/// Hashes with a fresh random salt and Roster's parameters (OWASP: 19 MiB, t = 2, p = 1).
pub(super) fn hash_with(memory: &mut Vec<Block>, password: &[u8]) -> PasswordHash {
    let params = Params::DEFAULT;
    let mut salt = [0u8; 16];
    super::fill_random(&mut salt);
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    memory.resize(params.block_count(), Block::default());
    #[allow(clippy::expect_used)]
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password_into_with_memory(password, &salt, &mut out, memory.as_mut_slice())
        .expect("Argon2id with default parameters cannot fail on a bounded password and a 16-byte salt");
    PasswordHash(format!(
        "$argon2id$v=19$m={},t={},p={}${}${}",
        params.m_cost(),
        params.t_cost(),
        params.p_cost(),
        B64.encode(salt),
        B64.encode(out)
    ))
}

/// Whether `password` matches a stored PHC string (any Argon2id parameters).
pub(super) fn verify_with(memory: &mut Vec<Block>, phc: &str, password: &[u8]) -> bool {
    let Some(stored) = Stored::parse(phc) else {
        return false;
    };
    let Ok(params) = Params::new(stored.m, stored.t, stored.p, Some(stored.hash.len())) else {
        return false;
    };
    memory.resize(params.block_count(), Block::default());
    let mut out = vec![0u8; stored.hash.len()];
    let computed = Argon2::new(Algorithm::Argon2id, Version::V0x13, params).hash_password_into_with_memory(
        password,
        &stored.salt,
        &mut out,
        memory.as_mut_slice(),
    );
    memory.truncate(Params::DEFAULT.block_count());
    computed.is_ok() && constant_time_eq(&out, &stored.hash)
}

/// The parts of a stored `$argon2id$v=19$m=…,t=…,p=…$salt$hash` string.
struct Stored {
    m: u32,
    t: u32,
    p: u32,
    salt: Vec<u8>,
    hash: Vec<u8>,
}

impl Stored {
    fn parse(phc: &str) -> Option<Stored> {
        let mut parts = phc.split('$');
        let (empty, algorithm, version) = (parts.next()?, parts.next()?, parts.next()?);
        let (params, salt, hash) = (parts.next()?, parts.next()?, parts.next()?);
        if !empty.is_empty() || algorithm != "argon2id" || version != "v=19" || parts.next().is_some() {
            return None;
        }
        let mut m = None;
        let mut t = None;
        let mut p = None;
        for pair in params.split(',') {
            let (name, value) = pair.split_once('=')?;
            let value: u32 = value.parse().ok()?;
            match name {
                "m" => m = Some(value),
                "t" => t = Some(value),
                "p" => p = Some(value),
                _ => return None,
            }
        }
        let m = m.filter(|m| *m <= MAX_M_COST)?;
        Some(Stored {
            m,
            t: t?,
            p: p?,
            salt: B64.decode(salt).ok()?,
            hash: B64.decode(hash).ok()?,
        })
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    /// Many hashes at once run on no more threads than cores, never on the caller's
    /// thread, and each thread keeps reusing one work area (T29: bounded hashing).
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn hashing_runs_on_one_thread_per_core_each_reusing_its_work_area() {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let mut jobs = tokio::task::JoinSet::new();
        for _ in 0..cores * 8 {
            jobs.spawn(run(|memory: &mut Vec<Block>| {
                let hash = hash_with(memory, b"a long enough passphrase");
                let name = std::thread::current().name().unwrap_or_default().to_owned();
                (name, memory.as_ptr() as usize, hash)
            }));
        }
        let done = jobs.join_all().await;
        let mut areas: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
        for result in done {
            let (thread, area, hash) = result.unwrap();
            assert!(thread.starts_with("argon2-"), "hashed on {thread:?}");
            assert!(verify_with(&mut Vec::new(), &hash.0, b"a long enough passphrase"));
            areas.entry(thread).or_default().insert(area);
        }
        assert!(
            areas.len() <= cores,
            "{} hashing threads for {cores} cores",
            areas.len()
        );
        assert!(
            areas.values().all(|a| a.len() == 1),
            "work areas were reallocated: {areas:?}"
        );
    }
}
