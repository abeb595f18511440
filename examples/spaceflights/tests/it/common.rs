//! What the spaceflights tests share: a temporary copy of the project and the binary run
//! in it.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

pub struct Project {
    folder: tempfile::TempDir,
}

impl Project {
    /// A copy of the example's `conf/` and raw data in a temporary folder.
    pub fn new() -> Self {
        let folder = tempfile::tempdir().unwrap();
        let example = Path::new(env!("CARGO_MANIFEST_DIR"));
        copy_tree(&example.join("conf"), &folder.path().join("conf"));
        copy_tree(
            &example.join("data/01_raw"),
            &folder.path().join("data/01_raw"),
        );
        Self { folder }
    }

    /// An empty temporary folder (to copy a project into).
    pub fn empty() -> Self {
        Self {
            folder: tempfile::tempdir().unwrap(),
        }
    }

    pub fn root(&self) -> &Path {
        self.folder.path()
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_spaceflights"));
        command
            .args(args)
            .current_dir(self.root())
            .env("WEIR_PROJECT_PATH", self.root())
            .env("NO_COLOR", "1")
            .env_remove("WEIR_ENV");
        command
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// The output with the project folder replaced by `[project]` (for snapshots).
    pub fn redact(&self, text: &str) -> String {
        text.replace(&self.root().display().to_string(), "[project]")
    }
}

pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
            // The example's raw files are read-only; the copies need not be.
            let mut permissions = std::fs::metadata(&target).unwrap().permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            permissions.set_readonly(false);
            std::fs::set_permissions(&target, permissions).unwrap();
        }
    }
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn code(output: &Output) -> i32 {
    output.status.code().unwrap_or(-1)
}

/// The nodes the summary reports as completed.
pub fn completed(output: &Output) -> BTreeSet<String> {
    let text = format!("{}{}", stdout(output), stderr(output));
    text.lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let name = words.next()?;
            (words.next() == Some("completed")).then(|| name.to_owned())
        })
        .collect()
}
