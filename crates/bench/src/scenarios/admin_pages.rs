//! Admin center pages with the recycle bin full: a browser session (signed in through the
//! sign-in form, cookies kept) loads each page repeatedly. Timed from sending the request
//! to having read the whole page, so each figure bounds the server-side render from above.

use super::pages::Shape;
use crate::stats::Samples;
use anyhow::{Context, Result, bail};
use std::time::Instant;

/// The pages measured, as (name, path).
const PAGES: [(&str, &str); 5] = [
    ("admin home (counts)", "/admin"),
    ("deleted users, first page of 50", "/admin/deleted-users"),
    ("deleted users, search 'Gone 00'", "/admin/deleted-users?q=Gone%2000"),
    ("active users, first page of 50", "/admin/users"),
    ("audit log, newest 100", "/admin/audit"),
];

/// Signs in as `upn` and measures each page `repeats` times after one warm-up load.
pub(crate) async fn run(base: &str, upn: &str, password: &str, repeats: usize) -> Result<Vec<Shape>> {
    let browser = reqwest::Client::builder().cookie_store(true).no_proxy().build()?;
    sign_in(&browser, base, upn, password).await?;
    let mut shapes = Vec::new();
    for (name, path) in PAGES {
        let url = format!("{base}{path}");
        load(&browser, &url).await?;
        let mut samples = Samples::default();
        let started = Instant::now();
        for _ in 0..repeats {
            let sent = Instant::now();
            load(&browser, &url).await?;
            samples.push(sent.elapsed());
        }
        samples.wall = started.elapsed();
        shapes.push(Shape {
            name: name.to_owned(),
            samples,
        });
    }
    Ok(shapes)
}

/// Signs in through the form, as a browser does: the form (for its CSRF token), then the
/// post, which must land on the admin home.
pub(crate) async fn sign_in(browser: &reqwest::Client, base: &str, upn: &str, password: &str) -> Result<()> {
    let form = browser.get(format!("{base}/signin")).send().await?.text().await?;
    let csrf = form
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .context("the sign-in page has no CSRF token")?;
    let fields = [
        ("username", upn),
        ("password", password),
        ("csrf", csrf),
        ("next", "/admin"),
    ];
    let page = browser.post(format!("{base}/signin")).form(&fields).send().await?;
    if page.url().path() != "/admin" {
        bail!("signing in as {upn} ended on {} ({})", page.url().path(), page.status());
    }
    Ok(())
}

/// Loads a page whole; anything but 200 fails the run.
async fn load(browser: &reqwest::Client, url: &str) -> Result<()> {
    let response = browser.get(url).send().await?;
    let status = response.status();
    let body = response.text().await?;
    if status != reqwest::StatusCode::OK || body.is_empty() {
        bail!("{url}: {status}");
    }
    Ok(())
}
