//! The [`Directory`] façade: the store and the clock every use case works with.

use crate::clock::Clock;
use crate::store::Store;
use std::sync::Arc;

/// Entry point to every use case. Cheap to clone; share one per process.
#[derive(Debug, Clone)]
pub struct Directory {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn Clock>,
}

impl Directory {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Directory { store, clock }
    }
}
