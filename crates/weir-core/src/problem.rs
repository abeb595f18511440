//! What validation finds: [`Problem`]s of each [`ProblemKind`], gathered in a
//! [`ValidationReport`].
//!
//! The checks themselves are in [`validation`](crate::validation); the report is apart from them
//! so that [`RunError`](crate::RunError) can carry it without the error types depending on
//! pipelines.

use std::fmt;

/// The kind of a validation problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum ProblemKind {
    /// A node's own definition is wrong (name, tags, outputs).
    InvalidNode,
    /// The number of dataset names does not match the function's arguments or results.
    Arity,
    /// Two different nodes have the same name.
    DuplicateNodeName,
    /// Two nodes write the same dataset.
    DuplicateOutput,
    /// Nodes depend on each other in a circle.
    Cycle,
    /// A node writes a parameter.
    WritesParameter,
    /// A dataset is used with and without transcoding, or with several separators.
    Transcoding,
    /// A namespace mapping does not fit its pipeline.
    Mapping,
    /// A free input is neither in the catalog nor a parameter.
    MissingInput,
    /// Types do not agree along an edge or with a dataset.
    TypeMismatch,
    /// A parameter does not deserialize into its `Param<T>`.
    BadParameter,
}

/// One problem found by validation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
pub struct Problem {
    /// What kind of problem.
    pub kind: ProblemKind,
    /// What is wrong, naming the node, dataset or parameter.
    pub message: String,
    /// How to fix it.
    #[help]
    pub help: Option<String>,
    /// For a [`ProblemKind::BadParameter`], the parameter's key and the path inside it that
    /// failed (`model_options.test_size`), so that a front end can say where it was set.
    pub parameter: Option<String>,
}

impl Problem {
    pub(crate) fn new(kind: ProblemKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            help: None,
            parameter: None,
        }
    }

    pub(crate) fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Every problem validation found. Nothing runs while there is one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[diagnostic(code(weir::validation))]
pub struct ValidationReport {
    /// The problems, in a stable order.
    #[related]
    pub problems: Vec<Problem>,
}

impl ValidationReport {
    /// Whether a problem of this kind was found.
    pub fn has(&self, kind: ProblemKind) -> bool {
        self.problems.iter().any(|problem| problem.kind == kind)
    }

    /// The problems of one kind.
    pub fn of_kind(&self, kind: ProblemKind) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(move |p| p.kind == kind)
    }
}

impl fmt::Display for ValidationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the pipeline is not valid ({} problem{}); no node ran:",
            self.problems.len(),
            if self.problems.len() == 1 { "" } else { "s" }
        )?;
        for problem in &self.problems {
            write!(f, "\n  - {}", problem.message)?;
            if let Some(help) = &problem.help {
                write!(f, "\n    help: {help}")?;
            }
        }
        Ok(())
    }
}
