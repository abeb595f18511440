//! The hook: an MLflow run per pipeline run.

use std::sync::Arc;

use weir_config::DatasetRegistry;
use weir_config::plugin::{
    Plugin, PluginRegistrar, PluginSettings, SettingsError, SettingsProblem, settings_file,
    settings_from,
};
use weir_core::{
    AfterNodeRun, AfterPipelineRun, BeforePipelineRun, ContextCreated, HookResult, Hooks,
    PipelineFailed,
};

use crate::client::Auth;
use crate::config::MlflowConfig;
use crate::tracker::Tracker;

/// Tracks every pipeline run as an MLflow run, as kedro-mlflow does.
///
/// - `after_context_created`: reads `conf/<env>/mlflow.yml` ([`MlflowConfig`]), the
///   `MLFLOW_*` environment variables and the credentials.
/// - `before_pipeline_run`: gets or creates the experiment and creates the run. The run is
///   tagged with Weir's run id, the pipeline, the environment, the command line, the git
///   commit and `mlflow.source.*`. The parameters the pipeline reads (`params:*`,
///   `parameters`) are logged in batches within MLflow's limits.
/// - The catalog's MLflow datasets log metrics and upload artifacts as nodes save them (see
///   [`MlflowHook::dataset_types`]; registering the plugin registers them).
/// - `after_node_run`: node durations, with `tracking.node_durations: true`.
/// - `after_pipeline_run`: status `FINISHED`. `on_pipeline_error`: status `FAILED` and the
///   error as tag `weir.error`. A run is never left `RUNNING`, except an orchestrator's run
///   (`MLFLOW_RUN_ID`), which is joined and left to its owner.
///
/// The run id is kept in the hook, not in a thread-local "active run": under the parallel
/// runner every worker logs to the same run.
///
/// When the server is down or answers errors, each call is retried with backoff; then the
/// hook warns and the run goes on. Everything not logged is listed at the end. With
/// `strict: true` the first tracking failure fails the run instead.
///
/// It is a [`Plugin`]: one call registers the hook, the datasets and `mlflow.yml`'s patterns,
/// and the run summary lists what was logged.
///
/// ```no_run
/// # fn register_pipelines() -> Vec<(String, weir_core::Pipeline)> { Vec::new() }
/// fn main() -> std::process::ExitCode {
///     weir::Project::new("spaceflights")
///         .pipelines(register_pipelines())
///         .plugin(weir_mlflow::MlflowHook::new())
///         .main()
/// }
/// ```
#[derive(Debug, Default)]
pub struct MlflowHook {
    tracker: Arc<Tracker>,
    fixed: Option<(MlflowConfig, Option<Auth>)>,
    join: Option<String>,
}

impl MlflowHook {
    /// A hook configured by the project's `mlflow.yml`, the `MLFLOW_*` environment variables
    /// and `credentials.yml`.
    pub fn new() -> Self {
        Self::default()
    }

    /// A hook configured in code (`mlflow.yml` is not read; `MLFLOW_RUN_ID` still joins an
    /// orchestrator's run).
    pub fn with_config(config: MlflowConfig, auth: Option<Auth>) -> Self {
        Self {
            tracker: Arc::default(),
            fixed: Some((config, auth)),
            join: None,
        }
    }

    /// Joins an existing run, as `MLFLOW_RUN_ID` does (for an orchestrator that embeds Weir):
    /// everything is logged into it and it is left open, or with `tracking.run.nested: true`
    /// a child run is created under it. `MLFLOW_RUN_ID`, when set, wins.
    #[must_use]
    pub fn join_run(mut self, run_id: impl Into<String>) -> Self {
        self.join = Some(run_id.into());
        self
    }

    /// Registers the MLflow datasets for `catalog.yml`, logging to this hook's run:
    /// `kedro_mlflow.io.metrics.MlflowMetricsHistoryDataset`,
    /// `kedro_mlflow.io.metrics.MlflowMetricDataset` and
    /// `kedro_mlflow.io.artifacts.MlflowArtifactDataset`. [`Project::plugin`] registers them;
    /// this is for a project that builds its registry by hand.
    ///
    /// [`Project::plugin`]: https://docs.rs/weir-cli/latest/weir_cli/struct.Project.html#method.plugin
    pub fn dataset_types(&self) -> impl Fn(&mut DatasetRegistry) + Send + Sync + 'static {
        let tracker = Arc::clone(&self.tracker);
        move |registry| crate::datasets::register(registry, &tracker)
    }

    /// The MLflow run id of the current run, or of the last one.
    pub fn run_id(&self) -> Option<String> {
        self.tracker.run().map(|run| run.run_id)
    }

    fn configure_without_project(&self) {
        let (config, auth) = self
            .fixed
            .clone()
            .unwrap_or_else(|| (MlflowConfig::default(), auth_from_env(None)));
        let (config, run_id) = config.with_env(|name| std::env::var(name).ok());
        self.tracker.configure(
            config,
            run_id.or_else(|| self.join.clone()),
            auth,
            serde_json::Value::Null,
            None,
            None,
        );
    }
}

/// Authentication from `MLFLOW_TRACKING_TOKEN`, or `MLFLOW_TRACKING_USERNAME` and
/// `MLFLOW_TRACKING_PASSWORD`, else from a credentials entry.
fn auth_from_env(entry: Option<&serde_json::Value>) -> Option<Auth> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let field = |names: &[&str]| {
        names.iter().find_map(|name| {
            entry
                .and_then(|e| e.get(*name))
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        })
    };
    let token = env("MLFLOW_TRACKING_TOKEN").or_else(|| field(&["token", "MLFLOW_TRACKING_TOKEN"]));
    if let Some(token) = token {
        return Some(Auth::Bearer(token));
    }
    let username = env("MLFLOW_TRACKING_USERNAME")
        .or_else(|| field(&["username", "MLFLOW_TRACKING_USERNAME"]));
    let password = env("MLFLOW_TRACKING_PASSWORD")
        .or_else(|| field(&["password", "MLFLOW_TRACKING_PASSWORD"]));
    match (username, password) {
        (Some(username), Some(password)) => Some(Auth::Basic { username, password }),
        _ => None,
    }
}

impl Hooks for MlflowHook {
    fn name(&self) -> String {
        "weir.mlflow".to_owned()
    }

    fn after_context_created(&self, event: &ContextCreated<'_>) -> HookResult {
        let (config, auth) = match (&self.fixed, event.config) {
            (Some((config, auth)), _) => (config.clone(), auth.clone()),
            (None, Some(source)) => {
                let loaded = settings_file::<MlflowConfig>(source)?;
                let config: MlflowConfig = settings_from(loaded.as_ref())?;
                let entry = match &config.server.credentials {
                    Some(name) => {
                        let credentials = source.load_config(
                            "credentials",
                            &["credentials*", "credentials*/**", "**/credentials*"],
                        )?;
                        let entry = credentials.and_then(|c| c.value.get(name).cloned());
                        if entry.is_none() {
                            let location = loaded
                                .as_ref()
                                .map(|l| l.location_of("server.credentials"))
                                .unwrap_or_default();
                            return Err(Box::new(SettingsError::at(
                                location,
                                SettingsProblem::new(
                                    "server.credentials",
                                    format!("names {name:?}, which is not in credentials.yml"),
                                )
                                .help(format!(
                                    "add `{name}:` with `username` and `password`, or `token`, to conf/local/credentials.yml"
                                )),
                            )));
                        }
                        entry
                    }
                    None => None,
                };
                (config, auth_from_env(entry.as_ref()))
            }
            (None, None) => (MlflowConfig::default(), auth_from_env(None)),
        };
        let (config, run_id) = config.with_env(|name| std::env::var(name).ok());
        if let Err(problem) = config.check() {
            // Only the environment can have made a checked file's settings wrong.
            let location = if self.fixed.is_some() {
                "the configuration given in code"
            } else {
                "mlflow.yml and the environment variables MLFLOW_*"
            };
            return Err(Box::new(SettingsError::at(location, problem)));
        }
        self.tracker.configure(
            config,
            run_id.or_else(|| self.join.clone()),
            auth,
            event.parameters.clone(),
            Some(event.project_path.to_owned()),
            Some(event.env.to_owned()),
        );
        Ok(())
    }

    fn before_pipeline_run(&self, event: &BeforePipelineRun<'_>) -> HookResult {
        if !self.tracker.is_configured() {
            self.configure_without_project();
        }
        self.tracker.start_run(event.run_params, event.pipeline)
    }

    fn after_node_run(&self, event: &AfterNodeRun<'_>) -> HookResult {
        if !event.skipped {
            self.tracker
                .node_duration(event.node.full_name(), event.duration);
        }
        Ok(())
    }

    fn after_pipeline_run(&self, _event: &AfterPipelineRun<'_>) -> HookResult {
        self.tracker.end_run(None)
    }

    fn on_pipeline_error(&self, event: &PipelineFailed<'_>) {
        if let Err(error) = self.tracker.end_run(Some(&event.error.to_string())) {
            tracing::error!("{error}");
        }
    }
}

impl Plugin for MlflowHook {
    fn plugin_name(&self) -> String {
        "weir.mlflow".to_owned()
    }

    fn register(self: Arc<Self>, plugin: &mut PluginRegistrar) {
        plugin
            .settings::<MlflowConfig>()
            .dataset_types(self.dataset_types())
            .hooks_shared(self);
    }

    fn run_summary(&self) -> Vec<String> {
        self.tracker.summary()
    }
}
