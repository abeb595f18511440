//! The parallel runner: a ready queue feeding a fixed set of OS threads.

use std::sync::mpsc;
use std::sync::{Mutex, PoisonError};

use crate::catalog::Catalog;
use crate::error::{RunError, TaskError};
use crate::hooks::Hooks;
use crate::pipeline::Pipeline;
use crate::run::{NodeReport, RunParams, RunResult};
use crate::runner::Runner;
use crate::runner::engine::run_pipeline;

/// Runs nodes on a fixed number of OS threads, each node as soon as every node it depends on
/// has finished (not level by level).
///
/// Unlike Kedro's `ParallelRunner`, nodes run in threads of one process: nothing is pickled,
/// memory datasets are shared without copies, and hooks are the same objects in every thread,
/// so their state is kept. After a failure no new node starts; the nodes already running finish.
///
/// ```
/// use weir_core::{node, Catalog, NoHooks, ParallelRunner, Pipeline, RunParams, Runner};
///
/// let pipeline = Pipeline::new([
///     node(|x: u64| x + 1).inputs("x").outputs("a"),
///     node(|x: u64| x + 2).inputs("x").outputs("b"),
///     node(|a: u64, b: u64| a * b).inputs(["a", "b"]).outputs("c"),
/// ]);
/// let mut catalog = Catalog::new();
/// catalog.add_value("x", 1_u64);
/// let result = ParallelRunner::new().workers(2).run(&pipeline, &catalog, &NoHooks, &RunParams::new()).unwrap();
/// assert_eq!(result.output::<u64>("c"), Some(&6));
/// ```
#[derive(Debug, Clone, Default)]
pub struct ParallelRunner {
    workers: Option<usize>,
    is_async: bool,
}

impl ParallelRunner {
    /// A parallel runner with one worker per available core.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the number of worker threads (Kedro's `max_workers`); must be positive.
    pub fn workers(mut self, workers: usize) -> Self {
        self.workers = Some(workers);
        self
    }

    /// Loads a node's inputs and saves its outputs concurrently.
    pub fn is_async(mut self, is_async: bool) -> Self {
        self.is_async = is_async;
        self
    }

    /// The number of threads a pipeline gets: the configured maximum, capped by how many nodes
    /// can ever run at once (Kedro's `len(nodes) - len(groups) + 1`).
    pub fn worker_count(&self, pipeline: &Pipeline) -> Result<usize, RunError> {
        let maximum = match self.workers {
            Some(0) => {
                return Err(RunError::Configuration(
                    "the number of workers must be positive".to_owned(),
                ));
            }
            Some(workers) => workers,
            None => std::thread::available_parallelism().map_or(1, usize::from),
        };
        let groups = pipeline.grouped_nodes().len();
        let needed = pipeline.len().saturating_sub(groups) + 1;
        Ok(maximum.min(needed).max(1))
    }
}

impl Runner for ParallelRunner {
    fn run(
        &self,
        pipeline: &Pipeline,
        catalog: &Catalog,
        hooks: &dyn Hooks,
        params: &RunParams,
    ) -> Result<RunResult, RunError> {
        let workers = self.worker_count(pipeline)?;
        run_pipeline(pipeline, catalog, hooks, params, self.is_async, |engine| {
            let pipeline = engine.pipeline;
            let count = pipeline.len();
            let mut waiting: Vec<usize> =
                pipeline.parent_positions().iter().map(Vec::len).collect();
            let mut children: Vec<Vec<usize>> = vec![Vec::new(); count];
            for (child, parents) in pipeline.parent_positions().iter().enumerate() {
                for &parent in parents {
                    children[parent].push(child);
                }
            }
            let mut completed = vec![false; count];
            let mut reports: Vec<NodeReport> = Vec::with_capacity(count);
            let mut failure: Option<(usize, TaskError)> = None;

            let (job_sender, job_receiver) = mpsc::channel::<usize>();
            let job_receiver = Mutex::new(job_receiver);
            let (done_sender, done_receiver) = mpsc::channel();
            std::thread::scope(|scope| {
                for _ in 0..workers {
                    let done_sender = done_sender.clone();
                    let job_receiver = &job_receiver;
                    scope.spawn(move || {
                        loop {
                            let job = job_receiver
                                .lock()
                                .unwrap_or_else(PoisonError::into_inner)
                                .recv();
                            let Ok(position) = job else { break };
                            // Once interrupted, queued nodes are handed back unstarted.
                            let outcome = if engine.interrupt_requested() {
                                None
                            } else {
                                Some(engine.run_node(position))
                            };
                            if done_sender.send((position, outcome)).is_err() {
                                break;
                            }
                        }
                    });
                }
                drop(done_sender);

                let mut in_flight = 0_usize;
                for (position, &parents) in waiting.iter().enumerate() {
                    if parents == 0 && job_sender.send(position).is_ok() {
                        in_flight += 1;
                    }
                }
                while in_flight > 0 {
                    let Ok((position, outcome)) = done_receiver.recv() else {
                        break;
                    };
                    in_flight -= 1;
                    match outcome {
                        None => {}
                        Some(Ok(report)) => {
                            completed[position] = true;
                            tracing::info!("Completed node: {}", report.name);
                            tracing::info!("Completed {} out of {count} tasks", reports.len() + 1);
                            reports.push(report);
                            engine.release_after(position);
                            if failure.is_none() && !engine.interrupt_requested() {
                                for &child in &children[position] {
                                    waiting[child] -= 1;
                                    if waiting[child] == 0 && job_sender.send(child).is_ok() {
                                        in_flight += 1;
                                    }
                                }
                            }
                        }
                        Some(Err(error)) => {
                            failure.get_or_insert((position, error));
                        }
                    }
                }
                drop(job_sender);
            });

            if let Some((position, error)) = failure {
                return Err(engine.failure(position, error, &completed));
            }
            if reports.len() < count && engine.interrupt_requested() {
                return Err(engine.interrupted(&completed));
            }
            if reports.len() < count {
                let stuck: Vec<&str> = pipeline
                    .nodes()
                    .iter()
                    .zip(&completed)
                    .filter(|(_, done)| !**done)
                    .map(|(node, _)| node.full_name())
                    .collect();
                return Err(RunError::Configuration(format!(
                    "Unable to schedule new tasks although some nodes have not been run: {}",
                    stuck.join(", ")
                )));
            }
            Ok(reports)
        })
    }
}
