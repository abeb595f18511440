//! A process killed in the middle of a large save leaves the previous file intact.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use polars::prelude::*;
use weir_core::Dataset;
use weir_datasets::{FrameDataset, FrameFormat, Target};

const CHILD_ENV: &str = "WEIR_DATASETS_SAVE_CHILD";

fn big_frame(rows: i64) -> DataFrame {
    let ids: Vec<i64> = (0..rows).collect();
    let values: Vec<f64> = ids.iter().map(|i| *i as f64 * 1.000_1).collect();
    let labels: Vec<String> = ids.iter().map(|i| format!("label-{i:012}")).collect();
    df!("id" => ids, "value" => values, "label" => labels).unwrap()
}

/// Not a test of its own: the body of the child process the test below kills. It saves a
/// large frame over the file when `WEIR_DATASETS_SAVE_CHILD` names one.
#[test]
fn child_process_saving_a_large_frame() {
    let Ok(path) = std::env::var(CHILD_ENV) else {
        return;
    };
    let dataset = FrameDataset::new(Target::plain(path), FrameFormat::Csv);
    dataset.save(&big_frame(3_000_000)).unwrap();
}

fn temp_files(dir: &Path) -> Vec<(String, u64)> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                e.metadata().map(|m| m.len()).unwrap_or(0),
            )
        })
        .filter(|(name, _)| name.contains(".weir-tmp-"))
        .collect()
}

#[test]
fn killing_a_process_mid_save_leaves_the_previous_file_intact() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("table.csv");
    let previous = FrameDataset::new(Target::plain(&path), FrameFormat::Csv);
    previous.save(&big_frame(1000)).unwrap();
    let before = std::fs::read(&path).unwrap();

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "atomic::child_process_saving_a_large_frame",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, &path)
        .spawn()
        .unwrap();
    // Wait until the child is writing (its temporary file has real content), then kill it.
    // No time limit: however slow the machine, the child either starts writing or exits.
    loop {
        if temp_files(dir.path())
            .iter()
            .any(|(_, size)| *size > 1_000_000)
        {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the child finished before it could be interrupted"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    child.kill().unwrap();
    child.wait().unwrap();

    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the previous file was damaged"
    );
    assert_eq!(previous.load().unwrap().height(), 1000);
    // The interrupted write is a hidden temporary file beside the target, never the target.
    assert!(!temp_files(dir.path()).is_empty());
}

#[test]
fn a_failed_save_removes_its_temporary_file_and_keeps_the_old_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.txt");
    std::fs::write(&path, "old").unwrap();
    let result = weir_datasets::write_atomic(&path, |w| {
        use std::io::Write;
        w.write_all(b"partial")?;
        Err(weir_core::DatasetError::message("encoding failed"))
    });
    assert_eq!(result.unwrap_err().to_string(), "encoding failed");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
    assert!(temp_files(dir.path()).is_empty());
}
