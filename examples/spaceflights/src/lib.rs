//! Kedro's spaceflights tutorial in Weir.
//!
//! The project is `main.rs`: its pipelines (this library) registered on a [`weir::Project`]
//! with the types the catalog must know. Run it with `cargo run -p spaceflights -- run`.

pub mod learn;
pub mod pipelines;

use weir::prelude::*;

/// Kedro's `register_pipelines`: every pipeline by name, and `__default__` as their sum.
pub fn register_pipelines() -> Vec<(&'static str, Pipeline)> {
    let data_processing = pipelines::data_processing::create_pipeline();
    let data_science = pipelines::data_science::create_pipeline();
    let reporting = pipelines::reporting::create_pipeline();
    let default = &data_processing + &data_science + &reporting;
    vec![
        ("data_processing", data_processing),
        ("data_science", data_science),
        ("reporting", reporting),
        ("__default__", default),
    ]
}
