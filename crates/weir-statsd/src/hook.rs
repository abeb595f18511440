//! The hook: lifecycle events in, StatsD lines out.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use weir_core::{
    AfterDatasetLoaded, AfterDatasetSaved, AfterNodeRun, AfterPipelineRun, BeforeNodeRun,
    BeforePipelineRun, BoxError, ContextCreated, DatasetFailed, DatasetOperation, HookResult,
    Hooks, Node, NodeDirective, NodeFailed, PipelineFailed, RunParams, Value,
};

use crate::client::{Client, SendStats};
use weir_config::plugin::{Plugin, PluginRegistrar, load_settings};

use crate::config::StatsdConfig;
use crate::metrics::{Amount, Context, MetricName, write_line};

/// Sends StatsD metrics of every run, node and dataset.
///
/// Register it on the project as a plugin; it reads `conf/<env>/statsd.yml` (all keys optional, see
/// [`StatsdConfig`]) and the `STATSD_HOST`, `STATSD_PORT` and `STATSD_PREFIX` environment
/// variables when the session starts:
///
/// ```no_run
/// # use weir_core::Pipeline;
/// # fn register_pipelines() -> Vec<(String, Pipeline)> { Vec::new() }
/// // src/main.rs
/// fn main() -> std::process::ExitCode {
///     weir::Project::new("spaceflights")
///         .pipelines(register_pipelines())
///         .plugin(weir_statsd::StatsdHook::new())
///         .main()
/// }
/// ```
///
/// Metrics go out over UDP from a non-blocking socket, packed into datagrams that are sent when
/// one is full, every `flush_interval_ms` (100 ms by default, from a background thread, so a
/// long node's start is seen while it runs), after a failure and when the run ends: the hook
/// never waits for the network and never fails a node. Parameters (`params:*`, `parameters`) are not measured.
#[derive(Debug)]
pub struct StatsdHook {
    fixed: Option<StatsdConfig>,
    active: RwLock<Option<Arc<Active>>>,
}

#[derive(Debug)]
struct Active {
    config: StatsdConfig,
    client: Option<Client>,
    /// Why an enabled hook has no client (the host does not resolve, no socket).
    unusable: Option<String>,
    run: Mutex<RunState>,
}

#[derive(Debug, Default)]
struct RunState {
    pipeline: Arc<str>,
    started: Option<Instant>,
    /// Nodes started and not finished, by name (a count would drift when a node fails
    /// after `after_node_run`, while saving).
    running: HashMap<String, usize>,
}

impl Default for StatsdHook {
    fn default() -> Self {
        Self::new()
    }
}

impl StatsdHook {
    /// A hook configured by the project's `statsd.yml` and the `STATSD_*` environment
    /// variables.
    pub fn new() -> Self {
        Self {
            fixed: None,
            active: RwLock::new(None),
        }
    }

    /// A hook configured in code: `statsd.yml` and the environment are not read.
    pub fn with_config(config: StatsdConfig) -> Self {
        Self {
            fixed: Some(config),
            active: RwLock::new(None),
        }
    }

    /// What has been sent so far (zero before the first run or when disabled).
    pub fn stats(&self) -> SendStats {
        self.current()
            .and_then(|active| active.client.as_ref().map(Client::stats))
            .unwrap_or_default()
    }

    fn current(&self) -> Option<Arc<Active>> {
        self.active
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn activate(&self, config: StatsdConfig) {
        let mut unusable = None;
        let client = if config.enabled {
            match Client::connect(&config.host, config.port, config.max_packet_size) {
                Ok(client) => {
                    tracing::debug!("StatsD metrics go to {}", client.target());
                    Some(client)
                }
                Err(error) => {
                    let why = format!("cannot send to {}:{} ({error})", config.host, config.port);
                    tracing::warn!("StatsD: {why}; this run sends no metrics");
                    unusable = Some(why);
                    None
                }
            }
        } else {
            None
        };
        let interval = Duration::from_millis(config.flush_interval_ms);
        let active = Arc::new(Active {
            config,
            client,
            unusable,
            run: Mutex::new(RunState::default()),
        });
        if active.client.is_some() {
            spawn_flusher(Arc::downgrade(&active), interval);
        }
        *self.active.write().unwrap_or_else(PoisonError::into_inner) = Some(active);
    }

    /// The configuration when no session read `statsd.yml`: the fixed one, or the defaults
    /// with the environment's overrides.
    fn configuration_without_project(&self) -> Result<StatsdConfig, BoxError> {
        match &self.fixed {
            Some(config) => Ok(config.clone()),
            None => Ok(StatsdConfig::default().with_env(|name| std::env::var(name).ok())?),
        }
    }
}

impl Active {
    fn state(&self) -> std::sync::MutexGuard<'_, RunState> {
        self.run.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn pipeline(&self) -> Arc<str> {
        self.state().pipeline.clone()
    }

    fn emit(&self, metric: MetricName, amount: Amount, context: Context<'_>) {
        let Some(client) = &self.client else {
            return;
        };
        let rate = self.config.rate_of(metric);
        if !client.sample(rate) {
            return;
        }
        client.push_with(|buffer| write_line(buffer, &self.config, metric, amount, rate, context));
    }

    fn flush(&self) {
        if let Some(client) = &self.client {
            client.flush();
        }
    }

    fn run_context<'a>(pipeline: &'a str) -> Context<'a> {
        Context {
            pipeline,
            subject: None,
            namespace: None,
        }
    }

    fn node_context<'a>(pipeline: &'a str, node: &'a Node) -> Context<'a> {
        Context {
            pipeline,
            subject: Some(node.full_name()),
            namespace: node.namespace_name(),
        }
    }

    /// Marks a node started or finished and sends how many are running.
    fn track_running(&self, pipeline: &str, node: &Node, started: bool) {
        let running = {
            let mut state = self.state();
            let name = node.full_name();
            if started {
                *state.running.entry(name.to_owned()).or_default() += 1;
            } else if let Some(count) = state.running.get_mut(name) {
                *count -= 1;
                if *count == 0 {
                    state.running.remove(name);
                }
            }
            state.running.values().sum::<usize>()
        };
        self.emit(
            MetricName::NodesRunning,
            Amount::Level(running as u64),
            Self::run_context(pipeline),
        );
    }

    /// Counts a failed node (its function, or a load or save of its data), no longer running,
    /// and sends at once.
    fn node_failed(&self, pipeline: &str, node: &Node) {
        // A no-op when `after_node_run` already saw the node finish (a save failing after it).
        self.track_running(pipeline, node, false);
        self.emit(
            MetricName::NodeFailed,
            Amount::Count(1),
            Self::node_context(pipeline, node),
        );
        self.flush();
    }

    fn dataset_metrics(
        &self,
        name: &str,
        data: &Value,
        duration: Duration,
        [timer, rows, bytes]: [MetricName; 3],
    ) {
        if is_parameter(name) {
            return;
        }
        let pipeline = self.pipeline();
        let context = Context {
            pipeline: &pipeline,
            subject: Some(name),
            namespace: None,
        };
        self.emit(timer, Amount::Millis(millis(duration)), context);
        if self.config.dataset_sizes
            && let Some(size) = table_size(data)
        {
            self.emit(rows, Amount::Level(size.rows), context);
            self.emit(bytes, Amount::Level(size.bytes), context);
        }
    }

    fn end_run(&self, outcome: MetricName) {
        let (pipeline, started) = {
            let mut state = self.state();
            state.running.clear();
            (state.pipeline.clone(), state.started.take())
        };
        let context = Self::run_context(&pipeline);
        self.emit(outcome, Amount::Count(1), context);
        if let Some(started) = started {
            self.emit(
                MetricName::RunDuration,
                Amount::Millis(millis(started.elapsed())),
                context,
            );
        }
        self.emit(MetricName::NodesRunning, Amount::Level(0), context);
        self.flush();
        if let Some(client) = &self.client {
            let stats = client.stats();
            tracing::debug!(
                "StatsD: {} metrics in {} datagrams to {} ({} dropped datagrams, {} sampled out)",
                stats.lines,
                stats.datagrams,
                client.target(),
                stats.failed_datagrams,
                stats.sampled_out
            );
        }
    }
}

impl Hooks for StatsdHook {
    fn name(&self) -> String {
        "weir.statsd".to_owned()
    }

    fn after_context_created(&self, event: &ContextCreated<'_>) -> HookResult {
        let config = match (&self.fixed, event.config) {
            (Some(config), _) => config.clone(),
            (None, Some(_)) => {
                load_settings::<StatsdConfig>(event)?.with_env(|name| std::env::var(name).ok())?
            }
            (None, None) => self.configuration_without_project()?,
        };
        self.activate(config);
        Ok(())
    }

    fn before_pipeline_run(&self, event: &BeforePipelineRun<'_>) -> HookResult {
        if self.current().is_none() {
            self.activate(self.configuration_without_project()?);
        }
        let Some(active) = self.current() else {
            return Ok(());
        };
        let pipeline: Arc<str> = pipeline_name(event.run_params).into();
        {
            let mut state = active.state();
            state.pipeline = pipeline.clone();
            state.started = Some(Instant::now());
            state.running.clear();
        }
        let context = Active::run_context(&pipeline);
        active.emit(MetricName::RunStarted, Amount::Count(1), context);
        active.emit(MetricName::NodesRunning, Amount::Level(0), context);
        active.flush();
        Ok(())
    }

    fn before_node_run(&self, event: &BeforeNodeRun<'_>) -> Result<NodeDirective, BoxError> {
        if let Some(active) = self.current() {
            let pipeline = active.pipeline();
            active.track_running(&pipeline, event.node, true);
        }
        Ok(NodeDirective::proceed())
    }

    fn after_node_run(&self, event: &AfterNodeRun<'_>) -> HookResult {
        if let Some(active) = self.current() {
            let pipeline = active.pipeline();
            active.track_running(&pipeline, event.node, false);
            if !event.skipped {
                active.emit(
                    MetricName::NodeDuration,
                    Amount::Millis(millis(event.duration)),
                    Active::node_context(&pipeline, event.node),
                );
            }
        }
        Ok(())
    }

    fn on_node_error(&self, event: &NodeFailed<'_>) {
        if let Some(active) = self.current() {
            active.node_failed(&active.pipeline(), event.node);
        }
    }

    fn after_dataset_loaded(&self, event: &AfterDatasetLoaded<'_>) -> HookResult {
        if let Some(active) = self.current() {
            active.dataset_metrics(
                event.dataset_name,
                event.data,
                event.duration,
                [
                    MetricName::DatasetLoadDuration,
                    MetricName::DatasetLoadRows,
                    MetricName::DatasetLoadBytes,
                ],
            );
        }
        Ok(())
    }

    fn after_dataset_saved(&self, event: &AfterDatasetSaved<'_>) -> HookResult {
        if let Some(active) = self.current() {
            active.dataset_metrics(
                event.dataset_name,
                event.data,
                event.duration,
                [
                    MetricName::DatasetSaveDuration,
                    MetricName::DatasetSaveRows,
                    MetricName::DatasetSaveBytes,
                ],
            );
        }
        Ok(())
    }

    fn on_dataset_error(&self, event: &DatasetFailed<'_>) {
        if let Some(active) = self.current() {
            let pipeline = active.pipeline();
            let metric = match event.operation {
                DatasetOperation::Load => MetricName::DatasetLoadFailed,
                _ => MetricName::DatasetSaveFailed,
            };
            active.emit(
                metric,
                Amount::Count(1),
                Context {
                    pipeline: &pipeline,
                    subject: Some(event.dataset_name),
                    namespace: None,
                },
            );
            // The node fails with its data.
            active.node_failed(&pipeline, event.node);
        }
    }

    fn after_pipeline_run(&self, _event: &AfterPipelineRun<'_>) -> HookResult {
        if let Some(active) = self.current() {
            active.end_run(MetricName::RunSucceeded);
        }
        Ok(())
    }

    fn on_pipeline_error(&self, _event: &PipelineFailed<'_>) {
        if let Some(active) = self.current() {
            active.end_run(MetricName::RunFailed);
        }
    }
}

impl Plugin for StatsdHook {
    fn plugin_name(&self) -> String {
        "weir.statsd".to_owned()
    }

    fn register(self: Arc<Self>, plugin: &mut PluginRegistrar) {
        plugin.settings::<StatsdConfig>().hooks_shared(self);
    }

    fn run_summary(&self) -> Vec<String> {
        let Some(active) = self.current() else {
            return Vec::new();
        };
        let Some(client) = &active.client else {
            return vec![match &active.unusable {
                Some(why) => format!("no metrics sent: {why}"),
                None => "disabled (statsd.yml: enabled: false)".to_owned(),
            }];
        };
        let stats = client.stats();
        vec![format!(
            "{} metrics in {} datagrams to {} (prefix {:?})",
            stats.lines,
            stats.datagrams,
            client.target(),
            active.config.prefix
        )]
    }
}

/// Sends what is buffered every `interval` until the hook's state is dropped.
fn spawn_flusher(active: std::sync::Weak<Active>, interval: Duration) {
    let spawned = std::thread::Builder::new()
        .name("weir-statsd-flush".to_owned())
        .spawn(move || {
            loop {
                std::thread::sleep(interval);
                match active.upgrade() {
                    Some(active) => active.flush(),
                    None => break,
                }
            }
        });
    if let Err(error) = spawned {
        tracing::debug!(
            "StatsD: no flushing thread ({error}); metrics go out when datagrams fill and at the end of a run"
        );
    }
}

/// The pipeline tag: the names run (`data_processing+data_science`), or `__default__`.
fn pipeline_name(params: &RunParams) -> String {
    if params.pipeline_names.is_empty() {
        "__default__".to_owned()
    } else {
        params.pipeline_names.join("+")
    }
}

fn is_parameter(name: &str) -> bool {
    name == "parameters" || name.starts_with("params:")
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// Rows and in-memory bytes of a table.
struct TableSize {
    rows: u64,
    bytes: u64,
}

fn table_size(value: &Value) -> Option<TableSize> {
    #[cfg(feature = "polars")]
    if let Some(frame) = value.downcast_ref::<polars_core::frame::DataFrame>() {
        return Some(TableSize {
            rows: frame.height() as u64,
            bytes: frame.estimated_size() as u64,
        });
    }
    let _ = value;
    None
}
