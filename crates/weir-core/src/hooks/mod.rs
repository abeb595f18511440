//! Lifecycle hooks: the contract every integration is built on.
//!
//! A hook is any type implementing [`Hooks`]; every method has a default that does nothing, so
//! an implementation overrides only the lifecycle points it cares about. Register hooks in a
//! [`HookManager`], which is itself a `Hooks` that calls each registered hook in call order.
//!
//! # Call order
//!
//! Hooks are called in **descending priority**, then in **registration order** among hooks of
//! equal priority (the default priority is 0), not Kedro's last-registered-first. The same order
//! is used for every method, including the `after_*` and error hooks. Give a hook a higher
//! [`Hooks::priority`] to run it earlier (Kedro's `tryfirst`) or a negative one to run it later
//! (`trylast`).
//!
//! When several `before_node_run` hooks override the same input, the hook called last wins (in
//! Kedro, too, the result of the hook called last wins).
//!
//! # Errors
//!
//! A hook method that returns an error fails the run; the remaining hooks for that call are not
//! called and the error names the hook and the method. Error hooks (`on_node_error`,
//! `on_dataset_error`, `on_pipeline_error`) return nothing and a panic inside them is caught and
//! logged, so they can never hide the error being reported.
//!
//! # Threads
//!
//! Hooks are `Send + Sync`: the parallel runner calls node and dataset hooks from its worker
//! threads, concurrently for different nodes, on the same hook objects. Keep state in a
//! `Mutex` or atomics; unlike Kedro's parallel runner, that state is never lost or copied.

mod config;
mod directive;
mod events;
mod manager;

use std::sync::Arc;

use crate::error::BoxError;
pub use config::{ConfigSource, PluginConfig, PluginConfigError};
pub use directive::NodeDirective;
pub use events::{
    AfterDatasetLoaded, AfterDatasetSaved, AfterNodeRun, AfterPipelineRun, BeforeDatasetLoaded,
    BeforeDatasetSaved, BeforeNodeRun, BeforePipelineRun, CatalogCreated, ContextCreated,
    DatasetFailed, NodeFailed, NodeValues, PipelineFailed,
};
pub use manager::HookManager;
pub(crate) use manager::call_error_hook;

/// The lifecycle hooks. Every method does nothing by default; see the [module docs](self) for
/// the call order, errors and threads.
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use weir_core::{AfterNodeRun, HookResult, Hooks};
///
/// #[derive(Default)]
/// struct CountNodes(AtomicUsize);
///
/// impl Hooks for CountNodes {
///     fn after_node_run(&self, _event: &AfterNodeRun<'_>) -> HookResult {
///         self.0.fetch_add(1, Ordering::Relaxed);
///         Ok(())
///     }
/// }
/// ```
#[allow(unused_variables)]
pub trait Hooks: Send + Sync {
    /// The hook's name in errors and logs; the type's name by default.
    fn name(&self) -> String {
        crate::value::short_type_name(std::any::type_name::<Self>())
    }

    /// The hook's priority, 0 by default. Hooks are called in descending priority, then in
    /// registration order (not Kedro's last-registered-first).
    fn priority(&self) -> i32 {
        0
    }

    /// The project's configuration is loaded (the earliest hook of a session).
    fn after_context_created(&self, event: &ContextCreated<'_>) -> HookResult {
        Ok(())
    }

    /// The catalog is built.
    fn after_catalog_created(&self, event: &CatalogCreated<'_>) -> HookResult {
        Ok(())
    }

    /// The pipeline passed validation and is about to run.
    fn before_pipeline_run(&self, event: &BeforePipelineRun<'_>) -> HookResult {
        Ok(())
    }

    /// The pipeline ran to the end.
    fn after_pipeline_run(&self, event: &AfterPipelineRun<'_>) -> HookResult {
        Ok(())
    }

    /// The pipeline failed (after `before_pipeline_run` was called). Cannot fail.
    fn on_pipeline_error(&self, event: &PipelineFailed<'_>) {}

    /// A node's inputs are loaded; return a [`NodeDirective`] to replace inputs or skip it.
    fn before_node_run(&self, event: &BeforeNodeRun<'_>) -> Result<NodeDirective, BoxError> {
        Ok(NodeDirective::proceed())
    }

    /// A node's function returned; its outputs are about to be saved.
    fn after_node_run(&self, event: &AfterNodeRun<'_>) -> HookResult {
        Ok(())
    }

    /// A node's function failed. Cannot fail.
    fn on_node_error(&self, event: &NodeFailed<'_>) {}

    /// A node input is about to be loaded.
    fn before_dataset_loaded(&self, event: &BeforeDatasetLoaded<'_>) -> HookResult {
        Ok(())
    }

    /// A node input was loaded.
    fn after_dataset_loaded(&self, event: &AfterDatasetLoaded<'_>) -> HookResult {
        Ok(())
    }

    /// A node output is about to be saved.
    fn before_dataset_saved(&self, event: &BeforeDatasetSaved<'_>) -> HookResult {
        Ok(())
    }

    /// A node output was saved.
    fn after_dataset_saved(&self, event: &AfterDatasetSaved<'_>) -> HookResult {
        Ok(())
    }

    /// Loading or saving a dataset failed. Cannot fail.
    fn on_dataset_error(&self, event: &DatasetFailed<'_>) {}
}

/// What a hook method returns: `Ok(())` to go on, an error to fail the run.
pub type HookResult = Result<(), BoxError>;

impl<H: Hooks + ?Sized> Hooks for Arc<H> {
    fn name(&self) -> String {
        (**self).name()
    }
    fn priority(&self) -> i32 {
        (**self).priority()
    }
    fn after_context_created(&self, event: &ContextCreated<'_>) -> HookResult {
        (**self).after_context_created(event)
    }
    fn after_catalog_created(&self, event: &CatalogCreated<'_>) -> HookResult {
        (**self).after_catalog_created(event)
    }
    fn before_pipeline_run(&self, event: &BeforePipelineRun<'_>) -> HookResult {
        (**self).before_pipeline_run(event)
    }
    fn after_pipeline_run(&self, event: &AfterPipelineRun<'_>) -> HookResult {
        (**self).after_pipeline_run(event)
    }
    fn on_pipeline_error(&self, event: &PipelineFailed<'_>) {
        (**self).on_pipeline_error(event);
    }
    fn before_node_run(&self, event: &BeforeNodeRun<'_>) -> Result<NodeDirective, BoxError> {
        (**self).before_node_run(event)
    }
    fn after_node_run(&self, event: &AfterNodeRun<'_>) -> HookResult {
        (**self).after_node_run(event)
    }
    fn on_node_error(&self, event: &NodeFailed<'_>) {
        (**self).on_node_error(event);
    }
    fn before_dataset_loaded(&self, event: &BeforeDatasetLoaded<'_>) -> HookResult {
        (**self).before_dataset_loaded(event)
    }
    fn after_dataset_loaded(&self, event: &AfterDatasetLoaded<'_>) -> HookResult {
        (**self).after_dataset_loaded(event)
    }
    fn before_dataset_saved(&self, event: &BeforeDatasetSaved<'_>) -> HookResult {
        (**self).before_dataset_saved(event)
    }
    fn after_dataset_saved(&self, event: &AfterDatasetSaved<'_>) -> HookResult {
        (**self).after_dataset_saved(event)
    }
    fn on_dataset_error(&self, event: &DatasetFailed<'_>) {
        (**self).on_dataset_error(event);
    }
}

/// A hook that does nothing (what runners use when given no hooks).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoHooks;

impl Hooks for NoHooks {}
