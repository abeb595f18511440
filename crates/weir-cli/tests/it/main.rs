//! Integration tests of the `weir` binary.
#![allow(clippy::unwrap_used, missing_docs)]

mod new;
