//! The history of a run: every operation a client made, with when it was invoked and when
//! its answer came, and how it ended: `Ok` (it happened, with what the answer said),
//! `Fail` (it certainly did not happen) or `Info` (unknown: a timeout, a lost connection,
//! a 503 or another 5xx, so it may or may not have happened).

use std::sync::Mutex;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// The number of UPN keys the clients fight over; key `n` is `k<n>@<domain>`.
pub(crate) type Key = usize;

/// What a client asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Call {
    Create { key: Key },
    Delete { id: Uuid },
    Rename { id: Uuid, key: Key },
    Restore { id: Uuid },
    BulkRestore { ids: Vec<Uuid> },
    Purge { id: Uuid },
    ReadKey { key: Key },
    ReadDeleted,
}

impl Call {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Call::Create { .. } => "create",
            Call::Delete { .. } => "delete",
            Call::Rename { .. } => "rename",
            Call::Restore { .. } => "restore",
            Call::BulkRestore { .. } => "bulk-restore",
            Call::Purge { .. } => "purge",
            Call::ReadKey { .. } => "read-key",
            Call::ReadDeleted => "read-deleted",
        }
    }
}

/// How one user of a bulk restore came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Item {
    Restored,
    AlreadyActive,
    Failed,
    Unknown,
}

/// What an `Ok` answer said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    Done,
    Created(Uuid),
    /// The ids a read returned; `complete` is false when the answer had more pages.
    Seen {
        ids: Vec<Uuid>,
        complete: bool,
    },
    /// A bulk restore's result for each requested id, in order.
    Items(Vec<Item>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    Ok(Value),
    Fail(String),
    Info(String),
}

/// One completed operation.
#[derive(Debug, Clone)]
pub(crate) struct Op {
    pub(crate) client: usize,
    pub(crate) replica: usize,
    pub(crate) call: Call,
    pub(crate) invoked: Duration,
    pub(crate) completed: Duration,
    pub(crate) outcome: Outcome,
    /// The HTTP status, if an answer came.
    pub(crate) status: Option<u16>,
    /// Whether a 503 carried `Retry-After`.
    pub(crate) retry_after: bool,
}

impl Op {
    pub(crate) fn is_ok(&self) -> bool {
        matches!(self.outcome, Outcome::Ok(_))
    }

    pub(crate) fn outcome_name(&self) -> &'static str {
        match self.outcome {
            Outcome::Ok(_) => "ok",
            Outcome::Fail(_) => "fail",
            Outcome::Info(_) => "info",
        }
    }
}

/// Where the clients record their operations.
#[derive(Debug)]
pub(crate) struct History {
    start: Instant,
    ops: Mutex<Vec<Op>>,
}

impl History {
    pub(crate) fn new() -> History {
        History {
            start: Instant::now(),
            ops: Mutex::new(Vec::new()),
        }
    }

    /// When the run began.
    pub(crate) fn started(&self) -> Instant {
        self.start
    }

    /// Time since the run began.
    pub(crate) fn now(&self) -> Duration {
        self.start.elapsed()
    }

    pub(crate) fn record(&self, op: Op) {
        self.ops.lock().unwrap().push(op);
    }

    pub(crate) fn ops(&self) -> Vec<Op> {
        let mut ops = self.ops.lock().unwrap().clone();
        ops.sort_by_key(|op| op.invoked);
        ops
    }
}
