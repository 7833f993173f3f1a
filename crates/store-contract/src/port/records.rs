//! Port cases on bearer tokens and audit events.

use super::{a_password, at, insert, is_other_conflict, token, user};
use crate::TestDb;
use directory::audit::{AuditAction, AuditEvent, AuditOutcome, AuditQuery};
use directory::ids::{AuditId, TokenId};
use directory::role::{AdminRole, RoleSet};
use directory::token::{TokenRecord, TokenSubject};

pub async fn tokens_round_trip_and_revoke(db: TestDb) {
    let store = db.store().await;
    let hash = a_password();
    let adele = user("adele@contoso.com", &[]);
    insert(&store, &[&adele], &hash).await;
    let personal = token("adele laptop", TokenSubject::User(adele.id));
    let second = token("adele phone", TokenSubject::User(adele.id));
    let roles = RoleSet::new([AdminRole::GlobalReader, AdminRole::UserAdministrator]);
    let service = token("backup job", TokenSubject::Service { roles: roles.clone() });
    let recovery = token("recovery", TokenSubject::Service { roles: RoleSet::all() });
    let mut tx = store.begin().await.unwrap();
    for token in [&personal, &second, &service, &recovery] {
        tx.insert_token(token).await.unwrap();
    }
    tx.commit().await.unwrap();

    let mut read = store.read().await.unwrap();
    for token in [&personal, &second, &service, &recovery] {
        assert_eq!(read.token_by_hash(&token.hash).await.unwrap().as_ref(), Some(token));
    }
    assert_eq!(read.token_by_hash(&"0".repeat(64)).await.unwrap(), None);
    drop(read);
    for token in [&personal, &second, &service, &recovery] {
        assert_eq!(store.lookup_token(&token.hash).await.unwrap().as_ref(), Some(token));
    }
    assert_eq!(store.lookup_token(&"0".repeat(64)).await.unwrap(), None);
    let mut tx = store.begin().await.unwrap();
    let copy = TokenRecord {
        id: TokenId::generate(),
        ..service.clone()
    };
    assert!(is_other_conflict(&tx.insert_token(&copy).await));
    drop(tx);

    let mut tx = store.begin().await.unwrap();
    assert!(tx.revoke_token(service.id, at(5)).await.unwrap());
    assert!(!tx.revoke_token(service.id, at(6)).await.unwrap());
    assert!(!tx.revoke_token(TokenId::generate(), at(6)).await.unwrap());
    assert_eq!(tx.revoke_tokens_of(adele.id, at(7)).await.unwrap(), 2);
    assert_eq!(tx.revoke_tokens_of(adele.id, at(8)).await.unwrap(), 0);
    tx.commit().await.unwrap();
    let mut read = store.read().await.unwrap();
    let revoked = read.token_by_hash(&service.hash).await.unwrap().unwrap();
    assert_eq!(revoked.revoked_at, Some(at(5)));
    assert_eq!(revoked.subject, TokenSubject::Service { roles });
    assert!(!revoked.is_valid_at(at(10)));
    for token in [&personal, &second] {
        assert_eq!(
            read.token_by_hash(&token.hash).await.unwrap().unwrap().revoked_at,
            Some(at(7))
        );
    }
    assert_eq!(
        read.token_by_hash(&recovery.hash).await.unwrap().as_ref(),
        Some(&recovery)
    );
}

pub async fn audit_events_round_trip_newest_first(db: TestDb) {
    let store = db.store().await;
    let target = uuid::Uuid::new_v4();
    let event = |seconds: i64, action: AuditAction, target_id: Option<uuid::Uuid>| AuditEvent {
        id: AuditId::generate(),
        at: at(seconds),
        actor: "admin@contoso.com".into(),
        action,
        target_id,
        target: "adele@contoso.com".into(),
        outcome: AuditOutcome::Success,
        details: vec![
            ("addressesReleased".into(), "false".into()),
            ("reason".into(), String::new()),
        ],
    };
    let created = event(1, AuditAction::AddUser, Some(target));
    let mut deleted = event(2, AuditAction::DeleteUser, Some(target));
    deleted.outcome = AuditOutcome::Failure;
    deleted.details = vec![
        ("error".into(), "line one\nline\ttwo".into()),
        ("key\twith tab".into(), "v".into()),
    ];
    let other = event(3, AuditAction::AddUser, None);
    let mut same_time = event(3, AuditAction::AddGroup, Some(uuid::Uuid::new_v4()));
    same_time.details = Vec::new();
    let mut tx = store.begin().await.unwrap();
    for event in [&other, &created, &same_time, &deleted] {
        tx.append_audit(event).await.unwrap();
    }
    tx.commit().await.unwrap();

    let mut newest = [&other, &same_time];
    newest.sort_by_key(|e| std::cmp::Reverse(e.id));
    let mut sanitized = deleted.clone();
    sanitized.details = vec![
        ("error".into(), "line one line two".into()),
        ("key with tab".into(), "v".into()),
    ];
    let mut expected: Vec<AuditEvent> = newest.into_iter().cloned().collect();
    expected.push(sanitized.clone());
    expected.push(created.clone());

    let mut read = store.read().await.unwrap();
    let all = read.audit_events(&AuditQuery::default()).await.unwrap();
    assert_eq!(all, expected);
    let query = |action: Option<AuditAction>, target_id: Option<uuid::Uuid>, limit: u32| AuditQuery {
        action,
        target_id,
        limit,
        ..AuditQuery::default()
    };
    assert_eq!(
        read.audit_events(&query(None, None, 2)).await.unwrap(),
        expected[..2].to_vec()
    );
    assert_eq!(
        read.audit_events(&query(Some(AuditAction::AddUser), None, 0))
            .await
            .unwrap(),
        vec![other.clone(), created.clone()]
    );
    assert_eq!(
        read.audit_events(&query(None, Some(target), 10)).await.unwrap(),
        vec![sanitized.clone(), created.clone()]
    );
    assert_eq!(
        read.audit_events(&query(Some(AuditAction::DeleteUser), Some(target), 10))
            .await
            .unwrap(),
        vec![sanitized]
    );
    assert!(
        read.audit_events(&query(Some(AuditAction::RevokeToken), None, 10))
            .await
            .unwrap()
            .is_empty()
    );
    drop(read);

    // An uncommitted record is not kept.
    let mut tx = store.begin().await.unwrap();
    tx.append_audit(&event(4, AuditAction::RevokeToken, None))
        .await
        .unwrap();
    drop(tx);
    assert_eq!(
        store
            .read()
            .await
            .unwrap()
            .audit_events(&AuditQuery::default())
            .await
            .unwrap()
            .len(),
        4
    );
}
