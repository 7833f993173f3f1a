//! One browser scenario: the app served in-process (the page tests' [`WebApp`]), a
//! headless Chromium driving it, the page language, and numbered screenshots in
//! `target/browser/<scenario>-<lang>/<NN>-<step>.png`.

use crate::driver::{Driver, Element, WAIT};
use crate::support::WebApp;
use roster_i18n::{Arg, Lang};
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub(crate) struct Scenario {
    pub(crate) app: WebApp,
    pub(crate) web: Driver,
    pub(crate) lang: Lang,
    shots: PathBuf,
    step: u32,
}

/// The folder screenshots go to: `browser/` in the build's target directory.
pub(crate) fn screenshot_root() -> PathBuf {
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent()
        .map_or(tmp.clone(), |target| target.to_path_buf())
        .join("browser")
}

/// The short name of a language in folder names.
pub(crate) fn short(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "en",
        Lang::Nl => "nl",
    }
}

impl Scenario {
    /// A fresh organisation and a browser whose pages will be in `lang` (English asks for
    /// English; Dutch is chosen with the page's language switcher at sign-in).
    pub(crate) async fn start(name: &str, lang: Lang) -> Scenario {
        let app = WebApp::spawn().await;
        let web = Driver::start("en").await;
        let shots = screenshot_root().join(format!("{name}-{}", short(lang)));
        let _ = std::fs::remove_dir_all(&shots);
        std::fs::create_dir_all(&shots).unwrap();
        Scenario {
            app,
            web,
            lang,
            shots,
            step: 0,
        }
    }

    /// A message in the scenario's language.
    pub(crate) fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }

    /// A message with one text argument, in the scenario's language.
    pub(crate) fn t_with(&self, key: &str, name: &str, value: &str) -> String {
        self.lang.t_args(key, &[(name, Arg::Text(value))])
    }

    /// A message with one number argument, in the scenario's language.
    pub(crate) fn t_num(&self, key: &str, name: &str, value: i64) -> String {
        self.lang.t_args(key, &[(name, Arg::Number(value))])
    }

    pub(crate) async fn open(&self, path: &str) {
        self.web.goto(&format!("{}{path}", self.app.origin)).await;
    }

    /// The element with this `id`, once it is on the page.
    pub(crate) async fn id(&self, id: &str) -> Element {
        self.web.wait_for(&format!("[id=\"{id}\"]")).await
    }

    pub(crate) async fn click(&self, id: &str) {
        let element = self.id(id).await;
        self.web.click(&element).await;
    }

    pub(crate) async fn fill(&self, id: &str, text: &str) {
        let element = self.id(id).await;
        self.web.type_into(&element, text).await;
    }

    /// The rendered text of the element with this `id`.
    pub(crate) async fn text(&self, id: &str) -> String {
        self.web.text_of(&format!("[id=\"{id}\"]")).await
    }

    /// The path (without query) of the page the browser is on.
    pub(crate) async fn path(&self) -> String {
        let url = self.web.current_url().await;
        let local = url.strip_prefix(&self.app.origin).unwrap_or(&url);
        local.split(['?', '#']).next().unwrap_or_default().to_owned()
    }

    /// Waits until the browser is on this path.
    pub(crate) async fn wait_path(&self, path: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let now = self.path().await;
            if now == path {
                return;
            }
            if Instant::now() >= deadline {
                let source = self.web.source().await;
                panic!("expected to be on {path} within {WAIT:?}, still on {now}:\n{source}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Saves a screenshot of the page as the next numbered step.
    pub(crate) async fn shot(&mut self, step: &str) {
        self.step += 1;
        let png = self.web.screenshot().await;
        let file = self.shots.join(format!("{:02}-{step}.png", self.step));
        std::fs::write(&file, png).unwrap_or_else(|e| panic!("could not write {}: {e}", file.display()));
    }

    /// Makes the current page speak the scenario's language, with the page's switcher if
    /// it does not yet.
    pub(crate) async fn use_language(&self) {
        let wanted = format!("html[lang=\"{}\"]", self.lang.tag());
        if self.web.find_all(&wanted).await.is_empty() {
            self.click("switch-language").await;
            self.web.wait_for(&wanted).await;
        }
    }

    /// Opens the sign-in page, in the scenario's language, and types these credentials
    /// in (a screenshot is taken of the filled-in form); the caller waits for the result.
    pub(crate) async fn sign_in(&mut self, upn: &str, password: &str) {
        self.open("/signin").await;
        self.use_language().await;
        self.fill("username", upn).await;
        self.fill("password", password).await;
        self.shot("sign-in").await;
        self.click("sign-in").await;
    }

    /// Signs out with the button in the page header and waits for the sign-in page.
    pub(crate) async fn sign_out(&mut self) {
        self.click("sign-out").await;
        self.wait_path("/signin").await;
    }

    /// Closes the browser.
    pub(crate) async fn finish(self) {
        self.web.quit().await;
    }
}
