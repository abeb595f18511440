//! Temporary files of atomic saves (`.<name>.weir-tmp-<pid>-<n>`, see
//! `weir_datasets::fs::write_atomic`) that a killed or interrupted process left behind.
//!
//! A save writes its temporary file beside the target and renames it over the target at the
//! end, so a process that dies mid-save leaves the previous file intact and one hidden
//! temporary file. A run removes, in the folders its catalog writes to, the temporary files of
//! processes that no longer exist; a second Ctrl-C removes the current process's own.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The marker in a temporary file's name, followed by the writing process's id.
const MARKER: &str = ".weir-tmp-";

/// The id of the process that wrote `name`, when `name` is a temporary file of an atomic save.
fn writer_pid(name: &str) -> Option<u32> {
    if !name.starts_with('.') {
        return None;
    }
    let (_, rest) = name.rsplit_once(MARKER)?;
    let (pid, counter) = rest.split_once('-')?;
    counter.parse::<u64>().ok()?;
    pid.parse().ok()
}

fn process_alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new(&format!("/proc/{pid}")).exists()
    } else {
        // Without a cheap check, only the current process's files are known to be ours.
        true
    }
}

/// The folders a catalog entry with this file path writes temporary files to: the file's
/// folder, and for a folder path (versioned files, partitions) the folder and its
/// sub-folders, one level down.
pub fn save_folders(filepath: &Path, into: &mut BTreeSet<PathBuf>) {
    if let Some(parent) = filepath.parent() {
        into.insert(parent.to_owned());
    }
    if filepath.is_dir() {
        into.insert(filepath.to_owned());
        if let Ok(entries) = std::fs::read_dir(filepath) {
            for entry in entries.flatten() {
                if entry.file_type().is_ok_and(|t| t.is_dir()) {
                    into.insert(entry.path());
                }
            }
        }
    }
}

/// Removes the temporary files in `folders` written by processes that have ended (or, with
/// `this_process`, by the current one); returns the files removed.
pub fn remove_temporary_files(folders: &BTreeSet<PathBuf>, this_process: bool) -> Vec<PathBuf> {
    let me = std::process::id();
    let mut removed = Vec::new();
    for folder in folders {
        let Ok(entries) = std::fs::read_dir(folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(pid) = name.to_str().and_then(writer_pid) else {
                continue;
            };
            let stale = if this_process {
                pid == me
            } else {
                pid != me && !process_alive(pid)
            };
            if stale && entry.file_type().is_ok_and(|t| t.is_file()) {
                let path = entry.path();
                if std::fs::remove_file(&path).is_ok() {
                    removed.push(path);
                }
            }
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn temporary_names_are_recognised() {
        assert_eq!(writer_pid(".a.csv.weir-tmp-123-0"), Some(123));
        assert_eq!(writer_pid(".a.weir-tmp-x.csv.weir-tmp-7-12"), Some(7));
        assert_eq!(writer_pid("a.csv.weir-tmp-123-0"), None);
        assert_eq!(writer_pid(".a.csv.weir-tmp-123"), None);
        assert_eq!(writer_pid(".a.csv"), None);
    }

    #[test]
    fn only_files_of_ended_processes_are_removed() {
        let folder = tempfile::tempdir().unwrap();
        let root = folder.path();
        std::fs::write(root.join("t.csv"), "a\n1\n").unwrap();
        // A process id that cannot exist on Linux (above the kernel's maximum).
        let dead = root.join(".t.csv.weir-tmp-4999999-0");
        std::fs::write(&dead, "a\n").unwrap();
        let mine = root.join(format!(".t.csv.weir-tmp-{}-3", std::process::id()));
        std::fs::write(&mine, "a\n").unwrap();
        let folders: BTreeSet<PathBuf> = [root.to_owned()].into();
        let removed = remove_temporary_files(&folders, false);
        if cfg!(target_os = "linux") {
            assert_eq!(removed, vec![dead.clone()]);
            assert!(!dead.exists());
        }
        assert!(mine.exists() && root.join("t.csv").exists());
        assert_eq!(remove_temporary_files(&folders, true), vec![mine.clone()]);
        assert!(!mine.exists() && root.join("t.csv").exists());
    }
}
