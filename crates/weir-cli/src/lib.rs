//! Weir's project runtime: the [`Project`] builder (Kedro's `settings.py` and
//! `pipeline_registry.py`, in Rust) with its plugins, [`Session`]s, and the command line every
//! project gets — `run` with Kedro's flags, `catalog`, `registry`, `runs`, `info`,
//! completions and the plugins' commands — with a live progress display, a summary at the end
//! of each run, a run history in SQLite, and errors shown as diagnostics with their help.
//!
//! `weir new` (the `weir` binary of this crate) scaffolds projects; see [`scaffold`].
//!
//! The modules are layered; each imports only those listed before it:
//! [`text`], [`values`] and [`cleanup`] (small helpers), [`cli`] (the clap definitions), [`history`],
//! [`progress`], [`project`] (the definition, no command line), [`session`], [`signals`]
//! (Ctrl-C during a run), [`summary`], [`diagnostics`], the commands (`Project::main`), and
//! [`scaffold`].

#[macro_use]
pub mod text;
pub mod cleanup;
pub mod values;

pub mod cli;
pub mod history;
pub mod progress;
pub mod project;

pub mod session;
pub mod signals;
pub mod summary;

pub mod diagnostics;

mod commands;

pub mod scaffold;

pub use project::Project;
pub use session::{RunOutcome, RunRequest, RunnerChoice, Session, SessionError, SessionOptions};
