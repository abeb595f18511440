//! kedro-mlflow's catalog datasets: metrics logged and artifacts uploaded as nodes save them.

use std::any::Any;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value as Json;
use weir_config::{BuildContext, ConfigError, DatasetRegistry, DatasetSpec};
use weir_core::{AnyDataset, DatasetError, TypeInfo, Value};

use crate::client::Metric;
use crate::tracker::{Tracker, now_ms, sanitise_key};

/// kedro-mlflow's type names.
pub const METRICS_HISTORY: &str = "kedro_mlflow.io.metrics.MlflowMetricsHistoryDataset";
/// A single metric.
pub const METRIC: &str = "kedro_mlflow.io.metrics.MlflowMetricDataset";
/// A file dataset whose saves are uploaded.
pub const ARTIFACT: &str = "kedro_mlflow.io.artifacts.MlflowArtifactDataset";

pub(crate) fn register(registry: &mut DatasetRegistry, tracker: &Arc<Tracker>) {
    let shared = Arc::clone(tracker);
    registry.register(METRICS_HISTORY, move |spec, _| {
        Ok(Arc::new(MetricsDataset {
            name: spec.name.clone(),
            prefix: spec.take_as::<String>("prefix")?,
            run_id: spec.take_as::<String>("run_id")?,
            tracker: Arc::clone(&shared),
        }))
    });
    let shared = Arc::clone(tracker);
    registry.register(METRIC, move |spec, _| {
        let mode = spec
            .take_save_as::<String>("mode")?
            .unwrap_or_else(|| "overwrite".to_owned());
        if !matches!(mode.as_str(), "overwrite" | "append") {
            return Err(spec.error(format!(
                "`save_args.mode` is {mode:?}: use overwrite or append"
            )));
        }
        Ok(Arc::new(MetricDataset {
            key: spec
                .take_as::<String>("key")?
                .unwrap_or_else(|| spec.name.clone()),
            run_id: spec.take_as::<String>("run_id")?,
            append: mode == "append",
            tracker: Arc::clone(&shared),
        }))
    });
    let shared = Arc::clone(tracker);
    registry.register(ARTIFACT, move |spec, ctx| {
        artifact_from_spec(spec, ctx, &shared)
    });
    for (short, full) in [
        ("mlflow.MlflowMetricsHistoryDataset", METRICS_HISTORY),
        ("mlflow.MlflowMetricDataset", METRIC),
        ("mlflow.MlflowArtifactDataset", ARTIFACT),
    ] {
        registry.alias(short, full);
    }
}

fn error(name: &str, message: impl std::fmt::Display) -> DatasetError {
    DatasetError::message(format!("dataset '{name}': {message}"))
}

/// The latest values of a run's metrics.
fn run_metrics(
    tracker: &Tracker,
    run_id: Option<&str>,
    name: &str,
) -> Result<BTreeMap<String, f64>, DatasetError> {
    let client = tracker.client().ok_or_else(|| {
        error(
            name,
            "MLflow is not configured (register weir_mlflow::MlflowHook)",
        )
    })?;
    let run_id = match run_id {
        Some(id) => id.to_owned(),
        None => tracker.run().map(|r| r.run_id).ok_or_else(|| {
            error(
                name,
                "there is no MLflow run to read metrics from; give `run_id:`",
            )
        })?,
    };
    let run = client.get_run_json(&run_id).map_err(|e| error(name, e))?;
    let mut metrics = BTreeMap::new();
    for metric in run["run"]["data"]["metrics"]
        .as_array()
        .into_iter()
        .flatten()
    {
        if let (Some(key), Some(value)) = (metric["key"].as_str(), number(&metric["value"])) {
            metrics.insert(key.to_owned(), value);
        }
    }
    Ok(metrics)
}

/// A JSON number, or MLflow's `"NaN"` / `"Infinity"` strings.
fn number(value: &Json) -> Option<f64> {
    match value {
        Json::Number(n) => n.as_f64(),
        Json::String(s) => match s.as_str() {
            "NaN" => Some(f64::NAN),
            "Infinity" => Some(f64::INFINITY),
            "-Infinity" => Some(f64::NEG_INFINITY),
            other => other.parse().ok(),
        },
        _ => None,
    }
}

/// `kedro_mlflow.io.metrics.MlflowMetricsHistoryDataset`: a map of metric name to value, or
/// to `{value, step}`, or to a history (a list of values, or of `{value, step, timestamp}`).
/// `prefix: eval` logs `eval.r2_score`. Loading gives the latest values.
#[derive(Debug)]
pub struct MetricsDataset {
    name: String,
    prefix: Option<String>,
    run_id: Option<String>,
    tracker: Arc<Tracker>,
}

impl MetricsDataset {
    fn key(&self, name: &str) -> String {
        sanitise_key(&match &self.prefix {
            Some(prefix) => format!("{prefix}.{name}"),
            None => name.to_owned(),
        })
    }

    fn metrics(&self, value: &Value) -> Result<Vec<Metric>, DatasetError> {
        let now = now_ms();
        let single = |key: &str, value: f64| Metric {
            key: self.key(key),
            value,
            timestamp: now,
            step: 0,
        };
        if let Some(map) = value.downcast_ref::<BTreeMap<String, f64>>() {
            return Ok(map.iter().map(|(k, v)| single(k, *v)).collect());
        }
        if let Some(map) = value.downcast_ref::<HashMap<String, f64>>() {
            let mut metrics: Vec<Metric> = map.iter().map(|(k, v)| single(k, *v)).collect();
            metrics.sort_by(|a, b| a.key.cmp(&b.key));
            return Ok(metrics);
        }
        if let Some(map) = value.downcast_ref::<BTreeMap<String, Vec<f64>>>() {
            return Ok(map
                .iter()
                .flat_map(|(k, values)| {
                    values.iter().enumerate().map(move |(step, v)| Metric {
                        step: step as i64,
                        ..single(k, *v)
                    })
                })
                .collect());
        }
        if let Some(json) = value.downcast_ref::<Json>() {
            return self.metrics_from_json(json, now);
        }
        Err(error(
            &self.name,
            format!(
                "MlflowMetricsHistoryDataset saves a map of metric name to number (BTreeMap<String, f64>, HashMap<String, f64>, BTreeMap<String, Vec<f64>> or serde_json::Value), not {}",
                value.type_info().name()
            ),
        ))
    }

    fn metrics_from_json(&self, json: &Json, now: i64) -> Result<Vec<Metric>, DatasetError> {
        let bad = |key: &str| {
            error(
                &self.name,
                format!(
                    "metric {key:?}: write a number, {{value, step}}, or a list of numbers or of {{value, step, timestamp}}"
                ),
            )
        };
        let Some(map) = json.as_object() else {
            return Err(error(
                &self.name,
                "a JSON object of metric name to value is needed",
            ));
        };
        let mut metrics = Vec::new();
        for (key, entry) in map {
            let one = |entry: &Json, default_step: i64| -> Result<Metric, DatasetError> {
                if let Some(value) = number(entry) {
                    return Ok(Metric {
                        key: self.key(key),
                        value,
                        timestamp: now,
                        step: default_step,
                    });
                }
                let value = number(&entry["value"]).ok_or_else(|| bad(key))?;
                Ok(Metric {
                    key: self.key(key),
                    value,
                    timestamp: entry["timestamp"].as_i64().unwrap_or(now),
                    step: entry["step"].as_i64().unwrap_or(default_step),
                })
            };
            match entry {
                Json::Array(history) => {
                    for (step, item) in history.iter().enumerate() {
                        metrics.push(one(item, step as i64)?);
                    }
                }
                other => metrics.push(one(other, 0)?),
            }
        }
        Ok(metrics)
    }
}

impl AnyDataset for MetricsDataset {
    fn load_value(&self) -> Result<Value, DatasetError> {
        let metrics = run_metrics(&self.tracker, self.run_id.as_deref(), &self.name)?;
        let metrics: BTreeMap<String, f64> = match &self.prefix {
            Some(prefix) => metrics
                .into_iter()
                .filter_map(|(k, v)| {
                    k.strip_prefix(&format!("{prefix}."))
                        .map(|k| (k.to_owned(), v))
                })
                .collect(),
            None => metrics,
        };
        Ok(Value::new(metrics))
    }

    fn load_value_for(&self, _expected: TypeInfo) -> Result<Value, DatasetError> {
        self.load_value()
    }

    fn save_value(&self, value: &Value) -> Result<(), DatasetError> {
        let metrics = self.metrics(value)?;
        let names: Vec<String> = metrics.iter().map(|m| m.key.clone()).collect();
        self.tracker
            .log_metrics(
                &format!("metrics {} (dataset '{}')", names.join(", "), self.name),
                metrics,
            )
            .map_err(|e| error(&self.name, e))
    }

    fn exists(&self) -> Result<bool, DatasetError> {
        Ok(self.tracker.run().is_some() || self.run_id.is_some())
    }

    fn release(&self) {}

    fn confirm(&self) -> Result<(), DatasetError> {
        Ok(())
    }

    fn describe(&self) -> String {
        format!("MlflowMetricsHistoryDataset(prefix={:?})", self.prefix)
    }

    fn type_name(&self) -> String {
        METRICS_HISTORY.to_owned()
    }

    fn value_type(&self) -> Option<TypeInfo> {
        None
    }

    fn is_ephemeral(&self) -> bool {
        false
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `kedro_mlflow.io.metrics.MlflowMetricDataset`: one number under `key` (default: the
/// dataset's name); `save_args: {mode: append}` logs each save at the next step.
#[derive(Debug)]
pub struct MetricDataset {
    key: String,
    run_id: Option<String>,
    append: bool,
    tracker: Arc<Tracker>,
}

impl weir_core::Dataset for MetricDataset {
    type Value = f64;

    fn load(&self) -> Result<f64, DatasetError> {
        run_metrics(&self.tracker, self.run_id.as_deref(), &self.key)?
            .get(&sanitise_key(&self.key))
            .copied()
            .ok_or_else(|| error(&self.key, "the run has no such metric"))
    }

    fn save(&self, value: &f64) -> Result<(), DatasetError> {
        let key = sanitise_key(&self.key);
        let step = if self.append {
            self.tracker.next_step(&key)
        } else {
            0
        };
        self.tracker
            .log_metrics(
                &format!("metric {key}"),
                vec![Metric {
                    key: key.clone(),
                    value: *value,
                    timestamp: now_ms(),
                    step,
                }],
            )
            .map_err(|e| error(&self.key, e))
    }

    fn describe(&self) -> String {
        format!("MlflowMetricDataset(key={})", self.key)
    }
}

/// `kedro_mlflow.io.artifacts.MlflowArtifactDataset`: any file dataset (`dataset:`), whose
/// every save is also uploaded to the run's artifacts (under `artifact_path`, if given).
/// Loading reads the local file, as the wrapped dataset does.
pub struct ArtifactDataset {
    name: String,
    inner: Arc<dyn AnyDataset>,
    filepath: PathBuf,
    versioned: bool,
    save_version: Option<String>,
    artifact_path: Option<String>,
    tracker: Arc<Tracker>,
}

impl std::fmt::Debug for ArtifactDataset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArtifactDataset")
            .field("name", &self.name)
            .field("filepath", &self.filepath)
            .field("artifact_path", &self.artifact_path)
            .finish_non_exhaustive()
    }
}

fn artifact_from_spec(
    spec: &mut DatasetSpec,
    ctx: &BuildContext<'_>,
    tracker: &Arc<Tracker>,
) -> Result<Arc<dyn AnyDataset>, ConfigError> {
    let Some(inner) = spec.take("dataset") else {
        return Err(spec
            .error("`MlflowArtifactDataset` needs `dataset:`, the file dataset it wraps")
            .with_help("for example `dataset: {type: pickle.PickleDataset, filepath: data/06_models/regressor.pickle}`"));
    };
    if !inner.is_object() {
        return Err(spec.error("`dataset:` must be a mapping with `type` and `filepath`"));
    }
    let Some(filepath) = inner
        .get("filepath")
        .and_then(Json::as_str)
        .map(PathBuf::from)
    else {
        return Err(spec.error(
            "the wrapped `dataset:` needs a `filepath`: only files can be uploaded as artifacts",
        ));
    };
    let versioned = inner
        .get("versioned")
        .and_then(Json::as_bool)
        .unwrap_or(false);
    let artifact_path = spec.take_as::<String>("artifact_path")?;
    if spec.take("run_id").is_some() {
        return Err(spec.error("`run_id` is not supported: artifacts go to the pipeline's run"));
    }
    let built = ctx.build_nested(&spec.name, &inner, spec.loc.as_ref())?;
    Ok(Arc::new(ArtifactDataset {
        name: spec.name.clone(),
        inner: built,
        filepath,
        versioned,
        save_version: ctx.version.as_ref().and_then(|v| v.save.clone()),
        artifact_path: artifact_path
            .map(|p| p.trim_matches('/').to_owned())
            .filter(|p| !p.is_empty()),
        tracker: Arc::clone(tracker),
    }))
}

impl ArtifactDataset {
    /// The file the last save wrote: `<filepath>/<version>/<file name>` when versioned.
    fn saved_file(&self) -> Option<PathBuf> {
        if !self.versioned {
            return Some(self.filepath.clone());
        }
        let file_name = self.filepath.file_name()?;
        let version = match &self.save_version {
            Some(version) => version.clone(),
            None => {
                let mut versions: Vec<String> = std::fs::read_dir(&self.filepath)
                    .ok()?
                    .filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect();
                versions.sort();
                versions.pop()?
            }
        };
        Some(self.filepath.join(version).join(file_name))
    }

    fn upload(&self, local: &Path) -> Result<(), DatasetError> {
        let mut files = Vec::new();
        collect_files(local, local, &mut files);
        let base = local
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        for (file, relative) in files {
            let relative = if relative.is_empty() {
                base.clone()
            } else {
                format!("{base}/{relative}")
            };
            let target = match &self.artifact_path {
                Some(folder) => format!("{folder}/{relative}"),
                None => relative,
            };
            self.tracker
                .upload(&format!("dataset '{}'", self.name), &file, &target)
                .map_err(|e| error(&self.name, e))?;
        }
        Ok(())
    }
}

/// Files under `path` (itself, if it is a file) with their paths relative to it.
fn collect_files(root: &Path, path: &Path, out: &mut Vec<(PathBuf, String)>) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        entries.sort();
        for entry in entries {
            collect_files(root, &entry, out);
        }
    } else {
        let relative = path
            .strip_prefix(root)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        out.push((path.to_owned(), relative));
    }
}

impl AnyDataset for ArtifactDataset {
    fn load_value(&self) -> Result<Value, DatasetError> {
        self.inner.load_value()
    }

    fn load_value_for(&self, expected: TypeInfo) -> Result<Value, DatasetError> {
        self.inner.load_value_for(expected)
    }

    fn save_value(&self, value: &Value) -> Result<(), DatasetError> {
        self.inner.save_value(value)?;
        match self.saved_file() {
            Some(file) if file.exists() => self.upload(&file),
            _ => Err(error(
                &self.name,
                format!(
                    "saved, but the file to upload was not found under {}",
                    self.filepath.display()
                ),
            )),
        }
    }

    fn exists(&self) -> Result<bool, DatasetError> {
        self.inner.exists()
    }

    fn release(&self) {
        self.inner.release();
    }

    fn confirm(&self) -> Result<(), DatasetError> {
        self.inner.confirm()
    }

    fn describe(&self) -> String {
        format!("MlflowArtifactDataset({})", self.inner.describe())
    }

    fn type_name(&self) -> String {
        ARTIFACT.to_owned()
    }

    fn value_type(&self) -> Option<TypeInfo> {
        self.inner.value_type()
    }

    fn is_ephemeral(&self) -> bool {
        false
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
