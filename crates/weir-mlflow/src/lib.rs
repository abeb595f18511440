//! Experiment tracking for Weir: kedro-mlflow's hook and datasets, over MLflow's REST API (no
//! Python).
//!
//! ```yaml
//! # conf/base/mlflow.yml: kedro-mlflow's keys (see MlflowConfig)
//! server:
//!   mlflow_tracking_uri: http://127.0.0.1:5000
//! tracking:
//!   experiment:
//!     name: spaceflights
//! ```
//!
//! ```yaml
//! # conf/base/catalog.yml: the model uploaded as an artifact, the metrics logged
//! regressor:
//!   type: kedro_mlflow.io.artifacts.MlflowArtifactDataset
//!   dataset:
//!     type: pickle.PickleDataset
//!     filepath: data/06_models/regressor.pickle
//!     versioned: true
//!
//! metrics:
//!   type: kedro_mlflow.io.metrics.MlflowMetricsHistoryDataset
//! ```
//!
//! Register [`MlflowHook`] on the project with `Project::plugin` (see its example); each run is then
//! an MLflow run with its parameters, metrics and artifacts. `MLFLOW_TRACKING_URI`,
//! `MLFLOW_EXPERIMENT_NAME` and `MLFLOW_RUN_ID` override the file. Authentication comes from
//! `MLFLOW_TRACKING_USERNAME`/`MLFLOW_TRACKING_PASSWORD`, `MLFLOW_TRACKING_TOKEN`, or a
//! `credentials.yml` entry named by `server.credentials`. Credentials never appear in logs or
//! errors.
//!
//! `https://` servers need the `tls` feature.

mod client;
mod config;
mod datasets;
mod hook;
mod tracker;
mod uri;

pub use client::{ApiError, Auth, Client, Experiment, Metric, RunInfo};
pub use config::{
    CreateExperiment, DEFAULT_TRACKING_URI, DictParams, DisableTracking, ExperimentConfig,
    LongParams, MlflowConfig, ParamsConfig, RunConfig, ServerConfig, TrackingConfig, UiConfig,
};
pub use datasets::{
    ARTIFACT, ArtifactDataset, METRIC, METRICS_HISTORY, MetricDataset, MetricsDataset,
};
pub use hook::MlflowHook;
