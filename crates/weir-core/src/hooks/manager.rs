//! The hook manager: a list of hooks, called in order, that is itself a hook.

use std::sync::Arc;

use crate::error::{BoxError, HookFailure, panic_message};
use crate::hooks::{
    AfterDatasetLoaded, AfterDatasetSaved, AfterNodeRun, AfterPipelineRun, BeforeDatasetLoaded,
    BeforeDatasetSaved, BeforeNodeRun, BeforePipelineRun, CatalogCreated, ContextCreated,
    DatasetFailed, HookResult, Hooks, NodeDirective, NodeFailed, PipelineFailed,
};

struct Registered {
    hook: Arc<dyn Hooks>,
    name: String,
    priority: i32,
}

/// A list of hooks that is itself a hook: each call goes to every registered hook in order.
/// Hooks are called in descending priority, then in registration order (not Kedro's
/// last-registered-first).
///
/// Errors returned through the manager are [`HookFailure`]s naming the hook that failed.
///
/// ```
/// use weir_core::{HookManager, Hooks};
///
/// struct Audit;
/// impl Hooks for Audit {}
///
/// struct Tracking;
/// impl Hooks for Tracking {
///     fn priority(&self) -> i32 { 10 }
/// }
///
/// let hooks = HookManager::new().with(Audit).with(Tracking);
/// assert_eq!(hooks.names(), ["Tracking", "Audit"]);
/// ```
#[derive(Default)]
pub struct HookManager {
    hooks: Vec<Registered>,
}

impl HookManager {
    /// A manager with no hooks.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a hook (builder form).
    pub fn with(mut self, hook: impl Hooks + 'static) -> Self {
        self.register(hook);
        self
    }

    /// Registers a hook, at its own [`priority`](Hooks::priority).
    pub fn register(&mut self, hook: impl Hooks + 'static) -> &mut Self {
        self.register_shared(Arc::new(hook))
    }

    /// Registers a shared hook, at its own [`priority`](Hooks::priority); registering the same
    /// `Arc` twice keeps the first registration.
    pub fn register_shared(&mut self, hook: Arc<dyn Hooks>) -> &mut Self {
        let priority = hook.priority();
        self.insert(hook, priority)
    }

    /// Registers a shared hook with an explicit priority, overriding the hook's own; registering
    /// the same `Arc` twice keeps the first registration.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use weir_core::{HookManager, Hooks};
    ///
    /// struct Audit;
    /// impl Hooks for Audit {}
    ///
    /// struct Tracking;
    /// impl Hooks for Tracking {}
    ///
    /// let tracking = Arc::new(Tracking);
    /// let mut hooks = HookManager::new().with(Audit);
    /// hooks.register_with_priority(tracking.clone(), 10);
    /// hooks.register_with_priority(tracking, 10);
    /// assert_eq!(hooks.names(), ["Tracking", "Audit"]);
    /// ```
    pub fn register_with_priority(&mut self, hook: Arc<dyn Hooks>, priority: i32) -> &mut Self {
        self.insert(hook, priority)
    }

    /// The one place hooks are added: skips a hook already registered (the same `Arc`), and
    /// keeps the call order (descending priority, then registration order).
    fn insert(&mut self, hook: Arc<dyn Hooks>, priority: i32) -> &mut Self {
        if self
            .hooks
            .iter()
            .any(|registered| Arc::ptr_eq(&registered.hook, &hook))
        {
            return self;
        }
        // After every hook of the same or higher priority, so equal priorities keep their
        // registration order.
        let at = self
            .hooks
            .iter()
            .position(|other| other.priority < priority)
            .unwrap_or(self.hooks.len());
        self.hooks.insert(
            at,
            Registered {
                name: hook.name(),
                priority,
                hook,
            },
        );
        self
    }

    /// The names of the registered hooks, in call order.
    pub fn names(&self) -> Vec<String> {
        self.hooks.iter().map(|r| r.name.clone()).collect()
    }

    /// The number of registered hooks.
    pub fn len(&self) -> usize {
        self.hooks.len()
    }

    /// Whether no hook is registered.
    pub fn is_empty(&self) -> bool {
        self.hooks.is_empty()
    }

    fn each(
        &self,
        stage: &'static str,
        mut call: impl FnMut(&dyn Hooks) -> HookResult,
    ) -> HookResult {
        for registered in &self.hooks {
            call(registered.hook.as_ref()).map_err(|source| {
                Box::new(HookFailure {
                    hook: registered.name.clone(),
                    stage,
                    source,
                }) as BoxError
            })?;
        }
        Ok(())
    }

    fn each_infallible(&self, stage: &'static str, call: impl Fn(&dyn Hooks)) {
        for registered in &self.hooks {
            call_error_hook(&registered.name, stage, || call(registered.hook.as_ref()));
        }
    }
}

/// Calls an error hook, catching and logging a panic so it cannot hide the original error.
pub(crate) fn call_error_hook(name: &str, stage: &str, call: impl FnOnce()) {
    if let Err(payload) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(call)) {
        tracing::error!(
            "hook `{name}` panicked in `{stage}`: {}",
            panic_message(payload.as_ref())
        );
    }
}

impl Hooks for HookManager {
    fn name(&self) -> String {
        "HookManager".to_owned()
    }

    fn after_context_created(&self, event: &ContextCreated<'_>) -> HookResult {
        self.each("after_context_created", |h| h.after_context_created(event))
    }

    fn after_catalog_created(&self, event: &CatalogCreated<'_>) -> HookResult {
        self.each("after_catalog_created", |h| h.after_catalog_created(event))
    }

    fn before_pipeline_run(&self, event: &BeforePipelineRun<'_>) -> HookResult {
        self.each("before_pipeline_run", |h| h.before_pipeline_run(event))
    }

    fn after_pipeline_run(&self, event: &AfterPipelineRun<'_>) -> HookResult {
        self.each("after_pipeline_run", |h| h.after_pipeline_run(event))
    }

    fn on_pipeline_error(&self, event: &PipelineFailed<'_>) {
        self.each_infallible("on_pipeline_error", |h| h.on_pipeline_error(event));
    }

    fn before_node_run(&self, event: &BeforeNodeRun<'_>) -> Result<NodeDirective, BoxError> {
        let mut merged = NodeDirective::proceed();
        for registered in &self.hooks {
            let directive = registered.hook.before_node_run(event).map_err(|source| {
                Box::new(HookFailure {
                    hook: registered.name.clone(),
                    stage: "before_node_run",
                    source,
                }) as BoxError
            })?;
            merged.merge_from(directive, Some(&registered.name));
        }
        Ok(merged)
    }

    fn after_node_run(&self, event: &AfterNodeRun<'_>) -> HookResult {
        self.each("after_node_run", |h| h.after_node_run(event))
    }

    fn on_node_error(&self, event: &NodeFailed<'_>) {
        self.each_infallible("on_node_error", |h| h.on_node_error(event));
    }

    fn before_dataset_loaded(&self, event: &BeforeDatasetLoaded<'_>) -> HookResult {
        self.each("before_dataset_loaded", |h| h.before_dataset_loaded(event))
    }

    fn after_dataset_loaded(&self, event: &AfterDatasetLoaded<'_>) -> HookResult {
        self.each("after_dataset_loaded", |h| h.after_dataset_loaded(event))
    }

    fn before_dataset_saved(&self, event: &BeforeDatasetSaved<'_>) -> HookResult {
        self.each("before_dataset_saved", |h| h.before_dataset_saved(event))
    }

    fn after_dataset_saved(&self, event: &AfterDatasetSaved<'_>) -> HookResult {
        self.each("after_dataset_saved", |h| h.after_dataset_saved(event))
    }

    fn on_dataset_error(&self, event: &DatasetFailed<'_>) {
        self.each_infallible("on_dataset_error", |h| h.on_dataset_error(event));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Named(&'static str);

    impl Hooks for Named {
        fn name(&self) -> String {
            self.0.to_owned()
        }
    }

    #[test]
    fn every_register_method_keeps_one_registration_per_arc() {
        let shared: Arc<dyn Hooks> = Arc::new(Named("shared"));
        let mut hooks = HookManager::new();
        hooks.register_with_priority(Arc::clone(&shared), 5);
        hooks.register_with_priority(Arc::clone(&shared), 5);
        hooks.register_with_priority(Arc::clone(&shared), -3);
        hooks.register_shared(Arc::clone(&shared));
        assert_eq!(hooks.names(), ["shared"]);

        let other: Arc<dyn Hooks> = Arc::new(Named("other"));
        hooks.register_shared(Arc::clone(&other));
        hooks.register_with_priority(other, 9);
        assert_eq!(hooks.names(), ["shared", "other"]);
    }

    #[test]
    fn equal_priorities_keep_registration_order() {
        let mut hooks = HookManager::new().with(Named("a")).with(Named("b"));
        hooks.register_with_priority(Arc::new(Named("late")), 1);
        hooks.register_with_priority(Arc::new(Named("last")), -1);
        hooks.register(Named("c"));
        assert_eq!(hooks.names(), ["late", "a", "b", "c", "last"]);
    }

    #[test]
    fn distinct_values_are_distinct_registrations() {
        let hooks = HookManager::new().with(Named("a")).with(Named("a"));
        assert_eq!(hooks.len(), 2);
    }
}
