//! The core of Weir: nodes from plain functions, pipelines validated before they run, the
//! lifecycle hooks every integration is built on, the data catalog, and the runners.
//!
//! This crate has no dataframe library and no I/O beyond memory, so it builds in seconds; file
//! datasets, configuration and the CLI live in other crates, re-exported by the `weir` facade.
//!
//! # A three-node pipeline with one hook
//!
//! ```
//! use std::sync::Mutex;
//! use serde::Deserialize;
//! use weir_core::*;
//!
//! #[derive(Deserialize)]
//! struct Scaling { factor: f64 }
//!
//! fn clean(raw: Vec<f64>) -> Vec<f64> {
//!     raw.into_iter().filter(|x| x.is_finite()).collect()
//! }
//!
//! fn scale(values: Vec<f64>, scaling: Param<Scaling>) -> Vec<f64> {
//!     values.iter().map(|x| x * scaling.factor).collect()
//! }
//!
//! fn summarise(values: Vec<f64>) -> (f64, u64) {
//!     (values.iter().sum(), values.len() as u64)
//! }
//!
//! /// Records each node as it finishes, with its duration.
//! #[derive(Default)]
//! struct Journal(Mutex<Vec<String>>);
//!
//! impl Hooks for Journal {
//!     fn after_node_run(&self, event: &AfterNodeRun<'_>) -> HookResult {
//!         self.0.lock().unwrap().push(event.node.full_name().to_owned());
//!         Ok(())
//!     }
//! }
//!
//! let pipeline = Pipeline::new([
//!     node(clean).inputs("raw").outputs("clean").name("clean"),
//!     node(scale).inputs(["clean", "params:scaling"]).outputs("scaled").name("scale"),
//!     node(summarise).inputs("scaled").outputs(["total", "count"]).name("summarise"),
//! ]);
//!
//! let mut catalog = Catalog::new();
//! catalog.add_value("raw", vec![1.0, f64::NAN, 2.0]);
//! catalog.add_parameters(serde_json::json!({"scaling": {"factor": 10.0}}));
//!
//! let journal = std::sync::Arc::new(Journal::default());
//! let hooks = HookManager::new().with(journal.clone());
//! let result = SequentialRunner::new()
//!     .run(&pipeline, &catalog, &hooks, &RunParams::new())
//!     .unwrap();
//!
//! assert_eq!(result.output::<f64>("total"), Some(&30.0));
//! assert_eq!(result.output::<u64>("count"), Some(&2));
//! assert_eq!(*journal.0.lock().unwrap(), ["clean", "scale", "summarise"]);
//! ```
//!
//! A mistake is found before anything runs, with every problem at once:
//!
//! ```
//! use weir_core::*;
//!
//! let pipeline = Pipeline::new([
//!     node(|x: u64| x.to_string()).inputs("x").outputs("text").name("format"),
//!     node(|n: u64| n + 1).inputs("text").outputs("y").name("increment"),
//! ]);
//! let error = pipeline.validate(&Catalog::new()).unwrap_err();
//! let text = error.to_string();
//! assert!(text.contains("dataset 'x' read by node(s) format is not in the catalog"));
//! assert!(text.contains("dataset 'text': node 'format' returns `String` but node 'increment' takes `u64`"));
//! ```

// The modules form layers, bottom to top; a module imports only from the layers below its own
// (and from modules listed before it in its layer), so there are no cycles between modules:
//
// 1. `value`, `python`, `suggest`, `transcoding`, `problem`: leaves.
// 2. `error`: the error types (all but the validation report) and `BoxError`.
// 3. `node`, `catalog`, `run`: nodes, datasets, and what a run is given and returns.
// 4. `graph`, then `pipeline`, then `modular`: pipelines of nodes, and namespacing them.
// 5. `validation`: checking a pipeline against a catalog.
// 6. `hooks`: the lifecycle contract, its events and the hook manager.
// 7. `runner`: running a pipeline, calling the hooks.
pub mod catalog;
pub mod error;
mod graph;
pub mod hooks;
pub mod modular;
pub mod node;
pub mod pipeline;
mod problem;
mod python;
mod run;
pub mod runner;
pub mod suggest;
pub mod transcoding;
pub mod validation;
pub mod value;

pub use catalog::{AnyDataset, Catalog, Dataset, DatasetResolver, MemoryDataset};
pub use error::{
    BoxError, DatasetError, DatasetOperation, HookFailure, Interruption, PipelineError,
    ResumeSuggestion, RunError, TaskError, TaskFailure,
};
pub use hooks::{
    AfterDatasetLoaded, AfterDatasetSaved, AfterNodeRun, AfterPipelineRun, BeforeDatasetLoaded,
    BeforeDatasetSaved, BeforeNodeRun, BeforePipelineRun, CatalogCreated, ConfigSource,
    ContextCreated, DatasetFailed, HookManager, HookResult, Hooks, NoHooks, NodeDirective,
    NodeFailed, NodeValues, PipelineFailed, PluginConfig, PluginConfigError,
};
pub use modular::{ModularPipeline, pipeline};
pub use node::{
    ArgSpec, IntoNode, Node, NodeArg, NodeArgs, NodeOutputs, Param, ParamMismatch, node,
};
pub use pipeline::{Pipeline, PipelineFilter, PipelineItem};
pub use runner::{
    Interrupt, NodeReport, ParallelRunner, RunParams, RunResult, Runner, SequentialRunner,
    find_nodes_to_resume_from, generate_timestamp, unique_run_id,
};
pub use transcoding::strip_transcoding;
pub use validation::{Problem, ProblemKind, ValidationReport};
pub use value::{Data, TypeInfo, Value};
