//! Hooks: every hook fires in the documented order with the documented arguments; input
//! overrides; skipping; every error path (Kedro's `test_session_extension_hooks.py` and
//! `tests/framework/hooks/test_manager.py`, plus Weir's additions).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use weir_core::*;

use crate::common::{BrokenDataset, Log, catalog_with, entries, record};

/// Records every hook call with its main arguments.
struct Recorder {
    label: &'static str,
    log: Log,
}

impl Recorder {
    fn new(label: &'static str, log: &Log) -> Self {
        Self {
            label,
            log: Arc::clone(log),
        }
    }

    fn note(&self, entry: String) {
        record(&self.log, format!("{}:{entry}", self.label));
    }
}

fn values(values: &NodeValues<'_>) -> String {
    values
        .iter()
        .map(|(name, value)| match value.downcast_ref::<u64>() {
            Some(number) => format!("{name}={number}"),
            None => name.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

impl Hooks for Recorder {
    fn before_pipeline_run(&self, event: &BeforePipelineRun<'_>) -> HookResult {
        self.note(format!(
            "before_pipeline_run({},{} nodes)",
            event.run_params.run_id,
            event.pipeline.len()
        ));
        Ok(())
    }
    fn after_pipeline_run(&self, event: &AfterPipelineRun<'_>) -> HookResult {
        self.note(format!(
            "after_pipeline_run({})",
            event.run_result.output_names.join(",")
        ));
        Ok(())
    }
    fn on_pipeline_error(&self, event: &PipelineFailed<'_>) {
        self.note(format!(
            "on_pipeline_error({})",
            event.error.failed_node().unwrap_or("-")
        ));
    }
    fn before_node_run(&self, event: &BeforeNodeRun<'_>) -> Result<NodeDirective, BoxError> {
        self.note(format!(
            "before_node_run({},{},{})",
            event.node.full_name(),
            values(&event.inputs),
            event.run_id
        ));
        Ok(NodeDirective::proceed())
    }
    fn after_node_run(&self, event: &AfterNodeRun<'_>) -> HookResult {
        self.note(format!(
            "after_node_run({},{}->{})",
            event.node.full_name(),
            values(&event.inputs),
            values(&event.outputs)
        ));
        Ok(())
    }
    fn on_node_error(&self, event: &NodeFailed<'_>) {
        self.note(format!(
            "on_node_error({},{},{})",
            event.node.full_name(),
            values(&event.inputs),
            event.error
        ));
    }
    fn before_dataset_loaded(&self, event: &BeforeDatasetLoaded<'_>) -> HookResult {
        self.note(format!(
            "before_dataset_loaded({},{})",
            event.dataset_name,
            event.node.full_name()
        ));
        Ok(())
    }
    fn after_dataset_loaded(&self, event: &AfterDatasetLoaded<'_>) -> HookResult {
        self.note(format!(
            "after_dataset_loaded({}={},{})",
            event.dataset_name,
            event.data.downcast_ref::<u64>().map_or(0, |v| *v),
            event.node.full_name()
        ));
        Ok(())
    }
    fn before_dataset_saved(&self, event: &BeforeDatasetSaved<'_>) -> HookResult {
        self.note(format!(
            "before_dataset_saved({}={},{})",
            event.dataset_name,
            event.data.downcast_ref::<u64>().map_or(0, |v| *v),
            event.node.full_name()
        ));
        Ok(())
    }
    fn after_dataset_saved(&self, event: &AfterDatasetSaved<'_>) -> HookResult {
        self.note(format!(
            "after_dataset_saved({},{})",
            event.dataset_name,
            event.node.full_name()
        ));
        Ok(())
    }
    fn on_dataset_error(&self, event: &DatasetFailed<'_>) {
        self.note(format!(
            "on_dataset_error({},{},{},{})",
            event.dataset_name,
            event.operation,
            event.node.full_name(),
            event.error
        ));
    }
}

fn add(a: u64, b: u64) -> u64 {
    a + b
}

fn double(x: u64) -> u64 {
    x * 2
}

fn two_nodes() -> Pipeline {
    Pipeline::new([
        node(add).inputs(["a", "b"]).outputs("sum").name("add"),
        node(double).inputs("sum").outputs("doubled").name("double"),
    ])
}

fn run_with(
    hooks: &dyn Hooks,
    pipeline: &Pipeline,
    catalog: &Catalog,
) -> Result<RunResult, RunError> {
    SequentialRunner::new().run(pipeline, catalog, hooks, &RunParams::with_run_id("run-1"))
}

#[test]
fn every_hook_fires_in_kedros_order_with_its_arguments() {
    let log = Log::default();
    let hooks = HookManager::new().with(Recorder::new("h", &log));
    let catalog = catalog_with(&[("a", 1), ("b", 2)]);
    run_with(&hooks, &two_nodes(), &catalog).unwrap();
    assert_eq!(
        entries(&log),
        [
            "h:before_pipeline_run(run-1,2 nodes)",
            "h:before_dataset_loaded(a,add)",
            "h:after_dataset_loaded(a=1,add)",
            "h:before_dataset_loaded(b,add)",
            "h:after_dataset_loaded(b=2,add)",
            "h:before_node_run(add,a=1,b=2,run-1)",
            "h:after_node_run(add,a=1,b=2->sum=3)",
            "h:before_dataset_saved(sum=3,add)",
            "h:after_dataset_saved(sum,add)",
            "h:before_dataset_loaded(sum,double)",
            "h:after_dataset_loaded(sum=3,double)",
            "h:before_node_run(double,sum=3,run-1)",
            "h:after_node_run(double,sum=3->doubled=6)",
            "h:before_dataset_saved(doubled=6,double)",
            "h:after_dataset_saved(doubled,double)",
            "h:after_pipeline_run(doubled)",
        ]
    );
}

#[test]
fn hooks_are_called_in_registration_order_unless_prioritised() {
    let log = Log::default();
    struct Urgent(Recorder);
    impl Hooks for Urgent {
        fn priority(&self) -> i32 {
            5
        }
        fn before_pipeline_run(&self, event: &BeforePipelineRun<'_>) -> HookResult {
            self.0.before_pipeline_run(event)
        }
    }
    let mut hooks = HookManager::new();
    hooks
        .register(Recorder::new("first", &log))
        .register(Recorder::new("second", &log))
        .register(Urgent(Recorder::new("urgent", &log)))
        .register_with_priority(Arc::new(Recorder::new("last", &log)), -1);
    assert_eq!(
        hooks.names(),
        ["Urgent", "Recorder", "Recorder", "Recorder"]
    );
    let catalog = catalog_with(&[("a", 1), ("b", 2)]);
    run_with(&hooks, &two_nodes(), &catalog).unwrap();
    let starts: Vec<String> = entries(&log)
        .into_iter()
        .filter(|e| e.contains("before_pipeline_run"))
        .map(|e| e.split(':').next().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(starts, ["urgent", "first", "second", "last"]);
}

#[test]
fn the_same_arc_is_registered_once() {
    let hook: Arc<dyn Hooks> = Arc::new(NoHooks);
    let mut hooks = HookManager::new();
    hooks.register_shared(Arc::clone(&hook));
    hooks.register_shared(Arc::clone(&hook));
    hooks.register_with_priority(Arc::clone(&hook), 3);
    hooks.register_with_priority(hook, 3);
    assert_eq!(hooks.len(), 1);
}

/// Overrides an input in `before_node_run`.
struct Override {
    name: &'static str,
    value: Value,
}

impl Hooks for Override {
    fn name(&self) -> String {
        format!("Override({})", self.name)
    }
    fn before_node_run(&self, event: &BeforeNodeRun<'_>) -> Result<NodeDirective, BoxError> {
        if event.inputs.get(self.name).is_some() || event.node.full_name() == "add" {
            Ok(NodeDirective::proceed().override_input(self.name, self.value.clone()))
        } else {
            Ok(NodeDirective::proceed())
        }
    }
}

#[test]
fn before_node_run_overrides_inputs_and_later_hooks_win() {
    let log = Log::default();
    let hooks = HookManager::new()
        .with(Override {
            name: "b",
            value: Value::new(10_u64),
        })
        .with(Override {
            name: "b",
            value: Value::new(20_u64),
        })
        .with(Recorder::new("h", &log));
    let catalog = catalog_with(&[("a", 1), ("b", 2)]);
    let result = run_with(&hooks, &two_nodes(), &catalog).unwrap();
    assert_eq!(result.output::<u64>("doubled"), Some(&42));
    // after_node_run sees the overridden inputs.
    assert!(entries(&log).contains(&"h:after_node_run(add,a=1,b=20->sum=21)".to_owned()));
}

#[test]
fn an_override_of_the_wrong_type_fails_the_node() {
    let hooks = HookManager::new().with(Override {
        name: "b",
        value: Value::new("two".to_owned()),
    });
    let catalog = catalog_with(&[("a", 1), ("b", 2)]);
    let error = run_with(&hooks, &two_nodes(), &catalog).unwrap_err();
    assert_eq!(
        error.to_string(),
        "node 'add' failed: hook `Override(b)` returned an override for 'b' of type `String`, but node 'add' takes `u64` there"
    );
}

#[test]
fn an_override_of_a_name_that_is_not_an_input_fails_the_node() {
    let hooks = HookManager::new().with(Override {
        name: "zz",
        value: Value::new(1_u64),
    });
    let catalog = catalog_with(&[("a", 1), ("b", 2)]);
    let error = run_with(&hooks, &two_nodes(), &catalog).unwrap_err();
    assert!(
        error.to_string().contains(
            "an override for 'zz', which is not an input of node 'add' (its inputs: a, b)"
        ),
        "{error}"
    );
}

/// Skips `add` as if its result were cached.
struct Cache {
    calls: AtomicUsize,
    give: Option<Value>,
}

impl Hooks for Cache {
    fn before_node_run(&self, event: &BeforeNodeRun<'_>) -> Result<NodeDirective, BoxError> {
        if event.node.full_name() != "add" {
            return Ok(NodeDirective::proceed());
        }
        self.calls.fetch_add(1, Ordering::SeqCst);
        Ok(match &self.give {
            Some(value) => NodeDirective::skip_with_outputs([("sum", value.clone())]),
            None => NodeDirective::skip_with_outputs(
                Vec::<(String, Value)>::new()
                    .into_iter()
                    .chain([("other".to_owned(), Value::new(1_u64))]),
            ),
        })
    }
}

#[test]
fn a_hook_can_skip_a_node_with_cached_outputs() {
    let log = Log::default();
    let hooks = HookManager::new()
        .with(Cache {
            calls: AtomicUsize::new(0),
            give: Some(Value::new(100_u64)),
        })
        .with(Recorder::new("h", &log));
    let catalog = catalog_with(&[("a", 1), ("b", 2)]);
    let result = run_with(&hooks, &two_nodes(), &catalog).unwrap();
    assert_eq!(result.output::<u64>("doubled"), Some(&200));
    assert!(result.nodes[0].skipped);
    assert!(entries(&log).contains(&"h:before_dataset_saved(sum=100,add)".to_owned()));
}

#[test]
fn skipping_without_every_output_fails() {
    let hooks = HookManager::new().with(Cache {
        calls: AtomicUsize::new(0),
        give: None,
    });
    let catalog = catalog_with(&[("a", 1), ("b", 2)]);
    let error = run_with(&hooks, &two_nodes(), &catalog).unwrap_err();
    assert!(error.to_string().contains("without 'sum'"), "{error}");
}

/// Fails at a chosen hook method.
struct FailAt(&'static str);

impl Hooks for FailAt {
    fn before_pipeline_run(&self, _: &BeforePipelineRun<'_>) -> HookResult {
        if self.0 == "before_pipeline_run" {
            return Err("no tracking server".into());
        }
        Ok(())
    }
    fn after_pipeline_run(&self, _: &AfterPipelineRun<'_>) -> HookResult {
        if self.0 == "after_pipeline_run" {
            return Err("could not close the run".into());
        }
        Ok(())
    }
    fn before_node_run(&self, event: &BeforeNodeRun<'_>) -> Result<NodeDirective, BoxError> {
        if self.0 == "before_node_run" && event.node.full_name() == "double" {
            return Err("validation failed".into());
        }
        Ok(NodeDirective::proceed())
    }
    fn after_dataset_saved(&self, _: &AfterDatasetSaved<'_>) -> HookResult {
        if self.0 == "after_dataset_saved" {
            return Err("could not log".into());
        }
        Ok(())
    }
}

#[test]
fn a_failing_node_hook_fails_the_run_with_the_hooks_name() {
    let log = Log::default();
    let hooks = HookManager::new()
        .with(FailAt("before_node_run"))
        .with(Recorder::new("h", &log));
    let catalog = catalog_with(&[("a", 1), ("b", 2)]);
    let error = run_with(&hooks, &two_nodes(), &catalog).unwrap_err();
    assert_eq!(
        error.to_string(),
        "node 'double' failed: hook `FailAt` failed in `before_node_run`: validation failed"
    );
    let log = entries(&log);
    // Hooks after the failing one are not called for that call; on_node_error is not called
    // (the function did not fail), on_pipeline_error is.
    assert!(
        !log.iter()
            .any(|e| e.starts_with("h:before_node_run(double"))
    );
    assert!(!log.iter().any(|e| e.contains("on_node_error")));
    assert_eq!(
        log.last().map(String::as_str),
        Some("h:on_pipeline_error(double)")
    );
    // The resume suggestion is there.
    assert_eq!(
        error
            .resume_suggestion()
            .and_then(ResumeSuggestion::argument),
        Some("--from-nodes \"add\"".to_owned())
    );
}

#[test]
fn a_failing_dataset_hook_fails_the_run() {
    let hooks = HookManager::new().with(FailAt("after_dataset_saved"));
    let catalog = catalog_with(&[("a", 1), ("b", 2)]);
    let error = run_with(&hooks, &two_nodes(), &catalog).unwrap_err();
    assert_eq!(
        error.to_string(),
        "node 'add' failed: hook `FailAt` failed in `after_dataset_saved`: could not log"
    );
}

#[test]
fn a_failing_before_pipeline_run_stops_before_any_node_without_error_hooks() {
    let log = Log::default();
    let hooks = HookManager::new()
        .with(Recorder::new("h", &log))
        .with(FailAt("before_pipeline_run"));
    let catalog = catalog_with(&[("a", 1), ("b", 2)]);
    let error = run_with(&hooks, &two_nodes(), &catalog).unwrap_err();
    assert!(matches!(error, RunError::Hook(ref failure) if failure.stage == "before_pipeline_run"));
    assert_eq!(entries(&log), ["h:before_pipeline_run(run-1,2 nodes)"]);
}

#[test]
fn a_failing_after_pipeline_run_is_returned() {
    let hooks = HookManager::new().with(FailAt("after_pipeline_run"));
    let catalog = catalog_with(&[("a", 1), ("b", 2)]);
    let error = run_with(&hooks, &two_nodes(), &catalog).unwrap_err();
    assert_eq!(
        error.to_string(),
        "hook `FailAt` failed in `after_pipeline_run`: could not close the run"
    );
}

#[test]
fn a_single_hook_without_a_manager_is_named_in_errors() {
    let catalog = catalog_with(&[("a", 1), ("b", 2)]);
    let error = run_with(&FailAt("before_node_run"), &two_nodes(), &catalog).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("hook `FailAt` failed in `before_node_run`")
    );
}

fn explode(_: u64) -> Result<u64, String> {
    Err("division by zero".to_owned())
}

#[test]
fn a_failing_node_calls_on_node_error_then_on_pipeline_error() {
    let log = Log::default();
    let hooks = HookManager::new().with(Recorder::new("h", &log));
    let pipeline = Pipeline::new([
        node(double).inputs("a").outputs("x").name("first"),
        node(explode).inputs("x").outputs("y").name("boom"),
    ]);
    let catalog = catalog_with(&[("a", 4)]);
    let error = run_with(&hooks, &pipeline, &catalog).unwrap_err();
    assert_eq!(error.to_string(), "node 'boom' failed: division by zero");
    let log = entries(&log);
    let tail: Vec<&str> = log.iter().rev().take(2).rev().map(String::as_str).collect();
    assert_eq!(
        tail,
        [
            "h:on_node_error(boom,x=8,division by zero)",
            "h:on_pipeline_error(boom)"
        ]
    );
    assert!(!log.iter().any(|e| e.contains("after_pipeline_run")));
}

/// Panics in its error hooks.
struct PanickingErrorHook;

impl Hooks for PanickingErrorHook {
    fn on_node_error(&self, _: &NodeFailed<'_>) {
        panic!("the error hook itself is broken");
    }
    fn on_pipeline_error(&self, _: &PipelineFailed<'_>) {
        panic!("so is this one");
    }
}

#[test]
fn error_hooks_cannot_mask_the_original_error() {
    let log = Log::default();
    let hooks = HookManager::new()
        .with(PanickingErrorHook)
        .with(Recorder::new("h", &log));
    let pipeline = Pipeline::new([node(explode).inputs("a").outputs("y").name("boom")]);
    let catalog = catalog_with(&[("a", 4)]);
    let error = run_with(&hooks, &pipeline, &catalog).unwrap_err();
    assert_eq!(error.to_string(), "node 'boom' failed: division by zero");
    // The hooks after the panicking one still got the error.
    assert!(entries(&log).contains(&"h:on_pipeline_error(boom)".to_owned()));
    // Without a manager too.
    let error = run_with(&PanickingErrorHook, &pipeline, &catalog).unwrap_err();
    assert_eq!(error.to_string(), "node 'boom' failed: division by zero");
}

#[test]
fn dataset_errors_reach_on_dataset_error_with_node_and_dataset() {
    let log = Log::default();
    let hooks = HookManager::new().with(Recorder::new("h", &log));
    let pipeline = Pipeline::new([
        node(double)
            .inputs("a")
            .outputs("broken_out")
            .name("writer"),
        node(double).inputs("broken_in").outputs("z").name("reader"),
    ]);
    let mut catalog = catalog_with(&[("a", 1)]);
    catalog.add("broken_out", BrokenDataset);
    catalog.add("broken_in", BrokenDataset);
    let error = run_with(&hooks, &pipeline, &catalog).unwrap_err();
    let log = entries(&log);
    let failed = log
        .iter()
        .find(|e| e.contains("on_dataset_error"))
        .cloned()
        .unwrap_or_default();
    // `reader` sorts before `writer` in the first group.
    assert_eq!(
        failed,
        "h:on_dataset_error(broken_in,load,reader,the disk is on fire)"
    );
    assert_eq!(
        error.to_string(),
        "node 'reader' failed: failed to load dataset 'broken_in': the disk is on fire"
    );
    assert!(matches!(
        error,
        RunError::Task(ref failure) if matches!(failure.error, TaskError::Dataset { operation: DatasetOperation::Load, .. })
    ));
}

#[test]
fn a_save_error_names_the_dataset() {
    let pipeline = Pipeline::new([node(double)
        .inputs("a")
        .outputs("broken_out")
        .name("writer")]);
    let mut catalog = catalog_with(&[("a", 1)]);
    catalog.add("broken_out", BrokenDataset);
    let error = run_with(&NoHooks, &pipeline, &catalog).unwrap_err();
    assert_eq!(
        error.to_string(),
        "node 'writer' failed: failed to save dataset 'broken_out': the disk is full"
    );
}

#[test]
fn invalid_pipelines_call_no_hook() {
    let log = Log::default();
    let hooks = HookManager::new().with(Recorder::new("h", &log));
    let error = run_with(&hooks, &two_nodes(), &Catalog::new()).unwrap_err();
    assert!(matches!(error, RunError::Invalid(_)));
    assert!(entries(&log).is_empty());
}

/// Counts node runs across threads, keeping the thread ids it saw.
#[derive(Default)]
struct Stateful {
    nodes: AtomicUsize,
    threads: Mutex<std::collections::HashSet<std::thread::ThreadId>>,
}

impl Hooks for Stateful {
    fn after_node_run(&self, _: &AfterNodeRun<'_>) -> HookResult {
        self.nodes.fetch_add(1, Ordering::SeqCst);
        self.threads
            .lock()
            .map_err(|_| "poisoned")?
            .insert(std::thread::current().id());
        Ok(())
    }
}

#[test]
fn stateful_hooks_keep_their_state_under_the_parallel_runner() {
    let hook = Arc::new(Stateful::default());
    let hooks = HookManager::new().with(Arc::clone(&hook));
    // Every node waits until a second node has started, so two workers must run nodes at the
    // same time however the threads are scheduled.
    let started = Arc::new((Mutex::new(0_usize), std::sync::Condvar::new()));
    let pipeline = Pipeline::new((0..200).map(|i| {
        let started = Arc::clone(&started);
        node(move |x: u64| {
            let (count, changed) = &*started;
            let mut count = count
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            *count += 1;
            changed.notify_all();
            // The timeout only keeps a broken runner from hanging the test suite.
            let (count, _) = changed
                .wait_timeout_while(count, std::time::Duration::from_secs(60), |count| {
                    *count < 2
                })
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            drop(count);
            x + 1
        })
        .inputs("x")
        .outputs(format!("y{i}"))
        .name(format!("n{i}"))
    }));
    let catalog = catalog_with(&[("x", 0)]);
    ParallelRunner::new()
        .workers(4)
        .run(&pipeline, &catalog, &hooks, &RunParams::new())
        .unwrap();
    assert_eq!(hook.nodes.load(Ordering::SeqCst), 200);
    assert!(hook.threads.lock().map(|t| t.len()).unwrap_or(0) > 1);
}

#[test]
fn context_and_catalog_events_can_be_built_and_dispatched() {
    let log = Log::default();
    struct Context(Log);
    impl Hooks for Context {
        fn after_context_created(&self, event: &ContextCreated<'_>) -> HookResult {
            record(&self.0, format!("context:{}", event.env));
            Ok(())
        }
        fn after_catalog_created(&self, event: &CatalogCreated<'_>) -> HookResult {
            record(
                &self.0,
                format!("catalog:{}:{}", event.save_version, event.catalog.len()),
            );
            Ok(())
        }
    }
    let hooks = HookManager::new().with(Context(Arc::clone(&log)));
    let parameters = serde_json::json!({});
    hooks
        .after_context_created(&ContextCreated::new(
            std::path::Path::new("."),
            "local",
            &parameters,
        ))
        .unwrap();
    let catalog = catalog_with(&[("a", 1)]);
    hooks
        .after_catalog_created(&CatalogCreated::new(&catalog, None, &parameters, "v1", &[]))
        .unwrap();
    assert_eq!(entries(&log), ["context:local", "catalog:v1:1"]);
}
