//! The `conf/` loader: Kedro's `OmegaConfigLoader` semantics.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use indexmap::IndexMap;

use crate::error::ConfigError;
use crate::interpolate::{Context, ResolverFn, resolve_tree};
use crate::tree::{Kind, Node, deep_merge};

/// How an environment's values combine with `base`'s.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum MergeStrategy {
    /// A top-level key of the environment replaces `base`'s whole subtree (Kedro's default).
    #[default]
    Destructive,
    /// Deep merge; the environment wins on conflicts.
    Soft,
}

impl std::str::FromStr for MergeStrategy {
    type Err = ConfigError;

    fn from_str(text: &str) -> Result<Self, ConfigError> {
        match text {
            "destructive" => Ok(Self::Destructive),
            "soft" => Ok(Self::Soft),
            other => Err(ConfigError::at(
                None,
                "",
                format!(
                    "Merging strategy {other} not supported. The accepted merging strategies are ['soft', 'destructive']."
                ),
            )),
        }
    }
}

/// Loads configuration from a `conf/` folder as Kedro's `OmegaConfigLoader` does.
///
/// `base` is read first, then the run environment (`local` unless chosen); within one
/// environment every file matching the key's patterns is read (sub-folders included), a key in
/// two files is an error, and the files are merged. `${...}` interpolations are resolved per
/// environment, then the run environment is merged over `base` ([`MergeStrategy`]).
///
/// ```
/// # let dir = tempfile::tempdir().unwrap();
/// # let conf = dir.path();
/// # std::fs::create_dir_all(conf.join("base")).unwrap();
/// # std::fs::create_dir_all(conf.join("local")).unwrap();
/// std::fs::write(conf.join("base/parameters.yml"), "model:\n  alpha: 0.1\n  depth: 3\n").unwrap();
/// std::fs::write(conf.join("local/parameters.yml"), "seed: 42\n").unwrap();
///
/// let loader = weir_config::ConfigLoader::new(conf)
///     .runtime_params(weir_config::parse_runtime_params("model.alpha=0.5").unwrap());
/// let params = loader.parameters().unwrap();
/// assert_eq!(params, serde_json::json!({"model": {"alpha": 0.5, "depth": 3}, "seed": 42}));
/// ```
#[derive(Clone)]
pub struct ConfigLoader {
    conf_source: PathBuf,
    env: Option<String>,
    base_env: String,
    default_run_env: String,
    runtime_params: Node,
    patterns: BTreeMap<String, Vec<String>>,
    merge_strategy: BTreeMap<String, MergeStrategy>,
    ignore_hidden: bool,
    resolvers: BTreeMap<String, Arc<ResolverFn>>,
}

impl std::fmt::Debug for ConfigLoader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfigLoader")
            .field("conf_source", &self.conf_source)
            .field("env", &self.run_env())
            .field("base_env", &self.base_env)
            .finish_non_exhaustive()
    }
}

fn default_patterns() -> BTreeMap<String, Vec<String>> {
    let mut patterns = BTreeMap::new();
    for key in ["catalog", "parameters", "credentials"] {
        patterns.insert(
            key.to_owned(),
            vec![
                format!("{key}*"),
                format!("{key}*/**"),
                format!("**/{key}*"),
            ],
        );
    }
    patterns.insert("globals".to_owned(), vec!["globals.yml".to_owned()]);
    patterns
}

impl ConfigLoader {
    /// A loader for a `conf/` folder, with Kedro's defaults: `base` and `local`.
    pub fn new(conf_source: impl Into<PathBuf>) -> Self {
        Self {
            conf_source: conf_source.into(),
            env: None,
            base_env: "base".to_owned(),
            default_run_env: "local".to_owned(),
            runtime_params: Node::empty_map(),
            patterns: default_patterns(),
            merge_strategy: BTreeMap::new(),
            ignore_hidden: true,
            resolvers: BTreeMap::new(),
        }
    }

    /// The run environment (`--env`); `None` for the default.
    #[must_use]
    pub fn env(mut self, env: Option<&str>) -> Self {
        self.env = env.map(str::to_owned);
        self
    }

    /// The base environment (default `base`).
    #[must_use]
    pub fn base_env(mut self, env: &str) -> Self {
        env.clone_into(&mut self.base_env);
        self
    }

    /// The environment used when none is chosen (default `local`).
    #[must_use]
    pub fn default_run_env(mut self, env: &str) -> Self {
        env.clone_into(&mut self.default_run_env);
        self
    }

    /// Runtime parameters (`--params`): merged over the parameters and readable anywhere with
    /// `${runtime_params:key}`.
    #[must_use]
    pub fn runtime_params(mut self, params: serde_json::Value) -> Self {
        self.runtime_params = Node::from_json(&params);
        self
    }

    /// Sets the file patterns of a key (adds a new key, e.g. `spark`, or replaces defaults).
    #[must_use]
    pub fn patterns(
        mut self,
        key: &str,
        patterns: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.patterns.insert(
            key.to_owned(),
            patterns.into_iter().map(Into::into).collect(),
        );
        self
    }

    /// Sets the file patterns of a key unless it has some already: how plugins declare their
    /// settings files without overriding a project's own patterns.
    #[must_use]
    pub fn patterns_if_unset(
        self,
        key: &str,
        patterns: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        if self.patterns.contains_key(key) {
            self
        } else {
            self.patterns(key, patterns)
        }
    }

    /// Sets how a key's run environment merges over `base`.
    #[must_use]
    pub fn merge_strategy(mut self, key: &str, strategy: MergeStrategy) -> Self {
        self.merge_strategy.insert(key.to_owned(), strategy);
        self
    }

    /// Whether files and folders whose name starts with `.` are skipped (default yes).
    #[must_use]
    pub fn ignore_hidden(mut self, ignore: bool) -> Self {
        self.ignore_hidden = ignore;
        self
    }

    /// Registers a resolver: `${name:args}` calls it (Kedro's `custom_resolvers`).
    #[must_use]
    pub fn resolver(
        mut self,
        name: &str,
        f: impl Fn(&[serde_json::Value]) -> Result<serde_json::Value, String> + Send + Sync + 'static,
    ) -> Self {
        self.resolvers.insert(name.to_owned(), Arc::new(f));
        self
    }

    /// The run environment's name.
    pub fn run_env(&self) -> &str {
        self.env.as_deref().unwrap_or(&self.default_run_env)
    }

    /// The configuration folder.
    pub fn conf_source(&self) -> &Path {
        &self.conf_source
    }

    /// The runtime parameters, as given.
    pub fn runtime_params_json(&self) -> serde_json::Value {
        self.runtime_params.to_json()
    }

    /// The merged, resolved configuration of a key (`catalog`, `parameters`, `credentials`,
    /// `globals` or one added with [`patterns`](Self::patterns)).
    pub fn get(&self, key: &str) -> Result<Node, ConfigError> {
        let patterns = self
            .patterns
            .get(key)
            .ok_or_else(|| ConfigError::UnknownKey(key.to_owned()))?;
        let base_dir = self.conf_source.join(&self.base_env);
        let run_env = self.run_env().to_owned();
        let env_dir = (run_env != self.base_env).then(|| self.conf_source.join(&run_env));
        for dir in std::iter::once(&base_dir).chain(env_dir.as_ref()) {
            if !dir.is_dir() {
                return Err(ConfigError::MissingEnv(dir.clone()));
            }
        }
        let globals_fn = || self.get("globals");
        let is_globals = key == "globals";
        let is_params = key == "parameters";
        let ctx = Context {
            globals: (!is_globals).then_some(&globals_fn as &dyn Fn() -> Result<Node, ConfigError>),
            runtime_params: (!is_globals).then_some(&self.runtime_params),
            env_vars: key == "credentials",
            resolvers: &self.resolvers,
        };
        let base = self.load_dir(&base_dir, key, patterns, &ctx)?;
        let env = match &env_dir {
            Some(dir) => self.load_dir(dir, key, patterns, &ctx)?,
            None => None,
        };
        if base.is_none() && env.is_none() && !is_globals {
            let dirs = std::iter::once(&base_dir)
                .chain(env_dir.as_ref())
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(" or ");
            return Err(ConfigError::NoFiles {
                key: key.to_owned(),
                dirs,
                patterns: patterns.clone(),
            });
        }
        let mut result_map = base.map_or_else(IndexMap::new, |(node, _)| into_map(node));
        if let Some((env_node, file_keys)) = env {
            let strategy = self.merge_strategy.get(key).copied().unwrap_or_default();
            for (k, v) in into_map(env_node) {
                // Only keys written in the environment's files override; runtime parameters
                // are applied once, below, so they never drop `base` keys.
                if !file_keys.contains(&k) {
                    continue;
                }
                match (strategy, result_map.get_mut(&k)) {
                    (MergeStrategy::Soft, Some(existing)) => deep_merge(existing, v),
                    _ => {
                        if result_map.contains_key(&k) {
                            tracing::debug!(
                                "Config from path '{}' will override the following existing top-level config keys: {k}",
                                env_dir
                                    .as_ref()
                                    .map(|d| d.display().to_string())
                                    .unwrap_or_default()
                            );
                        }
                        result_map.insert(k, v);
                    }
                }
            }
        }
        let mut result = Node::new(Kind::Map(result_map));
        if is_params {
            let runtime = resolve_tree(&self.runtime_params, &ctx)?;
            deep_merge(&mut result, runtime);
        }
        Ok(result)
    }

    /// Parameters as the catalog takes them. With no parameters files, the runtime parameters.
    pub fn parameters(&self) -> Result<serde_json::Value, ConfigError> {
        self.parameters_node().map(|node| node.to_json())
    }

    /// The parameters as a tree that remembers where each value was written (a file and
    /// line, or no position for a `--params` override).
    pub fn parameters_node(&self) -> Result<Node, ConfigError> {
        match self.get("parameters") {
            Ok(node) => Ok(node),
            Err(ConfigError::NoFiles { .. }) => {
                tracing::warn!("Parameters not found in your project configuration");
                Ok(self.runtime_params.clone())
            }
            Err(error) => Err(error),
        }
    }

    /// Credentials, by name. With no credentials files, none.
    pub fn credentials(&self) -> Result<crate::Credentials, ConfigError> {
        match self.get("credentials") {
            Ok(node) => Ok(crate::Credentials::from_node(&node)),
            Err(ConfigError::NoFiles { .. }) => Ok(crate::Credentials::default()),
            Err(error) => Err(error),
        }
    }

    /// The catalog configuration (entries and dataset patterns).
    pub fn catalog(&self) -> Result<Node, ConfigError> {
        self.get("catalog")
    }

    /// Reads, checks and merges one environment's files for a key. `None` if no file matched.
    /// Also returns the top-level keys written in the files.
    fn load_dir(
        &self,
        dir: &Path,
        key: &str,
        patterns: &[String],
        ctx: &Context<'_>,
    ) -> Result<Option<(Node, Vec<String>)>, ConfigError> {
        let files = self.matching_files(dir, patterns)?;
        if files.is_empty() {
            return Ok(None);
        }
        let mut parsed = Vec::with_capacity(files.len());
        for file in files {
            let text = std::fs::read(&file).map_err(|source| ConfigError::Io {
                path: file.clone(),
                source,
            })?;
            let text = String::from_utf8(text).map_err(|_| {
                ConfigError::at(None, "", format!("{} is not UTF-8 text", file.display()))
            })?;
            let node = crate::yaml::parse(&text, &file)?;
            if node.as_map().is_none() {
                return Err(ConfigError::at(
                    node.loc.as_ref(),
                    "",
                    format!(
                        "the top level of a {key} file must be a mapping of keys to values, found {}",
                        node.kind_name()
                    ),
                ));
            }
            parsed.push((file, node));
        }
        check_duplicates(key == "parameters", &parsed)?;
        let mut merged = Node::empty_map();
        for (_, node) in parsed {
            deep_merge(&mut merged, node);
        }
        let file_keys: Vec<String> = merged
            .as_map()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        if key == "parameters" {
            deep_merge(&mut merged, self.runtime_params.clone());
        }
        let mut resolved = resolve_tree(&merged, ctx)?;
        if key != "parameters"
            && let Some(map) = resolved.as_map_mut()
        {
            map.retain(|k, _| !k.starts_with('_'));
        }
        Ok(Some((resolved, file_keys)))
    }

    fn matching_files(&self, dir: &Path, patterns: &[String]) -> Result<Vec<PathBuf>, ConfigError> {
        let compiled: Vec<glob::Pattern> = patterns
            .iter()
            .map(|p| {
                glob::Pattern::new(p).map_err(|e| {
                    ConfigError::at(None, "", format!("invalid config pattern {p:?}: {e}"))
                })
            })
            .collect::<Result<_, _>>()?;
        let options = glob::MatchOptions {
            case_sensitive: true,
            require_literal_separator: true,
            require_literal_leading_dot: false,
        };
        let mut files = Vec::new();
        walk(dir, dir, self.ignore_hidden, &mut files)?;
        files.retain(|(relative, _)| {
            let is_config = Path::new(relative)
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e, "yml" | "yaml" | "json"));
            is_config && compiled.iter().any(|p| p.matches_with(relative, options))
        });
        files.sort();
        Ok(files.into_iter().map(|(_, path)| path).collect())
    }
}

/// The entries of a mapping (loaded configuration is always one).
fn into_map(node: Node) -> IndexMap<String, Node> {
    match node.kind {
        Kind::Map(map) => map,
        _ => IndexMap::new(),
    }
}

fn walk(
    root: &Path,
    dir: &Path,
    ignore_hidden: bool,
    out: &mut Vec<(String, PathBuf)>,
) -> Result<(), ConfigError> {
    let entries = std::fs::read_dir(dir).map_err(|source| ConfigError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| ConfigError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = entry.path();
        let name = entry.file_name();
        if ignore_hidden && name.to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            walk(root, &path, ignore_hidden, out)?;
        } else if let Ok(relative) = path.strip_prefix(root) {
            let relative = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            out.push((relative, path));
        }
    }
    Ok(())
}

fn leaf_keys(node: &Node, prefix: &str, out: &mut IndexMap<String, Option<crate::tree::Loc>>) {
    if let Some(map) = node.as_map() {
        for (k, v) in map {
            let full = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            if v.as_map().is_some() {
                leaf_keys(v, &full, out);
            } else {
                out.insert(full, v.loc.clone());
            }
        }
    }
}

fn check_duplicates(parameters: bool, files: &[(PathBuf, Node)]) -> Result<(), ConfigError> {
    let keys: Vec<IndexMap<String, Option<crate::tree::Loc>>> = files
        .iter()
        .map(|(_, node)| {
            let mut out = IndexMap::new();
            if parameters {
                leaf_keys(node, "", &mut out);
            } else if let Some(map) = node.as_map() {
                for (k, v) in map {
                    out.insert(k.clone(), v.loc.clone());
                }
            }
            out
        })
        .collect();
    let mut lines = Vec::new();
    for i in 0..files.len() {
        for j in i + 1..files.len() {
            let mut shared: Vec<String> = keys[i]
                .iter()
                .filter(|(k, _)| !k.starts_with('_') && keys[j].contains_key(*k))
                .map(|(k, loc)| {
                    let other = keys[j].get(k).and_then(Option::as_ref);
                    match (loc, other) {
                        (Some(a), Some(b)) => format!("{k} (lines {} and {})", a.line, b.line),
                        _ => k.clone(),
                    }
                })
                .collect();
            if shared.is_empty() {
                continue;
            }
            shared.sort();
            let mut text = shared.join(", ");
            if text.len() > 100 {
                let cut = (0..=100)
                    .rev()
                    .find(|&n| text.is_char_boundary(n))
                    .unwrap_or(0);
                text.truncate(cut);
                text.push_str("...");
            }
            lines.push(format!(
                "Duplicate keys found in {} and {}: {text}",
                files[i].0.display(),
                files[j].0.display()
            ));
        }
    }
    if lines.is_empty() {
        Ok(())
    } else {
        Err(ConfigError::DuplicateKeys(lines.join("\n")))
    }
}

impl weir_core::ConfigSource for ConfigLoader {
    fn load_config(
        &self,
        key: &str,
        patterns: &[&str],
    ) -> Result<Option<weir_core::PluginConfig>, weir_core::BoxError> {
        let loader;
        let this = if self.patterns.contains_key(key) {
            self
        } else {
            loader = self.clone().patterns(key, patterns.iter().copied());
            &loader
        };
        let node = match this.get(key) {
            Ok(node) => node,
            Err(ConfigError::NoFiles { .. }) => return Ok(None),
            Err(error) => return Err(Box::new(error)),
        };
        let mut locations = BTreeMap::new();
        collect_locations(&node, "", &mut locations);
        let mut files: Vec<PathBuf> = Vec::new();
        for location in node_files(&node) {
            if !files.contains(&location) {
                files.push(location);
            }
        }
        Ok(Some(weir_core::PluginConfig {
            value: node.to_json(),
            files,
            locations,
        }))
    }

    fn conf_source(&self) -> &Path {
        &self.conf_source
    }
}

/// `file:line:column` of every key under `node`, by dotted path.
fn collect_locations(node: &Node, prefix: &str, out: &mut BTreeMap<String, String>) {
    if let Some(map) = node.as_map() {
        for (key, child) in map {
            let path = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            if let Some(loc) = &child.loc {
                out.insert(path.clone(), loc.to_string());
            }
            collect_locations(child, &path, out);
        }
    }
}

/// The files the top-level keys of `node` come from, in order.
fn node_files(node: &Node) -> Vec<PathBuf> {
    node.as_map()
        .map(|map| {
            map.values()
                .filter_map(|child| child.loc.as_ref().map(|loc| loc.file.to_path_buf()))
                .collect()
        })
        .unwrap_or_default()
}
