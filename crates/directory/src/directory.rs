//! The [`Directory`] façade and what its use cases share: loading the tenant, building
//! audit records, and turning database conflicts into domain errors.

use crate::audit::{AuditAction, AuditEvent, AuditOutcome};
use crate::caller::{Caller, Origin};
use crate::clock::{Clock, Timestamp};
use crate::error::{Error, Holder};
use crate::ids::AuditId;
use crate::store::{AddressHolder, Constraint, ReadTx, Store, StoreError};
use crate::tenant::Tenant;
use std::sync::Arc;

/// Entry point to every use case. Cheap to clone; share one per process.
#[derive(Debug, Clone)]
pub struct Directory {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn Clock>,
    replica: Option<String>,
}

impl Directory {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Directory {
            store,
            clock,
            replica: None,
        }
    }

    /// The same directory, naming the process it runs in: the records of its own work
    /// (the purge job, first-time initialisation) carry the name as `replica`.
    pub fn with_replica(mut self, name: impl Into<String>) -> Self {
        self.replica = Some(name.into());
        self
    }

    /// The name of the process, if it was given one.
    pub fn replica(&self) -> Option<&str> {
        self.replica.as_deref()
    }

    /// Roster itself, acting in this process.
    pub(crate) fn system_caller(&self) -> Caller {
        Caller::system().with_origin(Origin::on_replica(self.replica.clone()))
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Records a failed operation in its own transaction, after the failed one rolled
    /// back. Best effort: a failure to record is logged, never returned.
    pub(crate) async fn audit_failure(&self, caller: &Caller, action: AuditAction, target: Target, error: &Error) {
        let mut event = audit_event(caller, self.now(), action, target);
        event.outcome = AuditOutcome::Failure;
        event.details.push(("error".into(), error.code().as_str().into()));
        let result = async {
            let mut tx = self.store.begin().await?;
            tx.append_audit(&event).await?;
            tx.commit().await
        }
        .await;
        if let Err(store_error) = result {
            tracing::warn!(%store_error, action = action.as_str(), "could not record a failed operation");
        }
    }
}

/// The tenant, or [`Error::NotInitialized`].
pub(crate) async fn tenant_in(tx: &mut dyn ReadTx) -> Result<Tenant, Error> {
    tx.tenant().await?.ok_or(Error::NotInitialized)
}

/// The object an audit record is about.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub(crate) id: Option<uuid::Uuid>,
    pub(crate) name: String,
}

impl Target {
    pub(crate) fn new(id: impl Into<uuid::Uuid>, name: impl ToString) -> Self {
        Target {
            id: Some(id.into()),
            name: name.to_string(),
        }
    }
}

macro_rules! into_uuid {
    ($($id:ty),*) => {$(
        impl From<$id> for uuid::Uuid {
            fn from(id: $id) -> uuid::Uuid { id.0 }
        }
    )*};
}
into_uuid!(
    crate::ids::UserId,
    crate::ids::GroupId,
    crate::ids::SkuId,
    crate::ids::TokenId,
    crate::ids::AppId
);

/// A successful audit record with no details yet.
pub(crate) fn audit_event(caller: &Caller, at: Timestamp, action: AuditAction, target: Target) -> AuditEvent {
    AuditEvent {
        id: AuditId::generate(),
        at,
        actor: caller.principal.to_string(),
        action,
        target_id: target.id,
        target: target.name,
        outcome: AuditOutcome::Success,
        details: caller.origin.details(),
    }
}

/// Turns a database uniqueness violation into the domain's conflict error. The planners
/// check first and explain; this is the last line when another process won a race.
pub(crate) fn conflict_error(error: StoreError, upn: &str, addresses: &str) -> Error {
    match error {
        StoreError::Conflict(Constraint::UserPrincipalName) => Error::UpnTaken {
            upn: upn.to_owned(),
            holder: None,
        },
        StoreError::Conflict(Constraint::ProxyAddress) => Error::AddressTaken {
            address: addresses.to_owned(),
            holder: None,
        },
        other => Error::Store(other),
    }
}

impl From<&AddressHolder> for Holder {
    fn from(holder: &AddressHolder) -> Self {
        Holder {
            object_id: holder.owner_id,
            kind: holder.owner_kind,
            deleted: holder.owner_deleted,
        }
    }
}
