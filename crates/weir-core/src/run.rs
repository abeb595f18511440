//! What a run is asked to do ([`RunParams`]) and what it returns ([`RunResult`]).
//!
//! These are apart from the runners because hooks receive them too: the hooks and the runners
//! both build on this module, and neither on the other's. It builds on `pipeline` for
//! [`PipelineFilter`].

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::pipeline::PipelineFilter;
use crate::value::Value;

/// Kedro's `run_params`: what a run was asked to do. Hooks receive it in the pipeline events.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct RunParams {
    /// The run's id (Kedro's session id): also the save version of versioned datasets.
    pub run_id: String,
    /// The project's root folder.
    pub project_path: Option<String>,
    /// The configuration environment.
    pub env: Option<String>,
    /// Weir's version.
    pub weir_version: String,
    /// The node selection (`--tags`, `--nodes`, `--from-nodes`, `--to-nodes`,
    /// `--from-inputs`, `--to-outputs`, `--namespaces`).
    pub filter: PipelineFilter,
    /// `--load-versions`, dataset name to version.
    pub load_versions: BTreeMap<String, String>,
    /// `--params`, the runtime parameter overrides.
    pub runtime_params: serde_json::Value,
    /// `--pipelines`.
    pub pipeline_names: Vec<String>,
    /// The runner's name.
    pub runner: String,
    /// `--only-missing-outputs`: run only the nodes whose persisted outputs are missing.
    pub only_missing_outputs: bool,
    /// The project's git commit, when it is a git checkout (for tracking plugins).
    pub git_commit: Option<String>,
    /// Asks the runner to stop starting nodes (Ctrl-C, SIGTERM): running nodes finish and
    /// save, then the run ends with [`RunError::Interrupted`](crate::RunError::Interrupted).
    pub interrupt: Interrupt,
}

/// A request to stop a run, shared between whoever asks (a signal handler) and the runner.
///
/// Once requested, the runner starts no further node; the nodes already running finish,
/// their outputs are saved, and the run ends with
/// [`RunError::Interrupted`](crate::RunError::Interrupted), whose resume suggestion names the
/// nodes to run next.
///
/// ```
/// use weir_core::Interrupt;
///
/// let interrupt = Interrupt::new();
/// let handle = interrupt.clone();
/// assert!(!interrupt.is_requested());
/// handle.request();
/// assert!(interrupt.is_requested());
/// ```
#[derive(Debug, Clone, Default)]
pub struct Interrupt(Arc<AtomicBool>);

impl Interrupt {
    /// A request not made yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the run to stop; returns whether it had been asked already.
    pub fn request(&self) -> bool {
        self.0.swap(true, Ordering::SeqCst)
    }

    /// Whether the run was asked to stop.
    pub fn is_requested(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

impl RunParams {
    /// Parameters with a fresh run id (a Kedro timestamp such as `2026-11-28T20.21.32.623Z`).
    pub fn new() -> Self {
        Self::with_run_id(unique_run_id())
    }

    /// Parameters with the given run id.
    pub fn with_run_id(run_id: impl Into<String>) -> Self {
        Self {
            run_id: run_id.into(),
            weir_version: env!("CARGO_PKG_VERSION").to_owned(),
            runtime_params: serde_json::Value::Object(serde_json::Map::new()),
            ..Self::default()
        }
    }
}

/// The current UTC time as Kedro formats versions: `YYYY-MM-DDThh.mm.ss.sssZ`.
pub fn generate_timestamp() -> String {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    format_timestamp(since_epoch)
}

/// A run id in Kedro's version format that no other run on this machine got: the current
/// time, moved on by a millisecond while another run (in this process or another) already
/// took it. Runs started in the same millisecond would otherwise share versioned save paths
/// and their history row.
///
/// The last id handed out is kept in `weir-run-ids` in the system's temporary folder, locked
/// while it is read and written; when that file cannot be used, ids are unique within this
/// process only.
pub fn unique_run_id() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis() as u64;
    let millis = reserve_millis(now).unwrap_or_else(|error| {
        tracing::debug!("run ids are unique within this process only: {error}");
        now
    });
    // Within the process too (and when the file cannot be used).
    static LAST: std::sync::Mutex<u64> = std::sync::Mutex::new(0);
    let millis = {
        let mut last = LAST
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let millis = millis.max(*last + 1);
        *last = millis;
        millis
    };
    format_timestamp(Duration::from_millis(millis))
}

/// Takes the first millisecond at or after `now` that no run took yet, across processes.
fn reserve_millis(now: u64) -> std::io::Result<u64> {
    use std::io::{Read, Seek, Write};
    let path = std::env::temp_dir().join("weir-run-ids");
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)?;
    file.lock()?;
    let mut text = String::new();
    file.read_to_string(&mut text)?;
    let last: u64 = text.trim().parse().unwrap_or(0);
    let millis = now.max(last.saturating_add(1));
    file.set_len(0)?;
    file.seek(std::io::SeekFrom::Start(0))?;
    write!(file, "{millis}")?;
    file.flush()?;
    // The lock is released when the file is closed.
    Ok(millis)
}

fn format_timestamp(since_epoch: Duration) -> String {
    let seconds = since_epoch.as_secs();
    let millis = since_epoch.subsec_millis();
    let days = (seconds / 86_400) as i64;
    let rest = seconds % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}.{:02}.{:02}.{millis:03}Z",
        rest / 3_600,
        rest % 3_600 / 60,
        rest % 60
    )
}

/// How one node went.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct NodeReport {
    /// The node's full name.
    pub name: String,
    /// Time spent in the node's function.
    pub duration: Duration,
    /// Time for the whole task: loads, hooks, the function and saves.
    pub total_duration: Duration,
    /// Whether a hook skipped the function.
    pub skipped: bool,
}

/// What a successful run returns.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct RunResult {
    /// The free outputs held in memory, by name (persisted outputs are in the catalog).
    pub outputs: BTreeMap<String, Value>,
    /// Every free output of the pipeline, memory or persisted.
    pub output_names: Vec<String>,
    /// Each node that ran, in completion order.
    pub nodes: Vec<NodeReport>,
    /// Wall time of the run.
    pub duration: Duration,
}

impl RunResult {
    /// A free output held in memory, as a `T`.
    pub fn output<T: 'static>(&self, name: &str) -> Option<&T> {
        self.outputs.get(name).and_then(Value::downcast_ref::<T>)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_kedro_versions() {
        // 2026-11-28T20:21:32.623Z
        let at = Duration::from_millis(1_795_897_292_623);
        assert_eq!(format_timestamp(at), "2026-11-28T20.21.32.623Z");
        assert_eq!(format_timestamp(Duration::ZERO), "1970-01-01T00.00.00.000Z");
        // A leap day.
        assert_eq!(
            format_timestamp(Duration::from_secs(951_782_400)),
            "2000-02-29T00.00.00.000Z"
        );
    }

    #[test]
    fn run_ids_started_at_once_are_unique() {
        let ids: Vec<String> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8)
                .map(|_| scope.spawn(|| (0..50).map(|_| unique_run_id()).collect::<Vec<_>>()))
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_default())
                .collect()
        });
        let unique: std::collections::BTreeSet<&String> = ids.iter().collect();
        assert_eq!(ids.len(), 400);
        assert_eq!(unique.len(), 400, "duplicate run ids");
        assert!(
            ids.iter()
                .all(|id| id.len() == "2026-11-28T20.21.32.623Z".len())
        );
    }
}
