//! The sequential runner.

use crate::catalog::Catalog;
use crate::error::RunError;
use crate::hooks::Hooks;
use crate::pipeline::Pipeline;
use crate::run::{RunParams, RunResult};
use crate::runner::Runner;
use crate::runner::engine::run_pipeline;

/// Runs nodes one at a time, in Kedro's topological order.
///
/// ```
/// use weir_core::{node, Catalog, NoHooks, Pipeline, RunParams, Runner, SequentialRunner};
///
/// let pipeline = Pipeline::new([node(|x: u64| x * 2).inputs("x").outputs("y")]);
/// let mut catalog = Catalog::new();
/// catalog.add_value("x", 21_u64);
/// let result = SequentialRunner::new().run(&pipeline, &catalog, &NoHooks, &RunParams::new()).unwrap();
/// assert_eq!(result.output::<u64>("y"), Some(&42));
/// ```
#[derive(Debug, Clone, Default)]
pub struct SequentialRunner {
    is_async: bool,
}

impl SequentialRunner {
    /// A sequential runner that loads and saves synchronously.
    pub fn new() -> Self {
        Self::default()
    }

    /// Loads a node's inputs and saves its outputs concurrently (Kedro's `--async`).
    pub fn is_async(mut self, is_async: bool) -> Self {
        self.is_async = is_async;
        self
    }
}

impl Runner for SequentialRunner {
    fn run(
        &self,
        pipeline: &Pipeline,
        catalog: &Catalog,
        hooks: &dyn Hooks,
        params: &RunParams,
    ) -> Result<RunResult, RunError> {
        run_pipeline(pipeline, catalog, hooks, params, self.is_async, |engine| {
            let count = engine.pipeline.len();
            let mut completed = vec![false; count];
            let mut reports = Vec::with_capacity(count);
            for position in 0..count {
                if engine.interrupt_requested() {
                    return Err(engine.interrupted(&completed));
                }
                match engine.run_node(position) {
                    Ok(report) => {
                        completed[position] = true;
                        tracing::info!("Completed node: {}", report.name);
                        tracing::info!("Completed {} out of {count} tasks", position + 1);
                        reports.push(report);
                        engine.release_after(position);
                    }
                    Err(error) => return Err(engine.failure(position, error, &completed)),
                }
            }
            Ok(reports)
        })
    }
}
