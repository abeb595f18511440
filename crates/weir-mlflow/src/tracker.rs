//! The state shared by the hook and the MLflow datasets: the server, the run, and what could
//! not be logged.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value as Json;
use weir_core::{BoxError, Pipeline, RunParams};

use crate::client::{ApiError, Auth, Client, Metric};
use crate::config::{LongParams, MlflowConfig};

/// MLflow's longest parameter value.
pub const MAX_PARAM_VALUE: usize = 6000;
/// The longest tag value Weir sends (MLflow guarantees at least 5000).
pub const MAX_TAG_VALUE: usize = 5000;

/// The run being tracked.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ActiveRun {
    pub run_id: String,
    pub experiment_id: String,
    pub artifact_uri: String,
    /// Whether Weir created (or resumed) it and so closes it. An orchestrator's run
    /// (`MLFLOW_RUN_ID`) is joined and left open.
    pub owned: bool,
}

#[derive(Debug, Default)]
struct State {
    config: Option<MlflowConfig>,
    external_run: Option<String>,
    client: Option<Client>,
    parameters: Json,
    project_path: Option<PathBuf>,
    env: Option<String>,
    run: Option<ActiveRun>,
    last_run: Option<ActiveRun>,
    /// Tracking is off for this run (`disable_tracking`).
    disabled: bool,
    /// No tracking server is configured anywhere: tracking is off.
    no_server: bool,
    /// Why the server is not used any more in this run (unreachable).
    down: Option<String>,
    not_logged: Vec<String>,
    /// What the last run could not log (for the summary).
    last_not_logged: Vec<String>,
    node_durations: Vec<Metric>,
    steps: HashMap<String, i64>,
}

/// Shared between the hook and the datasets; every method is safe from any thread.
#[derive(Debug, Default)]
pub(crate) struct Tracker {
    state: Mutex<State>,
}

/// Unix time in milliseconds.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

impl Tracker {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sets the configuration for the next runs.
    pub(crate) fn configure(
        &self,
        config: MlflowConfig,
        external_run: Option<String>,
        auth: Option<Auth>,
        parameters: Json,
        project_path: Option<PathBuf>,
        env: Option<String>,
    ) {
        let client = Client::new(
            &config.tracking_uri(),
            auth,
            Duration::from_secs_f64(config.server.timeout_s),
            config.server.retries,
            Duration::from_millis(config.server.retry_backoff_ms),
        );
        let mut state = self.state();
        state.no_server = config.server.mlflow_tracking_uri.is_none();
        state.config = Some(config);
        state.external_run = external_run;
        state.client = Some(client);
        state.parameters = parameters;
        state.project_path = project_path;
        state.env = env;
    }

    pub(crate) fn is_configured(&self) -> bool {
        self.state().config.is_some()
    }

    /// The run being tracked, or the last one.
    pub(crate) fn run(&self) -> Option<ActiveRun> {
        let state = self.state();
        state.run.clone().or_else(|| state.last_run.clone())
    }

    /// The client, for datasets that read back.
    pub(crate) fn client(&self) -> Option<Client> {
        self.state().client.clone()
    }

    fn strict(&self) -> bool {
        self.state().config.as_ref().is_some_and(|c| c.strict)
    }

    /// Records what could not be logged, and why. With `strict: true` the failure is returned
    /// (and fails the run); otherwise the first failure is a warning and the run goes on.
    pub(crate) fn failed(
        &self,
        what: &str,
        error: &dyn std::fmt::Display,
        unreachable: bool,
    ) -> Result<(), BoxError> {
        let strict = self.strict();
        let mut state = self.state();
        state.not_logged.push(what.to_owned());
        if strict {
            return Err(format!("MLflow tracking failed (strict: true in mlflow.yml): {what} was not logged: {error}").into());
        }
        if state.down.is_none() && (unreachable || state.not_logged.len() == 1) {
            tracing::warn!(
                "MLflow: {what} was not logged: {error}. The run goes on; what is not logged is listed at the end."
            );
        }
        if unreachable && state.down.is_none() {
            state.down = Some(error.to_string());
        }
        Ok(())
    }

    fn api_failed(&self, what: &str, error: &ApiError) -> Result<(), BoxError> {
        self.failed(what, error, error.is_unreachable())
    }

    /// The client and run to log to, or why not (`Ok(None)`: not tracked, nothing to do).
    fn target(&self, what: &str) -> Result<Option<(Client, ActiveRun)>, BoxError> {
        let (client, run, disabled, down, configured) = {
            let state = self.state();
            (
                state.client.clone(),
                state.run.clone(),
                state.disabled,
                state.down.clone(),
                state.config.is_some(),
            )
        };
        if disabled || !configured {
            return Ok(None);
        }
        if let Some(reason) = down {
            let mut state = self.state();
            state.not_logged.push(what.to_owned());
            if self.strict_locked(&state) {
                return Err(
                    format!("MLflow tracking failed: {what} was not logged: {reason}").into(),
                );
            }
            return Ok(None);
        }
        match (client, run) {
            (Some(client), Some(run)) => Ok(Some((client, run))),
            _ => {
                self.failed(
                    what,
                    &"there is no MLflow run (it could not be created)",
                    false,
                )?;
                Ok(None)
            }
        }
    }

    fn strict_locked(&self, state: &State) -> bool {
        state.config.as_ref().is_some_and(|c| c.strict)
    }

    /// Creates (or joins, or resumes) the run and logs the tags and parameters.
    pub(crate) fn start_run(
        &self,
        params: &RunParams,
        pipeline: &Pipeline,
    ) -> Result<(), BoxError> {
        let (config, client, external, parameters, project_path, env) = {
            let mut state = self.state();
            state.run = None;
            state.last_run = None;
            state.last_not_logged.clear();
            state.down = None;
            state.not_logged.clear();
            state.node_durations.clear();
            state.steps.clear();
            let Some(config) = state.config.clone() else {
                return Ok(());
            };
            (
                config,
                state.client.clone(),
                state.external_run.clone(),
                state.parameters.clone(),
                state.project_path.clone(),
                state.env.clone(),
            )
        };
        let Some(client) = client else { return Ok(()) };
        if self.state().no_server {
            self.state().disabled = true;
            tracing::info!(
                "MLflow tracking is off: no tracking server is configured. Set `server.mlflow_tracking_uri` in conf/<env>/mlflow.yml, or MLFLOW_TRACKING_URI, to a server (`./scripts/mlflow/server.sh` starts one) to track runs."
            );
            return Ok(());
        }
        let pipeline_name = pipeline_name(params);
        let disabled = !params.pipeline_names.is_empty()
            && params
                .pipeline_names
                .iter()
                .all(|p| config.tracking.disable_tracking.pipelines.contains(p))
            || params.pipeline_names.is_empty()
                && config
                    .tracking
                    .disable_tracking
                    .pipelines
                    .iter()
                    .any(|p| p == "__default__");
        self.state().disabled = disabled;
        if disabled {
            tracing::info!(
                "MLflow tracking is disabled for pipeline {pipeline_name} (mlflow.yml: tracking.disable_tracking)"
            );
            return Ok(());
        }
        let project_path = project_path.or_else(|| params.project_path.as_ref().map(PathBuf::from));
        let run_name = config
            .tracking
            .run
            .name
            .clone()
            .unwrap_or_else(|| pipeline_name.clone());
        let tags = run_tags(params, &run_name, &pipeline_name, env.as_deref());
        let run = match self.open_run(
            &client,
            &config,
            external.as_deref(),
            &run_name,
            &tags,
            project_path.as_deref(),
        ) {
            Ok(run) => run,
            Err(error) => {
                self.api_failed(
                    &format!(
                        "the run (experiment {:?})",
                        experiment_name(&config, project_path.as_deref())
                    ),
                    &error,
                )?;
                let (params, _, _) = pipeline_params(pipeline, &parameters, &config);
                if !params.is_empty() {
                    let names: Vec<&str> = params.iter().map(|(k, _)| k.as_str()).collect();
                    self.state()
                        .not_logged
                        .push(format!("parameters {}", names.join(", ")));
                }
                return Ok(());
            }
        };
        tracing::info!(
            "MLflow run {} in experiment {} at {}/#/experiments/{}/runs/{}",
            run.run_id,
            run.experiment_id,
            client.base(),
            run.experiment_id,
            run.run_id
        );
        self.state().run = Some(run.clone());
        // A joined run keeps its tags; Weir's go on as well (tags may be overwritten).
        let extra_tags = if run.owned { Vec::new() } else { tags };
        let (params_to_log, mut param_tags, problems) =
            pipeline_params(pipeline, &parameters, &config);
        for problem in problems {
            self.failed(&problem.0, &problem.1, false)?;
        }
        param_tags.extend(extra_tags);
        if let Err(error) = client.log_batch(&run.run_id, &[], &params_to_log, &param_tags) {
            let names: Vec<&str> = params_to_log.iter().map(|(k, _)| k.as_str()).collect();
            self.api_failed(&format!("parameters {}", names.join(", ")), &error)?;
        }
        Ok(())
    }

    fn open_run(
        &self,
        client: &Client,
        config: &MlflowConfig,
        external: Option<&str>,
        run_name: &str,
        tags: &[(String, String)],
        project_path: Option<&Path>,
    ) -> Result<ActiveRun, ApiError> {
        let active = |info: crate::client::RunInfo, owned: bool| ActiveRun {
            run_id: info.run_id,
            experiment_id: info.experiment_id,
            artifact_uri: info.artifact_uri,
            owned,
        };
        if let Some(run_id) = external {
            let parent = client.get_run(run_id)?;
            if !config.tracking.run.nested {
                return Ok(active(parent, false));
            }
            let mut tags = tags.to_vec();
            tags.push(("mlflow.parentRunId".to_owned(), parent.run_id.clone()));
            let child = client.create_run(&parent.experiment_id, run_name, now_ms(), &tags)?;
            return Ok(active(child, true));
        }
        if let Some(run_id) = &config.tracking.run.id {
            let info = client.get_run(run_id)?;
            client.update_run(run_id, "RUNNING", now_ms())?;
            return Ok(active(info, true));
        }
        let name = experiment_name(config, project_path);
        let experiment_id = match client.experiment_by_name(&name)? {
            Some(experiment) if experiment.lifecycle_stage == "deleted" => {
                if !config.tracking.experiment.restore_if_deleted {
                    return Err(ApiError::Unexpected {
                        server: client.base().to_owned(),
                        endpoint: "experiments/get-by-name".to_owned(),
                        message: format!(
                            "experiment {name:?} is deleted; restore it in the MLflow UI, choose another name, or set tracking.experiment.restore_if_deleted: true"
                        ),
                    });
                }
                client.restore_experiment(&experiment.id)?;
                experiment.id
            }
            Some(experiment) => experiment.id,
            None => {
                let kwargs = &config.tracking.experiment.create_experiment_kwargs;
                let tags: Vec<(String, String)> = kwargs
                    .tags
                    .clone()
                    .unwrap_or_default()
                    .into_iter()
                    .collect();
                client.create_experiment(&name, kwargs.artifact_location.as_deref(), &tags)?
            }
        };
        let info = client.create_run(&experiment_id, run_name, now_ms(), tags)?;
        Ok(active(info, true))
    }

    /// Logs metrics (from a dataset); `source` names them in failure reports.
    pub(crate) fn log_metrics(&self, source: &str, metrics: Vec<Metric>) -> Result<(), BoxError> {
        let Some((client, run)) = self.target(source)? else {
            return Ok(());
        };
        if let Err(error) = client.log_batch(&run.run_id, &metrics, &[], &[]) {
            self.api_failed(source, &error)?;
        }
        Ok(())
    }

    /// The next step of an appended metric.
    pub(crate) fn next_step(&self, key: &str) -> i64 {
        let mut state = self.state();
        let step = state.steps.entry(key.to_owned()).or_insert(-1);
        *step += 1;
        *step
    }

    /// Uploads a file as an artifact of the run, at `relative_path`.
    pub(crate) fn upload(
        &self,
        source: &str,
        local: &Path,
        relative_path: &str,
    ) -> Result<(), BoxError> {
        let what = format!("artifact {relative_path} ({source})");
        let Some((client, run)) = self.target(&what)? else {
            return Ok(());
        };
        let bytes = match std::fs::read(local) {
            Ok(bytes) => bytes,
            Err(error) => {
                self.failed(
                    &what,
                    &format!("cannot read {}: {error}", local.display()),
                    false,
                )?;
                return Ok(());
            }
        };
        if let Err(error) = client.upload_artifact(&run.artifact_uri, relative_path, bytes) {
            self.api_failed(&what, &error)?;
        }
        Ok(())
    }

    /// Keeps a node's duration, logged at the end of the run.
    pub(crate) fn node_duration(&self, node: &str, duration: Duration) {
        let mut state = self.state();
        let wanted = state
            .config
            .as_ref()
            .is_some_and(|c| c.tracking.node_durations);
        if wanted && state.run.is_some() {
            state.node_durations.push(Metric {
                key: format!("node_duration/{}", sanitise_key(node)),
                value: duration.as_secs_f64(),
                timestamp: now_ms(),
                step: 0,
            });
        }
    }

    /// Logs what is pending, marks the run FINISHED or FAILED (with the error as a tag), and
    /// lists what could not be logged.
    pub(crate) fn end_run(&self, error: Option<&str>) -> Result<(), BoxError> {
        let (client, run, durations, down) = {
            let mut state = self.state();
            let run = state.run.take();
            state.last_run = run.clone().or(state.last_run.take());
            (
                state.client.clone(),
                run,
                std::mem::take(&mut state.node_durations),
                state.down.clone(),
            )
        };
        let status = if error.is_some() {
            "FAILED"
        } else {
            "FINISHED"
        };
        let result = match (client, run) {
            (Some(client), Some(run)) if down.is_none() => {
                self.close(&client, &run, durations, error, status)
            }
            (_, Some(_)) => {
                self.state()
                    .not_logged
                    .push(format!("the run's {status} status"));
                Ok(())
            }
            _ => Ok(()),
        };
        self.report();
        result
    }

    fn close(
        &self,
        client: &Client,
        run: &ActiveRun,
        durations: Vec<Metric>,
        error: Option<&str>,
        status: &str,
    ) -> Result<(), BoxError> {
        let mut tags = Vec::new();
        if let Some(error) = error {
            tags.push(("weir.error".to_owned(), truncate(error, MAX_TAG_VALUE)));
        }
        if (!durations.is_empty() || !tags.is_empty())
            && let Err(failure) = client.log_batch(&run.run_id, &durations, &[], &tags)
        {
            self.api_failed("node durations and the error tag", &failure)?;
        }
        if run.owned {
            if let Err(failure) = client.update_run(&run.run_id, status, now_ms()) {
                self.api_failed(&format!("the run's {status} status"), &failure)?;
            }
        } else {
            tracing::info!(
                "MLflow run {} belongs to the orchestrator (MLFLOW_RUN_ID): left open",
                run.run_id
            );
        }
        Ok(())
    }

    /// The run summary's lines: where the run is, and how much could not be logged.
    pub(crate) fn summary(&self) -> Vec<String> {
        let state = self.state();
        if state.no_server {
            return vec![
                "tracking off: no server configured (server.mlflow_tracking_uri in mlflow.yml, or MLFLOW_TRACKING_URI)".to_owned(),
            ];
        }
        if state.disabled {
            return vec!["tracking disabled for this pipeline (mlflow.yml)".to_owned()];
        }
        let mut lines = Vec::new();
        if let (Some(run), Some(client)) = (&state.last_run, &state.client) {
            lines.push(format!(
                "run {} at {}/#/experiments/{}/runs/{}",
                run.run_id,
                client.base(),
                run.experiment_id,
                run.run_id
            ));
        }
        if !state.last_not_logged.is_empty() {
            lines.push(format!(
                "{} item(s) not logged (listed in the warning above)",
                state.last_not_logged.len()
            ));
        }
        lines
    }

    /// Warns with everything that could not be logged in this run.
    pub(crate) fn report(&self) {
        let (not_logged, down) = {
            let mut state = self.state();
            state.last_not_logged = state.not_logged.clone();
            (std::mem::take(&mut state.not_logged), state.down.take())
        };
        if not_logged.is_empty() {
            return;
        }
        let reason = down.map(|d| format!(" ({d})")).unwrap_or_default();
        tracing::warn!(
            "MLflow: {} item(s) were not logged{reason}:\n{}",
            not_logged.len(),
            not_logged
                .iter()
                .map(|w| format!("  - {w}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }

    /// What could not be logged so far in this run (for tests and summaries).
    #[cfg(test)]
    pub(crate) fn not_logged(&self) -> Vec<String> {
        self.state().not_logged.clone()
    }
}

fn experiment_name(config: &MlflowConfig, project_path: Option<&Path>) -> String {
    config.tracking.experiment.name.clone().unwrap_or_else(|| {
        project_path.and_then(|p| p.file_name()).map_or_else(
            || "Default".to_owned(),
            |n| n.to_string_lossy().into_owned(),
        )
    })
}

/// `__default__`, or the pipeline names joined by `+` (kedro-mlflow's run name).
pub(crate) fn pipeline_name(params: &RunParams) -> String {
    if params.pipeline_names.is_empty() {
        "__default__".to_owned()
    } else {
        params.pipeline_names.join("+")
    }
}

/// The tags of a new run: MLflow's system tags and the run's parameters.
fn run_tags(
    params: &RunParams,
    run_name: &str,
    pipeline: &str,
    env: Option<&str>,
) -> Vec<(String, String)> {
    let command = std::env::args().collect::<Vec<_>>().join(" ");
    let mut tags = vec![
        ("mlflow.runName".to_owned(), run_name.to_owned()),
        ("mlflow.source.type".to_owned(), "LOCAL".to_owned()),
        (
            "mlflow.source.name".to_owned(),
            truncate(&command, MAX_TAG_VALUE),
        ),
        ("weir.run_id".to_owned(), params.run_id.clone()),
        ("weir.pipeline".to_owned(), pipeline.to_owned()),
        ("weir.command".to_owned(), truncate(&command, MAX_TAG_VALUE)),
        ("weir.runner".to_owned(), params.runner.clone()),
        ("weir.version".to_owned(), params.weir_version.clone()),
    ];
    if let Some(env) = env.or(params.env.as_deref()) {
        tags.push(("weir.env".to_owned(), env.to_owned()));
    }
    if let Some(user) = std::env::var("USER")
        .ok()
        .or_else(|| std::env::var("LOGNAME").ok())
    {
        tags.push(("mlflow.user".to_owned(), user));
    }
    if let Some(commit) = &params.git_commit {
        tags.push(("mlflow.source.git.commit".to_owned(), commit.clone()));
    }
    for (key, values) in [
        ("weir.tags", &params.filter.tags),
        ("weir.node_names", &params.filter.node_names),
        ("weir.from_nodes", &params.filter.from_nodes),
        ("weir.to_nodes", &params.filter.to_nodes),
        ("weir.from_inputs", &params.filter.from_inputs),
        ("weir.to_outputs", &params.filter.to_outputs),
        ("weir.namespaces", &params.filter.node_namespaces),
    ] {
        if !values.is_empty() {
            tags.push((key.to_owned(), truncate(&values.join(","), MAX_TAG_VALUE)));
        }
    }
    if !params.load_versions.is_empty() {
        let versions: Vec<String> = params
            .load_versions
            .iter()
            .map(|(k, v)| format!("{k}:{v}"))
            .collect();
        tags.push(("weir.load_versions".to_owned(), versions.join(",")));
    }
    if params
        .runtime_params
        .as_object()
        .is_some_and(|m| !m.is_empty())
    {
        tags.push((
            "weir.runtime_params".to_owned(),
            truncate(&params.runtime_params.to_string(), MAX_TAG_VALUE),
        ));
    }
    tags
}

/// Key-value pairs for MLflow (params, tags), or (what, why) pairs of values not logged.
type Pairs = Vec<(String, String)>;

/// The parameters the pipeline reads (`params:x`, `parameters`), as MLflow params (and tags
/// for long values with `long_params_strategy: tag`), and the values that could not be logged.
pub(crate) fn pipeline_params(
    pipeline: &Pipeline,
    parameters: &Json,
    config: &MlflowConfig,
) -> (Pairs, Pairs, Pairs) {
    let mut used: Vec<(String, Json)> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for node in pipeline.nodes() {
        for input in node.input_names() {
            if input == "parameters" {
                if let Some(map) = parameters.as_object() {
                    for (key, value) in map {
                        if seen.insert(key.clone()) {
                            used.push((key.clone(), value.clone()));
                        }
                    }
                }
            } else if let Some(path) = input.strip_prefix("params:")
                && seen.insert(path.to_owned())
            {
                let value = path
                    .split('.')
                    .try_fold(parameters, |value, key| value.get(key))
                    .cloned()
                    .unwrap_or(Json::Null);
                used.push((path.to_owned(), value));
            }
        }
    }
    let dict = &config.tracking.params.dict_params;
    let mut flat: Vec<(String, String)> = Vec::new();
    for (key, value) in used {
        flatten(
            &key,
            &value,
            dict.flatten,
            dict.recursive,
            &dict.sep,
            &mut flat,
        );
    }
    let mut params = Vec::new();
    let mut tags = Vec::new();
    let mut problems = Vec::new();
    for (key, value) in flat {
        let key = sanitise_key(&key);
        if value.chars().count() <= MAX_PARAM_VALUE {
            params.push((key, value));
            continue;
        }
        match config.tracking.params.long_params_strategy {
            LongParams::Tag => tags.push((key, truncate(&value, MAX_TAG_VALUE.max(MAX_PARAM_VALUE)))),
            LongParams::Truncate => params.push((key, truncate(&value, MAX_PARAM_VALUE))),
            LongParams::Fail => problems.push((
                format!("parameter {key}"),
                format!(
                    "its value has {} characters, more than MLflow's {MAX_PARAM_VALUE}; set tracking.params.long_params_strategy to tag or truncate in mlflow.yml",
                    value.chars().count()
                ),
            )),
        }
    }
    (params, tags, problems)
}

fn flatten(
    key: &str,
    value: &Json,
    enabled: bool,
    recursive: bool,
    sep: &str,
    out: &mut Vec<(String, String)>,
) {
    match value {
        Json::Object(map) if enabled && !map.is_empty() => {
            for (k, v) in map {
                let name = format!("{key}{sep}{k}");
                if recursive {
                    flatten(&name, v, true, true, sep, out);
                } else {
                    out.push((name, param_value(v)));
                }
            }
        }
        _ => out.push((key.to_owned(), param_value(value))),
    }
}

/// Strings as they are; everything else as JSON.
fn param_value(value: &Json) -> String {
    match value {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// MLflow keys: letters, digits, `_`, `-`, `.`, ` `, `/` and `:`; anything else becomes `_`.
pub(crate) fn sanitise_key(key: &str) -> String {
    key.chars()
        .map(|c| {
            if c.is_alphanumeric() || "_-. /:".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// At most `limit` characters.
pub(crate) fn truncate(text: &str, limit: usize) -> String {
    text.chars().take(limit).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use weir_core::node;

    fn model(x: u64, _options: Json) -> u64 {
        x
    }

    fn everything(x: u64, _all: Json) -> u64 {
        x
    }

    #[test]
    fn parameters_used_by_the_pipeline_are_flattened_as_configured() {
        let pipeline = Pipeline::new([node(model)
            .inputs(["x", "params:model_options"])
            .outputs("y")
            .name("train")]);
        let parameters = serde_json::json!({
            "model_options": {"test_size": 0.2, "random_state": 3, "features": ["a", "b"], "inner": {"depth": 2}},
            "unused": 1
        });
        let mut config = MlflowConfig::default();
        let (params, _, _) = pipeline_params(&pipeline, &parameters, &config);
        assert_eq!(params.len(), 1);
        assert_eq!(params[0].0, "model_options");
        assert!(params[0].1.contains("\"test_size\":0.2"), "{}", params[0].1);

        config.tracking.params.dict_params.flatten = true;
        let (params, _, _) = pipeline_params(&pipeline, &parameters, &config);
        let keys: Vec<&str> = params.iter().map(|(k, _)| k.as_str()).collect();
        // In the order of the parameters files.
        assert_eq!(
            keys,
            [
                "model_options.test_size",
                "model_options.random_state",
                "model_options.features",
                "model_options.inner.depth"
            ]
        );
        assert_eq!(params[0].1, "0.2");
        assert_eq!(params[2].1, "[\"a\",\"b\"]");

        config.tracking.params.dict_params.recursive = false;
        config.tracking.params.dict_params.sep = "/".to_owned();
        let (params, _, _) = pipeline_params(&pipeline, &parameters, &config);
        assert!(
            params
                .iter()
                .any(|(k, v)| k == "model_options/inner" && v == "{\"depth\":2}")
        );

        let all = Pipeline::new([node(everything)
            .inputs(["x", "parameters"])
            .outputs("y")
            .name("n")]);
        let (params, _, _) = pipeline_params(&all, &parameters, &MlflowConfig::default());
        assert_eq!(params.len(), 2);
    }

    #[test]
    fn long_values_follow_the_strategy() {
        let pipeline = Pipeline::new([node(model)
            .inputs(["x", "params:text"])
            .outputs("y")
            .name("n")]);
        let parameters = serde_json::json!({"text": "x".repeat(7000)});
        let mut config = MlflowConfig::default();
        let (params, tags, problems) = pipeline_params(&pipeline, &parameters, &config);
        assert!(params.is_empty() && tags.is_empty());
        assert!(problems[0].1.contains("7000 characters"), "{problems:?}");
        config.tracking.params.long_params_strategy = LongParams::Truncate;
        let (params, _, _) = pipeline_params(&pipeline, &parameters, &config);
        assert_eq!(params[0].1.len(), MAX_PARAM_VALUE);
        config.tracking.params.long_params_strategy = LongParams::Tag;
        let (params, tags, _) = pipeline_params(&pipeline, &parameters, &config);
        assert!(params.is_empty());
        assert_eq!(tags[0].0, "text");
    }

    #[test]
    fn keys_are_sanitised() {
        assert_eq!(sanitise_key("model options/a.b:c"), "model options/a.b:c");
        assert_eq!(sanitise_key("weird#key[0]"), "weird_key_0_");
    }

    #[test]
    fn failures_are_listed_and_strict_fails() {
        let tracker = Tracker::default();
        tracker.configure(MlflowConfig::default(), None, None, Json::Null, None, None);
        tracker
            .failed("metric a", &"boom", true)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(tracker.not_logged(), ["metric a"]);
        let strict = MlflowConfig {
            strict: true,
            ..MlflowConfig::default()
        };
        tracker.configure(strict, None, None, Json::Null, None, None);
        let error = tracker
            .failed("metric b", &"boom", true)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            error.contains("strict") && error.contains("metric b"),
            "{error}"
        );
    }
}
