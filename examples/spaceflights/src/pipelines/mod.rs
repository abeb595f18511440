//! The project's pipelines (Kedro's `src/<package>/pipelines/` and `pipeline_registry.py`).

use weir::prelude::*;

// weir: pipeline modules (`weir pipeline create` adds lines here)
pub mod data_processing;
pub mod data_science;
pub mod reporting;

/// Kedro's `register_pipelines`: every pipeline by name, and `__default__` as their sum.
pub fn register_pipelines() -> Vec<(&'static str, Pipeline)> {
    let mut pipelines: Vec<(&'static str, Pipeline)> = vec![
        // weir: registered pipelines (`weir pipeline create` adds lines here)
        ("data_processing", data_processing::create_pipeline()),
        ("data_science", data_science::create_pipeline()),
        ("reporting", reporting::create_pipeline()),
    ];
    let default: Pipeline = pipelines.iter().map(|(_, pipeline)| pipeline).sum();
    pipelines.push(("__default__", default));
    pipelines
}
