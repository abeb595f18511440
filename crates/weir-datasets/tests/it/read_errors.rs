//! Files that cannot be read are refused with what is wrong and where: the line of a ragged CSV
//! row, the line and column of bytes that are not UTF-8, a damaged workbook. pandas' options for
//! them (`on_bad_lines`, `encoding`) do what they do in pandas.

use std::path::Path;

use polars::prelude::*;

use crate::catalog;

fn project(file: &str, content: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    std::fs::write(dir.path().join("data").join(file), content).unwrap();
    dir
}

fn load(dir: &Path, entry: &str) -> Result<DataFrame, String> {
    let text = format!("t:\n  {entry}\n");
    let catalog = catalog(&text, dir, Default::default()).map_err(|e| e.to_string())?;
    catalog.load_as::<DataFrame>("t").map_err(|e| e.to_string())
}

const RAGGED: &[u8] = b"id,name\n1,a\n2,b\n3,c,extra\n4,d\n5,e,f,g\n";

#[test]
fn a_ragged_row_is_named_by_line_with_pandas_option() {
    let dir = project("r.csv", RAGGED);
    let error = load(
        dir.path(),
        "type: pandas.CSVDataset\n  filepath: data/r.csv",
    )
    .unwrap_err();
    assert!(error.contains("r.csv"), "{error}");
    assert!(
        error.contains("line 4 has 3 fields where the header has 2"),
        "{error}"
    );
    assert!(error.contains("next at line 6"), "{error}");
    assert!(error.contains("on_bad_lines"), "{error}");
    assert!(!error.contains("truncate_ragged_lines"), "{error}");
}

#[test]
fn on_bad_lines_drops_ragged_rows_and_truncation_keeps_them() {
    let dir = project("r.csv", RAGGED);
    for mode in ["skip", "warn"] {
        let frame = load(
            dir.path(),
            &format!(
                "type: pandas.CSVDataset\n  filepath: data/r.csv\n  load_args: {{on_bad_lines: {mode}}}"
            ),
        )
        .unwrap();
        let ids: Vec<i64> = frame
            .column("id")
            .unwrap()
            .i64()
            .unwrap()
            .into_no_null_iter()
            .collect();
        assert_eq!(ids, [1, 2, 4], "{mode}");
    }
    let frame = load(
        dir.path(),
        "type: polars.CSVDataset\n  filepath: data/r.csv\n  load_args: {truncate_ragged_lines: true}",
    )
    .unwrap();
    assert_eq!(frame.height(), 5);
    let error = load(
        dir.path(),
        "type: pandas.CSVDataset\n  filepath: data/r.csv\n  load_args: {on_bad_lines: ignore}",
    )
    .unwrap_err();
    assert!(
        error.contains("on_bad_lines: ignore") && error.contains("catalog.yml"),
        "{error}"
    );
}

#[test]
fn bytes_that_are_not_utf8_are_located_and_latin1_is_read() {
    let content = b"id,city\n1,Paris\n2,Montr\xe9al\n";
    let dir = project("c.csv", content);
    let error = load(
        dir.path(),
        "type: pandas.CSVDataset\n  filepath: data/c.csv",
    )
    .unwrap_err();
    assert!(error.contains("c.csv"), "{error}");
    assert!(
        error.contains("line 3, column 8: byte 0xE9 is not UTF-8"),
        "{error}"
    );
    assert!(error.contains("latin-1"), "{error}");

    let frame = load(
        dir.path(),
        "type: pandas.CSVDataset\n  filepath: data/c.csv\n  load_args: {encoding: latin-1}",
    )
    .unwrap();
    assert_eq!(
        frame.column("city").unwrap().str().unwrap().get(1),
        Some("Montréal")
    );
    let frame = load(
        dir.path(),
        "type: pandas.CSVDataset\n  filepath: data/c.csv\n  load_args: {encoding: utf8-lossy}",
    )
    .unwrap();
    assert_eq!(
        frame.column("city").unwrap().str().unwrap().get(1),
        Some("Montr\u{FFFD}al")
    );
}

#[test]
fn lazy_scans_refuse_what_they_cannot_apply() {
    let dir = project("r.csv", RAGGED);
    let error = load(
        dir.path(),
        "type: polars.LazyPolarsDataset\n  file_format: csv\n  filepath: data/r.csv\n  load_args: {on_bad_lines: skip}",
    )
    .unwrap_err();
    assert!(
        error.contains("lazy") && error.contains("catalog.yml"),
        "{error}"
    );
}

fn shuttles() -> Vec<u8> {
    std::fs::read(crate::spaceflights().join("data/01_raw/shuttles.xlsx")).unwrap()
}

#[test]
fn a_damaged_workbook_says_so() {
    let whole = shuttles();
    for (case, content, expected) in [
        (
            "truncated",
            whole[..whole.len() / 3].to_vec(),
            "damaged or truncated",
        ),
        ("empty", Vec::new(), "the file is empty"),
        ("csv", b"id,name\n1,a\n".to_vec(), "the file is text"),
        (
            "binary",
            vec![0_u8, 159, 146, 150, 1, 2],
            "not an Excel workbook",
        ),
    ] {
        let dir = project("s.xlsx", &content);
        let error = load(
            dir.path(),
            "type: pandas.ExcelDataset\n  filepath: data/s.xlsx",
        )
        .unwrap_err();
        assert!(error.contains("s.xlsx"), "{case}: {error}");
        assert!(error.contains(expected), "{case}: {error}");
    }
}
