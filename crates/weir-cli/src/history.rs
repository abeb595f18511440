//! Run history: every run of the project recorded in an embedded SQLite database
//! (`.weir/runs.db` by default).
//!
//! The session writes the run's row when it starts (status `running`) and when it ends; the
//! [`RunHistory`] hook adds each node and each saved dataset as they happen. Every write is its
//! own transaction in a write-ahead-logged database, so a run that crashes leaves a complete
//! database with a `running` row, which readers report (and mark) as `failed` once the process
//! that wrote it is gone.
//!
//! The states, one machine for every run and node:
//!
//! | run | reached when |
//! |---|---|
//! | `running` | the run started (the only state that changes) |
//! | `succeeded` | every node completed and `after_pipeline_run` passed |
//! | `failed` | a node, a hook or the runner failed; or the process ended without finishing (crash, `SIGKILL`) |
//! | `interrupted` | Ctrl-C or `SIGTERM`: no node started after it; the running ones finished, or, after a second signal, the process exited at once |
//!
//! | node | reached when |
//! |---|---|
//! | `completed` | its function ran and its outputs were saved (a save, confirm or dataset-hook failure turns it `failed`) |
//! | `skipped` | a `before_node_run` hook skipped it |
//! | `failed` | its function, a load, a save, a confirm or one of its hooks failed |
//!
//! Nodes that never started have no row.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};
use weir_core::{
    AfterDatasetSaved, AfterNodeRun, HookResult, Hooks, NodeFailed, PipelineFailed, RunError,
    generate_timestamp,
};

use crate::values::table_shape;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    project TEXT NOT NULL,
    command TEXT NOT NULL,
    env TEXT NOT NULL,
    pipelines TEXT NOT NULL,
    parameters TEXT NOT NULL,
    git_commit TEXT,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    duration_seconds REAL,
    status TEXT NOT NULL,
    error TEXT,
    pid INTEGER
);
CREATE TABLE IF NOT EXISTS node_runs (
    run_id TEXT NOT NULL REFERENCES runs(id),
    position INTEGER NOT NULL,
    node TEXT NOT NULL,
    status TEXT NOT NULL,
    duration_seconds REAL NOT NULL,
    error TEXT
);
CREATE TABLE IF NOT EXISTS saved_datasets (
    run_id TEXT NOT NULL REFERENCES runs(id),
    dataset TEXT NOT NULL,
    version TEXT,
    location TEXT,
    rows INTEGER,
    columns INTEGER
);
";

/// A failure to read or write the run history.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HistoryError(String);

impl HistoryError {
    fn at(path: &Path, error: impl std::fmt::Display) -> Self {
        Self(format!("run history '{}': {error}", path.display()))
    }
}

/// Opens (creating if needed) the history database.
pub fn open(path: &Path) -> Result<Connection, HistoryError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| HistoryError::at(path, e))?;
    }
    let connection = Connection::open(path).map_err(|e| HistoryError::at(path, e))?;
    connection
        .busy_timeout(Duration::from_secs(5))
        .map_err(|e| HistoryError::at(path, e))?;
    connection
        .pragma_update(None, "journal_mode", "WAL")
        .map_err(|e| HistoryError::at(path, e))?;
    connection
        .execute_batch(SCHEMA)
        .map_err(|e| HistoryError::at(path, e))?;
    Ok(connection)
}

/// Opens the run history at `path` for reading, creating nothing: `None` when no run was
/// ever recorded there.
fn open_existing(path: &Path) -> Result<Option<Connection>, HistoryError> {
    if !path.is_file() {
        return Ok(None);
    }
    let connection = Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| HistoryError::at(path, e))?;
    connection
        .busy_timeout(Duration::from_secs(5))
        .map_err(|e| HistoryError::at(path, e))?;
    connection
        .execute_batch(SCHEMA)
        .map_err(|e| HistoryError::at(path, e))?;
    Ok(Some(connection))
}

/// What is known about a run when it starts.
#[derive(Debug, Clone, Default)]
pub struct RunStart {
    /// The run id.
    pub id: String,
    /// The project's name.
    pub project: String,
    /// The command line.
    pub command: String,
    /// The configuration environment.
    pub env: String,
    /// The pipelines run.
    pub pipelines: Vec<String>,
    /// The parameters (after runtime overrides).
    pub parameters: serde_json::Value,
    /// The project's git commit, if it is a repository.
    pub git_commit: Option<String>,
}

/// The history hook of one run.
pub struct RunHistory {
    path: PathBuf,
    connection: Mutex<Connection>,
    run_id: String,
    /// Dataset name to (location, versioned).
    locations: BTreeMap<String, (String, bool)>,
    position: Mutex<usize>,
}

impl RunHistory {
    /// Opens the database and records the run as `running`.
    pub fn start(
        path: &Path,
        run: &RunStart,
        locations: BTreeMap<String, (String, bool)>,
    ) -> Result<Self, HistoryError> {
        let connection = open(path)?;
        connection
            .execute(
                "INSERT INTO runs (id, project, command, env, pipelines, parameters, git_commit, started_at, status, pid)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'running', ?9)",
                params![
                    run.id,
                    run.project,
                    run.command,
                    run.env,
                    run.pipelines.join(","),
                    run.parameters.to_string(),
                    run.git_commit,
                    generate_timestamp(),
                    std::process::id(),
                ],
            )
            .map_err(|e| HistoryError::at(path, e))?;
        Ok(Self {
            path: path.to_owned(),
            connection: Mutex::new(connection),
            run_id: run.id.clone(),
            locations,
            position: Mutex::new(0),
        })
    }

    fn connection(&self) -> MutexGuard<'_, Connection> {
        self.connection
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records how the run ended: `succeeded`, `interrupted`, or `failed` with the error.
    pub fn finish(
        &self,
        duration: Duration,
        result: Result<(), &RunError>,
    ) -> Result<(), HistoryError> {
        let (status, error) = match result {
            Ok(()) => ("succeeded", None),
            Err(error) if error.is_interrupted() => ("interrupted", Some(error.to_string())),
            Err(error) => ("failed", Some(error.to_string())),
        };
        self.connection()
            .execute(
                "UPDATE runs SET finished_at = ?2, duration_seconds = ?3, status = ?4, error = ?5 WHERE id = ?1",
                params![
                    self.run_id,
                    generate_timestamp(),
                    duration.as_secs_f64(),
                    status,
                    error,
                ],
            )
            .map_err(|e| HistoryError::at(&self.path, e))?;
        Ok(())
    }

    /// Records, from another thread, that the process is exiting at once (a second Ctrl-C):
    /// the run is `interrupted`.
    pub fn abandon(&self, reason: &str) -> Result<(), HistoryError> {
        // A fresh connection: the run's own may be held by a node's hook on another thread.
        let connection = open(&self.path)?;
        connection
            .execute(
                "UPDATE runs SET finished_at = ?2, status = 'interrupted', error = ?3 WHERE id = ?1 AND status = 'running'",
                params![self.run_id, generate_timestamp(), reason],
            )
            .map_err(|e| HistoryError::at(&self.path, e))?;
        Ok(())
    }

    fn record_node(
        &self,
        node: &str,
        status: &str,
        duration: Duration,
        error: Option<String>,
    ) -> HookResult {
        let position = {
            let mut position = self
                .position
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            *position += 1;
            *position
        };
        if let Err(error) = self.connection().execute(
            "INSERT INTO node_runs (run_id, position, node, status, duration_seconds, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![self.run_id, position, node, status, duration.as_secs_f64(), error],
        ) {
            tracing::warn!("{}", HistoryError::at(&self.path, error));
        }
        Ok(())
    }
}

impl Hooks for RunHistory {
    fn name(&self) -> String {
        "weir.run_history".to_owned()
    }

    fn after_node_run(&self, event: &AfterNodeRun<'_>) -> HookResult {
        let status = if event.skipped {
            "skipped"
        } else {
            "completed"
        };
        self.record_node(event.node.full_name(), status, event.duration, None)
    }

    fn on_node_error(&self, event: &NodeFailed<'_>) {
        let _ = self.record_node(
            event.node.full_name(),
            "failed",
            Duration::ZERO,
            Some(event.error.to_string()),
        );
    }

    fn on_pipeline_error(&self, event: &PipelineFailed<'_>) {
        // A node recorded `completed` by `after_node_run` whose save, confirm or dataset hook
        // then failed is `failed`; a node that failed before its function ran gets its row.
        let RunError::Task(failure) = event.error else {
            return;
        };
        let error = failure.error.to_string();
        let updated = self.connection().execute(
            "UPDATE node_runs SET status = 'failed', error = ?3 WHERE run_id = ?1 AND node = ?2",
            params![self.run_id, failure.node, error],
        );
        match updated {
            Ok(0) => {
                let _ = self.record_node(&failure.node, "failed", Duration::ZERO, Some(error));
            }
            Ok(_) => {}
            Err(problem) => tracing::warn!("{}", HistoryError::at(&self.path, problem)),
        }
    }

    fn after_dataset_saved(&self, event: &AfterDatasetSaved<'_>) -> HookResult {
        let (location, versioned) = self
            .locations
            .get(event.dataset_name)
            .cloned()
            .unwrap_or_default();
        let shape = table_shape(event.data);
        let result = self.connection().execute(
            "INSERT INTO saved_datasets (run_id, dataset, version, location, rows, columns) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                self.run_id,
                event.dataset_name,
                versioned.then_some(self.run_id.as_str()),
                (!location.is_empty()).then_some(location),
                shape.map(|(rows, _)| rows as i64),
                shape.map(|(_, columns)| columns as i64),
            ],
        );
        if let Err(error) = result {
            tracing::warn!("{}", HistoryError::at(&self.path, error));
        }
        Ok(())
    }
}

/// A recorded run.
#[derive(Debug, Clone)]
pub struct RunRecord {
    /// The run id.
    pub id: String,
    /// The project.
    pub project: String,
    /// The command line.
    pub command: String,
    /// The environment.
    pub env: String,
    /// The pipelines.
    pub pipelines: String,
    /// The parameters, as JSON.
    pub parameters: String,
    /// The git commit.
    pub git_commit: Option<String>,
    /// When it started.
    pub started_at: String,
    /// When it ended.
    pub finished_at: Option<String>,
    /// How long it took.
    pub duration_seconds: Option<f64>,
    /// `running`, `succeeded` or `failed`.
    pub status: String,
    /// Why it failed.
    pub error: Option<String>,
}

/// A node of a recorded run.
#[derive(Debug, Clone)]
pub struct NodeRecord {
    /// The node.
    pub node: String,
    /// `completed`, `skipped` or `failed`.
    pub status: String,
    /// Time in the function.
    pub duration_seconds: f64,
    /// Why it failed.
    pub error: Option<String>,
}

/// A dataset saved by a recorded run.
#[derive(Debug, Clone)]
pub struct DatasetRecord {
    /// The dataset.
    pub dataset: String,
    /// Its version, when versioned.
    pub version: Option<String>,
    /// Where it was written.
    pub location: Option<String>,
    /// Rows, for tables.
    pub rows: Option<i64>,
    /// Columns, for tables.
    pub columns: Option<i64>,
}

fn process_alive(pid: i64) -> bool {
    if cfg!(target_os = "linux") {
        Path::new(&format!("/proc/{pid}")).exists()
    } else {
        true
    }
}

/// Marks runs whose process is gone without finishing as failed.
fn mark_interrupted(connection: &Connection) -> rusqlite::Result<()> {
    let mut statement = connection.prepare("SELECT id, pid FROM runs WHERE status = 'running'")?;
    let running: Vec<(String, Option<i64>)> = statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (id, pid) in running {
        let alive =
            pid.is_some_and(|pid| pid == i64::from(std::process::id()) || process_alive(pid));
        if !alive {
            connection.execute(
                "UPDATE runs SET status = 'failed', error = 'the process ended before the run finished (crash or kill)' WHERE id = ?1",
                params![id],
            )?;
        }
    }
    Ok(())
}

const RUN_COLUMNS: &str = "id, project, command, env, pipelines, parameters, git_commit, started_at, finished_at, duration_seconds, status, error";

fn run_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<RunRecord> {
    Ok(RunRecord {
        id: row.get(0)?,
        project: row.get(1)?,
        command: row.get(2)?,
        env: row.get(3)?,
        pipelines: row.get(4)?,
        parameters: row.get(5)?,
        git_commit: row.get(6)?,
        started_at: row.get(7)?,
        finished_at: row.get(8)?,
        duration_seconds: row.get(9)?,
        status: row.get(10)?,
        error: row.get(11)?,
    })
}

/// The most recent runs, newest first.
pub fn list(path: &Path, limit: usize) -> Result<Vec<RunRecord>, HistoryError> {
    let Some(connection) = open_existing(path)? else {
        return Ok(Vec::new());
    };
    let read = || -> rusqlite::Result<Vec<RunRecord>> {
        mark_interrupted(&connection)?;
        let mut statement = connection.prepare(&format!(
            "SELECT {RUN_COLUMNS} FROM runs ORDER BY started_at DESC, rowid DESC LIMIT ?1"
        ))?;
        statement
            .query_map(params![limit as i64], run_from_row)?
            .collect()
    };
    read().map_err(|e| HistoryError::at(path, e))
}

/// A recorded run with its nodes and saved datasets.
#[derive(Debug, Clone)]
pub struct RunDetails {
    /// The run.
    pub run: RunRecord,
    /// Its nodes, in the order they ended.
    pub nodes: Vec<NodeRecord>,
    /// The datasets it saved.
    pub datasets: Vec<DatasetRecord>,
}

/// One run with its nodes and saved datasets; `last` is the newest run.
pub fn show(path: &Path, id: &str) -> Result<Option<RunDetails>, HistoryError> {
    let Some(connection) = open_existing(path)? else {
        return Ok(None);
    };
    let read = || -> rusqlite::Result<Option<RunDetails>> {
        mark_interrupted(&connection)?;
        let run = if id == "last" {
            connection
                .query_row(
                    &format!("SELECT {RUN_COLUMNS} FROM runs ORDER BY started_at DESC, rowid DESC LIMIT 1"),
                    [],
                    run_from_row,
                )
                .optional()?
        } else {
            connection
                .query_row(
                    &format!("SELECT {RUN_COLUMNS} FROM runs WHERE id = ?1"),
                    params![id],
                    run_from_row,
                )
                .optional()?
        };
        let Some(run) = run else { return Ok(None) };
        let nodes = connection
            .prepare("SELECT node, status, duration_seconds, error FROM node_runs WHERE run_id = ?1 ORDER BY position")?
            .query_map(params![run.id], |row| {
                Ok(NodeRecord {
                    node: row.get(0)?,
                    status: row.get(1)?,
                    duration_seconds: row.get(2)?,
                    error: row.get(3)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        let datasets = connection
            .prepare("SELECT dataset, version, location, rows, columns FROM saved_datasets WHERE run_id = ?1 ORDER BY rowid")?
            .query_map(params![run.id], |row| {
                Ok(DatasetRecord {
                    dataset: row.get(0)?,
                    version: row.get(1)?,
                    location: row.get(2)?,
                    rows: row.get(3)?,
                    columns: row.get(4)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(Some(RunDetails {
            run,
            nodes,
            datasets,
        }))
    };
    read().map_err(|e| HistoryError::at(path, e))
}

/// The git commit checked out in the repository holding `folder`, if any.
///
/// Read from `.git` directly (HEAD, the ref it names, or `packed-refs`) rather than by running
/// `git`, which would cost a process start on every run.
pub fn git_commit(folder: &Path) -> Option<String> {
    let mut current = Some(folder);
    let git = loop {
        let candidate = current?.join(".git");
        if candidate.exists() {
            break candidate;
        }
        current = current?.parent();
    };
    // A worktree or submodule: `.git` is a file pointing at the real folder.
    let git = if git.is_file() {
        let text = std::fs::read_to_string(&git).ok()?;
        let target = text.trim().strip_prefix("gitdir:")?.trim();
        git.parent()?.join(target)
    } else {
        git
    };
    let head = std::fs::read_to_string(git.join("HEAD")).ok()?;
    let head = head.trim();
    let Some(reference) = head.strip_prefix("ref:").map(str::trim) else {
        return Some(head.to_owned()).filter(|h| h.len() >= 40);
    };
    if let Ok(commit) = std::fs::read_to_string(git.join(reference)) {
        return Some(commit.trim().to_owned());
    }
    // A ref may live in the common folder of a worktree, or only in packed-refs.
    let common = std::fs::read_to_string(git.join("commondir"))
        .map(|c| git.join(c.trim()))
        .unwrap_or_else(|_| git.clone());
    if let Ok(commit) = std::fs::read_to_string(common.join(reference)) {
        return Some(commit.trim().to_owned());
    }
    let packed = std::fs::read_to_string(common.join("packed-refs")).ok()?;
    packed.lines().find_map(|line| {
        let (commit, name) = line.split_once(' ')?;
        (name == reference).then(|| commit.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_is_recorded_and_read_back() {
        let folder = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = folder.path().join(".weir/runs.db");
        let start = RunStart {
            id: "2026-01-01T00.00.00.000Z".into(),
            project: "demo".into(),
            command: "demo run".into(),
            env: "local".into(),
            pipelines: vec!["__default__".into()],
            parameters: serde_json::json!({"a": 1}),
            git_commit: None,
        };
        let history =
            RunHistory::start(&path, &start, BTreeMap::new()).unwrap_or_else(|e| panic!("{e}"));
        history
            .record_node("n1", "completed", Duration::from_millis(5), None)
            .unwrap_or_else(|e| panic!("{e}"));
        let boom = RunError::Configuration("boom".into());
        history
            .finish(Duration::from_secs(1), Err(&boom))
            .unwrap_or_else(|e| panic!("{e}"));
        let RunDetails { run, nodes, .. } = show(&path, "last")
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("no run"));
        assert_eq!(run.status, "failed");
        assert_eq!(run.error.as_deref(), Some("boom"));
        assert_eq!(nodes.len(), 1);
        assert_eq!(nodes[0].node, "n1");
    }

    #[test]
    fn reading_a_missing_history_creates_nothing() {
        let folder = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = folder.path().join("nowhere/.weir/runs.db");
        assert!(list(&path, 10).unwrap_or_else(|e| panic!("{e}")).is_empty());
        assert!(
            show(&path, "last")
                .unwrap_or_else(|e| panic!("{e}"))
                .is_none()
        );
        assert!(!folder.path().join("nowhere").exists());
    }

    #[test]
    fn an_interrupted_run_is_recorded_as_interrupted() {
        let folder = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = folder.path().join(".weir/runs.db");
        let start = RunStart {
            id: "2026-01-01T00.00.00.001Z".into(),
            ..RunStart::default()
        };
        let history =
            RunHistory::start(&path, &start, BTreeMap::new()).unwrap_or_else(|e| panic!("{e}"));
        history
            .abandon("second Ctrl-C")
            .unwrap_or_else(|e| panic!("{e}"));
        let details = show(&path, "last")
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("no run"));
        assert_eq!(details.run.status, "interrupted");
        assert_eq!(details.run.error.as_deref(), Some("second Ctrl-C"));
    }

    #[test]
    fn the_commit_is_read_from_the_repository() {
        let repository = Path::new(env!("CARGO_MANIFEST_DIR"));
        let Ok(output) = std::process::Command::new("git")
            .arg("-C")
            .arg(repository)
            .args(["rev-parse", "HEAD"])
            .output()
        else {
            return; // no git on this machine: nothing to compare with
        };
        if output.status.success() {
            let expected = String::from_utf8_lossy(&output.stdout).trim().to_owned();
            assert_eq!(git_commit(repository).as_deref(), Some(expected.as_str()));
        }
        let outside = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(git_commit(outside.path()), None);
    }

    #[test]
    fn a_run_whose_process_died_reads_as_failed() {
        let folder = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = folder.path().join("runs.db");
        let connection = open(&path).unwrap_or_else(|e| panic!("{e}"));
        // A pid that cannot be alive on Linux (above pid_max).
        connection
            .execute(
                "INSERT INTO runs (id, project, command, env, pipelines, parameters, started_at, status, pid)
                 VALUES ('r1', 'p', 'c', 'local', '__default__', '{}', 't', 'running', 99999999)",
                [],
            )
            .unwrap_or_else(|e| panic!("{e}"));
        drop(connection);
        let runs = list(&path, 10).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(runs[0].status, "failed");
        assert!(
            runs[0]
                .error
                .as_deref()
                .unwrap_or("")
                .contains("process ended")
        );
    }
}
