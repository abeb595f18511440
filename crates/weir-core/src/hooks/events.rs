//! The events hooks receive: one struct per lifecycle point, borrowing what the runner holds.
//!
//! Events are `#[non_exhaustive]`: fields may be added without breaking hooks, which only read
//! them.

use std::path::Path;
use std::time::Duration;

use crate::catalog::Catalog;
use crate::error::{DatasetError, DatasetOperation, RunError, TaskError};
use crate::hooks::config::ConfigSource;
use crate::node::Node;
use crate::pipeline::Pipeline;
use crate::run::{RunParams, RunResult};
use crate::value::Value;

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
