//! `catalog.yml`: entries, dataset factory patterns, the registry of `type:` names, credentials
//! by name, versioning and metadata, built into a [`weir_core::Catalog`].
//!
//! [`CatalogConfig`] (here) reads and builds the catalog; `spec` holds one entry as a
//! constructor sees it, `registry` the `type:` names, `patterns` the dataset factories.

mod patterns;
mod registry;
mod spec;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use indexmap::IndexMap;
use weir_core::{AnyDataset, Catalog};

pub use self::patterns::PatternResolver;
pub use self::registry::{BuildContext, Constructor, DatasetRegistry, Lookup};
pub use self::spec::{DatasetSpec, VersionSpec, redact_url};
pub use crate::params::check_version_string;

use self::patterns::{Pattern, fill, is_pattern, placeholders_in};
use self::registry::UnsupportedDataset;
use self::spec::{absolute, make_spec};
use crate::error::ConfigError;
use crate::params::Credentials;
use crate::tree::{Kind, Loc, Node};

/// What the catalog knows about an entry without loading it.
#[derive(Clone, Debug)]
pub struct EntryInfo {
    /// The `type:` as written.
    pub type_name: String,
    /// The `filepath`, if any (absolute when a project root is set).
    pub filepath: Option<String>,
    /// `metadata:`.
    pub metadata: serde_json::Value,
    /// The layer (`layer:` or `metadata.kedro-viz.layer`).
    pub layer: Option<String>,
    /// Whether the entry is versioned.
    pub versioned: bool,
    /// Where it is written.
    pub loc: Option<Loc>,
}

/// The catalog configuration: explicit entries and factory patterns, ready to build datasets.
///
/// ```
/// use weir_config::{CatalogConfig, Credentials, DatasetRegistry};
///
/// let yaml = "
/// model_input:
///   type: MemoryDataset
/// '{name}_scratch':
///   type: MemoryDataset
///   metadata: {owner: '{name}'}
/// ";
/// let node = weir_config::yaml::parse(yaml, "catalog.yml".as_ref()).unwrap();
/// let config = CatalogConfig::from_node(&node, Credentials::default()).unwrap();
/// let catalog = config.build(DatasetRegistry::new().into()).unwrap();
/// assert!(catalog.contains("model_input"));
/// assert!(catalog.contains("features_scratch"));
/// assert_eq!(catalog.metadata("features_scratch"), Some(serde_json::json!({"owner": "features"})));
/// ```
#[derive(Clone, Debug)]
pub struct CatalogConfig {
    entries: IndexMap<String, Node>,
    patterns: Vec<Pattern>,
    catch_all: Option<Pattern>,
    credentials: Credentials,
    project_root: Option<PathBuf>,
    load_versions: BTreeMap<String, String>,
    save_version: String,
}

impl CatalogConfig {
    /// Reads entries and patterns from the `catalog` configuration; checks their shape (each a
    /// mapping with a `type`; pattern fields used in values appear in the pattern; one
    /// catch-all at most). Every problem is reported at once.
    pub fn from_node(node: &Node, credentials: Credentials) -> Result<Self, ConfigError> {
        let mut errors = Vec::new();
        let mut entries = IndexMap::new();
        let mut patterns = Vec::new();
        let mut catch_alls = Vec::new();
        for (name, entry) in node.as_map().into_iter().flatten() {
            if name.starts_with('_') {
                continue;
            }
            let Some(map) = entry.as_map() else {
                errors.push(ConfigError::at(entry.loc.as_ref(), name, format!(
                    "Catalog entry '{name}' is not a valid dataset configuration (found {}).", entry.kind_name()
                )).with_help("If this catalog entry is intended for variable interpolation, make sure that the key is preceded by an underscore."));
                continue;
            };
            if !map.contains_key("type") {
                errors.push(ConfigError::at(entry.loc.as_ref(), name, format!(
                    "An exception occurred when parsing config for dataset '{name}': 'type' is missing from dataset catalog configuration."
                )).with_help("add `type:` (e.g. `type: pandas.CSVDataset`); see `weir catalog` for the known types"));
                continue;
            }
            if is_pattern(name) {
                let pattern = Pattern::new(name, entry.clone());
                let fields = pattern.fields();
                let mut used = Vec::new();
                placeholders_in(entry, &mut used);
                let missing: Vec<String> = used
                    .into_iter()
                    .filter(|u| !fields.contains(&u.as_str()))
                    .map(|u| format!("'{{{u}}}'"))
                    .collect();
                if !missing.is_empty() {
                    errors.push(ConfigError::at(entry.loc.as_ref(), name, format!(
                        "Incorrect dataset configuration provided. Keys used in the configuration {{{}}} should present in the dataset pattern name {name}.",
                        missing.join(", ")
                    )));
                    continue;
                }
                if pattern.specificity() == 0 {
                    catch_alls.push(pattern);
                } else {
                    patterns.push(pattern);
                }
            } else {
                entries.insert(name.clone(), entry.clone());
            }
        }
        if catch_alls.len() > 1 {
            errors.push(ConfigError::at(catch_alls[1].config.loc.as_ref(), "", format!(
                "Multiple catch-all patterns found in the catalog: {}. Only one catch-all pattern is allowed, remove the extras.",
                catch_alls.iter().map(|p| p.text.as_str()).collect::<Vec<_>>().join(", ")
            )));
        }
        if let Some(error) = ConfigError::from_many(errors) {
            return Err(error);
        }
        patterns.sort_by(|a, b| {
            b.specificity()
                .cmp(&a.specificity())
                .then(b.placeholders().cmp(&a.placeholders()))
                .then(a.text.cmp(&b.text))
        });
        Ok(Self {
            entries,
            patterns,
            catch_all: catch_alls.pop(),
            credentials,
            project_root: None,
            load_versions: BTreeMap::new(),
            save_version: weir_core::runner::generate_timestamp(),
        })
    }

    /// Relative `filepath`/`path`/`filename` values start here (the project folder), as in a
    /// Kedro project.
    #[must_use]
    pub fn project_root(mut self, root: impl Into<PathBuf>) -> Self {
        self.project_root = Some(root.into());
        self
    }

    /// The version every versioned dataset saves in this run (Kedro: the run id).
    #[must_use]
    pub fn save_version(mut self, version: impl Into<String>) -> Self {
        self.save_version = version.into();
        self
    }

    /// The run's save version.
    pub fn current_save_version(&self) -> &str {
        &self.save_version
    }

    /// Versions to load (`--load-versions name:version`). Every name must be an entry or match
    /// a pattern.
    pub fn load_versions(
        mut self,
        versions: BTreeMap<String, String>,
    ) -> Result<Self, ConfigError> {
        let unknown: Vec<&String> = versions
            .keys()
            .filter(|name| {
                !self.entries.contains_key(*name) && self.matching_pattern(name).is_none()
            })
            .collect();
        if !unknown.is_empty() {
            return Err(ConfigError::at(
                None,
                "",
                format!(
                    "'load_versions' keys [{}] are not found in the catalog.",
                    unknown
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        for version in versions.values() {
            check_version_string(version)?;
        }
        self.load_versions = versions;
        Ok(self)
    }

    /// Explicit entry names, in file order.
    pub fn entry_names(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }

    /// Patterns in the order they are tried, the catch-all last (`catalog list-patterns`).
    pub fn list_patterns(&self) -> Vec<String> {
        self.patterns
            .iter()
            .chain(&self.catch_all)
            .map(|p| p.text.clone())
            .collect()
    }

    fn matching_pattern(&self, name: &str) -> Option<(&Pattern, BTreeMap<String, String>)> {
        self.patterns
            .iter()
            .chain(&self.catch_all)
            .find_map(|p| p.matches(name).map(|values| (p, values)))
    }

    /// The configuration a name resolves to: its entry, or the first matching pattern filled
    /// in. `None` if neither.
    pub fn resolve_config(&self, name: &str) -> Option<Node> {
        if let Some(entry) = self.entries.get(name) {
            return Some(entry.clone());
        }
        self.matching_pattern(name)
            .map(|(p, values)| fill(&p.config, &values))
    }

    /// The pattern a name matches, if it is not an explicit entry.
    pub fn pattern_for(&self, name: &str) -> Option<&str> {
        if self.entries.contains_key(name) {
            return None;
        }
        self.matching_pattern(name).map(|(p, _)| p.text.as_str())
    }

    /// What an entry (or a name matching a pattern) is, without building it.
    pub fn info(&self, name: &str) -> Option<EntryInfo> {
        let node = self.resolve_config(name)?;
        let map = node.as_map()?;
        let metadata = map
            .get("metadata")
            .map_or(serde_json::Value::Null, Node::to_json);
        let wrapped = map.get("dataset").and_then(Node::as_map);
        let layer = map
            .get("layer")
            .and_then(Node::as_str)
            .map(str::to_owned)
            .or_else(|| {
                metadata
                    .pointer("/kedro-viz/layer")
                    .and_then(|v| v.as_str())
                    .map(str::to_owned)
            });
        Some(EntryInfo {
            type_name: map
                .get("type")
                .and_then(Node::as_str)
                .unwrap_or_default()
                .to_owned(),
            // A wrapper (`dataset:` holding a file dataset) is where its file is.
            filepath: map
                .get("filepath")
                .or_else(|| wrapped.and_then(|w| w.get("filepath")))
                .and_then(Node::as_str)
                .map(|p| absolute(p, self.project_root.as_deref())),
            metadata,
            layer,
            versioned: [Some(map), wrapped]
                .into_iter()
                .flatten()
                .any(|m| matches!(m.get("versioned").map(|n| &n.kind), Some(Kind::Bool(true)))),
            loc: node.loc.clone(),
        })
    }

    /// Builds the catalog: every explicit entry (all problems reported at once), with the
    /// patterns resolving other names on first use. Entries whose type has no meaning in Weir
    /// (plotly, matplotlib...) are kept as datasets that fail with the reason when used.
    pub fn build(&self, registry: Arc<DatasetRegistry>) -> Result<Catalog, ConfigError> {
        let mut catalog = Catalog::new();
        let mut errors = Vec::new();
        for (name, node) in &self.entries {
            match self.build_one(name, node, &registry) {
                Ok(dataset) => catalog.add_shared(name.clone(), dataset),
                Err(error) => errors.push(error),
            }
            if let Some(info) = self.info(name)
                && !info.metadata.is_null()
            {
                catalog.set_metadata(name, info.metadata);
            }
        }
        if let Some(error) = ConfigError::from_many(errors) {
            return Err(error);
        }
        if !self.patterns.is_empty() || self.catch_all.is_some() {
            catalog.set_resolver(Arc::new(PatternResolver {
                config: self.clone(),
                registry,
            }));
        }
        Ok(catalog)
    }

    fn build_one(
        &self,
        name: &str,
        node: &Node,
        registry: &DatasetRegistry,
    ) -> Result<Arc<dyn AnyDataset>, ConfigError> {
        let version = VersionSpec {
            load: self.load_versions.get(name).cloned(),
            save: Some(self.save_version.clone()),
        };
        let mut spec = make_spec(
            name,
            node,
            &self.credentials,
            self.project_root.as_deref(),
            Some(version.clone()),
            registry,
        )?;
        if let Lookup::Unsupported(reason) = registry.lookup(&spec.type_name) {
            tracing::debug!("Dataset '{name}' has type `{}`: {reason}", spec.type_name);
            return Ok(Arc::new(UnsupportedDataset {
                type_name: spec.type_name.clone(),
                message: format!(
                    "dataset '{name}'{}: type `{}` is not supported in Weir: {reason}",
                    spec.loc
                        .as_ref()
                        .map(|l| format!(" ({l})"))
                        .unwrap_or_default(),
                    spec.type_name
                ),
            }));
        }
        let ctx = BuildContext {
            registry,
            project_root: self.project_root.as_deref(),
            credentials: &self.credentials,
            version: Some(version),
        };
        registry.construct(&mut spec, &ctx)
    }

    /// Explicit entries whose type has no meaning in Weir: (name, message).
    pub fn unsupported_entries(&self, registry: &DatasetRegistry) -> Vec<(String, String)> {
        self.entries
            .iter()
            .filter_map(|(name, node)| {
                let type_name = node.as_map()?.get("type")?.as_str()?;
                match registry.lookup(type_name) {
                    Lookup::Unsupported(reason) => {
                        Some((name.clone(), format!("type `{type_name}`: {reason}")))
                    }
                    _ => None,
                }
            })
            .collect()
    }
}
