//! The registry of `type:` names ([`DatasetRegistry`]), what a name means ([`Lookup`]),
//! what a constructor may use ([`BuildContext`]), and the stand-in for Kedro types with no
//! Weir meaning.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use weir_core::{AnyDataset, DatasetError, MemoryDataset};

use super::spec::{DatasetSpec, VersionSpec, make_spec};
use crate::error::ConfigError;
use crate::params::Credentials;
use crate::tree::{Loc, Node};

/// What building a dataset may use besides its entry.
pub struct BuildContext<'a> {
    /// The registry, to build nested datasets (partitions).
    pub registry: &'a DatasetRegistry,
    /// Where relative paths start.
    pub project_root: Option<&'a Path>,
    /// Credentials by name.
    pub credentials: &'a Credentials,
    /// The versions the entry being built saves and loads (the run's save version and its
    /// `--load-versions` entry). A nested dataset written `versioned: true` uses them, so a
    /// wrapper (an MLflow artifact around a pickle) is versioned like the file it wraps.
    pub version: Option<VersionSpec>,
}

impl BuildContext<'_> {
    /// Builds a dataset from a configuration (for datasets made of other datasets).
    pub fn build_nested(
        &self,
        name: &str,
        config: &serde_json::Value,
        loc: Option<&Loc>,
    ) -> Result<Arc<dyn AnyDataset>, ConfigError> {
        let node = located(Node::from_json(config), loc);
        let mut spec = make_spec(
            name,
            &node,
            self.credentials,
            self.project_root,
            self.version.clone(),
            self.registry,
        )?;
        self.registry.construct(&mut spec, self)
    }
}

fn located(mut node: Node, loc: Option<&Loc>) -> Node {
    node.loc = loc.cloned();
    node
}

/// A dataset constructor registered for a `type:` name.
pub type Constructor = dyn Fn(&mut DatasetSpec, &BuildContext<'_>) -> Result<Arc<dyn AnyDataset>, ConfigError>
    + Send
    + Sync;

/// `type:` names to dataset constructors. Plugins register their own; Kedro's names are
/// accepted as aliases of Weir's implementations.
#[derive(Clone, Default)]
pub struct DatasetRegistry {
    types: BTreeMap<String, Arc<Constructor>>,
    aliases: BTreeMap<String, String>,
    unsupported: BTreeMap<String, String>,
}

impl std::fmt::Debug for DatasetRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatasetRegistry")
            .field("types", &self.types.keys().collect::<Vec<_>>())
            .field("aliases", &self.aliases)
            .finish_non_exhaustive()
    }
}

impl DatasetRegistry {
    /// A registry with `MemoryDataset` only; `weir_datasets::registry()` adds the file datasets.
    pub fn new() -> Self {
        let mut registry = Self::default();
        registry.register("MemoryDataset", |spec, _| {
            if let Some(mode) = spec.take_as::<String>("copy_mode")? {
                // Weir never copies: values are immutable once saved. The mode is still checked.
                if !matches!(mode.as_str(), "deepcopy" | "copy" | "assign") {
                    return Err(spec.error(format!(
                        "Invalid copy mode: {mode}. Possible values are: deepcopy, copy, assign."
                    )));
                }
            }
            Ok(Arc::new(MemoryDataset::new()))
        });
        registry
    }

    /// Registers a constructor for a `type:` name.
    pub fn register(
        &mut self,
        name: &str,
        constructor: impl Fn(
            &mut DatasetSpec,
            &BuildContext<'_>,
        ) -> Result<Arc<dyn AnyDataset>, ConfigError>
        + Send
        + Sync
        + 'static,
    ) -> &mut Self {
        self.types.insert(name.to_owned(), Arc::new(constructor));
        self
    }

    /// Makes `name` (e.g. Kedro's `pandas.CSVDataset`) mean the registered type `target`.
    pub fn alias(&mut self, name: &str, target: &str) -> &mut Self {
        self.aliases.insert(name.to_owned(), target.to_owned());
        self
    }

    /// Declares a Kedro type that has no meaning in Weir, with the reason and what to use
    /// instead. Entries of that type are kept but fail clearly when used.
    pub fn unsupported(&mut self, name: &str, reason: &str) -> &mut Self {
        self.unsupported.insert(name.to_owned(), reason.to_owned());
        self
    }

    /// Every accepted `type:` name (registered and aliases).
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .types
            .keys()
            .chain(self.aliases.keys())
            .cloned()
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// Kedro accepts `kedro_datasets.pandas.CSVDataset`, `kedro.io.MemoryDataset` and
    /// `pandas.csv_dataset.CSVDataset` for the same classes.
    fn normalise(name: &str) -> String {
        let trimmed = name
            .strip_prefix("kedro_datasets.")
            .or_else(|| name.strip_prefix("kedro.io."))
            .unwrap_or(name);
        let parts: Vec<&str> = trimmed.split('.').collect();
        let joined = if parts.len() == 3 && parts[1].ends_with("_dataset") {
            format!("{}.{}", parts[0], parts[2])
        } else {
            trimmed.to_owned()
        };
        match joined.strip_suffix("DataSet") {
            Some(stem) => {
                tracing::warn!(
                    "`{name}`: dataset names ending in `DataSet` were renamed to `Dataset`"
                );
                format!("{stem}Dataset")
            }
            None => joined,
        }
    }

    /// The registered type a `type:` name means.
    pub fn lookup(&self, name: &str) -> Lookup<'_> {
        let normal = Self::normalise(name);
        let target = self.aliases.get(&normal).cloned().unwrap_or(normal.clone());
        if let Some(constructor) = self.types.get(&target) {
            return Lookup::Found(target, constructor);
        }
        if let Some(reason) = self.unsupported.get(&normal) {
            return Lookup::Unsupported(reason.clone());
        }
        Lookup::Unknown(weir_core::suggest::close_matches(
            &normal,
            self.names().iter().map(String::as_str),
            3,
            0.6,
        ))
    }

    pub(super) fn construct(
        &self,
        spec: &mut DatasetSpec,
        ctx: &BuildContext<'_>,
    ) -> Result<Arc<dyn AnyDataset>, ConfigError> {
        let Lookup::Found(_, constructor) = self.lookup(&spec.type_name) else {
            return Err(spec.error(format!("unknown dataset type `{}`", spec.type_name)));
        };
        let constructor = Arc::clone(constructor);
        let dataset = constructor(spec, ctx)?;
        match spec.leftovers() {
            Some(error) => Err(error),
            None => Ok(dataset),
        }
    }
}

/// What a `type:` name means.
pub enum Lookup<'a> {
    /// A registered type: its name and constructor.
    Found(String, &'a Arc<Constructor>),
    /// A Kedro type with no Weir meaning, and why.
    Unsupported(String),
    /// Unknown; the nearest known names.
    Unknown(Vec<String>),
}

/// A dataset whose Kedro type has no Weir meaning: it fails, with the reason, when used.
pub(super) struct UnsupportedDataset {
    pub(super) type_name: String,
    pub(super) message: String,
}

impl weir_core::Dataset for UnsupportedDataset {
    type Value = weir_core::Value;

    fn load(&self) -> Result<weir_core::Value, DatasetError> {
        Err(DatasetError::message(self.message.clone()))
    }

    fn save(&self, _: &weir_core::Value) -> Result<(), DatasetError> {
        Err(DatasetError::message(self.message.clone()))
    }

    fn exists(&self) -> Result<bool, DatasetError> {
        Ok(false)
    }

    fn describe(&self) -> String {
        format!("unsupported {}", self.type_name)
    }

    fn type_name(&self) -> String {
        self.type_name.clone()
    }
}
