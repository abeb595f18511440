//! `conf/<env>/mlflow.yml`, with kedro-mlflow's keys, and the `MLFLOW_*` environment.

use std::collections::BTreeMap;

use serde::Deserialize;
use weir_config::plugin::{PluginSettings, SettingsError, SettingsProblem, settings_from};
use weir_core::PluginConfig;

use crate::uri::redact_uri;

/// The hook's configuration: kedro-mlflow's `mlflow.yml` keys (all optional), plus Weir's
/// `strict`.
///
/// ```yaml
/// server:
///   mlflow_tracking_uri: http://127.0.0.1:5000   # MLFLOW_TRACKING_URI overrides
///   credentials: mlflow          # an entry of credentials.yml: username/password or token
///   timeout_s: 10
///   retries: 3                   # attempts per call when the server is down or busy
/// tracking:
///   disable_tracking:
///     pipelines: [reporting]
///   experiment:
///     name: spaceflights         # MLFLOW_EXPERIMENT_NAME overrides
///     create_experiment_kwargs: {artifact_location: null, tags: {team: data}}
///     restore_if_deleted: true
///   run:
///     id: null                   # resume a run; MLFLOW_RUN_ID joins an orchestrator's run
///     name: null                 # default: the pipeline names joined by `+`
///     nested: false              # with MLFLOW_RUN_ID: a child run under it instead
///   params:
///     dict_params: {flatten: false, recursive: true, sep: "."}
///     long_params_strategy: fail # fail | tag | truncate
///   node_durations: false        # each node's duration as a metric
/// ui: {host: 127.0.0.1, port: "5000"}
/// strict: false                  # tracking failures fail the run
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct MlflowConfig {
    /// Where the server is and how to reach it.
    pub server: ServerConfig,
    /// What is tracked.
    pub tracking: TrackingConfig,
    /// `mlflow ui` settings (kept for kedro-mlflow's files; Weir does not start a UI).
    pub ui: UiConfig,
    /// Whether a tracking failure fails the run (default: warn, list what was not logged,
    /// and carry on).
    pub strict: bool,
}

/// `server:`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct ServerConfig {
    /// The tracking server's URL (`http://host:port`, `https://` with the `tls` feature).
    pub mlflow_tracking_uri: Option<String>,
    /// The model registry's URL (accepted for kedro-mlflow's files; unused).
    pub mlflow_registry_uri: Option<String>,
    /// The name of a `credentials.yml` entry holding `username` and `password`, or `token`
    /// (or the `MLFLOW_TRACKING_*` variable names as keys, as kedro-mlflow exports them).
    pub credentials: Option<String>,
    /// kedro-mlflow's Python header provider: not available in Weir.
    pub request_header_provider: Option<serde_json::Value>,
    /// Seconds before a call gives up.
    pub timeout_s: f64,
    /// Attempts per call when the server cannot be reached or answers 5xx/429.
    pub retries: u32,
    /// The wait before the second attempt, doubled at each further one, in milliseconds.
    pub retry_backoff_ms: u64,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            mlflow_tracking_uri: None,
            mlflow_registry_uri: None,
            credentials: None,
            request_header_provider: None,
            timeout_s: 10.0,
            retries: 3,
            retry_backoff_ms: 200,
        }
    }
}

/// `tracking:`.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct TrackingConfig {
    /// Pipelines that are not tracked.
    pub disable_tracking: DisableTracking,
    /// The experiment runs go to.
    pub experiment: ExperimentConfig,
    /// The run.
    pub run: RunConfig,
    /// How parameters are logged.
    pub params: ParamsConfig,
    /// Whether each node's duration is logged as a metric `node_duration/<node>` (seconds).
    pub node_durations: bool,
}

/// `tracking.disable_tracking`.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct DisableTracking {
    /// A run is not tracked when every pipeline it runs is listed here.
    pub pipelines: Vec<String>,
    /// Accepted for kedro-mlflow's files (Weir has no autologging).
    pub disable_autologging: bool,
}

/// `tracking.experiment`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct ExperimentConfig {
    /// The experiment's name (default: the project folder's name).
    pub name: Option<String>,
    /// Used when the experiment is created.
    pub create_experiment_kwargs: CreateExperiment,
    /// Whether a deleted experiment of that name is restored (otherwise: an error).
    pub restore_if_deleted: bool,
}

impl Default for ExperimentConfig {
    fn default() -> Self {
        Self {
            name: None,
            create_experiment_kwargs: CreateExperiment::default(),
            restore_if_deleted: true,
        }
    }
}

/// `tracking.experiment.create_experiment_kwargs`.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct CreateExperiment {
    /// Where the experiment's artifacts go (default: the server's proxied store).
    pub artifact_location: Option<String>,
    /// Tags of the experiment.
    pub tags: Option<BTreeMap<String, String>>,
}

/// `tracking.run`.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct RunConfig {
    /// A run to resume (and close at the end).
    pub id: Option<String>,
    /// The run's name (default: the pipeline names joined by `+`).
    pub name: Option<String>,
    /// With `MLFLOW_RUN_ID`: create a child run under the orchestrator's run instead of
    /// logging into it. Weir's default is `false` (kedro-mlflow's is `true`).
    pub nested: bool,
}

/// `tracking.params`.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct ParamsConfig {
    /// How mapping parameters are logged.
    pub dict_params: DictParams,
    /// What happens to a value longer than MLflow accepts (6000 characters).
    pub long_params_strategy: LongParams,
}

/// `tracking.params.dict_params`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct DictParams {
    /// Log `model_options.test_size` instead of `model_options` as one JSON value.
    pub flatten: bool,
    /// Flatten nested mappings too.
    pub recursive: bool,
    /// The separator of flattened keys.
    pub sep: String,
}

impl Default for DictParams {
    fn default() -> Self {
        Self {
            flatten: false,
            recursive: true,
            sep: ".".to_owned(),
        }
    }
}

/// `tracking.params.long_params_strategy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LongParams {
    /// A tracking failure (a warning, or an error with `strict: true`).
    #[default]
    Fail,
    /// Logged as a tag (tags take longer values).
    Tag,
    /// Cut to the limit.
    Truncate,
}

/// `ui:`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct UiConfig {
    /// The UI's host.
    pub host: String,
    /// The UI's port (a string in kedro-mlflow's template).
    pub port: serde_json::Value,
}

impl Default for UiConfig {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".to_owned(),
            port: serde_json::Value::String("5000".to_owned()),
        }
    }
}

/// `mlflow server`'s and `mlflow ui`'s default address. Weir never tracks to it unasked: with
/// no `server.mlflow_tracking_uri` and no `MLFLOW_TRACKING_URI`, tracking is off.
pub const DEFAULT_TRACKING_URI: &str = "http://127.0.0.1:5000";

impl MlflowConfig {
    /// A configuration for a server at `tracking_uri` and an experiment `name`.
    pub fn new(tracking_uri: impl Into<String>, experiment: impl Into<String>) -> Self {
        let mut config = Self::default();
        config.server.mlflow_tracking_uri = Some(tracking_uri.into());
        config.tracking.experiment.name = Some(experiment.into());
        config
    }

    /// Reads `mlflow.yml` as loaded (`None`: no file, the defaults), then checks it.
    ///
    /// # Errors
    ///
    /// An unknown key, a value of the wrong type or a value [`PluginSettings::check`] refuses,
    /// naming the file, line and key.
    pub fn from_plugin_config(config: Option<&PluginConfig>) -> Result<Self, SettingsError> {
        settings_from(config)
    }

    /// Applies `MLFLOW_TRACKING_URI`, `MLFLOW_EXPERIMENT_NAME` and `MLFLOW_RUN_ID` from
    /// `lookup`. The run id is returned apart: it names an orchestrator's run, joined and
    /// never closed.
    pub fn with_env(mut self, lookup: impl Fn(&str) -> Option<String>) -> (Self, Option<String>) {
        let set = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        if let Some(uri) = set("MLFLOW_TRACKING_URI") {
            self.server.mlflow_tracking_uri = Some(uri.trim().to_owned());
        }
        if let Some(name) = set("MLFLOW_EXPERIMENT_NAME") {
            self.tracking.experiment.name = Some(name.trim().to_owned());
        }
        let run_id = set("MLFLOW_RUN_ID").map(|id| id.trim().to_owned());
        (self, run_id)
    }

    /// The tracking server's URL without a trailing `/`.
    pub fn tracking_uri(&self) -> String {
        self.server
            .mlflow_tracking_uri
            .as_deref()
            .unwrap_or(DEFAULT_TRACKING_URI)
            .trim_end_matches('/')
            .to_owned()
    }

    /// Checks a configuration built in code (a file's is checked when read).
    ///
    /// # Errors
    ///
    /// A URI that is not http(s), a timeout not above 0, no attempt allowed.
    pub fn validate(&self) -> Result<(), SettingsError> {
        self.check()
            .map_err(|problem| SettingsError::at("the configuration given in code", problem))
    }
}

impl PluginSettings for MlflowConfig {
    const KEY: &'static str = "mlflow";

    fn check(&self) -> Result<(), SettingsProblem> {
        if self.server.request_header_provider.is_some() {
            return Err(SettingsProblem::new(
                "server.request_header_provider",
                "plugs a Python class, which Weir cannot load",
            )
            .help("give a token with MLFLOW_TRACKING_TOKEN or `server.credentials`"));
        }
        let uri = self.tracking_uri();
        if !(uri.starts_with("http://") || uri.starts_with("https://")) {
            return Err(SettingsProblem::new(
                "server.mlflow_tracking_uri",
                format!(
                    "{:?} is not an http(s) URL: weir-mlflow talks to an MLflow server, not to a local `mlruns` folder",
                    redact_uri(&uri)
                ),
            )
            .help("start a server (`mlflow server --host 127.0.0.1 --port 5000`) and give its URL"));
        }
        if self.server.timeout_s.is_nan() || self.server.timeout_s <= 0.0 {
            return Err(SettingsProblem::new(
                "server.timeout_s",
                "must be above 0 seconds",
            ));
        }
        if self.server.retries == 0 {
            return Err(SettingsProblem::new(
                "server.retries",
                "must be at least 1 (the first attempt)",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn plugin(value: serde_json::Value) -> PluginConfig {
        let mut locations = BTreeMap::new();
        locations.insert("tracking".to_owned(), "conf/base/mlflow.yml:3:1".to_owned());
        locations.insert(
            "tracking.run".to_owned(),
            "conf/base/mlflow.yml:7:3".to_owned(),
        );
        PluginConfig {
            value,
            files: vec!["conf/base/mlflow.yml".into()],
            locations,
        }
    }

    #[test]
    fn kedro_mlflow_template_keys_are_read() {
        let config = MlflowConfig::from_plugin_config(Some(&plugin(serde_json::json!({
            "server": {"mlflow_tracking_uri": "http://mlflow:5000/", "mlflow_registry_uri": null, "credentials": null},
            "tracking": {
                "disable_tracking": {"pipelines": ["reporting"], "disable_autologging": true},
                "experiment": {"name": "spaceflights", "restore_if_deleted": true, "create_experiment_kwargs": {"artifact_location": null, "tags": null}},
                "run": {"id": null, "name": null, "nested": true},
                "params": {"dict_params": {"flatten": true, "recursive": true, "sep": "."}, "long_params_strategy": "tag"}
            },
            "ui": {"port": "5000", "host": "127.0.0.1"}
        }))))
        .unwrap();
        assert_eq!(config.tracking_uri(), "http://mlflow:5000");
        assert_eq!(config.tracking.disable_tracking.pipelines, ["reporting"]);
        assert!(config.tracking.params.dict_params.flatten);
        assert_eq!(config.tracking.params.long_params_strategy, LongParams::Tag);
        assert!(config.tracking.run.nested);
    }

    #[test]
    fn errors_name_the_key_and_line() {
        let error = MlflowConfig::from_plugin_config(Some(&plugin(
            serde_json::json!({"tracking": {"run": {"nmae": "x"}}}),
        )))
        .unwrap_err()
        .to_string();
        assert!(error.contains("mlflow.yml:7:3"), "{error}");
        assert!(error.contains("unknown field `nmae`"), "{error}");

        let error = MlflowConfig::from_plugin_config(Some(&plugin(serde_json::json!({
            "server": {"mlflow_tracking_uri": "mlruns"}
        }))))
        .unwrap_err()
        .to_string();
        assert!(error.contains("not an http(s) URL"), "{error}");

        let error = MlflowConfig::from_plugin_config(Some(&plugin(serde_json::json!({
            "tracking": {"params": {"long_params_strategy": "drop"}}
        }))))
        .unwrap_err()
        .to_string();
        assert!(error.contains("truncate"), "{error}");
    }

    #[test]
    fn the_environment_overrides_uri_experiment_and_joins_a_run() {
        let env = |name: &str| match name {
            "MLFLOW_TRACKING_URI" => Some("http://10.0.0.2:5000".to_owned()),
            "MLFLOW_EXPERIMENT_NAME" => Some("nightly".to_owned()),
            "MLFLOW_RUN_ID" => Some("abc123".to_owned()),
            _ => None,
        };
        let (config, run) = MlflowConfig::default().with_env(env);
        assert_eq!(config.tracking_uri(), "http://10.0.0.2:5000");
        assert_eq!(config.tracking.experiment.name.as_deref(), Some("nightly"));
        assert_eq!(run.as_deref(), Some("abc123"));
        let (config, run) = MlflowConfig::default().with_env(|_| None);
        assert_eq!(config.tracking_uri(), DEFAULT_TRACKING_URI);
        assert_eq!(run, None);
    }
}
