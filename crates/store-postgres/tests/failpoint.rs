//! T07's failpoint: a trigger makes PostgreSQL fail the restore and the create with
//! `40001` (serialization failure) or `40P01` (deadlock) in the middle of their
//! transactions. Each use case reports `Unavailable` (503 with `Retry-After` in every
//! protocol, so clients retry) and leaves nothing behind: no half change, no audit record,
//! no queued mail. Once the failpoint is gone, the client's retry succeeds with exactly one
//! audit record and one mail.

mod support;

use directory::audit::{AuditAction, AuditOutcome, AuditQuery};
use directory::mail::MailLogQuery;
use directory::password::Password;
use directory::recycle_bin::{PasswordReset, RestoreOptions};
use directory::upn::{DomainName, UserPrincipalName};
use directory::user::NewUser;
use directory::{Caller, Code, Directory, ManualClock};
use std::sync::Arc;
use store_postgres::PgStore;

/// Fails every statement that touches a user whose display name is 'Failpoint' with the
/// given SQLSTATE, from inside the transaction (after its earlier statements ran).
fn failpoint_sql(schema: &str, sqlstate: &str) -> String {
    format!(
        "CREATE OR REPLACE FUNCTION {schema}.failpoint() RETURNS trigger LANGUAGE plpgsql AS $$ \
         BEGIN IF NEW.display_name = 'Failpoint' THEN \
         RAISE EXCEPTION 'failpoint' USING ERRCODE = '{sqlstate}'; END IF; RETURN NEW; END $$; \
         CREATE OR REPLACE TRIGGER failpoint BEFORE INSERT OR UPDATE ON {schema}.users \
         FOR EACH ROW EXECUTE FUNCTION {schema}.failpoint()"
    )
}

#[tokio::test]
async fn a_serialization_failure_or_deadlock_mid_restore_or_create_is_unavailable_and_leaves_nothing() {
    let schema = support::fresh_schema();
    let store = Arc::new(PgStore::connect_in_schema(&support::url(), &schema).await.unwrap());
    let directory = Directory::new(store.clone(), Arc::new(ManualClock::at_default_start()));
    directory
        .initialize("Contoso", DomainName::parse("contoso.com").unwrap())
        .await
        .unwrap();
    let admin = Caller::system();
    let mut new = new_user("adele");
    new.display_name = "Failpoint".into();
    new.other_mails = vec![directory::address::EmailAddress::parse("adele@home.example").unwrap()];
    let adele = directory.create_user(&admin, new).await.unwrap();
    directory.delete_user(&admin, adele.id, false).await.unwrap();
    let options = RestoreOptions {
        password: PasswordReset::Generate,
        ..RestoreOptions::default()
    };

    for sqlstate in ["40001", "40P01"] {
        raw(&failpoint_sql(&schema, sqlstate)).await;
        let before = successes(&directory).await;
        let restore = directory.restore_user(&admin, adele.id, options.clone()).await;
        assert_eq!(restore.unwrap_err().code(), Code::Unavailable, "{sqlstate} on restore");
        let mut create = new_user("bianca");
        create.display_name = "Failpoint".into();
        let created = directory.create_user(&admin, create).await;
        assert_eq!(created.unwrap_err().code(), Code::Unavailable, "{sqlstate} on create");

        let mut read = directory::store::Store::read(&*store).await.unwrap();
        assert!(
            read.deleted_user(adele.id).await.unwrap().is_some(),
            "adele is still deleted"
        );
        assert!(read.user(adele.id).await.unwrap().is_none());
        let bianca = UserPrincipalName::parse("bianca@contoso.com").unwrap();
        assert!(
            read.user_by_upn_key(&bianca.key()).await.unwrap().is_none(),
            "no bianca"
        );
        drop(read);
        assert_eq!(successes(&directory).await, before, "no success recorded");
        assert!(mail(&directory).await.is_empty(), "no mail queued");
    }

    raw(&format!("DROP TRIGGER failpoint ON {schema}.users")).await;
    directory.restore_user(&admin, adele.id, options).await.unwrap();
    let restores = audit(&directory)
        .await
        .into_iter()
        .filter(|e| e.action == AuditAction::RestoreUser && e.outcome == AuditOutcome::Success)
        .count();
    assert_eq!(restores, 1, "the retry is audited once");
    assert_eq!(mail(&directory).await.len(), 1, "one mail for the restore");
    support::drop_schema(&schema).await;
}

fn new_user(local: &str) -> NewUser {
    let upn = UserPrincipalName::parse(&format!("{local}@contoso.com")).unwrap();
    NewUser::new(upn, local, Password::parse("a long enough passphrase", None).unwrap())
}

async fn raw(sql: &str) {
    let pool = sqlx::PgPool::connect(&support::url()).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
}

async fn audit(directory: &Directory) -> Vec<directory::audit::AuditEvent> {
    let query = AuditQuery {
        limit: 1000,
        ..AuditQuery::default()
    };
    directory.audit_events(&Caller::system(), &query).await.unwrap()
}

/// How many records are successes (a refused attempt may add a failure record).
async fn successes(directory: &Directory) -> usize {
    let events = audit(directory).await;
    events.iter().filter(|e| e.outcome == AuditOutcome::Success).count()
}

async fn mail(directory: &Directory) -> Vec<directory::mail::OutboxMessage> {
    directory
        .mail_log(&Caller::system(), &MailLogQuery::default())
        .await
        .unwrap()
}
