//! Weir's project runtime: the [`Project`] builder (Kedro's `settings.py` and
//! `pipeline_registry.py`, in Rust), [`Session`]s, and the command line every project gets —
//! `run` with Kedro's flags, `catalog`, `registry`, `runs`, `info`, completions — with a live
//! progress display, a summary at the end of each run and a run history in SQLite.
//!
//! `weir new` (the `weir` binary of this crate) scaffolds projects; see [`scaffold`].

pub mod cli;
pub mod history;
pub mod observe;
pub mod project;
pub mod scaffold;
pub mod session;
mod yaml;

pub use project::Project;
pub use session::{RunOutcome, RunRequest, RunnerChoice, Session, SessionError, SessionOptions};
