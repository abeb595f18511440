//! Weir: production data pipelines in Rust, in the spirit of Kedro, extended through lifecycle
//! hooks.
//!
//! Most projects need only the prelude:
//!
//! ```
//! use weir::prelude::*;
//!
//! #[derive(Clone, Data)]
//! struct Model { slope: f64 }
//!
//! fn fit(xs: Vec<f64>) -> Model { Model { slope: xs.iter().sum::<f64>() / xs.len() as f64 } }
//! fn predict(model: Model, x: f64) -> f64 { model.slope * x }
//!
//! let pipeline = Pipeline::new([
//!     node(fit).inputs("xs").outputs("model"),
//!     node(predict).inputs(["model", "x"]).outputs("prediction"),
//! ]);
//! let mut catalog = Catalog::new();
//! catalog.add_value("xs", vec![1.0, 2.0, 3.0]);
//! catalog.add_value("x", 10.0);
//! let result = SequentialRunner::new().run(&pipeline, &catalog, &NoHooks, &RunParams::new()).unwrap();
//! assert_eq!(result.output::<f64>("prediction"), Some(&20.0));
//! ```

pub use weir_core::*;
pub use weir_macros::Data;

/// Logging: nodes log with `weir::tracing::info!` and the CLI shows it.
pub use tracing;

/// serde, for crates that depend on `weir` only: derive with
/// `#[derive(weir::serde::Deserialize)] #[serde(crate = "weir::serde")]`.
pub use serde;

/// The polars version Weir's datasets use (use it, so `DataFrame` is one type).
#[cfg(feature = "polars")]
pub use polars;
/// Projects, sessions, the command line, run history and scaffolding.
pub use weir_cli as cli;
pub use weir_cli::{Project, Session, SessionOptions};
/// Configuration from `conf/` (environments, parameters, credentials, `catalog.yml`).
pub use weir_config as config;
/// Writing a plugin: one [`Plugin`](plugin::Plugin) value brings hooks, dataset types, a
/// settings file (`conf/<env>/<key>.yml`, read into a typed struct with located errors),
/// subcommands and run-summary lines; `Project::plugin` registers all of it.
pub use weir_config::plugin;
/// File datasets (CSV, Parquet, JSON, Excel, text, serde formats, partitions).
pub use weir_datasets as datasets;

/// What a Weir project needs in scope.
pub mod prelude {
    pub use serde::Deserialize;
    pub use weir_cli::Project;
    pub use weir_config::plugin::{
        CommandContext, Plugin, PluginCommand, PluginRegistrar, PluginSettings, SettingsError,
        SettingsProblem, load_settings,
    };
    pub use weir_config::{CatalogConfig, ConfigLoader, DatasetRegistry};
    pub use weir_core::{
        AfterNodeRun, AfterPipelineRun, BeforeNodeRun, BeforePipelineRun, Catalog, ContextCreated,
        Data, Dataset, DatasetError, HookManager, HookResult, Hooks, MemoryDataset, NoHooks, Node,
        NodeDirective, NodeFailed, ParallelRunner, Param, Pipeline, PipelineFailed, PipelineFilter,
        RunParams, Runner, SequentialRunner, Value, node, pipeline,
    };
    pub use weir_datasets::SerdeTypes;
    pub use weir_macros::Data;

    #[cfg(feature = "polars")]
    pub use polars::prelude::DataFrame;
}
