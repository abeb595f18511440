//! Error types, by kind.

use std::fmt;

use crate::problem::ValidationReport;
use crate::python::python_list;
use crate::value::TypeInfo;

/// The error type node functions may fail with: anything that converts into it works
/// (`std::io::Error`, `String`, `anyhow::Error`, your own error types).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A pipeline operation (a filter or a namespace mapping) that does not fit the pipeline.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum PipelineError {
    /// A node name that is not in the pipeline.
    #[error(
        "Pipeline does not contain nodes named {}.{}",
        python_list(names),
        did_you_mean(suggestions)
    )]
    UnknownNodes {
        /// The names not found.
        names: Vec<String>,
        /// Namespaced nodes whose name ends with one of them.
        suggestions: Vec<String>,
    },
    /// A dataset name that no node reads or writes.
    #[error("Pipeline does not contain datasets named {}", python_list(names))]
    UnknownDatasets {
        /// The names not found.
        names: Vec<String>,
    },
    /// A namespace no node is in.
    #[error(
        "Pipeline does not contain nodes with the following namespaces: {}",
        python_list(names)
    )]
    UnknownNamespaces {
        /// The namespaces not found.
        names: Vec<String>,
    },
    /// Filtering left no node.
    #[error(
        "Pipeline contains no nodes after applying all provided filters. Please ensure that at least one pipeline with nodes has been defined."
    )]
    EmptyAfterFilter,
    /// A namespace mapping that does not fit the pipeline.
    #[error("{0}")]
    Mapping(String),
}

fn did_you_mean(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        format!(" Did you mean: {}?", python_list(suggestions))
    }
}

/// Why a dataset could not load, save or answer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DatasetError {
    /// A memory dataset was loaded before anything was saved to it.
    #[error("Data for MemoryDataset has not been saved yet.")]
    NotSaved,
    /// The value given to save is not of the dataset's type.
    #[error("expected a value of type `{expected}` to save, found `{found}`")]
    WrongType {
        /// The dataset's value type.
        expected: TypeInfo,
        /// The type of the value given.
        found: TypeInfo,
    },
    /// The name is not in the catalog.
    #[error("Dataset '{0}' not found in the catalog")]
    NotFound(String),
    /// Anything else: the dataset's own error.
    #[error("{message}")]
    Failed {
        /// What happened, for the user.
        message: String,
        /// The underlying error.
        #[source]
        source: Option<BoxError>,
    },
}

impl DatasetError {
    /// An error with a message.
    pub fn message(message: impl Into<String>) -> Self {
        Self::Failed {
            message: message.into(),
            source: None,
        }
    }

    /// An error with a message and its cause.
    pub fn with_source(message: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Self::Failed {
            message: message.into(),
            source: Some(source.into()),
        }
    }
}

impl From<std::io::Error> for DatasetError {
    fn from(error: std::io::Error) -> Self {
        Self::with_source(error.to_string(), error)
    }
}

/// A hook that returned an error.
#[derive(Debug, thiserror::Error)]
#[error("hook `{hook}` failed in `{stage}`: {source}")]
pub struct HookFailure {
    /// The hook's name ([`Hooks::name`](crate::Hooks::name)).
    pub hook: String,
    /// The hook method that failed, e.g. `before_node_run`.
    pub stage: &'static str,
    /// The hook's error.
    #[source]
    pub source: BoxError,
}

/// Load or save.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatasetOperation {
    /// Loading a node's input.
    Load,
    /// Saving a node's output.
    Save,
}

impl fmt::Display for DatasetOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Load => "load",
            Self::Save => "save",
        })
    }
}

/// Why a value could not be given to a node argument.
#[derive(Debug, Clone)]
pub enum ExtractError {
    /// The value is not of the argument's type.
    WrongType {
        /// The type the argument wants.
        expected: TypeInfo,
        /// The type of the value found.
        found: TypeInfo,
    },
    /// A parameter did not deserialize into the `Param<T>` type.
    Param {
        /// The type wanted.
        expected: TypeInfo,
        /// serde's message.
        message: String,
    },
}

impl fmt::Display for ExtractError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WrongType { expected, found } => {
                write!(f, "expected a value of type `{expected}`, found `{found}`")?;
                if expected.short_name() == found.short_name() {
                    write!(
                        f,
                        " (two versions of the same crate are in the build: `cargo tree -d` shows them)"
                    )?;
                }
                Ok(())
            }
            Self::Param { expected, message } => {
                write!(f, "the parameter does not fit `{expected}`: {message}")
            }
        }
    }
}

/// Why calling a node's function failed.
#[derive(Debug)]
pub enum CallError {
    /// The function returned an error.
    Failed(BoxError),
    /// The function panicked; the message is the panic's payload.
    Panicked(String),
    /// An input could not be given to its argument.
    Input {
        /// The argument's position (0-based).
        position: usize,
        /// What went wrong.
        error: ExtractError,
    },
    /// The function was called with the wrong number of inputs.
    Arity {
        /// How many arguments the function takes.
        expected: usize,
        /// How many inputs were given.
        found: usize,
    },
    /// The function returned a different number of values than the node has outputs.
    OutputCount {
        /// How many outputs the node declares.
        expected: usize,
        /// How many values the function returned.
        found: usize,
    },
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Failed(error) => write!(f, "{error}"),
            Self::Panicked(message) => write!(f, "the node panicked: {message}"),
            Self::Input { position, error } => write!(f, "argument {}: {error}", position + 1),
            Self::Arity { expected, found } => write!(
                f,
                "the function takes {expected} argument(s) but {found} input(s) were given"
            ),
            Self::OutputCount { expected, found } => write!(
                f,
                "the node declares {expected} output(s) but the function returned {found} value(s)"
            ),
        }
    }
}

impl std::error::Error for CallError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Failed(error) => Some(error.as_ref()),
            _ => None,
        }
    }
}

/// The text of a panic payload.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a non-string panic payload".to_owned()
    }
}

/// What made a node's task fail.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TaskError {
    /// The node's function failed, panicked, or could not take its inputs.
    #[error("{0}")]
    Node(#[source] CallError),
    /// An input could not be loaded or an output could not be saved.
    #[error("failed to {operation} dataset '{dataset}': {source}")]
    Dataset {
        /// The dataset.
        dataset: String,
        /// Load or save.
        operation: DatasetOperation,
        /// The dataset's error.
        #[source]
        source: DatasetError,
    },
    /// A node or dataset hook failed.
    #[error("{0}")]
    Hook(#[source] HookFailure),
    /// A hook or dataset panicked while the node's task ran.
    #[error("panicked: {0}")]
    Panicked(String),
    /// A `before_node_run` hook gave inputs or outputs that do not fit the node.
    #[error("hook `{hook}` returned {message}")]
    Directive {
        /// The hook.
        hook: String,
        /// What does not fit.
        message: String,
    },
}

/// Kedro's suggestion after a failed run: the nodes to pass to `--from-nodes` to resume.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResumeSuggestion {
    /// How many nodes did not complete.
    pub remaining: usize,
    /// The nodes to resume from (empty when no node ran).
    pub from_nodes: Vec<String>,
    /// Whether any node completed before the failure.
    pub any_completed: bool,
}

impl ResumeSuggestion {
    /// The `--from-nodes` argument, ready to paste, or `None` when nothing ran.
    pub fn argument(&self) -> Option<String> {
        (self.any_completed && !self.from_nodes.is_empty())
            .then(|| format!("--from-nodes \"{}\"", self.from_nodes.join(",")))
    }
}

impl fmt::Display for ResumeSuggestion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.argument() {
            None => write!(
                f,
                "No nodes ran. Repeat the previous command to attempt a new run."
            ),
            Some(argument) => write!(
                f,
                "There are {} nodes that have not run.\nYou can resume the pipeline run from the nearest nodes with persisted inputs by adding the following argument to your previous command:\n  {argument}",
                self.remaining
            ),
        }
    }
}

/// A node's task that failed, with what to do next.
#[derive(Debug, thiserror::Error)]
#[error("node '{node}' failed: {error}")]
pub struct TaskFailure {
    /// The node's full name.
    pub node: String,
    /// What went wrong.
    #[source]
    pub error: TaskError,
    /// How to resume.
    pub resume: ResumeSuggestion,
}

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The pipeline did not pass validation; nothing ran.
    #[error("{0}")]
    Invalid(ValidationReport),
    /// A node's task failed.
    #[error("{0}")]
    Task(Box<TaskFailure>),
    /// A pipeline hook (`before_pipeline_run` or `after_pipeline_run`) failed.
    #[error("{0}")]
    Hook(HookFailure),
    /// The runner's configuration is wrong (e.g. zero workers).
    #[error("{0}")]
    Configuration(String),
    /// The run was asked to stop ([`Interrupt`](crate::Interrupt)): the nodes that were
    /// running finished and saved their outputs, and no other node started.
    #[error("{0}")]
    Interrupted(Box<Interruption>),
}

/// A run stopped by an [`Interrupt`](crate::Interrupt), with what to do next.
#[derive(Debug, thiserror::Error)]
#[error("the run was interrupted: {} of {total} nodes did not run", resume.remaining)]
pub struct Interruption {
    /// How many nodes the pipeline has.
    pub total: usize,
    /// How to resume.
    pub resume: ResumeSuggestion,
}

impl RunError {
    /// The resume suggestion, when a node failed.
    pub fn resume_suggestion(&self) -> Option<&ResumeSuggestion> {
        match self {
            Self::Task(failure) => Some(&failure.resume),
            Self::Interrupted(interruption) => Some(&interruption.resume),
            _ => None,
        }
    }

    /// Whether the run stopped because it was asked to ([`RunError::Interrupted`]).
    pub fn is_interrupted(&self) -> bool {
        matches!(self, Self::Interrupted(_))
    }

    /// The failed node's name, when a node failed.
    pub fn failed_node(&self) -> Option<&str> {
        match self {
            Self::Task(failure) => Some(&failure.node),
            _ => None,
        }
    }
}
