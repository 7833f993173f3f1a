//! Contract cases that drive the domain use cases (see the crate docs).
