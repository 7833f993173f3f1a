//! T35 on PostgreSQL: Roster runs under a role that has no UPDATE, DELETE or TRUNCATE on
//! `audit_events` (the README's operations set-up). The use cases work as that role, and
//! its raw attempts to change audit rows are refused by the grants themselves. The role
//! and schema get unique names and are dropped at the end, also when the test fails.

use directory::caller::Caller;
use directory::password::Password;
use directory::recycle_bin::RestoreOptions;
use directory::upn::{DomainName, UserPrincipalName};
use directory::user::NewUser;
use directory::{Directory, ManualClock};
use sqlx::postgres::PgConnectOptions;
use std::str::FromStr;
use std::sync::Arc;
use store_postgres::PgStore;

const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/test";
const ROLE_PASSWORD: &str = "app-role-test-password";

fn url() -> String {
    std::env::var("ROSTER_TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned())
}

/// The same server and database, signed in as `role`.
fn url_as(role: &str) -> String {
    let options = PgConnectOptions::from_str(&url()).expect("a valid test URL");
    let database = options.get_database().unwrap_or("postgres");
    format!(
        "postgres://{role}:{ROLE_PASSWORD}@{}:{}/{database}",
        options.get_host(),
        options.get_port()
    )
}

async fn run(url: &str, sql: String) -> Result<(), String> {
    let pool = sqlx::PgPool::connect(url).await.expect("a raw connection");
    let result = sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&pool).await;
    pool.close().await;
    result.map(drop).map_err(|error| error.to_string())
}

/// The README's grants: everything the application needs, and nothing that changes or
/// removes audit rows.
fn grants(schema: &str, role: &str) -> String {
    format!(
        "CREATE ROLE {role} LOGIN PASSWORD '{ROLE_PASSWORD}'; \
         ALTER ROLE {role} SET search_path = {schema}; \
         GRANT USAGE, CREATE ON SCHEMA {schema} TO {role}; \
         GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}; \
         REVOKE UPDATE, DELETE, TRUNCATE ON {schema}.audit_events FROM {role}; \
         GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role};"
    )
}

fn new_user(upn: &str) -> NewUser {
    let password = Password::parse("a long enough passphrase", None).unwrap();
    NewUser::new(UserPrincipalName::parse(upn).unwrap(), "Test User", password)
}

/// The owner migrates and initialises; the application role then works and cannot
/// change audit rows.
async fn as_the_application_role(schema: String, role: String) {
    let clock = Arc::new(ManualClock::at_default_start());
    let owner = PgStore::connect_in_schema(&url(), &schema)
        .await
        .expect("the owner connects");
    let owned = Directory::new(Arc::new(owner), clock.clone());
    owned
        .initialize("Contoso", DomainName::parse("contoso.com").unwrap())
        .await
        .unwrap();
    run(&url(), grants(&schema, &role)).await.expect("the grants");

    let app = PgStore::connect(&url_as(&role))
        .await
        .expect("the application role connects");
    let directory = Directory::new(Arc::new(app), clock);
    let admin = Caller::system();
    let adele = directory
        .create_user(&admin, new_user("adele@contoso.com"))
        .await
        .unwrap();
    directory.delete_user(&admin, adele.id, false).await.unwrap();
    let options = RestoreOptions::default();
    directory.restore_user(&admin, adele.id, options).await.unwrap();
    let report = directory.verify_audit_chain(&admin, None).await.unwrap();
    assert_eq!(report.first_break, None);
    assert_eq!(report.head.seq, 5, "init (2), create, delete, restore");

    for sql in [
        "UPDATE audit_events SET actor = 'mallory' WHERE seq = 3",
        "DELETE FROM audit_events WHERE seq = 3",
        "TRUNCATE audit_events",
    ] {
        let refused = run(&url_as(&role), sql.to_owned()).await.expect_err(sql);
        assert!(refused.contains("permission denied"), "{sql}: {refused}");
    }
    let after = directory.verify_audit_chain(&admin, None).await.unwrap();
    assert_eq!(after, report, "the refused statements changed nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_application_role_works_but_cannot_update_or_delete_audit_rows() {
    let unique = uuid::Uuid::new_v4().simple().to_string();
    let (schema, role) = (format!("roster_r_{unique}"), format!("roster_app_{unique}"));
    let outcome = tokio::spawn(as_the_application_role(schema.clone(), role.clone())).await;
    let cleanup = format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE; \
         DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN \
         EXECUTE 'DROP OWNED BY {role}'; EXECUTE 'DROP ROLE {role}'; END IF; END $$;"
    );
    run(&url(), cleanup).await.expect("dropping the test role and schema");
    if let Err(failure) = outcome {
        std::panic::resume_unwind(failure.into_panic());
    }
}
