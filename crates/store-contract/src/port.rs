//! Contract cases on the storage port itself (see the crate docs).
