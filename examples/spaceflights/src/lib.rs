//! Kedro's spaceflights tutorial in Weir.
//!
//! The project is `main.rs`: its pipelines (this library) registered on a [`weir::Project`]
//! with the types the catalog must know. Run it with `cargo run -p spaceflights -- run`.

pub mod learn;
pub mod pipelines;

pub use pipelines::register_pipelines;
