//! T19 over HTTP: a User Administrator's token (issued by `roster token issue`) bulk-restores
//! plain users together with a deleted Global Administrator and a deleted Privileged Role
//! Administrator. The admins are refused one by one and stay deleted, remembering all they
//! had; the others are restored; the audit log holds one record per user, actor = the token.

use crate::api::{Answer, Api};
use crate::backend::Backend;
use crate::inspect::{State, assert_chain_verifies, audit_events, state_of};
use crate::seed::{Seeded, Seeder};
use crate::server::{Server, roster};
use crate::support::{exclusive, scale};
use directory::audit::{AuditAction, AuditOutcome};
use directory::role::AdminRole;
use directory::store::Store;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

const TOKEN_NAME: &str = "t19-user-admin";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_admin_bulk_restore_on_sqlite_refuses_the_privileged_and_restores_the_rest() {
    let _one = exclusive().await;
    user_admin_bulk_restore(Backend::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_admin_bulk_restore_on_postgres_refuses_the_privileged_and_restores_the_rest() {
    let _one = exclusive().await;
    user_admin_bulk_restore(Backend::postgres()).await;
}

/// `roster token issue --role <role>` straight on the database; the printed token.
fn issue_token(storage: &[String], role: &str) -> String {
    let output = roster()
        .args(["token", "issue", "--role", role, "--name", TOKEN_NAME])
        .args(storage)
        .output()
        .expect("roster token issue runs");
    assert!(
        output.status.success(),
        "roster token issue failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

async fn user_admin_bulk_restore(backend: Backend) {
    let store = backend.open().await;
    let seeder = Seeder::new(store.clone()).await;
    let plain = seeder.deleted("t19plain", 4 * scale(), time::Duration::hours(1)).await;
    let mut admins = Vec::new();
    for (prefix, role) in [
        ("t19global", AdminRole::GlobalAdministrator),
        ("t19privrole", AdminRole::PrivilegedRoleAdministrator),
    ] {
        let admin = seeder.deleted(prefix, 1, time::Duration::hours(1)).await.remove(0);
        seeder.grant(&admin, role).await;
        admins.push((admin, role));
    }
    let token = issue_token(&backend.serve_args(), "User Administrator");
    let server = Server::start(&format!("t19-{}", backend.name()), &backend.serve_args(), "1h");
    let api = Api::new(&server.base, &token, Duration::from_secs(60));

    // The admins sit between plain users, so refusals must not stop the rest.
    let mut ids: Vec<uuid::Uuid> = plain.iter().map(|u| u.id.as_uuid()).collect();
    ids.insert(1, admins[0].0.id.as_uuid());
    ids.insert(3, admins[1].0.id.as_uuid());
    let answer = api.bulk_restore(&ids, &json!({})).await.unwrap();
    assert!(answer.status.is_success(), "{answer:?}");
    assert_results(&answer, &plain, &admins);
    drop(server);

    for user in &plain {
        assert_eq!(state_of(&store, user).await, State::Active, "{}", user.upn);
    }
    for (admin, role) in &admins {
        assert_eq!(state_of(&store, admin).await, State::Deleted, "{}", admin.upn);
        let roles = store.read().await.unwrap().roles_of(admin.id).await.unwrap();
        assert!(roles.contains(*role), "{} still holds {role}: {roles:?}", admin.upn);
    }
    assert_restore_audits(&store, &plain, &admins).await;
    assert_chain_verifies(&store).await;
    backend.clean_up().await;
}

/// Each plain user `restored`, each admin `failed` with the forbidden code; the summary agrees.
fn assert_results(answer: &Answer, plain: &[Seeded], admins: &[(Seeded, AdminRole)]) {
    let results = answer.body["results"].as_array().expect("results");
    let result_of = |user: &Seeded| {
        let id = user.id.as_uuid().to_string();
        results
            .iter()
            .find(|r| r["id"] == id.as_str())
            .cloned()
            .expect("a result")
    };
    for user in plain {
        assert_eq!(result_of(user)["status"], "restored", "{}", user.upn);
    }
    for (admin, _) in admins {
        let result = result_of(admin);
        assert_eq!(result["status"], "failed", "{}: {result}", admin.upn);
        assert_eq!(result["error"]["code"], "forbidden", "{}: {result}", admin.upn);
    }
    let summary = &answer.body["summary"];
    assert_eq!(summary["restored"], plain.len(), "{summary}");
    assert_eq!(summary["failed"], admins.len(), "{summary}");
}

/// Exactly one restore record per user: success for the plain ones, failure for the
/// admins, every one by the token.
async fn assert_restore_audits(store: &Arc<dyn Store>, plain: &[Seeded], admins: &[(Seeded, AdminRole)]) {
    let restores: Vec<_> = audit_events(store)
        .await
        .into_iter()
        .filter(|e| e.action == AuditAction::RestoreUser)
        .collect();
    let expected = plain
        .iter()
        .map(|u| (u, AuditOutcome::Success))
        .chain(admins.iter().map(|(u, _)| (u, AuditOutcome::Failure)));
    for (user, outcome) in expected {
        let records: Vec<_> = restores
            .iter()
            .filter(|e| e.target_id == Some(user.id.as_uuid()))
            .collect();
        assert_eq!(records.len(), 1, "restore records of {}: {records:?}", user.upn);
        assert_eq!(records[0].outcome, outcome, "{}", user.upn);
        assert_eq!(records[0].actor, format!("token:{TOKEN_NAME}"), "{}", user.upn);
    }
    assert_eq!(restores.len(), plain.len() + admins.len(), "no other restore records");
}
