//! Integration tests of weir-core, ported from Kedro's behaviour (pipelines, runners, hooks)
//! plus Weir's own guarantees (validation before running, typed overrides, parallel hooks).

#![allow(clippy::unwrap_used)]

mod common;
mod compile_fail;
mod hooks;
mod namespaces;
mod pipelines;
mod properties;
mod runners;
mod validation;
