//! Runners: run a validated pipeline against a catalog, calling the hooks.
//!
//! [`SequentialRunner`] runs nodes one at a time in Kedro's topological order;
//! [`ParallelRunner`] runs them on a fixed number of OS threads, starting each node as soon as
//! the nodes it depends on have finished. Both call the hooks in the same per-node sequence as
//! Kedro (see [`Runner`]), release memory datasets after their last consumer, and on failure
//! suggest the nodes to resume from.

mod engine;
mod parallel;
mod resume;
mod sequential;

pub use parallel::ParallelRunner;
pub use resume::find_nodes_to_resume_from;
pub use sequential::SequentialRunner;

use crate::catalog::Catalog;
use crate::error::RunError;
use crate::hooks::Hooks;
use crate::pipeline::Pipeline;
pub use crate::run::{
    Interrupt, NodeReport, RunParams, RunResult, generate_timestamp, unique_run_id,
};

/// Runs pipelines.
///
/// A run: validates the pipeline against the catalog (every problem reported at once, nothing
/// runs and no hook is called if there is any); calls `before_pipeline_run`; runs each node with
/// the sequence
/// `before_dataset_loaded → load → after_dataset_loaded` (per input), `before_node_run`, the
/// function (`on_node_error` if it fails), `after_node_run`,
/// `before_dataset_saved → save → after_dataset_saved` (per output), confirms; releases memory
/// datasets no longer needed; then calls `after_pipeline_run`, or `on_pipeline_error` if anything
/// failed after `before_pipeline_run`.
pub trait Runner {
    /// Runs the pipeline and returns its free outputs.
    fn run(
        &self,
        pipeline: &Pipeline,
        catalog: &Catalog,
        hooks: &dyn Hooks,
        params: &RunParams,
    ) -> Result<RunResult, RunError>;
}
