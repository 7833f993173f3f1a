//! The measurements of issue 7, one module each: the one-at-a-time and concurrent
//! lifecycle, pages of the recycle bin, bulk restore, and the purge; and issue 4's admin
//! center pages with the bin full; and T37's open-model load.

pub(crate) mod admin_pages;
pub(crate) mod bulk;
pub(crate) mod lifecycle;
pub(crate) mod open_load;
pub(crate) mod pages;
pub(crate) mod purge;
