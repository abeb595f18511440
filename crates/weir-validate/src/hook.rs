//! The hook: datasets' suites checked on node inputs (before the node runs) and outputs (after
//! it runs, before they are saved).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use polars::prelude::{DataFrame, LazyFrame};
use serde::Deserialize;
use serde_json::{Value as Json, json};
use weir_config::plugin::{Plugin, PluginRegistrar, PluginSettings, load_settings};
use weir_core::{
    AfterNodeRun, AfterPipelineRun, BeforeNodeRun, BeforePipelineRun, BoxError, CatalogCreated,
    ContextCreated, HookResult, Hooks, Node, NodeDirective, NodeValues, PipelineFailed,
};

use crate::suite::{Suite, SuiteResult};

/// The key of a catalog entry's `metadata` that holds its validation.
pub const METADATA_KEY: &str = "validation";

/// When a dataset is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum When {
    /// As a node's input, before the node runs.
    Inputs,
    /// As a node's output, before it is saved.
    Outputs,
    /// Both.
    #[default]
    Both,
}

/// What a failed validation does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum OnFailure {
    /// The node fails, naming the dataset, the expectations and sample bad values.
    #[default]
    Fail,
    /// A warning; the run goes on.
    Warn,
}

/// The validation of one dataset (in `validation.yml` under `datasets:`, or in a catalog
/// entry's `metadata: {validation: ...}`).
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct DatasetRule {
    /// A Great Expectations suite file (JSON, 0.x or 1.x), relative to the configuration
    /// folder (`base/expectations/companies.json`), else to the project root.
    pub suite: Option<String>,
    /// Expectations written inline: GE items or `{expect_...: {kwargs}}`.
    pub expectations: Vec<Json>,
    /// When to check (default: the configuration's `when`, else both).
    pub when: Option<When>,
    /// What a failure does (default: the configuration's `on_failure`, else fail).
    pub on_failure: Option<OnFailure>,
}

/// `conf/<env>/validation.yml`.
///
/// ```yaml
/// when: both                 # default for every dataset: inputs | outputs | both
/// on_failure: fail           # fail | warn
/// reports: data/08_reporting/validation
/// datasets:
///   companies:
///     suite: base/expectations/companies.json   # in conf/ (or the project root)
///     when: inputs
///   model_input_table:
///     expectations:
///       - expect_table_row_count_to_be_between: {min_value: 1}
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct ValidationConfig {
    /// Whether validation runs at all.
    pub enabled: bool,
    /// The default of `when`.
    pub when: When,
    /// The default of `on_failure`.
    pub on_failure: OnFailure,
    /// Where result documents go, relative to the project root.
    pub reports: String,
    /// Rules by dataset name.
    pub datasets: BTreeMap<String, DatasetRule>,
}

impl Default for ValidationConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            when: When::Both,
            on_failure: OnFailure::Fail,
            reports: "data/08_reporting/validation".to_owned(),
            datasets: BTreeMap::new(),
        }
    }
}

/// A dataset's suite and settings, ready to check.
#[derive(Debug, Clone)]
struct Rule {
    suite: Suite,
    when: When,
    on_failure: OnFailure,
}

#[derive(Debug, Default)]
struct State {
    config: ValidationConfig,
    project_path: PathBuf,
    conf_source: Option<PathBuf>,
    rules: BTreeMap<String, Rule>,
    run_id: String,
}

/// One validation in a run, for the summary.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    /// The dataset.
    pub dataset: String,
    /// The node that read or wrote it.
    pub node: String,
    /// `input` or `output`.
    pub side: &'static str,
    /// Whether every expectation held.
    pub success: bool,
    /// Expectations evaluated and failed.
    pub evaluated: usize,
    /// Failed expectations.
    pub failed: usize,
    /// The result document.
    pub report: PathBuf,
}

/// Checks datasets against Great Expectations suites as nodes read and write them.
///
/// Rules come from `conf/<env>/validation.yml` ([`ValidationConfig`]) and from catalog
/// entries' `metadata: {validation: ...}` (the kedro-pandera pattern). Every suite is read and
/// checked when the catalog is created: an unknown expectation type or a malformed suite stops
/// the run before any node runs, naming the file and the expectation.
///
/// Each validation writes GE's result document to
/// `<reports>/<run id>/<node>.<input|output>.<dataset>.json`. A failure fails the node (or
/// warns, with `on_failure: warn`) with the dataset, the failed expectations and sample bad
/// values. Every expectation is evaluated, not only up to the first failure.
#[derive(Debug, Default)]
pub struct ValidationHook {
    fixed: Option<ValidationConfig>,
    state: RwLock<State>,
    checked: Mutex<Vec<Checked>>,
}

impl ValidationHook {
    /// A hook configured by `validation.yml` and the catalog's metadata.
    pub fn new() -> Self {
        Self::default()
    }

    /// A hook configured in code (`validation.yml` is not read; catalog metadata still is).
    pub fn with_config(config: ValidationConfig) -> Self {
        Self {
            fixed: Some(config),
            ..Self::default()
        }
    }

    /// The validations of the current (or last) run.
    pub fn checked(&self) -> Vec<Checked> {
        self.checked
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn state(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn check(&self, node: &Node, values: &NodeValues<'_>, side: &'static str) -> HookResult {
        let wanted = |when: When| match side {
            "input" => when != When::Outputs,
            _ => when != When::Inputs,
        };
        let state = self.state();
        if !state.config.enabled {
            return Ok(());
        }
        let mut problems = Vec::new();
        for (name, value) in values.iter() {
            let Some(rule) = state.rules.get(name).filter(|r| wanted(r.when)) else {
                continue;
            };
            let Some(frame) = value.downcast_ref::<DataFrame>() else {
                // A lazy query (polars.LazyPolarsDataset) is not data yet: running it here would
                // read or compute the whole table a second time, outside the node's streaming.
                let fix = if value.downcast_ref::<LazyFrame>().is_some() {
                    "; a LazyFrame is a query not yet run: validate the table where it is read \
                     whole (a transcoded `name@eager` entry of the same file, read as a DataFrame \
                     by the next node), or return a DataFrame from the node"
                } else {
                    ""
                };
                return Err(format!(
                    "validation of dataset '{name}' ({side} of node {}): expectations need a table (a polars DataFrame), but the value is {}{fix}",
                    node.full_name(),
                    value.type_info().name()
                )
                .into());
            };
            let result = rule.suite.validate(frame);
            // A report that cannot be written must not fail a node whose data is fine.
            let report = match self.write_report(&state, name, node, side, &result, &rule.suite) {
                Ok(path) => path,
                Err(error) => {
                    tracing::warn!("{error}");
                    PathBuf::from("(not written)")
                }
            };
            let failed = result.failures().count();
            self.checked
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(Checked {
                    dataset: name.to_owned(),
                    node: node.full_name().to_owned(),
                    side,
                    success: result.success,
                    evaluated: result.results.len(),
                    failed,
                    report: report.clone(),
                });
            if result.success {
                tracing::debug!(
                    "validation of '{name}' ({side} of {}): {} expectations met",
                    node.full_name(),
                    result.results.len()
                );
                continue;
            }
            let message = format!(
                "validation of dataset '{name}' ({side} of node {}) failed: {failed} of {} expectations of suite {} ({}):\n  - {}\nreport: {}",
                node.full_name(),
                result.results.len(),
                rule.suite.name,
                rule.suite.source,
                result.failure_lines().join("\n  - "),
                report.display()
            );
            match rule.on_failure {
                OnFailure::Fail => problems.push(message),
                OnFailure::Warn => tracing::warn!("{message}"),
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("\n").into())
        }
    }

    fn write_report(
        &self,
        state: &State,
        dataset: &str,
        node: &Node,
        side: &str,
        result: &SuiteResult,
        suite: &Suite,
    ) -> Result<PathBuf, BoxError> {
        let folder =
            absolute(&state.project_path, &state.config.reports).join(sanitise(&state.run_id));
        std::fs::create_dir_all(&folder)
            .map_err(|e| format!("validation: cannot create {}: {e}", folder.display()))?;
        let path = folder.join(format!(
            "{}.{side}.{}.json",
            sanitise(node.full_name()),
            sanitise(dataset)
        ));
        let document = result.to_json(json!({
            "dataset": dataset,
            "node": node.full_name(),
            "checked_as": side,
            "run_id": state.run_id,
            "suite_source": suite.source,
            "validation_time": std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0),
            "weir_validate_version": env!("CARGO_PKG_VERSION"),
        }));
        let text = serde_json::to_string_pretty(&document).map_err(|e| e.to_string())?;
        std::fs::write(&path, text)
            .map_err(|e| format!("validation: cannot write {}: {e}", path.display()))?;
        Ok(path)
    }

    /// The summary of the run's validations: a count, then each failure with its report.
    fn summary_lines(&self) -> Vec<String> {
        let checked = self.checked();
        if checked.is_empty() {
            return Vec::new();
        }
        let failed: Vec<&Checked> = checked.iter().filter(|c| !c.success).collect();
        let mut lines = vec![format!(
            "{} checks, {} passed, {} failed",
            checked.len(),
            checked.len() - failed.len(),
            failed.len()
        )];
        for check in &failed {
            lines.push(format!(
                "{} ({} of {}): {} of {} expectations failed, report {}",
                check.dataset,
                check.side,
                check.node,
                check.failed,
                check.evaluated,
                check.report.display()
            ));
        }
        lines
    }

    fn summarise(&self) {
        let lines = self.summary_lines();
        if lines.is_empty() {
            return;
        }
        let text = format!("Validation: {}", lines.join("\n  "));
        if self.checked().iter().all(|c| c.success) {
            tracing::info!("{text}");
        } else {
            tracing::warn!("{text}");
        }
    }
}

/// A suite file: relative to the configuration folder (`conf/` or `--conf-source`), else to
/// the project root.
fn suite_path(state: &State, file: &str) -> PathBuf {
    if let Some(conf) = &state.conf_source {
        let in_conf = absolute(conf, file);
        if in_conf.is_file() {
            return in_conf;
        }
    }
    absolute(&state.project_path, file)
}

fn absolute(root: &Path, path: &str) -> PathBuf {
    let path = Path::new(path);
    if path.is_absolute() {
        path.to_owned()
    } else {
        root.join(path)
    }
}

fn sanitise(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

impl Hooks for ValidationHook {
    fn name(&self) -> String {
        "weir.validate".to_owned()
    }

    fn after_context_created(&self, event: &ContextCreated<'_>) -> HookResult {
        let config = match (&self.fixed, event.config) {
            (Some(config), _) => config.clone(),
            (None, Some(_)) => load_settings(event)?,
            (None, None) => ValidationConfig::default(),
        };
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        state.config = config;
        state.project_path = event.project_path.to_owned();
        state.conf_source = event.config.map(|c| c.conf_source().to_owned());
        Ok(())
    }

    fn after_catalog_created(&self, event: &CatalogCreated<'_>) -> HookResult {
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        if state.project_path.as_os_str().is_empty() {
            state.project_path = std::env::current_dir().unwrap_or_default();
        }
        let mut declared: BTreeMap<String, (DatasetRule, String)> = BTreeMap::new();
        if let Some(Json::Object(entries)) = event.conf_catalog {
            for (name, entry) in entries {
                let Some(rule) = entry.get("metadata").and_then(|m| m.get(METADATA_KEY)) else {
                    continue;
                };
                let rule: DatasetRule = serde_json::from_value(rule.clone()).map_err(|e| {
                    format!("catalog entry '{name}': `metadata.{METADATA_KEY}`: {e} (keys: suite, expectations, when, on_failure)")
                })?;
                declared.insert(name.clone(), (rule, format!("catalog entry '{name}'")));
            }
        }
        for (name, rule) in &state.config.datasets {
            let merged = match declared.remove(name) {
                Some((mut from_catalog, _)) => {
                    from_catalog
                        .expectations
                        .extend(rule.expectations.iter().cloned());
                    DatasetRule {
                        suite: rule.suite.clone().or(from_catalog.suite),
                        expectations: from_catalog.expectations,
                        when: rule.when.or(from_catalog.when),
                        on_failure: rule.on_failure.or(from_catalog.on_failure),
                    }
                }
                None => rule.clone(),
            };
            declared.insert(
                name.clone(),
                (merged, format!("validation.yml, dataset '{name}'")),
            );
        }
        let mut rules = BTreeMap::new();
        for (name, (rule, origin)) in declared {
            let mut suite = match &rule.suite {
                Some(file) => Suite::from_file(&suite_path(&state, file))
                    .map_err(|e| format!("validation of dataset '{name}' ({origin}): {e}"))?,
                None => Suite {
                    name: format!("{name}_expectations"),
                    source: origin.clone(),
                    expectations: Vec::new(),
                },
            };
            if !rule.expectations.is_empty() {
                let inline = Suite::from_list(&rule.expectations, &suite.name, &origin)
                    .map_err(|e| format!("validation of dataset '{name}': {e}"))?;
                suite.expectations.extend(inline.expectations);
            }
            if suite.expectations.is_empty() {
                return Err(format!("validation of dataset '{name}' ({origin}): no expectations: give `suite:` (a GE JSON file) or `expectations:`").into());
            }
            rules.insert(
                name,
                Rule {
                    suite,
                    when: rule.when.unwrap_or(state.config.when),
                    on_failure: rule.on_failure.unwrap_or(state.config.on_failure),
                },
            );
        }
        state.rules = rules;
        Ok(())
    }

    fn before_pipeline_run(&self, event: &BeforePipelineRun<'_>) -> HookResult {
        self.checked
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        state.run_id = event.run_params.run_id.clone();
        let used = event.pipeline.datasets();
        for name in state.rules.keys() {
            if !used.contains(name) {
                tracing::debug!(
                    "validation rule for '{name}': no node of this run reads or writes it"
                );
            }
        }
        Ok(())
    }

    fn before_node_run(&self, event: &BeforeNodeRun<'_>) -> Result<NodeDirective, BoxError> {
        self.check(event.node, &event.inputs, "input")?;
        Ok(NodeDirective::proceed())
    }

    fn after_node_run(&self, event: &AfterNodeRun<'_>) -> HookResult {
        self.check(event.node, &event.outputs, "output")
    }

    fn after_pipeline_run(&self, _event: &AfterPipelineRun<'_>) -> HookResult {
        self.summarise();
        Ok(())
    }

    fn on_pipeline_error(&self, _event: &PipelineFailed<'_>) {
        self.summarise();
    }
}

impl PluginSettings for ValidationConfig {
    const KEY: &'static str = "validation";
}

impl Plugin for ValidationHook {
    fn plugin_name(&self) -> String {
        "weir.validate".to_owned()
    }

    fn register(self: Arc<Self>, plugin: &mut PluginRegistrar) {
        plugin.settings::<ValidationConfig>().hooks_shared(self);
    }

    fn run_summary(&self) -> Vec<String> {
        self.summary_lines()
    }
}
