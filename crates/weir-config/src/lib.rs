//! Configuration for Weir, compatible with Kedro's `conf/` folder.
//!
//! - [`ConfigLoader`]: environments (`base` + `local` or `--env`), file patterns
//!   (`catalog*`, `parameters*`, `credentials*`, sub-folders included), duplicate keys across
//!   files, merging, `${...}` interpolation with `globals`, `runtime_params` and (in
//!   credentials only) `oc.env`, and runtime parameters ([`parse_runtime_params`]).
//! - YAML is read as Kedro users' files have always been read: YAML 1.1 booleans (`yes`, `no`,
//!   `on`, `off`), OmegaConf's floats, dates kept as strings; every value remembers its file and
//!   line so errors can point at it.
//! - [`CatalogConfig`]: `catalog.yml` entries and dataset factory patterns, a
//!   [`DatasetRegistry`] of `type:` names that plugins extend, credentials by name,
//!   versioning, metadata; it builds a [`weir_core::Catalog`].
//! - [`plugin`]: the [`Plugin`] trait a plugin implements once to bring hooks, dataset types,
//!   settings files and subcommands to a project, and [`load_settings`] for its typed settings.

pub mod catalog;
mod error;
mod interpolate;
mod loader;
mod params;
pub mod plugin;
pub mod scalar;
pub mod tree;
pub mod yaml;

pub use catalog::{
    BuildContext, CatalogConfig, DatasetRegistry, DatasetSpec, EntryInfo, Lookup, PatternResolver,
    VersionSpec, check_version_string, redact_url,
};
pub use error::ConfigError;
pub use interpolate::ResolverFn;
pub use loader::{ConfigLoader, MergeStrategy};
pub use params::{Credentials, Secret, parse_load_versions, parse_runtime_params};
pub use plugin::{
    CommandContext, Plugin, PluginCommand, PluginRegistrar, PluginSettings, SettingsError,
    SettingsProblem, load_settings, settings_file, settings_from,
};
