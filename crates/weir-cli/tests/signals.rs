//! Interruption of a real run: Ctrl-C (`SIGINT`) and `SIGTERM` mid-node, twice in a row, and
//! `SIGKILL` in the middle of a save, then the resume.
//!
//! The test binary is also the project: started with `WEIR_SIGNALS_PROJECT` set, it runs
//! `Project::main`, whose nodes and dataset wait for a `release` file in that folder (after
//! creating `started` / `saving`), so each signal arrives at a known point without timing.
//! A custom harness (`harness = false`): each case prints its name and panics on failure.

#![allow(clippy::unwrap_used, missing_docs)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use weir_cli::Project;
use weir_config::DatasetRegistry;
use weir_core::{Dataset, DatasetError, Param, Pipeline, node};

const PROJECT_ENV: &str = "WEIR_SIGNALS_PROJECT";

fn main() -> ExitCode {
    if let Some(folder) = std::env::var_os(PROJECT_ENV) {
        return project(PathBuf::from(folder)).main();
    }
    if cfg!(not(unix)) {
        return ExitCode::SUCCESS;
    }
    // `cargo test -- <filter>`: run the cases whose name contains the filter.
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let cases: [(&str, fn()); 5] = [
        (
            "ctrl_c_lets_the_running_node_finish_and_resumes",
            ctrl_c_mid_node,
        ),
        (
            "sigterm_lets_the_running_node_finish_and_resumes",
            sigterm_mid_node,
        ),
        ("a_second_ctrl_c_exits_at_once", second_ctrl_c),
        (
            "sigkill_mid_save_keeps_the_old_file_and_the_next_run_cleans_up",
            sigkill_mid_save,
        ),
        ("ctrl_c_mid_save_finishes_the_save", ctrl_c_mid_save),
    ];
    let mut ran = 0;
    for (name, case) in cases {
        if filter.as_deref().is_some_and(|f| !name.contains(f)) {
            continue;
        }
        println!("test signals::{name} ...");
        case();
        println!("test signals::{name} ... ok");
        ran += 1;
    }
    println!("\ntest result: ok. {ran} passed");
    ExitCode::SUCCESS
}

// ---------------------------------------------------------------- the project

/// Waits until `folder/release` exists.
fn wait_for_release(folder: &Path) {
    while !folder.join("release").exists() {
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A text file whose save writes half its content to the temporary file, says so
/// (`saving`), and waits for `release` before finishing: a save in progress.
struct SlowSave {
    path: PathBuf,
    signals: PathBuf,
}

impl Dataset for SlowSave {
    type Value = String;

    fn load(&self) -> Result<String, DatasetError> {
        Ok(std::fs::read_to_string(&self.path)?)
    }

    fn save(&self, value: &String) -> Result<(), DatasetError> {
        weir_datasets::fs::write_atomic(&self.path, |writer| {
            use std::io::Write;
            let half = value.len() / 2;
            writer.write_all(&value.as_bytes()[..half])?;
            writer.flush()?;
            std::fs::write(self.signals.join("saving"), "")?;
            wait_for_release(&self.signals);
            writer.write_all(&value.as_bytes()[half..])?;
            Ok(())
        })
    }

    fn exists(&self) -> Result<bool, DatasetError> {
        Ok(self.path.exists())
    }
}

fn project(folder: PathBuf) -> Project {
    let signals = folder.clone();
    let slow = move |word: Param<String>| {
        std::fs::write(signals.join("started"), "").unwrap();
        wait_for_release(&signals);
        format!("{} once", *word)
    };
    let dataset_folder = folder.clone();
    Project::new("signals")
        .pipeline(
            "__default__",
            Pipeline::new([
                node(slow)
                    .name("slow")
                    .inputs("params:word")
                    .outputs("first"),
                node(|first: String| format!("{first}, twice"))
                    .name("after")
                    .inputs("first")
                    .outputs("second"),
            ]),
        )
        .pipeline(
            "saving",
            Pipeline::new([node(|word: Param<String>| word.repeat(1000))
                .name("write_slowly")
                .inputs("params:word")
                .outputs("slow_saved")]),
        )
        .dataset_types(move |registry: &mut DatasetRegistry| {
            let signals = dataset_folder.clone();
            registry.register("test.SlowSaveDataset", move |spec, _| {
                Ok(Arc::new(SlowSave {
                    path: spec.take_filepath()?,
                    signals: signals.clone(),
                }))
            });
        })
}

// ---------------------------------------------------------------- the cases

const CATALOG: &str = "\
first:
  type: text.TextDataset
  filepath: data/first.txt
second:
  type: text.TextDataset
  filepath: data/second.txt
slow_saved:
  type: test.SlowSaveDataset
  filepath: data/slow.txt
";

/// A project folder: its configuration and `data/`.
fn new_project() -> tempfile::TempDir {
    let folder = tempfile::tempdir().unwrap();
    let root = folder.path();
    std::fs::create_dir_all(root.join("conf/base")).unwrap();
    std::fs::create_dir_all(root.join("conf/local")).unwrap();
    std::fs::create_dir_all(root.join("data")).unwrap();
    std::fs::write(root.join("conf/base/catalog.yml"), CATALOG).unwrap();
    std::fs::write(root.join("conf/base/parameters.yml"), "word: hello\n").unwrap();
    folder
}

fn command(root: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args(args)
        .current_dir(root)
        .env(PROJECT_ENV, root)
        .env("NO_COLOR", "1")
        .env_remove("WEIR_PROJECT_PATH")
        .env_remove("CARGO_MANIFEST_DIR");
    command
}

/// A running project process whose stderr is read as it comes.
struct Running {
    child: Child,
    stderr: Arc<Mutex<String>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Running {
    /// Waits until stderr holds `needle` (see [`wait_for`] for the bound).
    fn wait_for_text(&mut self, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(300);
        while !self.stderr.lock().unwrap().contains(needle) {
            assert!(
                self.child.try_wait().unwrap().is_none(),
                "the project exited before printing {needle:?}:\n{}",
                self.stderr.lock().unwrap()
            );
            assert!(Instant::now() < deadline, "{needle:?} never printed");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Waits for the process to end: its exit code and all of its stderr.
    fn finish(mut self) -> (Option<i32>, String) {
        let status = self.child.wait().unwrap();
        if let Some(reader) = self.reader.take() {
            reader.join().unwrap();
        }
        let stderr = self.stderr.lock().unwrap().clone();
        (status.code(), stderr)
    }
}

fn start(root: &Path, args: &[&str]) -> Running {
    let mut child = command(root, args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = Arc::new(Mutex::new(String::new()));
    let mut pipe = child.stderr.take().unwrap();
    let sink = Arc::clone(&stderr);
    let reader = std::thread::spawn(move || {
        let mut buffer = [0_u8; 4096];
        loop {
            match pipe.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => sink
                    .lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buffer[..n])),
            }
        }
    });
    Running {
        child,
        stderr,
        reader: Some(reader),
    }
}

fn run(root: &Path, args: &[&str]) -> Output {
    command(root, args).output().unwrap()
}

/// Waits for `file` to appear; a generous bound only so that a broken build fails instead of
/// hanging CI (never a timing assertion: any machine reaches the file well within it).
fn wait_for(file: &Path, running: &mut Running) {
    let deadline = Instant::now() + Duration::from_secs(300);
    while !file.exists() {
        if let Some(status) = running.child.try_wait().unwrap() {
            panic!(
                "the project exited ({status}) before {} appeared:\n{}",
                file.display(),
                running.stderr.lock().unwrap()
            );
        }
        assert!(
            Instant::now() < deadline,
            "{} never appeared",
            file.display()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn signal(running: &Running, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &running.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill -{name} failed");
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Hidden temporary files of atomic saves under `folder`.
fn temporary_files(folder: &Path) -> Vec<String> {
    std::fs::read_dir(folder)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".weir-tmp-"))
        .collect()
}

fn last_run_status(root: &Path) -> String {
    let output = run(root, &["runs", "show", "last"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let shown = text(&output.stdout);
    shown
        .lines()
        .find_map(|line| line.strip_prefix("status:"))
        .unwrap_or_else(|| panic!("no status in:\n{shown}"))
        .trim()
        .to_owned()
}

/// A signal while `slow` runs: `slow` finishes and saves, `after` never starts, the summary
/// says interrupted with the resume command, the exit code is 130, the history says
/// `interrupted`; the resume command then finishes the work.
fn interrupt_mid_node(signal_name: &str, said: &str) {
    let project = new_project();
    let root = project.path();
    let mut running = start(root, &["run"]);
    wait_for(&root.join("started"), &mut running);
    signal(&running, signal_name);
    // The node is released only once the handler said the run stops: then the next node
    // must never start, whatever the machine's load.
    running.wait_for_text(&format!("{said}: stopping"));
    std::fs::write(root.join("release"), "").unwrap();
    let (code, stderr) = running.finish();
    assert_eq!(code, Some(130), "{stderr}");
    assert!(stderr.contains("INTERRUPTED"), "{stderr}");
    assert!(
        stderr.contains("The run was interrupted: 1 of 2 nodes did not run"),
        "{stderr}"
    );
    assert!(stderr.contains("--from-nodes \"after\""), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(root.join("data/first.txt")).unwrap(),
        "hello once"
    );
    assert!(!root.join("data/second.txt").exists());
    assert!(temporary_files(&root.join("data")).is_empty());
    assert_eq!(last_run_status(root), "interrupted");

    let resumed = run(root, &["run", "--from-nodes", "after"]);
    assert!(resumed.status.success(), "{}", text(&resumed.stderr));
    assert_eq!(
        std::fs::read_to_string(root.join("data/second.txt")).unwrap(),
        "hello once, twice"
    );
    assert_eq!(last_run_status(root), "succeeded");
}

fn ctrl_c_mid_node() {
    interrupt_mid_node("INT", "Ctrl-C");
}

fn sigterm_mid_node() {
    interrupt_mid_node("TERM", "SIGTERM");
}

/// A second Ctrl-C while a node still runs exits at once with 130, records the run as
/// interrupted, and saves nothing.
fn second_ctrl_c() {
    let project = new_project();
    let root = project.path();
    let mut running = start(root, &["run"]);
    wait_for(&root.join("started"), &mut running);
    signal(&running, "INT");
    running.wait_for_text("Ctrl-C: stopping");
    // The node never ends on its own (`release` is never written): only the second signal
    // ends the process.
    signal(&running, "INT");
    let (code, stderr) = running.finish();
    assert_eq!(code, Some(130), "{stderr}");
    assert!(stderr.contains("Ctrl-C again: exiting now"), "{stderr}");
    assert!(!root.join("data/first.txt").exists());
    assert_eq!(last_run_status(root), "interrupted");
}

/// `SIGKILL` in the middle of a save: the previous file is intact, a hidden temporary file is
/// left; the next run removes it and saves the new content whole.
fn sigkill_mid_save() {
    let project = new_project();
    let root = project.path();
    std::fs::write(root.join("data/slow.txt"), "previous").unwrap();
    let mut running = start(root, &["run", "--pipelines", "saving"]);
    wait_for(&root.join("saving"), &mut running);
    signal(&running, "KILL");
    let _ = running.finish();
    assert_eq!(
        std::fs::read_to_string(root.join("data/slow.txt")).unwrap(),
        "previous"
    );
    assert_eq!(temporary_files(&root.join("data")).len(), 1);
    // The dead run is reported as failed: its process ended before the run finished.
    assert_eq!(last_run_status(root), "failed");

    std::fs::write(root.join("release"), "").unwrap();
    let output = run(root, &["run", "--pipelines", "saving"]);
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("Removed 1 temporary file(s) left by an interrupted save"),
        "{stderr}"
    );
    assert!(temporary_files(&root.join("data")).is_empty());
    assert_eq!(
        std::fs::read_to_string(root.join("data/slow.txt")).unwrap(),
        "hello".repeat(1000)
    );
}

/// Ctrl-C in the middle of a save lets the save finish: the file is whole and no temporary
/// file is left.
fn ctrl_c_mid_save() {
    let project = new_project();
    let root = project.path();
    let mut running = start(root, &["run", "--pipelines", "saving"]);
    wait_for(&root.join("saving"), &mut running);
    signal(&running, "INT");
    running.wait_for_text("Ctrl-C: stopping");
    std::fs::write(root.join("release"), "").unwrap();
    let (code, stderr) = running.finish();
    // The only node finished: nothing was left to stop, so the run succeeded.
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(root.join("data/slow.txt")).unwrap(),
        "hello".repeat(1000)
    );
    assert!(temporary_files(&root.join("data")).is_empty());
}
