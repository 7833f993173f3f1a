//! The expected audit stream of a scripted history, checked against the stored chain after
//! every step: exactly one record per effect, none for a call that changed nothing, in
//! commit order, and no secret in any record.

use crate::lifecycle::Fixture;
use directory::audit::{AuditAction, AuditEvent, AuditOutcome, AuditQuery};
use directory::store::Store;
use std::sync::Arc;

/// One record the history should have left: what, by whom, on what, and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Expected {
    pub(crate) action: AuditAction,
    pub(crate) actor: String,
    pub(crate) target: String,
    pub(crate) outcome: AuditOutcome,
}

impl Expected {
    fn of(event: &AuditEvent) -> Self {
        Expected {
            action: event.action,
            actor: event.actor.clone(),
            target: event.target.clone(),
            outcome: event.outcome,
        }
    }
}

/// The effects performed so far, in commit order, and the secrets no record may hold.
pub(crate) struct Ledger {
    /// Its own store on the database, as a second process reading the log.
    store: Arc<dyn Store>,
    expected: Vec<Expected>,
    secrets: Vec<String>,
    checks: usize,
}

impl Ledger {
    pub(crate) async fn open(fx: &Fixture) -> Self {
        Ledger {
            store: fx.db.store().await,
            expected: Vec::new(),
            secrets: Vec::new(),
            checks: 0,
        }
    }

    /// One successful effect.
    pub(crate) fn done(&mut self, action: AuditAction, actor: &str, target: impl ToString) {
        self.push(action, actor, target, AuditOutcome::Success);
    }

    /// One refused attempt that the rules audit.
    pub(crate) fn refused(&mut self, action: AuditAction, actor: &str, target: impl ToString) {
        self.push(action, actor, target, AuditOutcome::Failure);
    }

    fn push(&mut self, action: AuditAction, actor: &str, target: impl ToString, outcome: AuditOutcome) {
        self.expected.push(Expected {
            action,
            actor: actor.to_owned(),
            target: target.to_string(),
            outcome,
        });
    }

    /// A password, token or link that must never appear in a record.
    pub(crate) fn secret(&mut self, secret: &str) {
        self.secrets.push(secret.to_owned());
    }

    /// The invariant after a step: the stored chain, read in `seq` (commit) order, is the
    /// expected list, one for one; the chain verifies; the audit API sees the same count.
    pub(crate) async fn check(&mut self, fx: &Fixture, step: &str) {
        self.checks += 1;
        let records = chain(&*self.store).await;
        let found: Vec<Expected> = records.iter().map(Expected::of).collect();
        if found != self.expected {
            panic!("{}", self.mismatch(step, &found));
        }
        for event in &records {
            self.assert_no_secret(event, step);
        }
        let report = fx.directory.verify_audit_chain(&fx.admin, None).await.unwrap();
        assert_eq!(report.first_break, None, "after {step}");
        let query = AuditQuery {
            limit: 1000,
            ..AuditQuery::default()
        };
        let listed = fx.directory.audit_events(&fx.admin, &query).await.unwrap();
        assert_eq!(listed.len(), self.expected.len(), "after {step}: the audit API");
    }

    pub(crate) fn checks(&self) -> usize {
        self.checks
    }

    pub(crate) fn len(&self) -> usize {
        self.expected.len()
    }

    fn mismatch(&self, step: &str, found: &[Expected]) -> String {
        let first = self
            .expected
            .iter()
            .zip(found)
            .position(|(want, got)| want != got)
            .unwrap_or(self.expected.len().min(found.len()));
        format!(
            "after step '{step}' (check {}): the audit log differs from the effects at record {}\n\
             expected {} records, found {}\nexpected from there: {:#?}\nfound from there: {:#?}",
            self.checks,
            first + 1,
            self.expected.len(),
            found.len(),
            &self.expected[first..],
            &found[first..],
        )
    }

    fn assert_no_secret(&self, event: &AuditEvent, step: &str) {
        let fields = std::iter::once(&event.actor)
            .chain(std::iter::once(&event.target))
            .chain(event.details.iter().map(|(_, value)| value));
        for field in fields {
            for secret in &self.secrets {
                assert!(!field.contains(secret.as_str()), "after {step}: a secret in {event:?}");
            }
        }
    }
}

/// Every stored record in chain order.
async fn chain(store: &dyn Store) -> Vec<AuditEvent> {
    let mut read = store.read().await.unwrap();
    let page = read.audit_chain_page(0, 100_000).await.unwrap();
    assert_eq!(read.count_unchained_audit_events().await.unwrap(), 0);
    page.into_iter()
        .map(|record| record.event.expect("every record reads back"))
        .collect()
}
