//! Pages of 100 deleted users in every query shape the issue names: the first page, a
//! deep page reached through skip tokens, a `startsWith` filter, and newest first.

use crate::client::Api;
use crate::stats::Samples;
use anyhow::{Context, Result, bail};
use std::time::Instant;

const BIN: &str = "/v1.0/directory/deletedItems/microsoft.graph.user";

/// One query shape's samples.
#[derive(Debug)]
pub(crate) struct Shape {
    pub(crate) name: String,
    pub(crate) samples: Samples,
}

/// Measures each shape `repeats` times, after one warm-up request. The deep page is the
/// one `depth` next links after the first.
pub(crate) async fn run(api: &Api, depth: usize, repeats: usize) -> Result<Vec<Shape>> {
    let first = format!("{BIN}?$top=100");
    let deep = follow(api, &first, depth).await?;
    let shapes = [
        ("first page".to_owned(), first, false),
        (format!("deep page (page {}, via skip tokens)", depth + 1), deep, false),
        (
            "startsWith(displayName,'Gone 00')".to_owned(),
            format!("{BIN}?$top=100&$filter=startsWith(displayName,'Gone%2000')"),
            false,
        ),
        (
            "$orderby=deletedDateTime desc ($count=true, eventual)".to_owned(),
            format!("{BIN}?$top=100&$orderby=deletedDateTime%20desc&$count=true"),
            true,
        ),
    ];
    let mut results = Vec::new();
    for (name, url, eventual) in shapes {
        let (page, _) = api.get(&url, eventual).await?;
        let rows = page["value"].as_array().map_or(0, Vec::len);
        if rows == 0 {
            bail!("{name}: the page is empty");
        }
        let mut samples = Samples::default();
        let started = Instant::now();
        for _ in 0..repeats {
            samples.push(api.get(&url, eventual).await?.1);
        }
        samples.wall = started.elapsed();
        results.push(Shape { name, samples });
    }
    Ok(results)
}

/// The URL `depth` next links after `url`.
async fn follow(api: &Api, url: &str, depth: usize) -> Result<String> {
    let mut url = url.to_owned();
    for page in 0..depth {
        let (value, _) = api.get(&url, false).await?;
        url = value["@odata.nextLink"]
            .as_str()
            .with_context(|| format!("page {} has no next link", page + 1))?
            .to_owned();
    }
    Ok(url)
}
