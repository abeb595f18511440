//! The spaceflights integration tests, in one test binary (one link of polars instead of one
//! per file).
//!
//! `reference` is `tests/reference.rs`, outside this folder: the spaceflights starter of
//! `weir new` links that file (`crates/weir-cli/starters/spaceflights/tests/reference.rs`) and
//! copies it into new projects as their own test, so it stays a standalone test file there.
#![allow(clippy::unwrap_used, missing_docs)]

mod bad_input;
mod cli;
mod common;
mod errors;
mod mlflow;
#[path = "../reference.rs"]
mod reference;
mod secrets;
mod statsd;
mod validate;
