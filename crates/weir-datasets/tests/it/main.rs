//! Integration tests of weir-datasets: real files, Kedro's catalog entries and layouts.

#![allow(clippy::unwrap_used, missing_docs)]

mod atomic;
mod frames;
mod lazy;
mod properties;
mod read_errors;
mod serde_files;
mod spaceflights;
mod versioning;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use weir_config::{CatalogConfig, Credentials, yaml};
use weir_core::Catalog;

/// The spaceflights project folder in the repository (Kedro's `conf/` and raw data).
pub fn spaceflights() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/spaceflights")
}

/// Builds a catalog from YAML text, with relative paths under `root`.
pub fn catalog(
    text: &str,
    root: &Path,
    types: weir_datasets::SerdeTypes,
) -> Result<Catalog, weir_config::ConfigError> {
    catalog_with(text, root, types, "2026-11-30T10.00.00.000Z")
}

pub fn catalog_with(
    text: &str,
    root: &Path,
    types: weir_datasets::SerdeTypes,
    save_version: &str,
) -> Result<Catalog, weir_config::ConfigError> {
    let node = yaml::parse(text, Path::new("catalog.yml"))?;
    CatalogConfig::from_node(&node, Credentials::default())?
        .project_root(root)
        .save_version(save_version)
        .build(Arc::new(weir_datasets::registry(types)))
}
