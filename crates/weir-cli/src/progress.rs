//! Following a run: the live progress display, log lines, and what the summary needs.
//!
//! One hook, [`RunObserver`], follows the run: it drives an `indicatif` bar on a terminal (or
//! writes plain log lines when stderr is not a terminal or `NO_COLOR` is set) and collects each
//! node's status and durations (its function, loading its inputs, saving its outputs) and each
//! saved dataset's size for the summary.

use std::collections::{BTreeSet, HashMap};
use std::io::{IsTerminal, Write};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use weir_core::{
    AfterDatasetLoaded, AfterDatasetSaved, AfterNodeRun, AfterPipelineRun, BeforeNodeRun,
    BeforePipelineRun, BoxError, HookResult, Hooks, NodeDirective, NodeFailed, PipelineFailed,
};

use crate::text::no_color;
use crate::values::{small_preview, table_shape};

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressMode {
    /// A live bar on stderr (a terminal, `NO_COLOR` unset).
    Bar,
    /// No bar: the runner's log lines ("Completed 3 out of 9 tasks") show progress.
    Lines,
    /// Nothing (`-qq`).
    Off,
}

impl ProgressMode {
    /// The mode for this process: a bar only on a terminal without `NO_COLOR`.
    pub fn detect(quiet: u8) -> Self {
        if quiet >= 2 {
            Self::Off
        } else if std::io::stderr().is_terminal() && !no_color() {
            Self::Bar
        } else {
            Self::Lines
        }
    }
}

/// The bar currently drawn, so log lines can be printed above it instead of through it.
fn active_bar() -> &'static Mutex<Option<ProgressBar>> {
    static BAR: OnceLock<Mutex<Option<ProgressBar>>> = OnceLock::new();
    BAR.get_or_init(|| Mutex::new(None))
}

/// A `tracing` writer for stderr that hides the progress bar while a line is written.
#[derive(Clone, Copy, Default)]
pub struct StderrAboveBar;

impl Write for StderrAboveBar {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let bar = active_bar().lock().map(|bar| bar.clone()).unwrap_or(None);
        let written = match bar {
            Some(bar) => bar.suspend(|| std::io::stderr().write(buf)),
            None => std::io::stderr().write(buf),
        };
        // A closed stderr (`run 2>&1 | head -1`) drops log lines; it never stops a run.
        match written {
            Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(buf.len()),
            other => other,
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match std::io::stderr().flush() {
            Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            other => other,
        }
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for StderrAboveBar {
    type Writer = StderrAboveBar;
    fn make_writer(&'a self) -> Self::Writer {
        *self
    }
}

/// How one node ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeStatus {
    /// The function ran and its outputs were saved.
    Completed,
    /// A `before_node_run` hook skipped it.
    Skipped,
    /// It failed (its function, a load, a save or one of its hooks), with this message.
    Failed(String),
}

/// One node of the summary.
#[derive(Debug, Clone)]
pub struct NodeOutcome {
    /// The node's full name.
    pub name: String,
    /// How it ended.
    pub status: NodeStatus,
    /// Time in the function.
    pub duration: Duration,
    /// Time loading its inputs, summed over them (with `--async` they load at once, so the
    /// sum can exceed the time that passed).
    pub load: Duration,
    /// Time saving its outputs, summed likewise. A node returning a `LazyFrame` does its work
    /// here: the query runs when the dataset writes it.
    pub save: Duration,
}

impl NodeOutcome {
    /// Loads, the function and saves.
    pub fn total(&self) -> Duration {
        self.load + self.duration + self.save
    }
}

/// One saved dataset of the summary.
#[derive(Debug, Clone)]
pub struct SavedDataset {
    /// The dataset's name.
    pub name: String,
    /// Rows and columns, for tables.
    pub shape: Option<(usize, usize)>,
    /// How long the save took.
    pub duration: Duration,
    /// The value in a few words, for small values (numbers, maps of metrics); `None` for
    /// tables and values with no short form.
    pub preview: Option<String>,
}

#[derive(Default)]
struct State {
    total: usize,
    done: usize,
    running: BTreeSet<String>,
    nodes: Vec<NodeOutcome>,
    saved: Vec<SavedDataset>,
    /// Load time of the nodes still running, by node.
    loads: HashMap<String, Duration>,
    /// Outputs still to save, by node: a node is shown running until they are written (a
    /// `LazyFrame` node's query runs then).
    saving: HashMap<String, usize>,
}

/// The hook that shows progress and gathers the summary.
pub struct RunObserver {
    mode: ProgressMode,
    bar: Mutex<Option<ProgressBar>>,
    state: Mutex<State>,
}

impl RunObserver {
    /// An observer showing progress in `mode`.
    pub fn new(mode: ProgressMode) -> Self {
        Self {
            mode,
            bar: Mutex::new(None),
            state: Mutex::new(State::default()),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The nodes that ended, in completion order.
    pub fn nodes(&self) -> Vec<NodeOutcome> {
        self.state().nodes.clone()
    }

    /// The datasets saved, in order.
    pub fn saved(&self) -> Vec<SavedDataset> {
        self.state().saved.clone()
    }

    fn refresh(&self, state: &State) {
        if let Ok(bar) = self.bar.lock()
            && let Some(bar) = bar.as_ref()
        {
            bar.set_position(state.done as u64);
            let running: Vec<&str> = state.running.iter().map(String::as_str).collect();
            bar.set_message(if running.is_empty() {
                String::new()
            } else {
                format!("running {}", running.join(", "))
            });
        }
    }

    fn finish_bar(&self) {
        if let Ok(mut bar) = self.bar.lock()
            && let Some(bar) = bar.take()
        {
            bar.finish_and_clear();
        }
        if let Ok(mut active) = active_bar().lock() {
            *active = None;
        }
    }

    /// Records how a node ended; it counts as done once its `unsaved` outputs are written.
    fn node_ended(&self, mut outcome: NodeOutcome, unsaved: usize) {
        let mut state = self.state();
        outcome.load = state.loads.remove(&outcome.name).unwrap_or_default();
        if unsaved == 0 {
            state.running.remove(&outcome.name);
            state.done += 1;
        } else {
            state.saving.insert(outcome.name.clone(), unsaved);
        }
        state.nodes.push(outcome);
        self.refresh(&state);
    }
}

impl Hooks for RunObserver {
    fn name(&self) -> String {
        "weir.progress".to_owned()
    }

    fn before_pipeline_run(&self, event: &BeforePipelineRun<'_>) -> HookResult {
        let mut state = self.state();
        *state = State {
            total: event.pipeline.len(),
            ..State::default()
        };
        if self.mode == ProgressMode::Bar {
            let bar = ProgressBar::with_draw_target(
                Some(state.total as u64),
                ProgressDrawTarget::stderr_with_hz(10),
            );
            if let Ok(style) = ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:24} {pos}/{len} nodes  {wide_msg}",
            ) {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(100));
            if let Ok(mut active) = active_bar().lock() {
                *active = Some(bar.clone());
            }
            if let Ok(mut slot) = self.bar.lock() {
                *slot = Some(bar);
            }
        }
        Ok(())
    }

    fn before_node_run(&self, event: &BeforeNodeRun<'_>) -> Result<NodeDirective, BoxError> {
        let mut state = self.state();
        state.running.insert(event.node.full_name().to_owned());
        self.refresh(&state);
        Ok(NodeDirective::proceed())
    }

    fn after_node_run(&self, event: &AfterNodeRun<'_>) -> HookResult {
        self.node_ended(
            NodeOutcome {
                name: event.node.full_name().to_owned(),
                status: if event.skipped {
                    NodeStatus::Skipped
                } else {
                    NodeStatus::Completed
                },
                duration: event.duration,
                load: Duration::ZERO,
                save: Duration::ZERO,
            },
            event.outputs.len(),
        );
        Ok(())
    }

    fn on_node_error(&self, event: &NodeFailed<'_>) {
        self.node_ended(
            NodeOutcome {
                name: event.node.full_name().to_owned(),
                status: NodeStatus::Failed(event.error.to_string()),
                duration: Duration::ZERO,
                load: Duration::ZERO,
                save: Duration::ZERO,
            },
            0,
        );
    }

    fn after_dataset_loaded(&self, event: &AfterDatasetLoaded<'_>) -> HookResult {
        *self
            .state()
            .loads
            .entry(event.node.full_name().to_owned())
            .or_default() += event.duration;
        Ok(())
    }

    fn after_dataset_saved(&self, event: &AfterDatasetSaved<'_>) -> HookResult {
        let mut state = self.state();
        // Outputs are saved after `after_node_run`, as in Kedro: the node has ended already.
        let node = event.node.full_name();
        if let Some(outcome) = state.nodes.iter_mut().rev().find(|n| n.name == node) {
            outcome.save += event.duration;
        }
        if let Some(unsaved) = state.saving.get_mut(node) {
            *unsaved = unsaved.saturating_sub(1);
            if *unsaved == 0 {
                state.saving.remove(node);
                state.running.remove(node);
                state.done += 1;
            }
            self.refresh(&state);
        }
        state.saved.push(SavedDataset {
            name: event.dataset_name.to_owned(),
            shape: table_shape(event.data),
            duration: event.duration,
            preview: small_preview(event.data),
        });
        Ok(())
    }

    fn after_pipeline_run(&self, _event: &AfterPipelineRun<'_>) -> HookResult {
        self.finish_bar();
        Ok(())
    }

    fn on_pipeline_error(&self, event: &PipelineFailed<'_>) {
        // Status is never better than the truth: a node whose save, confirm or dataset hook
        // failed after `after_node_run` (which recorded it completed) is failed.
        if let weir_core::RunError::Task(failure) = event.error {
            let mut state = self.state();
            let message = failure.error.to_string();
            state.running.remove(&failure.node);
            state.saving.remove(&failure.node);
            match state
                .nodes
                .iter_mut()
                .rev()
                .find(|n| n.name == failure.node)
            {
                Some(outcome) => {
                    if !matches!(outcome.status, NodeStatus::Failed(_)) {
                        outcome.status = NodeStatus::Failed(message);
                    }
                }
                None => {
                    let load = state.loads.remove(&failure.node).unwrap_or_default();
                    state.nodes.push(NodeOutcome {
                        name: failure.node.clone(),
                        status: NodeStatus::Failed(message),
                        duration: Duration::ZERO,
                        load,
                        save: Duration::ZERO,
                    });
                }
            }
        }
        self.finish_bar();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A dataset whose loads and saves take the given time, like a file whose save runs a
    /// lazy query.
    struct Slow {
        load: Duration,
        save: Duration,
    }

    impl weir_core::Dataset for Slow {
        type Value = u64;

        fn load(&self) -> Result<u64, weir_core::DatasetError> {
            std::thread::sleep(self.load);
            Ok(1)
        }

        fn save(&self, _: &u64) -> Result<(), weir_core::DatasetError> {
            std::thread::sleep(self.save);
            Ok(())
        }
    }

    #[test]
    fn each_node_gets_its_own_load_and_save_time() {
        use weir_core::{Catalog, Pipeline, RunParams, Runner, SequentialRunner, node};
        let millis = Duration::from_millis;
        let mut catalog = Catalog::new();
        let slow = |load, save| Slow {
            load: millis(load),
            save: millis(save),
        };
        catalog.add("raw", slow(30, 0));
        catalog.add("written", slow(0, 60));
        catalog.add("read_again", slow(0, 0));
        let pipeline = Pipeline::new([
            node(|x: u64| x + 1)
                .inputs("raw")
                .outputs("written")
                .name("first"),
            node(|x: u64| x * 2)
                .inputs("written")
                .outputs("read_again")
                .name("second"),
            // A free output, in no catalog entry.
            node(|x: u64| x + 3)
                .inputs("read_again")
                .outputs("free")
                .name("third"),
        ]);
        let observer = RunObserver::new(ProgressMode::Off);
        SequentialRunner::new()
            .run(&pipeline, &catalog, &observer, &RunParams::new())
            .unwrap();
        // Each node counted done once its output was written, none left running.
        let state = observer.state();
        assert_eq!(
            (state.done, state.running.len(), state.saving.len()),
            (3, 0, 0)
        );
        drop(state);
        let nodes = observer.nodes();
        let [first, second, third] = nodes.as_slice() else {
            panic!("{nodes:?}")
        };
        assert_eq!(
            (first.name.as_str(), second.name.as_str()),
            ("first", "second")
        );
        // Lower bounds only: the sleeps guarantee them, however busy the machine.
        assert!(
            first.load >= millis(30) && first.save >= millis(60),
            "{first:?}"
        );
        // Each node's save time is exactly the save of its own output: `written` is saved by
        // `first` only, and loading it costs `second` no save time.
        let saved = observer.saved();
        let save_of = |name: &str| {
            saved
                .iter()
                .find(|s| s.name == name)
                .map(|s| s.duration)
                .unwrap()
        };
        assert_eq!(first.save, save_of("written"));
        assert_eq!(second.save, save_of("read_again"));
        // A free output is saved to memory, and counted for its own node.
        assert_eq!(third.save, save_of("free"));
        assert_eq!(saved.len(), 3, "{saved:?}");
    }
}
