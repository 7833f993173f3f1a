//! The subcommands that work on a database directly.

pub mod app;
pub mod init;
pub mod serve;
pub mod tenant;
pub mod token;
