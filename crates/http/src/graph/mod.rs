//! The Microsoft Graph v1.0 surface (also served under `/beta`).
//!
//! - [`odata`]: parsing `$filter`, `$orderby`, `$select`, `$top` into checked queries.

pub mod odata;
