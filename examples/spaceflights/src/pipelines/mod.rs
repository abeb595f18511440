//! The tutorial's three pipelines (Kedro's `src/spaceflights/pipelines/`).

pub mod data_processing;
pub mod data_science;
pub mod reporting;
