//! The test application for pages: the whole app in-process on this binary's backend
//! (`backend.rs`: SQLite in `tests/web`, PostgreSQL in `tests/web_postgres`) with a manual
//! clock, a Global Administrator with a known password, and a cookie-keeping browser.

use directory::password::Password;
use directory::role::AdminRole;
use directory::upn::{DomainName, UserPrincipalName};
use directory::user::{NewUser, User};
use directory::{Caller, Directory, ManualClock};
use reqwest::StatusCode;
use roster_http::throttle::Throttle;
use roster_web::WebConfig;
use std::sync::Arc;

/// The password every test user gets unless a test says otherwise.
pub(crate) const PASSWORD: &str = "correct horse battery staple 42";

pub(crate) struct WebApp {
    pub(crate) origin: String,
    pub(crate) directory: Directory,
    pub(crate) clock: ManualClock,
    _storage: crate::backend::Storage,
}

impl WebApp {
    /// A fresh organisation `contoso.com` with `ga@contoso.com` (Global Administrator,
    /// password [`PASSWORD`], no forced change).
    pub(crate) async fn spawn() -> WebApp {
        WebApp::spawn_with(WebConfig::default()).await
    }

    /// Like [`WebApp::spawn`], with these page settings.
    pub(crate) async fn spawn_with(config: WebConfig) -> WebApp {
        let (store, storage) = crate::backend::open().await;
        let clock = ManualClock::at_default_start();
        let directory = Directory::new(store, Arc::new(clock.clone()));
        directory
            .initialize("Contoso", DomainName::parse("contoso.com").unwrap())
            .await
            .unwrap();
        let origin = serve(&directory, config).await;
        let app = WebApp {
            origin,
            directory,
            clock,
            _storage: storage,
        };
        app.user("ga", "Gloria Admin", &[AdminRole::GlobalAdministrator]).await;
        let public_url = directory::mail::PublicUrl::parse(&app.origin).unwrap();
        let update = directory::mail::MailSettingsUpdate {
            public_url: Some(Some(public_url)),
            ..Default::default()
        };
        app.directory
            .update_mail_settings(&Caller::system(), update)
            .await
            .unwrap();
        app
    }

    /// Another server over the same database, as a second replica is: it shares the
    /// directory and nothing held in memory. Its origin.
    pub(crate) async fn replica(&self, config: WebConfig) -> String {
        serve(&self.directory, config).await
    }

    /// A browser of the server at `origin` whose every request says, through the trusted
    /// proxy, that it comes from `client`.
    pub(crate) fn browser_behind_proxy(origin: &str, client: &str) -> Browser {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("x-forwarded-for", client.parse().unwrap());
        Browser {
            origin: origin.to_owned(),
            client: reqwest::Client::builder()
                .cookie_store(true)
                .default_headers(headers)
                .build()
                .unwrap(),
            csrf: None,
        }
    }

    /// Creates `<alias>@contoso.com` with [`PASSWORD`] and these roles.
    pub(crate) async fn user(&self, alias: &str, name: &str, roles: &[AdminRole]) -> User {
        let upn = UserPrincipalName::parse(&format!("{alias}@contoso.com")).unwrap();
        let password = Password::parse(PASSWORD, None).unwrap();
        let user = self
            .directory
            .create_user(&Caller::system(), NewUser::new(upn, name, password))
            .await
            .unwrap();
        for role in roles {
            self.directory
                .assign_role(&Caller::system(), user.id, *role)
                .await
                .unwrap();
        }
        user
    }

    /// A browser with no cookies yet.
    pub(crate) fn browser(&self) -> Browser {
        Browser {
            origin: self.origin.clone(),
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::limited(10))
                .build()
                .unwrap(),
            csrf: None,
        }
    }

    /// A browser signed in as `<alias>@contoso.com` with [`PASSWORD`].
    pub(crate) async fn signed_in(&self, alias: &str) -> Browser {
        let mut browser = self.browser();
        let page = browser.sign_in(&format!("{alias}@contoso.com"), PASSWORD).await;
        assert!(page.status.is_success(), "sign-in of {alias} failed: {}", page.text);
        browser
    }
}

/// Serves the whole app over `directory` on a new port; its origin.
async fn serve(directory: &Directory, config: WebConfig) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let app = roster::app(directory.clone(), Throttle::new(None), config);
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });
    origin
}

/// A page as the browser received it, after redirects.
#[derive(Debug)]
pub(crate) struct Page {
    pub(crate) status: StatusCode,
    /// The path the browser ended on (after redirects).
    pub(crate) path: String,
    pub(crate) text: String,
}

impl Page {
    /// Whether the page contains an element with this `id`.
    pub(crate) fn has_id(&self, id: &str) -> bool {
        self.text.contains(&format!("id=\"{id}\""))
    }
}

/// A cookie-keeping HTTP client that, like a browser, sends back the CSRF token of the
/// last page it loaded with every form.
pub(crate) struct Browser {
    origin: String,
    client: reqwest::Client,
    csrf: Option<String>,
}

impl Browser {
    /// The CSRF token of the last page that had forms.
    pub(crate) fn csrf(&self) -> &str {
        self.csrf.as_deref().unwrap_or_default()
    }

    /// The underlying client, with this browser's cookies.
    pub(crate) fn client(&self) -> &reqwest::Client {
        &self.client
    }

    pub(crate) async fn get(&mut self, path: &str) -> Page {
        let response = self.client.get(format!("{}{path}", self.origin)).send().await.unwrap();
        self.read(response).await
    }

    /// Posts a form from the last page, with its CSRF token.
    pub(crate) async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        let csrf = self.csrf.clone().unwrap_or_default();
        form.push(("csrf", &csrf));
        self.post_raw(path, &form).await
    }

    /// Posts exactly these fields (no CSRF token added).
    pub(crate) async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let response = self
            .client
            .post(format!("{}{path}", self.origin))
            .form(fields)
            .send()
            .await
            .unwrap();
        self.read(response).await
    }

    pub(crate) async fn sign_in(&mut self, upn: &str, password: &str) -> Page {
        self.get("/signin").await;
        self.post("/signin", &[("username", upn), ("password", password)]).await
    }

    async fn read(&mut self, response: reqwest::Response) -> Page {
        let status = response.status();
        let path = response.url().path().to_owned();
        let text = response.text().await.unwrap();
        if let Some(token) = csrf_of(&text) {
            self.csrf = Some(token);
        }
        Page { status, path, text }
    }
}

/// The CSRF token in a page's forms.
pub(crate) fn csrf_of(html: &str) -> Option<String> {
    let start = html.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_owned())
}
