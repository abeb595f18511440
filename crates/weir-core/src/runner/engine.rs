//! What both runners share: preparing a run, running one node's task with its hooks, releasing
//! data, and the pipeline-level flow around the scheduling.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::catalog::{AnyDataset, Catalog};
use crate::error::{
    BoxError, DatasetOperation, HookFailure, RunError, TaskError, TaskFailure, panic_message,
};
use crate::hooks::{
    AfterDatasetLoaded, AfterDatasetSaved, AfterNodeRun, AfterPipelineRun, BeforeDatasetLoaded,
    BeforeDatasetSaved, BeforeNodeRun, BeforePipelineRun, DatasetFailed, Hooks, NodeDirective,
    NodeFailed, NodeValues, PipelineFailed, call_error_hook,
};
use crate::node::Node;
use crate::pipeline::Pipeline;
use crate::run::{NodeReport, RunParams, RunResult};
use crate::runner::resume::find_nodes_to_resume_from;
use crate::transcoding::strip_transcoding;
use crate::value::Value;

/// Turns a hook's error into a [`HookFailure`] naming the hook (the hook manager already does).
pub(crate) fn hook_failure(hooks: &dyn Hooks, stage: &'static str, error: BoxError) -> HookFailure {
    match error.downcast::<HookFailure>() {
        Ok(failure) => *failure,
        Err(source) => HookFailure {
            hook: hooks.name(),
            stage,
            source,
        },
    }
}

/// One prepared run: datasets resolved once, by index, so a node's task does no name lookups.
pub(crate) struct Engine<'a> {
    pub(crate) pipeline: &'a Pipeline,
    catalog: &'a Catalog,
    hooks: &'a dyn Hooks,
    run_id: &'a str,
    is_async: bool,
    interrupt: crate::run::Interrupt,
    datasets: Vec<Arc<dyn AnyDataset>>,
    node_inputs: &'a [Vec<usize>],
    node_outputs: &'a [Vec<usize>],
    /// How many node inputs still have to read each dataset.
    remaining_loads: Vec<AtomicUsize>,
    /// Free inputs and free outputs are never released.
    keep: Vec<bool>,
    /// The pipeline's free outputs, sorted.
    free_outputs: Vec<&'a str>,
}

impl<'a> Engine<'a> {
    fn prepare(
        pipeline: &'a Pipeline,
        catalog: &'a Catalog,
        hooks: &'a dyn Hooks,
        run_id: &'a str,
        is_async: bool,
        interrupt: crate::run::Interrupt,
    ) -> Result<Self, RunError> {
        let index = pipeline.index();
        let datasets = index
            .names
            .iter()
            .map(|name| {
                catalog.get_or_default(name).map_err(|error| {
                    RunError::Configuration(format!(
                        "dataset '{name}' could not be created: {error}"
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut counts = vec![0_usize; datasets.len()];
        for inputs in &index.node_inputs {
            for &id in inputs {
                counts[id] += 1;
            }
        }
        let keep = index
            .free_input
            .iter()
            .zip(&index.free_output)
            .map(|(input, output)| *input || *output)
            .collect();
        Ok(Self {
            pipeline,
            catalog,
            hooks,
            run_id,
            is_async,
            interrupt,
            datasets,
            node_inputs: &index.node_inputs,
            node_outputs: &index.node_outputs,
            remaining_loads: counts.into_iter().map(AtomicUsize::new).collect(),
            keep,
            free_outputs: index.sorted_names_where(&index.free_output),
        })
    }

    /// Runs one node's task; a panic anywhere in it becomes an error.
    pub(crate) fn run_node(&self, position: usize) -> Result<NodeReport, TaskError> {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.task(position)))
            .unwrap_or_else(|payload| Err(TaskError::Panicked(panic_message(payload.as_ref()))))
    }

    fn task(&self, position: usize) -> Result<NodeReport, TaskError> {
        let started = Instant::now();
        let node = &self.pipeline.nodes()[position];
        tracing::info!("Running node: {node}");
        let hooks = self.hooks;
        let input_ids = &self.node_inputs[position];

        let mut values = if self.is_async && input_ids.len() > 1 {
            self.load_concurrently(node, input_ids)?
        } else {
            let mut values = Vec::with_capacity(input_ids.len());
            for (i, (name, &id)) in node.input_names().iter().zip(input_ids).enumerate() {
                values.push(self.load(node, i, name, id)?);
            }
            values
        };

        let directive = hooks
            .before_node_run(&BeforeNodeRun {
                node,
                catalog: self.catalog,
                inputs: NodeValues::new(node.input_names(), &values),
                is_async: self.is_async,
                run_id: self.run_id,
            })
            .map_err(|error| TaskError::Hook(hook_failure(hooks, "before_node_run", error)))?;

        let (outputs, duration, skipped) = if directive.is_proceed() {
            let (outputs, duration) = self.call(node, &values)?;
            (outputs, duration, false)
        } else {
            apply_overrides(node, &directive, &mut values, hooks)?;
            match directive.skipped_outputs() {
                Some(given) => (
                    skipped_outputs(node, &directive, given, hooks)?,
                    Duration::ZERO,
                    true,
                ),
                None => {
                    let (outputs, duration) = self.call(node, &values)?;
                    (outputs, duration, false)
                }
            }
        };

        let output_names: &[String] = if skipped && outputs.is_empty() {
            &[]
        } else {
            node.output_names()
        };
        hooks
            .after_node_run(&AfterNodeRun {
                node,
                catalog: self.catalog,
                inputs: NodeValues::new(node.input_names(), &values),
                outputs: NodeValues::new(output_names, &outputs),
                is_async: self.is_async,
                run_id: self.run_id,
                duration,
                skipped,
            })
            .map_err(|error| TaskError::Hook(hook_failure(hooks, "after_node_run", error)))?;
        drop(values);

        if !outputs.is_empty() {
            let output_ids = &self.node_outputs[position];
            if self.is_async && output_ids.len() > 1 {
                self.save_concurrently(node, output_ids, &outputs)?;
            } else {
                for ((name, &id), value) in node.output_names().iter().zip(output_ids).zip(&outputs)
                {
                    self.save(node, name, id, value)?;
                }
            }
        }
        for name in node.confirm_names() {
            self.catalog
                .confirm(name)
                .map_err(|source| TaskError::Dataset {
                    dataset: name.clone(),
                    operation: DatasetOperation::Save,
                    source,
                })?;
        }
        Ok(NodeReport {
            name: node.full_name().to_owned(),
            duration,
            total_duration: started.elapsed(),
            skipped,
        })
    }

    fn call(&self, node: &Node, values: &[Value]) -> Result<(Vec<Value>, Duration), TaskError> {
        let started = Instant::now();
        match node.function().call(values.to_vec()) {
            Ok(outputs) => Ok((outputs, started.elapsed())),
            Err(error) => {
                let error = TaskError::Node(error);
                tracing::error!("Node {node} failed with error: \n{error}");
                call_error_hook(&self.hooks.name(), "on_node_error", || {
                    self.hooks.on_node_error(&NodeFailed {
                        error: &error,
                        node,
                        catalog: self.catalog,
                        inputs: NodeValues::new(node.input_names(), values),
                        is_async: self.is_async,
                        run_id: self.run_id,
                    });
                });
                Err(error)
            }
        }
    }

    fn load(&self, node: &Node, arg: usize, name: &str, id: usize) -> Result<Value, TaskError> {
        let hooks = self.hooks;
        hooks
            .before_dataset_loaded(&BeforeDatasetLoaded {
                dataset_name: name,
                node,
            })
            .map_err(|error| {
                TaskError::Hook(hook_failure(hooks, "before_dataset_loaded", error))
            })?;
        let started = Instant::now();
        let dataset = &self.datasets[id];
        let value = node
            .function()
            .args()
            .get(arg)
            .map_or_else(
                || dataset.load_value(),
                |spec| dataset.load_value_for(spec.value_type()),
            )
            .map_err(|source| self.dataset_error(node, name, DatasetOperation::Load, source))?;
        hooks
            .after_dataset_loaded(&AfterDatasetLoaded {
                dataset_name: name,
                data: &value,
                node,
                duration: started.elapsed(),
            })
            .map_err(|error| TaskError::Hook(hook_failure(hooks, "after_dataset_loaded", error)))?;
        Ok(value)
    }

    fn load_concurrently(&self, node: &Node, ids: &[usize]) -> Result<Vec<Value>, TaskError> {
        std::thread::scope(|scope| {
            let handles: Vec<_> = node
                .input_names()
                .iter()
                .zip(ids)
                .enumerate()
                .map(|(i, (name, &id))| scope.spawn(move || self.load(node, i, name, id)))
                .collect();
            handles
                .into_iter()
                .map(|handle| {
                    handle.join().unwrap_or_else(|payload| {
                        Err(TaskError::Panicked(panic_message(payload.as_ref())))
                    })
                })
                .collect()
        })
    }

    fn before_save(&self, node: &Node, name: &str, value: &Value) -> Result<(), TaskError> {
        self.hooks
            .before_dataset_saved(&BeforeDatasetSaved {
                dataset_name: name,
                data: value,
                node,
            })
            .map_err(|error| {
                TaskError::Hook(hook_failure(self.hooks, "before_dataset_saved", error))
            })
    }

    fn write(
        &self,
        node: &Node,
        name: &str,
        id: usize,
        value: &Value,
    ) -> Result<Duration, TaskError> {
        let started = Instant::now();
        self.datasets[id]
            .save_value(value)
            .map_err(|source| self.dataset_error(node, name, DatasetOperation::Save, source))?;
        Ok(started.elapsed())
    }

    fn after_save(
        &self,
        node: &Node,
        name: &str,
        value: &Value,
        duration: Duration,
    ) -> Result<(), TaskError> {
        self.hooks
            .after_dataset_saved(&AfterDatasetSaved {
                dataset_name: name,
                data: value,
                node,
                duration,
            })
            .map_err(|error| {
                TaskError::Hook(hook_failure(self.hooks, "after_dataset_saved", error))
            })
    }

    fn save(&self, node: &Node, name: &str, id: usize, value: &Value) -> Result<(), TaskError> {
        self.before_save(node, name, value)?;
        let duration = self.write(node, name, id, value)?;
        self.after_save(node, name, value, duration)
    }

    /// Kedro's async saving: every `before_dataset_saved` first, the saves concurrently, then
    /// `after_dataset_saved` in completion order; the first failure is returned.
    fn save_concurrently(
        &self,
        node: &Node,
        ids: &[usize],
        values: &[Value],
    ) -> Result<(), TaskError> {
        let names = node.output_names();
        for (name, value) in names.iter().zip(values) {
            self.before_save(node, name, value)?;
        }
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::scope(|scope| {
            for (index, (&id, value)) in ids.iter().zip(values).enumerate() {
                let sender = sender.clone();
                let name = &names[index];
                scope.spawn(move || {
                    let result = self.write(node, name, id, value);
                    // The receiver outlives the scope; a failed send cannot happen.
                    let _ = sender.send((index, result));
                });
            }
        });
        drop(sender);
        let mut first_error = None;
        for (index, result) in receiver {
            match result {
                Ok(duration) => {
                    if let Err(error) =
                        self.after_save(node, &names[index], &values[index], duration)
                    {
                        first_error.get_or_insert(error);
                    }
                }
                Err(error) => {
                    first_error.get_or_insert(error);
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    fn dataset_error(
        &self,
        node: &Node,
        name: &str,
        operation: DatasetOperation,
        source: crate::error::DatasetError,
    ) -> TaskError {
        call_error_hook(&self.hooks.name(), "on_dataset_error", || {
            self.hooks.on_dataset_error(&DatasetFailed {
                dataset_name: name,
                operation,
                error: &source,
                node,
            });
        });
        TaskError::Dataset {
            dataset: name.to_owned(),
            operation,
            source,
        }
    }

    /// Releases what the node was the last to need: inputs no other node will read, and
    /// outputs no node reads, unless they are free inputs or outputs of the pipeline.
    pub(crate) fn release_after(&self, position: usize) {
        for &id in &self.node_inputs[position] {
            if self.remaining_loads[id].fetch_sub(1, Ordering::AcqRel) == 1 && !self.keep[id] {
                self.datasets[id].release();
            }
        }
        for &id in &self.node_outputs[position] {
            if self.remaining_loads[id].load(Ordering::Acquire) == 0 && !self.keep[id] {
                self.datasets[id].release();
            }
        }
    }

    /// Kedro's resume suggestion for the nodes not `completed`.
    fn resume_suggestion(&self, completed: &[bool]) -> crate::error::ResumeSuggestion {
        let nodes = self.pipeline.nodes();
        let unfinished: Vec<&str> = nodes
            .iter()
            .zip(completed)
            .filter(|(_, done)| !**done)
            .map(|(node, _)| node.full_name())
            .collect();
        let any_completed = completed.iter().any(|done| *done);
        let from_nodes = if any_completed {
            find_nodes_to_resume_from(self.pipeline, &unfinished, |name| {
                self.catalog
                    .get(name)
                    .ok()
                    .flatten()
                    .is_some_and(|dataset| !dataset.is_ephemeral())
            })
        } else {
            Vec::new()
        };
        crate::error::ResumeSuggestion {
            remaining: unfinished.len(),
            from_nodes,
            any_completed,
        }
    }

    /// The error for a failed task, with Kedro's resume suggestion.
    pub(crate) fn failure(
        &self,
        position: usize,
        error: TaskError,
        completed: &[bool],
    ) -> RunError {
        let failure = TaskFailure {
            node: self.pipeline.nodes()[position].full_name().to_owned(),
            error,
            resume: self.resume_suggestion(completed),
        };
        tracing::warn!("{}", failure.resume);
        RunError::Task(Box::new(failure))
    }

    /// The error for a run stopped by its [`Interrupt`](crate::Interrupt) once the running
    /// nodes ended: what did not run and how to resume.
    pub(crate) fn interrupted(&self, completed: &[bool]) -> RunError {
        let interruption = crate::error::Interruption {
            total: completed.len(),
            resume: self.resume_suggestion(completed),
        };
        tracing::warn!("Interrupted: {}", interruption.resume);
        RunError::Interrupted(Box::new(interruption))
    }

    /// Whether the run was asked to stop.
    pub(crate) fn interrupt_requested(&self) -> bool {
        self.interrupt.is_requested()
    }

    fn result(&self, reports: Vec<NodeReport>, duration: Duration) -> RunResult {
        let output_names: Vec<String> = self.free_outputs.iter().map(|n| (*n).to_owned()).collect();
        let mut outputs = std::collections::BTreeMap::new();
        for name in &output_names {
            if let Ok(Some(dataset)) = self.catalog.get(name)
                && dataset.is_ephemeral()
                && let Ok(value) = dataset.load_value()
            {
                outputs.insert(name.clone(), value);
            }
        }
        RunResult {
            outputs,
            output_names,
            nodes: reports,
            duration,
        }
    }
}

fn apply_overrides(
    node: &Node,
    directive: &NodeDirective,
    values: &mut [Value],
    hooks: &dyn Hooks,
) -> Result<(), TaskError> {
    for (index, (name, value)) in directive.overrides().iter().enumerate() {
        let hook_name = || {
            directive
                .override_hook(index)
                .map_or_else(|| hooks.name(), str::to_owned)
        };
        let Some(position) = node.input_names().iter().position(|input| input == name) else {
            return Err(TaskError::Directive {
                hook: hook_name(),
                message: format!(
                    "an override for '{name}', which is not an input of node '{}' (its inputs: {})",
                    node.full_name(),
                    node.input_names().join(", ")
                ),
            });
        };
        let expected = node.function().args()[position].value_type();
        if !value.type_info().is_compatible_with(&expected) {
            return Err(TaskError::Directive {
                hook: hook_name(),
                message: format!(
                    "an override for '{name}' of type `{}`, but node '{}' takes `{expected}` there",
                    value.type_info(),
                    node.full_name()
                ),
            });
        }
        // Every occurrence of the name gets the value (a node may read a dataset twice).
        for (input, slot) in node.input_names().iter().zip(values.iter_mut()) {
            if input == name {
                *slot = value.clone();
            }
        }
    }
    Ok(())
}

fn skipped_outputs(
    node: &Node,
    directive: &NodeDirective,
    given: &[(String, Value)],
    hooks: &dyn Hooks,
) -> Result<Vec<Value>, TaskError> {
    if given.is_empty() {
        return Ok(Vec::new());
    }
    let hook_name = || {
        directive
            .skip_hook()
            .map_or_else(|| hooks.name(), str::to_owned)
    };
    let declared = node.function().output_types();
    node.output_names()
        .iter()
        .zip(declared)
        .map(|(name, expected)| {
            let value = given
                .iter()
                .rev()
                .find(|(candidate, _)| candidate == name)
                .map(|(_, value)| value.clone())
                .ok_or_else(|| TaskError::Directive {
                    hook: hook_name(),
                    message: format!(
                        "outputs to skip node '{}' without '{name}'; a skipped node needs all its outputs: {}",
                        node.full_name(),
                        node.output_names().join(", ")
                    ),
                })?;
            if value.type_info().is_compatible_with(expected) {
                Ok(value)
            } else {
                Err(TaskError::Directive {
                    hook: hook_name(),
                    message: format!(
                        "output '{name}' of type `{}` to skip node '{}', which returns `{expected}` there",
                        value.type_info(),
                        node.full_name()
                    ),
                })
            }
        })
        .collect()
}

/// What the catalog says of a node output, for `--only-missing-outputs`.
#[derive(Clone, Copy)]
enum OutputStatus {
    /// Not in the catalog: a memory dataset created at run time.
    Unregistered,
    /// A memory dataset.
    Ephemeral,
    /// A persisted dataset, and whether its data exists.
    Persisted { exists: bool },
}

impl OutputStatus {
    fn of(catalog: &Catalog, name: &str) -> Self {
        match catalog.get(name) {
            Ok(Some(dataset)) if dataset.is_ephemeral() => Self::Ephemeral,
            Ok(Some(dataset)) => Self::Persisted {
                exists: dataset.exists().unwrap_or(false),
            },
            _ => Self::Unregistered,
        }
    }
}

/// Kedro's `--only-missing-outputs`: keeps the nodes that must run to recreate missing
/// persisted outputs (and what feeds them through memory).
pub(crate) fn only_missing_outputs(pipeline: &Pipeline, catalog: &Catalog) -> Pipeline {
    let nodes = pipeline.nodes();
    // One catalog lookup (and one `exists`, which may touch storage) per output name.
    let mut statuses: HashMap<&str, OutputStatus> = HashMap::new();
    let mut selected_inputs: HashSet<&str> = HashSet::new();
    let mut selected: BTreeSet<String> = BTreeSet::new();
    for node in nodes.iter().rev() {
        let mut runs = node.output_names().is_empty();
        for output in node.output_names() {
            let status = *statuses
                .entry(output.as_str())
                .or_insert_with(|| OutputStatus::of(catalog, output));
            let feeds_selected = selected_inputs.contains(strip_transcoding(output));
            runs |= match status {
                OutputStatus::Persisted { exists } => !exists,
                OutputStatus::Unregistered | OutputStatus::Ephemeral => false,
            } || (feeds_selected
                && !matches!(status, OutputStatus::Persisted { exists: true }));
        }
        if runs {
            selected.insert(node.full_name().to_owned());
            selected_inputs.extend(node.input_names().iter().map(|i| strip_transcoding(i)));
        }
    }
    let skipped: Vec<&str> = nodes
        .iter()
        .map(Node::full_name)
        .filter(|name| !selected.contains(*name))
        .collect();
    if selected.is_empty() {
        tracing::info!(
            "Skipping all {} nodes (all persistent outputs exist)",
            nodes.len()
        );
        return Pipeline::empty();
    }
    if !skipped.is_empty() {
        tracing::info!(
            "Skipping {} nodes with existing outputs: {}",
            skipped.len(),
            skipped.join(", ")
        );
        tracing::info!("Running {} out of {} nodes", selected.len(), nodes.len());
    }
    let names: Vec<String> = selected.into_iter().collect();
    pipeline.only_nodes(&names).unwrap_or_default()
}

/// The pipeline-level flow both runners share: filter for missing outputs if asked, validate,
/// `before_pipeline_run`, schedule the nodes, then `after_pipeline_run` or `on_pipeline_error`.
pub(crate) fn run_pipeline(
    pipeline: &Pipeline,
    catalog: &Catalog,
    hooks: &dyn Hooks,
    params: &RunParams,
    is_async: bool,
    schedule: impl FnOnce(&Engine<'_>) -> Result<Vec<NodeReport>, RunError>,
) -> Result<RunResult, RunError> {
    let started = Instant::now();
    let filtered;
    let pipeline = if params.only_missing_outputs {
        filtered = only_missing_outputs(pipeline, catalog);
        &filtered
    } else {
        pipeline
    };
    crate::validation::validate(pipeline, catalog).map_err(RunError::Invalid)?;

    hooks
        .before_pipeline_run(&BeforePipelineRun {
            run_params: params,
            pipeline,
            catalog,
        })
        .map_err(|error| RunError::Hook(hook_failure(hooks, "before_pipeline_run", error)))?;

    let outcome = Engine::prepare(
        pipeline,
        catalog,
        hooks,
        &params.run_id,
        is_async,
        params.interrupt.clone(),
    )
    .and_then(|engine| {
        if is_async {
            tracing::info!("Asynchronous mode is enabled for loading and saving data.");
        }
        let reports = schedule(&engine)?;
        Ok(engine.result(reports, started.elapsed()))
    });
    match outcome {
        Ok(result) => {
            tracing::info!(
                "Pipeline execution completed successfully in {:.1} sec.",
                result.duration.as_secs_f64()
            );
            hooks
                .after_pipeline_run(&AfterPipelineRun {
                    run_params: params,
                    pipeline,
                    catalog,
                    run_result: &result,
                })
                .map_err(|error| {
                    RunError::Hook(hook_failure(hooks, "after_pipeline_run", error))
                })?;
            Ok(result)
        }
        Err(error) => {
            call_error_hook(&hooks.name(), "on_pipeline_error", || {
                hooks.on_pipeline_error(&PipelineFailed {
                    error: &error,
                    run_params: params,
                    pipeline,
                    catalog,
                });
            });
            Err(error)
        }
    }
}
