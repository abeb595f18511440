//! `catalog.yml`: entries, dataset factory patterns, the registry of `type:` names, credentials
//! by name, versioning and metadata, built into a [`weir_core::Catalog`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use indexmap::IndexMap;
use serde::de::DeserializeOwned;
use weir_core::{AnyDataset, Catalog, DatasetError, DatasetResolver, MemoryDataset};

use crate::error::ConfigError;
use crate::params::{Credentials, Secret};
use crate::tree::{Kind, Loc, Node};

/// Which version of a versioned dataset to load and save.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VersionSpec {
    /// The version to load; `None` for the latest.
    pub load: Option<String>,
    /// The version to save (the run's save version).
    pub save: Option<String>,
}

/// A catalog entry as a dataset constructor sees it. Constructors take the arguments they
/// understand ([`take_load`](Self::take_load), [`take_save`](Self::take_save),
/// [`take`](Self::take)); anything left over is reported as unsupported, never dropped.
#[derive(Debug)]
pub struct DatasetSpec {
    /// The dataset's name in the catalog.
    pub name: String,
    /// The `type:` as written.
    pub type_name: String,
    /// The registered type it maps to.
    pub registered_type: String,
    /// Where the entry is written.
    pub loc: Option<Loc>,
    /// Credentials given by name with `credentials:`.
    pub credentials: Option<Secret>,
    /// Metadata (`metadata:`), kept for plugins.
    pub metadata: serde_json::Value,
    filepath: Option<PathBuf>,
    version: Option<VersionSpec>,
    load_args: serde_json::Map<String, serde_json::Value>,
    save_args: serde_json::Map<String, serde_json::Value>,
    extra: serde_json::Map<String, serde_json::Value>,
}

impl DatasetSpec {
    /// An error about this entry, naming it and where it is written.
    pub fn error(&self, message: impl Into<String>) -> ConfigError {
        ConfigError::at(self.loc.as_ref(), &self.name, message)
    }

    /// The `filepath`, made absolute against the project root (required).
    pub fn take_filepath(&mut self) -> Result<PathBuf, ConfigError> {
        self.filepath.take().ok_or_else(|| {
            self.error(format!("`{}` needs a `filepath`", self.type_name))
                .with_help("add `filepath: data/01_raw/<file>` to the entry")
        })
    }

    /// The version to use, if the entry is `versioned: true`.
    pub fn take_version(&mut self) -> Option<VersionSpec> {
        self.version.take()
    }

    /// A load argument.
    pub fn take_load(&mut self, key: &str) -> Option<serde_json::Value> {
        self.load_args.remove(key)
    }

    /// A save argument.
    pub fn take_save(&mut self, key: &str) -> Option<serde_json::Value> {
        self.save_args.remove(key)
    }

    /// Another top-level key of the entry.
    pub fn take(&mut self, key: &str) -> Option<serde_json::Value> {
        self.extra.remove(key)
    }

    /// A load argument as a `T`, with an error naming the entry and argument.
    pub fn take_load_as<T: DeserializeOwned>(
        &mut self,
        key: &str,
    ) -> Result<Option<T>, ConfigError> {
        let value = self.take_load(key);
        self.typed("load_args", key, value)
    }

    /// A save argument as a `T`.
    pub fn take_save_as<T: DeserializeOwned>(
        &mut self,
        key: &str,
    ) -> Result<Option<T>, ConfigError> {
        let value = self.take_save(key);
        self.typed("save_args", key, value)
    }

    /// A top-level key as a `T`.
    pub fn take_as<T: DeserializeOwned>(&mut self, key: &str) -> Result<Option<T>, ConfigError> {
        let value = self.take(key);
        self.typed("", key, value)
    }

    fn typed<T: DeserializeOwned>(
        &self,
        section: &str,
        key: &str,
        value: Option<serde_json::Value>,
    ) -> Result<Option<T>, ConfigError> {
        value
            .map(|v| {
                serde_json::from_value(v.clone()).map_err(|e| {
                    let place = if section.is_empty() {
                        format!("`{key}`")
                    } else {
                        format!("`{section}.{key}`")
                    };
                    self.error(format!(
                        "{place} = {v} is not valid for `{}`: {e}",
                        self.type_name
                    ))
                })
            })
            .transpose()
    }

    /// Errors for every argument no constructor took.
    fn leftovers(&self) -> Option<ConfigError> {
        let mut unused: Vec<String> = Vec::new();
        unused.extend(self.load_args.keys().map(|k| format!("load_args.{k}")));
        unused.extend(self.save_args.keys().map(|k| format!("save_args.{k}")));
        unused.extend(self.extra.keys().cloned());
        if self.filepath.is_some() {
            unused.push("filepath".to_owned());
        }
        if self.version.is_some() {
            unused.push("versioned".to_owned());
        }
        if unused.is_empty() {
            return None;
        }
        Some(
            self.error(format!(
                "`{}` does not support {}",
                self.type_name,
                unused.iter().map(|u| format!("`{u}`")).collect::<Vec<_>>().join(", ")
            ))
            .with_help("remove the argument, or use a dataset type that supports it; arguments are never silently ignored"),
        )
    }
}

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

    fn construct(
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

/// A dataset factory pattern such as `"{name}_csv"`.
#[derive(Clone, Debug)]
struct Pattern {
    text: String,
    pieces: Vec<Piece>,
    config: Node,
}

#[derive(Clone, Debug)]
enum Piece {
    Literal(Vec<char>),
    Field(String),
}

impl Pattern {
    fn new(text: &str, config: Node) -> Self {
        let mut pieces = Vec::new();
        let mut literal = Vec::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '{' {
                let field: String = chars.by_ref().take_while(|c| *c != '}').collect();
                if !literal.is_empty() {
                    pieces.push(Piece::Literal(std::mem::take(&mut literal)));
                }
                let name = field.split(':').next().unwrap_or_default().to_owned();
                pieces.push(Piece::Field(name));
            } else {
                literal.push(c);
            }
        }
        if !literal.is_empty() {
            pieces.push(Piece::Literal(literal));
        }
        Self {
            text: text.to_owned(),
            pieces,
            config,
        }
    }

    /// Characters outside `{...}`.
    fn specificity(&self) -> usize {
        self.pieces
            .iter()
            .map(|p| match p {
                Piece::Literal(chars) => chars.len(),
                Piece::Field(_) => 0,
            })
            .sum()
    }

    fn placeholders(&self) -> usize {
        self.pieces
            .iter()
            .filter(|p| matches!(p, Piece::Field(_)))
            .count()
    }

    fn fields(&self) -> Vec<&str> {
        self.pieces
            .iter()
            .filter_map(|p| match p {
                Piece::Field(name) => Some(name.as_str()),
                Piece::Literal(_) => None,
            })
            .collect()
    }

    /// Matches the whole name as Python's `parse` does: case-insensitive, each field takes at
    /// least one character, as few as possible.
    fn matches(&self, name: &str) -> Option<BTreeMap<String, String>> {
        let chars: Vec<char> = name.chars().collect();
        let mut captures = Vec::new();
        if self.match_from(0, &chars, 0, &mut captures) {
            Some(captures.into_iter().collect())
        } else {
            None
        }
    }

    fn match_from(
        &self,
        piece: usize,
        chars: &[char],
        pos: usize,
        captures: &mut Vec<(String, String)>,
    ) -> bool {
        let Some(current) = self.pieces.get(piece) else {
            return pos == chars.len();
        };
        match current {
            Piece::Literal(literal) => {
                let end = pos + literal.len();
                end <= chars.len()
                    && chars[pos..end]
                        .iter()
                        .zip(literal)
                        .all(|(a, b)| a.to_lowercase().eq(b.to_lowercase()))
                    && self.match_from(piece + 1, chars, end, captures)
            }
            Piece::Field(field) => {
                for end in pos + 1..=chars.len() {
                    captures.push((field.clone(), chars[pos..end].iter().collect()));
                    if self.match_from(piece + 1, chars, end, captures) {
                        return true;
                    }
                    captures.pop();
                }
                false
            }
        }
    }
}

/// Replaces `{field}` in every string of a configuration.
fn fill(node: &Node, values: &BTreeMap<String, String>) -> Node {
    let kind = match &node.kind {
        Kind::Str(text) => {
            let mut out = text.clone();
            for (field, value) in values {
                out = out.replace(&format!("{{{field}}}"), value);
            }
            Kind::Str(out)
        }
        Kind::Seq(items) => Kind::Seq(items.iter().map(|i| fill(i, values)).collect()),
        Kind::Map(map) => Kind::Map(
            map.iter()
                .map(|(k, v)| (k.clone(), fill(v, values)))
                .collect(),
        ),
        other => other.clone(),
    };
    Node {
        kind,
        loc: node.loc.clone(),
    }
}

fn placeholders_in(node: &Node, out: &mut Vec<String>) {
    match &node.kind {
        Kind::Str(text) => {
            let mut rest = text.as_str();
            while let Some(start) = rest.find('{') {
                let Some(len) = rest[start..].find('}') else {
                    break;
                };
                out.push(
                    rest[start + 1..start + len]
                        .split(':')
                        .next()
                        .unwrap_or_default()
                        .to_owned(),
                );
                rest = &rest[start + len + 1..];
            }
        }
        Kind::Seq(items) => items.iter().for_each(|i| placeholders_in(i, out)),
        Kind::Map(map) => map.values().for_each(|v| placeholders_in(v, out)),
        _ => {}
    }
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

fn is_pattern(name: &str) -> bool {
    name.contains('{')
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

/// A Kedro version string must be one path component.
pub fn check_version_string(version: &str) -> Result<(), ConfigError> {
    if version.is_empty() || version == "." || version == ".." || version.contains(['/', '\\']) {
        return Err(ConfigError::at(
            None,
            "",
            format!(
                "Version string '{version}' is not allowed. A version must be a single folder name, such as 2026-11-30T10.00.00.000Z."
            ),
        ));
    }
    Ok(())
}

fn absolute(path: &str, root: Option<&Path>) -> String {
    let is_url = path.contains("://");
    match root {
        Some(root) if !is_url && Path::new(path).is_relative() => {
            root.join(path).to_string_lossy().into_owned()
        }
        _ => path.to_owned(),
    }
}

/// Makes relative `filepath`, `path` and `filename` values (at any depth) absolute.
fn absolutise(value: &mut serde_json::Value, root: &Path) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if matches!(key.as_str(), "filepath" | "path" | "filename")
                    && let serde_json::Value::String(s) = v
                {
                    *s = absolute(s, Some(root));
                } else {
                    absolutise(v, root);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| absolutise(v, root)),
        _ => {}
    }
}

fn make_spec(
    name: &str,
    node: &Node,
    credentials: &Credentials,
    root: Option<&Path>,
    version: Option<VersionSpec>,
    registry: &DatasetRegistry,
) -> Result<DatasetSpec, ConfigError> {
    let loc = node.loc.clone();
    let err = |message: String| ConfigError::at(loc.as_ref(), name, message);
    let mut json = node.to_json();
    if let Some(root) = root {
        absolutise(&mut json, root);
    }
    let serde_json::Value::Object(mut map) = json else {
        return Err(err(format!(
            "Catalog entry '{name}' is not a valid dataset configuration."
        )));
    };
    let type_name = match map.remove("type") {
        Some(serde_json::Value::String(t)) => t,
        Some(other) => return Err(err(format!("`type` must be a string, found {other}"))),
        None => {
            return Err(err(format!(
                "An exception occurred when parsing config for dataset '{name}': 'type' is missing from dataset catalog configuration."
            )));
        }
    };
    let registered_type = match registry.lookup(&type_name) {
        Lookup::Found(registered, _) => registered,
        Lookup::Unsupported(_) => type_name.clone(),
        Lookup::Unknown(close) => {
            let mut error = err(format!("unknown dataset type `{type_name}`"));
            let hint = if close.is_empty() {
                format!("known types: {}", registry.names().join(", "))
            } else {
                format!(
                    "did you mean {}? Known types: {}",
                    close
                        .iter()
                        .map(|c| format!("`{c}`"))
                        .collect::<Vec<_>>()
                        .join(" or "),
                    registry.names().join(", ")
                )
            };
            error = error.with_help(hint);
            return Err(error);
        }
    };
    let credentials = match map.remove("credentials") {
        None => None,
        Some(serde_json::Value::String(key)) => Some(credentials.get(&key).cloned().ok_or_else(|| {
            err(format!(
                "Unable to find credentials '{key}': check your data catalog and credentials configuration."
            ))
            .with_help(format!(
                "add an entry `{key}:` to `conf/local/credentials.yml` (known credentials: {})",
                {
                    let names: Vec<&str> = credentials.names().collect();
                    if names.is_empty() { "none".to_owned() } else { names.join(", ") }
                }
            ))
        })?),
        Some(serde_json::Value::Null) => None,
        Some(_) => return Err(err("`credentials` must be the name of an entry in credentials.yml".to_owned())),
    };
    let versioned = match map.remove("versioned") {
        None | Some(serde_json::Value::Bool(false)) => false,
        Some(serde_json::Value::Bool(true)) => true,
        Some(other) => {
            return Err(err(format!(
                "`versioned` must be true or false, found {other}"
            )));
        }
    };
    if map.remove("version").is_some() {
        tracing::warn!(
            "`version` attribute removed from dataset '{name}' configuration; use `versioned: true` and `--load-versions`"
        );
    }
    let section = |map: &mut serde_json::Map<String, serde_json::Value>,
                   key: &str|
     -> Result<serde_json::Map<String, serde_json::Value>, ConfigError> {
        match map.remove(key) {
            None | Some(serde_json::Value::Null) => Ok(serde_json::Map::new()),
            Some(serde_json::Value::Object(m)) => Ok(m),
            Some(other) => Err(err(format!("`{key}` must be a mapping, found {other}"))),
        }
    };
    let load_args = section(&mut map, "load_args")?;
    let save_args = section(&mut map, "save_args")?;
    let metadata = map.remove("metadata").unwrap_or(serde_json::Value::Null);
    map.remove("layer");
    let filepath = match map.remove("filepath") {
        None => None,
        Some(serde_json::Value::String(p)) => Some(PathBuf::from(p)),
        Some(other) => return Err(err(format!("`filepath` must be a string, found {other}"))),
    };
    Ok(DatasetSpec {
        name: name.to_owned(),
        type_name,
        registered_type,
        loc,
        credentials,
        metadata,
        filepath,
        version: if versioned {
            version.or(Some(VersionSpec::default()))
        } else {
            None
        },
        load_args,
        save_args,
        extra: map,
    })
}

/// Resolves names through the catalog's patterns (Kedro's dataset factories).
pub struct PatternResolver {
    config: CatalogConfig,
    registry: Arc<DatasetRegistry>,
}

impl DatasetResolver for PatternResolver {
    fn resolve(&self, name: &str) -> Option<Result<Arc<dyn AnyDataset>, DatasetError>> {
        let (pattern, values) = self.config.matching_pattern(name)?;
        if pattern.specificity() == 0 {
            tracing::warn!(
                "Config from the dataset pattern '{}' in the catalog will be used to override the default dataset creation for '{name}'",
                pattern.text
            );
        }
        let node = fill(&pattern.config, &values);
        Some(
            self.config
                .build_one(name, &node, &self.registry)
                .map_err(|e| DatasetError::message(e.to_string())),
        )
    }

    fn metadata(&self, name: &str) -> Option<serde_json::Value> {
        self.config
            .info(name)
            .map(|i| i.metadata)
            .filter(|m| !m.is_null())
    }
}

/// A dataset whose Kedro type has no Weir meaning: it fails, with the reason, when used.
struct UnsupportedDataset {
    type_name: String,
    message: String,
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
