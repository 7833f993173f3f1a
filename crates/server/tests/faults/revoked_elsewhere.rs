//! T21 over HTTP: three User Administrators each hold a bearer token and a signed-in
//! session. On replica A an admin removes the first one's role, disables the second and
//! deletes the third; on replica B, the very next request with each token or session
//! cookie is refused: 403 for the one without its role, 401 (token) or a redirect to sign
//! in (session) for the disabled and the deleted. Each refusal is in B's access log.

use crate::api::{Answer, Api};
use crate::backend::Backend;
use crate::replicas::two_replicas;
use crate::seed::{Seeded, Seeder};
use crate::server::{DOMAIN, Server};
use crate::support::exclusive;
use directory::Caller;
use directory::audit::AuditAction;
use directory::password::Password;
use directory::role::AdminRole;
use directory::upn::UserPrincipalName;
use directory::user::NewUser;
use directory::user::sign_in::SessionPolicy;
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::time::Duration;

const PASSWORD: &str = "a long and unguessable passphrase";
const TIMEOUT: Duration = Duration::from_secs(30);

/// How an admin loses its power on the other replica.
#[derive(Debug, Clone, Copy)]
enum Revocation {
    RoleRemoved,
    Disabled,
    Deleted,
}

/// A User Administrator with a bearer token and a session.
struct Holder {
    revocation: Revocation,
    id: uuid::Uuid,
    token: String,
    session: String,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_removed_or_an_account_disabled_or_deleted_on_one_replica_is_refused_on_the_other() {
    let _one = exclusive().await;
    let backend = Backend::postgres();
    let seeder = Seeder::new(backend.open().await).await;
    let admin = seeder.token().await;
    let target = seeder.live("t21target", 1).await.remove(0);
    let mut holders = Vec::new();
    for revocation in [Revocation::RoleRemoved, Revocation::Disabled, Revocation::Deleted] {
        holders.push(Holder::new(&seeder, revocation).await);
    }
    let [a, b] = two_replicas("t21", &backend, "1h");
    let on_a = Api::new(&a.base, &admin, TIMEOUT);
    for holder in &holders {
        let (token, page) = holder.try_on(&b.base, &target).await;
        assert_eq!(
            token.status,
            StatusCode::NO_CONTENT,
            "{:?} may act before",
            holder.revocation
        );
        assert_eq!(page, StatusCode::OK, "{:?} sees the page before", holder.revocation);
        holder.revoke(&on_a).await;
        let (token, page) = holder.try_on(&b.base, &target).await;
        assert_denial_logged(&b, &token, page);
        let (token, page) = (token.status, page);
        let expected = match holder.revocation {
            Revocation::RoleRemoved => (StatusCode::FORBIDDEN, StatusCode::FORBIDDEN),
            Revocation::Disabled | Revocation::Deleted => (StatusCode::UNAUTHORIZED, StatusCode::SEE_OTHER),
        };
        assert_eq!((token, page), expected, "{:?} on the other replica", holder.revocation);
    }
    drop((a, b));
    assert_revocations_record_their_origin(&seeder, &holders).await;
    backend.clean_up().await;
}

/// Each revocation's audit record names the client's address and the request's id.
async fn assert_revocations_record_their_origin(seeder: &Seeder, holders: &[Holder]) {
    let query = directory::audit::AuditQuery {
        limit: 1000,
        ..Default::default()
    };
    let events = seeder.directory.audit_events(&Caller::system(), &query).await.unwrap();
    for holder in holders {
        let action = match holder.revocation {
            Revocation::RoleRemoved => AuditAction::RemoveRoleMember,
            Revocation::Disabled => AuditAction::UpdateUser,
            Revocation::Deleted => AuditAction::DeleteUser,
        };
        let record = events
            .iter()
            .find(|e| e.action == action && e.target_id == Some(holder.id))
            .unwrap_or_else(|| panic!("a {action:?} record for {:?}", holder.revocation));
        assert_eq!(record.detail("clientIpAddress"), Some("127.0.0.1"), "{record:?}");
        let correlation = record.detail("correlationId");
        assert!(correlation.is_some_and(|id| id.len() == 36), "{record:?}");
    }
}

impl Holder {
    async fn new(seeder: &Seeder, revocation: Revocation) -> Holder {
        let system = Caller::system();
        let directory = &seeder.directory;
        let upn = UserPrincipalName::parse(&format!("t21-{revocation:?}@{DOMAIN}").to_lowercase()).unwrap();
        let password = Password::parse(PASSWORD, None).unwrap();
        let user = directory
            .create_user(&system, NewUser::new(upn.clone(), "T21 admin", password))
            .await
            .unwrap();
        directory
            .assign_role(&system, user.id, AdminRole::UserAdministrator)
            .await
            .unwrap();
        let token = directory
            .issue_user_token(&system, user.id, time::Duration::days(1))
            .await
            .unwrap();
        let session = directory
            .sign_in(&upn.to_string(), PASSWORD, SessionPolicy::DEFAULT)
            .await
            .unwrap();
        Holder {
            revocation,
            id: user.id.as_uuid(),
            token: token.secret.expose().to_owned(),
            session: session.secret.expose().to_owned(),
        }
    }

    /// A write with the token (`PATCH` of an ordinary user) and an admin page with the
    /// session cookie, on the server at `base`: the write's answer and the page's status.
    async fn try_on(&self, base: &str, target: &Seeded) -> (Answer, StatusCode) {
        let api = Api::new(base, &self.token, TIMEOUT);
        let path = format!("/v1.0/users/{}", target.id.as_uuid());
        let write = api
            .send(Method::PATCH, &path, Some(json!({"jobTitle": "Checked"})))
            .await
            .unwrap();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(TIMEOUT)
            .build()
            .unwrap();
        let page = client
            .get(format!("{base}/admin/deleted-users"))
            .header("cookie", format!("roster-session={}", self.session))
            .send()
            .await
            .unwrap();
        if page.status() == StatusCode::SEE_OTHER {
            let to = page.headers()["location"].to_str().unwrap();
            assert!(to.starts_with("/signin"), "redirected to {to}");
        }
        (write, page.status())
    }

    /// Takes the holder's power away through the other replica's API.
    async fn revoke(&self, api: &Api) {
        let (method, path, body) = match self.revocation {
            Revocation::RoleRemoved => {
                let role = AdminRole::UserAdministrator.template_id();
                let path = format!("/v1.0/directoryRoles/{role}/members/{}/$ref", self.id);
                (Method::DELETE, path, None)
            }
            Revocation::Disabled => {
                let body = json!({"accountEnabled": false});
                (Method::PATCH, format!("/v1.0/users/{}", self.id), Some(body))
            }
            Revocation::Deleted => (Method::DELETE, format!("/v1.0/users/{}", self.id), None),
        };
        let answer = api.send(method, &path, body).await.unwrap();
        assert_eq!(
            answer.status,
            StatusCode::NO_CONTENT,
            "{:?}: {answer:?}",
            self.revocation
        );
    }
}

/// The replica's access log names the refused write by its request id, and the refused
/// page by its path and status, each as "denied" (T18: every denial logged).
fn assert_denial_logged(server: &Server, write: &Answer, page: StatusCode) {
    let log = std::fs::read_to_string(&server.log).unwrap();
    let denials: Vec<&str> = log.lines().filter(|line| line.contains("denied")).collect();
    let request_id = write.body["error"]["innerError"]["request-id"].as_str().unwrap();
    assert!(
        denials.iter().any(|line| line.contains(request_id)),
        "the refused write ({request_id}) is logged: {denials:#?}"
    );
    if page.is_client_error() {
        let status = format!("status={}", page.as_u16());
        assert!(
            denials
                .iter()
                .any(|line| line.contains("/admin/deleted-users") && line.contains(&status)),
            "the refused page is logged: {denials:#?}"
        );
    }
}
