//! The pages' security rules, route by route (T18, T24, T25): every kind of caller gets
//! what the domain's role rules say, every form refuses a missing, forged or cross-site
//! CSRF token and changes nothing, and every response carries the security headers.

use crate::support::{PASSWORD, WebApp, csrf_of};
use directory::audit::AuditQuery;
use directory::caller::{Caller, Permission, Principal};
use directory::group::NewGroup;
use directory::role::{AdminRole, RoleSet};
use directory::user::User;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, LOCATION};

/// Who asks.
#[derive(Debug, Clone, Copy)]
enum Who {
    Anonymous,
    Plain,
    Role(AdminRole),
}

/// What a page needs.
#[derive(Debug, Clone, Copy)]
enum Needs {
    /// Everyone gets this status, signed in or not.
    Anyone(u16),
    /// A signed-in user; anonymous callers are sent to sign in.
    Signed,
    /// A user whose roles grant this; other signed-in users get 403.
    Admin(Permission),
}

/// A page: its route as declared, the path asked for (with `{user}`, `{deleted}` and
/// `{group}` filled in) and what it needs.
struct PageRow {
    route: &'static str,
    path: &'static str,
    needs: Needs,
}

const fn page(route: &'static str, path: &'static str, needs: Needs) -> PageRow {
    PageRow { route, path, needs }
}

use Needs::{Admin, Anyone, Signed};
use Permission as P;

const PAGES: &[PageRow] = &[
    page("/", "/", Anyone(303)),
    page("/signin", "/signin", Anyone(200)),
    page("/assets/roster.css", "/assets/roster.css", Anyone(200)),
    page("/lang/{tag}", "/lang/nl-NL", Anyone(303)),
    page(
        "/account/set-password/{secret}",
        "/account/set-password/no-such-link",
        Anyone(410),
    ),
    page("/account", "/account", Signed),
    page("/account/password", "/account/password", Signed),
    page("/admin", "/admin", Admin(P::ReadDirectory)),
    page("/admin/users", "/admin/users", Admin(P::ReadDirectory)),
    page("/admin/users/new", "/admin/users/new", Admin(P::CreateUser)),
    page(
        "/admin/users/delete",
        "/admin/users/delete?id={user}",
        Admin(P::ReadDirectory),
    ),
    page("/admin/licenses", "/admin/licenses", Admin(P::ReadDirectory)),
    page("/admin/roles", "/admin/roles", Admin(P::ReadDirectory)),
    page("/admin/groups", "/admin/groups", Admin(P::ReadDirectory)),
    page("/admin/groups/{id}", "/admin/groups/{group}", Admin(P::ReadDirectory)),
    page("/admin/audit", "/admin/audit", Admin(P::ReadAudit)),
    page("/admin/mail", "/admin/mail", Admin(P::ReadAudit)),
    page("/admin/deleted-users", "/admin/deleted-users", Admin(P::ReadDirectory)),
    page(
        "/admin/deleted-users/restore",
        "/admin/deleted-users/restore?id={deleted}",
        Admin(P::RestoreUser),
    ),
];

/// The forms, by route; `security_headers_and_csrf` covers each, the role test the
/// ones that change the directory.
const FORMS: &[&str] = &[
    "/signin",
    "/signout",
    "/account/password",
    "/account/set-password/{secret}",
    "/admin/users/new",
    "/admin/users/delete",
    "/admin/deleted-users/restore",
    "/admin/deleted-users/restore/log",
    "/admin/deleted-users/restore/report",
];

fn callers() -> Vec<Who> {
    let mut all = vec![Who::Anonymous, Who::Plain];
    all.extend(AdminRole::ALL.iter().map(|role| Who::Role(*role)));
    all
}

fn roles_of(who: Who) -> RoleSet {
    match who {
        Who::Role(role) => [role].into_iter().collect(),
        Who::Anonymous | Who::Plain => RoleSet::default(),
    }
}

/// Whether the domain lets `who` do this to a target without admin roles.
fn allowed(who: Who, permission: Permission) -> bool {
    let caller = Caller::new(Principal::Service { name: "matrix".into() }, roles_of(who));
    caller.authorize_on(permission, &RoleSet::default()).is_ok()
}

/// The status a page must answer `who` with.
fn expected(needs: Needs, who: Who) -> u16 {
    match (needs, who) {
        (Anyone(status), _) => status,
        (Signed | Admin(_), Who::Anonymous) => 303,
        (Signed, _) => 200,
        (Admin(permission), who) if allowed(who, permission) => 200,
        (Admin(_), _) => 403,
    }
}

/// A cookie-keeping client that does not follow redirects, so every answer is seen as sent.
struct Client {
    origin: String,
    http: reqwest::Client,
    csrf: String,
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    text: String,
}

impl Client {
    fn new(origin: &str) -> Client {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Client {
            origin: origin.to_owned(),
            http,
            csrf: String::new(),
        }
    }

    /// A client signed in as `<alias>@contoso.com`, holding its session's CSRF token.
    async fn signed_in(origin: &str, alias: &str) -> Client {
        let mut client = Client::anonymous(origin).await;
        let upn = format!("{alias}@contoso.com");
        let answer = client
            .post("/signin", &[("username", &upn), ("password", PASSWORD)], &[])
            .await;
        assert_eq!(
            answer.status,
            StatusCode::SEE_OTHER,
            "sign-in of {alias}: {}",
            answer.text
        );
        let account = client.get("/account").await;
        assert_eq!(account.status, StatusCode::OK, "{alias} is not signed in");
        client
    }

    /// A client that has loaded the sign-in page (so it holds the pre-session cookie).
    async fn anonymous(origin: &str) -> Client {
        let mut client = Client::new(origin);
        client.get("/signin").await;
        client
    }

    async fn get(&mut self, path: &str) -> Answer {
        let response = self.http.get(format!("{}{path}", self.origin)).send().await.unwrap();
        self.read(response).await
    }

    /// Posts `fields` plus the held CSRF token, with extra request headers.
    async fn post(&mut self, path: &str, fields: &[(&str, &str)], headers: &[(&str, &str)]) -> Answer {
        let csrf = self.csrf.clone();
        let mut form = fields.to_vec();
        form.push(("csrf", &csrf));
        self.post_exactly(path, &form, headers).await
    }

    /// Posts exactly these fields.
    async fn post_exactly(&mut self, path: &str, fields: &[(&str, &str)], headers: &[(&str, &str)]) -> Answer {
        let mut request = self.http.post(format!("{}{path}", self.origin)).form(fields);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.unwrap();
        self.read(response).await
    }

    async fn read(&mut self, response: reqwest::Response) -> Answer {
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        if let Some(token) = csrf_of(&text) {
            self.csrf = token;
        }
        Answer { status, headers, text }
    }
}

/// What is wrong with a response's security headers, if anything.
fn header_faults(headers: &HeaderMap) -> Vec<String> {
    let want = [
        ("content-security-policy", "frame-ancestors 'none'"),
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "same-origin"),
    ];
    let mut faults: Vec<String> = want
        .iter()
        .filter(|(name, part)| {
            !headers
                .get(*name)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains(part))
        })
        .map(|(name, part)| format!("{name} lacks {part:?}"))
        .collect();
    if headers.get("cache-control").is_none() {
        faults.push("no cache-control".into());
    }
    faults
}

/// The directory objects the pages' paths point at.
struct Fixtures {
    user: User,
    deleted: User,
    group: String,
}

impl Fixtures {
    async fn new(app: &WebApp) -> Fixtures {
        let user = app.user("target", "Tara Target", &[]).await;
        let deleted = app.user("gone", "Gus Gone", &[]).await;
        app.directory
            .delete_user(&Caller::system(), deleted.id, false)
            .await
            .unwrap();
        let group = app
            .directory
            .create_group(&Caller::system(), NewGroup::new("Sales", "sales"))
            .await
            .unwrap();
        Fixtures {
            user,
            deleted,
            group: group.id.to_string(),
        }
    }

    fn fill(&self, path: &str) -> String {
        path.replace("{user}", &self.user.id.to_string())
            .replace("{deleted}", &self.deleted.id.to_string())
            .replace("{group}", &self.group)
    }
}

/// One client per caller kind: anonymous, a user without roles, and one per admin role.
async fn clients(app: &WebApp) -> Vec<(Who, Client)> {
    let mut clients = Vec::new();
    for (n, who) in callers().into_iter().enumerate() {
        let client = match who {
            Who::Anonymous => Client::anonymous(&app.origin).await,
            Who::Plain => {
                app.user("plain", "Pat Plain", &[]).await;
                Client::signed_in(&app.origin, "plain").await
            }
            Who::Role(role) => {
                let alias = format!("role{n}");
                app.user(&alias, role.display_name(), &[role]).await;
                Client::signed_in(&app.origin, &alias).await
            }
        };
        clients.push((who, client));
    }
    clients
}

#[tokio::test]
async fn every_page_answers_every_caller_as_the_role_rules_say_with_the_security_headers() {
    let app = WebApp::spawn().await;
    let fixtures = Fixtures::new(&app).await;
    let mut clients = clients(&app).await;
    let mut faults = Vec::new();
    for row in PAGES {
        let path = fixtures.fill(row.path);
        for (who, client) in &mut clients {
            let answer = client.get(&path).await;
            let want = expected(row.needs, *who);
            if answer.status.as_u16() != want {
                faults.push(format!("GET {path} as {who:?}: {} (want {want})", answer.status));
            }
            let to_sign_in = answer
                .headers
                .get(LOCATION)
                .is_some_and(|l| l.to_str().unwrap().starts_with("/signin"));
            if matches!((row.needs, *who), (Signed | Admin(_), Who::Anonymous)) && !to_sign_in {
                faults.push(format!("GET {path} as {who:?}: not sent to sign in"));
            }
            for fault in header_faults(&answer.headers) {
                faults.push(format!("GET {path} as {who:?}: {fault}"));
            }
        }
    }
    let cells = PAGES.len() * clients.len();
    assert!(
        faults.is_empty(),
        "{} of {cells} cells are wrong:\n{}",
        faults.len(),
        faults.join("\n")
    );
}

/// Whether the user exists among the active users.
async fn active(app: &WebApp, user: &User) -> bool {
    app.directory.user(&Caller::system(), user.id).await.is_ok()
}

#[tokio::test]
async fn admin_forms_change_the_directory_only_for_callers_the_role_rules_allow() {
    let app = WebApp::spawn().await;
    let mut clients = clients(&app).await;
    let mut faults = Vec::new();
    for (n, (who, client)) in clients.iter_mut().enumerate() {
        let victim = app.user(&format!("victim{n}"), "Vic Victim", &[]).await;
        let id = victim.id.to_string();
        client.post("/admin/users/delete", &[("id", &id)], &[]).await;
        if active(&app, &victim).await == allowed(*who, P::DeleteUser) {
            faults.push(format!("delete as {who:?}: deleted = {}", !active(&app, &victim).await));
        }

        let back = app.user(&format!("back{n}"), "Bea Back", &[]).await;
        app.directory
            .delete_user(&Caller::system(), back.id, false)
            .await
            .unwrap();
        let id = back.id.to_string();
        let fields = [("step", "restore"), ("id", id.as_str()), ("password", "keep")];
        client.post("/admin/deleted-users/restore", &fields, &[]).await;
        if active(&app, &back).await != allowed(*who, P::RestoreUser) {
            faults.push(format!("restore as {who:?}: restored = {}", active(&app, &back).await));
        }

        let name = format!("added{n}");
        let fields = [
            ("display_name", "Ann Added"),
            ("username", name.as_str()),
            ("domain", "contoso.com"),
            ("password_mode", "auto"),
        ];
        client.post("/admin/users/new", &fields, &[]).await;
        let upn = format!("{name}@contoso.com");
        let created = app.directory.user_by_id_or_upn(&Caller::system(), &upn).await.is_ok();
        if created != allowed(*who, P::CreateUser) {
            faults.push(format!("add as {who:?}: created = {created}"));
        }
    }
    assert!(faults.is_empty(), "{}", faults.join("\n"));
}

/// The number of audit records, to prove a refused form recorded (and so did) nothing.
async fn audit_count(app: &WebApp) -> usize {
    let query = AuditQuery {
        limit: 1000,
        ..AuditQuery::default()
    };
    app.directory
        .audit_events(&Caller::system(), &query)
        .await
        .unwrap()
        .len()
}

/// A forged post: what it is, its token (`Some("")` for the real one) and extra headers.
type Forgery = (
    &'static str,
    Option<&'static str>,
    &'static [(&'static str, &'static str)],
);

/// The ways a forged post arrives: without a token, with a wrong one, and with the right
/// one from another site (as the browser reports it, and as the Origin shows it).
const FORGERIES: &[Forgery] = &[
    ("no token", None, &[]),
    ("a wrong token", Some("forged"), &[]),
    ("another site", Some(""), &[("sec-fetch-site", "cross-site")]),
    ("another origin", Some(""), &[("origin", "http://evil.example")]),
];

/// Posts `fields` to `path` in each forged way and checks each is refused with a readable
/// 403 page that changed nothing; then posts it properly and returns the answer.
async fn refuses_forgeries(
    app: &WebApp,
    client: &mut Client,
    path: &str,
    fields: &[(&str, &str)],
    faults: &mut Vec<String>,
) -> Answer {
    for (how, token, headers) in FORGERIES {
        let before = audit_count(app).await;
        let real = client.csrf.clone();
        let mut form = fields.to_vec();
        match token {
            None => {}
            Some("") => form.push(("csrf", &real)),
            Some(forged) => form.push(("csrf", forged)),
        }
        let answer = client.post_exactly(path, &form, headers).await;
        if answer.status != StatusCode::FORBIDDEN || !answer.text.contains("<h1") {
            faults.push(format!(
                "POST {path} with {how}: {} {}",
                answer.status,
                answer.text.len()
            ));
        }
        for fault in header_faults(&answer.headers) {
            faults.push(format!("POST {path} with {how}: {fault}"));
        }
        if audit_count(app).await != before {
            faults.push(format!("POST {path} with {how}: the audit log grew"));
        }
    }
    let answer = client.post(path, fields, &[]).await;
    if answer.status == StatusCode::FORBIDDEN {
        faults.push(format!("POST {path} with its real token: 403 {}", answer.text));
    }
    answer
}

#[tokio::test]
async fn every_form_refuses_a_missing_forged_or_cross_site_token_and_changes_nothing() {
    let app = WebApp::spawn().await;
    let victim = app.user("victim", "Vic Victim", &[]).await;
    let gone = app.user("gone", "Gus Gone", &[]).await;
    app.directory
        .delete_user(&Caller::system(), gone.id, false)
        .await
        .unwrap();
    let mut faults = Vec::new();

    let mut anonymous = Client::anonymous(&app.origin).await;
    let sign_in = [("username", "ga@contoso.com"), ("password", PASSWORD)];
    refuses_forgeries(
        &app,
        &mut anonymous,
        "/account/set-password/no-such-link",
        &[],
        &mut faults,
    )
    .await;
    let mut anonymous = Client::anonymous(&app.origin).await;
    let signed = refuses_forgeries(&app, &mut anonymous, "/signin", &sign_in, &mut faults).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "the real sign-in works");

    let mut admin = Client::signed_in(&app.origin, "ga").await;
    let id = victim.id.to_string();
    refuses_forgeries(&app, &mut admin, "/admin/users/delete", &[("id", &id)], &mut faults).await;
    assert!(!active(&app, &victim).await, "the real delete works");

    let id = gone.id.to_string();
    let restore = [("step", "restore"), ("id", id.as_str()), ("password", "keep")];
    refuses_forgeries(&app, &mut admin, "/admin/deleted-users/restore", &restore, &mut faults).await;
    assert!(active(&app, &gone).await, "the real restore works");

    let add = [
        ("display_name", "Ann Added"),
        ("username", "added"),
        ("domain", "contoso.com"),
        ("password_mode", "auto"),
    ];
    refuses_forgeries(&app, &mut admin, "/admin/users/new", &add, &mut faults).await;
    admin.get("/account").await;
    let log = [("row-id", id.as_str())];
    refuses_forgeries(&app, &mut admin, "/admin/deleted-users/restore/log", &log, &mut faults).await;
    let report = [("recipients", "ops@example.com")];
    refuses_forgeries(
        &app,
        &mut admin,
        "/admin/deleted-users/restore/report",
        &report,
        &mut faults,
    )
    .await;
    admin.get("/account").await;
    let change = [
        ("current", PASSWORD),
        ("new", "a brand new passphrase 7"),
        ("confirm", "a brand new passphrase 7"),
    ];
    refuses_forgeries(&app, &mut admin, "/account/password", &change, &mut faults).await;
    admin.get("/account").await;
    refuses_forgeries(&app, &mut admin, "/signout", &[], &mut faults).await;
    assert_eq!(
        admin.get("/account").await.status,
        StatusCode::SEE_OTHER,
        "the real sign-out works"
    );
    assert!(faults.is_empty(), "{}", faults.join("\n"));
}

#[tokio::test]
async fn error_pages_and_unknown_paths_carry_the_security_headers_too() {
    let app = WebApp::spawn().await;
    let mut client = Client::signed_in(&app.origin, "ga").await;
    for path in ["/no-such-page", "/admin/groups/not-an-id", "/assets/none.css"] {
        let answer = client.get(path).await;
        assert!(answer.status.is_client_error(), "{path}: {}", answer.status);
        assert_eq!(header_faults(&answer.headers), Vec::<String>::new(), "{path}");
    }
}

#[test]
fn every_route_of_the_pages_is_in_the_matrix() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/src");
    let declared = crate::routes::declared_routes(&src);
    assert!(declared.len() >= 20, "the route scan found only {declared:?}");
    let listed: Vec<(String, String)> = PAGES
        .iter()
        .map(|row| ("GET".to_owned(), row.route.to_owned()))
        .chain(FORMS.iter().map(|route| ("POST".to_owned(), (*route).to_owned())))
        .collect();
    let missing: Vec<_> = declared.iter().filter(|route| !listed.contains(route)).collect();
    assert!(missing.is_empty(), "routes missing from security.rs: {missing:?}");
    let stale: Vec<_> = listed.iter().filter(|route| !declared.contains(route)).collect();
    assert!(stale.is_empty(), "rows for routes the pages no longer have: {stale:?}");
}

#[tokio::test]
async fn an_organisation_served_over_https_gets_hsts_and_plain_http_does_not() {
    let secure = roster_web::WebConfig {
        secure_cookies: true,
        ..roster_web::WebConfig::default()
    };
    let https = WebApp::spawn_with(secure).await;
    let answer = Client::new(&https.origin).get("/signin").await;
    let hsts = answer
        .headers
        .get("strict-transport-security")
        .map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(hsts.as_deref(), Some("max-age=63072000"));
    let http = WebApp::spawn().await;
    let answer = Client::new(&http.origin).get("/signin").await;
    assert!(answer.headers.get("strict-transport-security").is_none());
}

/// Three wrong sign-ins, each claiming to come from `forwarded_for`; the statuses.
async fn wrong_sign_ins(app: &WebApp, forwarded_for: &str) -> Vec<u16> {
    let mut client = Client::anonymous(&app.origin).await;
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let fields = [("username", "ga@contoso.com"), ("password", "wrong wrong wrong")];
        let answer = client
            .post("/signin", &fields, &[("x-forwarded-for", forwarded_for)])
            .await;
        statuses.push(answer.status.as_u16());
    }
    statuses
}

fn strict_limit(trusted_proxies: &[&str]) -> roster_web::WebConfig {
    roster_web::WebConfig {
        attempts: roster_web::throttle::AttemptLimit {
            per_minute: std::num::NonZeroU32::new(1).unwrap(),
            burst: std::num::NonZeroU32::new(2).unwrap(),
        },
        trusted_proxies: trusted_proxies
            .iter()
            .map(|text| roster_web::client_ip::parse_trusted_proxy(text).unwrap())
            .collect(),
        ..roster_web::WebConfig::default()
    }
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_address_has_its_own_attempt_limit() {
    let app = WebApp::spawn_with(strict_limit(&["127.0.0.1"])).await;
    assert_eq!(wrong_sign_ins(&app, "198.51.100.1").await, [401, 401, 429]);
    assert_eq!(wrong_sign_ins(&app, "198.51.100.2").await, [401, 401, 429]);
    let spoofed = "198.51.100.9, 198.51.100.1";
    assert_eq!(
        wrong_sign_ins(&app, spoofed).await,
        [429, 429, 429],
        "the proxy's hop counts"
    );
}

#[tokio::test]
async fn a_forwarded_address_from_an_untrusted_peer_is_ignored() {
    let app = WebApp::spawn_with(strict_limit(&[])).await;
    assert_eq!(wrong_sign_ins(&app, "198.51.100.1").await, [401, 401, 429]);
    assert_eq!(wrong_sign_ins(&app, "198.51.100.2").await, [429, 429, 429]);
}
