//! Graph user bodies through the real router (SQLite in a temporary directory): any bytes
//! as `POST /v1.0/users` and `PATCH /v1.0/users/{id}` get a 2xx or a 4xx, never a 5xx.
#![no_main]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use directory::role::AdminRole;
use directory::upn::DomainName;
use directory::{Caller, Directory, SystemClock};
use libfuzzer_sys::fuzz_target;
use roster_http::AppState;
use roster_http::throttle::Throttle;
use std::sync::{Arc, OnceLock};
use tower::ServiceExt;

struct Fixture {
    runtime: tokio::runtime::Runtime,
    router: axum::Router,
    token: String,
    user: String,
    _dir: std::path::PathBuf,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let dir = std::env::temp_dir().join(format!("roster-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (router, token, user) = runtime.block_on(async {
            let store = store_sqlite::SqliteStore::open(&dir.join("roster.db")).await.unwrap();
            let directory = Directory::new(Arc::new(store), Arc::new(SystemClock));
            directory
                .initialize("Fuzz", DomainName::parse("contoso.com").unwrap())
                .await
                .unwrap();
            let roles = [AdminRole::GlobalAdministrator].into_iter().collect();
            let issued = directory
                .issue_service_token(&Caller::system(), "fuzz", roles, time_days(1))
                .await
                .unwrap();
            let admin = directory
                .user_by_id_or_upn(&Caller::system(), "admin@contoso.com")
                .await
                .unwrap();
            let state = AppState {
                directory,
                throttle: Throttle::new(None),
            };
            (
                roster_http::router(state),
                issued.secret.expose().to_owned(),
                admin.id.to_string(),
            )
        });
        Fixture {
            runtime,
            router,
            token,
            user,
            _dir: dir,
        }
    })
}

fn time_days(days: i64) -> time::Duration {
    time::Duration::days(days)
}

fuzz_target!(|data: &[u8]| {
    let fixture = fixture();
    for (method, path) in [
        ("POST", "/v1.0/users".to_owned()),
        ("PATCH", format!("/v1.0/users/{}", fixture.user)),
    ] {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header("authorization", format!("Bearer {}", fixture.token))
            .header("content-type", "application/json")
            .body(Body::from(data.to_vec()))
            .unwrap();
        let status = fixture
            .runtime
            .block_on(fixture.router.clone().oneshot(request))
            .unwrap()
            .status();
        assert!(
            status != StatusCode::INTERNAL_SERVER_ERROR && !status.is_server_error(),
            "{status}"
        );
    }
});
