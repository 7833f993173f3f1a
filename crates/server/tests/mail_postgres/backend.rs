//! Where this binary's `roster` processes keep the directory: a fresh schema in the
//! PostgreSQL test database, made and dropped as in `tests/graph_postgres`, with the data
//! directory holding only the outbox.

#[path = "../graph_postgres/backend.rs"]
mod schema;

use std::path::Path;

/// The test's schema; dropping it drops the schema.
pub(crate) struct Storage {
    _schema: schema::Storage,
}

/// The storage flags for `roster` commands on a fresh, migrated schema, with `data` for
/// the outbox.
pub(crate) fn storage(data: &Path) -> (Vec<String>, Storage) {
    // The tests that call this may be synchronous or running on a runtime: a thread with
    // a runtime of its own serves both.
    let (url, schema) = std::thread::spawn(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let (_store, schema) = schema::open().await;
            (schema.url_in_schema(), schema)
        })
    })
    .join()
    .unwrap();
    std::fs::create_dir_all(data).expect("the data directory for the outbox");
    let flags = vec![
        "--database-url".into(),
        url,
        "--data-dir".into(),
        data.display().to_string(),
    ];
    (flags, Storage { _schema: schema })
}
