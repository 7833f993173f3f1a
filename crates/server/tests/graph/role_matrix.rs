//! The role × operation matrix (T18/T19): every Graph and `/roster/v1` route, called by
//! every kind of caller, against the real router. The expected cell is generated from the
//! domain's own rules (`Caller::authorize_on`, so the sensitive-action matrix of
//! `caller.rs`), never typed in by hand: no or expired token → 401, a role that does not
//! grant the operation or does not reach the target → 403, otherwise the route's success
//! status. A second test reads the router's source and fails when a route is missing here.

use crate::support::{Reply, TestApp, new_user};
use directory::Caller;
use directory::Principal;
use directory::caller::Permission;
use directory::group::NewGroup;
use directory::role::{AdminRole, RoleSet};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Who {
    Role(AdminRole),
    PlainUser,
    NoToken,
    ExpiredToken,
    /// Roster refuses an app without roles ("an app needs at least one role"), so the
    /// weakest app token holds only Password Administrator.
    AppWithLeastRole,
    /// A token of an app deleted since: it dies with the app.
    DeletedApp,
}

const CALLERS: &[Who] = &[
    Who::Role(AdminRole::GlobalAdministrator),
    Who::Role(AdminRole::UserAdministrator),
    Who::Role(AdminRole::GlobalReader),
    Who::Role(AdminRole::HelpdeskAdministrator),
    Who::PlainUser,
    Who::NoToken,
    Who::ExpiredToken,
    Who::AppWithLeastRole,
    Who::DeletedApp,
];

/// What a route needs from its caller.
#[derive(Debug, Clone, Copy)]
enum Needs {
    /// Nothing: no bearer token is read.
    Public,
    /// Any valid token (the `$batch` envelope; its parts are judged one by one).
    AnyToken,
    /// A permission, judged on the target's roles when it is sensitive.
    Permission(Permission, Target),
    /// Any valid token gets the route's status; each item of the bulk body is judged by
    /// the permission and reported `forbidden` in the results when refused.
    PerItem(Permission, Target),
}

/// Whose roles a sensitive action is judged against.
#[derive(Debug, Clone, Copy)]
enum Target {
    Plain,
    GlobalAdmin,
}

/// One row: a route as its source declares it, and a concrete request to it.
struct Row {
    method: Method,
    /// The path as in `crates/http/src` (with `{{x}}` written `{x}`), without `/v1.0`.
    source: &'static str,
    /// The request path; `{user}`, `{deleted}`, `{group}`, `{manager}`, `{admin}`,
    /// `{deleted_admin}` and `{role}` are filled from the fixtures.
    path: &'static str,
    body: fn(&Fixtures) -> Option<Value>,
    needs: Needs,
    ok: u16,
}

fn none(_: &Fixtures) -> Option<Value> {
    None
}

use Needs::{AnyToken, Public};
use Permission as P;

fn rows() -> Vec<Row> {
    let perm = |p, t| Needs::Permission(p, t);
    let read = perm(P::ReadDirectory, Target::Plain);
    let row = |method: Method, source, path, body: fn(&Fixtures) -> Option<Value>, needs, ok| Row {
        method,
        source,
        path,
        body,
        needs,
        ok,
    };
    vec![
        row(Method::GET, "/users", "/v1.0/users", none, read, 200),
        row(
            Method::POST,
            "/users",
            "/v1.0/users",
            |f| Some(new_user(&f.unique("created"))),
            perm(P::CreateUser, Target::Plain),
            201,
        ),
        row(Method::GET, "/users/$count", "/v1.0/users/$count", none, read, 200),
        row(Method::GET, "/users/{key}", "/v1.0/users/{user}", none, read, 200),
        row(
            Method::PATCH,
            "/users/{key}",
            "/v1.0/users/{user}",
            |_| Some(json!({"jobTitle": "Analyst"})),
            perm(P::UpdateUser, Target::Plain),
            204,
        ),
        row(
            Method::PATCH,
            "/users/{key}",
            "/v1.0/users/{admin}",
            |_| Some(json!({"jobTitle": "Chief"})),
            perm(P::UpdateUser, Target::GlobalAdmin),
            204,
        ),
        row(
            Method::PATCH,
            "/users/{key}",
            "/v1.0/users/{admin}",
            |_| {
                Some(
                    json!({"passwordProfile": {"password": "a fresh long passphrase 42", "forceChangePasswordNextSignIn": true}}),
                )
            },
            perm(P::ResetPassword, Target::GlobalAdmin),
            204,
        ),
        row(
            Method::DELETE,
            "/users/{key}",
            "/v1.0/users/{user}",
            none,
            perm(P::DeleteUser, Target::Plain),
            204,
        ),
        row(
            Method::DELETE,
            "/users/{key}",
            "/v1.0/users/{admin}",
            none,
            perm(P::DeleteUser, Target::GlobalAdmin),
            204,
        ),
        row(Method::GET, "/subscribedSkus", "/v1.0/subscribedSkus", none, read, 200),
        row(
            Method::POST,
            "/users/{key}/assignLicense",
            "/v1.0/users/{user}/assignLicense",
            |_| Some(json!({"addLicenses": [], "removeLicenses": []})),
            perm(P::AssignLicense, Target::Plain),
            200,
        ),
        row(
            Method::GET,
            "/users/{key}/licenseDetails",
            "/v1.0/users/{user}/licenseDetails",
            none,
            read,
            200,
        ),
        // Graph needs a type cast here; the route refuses the query before reading a token.
        row(
            Method::GET,
            "/directory/{segment}",
            "/v1.0/directory/deletedItems",
            none,
            Public,
            400,
        ),
        row(
            Method::GET,
            "/directory/{segment}/{item}",
            "/v1.0/directory/deletedItems/microsoft.graph.user",
            none,
            read,
            200,
        ),
        row(
            Method::GET,
            "/directory/{segment}/{item}",
            "/v1.0/directory/deletedItems/{deleted}",
            none,
            read,
            200,
        ),
        row(
            Method::DELETE,
            "/directory/{segment}/{item}",
            "/v1.0/directory/deletedItems/{deleted}",
            none,
            perm(P::PurgeUser, Target::Plain),
            204,
        ),
        row(
            Method::DELETE,
            "/directory/{segment}/{item}",
            "/v1.0/directory/deletedItems/{deleted_admin}",
            none,
            perm(P::PurgeUser, Target::GlobalAdmin),
            204,
        ),
        row(
            Method::GET,
            "/directory/{segment}/{item}/$count",
            "/v1.0/directory/deletedItems/microsoft.graph.user/$count",
            none,
            read,
            200,
        ),
        row(
            Method::POST,
            "/directory/{segment}/{item}/restore",
            "/v1.0/directory/deletedItems/{deleted}/restore",
            none,
            perm(P::RestoreUser, Target::Plain),
            200,
        ),
        row(
            Method::POST,
            "/directory/{segment}/{item}/restore",
            "/v1.0/directory/deletedItems/{deleted_admin}/restore",
            none,
            perm(P::RestoreUser, Target::GlobalAdmin),
            200,
        ),
        row(
            Method::GET,
            "/directory/{segment}/{item}/{cast}",
            "/v1.0/directory/deletedItems/{deleted}/microsoft.graph.user",
            none,
            read,
            200,
        ),
        row(Method::GET, "/groups", "/v1.0/groups", none, read, 200),
        row(
            Method::POST,
            "/groups",
            "/v1.0/groups",
            |f| {
                Some(
                    json!({"displayName": "Matrix", "mailNickname": f.unique("grp").replace(['@', '.'], "-"), "mailEnabled": false, "securityEnabled": true}),
                )
            },
            perm(P::ManageGroups, Target::Plain),
            201,
        ),
        row(Method::GET, "/groups/{id}", "/v1.0/groups/{group}", none, read, 200),
        row(
            Method::DELETE,
            "/groups/{id}",
            "/v1.0/groups/{group}",
            none,
            perm(P::ManageGroups, Target::Plain),
            204,
        ),
        row(
            Method::GET,
            "/groups/{id}/{link}",
            "/v1.0/groups/{group}/members",
            none,
            read,
            200,
        ),
        row(
            Method::POST,
            "/groups/{id}/{link}/$ref",
            "/v1.0/groups/{group}/members/$ref",
            |f| Some(json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{}", f.manager)})),
            perm(P::ManageGroups, Target::Plain),
            204,
        ),
        row(
            Method::DELETE,
            "/groups/{id}/{link}/{user}/$ref",
            "/v1.0/groups/{group}/members/{user}/$ref",
            none,
            perm(P::ManageGroups, Target::Plain),
            204,
        ),
        row(
            Method::GET,
            "/users/{key}/memberOf",
            "/v1.0/users/{user}/memberOf",
            none,
            read,
            200,
        ),
        row(
            Method::GET,
            "/users/{key}/manager",
            "/v1.0/users/{user}/manager",
            none,
            read,
            200,
        ),
        row(
            Method::PUT,
            "/users/{key}/manager/$ref",
            "/v1.0/users/{user}/manager/$ref",
            |f| Some(json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/users/{}", f.admin)})),
            perm(P::UpdateUser, Target::Plain),
            204,
        ),
        row(
            Method::DELETE,
            "/users/{key}/manager/$ref",
            "/v1.0/users/{user}/manager/$ref",
            none,
            perm(P::UpdateUser, Target::Plain),
            204,
        ),
        // The built-in role catalogue is readable with any valid token, as in Entra.
        row(
            Method::GET,
            "/directoryRoles",
            "/v1.0/directoryRoles",
            none,
            AnyToken,
            200,
        ),
        row(
            Method::GET,
            "/directoryRoles/{id}",
            "/v1.0/directoryRoles/{role}",
            none,
            AnyToken,
            200,
        ),
        row(
            Method::GET,
            "/directoryRoles/{id}/members",
            "/v1.0/directoryRoles/{role}/members",
            none,
            read,
            200,
        ),
        row(
            Method::POST,
            "/directoryRoles/{id}/members/$ref",
            "/v1.0/directoryRoles/{role}/members/$ref",
            |f| Some(json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{}", f.user)})),
            perm(P::ManageRoles, Target::Plain),
            204,
        ),
        row(
            Method::DELETE,
            "/directoryRoles/{id}/members/{user}/$ref",
            "/v1.0/directoryRoles/{role}/members/{admin}/$ref",
            none,
            perm(P::ManageRoles, Target::Plain),
            204,
        ),
        row(
            Method::GET,
            "/auditLogs/directoryAudits",
            "/v1.0/auditLogs/directoryAudits",
            none,
            perm(P::ReadAudit, Target::Plain),
            200,
        ),
        row(
            Method::POST,
            "/$batch",
            "/v1.0/$batch",
            |_| Some(json!({"requests": [{"id": "1", "method": "GET", "url": "/users"}]})),
            AnyToken,
            200,
        ),
        row(
            Method::POST,
            "/roster/v1/recycleBin/restore",
            "/roster/v1/recycleBin/restore",
            |f| Some(json!({"users": [{"id": f.deleted}]})),
            Needs::PerItem(P::RestoreUser, Target::Plain),
            200,
        ),
        row(
            Method::POST,
            "/roster/v1/recycleBin/preview",
            "/roster/v1/recycleBin/preview",
            |f| Some(json!({"users": [{"id": f.deleted}]})),
            Needs::PerItem(P::RestoreUser, Target::Plain),
            200,
        ),
        row(
            Method::GET,
            "/roster/v1/openapi.json",
            "/roster/v1/openapi.json",
            none,
            Public,
            200,
        ),
        row(
            Method::GET,
            "/roster/v1/mail",
            "/roster/v1/mail",
            none,
            perm(P::ReadAudit, Target::Plain),
            200,
        ),
        row(
            Method::GET,
            "/roster/v1/replicas",
            "/roster/v1/replicas",
            none,
            perm(P::ReadAudit, Target::Plain),
            200,
        ),
        row(
            Method::POST,
            "/oauth2/v2.0/token",
            "/oauth2/v2.0/token",
            none,
            Public,
            400,
        ),
        row(
            Method::POST,
            "/{tenant}/oauth2/v2.0/token",
            "/contoso.com/oauth2/v2.0/token",
            none,
            Public,
            400,
        ),
        row(Method::GET, "/health", "/health", none, Public, 200),
    ]
}

/// The objects a row's request names. Mutating rows that are expected to succeed get a
/// fresh set, so one cell's success cannot change the next cell's outcome.
struct Fixtures {
    user: String,
    deleted: String,
    admin: String,
    deleted_admin: String,
    group: String,
    manager: String,
    counter: &'static AtomicUsize,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

impl Fixtures {
    async fn new(app: &TestApp, manager: &str) -> Fixtures {
        let system = Caller::system();
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let user = app.create_user(&format!("plain{n}@contoso.com")).await;
        let deleted = app.create_user(&format!("gone{n}@contoso.com")).await;
        let admin = app.create_user(&format!("chief{n}@contoso.com")).await;
        let deleted_admin = app.create_user(&format!("formerchief{n}@contoso.com")).await;
        for id in [&admin, &deleted_admin] {
            let id = id.parse().unwrap();
            app.directory
                .assign_role(&system, id, AdminRole::GlobalAdministrator)
                .await
                .unwrap();
        }
        let group = app
            .directory
            .create_group(&system, NewGroup::new(&format!("Team {n}"), &format!("team{n}")))
            .await
            .unwrap();
        let manager_ref = json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/users/{manager}")});
        let path = format!("/users/{user}/manager/$ref");
        let reply = app.send(Method::PUT, &path, Some(manager_ref), &app.token, &[]).await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text);
        let reply = app
            .post(
                &format!("/groups/{}/members/$ref", group.id),
                json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{user}")}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text);
        app.delete_user(&deleted).await;
        app.delete_user(&deleted_admin).await;
        Fixtures {
            user,
            deleted,
            admin,
            deleted_admin,
            group: group.id.to_string(),
            manager: manager.to_owned(),
            counter: &COUNTER,
        }
    }

    fn unique(&self, prefix: &str) -> String {
        format!("{prefix}{}@contoso.com", self.counter.fetch_add(1, Ordering::Relaxed))
    }

    fn fill(&self, path: &str) -> String {
        path.replace("{user}", &self.user)
            .replace("{deleted_admin}", &self.deleted_admin)
            .replace("{deleted}", &self.deleted)
            .replace("{admin}", &self.admin)
            .replace("{group}", &self.group)
            .replace("{manager}", &self.manager)
            .replace("{role}", AdminRole::GlobalAdministrator.template_id())
    }
}

/// The caller's roles, or None for a caller without a valid token.
fn roles_of(who: Who) -> Option<RoleSet> {
    match who {
        Who::Role(role) => Some([role].into_iter().collect()),
        Who::PlainUser => Some(RoleSet::default()),
        Who::AppWithLeastRole => Some([AdminRole::PasswordAdministrator].into_iter().collect()),
        Who::NoToken | Who::ExpiredToken | Who::DeletedApp => None,
    }
}

/// Whether the domain lets `who` do this to the target (`Caller::authorize_on`).
fn allowed(roles: RoleSet, permission: Permission, target: Target) -> bool {
    let caller = Caller::new(Principal::Service { name: "matrix".into() }, roles);
    let target: RoleSet = match target {
        Target::Plain => RoleSet::default(),
        Target::GlobalAdmin => [AdminRole::GlobalAdministrator].into_iter().collect(),
    };
    caller.authorize_on(permission, &target).is_ok()
}

/// The status a cell must answer, from the domain's rules.
fn expected(row: &Row, who: Who) -> u16 {
    let Some(roles) = roles_of(who) else {
        return if matches!(row.needs, Public) { row.ok } else { 401 };
    };
    match row.needs {
        Public | AnyToken | Needs::PerItem(..) => row.ok,
        Needs::Permission(permission, target) => {
            if allowed(roles, permission, target) {
                row.ok
            } else {
                403
            }
        }
    }
}

struct Tokens {
    by_role: Vec<(AdminRole, String)>,
    plain_user: String,
    expired: String,
    app: String,
    deleted_app: String,
}

impl Tokens {
    async fn new(app: &TestApp) -> Tokens {
        let system = Caller::system();
        let mut by_role = Vec::new();
        for who in CALLERS {
            if let Who::Role(role) = who {
                by_role.push((*role, app.token_with(&[*role]).await));
            }
        }
        let plain = app.create_user("nobody@contoso.com").await;
        let plain_user = app
            .directory
            .issue_user_token(&system, plain.parse().unwrap(), time::Duration::days(1))
            .await
            .unwrap()
            .secret
            .expose()
            .to_owned();
        let expired = app
            .directory
            .issue_service_token(
                &system,
                "short",
                [AdminRole::GlobalAdministrator].into_iter().collect(),
                time::Duration::minutes(1),
            )
            .await
            .unwrap()
            .secret
            .expose()
            .to_owned();
        let least: RoleSet = [AdminRole::PasswordAdministrator].into_iter().collect();
        let least_token = app_token(app, "Least", least.clone()).await.1;
        let (gone, deleted_app) = app_token(app, "Gone", least).await;
        app.directory.delete_app(&system, gone).await.unwrap();
        app.clock.advance(time::Duration::minutes(2));
        Tokens {
            by_role,
            plain_user,
            expired,
            app: least_token,
            deleted_app,
        }
    }

    fn of(&self, who: Who) -> Option<&str> {
        match who {
            Who::Role(role) => self.by_role.iter().find(|(r, _)| *r == role).map(|(_, t)| t.as_str()),
            Who::PlainUser => Some(&self.plain_user),
            Who::ExpiredToken => Some(&self.expired),
            Who::AppWithLeastRole => Some(&self.app),
            Who::DeletedApp => Some(&self.deleted_app),
            Who::NoToken => None,
        }
    }
}

/// A new app with these roles, and a token it got by the client-credentials grant.
async fn app_token(app: &TestApp, name: &str, roles: RoleSet) -> (directory::ids::AppId, String) {
    let (registration, secret) = app.directory.create_app(&Caller::system(), name, roles).await.unwrap();
    let issued = app
        .directory
        .issue_app_token(registration.client_id, secret.expose())
        .await
        .unwrap();
    (registration.id, issued.secret.expose().to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_every_caller_as_the_role_rules_say() {
    let app = TestApp::spawn().await;
    let manager = app.create_user("manager@contoso.com").await;
    let tokens = Tokens::new(&app).await;
    let shared = Fixtures::new(&app, &manager).await;
    let root = app.base.trim_end_matches("/v1.0").to_owned();
    let client = reqwest::Client::new();
    let mut failures = Vec::new();
    let mut cells = 0;
    for row in rows() {
        for &who in CALLERS {
            let want = expected(&row, who);
            let fresh;
            let fixtures = if row.method != Method::GET && (200..300).contains(&want) {
                fresh = Fixtures::new(&app, &manager).await;
                &fresh
            } else {
                &shared
            };
            let url = format!("{root}{}", fixtures.fill(row.path));
            let reply = send(&client, row.method.clone(), &url, (row.body)(fixtures), tokens.of(who)).await;
            cells += 1;
            if reply.status.as_u16() != want {
                failures.push(format!(
                    "{} {} as {who:?}: want {want}, got {} {}",
                    row.method, row.path, reply.status, reply.text
                ));
            } else if let (Needs::PerItem(permission, target), Some(roles)) = (row.needs, roles_of(who)) {
                let refused = reply.text.contains(r#""code":"forbidden""#);
                if refused == allowed(roles, permission, target) {
                    failures.push(format!(
                        "{} item as {who:?}: refused {refused}: {}",
                        row.path, reply.text
                    ));
                }
            } else if row.path == "/v1.0/$batch" && want == 200 {
                // The part (`GET /users`) is judged like the route itself.
                let inner = reply.json()["responses"][0]["status"].as_u64();
                let part = u64::from(expected(&rows()[0], who));
                if inner != Some(part) {
                    failures.push(format!("$batch part as {who:?}: want {part}, got {inner:?}"));
                }
            }
        }
    }
    assert!(cells >= rows().len() * CALLERS.len());
    assert!(
        failures.is_empty(),
        "{} of {cells} cells differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// One request, with the caller's bearer token if it has one; `ConsistencyLevel: eventual`
/// always, so advanced queries are not what decides a cell.
async fn send(client: &reqwest::Client, method: Method, url: &str, body: Option<Value>, token: Option<&str>) -> Reply {
    let mut request = client.request(method, url).header("ConsistencyLevel", "eventual");
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request = match body {
        Some(body) => request.json(&body),
        None if url.ends_with("/token") => request.header("content-type", "application/x-www-form-urlencoded"),
        None => request,
    };
    let response = request.send().await.unwrap();
    Reply {
        status: response.status(),
        headers: response.headers().clone(),
        text: response.text().await.unwrap(),
    }
}

/// Every route the HTTP crate declares.
fn declared_routes() -> Vec<(String, String)> {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../http/src");
    crate::routes::declared_routes(&src)
}

#[test]
fn every_route_in_the_router_is_in_the_matrix() {
    let declared = declared_routes();
    assert!(declared.len() >= 30, "the route scan found only {declared:?}");
    let listed: Vec<(String, String)> = rows()
        .iter()
        .map(|r| (r.method.to_string(), r.source.to_owned()))
        .collect();
    let missing: Vec<_> = declared.iter().filter(|route| !listed.contains(route)).collect();
    assert!(
        missing.is_empty(),
        "routes missing from role_matrix.rs rows(): {missing:?}"
    );
    let stale: Vec<_> = listed.iter().filter(|route| !declared.contains(route)).collect();
    assert!(stale.is_empty(), "rows for routes the router no longer has: {stale:?}");
}
