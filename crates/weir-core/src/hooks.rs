//! Lifecycle hooks: the contract every integration is built on.
//!
//! A hook is any type implementing [`Hooks`]; every method has a default that does nothing, so
//! an implementation overrides only the lifecycle points it cares about. Register hooks in a
//! [`HookManager`], which is itself a `Hooks` that calls each registered hook in turn.
//!
//! # Call order
//!
//! Hooks are called in **descending priority**, and in **registration order** among hooks of
//! equal priority (the default priority is 0). The same order is used for every method,
//! including the `after_*` and error hooks. This differs from Kedro, where pluggy calls the last
//! registered hook first; give a hook a higher [`Hooks::priority`] to run it earlier (Kedro's
//! `tryfirst`) or a negative one to run it later (`trylast`).
//!
//! When several `before_node_run` hooks override the same input, the hook called last wins (in
//! Kedro, too, the result of the hook called last wins).
//!
//! # Errors
//!
//! A hook method that returns an error fails the run; the remaining hooks for that call are not
//! called and the error names the hook and the method. Error hooks (`on_node_error`,
//! `on_dataset_error`, `on_pipeline_error`) return nothing and a panic inside them is caught and
//! logged, so they can never hide the error being reported.
//!
//! # Threads
//!
//! Hooks are `Send + Sync`: the parallel runner calls node and dataset hooks from its worker
//! threads, concurrently for different nodes, on the same hook objects. Keep state in a
//! `Mutex` or atomics; unlike Kedro's parallel runner, that state is never lost or copied.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::catalog::Catalog;
use crate::error::{DatasetError, DatasetOperation, HookFailure, RunError, TaskError};
use crate::node::{BoxError, Node};
use crate::pipeline::Pipeline;
use crate::runner::{RunParams, RunResult};
use crate::value::{Data, Value};

/// What a hook method returns: `Ok(())` to go on, an error to fail the run.
pub type HookResult = Result<(), BoxError>;

/// Named values: a node's inputs or outputs, in the node's order.
#[derive(Clone, Copy)]
pub struct NodeValues<'a> {
    names: &'a [String],
    values: &'a [Value],
}

impl<'a> NodeValues<'a> {
    /// Pairs names with values (the slices have the same length).
    pub fn new(names: &'a [String], values: &'a [Value]) -> Self {
        let length = names.len().min(values.len());
        Self {
            names: &names[..length],
            values: &values[..length],
        }
    }

    /// The value of a dataset, by name.
    pub fn get(&self, name: &str) -> Option<&'a Value> {
        self.names
            .iter()
            .position(|candidate| candidate == name)
            .map(|position| &self.values[position])
    }

    /// The names and values, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &'a Value)> + 'a {
        self.names
            .iter()
            .map(String::as_str)
            .zip(self.values.iter())
    }

    /// The names, in order.
    pub fn names(&self) -> &'a [String] {
        self.names
    }

    /// The number of values.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

impl std::fmt::Debug for NodeValues<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// A plugin's configuration, read from the project's `conf/` folder by a [`ConfigSource`].
#[derive(Debug, Clone, PartialEq)]
pub struct PluginConfig {
    /// The merged configuration: the base environment's files, overridden key by key by the
    /// run environment's.
    pub value: serde_json::Value,
    /// The files read, base environment first (for error messages).
    pub files: Vec<PathBuf>,
    /// Where each key was written, as `file:line:column`, by dotted path (`tags.team`), for
    /// error messages that point at the line.
    pub locations: std::collections::BTreeMap<String, String>,
}

/// A plugin's configuration that does not fit its type: where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct PluginConfigError {
    /// `file:line:column` of the bad key (or its closest known parent), else the files.
    pub location: String,
    /// The key, as a dotted path (empty for the whole file).
    pub key: String,
    /// What is wrong, starting with the key.
    pub message: String,
}

impl PluginConfig {
    /// The configuration as `T` (usually a `#[serde(deny_unknown_fields)]` struct). An error
    /// names the key, and the file and line where it is written.
    ///
    /// # Errors
    ///
    /// A missing or unknown key, or a value of the wrong type.
    pub fn deserialize<T: serde::de::DeserializeOwned>(&self) -> Result<T, PluginConfigError> {
        serde_path_to_error::deserialize(&self.value).map_err(|error| {
            let path = error.path().to_string();
            let mut key = path
                .trim_start_matches('.')
                .trim_start_matches('?')
                .to_owned();
            let message = error.into_inner().to_string();
            // An unknown key is reported at its parent: point at the key itself.
            if let Some(unknown) = message
                .strip_prefix("unknown field `")
                .and_then(|rest| rest.split('`').next())
                && key.rsplit('.').next() != Some(unknown)
            {
                key = if key.is_empty() {
                    unknown.to_owned()
                } else {
                    format!("{key}.{unknown}")
                };
            }
            let location = self.location_of(&key);
            let message = if key.is_empty() {
                message
            } else {
                format!("`{key}`: {message}")
            };
            PluginConfigError {
                location,
                key,
                message,
            }
        })
    }

    /// Where `key` (a dotted path) was written: the key itself, else its closest parent
    /// with a known place, else the files read.
    pub fn location_of(&self, key: &str) -> String {
        let mut path = key;
        loop {
            if let Some(location) = self.locations.get(path) {
                return location.clone();
            }
            match path.rsplit_once('.') {
                Some((parent, _)) => path = parent,
                None => break,
            }
        }
        self.files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Reads a project's configuration by key, as Kedro's `context.config_loader["mlflow"]`: the
/// files of the base environment matching the key's patterns, merged with the run
/// environment's, with `${...}` interpolation resolved. Plugins read their own files
/// (`conf/<env>/statsd.yml`, `mlflow.yml`, ...) through it in
/// [`Hooks::after_context_created`].
pub trait ConfigSource: Send + Sync {
    /// The configuration of `key`, read from the files matching `patterns` (for example
    /// `["statsd*", "statsd*/**"]`) unless the project set patterns for that key itself.
    /// `Ok(None)` when no file matches.
    ///
    /// # Errors
    ///
    /// A file that cannot be read or parsed, or an interpolation that cannot be resolved; the
    /// error names the file and line.
    fn load_config(&self, key: &str, patterns: &[&str]) -> Result<Option<PluginConfig>, BoxError>;

    /// The configuration folder (`conf/` or `--conf-source`).
    fn conf_source(&self) -> &Path;
}

/// `after_context_created`: the project's configuration is loaded.
#[non_exhaustive]
pub struct ContextCreated<'a> {
    /// The project's root folder.
    pub project_path: &'a Path,
    /// The configuration environment (`local` by default).
    pub env: &'a str,
    /// The parameters, after runtime overrides.
    pub parameters: &'a serde_json::Value,
    /// The project's configuration, for plugins that read their own files. `None` when the
    /// pipeline runs without a project (a runner called directly).
    pub config: Option<&'a dyn ConfigSource>,
}

impl<'a> ContextCreated<'a> {
    /// The event (for sessions; hooks only read it).
    pub fn new(project_path: &'a Path, env: &'a str, parameters: &'a serde_json::Value) -> Self {
        Self {
            project_path,
            env,
            parameters,
            config: None,
        }
    }

    /// The event with the project's configuration.
    #[must_use]
    pub fn with_config(mut self, config: &'a dyn ConfigSource) -> Self {
        self.config = Some(config);
        self
    }
}

/// `after_catalog_created`: the catalog is built. Credentials are never passed to hooks.
#[non_exhaustive]
pub struct CatalogCreated<'a> {
    /// The catalog.
    pub catalog: &'a Catalog,
    /// The catalog configuration, as loaded, if the catalog came from configuration.
    pub conf_catalog: Option<&'a serde_json::Value>,
    /// The parameters added to the catalog.
    pub parameters: &'a serde_json::Value,
    /// The version that versioned datasets will save (the run id).
    pub save_version: &'a str,
    /// Versions to load, by dataset name.
    pub load_versions: &'a [(String, String)],
}

impl<'a> CatalogCreated<'a> {
    /// The event (for sessions; hooks only read it).
    pub fn new(
        catalog: &'a Catalog,
        conf_catalog: Option<&'a serde_json::Value>,
        parameters: &'a serde_json::Value,
        save_version: &'a str,
        load_versions: &'a [(String, String)],
    ) -> Self {
        Self {
            catalog,
            conf_catalog,
            parameters,
            save_version,
            load_versions,
        }
    }
}

/// `before_pipeline_run`.
#[non_exhaustive]
pub struct BeforePipelineRun<'a> {
    /// The run's parameters (run id, pipeline names, filters, ...).
    pub run_params: &'a RunParams,
    /// The pipeline about to run, after filtering.
    pub pipeline: &'a Pipeline,
    /// The catalog.
    pub catalog: &'a Catalog,
}

/// `after_pipeline_run`.
#[non_exhaustive]
pub struct AfterPipelineRun<'a> {
    /// The run's parameters.
    pub run_params: &'a RunParams,
    /// The pipeline that ran.
    pub pipeline: &'a Pipeline,
    /// The catalog.
    pub catalog: &'a Catalog,
    /// What the run produced.
    pub run_result: &'a RunResult,
}

/// `on_pipeline_error`.
#[non_exhaustive]
pub struct PipelineFailed<'a> {
    /// Why the run failed.
    pub error: &'a RunError,
    /// The run's parameters.
    pub run_params: &'a RunParams,
    /// The pipeline that failed.
    pub pipeline: &'a Pipeline,
    /// The catalog.
    pub catalog: &'a Catalog,
}

/// `before_node_run`: inputs are loaded, the function is about to be called.
#[non_exhaustive]
pub struct BeforeNodeRun<'a> {
    /// The node.
    pub node: &'a Node,
    /// The catalog.
    pub catalog: &'a Catalog,
    /// The loaded inputs.
    pub inputs: NodeValues<'a>,
    /// Whether inputs and outputs are loaded and saved concurrently.
    pub is_async: bool,
    /// The run id.
    pub run_id: &'a str,
}

/// `after_node_run`: the function returned; outputs are not saved yet.
#[non_exhaustive]
pub struct AfterNodeRun<'a> {
    /// The node.
    pub node: &'a Node,
    /// The catalog.
    pub catalog: &'a Catalog,
    /// The inputs the function was called with (after overrides).
    pub inputs: NodeValues<'a>,
    /// The values returned, by output name.
    pub outputs: NodeValues<'a>,
    /// Whether inputs and outputs are loaded and saved concurrently.
    pub is_async: bool,
    /// The run id.
    pub run_id: &'a str,
    /// How long the function ran (zero when a hook skipped it).
    pub duration: Duration,
    /// Whether a `before_node_run` hook skipped the function.
    pub skipped: bool,
}

/// `on_node_error`: the node's function failed.
#[non_exhaustive]
pub struct NodeFailed<'a> {
    /// What went wrong.
    pub error: &'a TaskError,
    /// The node.
    pub node: &'a Node,
    /// The catalog.
    pub catalog: &'a Catalog,
    /// The inputs the function was called with.
    pub inputs: NodeValues<'a>,
    /// Whether inputs and outputs are loaded and saved concurrently.
    pub is_async: bool,
    /// The run id.
    pub run_id: &'a str,
}

/// `before_dataset_loaded`.
#[non_exhaustive]
pub struct BeforeDatasetLoaded<'a> {
    /// The dataset's name.
    pub dataset_name: &'a str,
    /// The node the data is loaded for.
    pub node: &'a Node,
}

/// `after_dataset_loaded`.
#[non_exhaustive]
pub struct AfterDatasetLoaded<'a> {
    /// The dataset's name.
    pub dataset_name: &'a str,
    /// The data loaded.
    pub data: &'a Value,
    /// The node the data was loaded for.
    pub node: &'a Node,
    /// How long the load took.
    pub duration: Duration,
}

/// `before_dataset_saved`.
#[non_exhaustive]
pub struct BeforeDatasetSaved<'a> {
    /// The dataset's name.
    pub dataset_name: &'a str,
    /// The data to save.
    pub data: &'a Value,
    /// The node that produced it.
    pub node: &'a Node,
}

/// `after_dataset_saved`.
#[non_exhaustive]
pub struct AfterDatasetSaved<'a> {
    /// The dataset's name.
    pub dataset_name: &'a str,
    /// The data saved.
    pub data: &'a Value,
    /// The node that produced it.
    pub node: &'a Node,
    /// How long the save took.
    pub duration: Duration,
}

/// `on_dataset_error`: a load or save failed (Kedro has no such hook).
#[non_exhaustive]
pub struct DatasetFailed<'a> {
    /// The dataset's name.
    pub dataset_name: &'a str,
    /// Load or save.
    pub operation: DatasetOperation,
    /// The dataset's error.
    pub error: &'a DatasetError,
    /// The node the data was loaded for or produced by.
    pub node: &'a Node,
}

/// What a `before_node_run` hook asks of the runner: go on, with some inputs replaced, or skip
/// the function (a cache hit) with the outputs to use instead.
#[derive(Default, Debug)]
pub struct NodeDirective {
    overrides: Vec<(String, Value)>,
    skip: Option<Vec<(String, Value)>>,
    /// The hook that gave each override, then the hook that asked to skip (filled in by the
    /// hook manager, for error messages).
    override_hooks: Vec<Option<String>>,
    skip_hook: Option<String>,
}

impl NodeDirective {
    /// Run the node as planned.
    pub fn proceed() -> Self {
        Self::default()
    }

    /// Replaces an input's value (Kedro's `before_node_run` returning a dict). The value must be
    /// of the type the node's argument takes.
    pub fn override_input(mut self, name: impl Into<String>, value: impl Data) -> Self {
        self.overrides.push((name.into(), Value::new(value)));
        self.override_hooks.push(None);
        self
    }

    /// Skips the node's function and uses these values as its outputs (they are saved and
    /// passed on as if the node had produced them). Every output must be given.
    pub fn skip_with_outputs<N: Into<String>>(
        outputs: impl IntoIterator<Item = (N, Value)>,
    ) -> Self {
        Self {
            skip: Some(
                outputs
                    .into_iter()
                    .map(|(name, value)| (name.into(), value))
                    .collect(),
            ),
            ..Self::default()
        }
    }

    /// Skips the node's function without producing outputs: what its outputs already hold is
    /// used (only sensible when they are persisted datasets that exist).
    pub fn skip() -> Self {
        Self {
            skip: Some(Vec::new()),
            ..Self::default()
        }
    }

    /// The input overrides, in order.
    pub fn overrides(&self) -> &[(String, Value)] {
        &self.overrides
    }

    /// The outputs to use instead of running, if the node is skipped.
    pub fn skipped_outputs(&self) -> Option<&[(String, Value)]> {
        self.skip.as_deref()
    }

    /// Whether this directive changes nothing.
    pub fn is_proceed(&self) -> bool {
        self.overrides.is_empty() && self.skip.is_none()
    }

    /// The hook that gave the override at `index`, when known.
    pub(crate) fn override_hook(&self, index: usize) -> Option<&str> {
        self.override_hooks.get(index).and_then(Option::as_deref)
    }

    /// The hook that asked to skip, when known.
    pub(crate) fn skip_hook(&self) -> Option<&str> {
        self.skip_hook.as_deref()
    }

    /// Merges a later hook's directive into this one: later overrides and skips win.
    pub fn merge(&mut self, later: NodeDirective) {
        self.merge_from(later, None);
    }

    fn merge_from(&mut self, later: NodeDirective, hook: Option<&str>) {
        let origins = later
            .override_hooks
            .into_iter()
            .chain(std::iter::repeat(None));
        for ((name, value), origin) in later.overrides.into_iter().zip(origins) {
            let origin = origin.or_else(|| hook.map(str::to_owned));
            match self.overrides.iter().position(|(n, _)| *n == name) {
                Some(index) => {
                    self.overrides[index].1 = value;
                    self.override_hooks[index] = origin;
                }
                None => {
                    self.overrides.push((name, value));
                    self.override_hooks.push(origin);
                }
            }
        }
        if later.skip.is_some() {
            self.skip = later.skip;
            self.skip_hook = later.skip_hook.or_else(|| hook.map(str::to_owned));
        }
    }
}

/// The lifecycle hooks. Every method does nothing by default; see the [module docs](self) for
/// the call order, errors and threads.
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use weir_core::{AfterNodeRun, HookResult, Hooks};
///
/// #[derive(Default)]
/// struct CountNodes(AtomicUsize);
///
/// impl Hooks for CountNodes {
///     fn after_node_run(&self, _event: &AfterNodeRun<'_>) -> HookResult {
///         self.0.fetch_add(1, Ordering::Relaxed);
///         Ok(())
///     }
/// }
/// ```
#[allow(unused_variables)]
pub trait Hooks: Send + Sync {
    /// The hook's name in errors and logs; the type's name by default.
    fn name(&self) -> String {
        crate::value::short_type_name(std::any::type_name::<Self>())
    }

    /// Hooks with higher priority are called first; 0 by default.
    fn priority(&self) -> i32 {
        0
    }

    /// The project's configuration is loaded (the earliest hook of a session).
    fn after_context_created(&self, event: &ContextCreated<'_>) -> HookResult {
        Ok(())
    }

    /// The catalog is built.
    fn after_catalog_created(&self, event: &CatalogCreated<'_>) -> HookResult {
        Ok(())
    }

    /// The pipeline passed validation and is about to run.
    fn before_pipeline_run(&self, event: &BeforePipelineRun<'_>) -> HookResult {
        Ok(())
    }

    /// The pipeline ran to the end.
    fn after_pipeline_run(&self, event: &AfterPipelineRun<'_>) -> HookResult {
        Ok(())
    }

    /// The pipeline failed (after `before_pipeline_run` was called). Cannot fail.
    fn on_pipeline_error(&self, event: &PipelineFailed<'_>) {}

    /// A node's inputs are loaded; return a [`NodeDirective`] to replace inputs or skip it.
    fn before_node_run(&self, event: &BeforeNodeRun<'_>) -> Result<NodeDirective, BoxError> {
        Ok(NodeDirective::proceed())
    }

    /// A node's function returned; its outputs are about to be saved.
    fn after_node_run(&self, event: &AfterNodeRun<'_>) -> HookResult {
        Ok(())
    }

    /// A node's function failed. Cannot fail.
    fn on_node_error(&self, event: &NodeFailed<'_>) {}

    /// A node input is about to be loaded.
    fn before_dataset_loaded(&self, event: &BeforeDatasetLoaded<'_>) -> HookResult {
        Ok(())
    }

    /// A node input was loaded.
    fn after_dataset_loaded(&self, event: &AfterDatasetLoaded<'_>) -> HookResult {
        Ok(())
    }

    /// A node output is about to be saved.
    fn before_dataset_saved(&self, event: &BeforeDatasetSaved<'_>) -> HookResult {
        Ok(())
    }

    /// A node output was saved.
    fn after_dataset_saved(&self, event: &AfterDatasetSaved<'_>) -> HookResult {
        Ok(())
    }

    /// Loading or saving a dataset failed. Cannot fail.
    fn on_dataset_error(&self, event: &DatasetFailed<'_>) {}

    /// Lines this hook adds to the end-of-run summary (what it checked, logged or sent), called
    /// once the run has ended. Nothing by default.
    fn run_summary(&self) -> Vec<String> {
        Vec::new()
    }
}

struct Registered {
    hook: Arc<dyn Hooks>,
    name: String,
    priority: i32,
}

/// A list of hooks that is itself a hook: each call goes to every registered hook in order
/// (descending priority, then registration order).
///
/// Errors returned through the manager are [`HookFailure`]s naming the hook that failed.
///
/// ```
/// use weir_core::{HookManager, Hooks};
///
/// struct Audit;
/// impl Hooks for Audit {}
///
/// struct Tracking;
/// impl Hooks for Tracking {
///     fn priority(&self) -> i32 { 10 }
/// }
///
/// let hooks = HookManager::new().with(Audit).with(Tracking);
/// assert_eq!(hooks.names(), ["Tracking", "Audit"]);
/// ```
#[derive(Default)]
pub struct HookManager {
    hooks: Vec<Registered>,
}

impl HookManager {
    /// A manager with no hooks.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a hook (builder form).
    pub fn with(mut self, hook: impl Hooks + 'static) -> Self {
        self.register(hook);
        self
    }

    /// Registers a hook.
    pub fn register(&mut self, hook: impl Hooks + 'static) -> &mut Self {
        self.register_shared(Arc::new(hook))
    }

    /// Registers a shared hook; registering the same `Arc` twice keeps one registration.
    pub fn register_shared(&mut self, hook: Arc<dyn Hooks>) -> &mut Self {
        if self
            .hooks
            .iter()
            .any(|registered| Arc::ptr_eq(&registered.hook, &hook))
        {
            return self;
        }
        let registered = Registered {
            name: hook.name(),
            priority: hook.priority(),
            hook,
        };
        // Stable: after every hook of the same or higher priority.
        let at = self
            .hooks
            .iter()
            .position(|other| other.priority < registered.priority)
            .unwrap_or(self.hooks.len());
        self.hooks.insert(at, registered);
        self
    }

    /// Registers a hook with an explicit priority, overriding the hook's own.
    pub fn register_with_priority(
        &mut self,
        hook: impl Hooks + 'static,
        priority: i32,
    ) -> &mut Self {
        let hook: Arc<dyn Hooks> = Arc::new(hook);
        let registered = Registered {
            name: hook.name(),
            priority,
            hook,
        };
        let at = self
            .hooks
            .iter()
            .position(|other| other.priority < priority)
            .unwrap_or(self.hooks.len());
        self.hooks.insert(at, registered);
        self
    }

    /// The names of the registered hooks, in call order.
    pub fn names(&self) -> Vec<String> {
        self.hooks.iter().map(|r| r.name.clone()).collect()
    }

    /// The number of registered hooks.
    pub fn len(&self) -> usize {
        self.hooks.len()
    }

    /// Whether no hook is registered.
    pub fn is_empty(&self) -> bool {
        self.hooks.is_empty()
    }

    /// Each hook's lines for the end-of-run summary, by hook name, in call order (hooks with
    /// nothing to say are left out).
    pub fn summaries(&self) -> Vec<(String, Vec<String>)> {
        self.hooks
            .iter()
            .filter_map(|registered| {
                let lines = registered.hook.run_summary();
                (!lines.is_empty()).then(|| (registered.name.clone(), lines))
            })
            .collect()
    }

    fn each(
        &self,
        stage: &'static str,
        mut call: impl FnMut(&dyn Hooks) -> HookResult,
    ) -> HookResult {
        for registered in &self.hooks {
            call(registered.hook.as_ref()).map_err(|source| {
                Box::new(HookFailure {
                    hook: registered.name.clone(),
                    stage,
                    source,
                }) as BoxError
            })?;
        }
        Ok(())
    }

    fn each_infallible(&self, stage: &'static str, call: impl Fn(&dyn Hooks)) {
        for registered in &self.hooks {
            call_error_hook(&registered.name, stage, || call(registered.hook.as_ref()));
        }
    }
}

/// Calls an error hook, catching and logging a panic so it cannot hide the original error.
pub(crate) fn call_error_hook(name: &str, stage: &str, call: impl FnOnce()) {
    if let Err(payload) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(call)) {
        tracing::error!(
            "hook `{name}` panicked in `{stage}`: {}",
            crate::node::panic_message(payload.as_ref())
        );
    }
}

impl Hooks for HookManager {
    fn name(&self) -> String {
        "HookManager".to_owned()
    }

    fn after_context_created(&self, event: &ContextCreated<'_>) -> HookResult {
        self.each("after_context_created", |h| h.after_context_created(event))
    }

    fn after_catalog_created(&self, event: &CatalogCreated<'_>) -> HookResult {
        self.each("after_catalog_created", |h| h.after_catalog_created(event))
    }

    fn before_pipeline_run(&self, event: &BeforePipelineRun<'_>) -> HookResult {
        self.each("before_pipeline_run", |h| h.before_pipeline_run(event))
    }

    fn after_pipeline_run(&self, event: &AfterPipelineRun<'_>) -> HookResult {
        self.each("after_pipeline_run", |h| h.after_pipeline_run(event))
    }

    fn on_pipeline_error(&self, event: &PipelineFailed<'_>) {
        self.each_infallible("on_pipeline_error", |h| h.on_pipeline_error(event));
    }

    fn before_node_run(&self, event: &BeforeNodeRun<'_>) -> Result<NodeDirective, BoxError> {
        let mut merged = NodeDirective::proceed();
        for registered in &self.hooks {
            let directive = registered.hook.before_node_run(event).map_err(|source| {
                Box::new(HookFailure {
                    hook: registered.name.clone(),
                    stage: "before_node_run",
                    source,
                }) as BoxError
            })?;
            merged.merge_from(directive, Some(&registered.name));
        }
        Ok(merged)
    }

    fn after_node_run(&self, event: &AfterNodeRun<'_>) -> HookResult {
        self.each("after_node_run", |h| h.after_node_run(event))
    }

    fn on_node_error(&self, event: &NodeFailed<'_>) {
        self.each_infallible("on_node_error", |h| h.on_node_error(event));
    }

    fn before_dataset_loaded(&self, event: &BeforeDatasetLoaded<'_>) -> HookResult {
        self.each("before_dataset_loaded", |h| h.before_dataset_loaded(event))
    }

    fn after_dataset_loaded(&self, event: &AfterDatasetLoaded<'_>) -> HookResult {
        self.each("after_dataset_loaded", |h| h.after_dataset_loaded(event))
    }

    fn before_dataset_saved(&self, event: &BeforeDatasetSaved<'_>) -> HookResult {
        self.each("before_dataset_saved", |h| h.before_dataset_saved(event))
    }

    fn after_dataset_saved(&self, event: &AfterDatasetSaved<'_>) -> HookResult {
        self.each("after_dataset_saved", |h| h.after_dataset_saved(event))
    }

    fn on_dataset_error(&self, event: &DatasetFailed<'_>) {
        self.each_infallible("on_dataset_error", |h| h.on_dataset_error(event));
    }

    fn run_summary(&self) -> Vec<String> {
        self.summaries()
            .into_iter()
            .flat_map(|(_, lines)| lines)
            .collect()
    }
}

impl<H: Hooks + ?Sized> Hooks for Arc<H> {
    fn name(&self) -> String {
        (**self).name()
    }
    fn priority(&self) -> i32 {
        (**self).priority()
    }
    fn after_context_created(&self, event: &ContextCreated<'_>) -> HookResult {
        (**self).after_context_created(event)
    }
    fn after_catalog_created(&self, event: &CatalogCreated<'_>) -> HookResult {
        (**self).after_catalog_created(event)
    }
    fn before_pipeline_run(&self, event: &BeforePipelineRun<'_>) -> HookResult {
        (**self).before_pipeline_run(event)
    }
    fn after_pipeline_run(&self, event: &AfterPipelineRun<'_>) -> HookResult {
        (**self).after_pipeline_run(event)
    }
    fn on_pipeline_error(&self, event: &PipelineFailed<'_>) {
        (**self).on_pipeline_error(event);
    }
    fn before_node_run(&self, event: &BeforeNodeRun<'_>) -> Result<NodeDirective, BoxError> {
        (**self).before_node_run(event)
    }
    fn after_node_run(&self, event: &AfterNodeRun<'_>) -> HookResult {
        (**self).after_node_run(event)
    }
    fn on_node_error(&self, event: &NodeFailed<'_>) {
        (**self).on_node_error(event);
    }
    fn before_dataset_loaded(&self, event: &BeforeDatasetLoaded<'_>) -> HookResult {
        (**self).before_dataset_loaded(event)
    }
    fn after_dataset_loaded(&self, event: &AfterDatasetLoaded<'_>) -> HookResult {
        (**self).after_dataset_loaded(event)
    }
    fn before_dataset_saved(&self, event: &BeforeDatasetSaved<'_>) -> HookResult {
        (**self).before_dataset_saved(event)
    }
    fn after_dataset_saved(&self, event: &AfterDatasetSaved<'_>) -> HookResult {
        (**self).after_dataset_saved(event)
    }
    fn on_dataset_error(&self, event: &DatasetFailed<'_>) {
        (**self).on_dataset_error(event);
    }

    fn run_summary(&self) -> Vec<String> {
        (**self).run_summary()
    }
}

/// A hook that does nothing (what runners use when given no hooks).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoHooks;

impl Hooks for NoHooks {}
