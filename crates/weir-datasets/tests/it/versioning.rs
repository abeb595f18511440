use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use weir_config::{CatalogConfig, Credentials, yaml};

use crate::catalog_with;

const ENTRY: &str =
    "report:\n  type: text.TextDataset\n  filepath: data/08_reporting/out.txt\n  versioned: true\n";

#[test]
fn kedro_layout_and_latest_version() {
    let dir = tempfile::tempdir().unwrap();
    let first = catalog_with(
        ENTRY,
        dir.path(),
        Default::default(),
        "2026-11-28T20.21.32.623Z",
    )
    .unwrap();
    first.save("report", "one".to_owned()).unwrap();
    assert_eq!(
        std::fs::read_to_string(
            dir.path()
                .join("data/08_reporting/out.txt/2026-11-28T20.21.32.623Z/out.txt")
        )
        .unwrap(),
        "one"
    );
    let second = catalog_with(
        ENTRY,
        dir.path(),
        Default::default(),
        "2026-11-29T08.00.00.000Z",
    )
    .unwrap();
    assert_eq!(second.load_as::<String>("report").unwrap(), "one");
    second.save("report", "two".to_owned()).unwrap();
    // A new catalog loads the lexicographically greatest version.
    let third = catalog_with(
        ENTRY,
        dir.path(),
        Default::default(),
        "2026-11-30T00.00.00.000Z",
    )
    .unwrap();
    assert_eq!(third.load_as::<String>("report").unwrap(), "two");
    assert!(third.exists("report").unwrap());
}

#[test]
fn one_save_version_for_every_output_of_a_run() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{ENTRY}model:\n  type: json.JSONDataset\n  filepath: data/06_models/model.json\n  versioned: true\n"
    );
    let catalog = catalog_with(
        &text,
        dir.path(),
        Default::default(),
        "2026-11-30T11.11.11.111Z",
    )
    .unwrap();
    catalog.save("report", "r".to_owned()).unwrap();
    catalog.save("model", serde_json::json!({"k": 1})).unwrap();
    assert!(
        dir.path()
            .join("data/08_reporting/out.txt/2026-11-30T11.11.11.111Z/out.txt")
            .is_file()
    );
    assert!(
        dir.path()
            .join("data/06_models/model.json/2026-11-30T11.11.11.111Z/model.json")
            .is_file()
    );
}

#[test]
fn load_versions_pick_an_older_version_and_missing_ones_fail_clearly() {
    let dir = tempfile::tempdir().unwrap();
    for (version, text) in [
        ("2026-01-01T00.00.00.000Z", "old"),
        ("2026-02-01T00.00.00.000Z", "new"),
    ] {
        catalog_with(ENTRY, dir.path(), Default::default(), version)
            .unwrap()
            .save("report", text.to_owned())
            .unwrap();
    }
    let build = |versions: &[(&str, &str)]| {
        let node = yaml::parse(ENTRY, Path::new("catalog.yml")).unwrap();
        CatalogConfig::from_node(&node, Credentials::default())
            .unwrap()
            .project_root(dir.path())
            .load_versions(
                versions
                    .iter()
                    .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
                    .collect::<BTreeMap<_, _>>(),
            )
            .unwrap()
            .build(Arc::new(weir_datasets::registry(Default::default())))
            .unwrap()
    };
    assert_eq!(
        build(&[("report", "2026-01-01T00.00.00.000Z")])
            .load_as::<String>("report")
            .unwrap(),
        "old"
    );
    let error = build(&[("report", "2025-12-31T00.00.00.000Z")])
        .load("report")
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("version '2025-12-31T00.00.00.000Z' of"),
        "{error}"
    );
    assert!(
        error.contains("available: 2026-02-01T00.00.00.000Z, 2026-01-01T00.00.00.000Z"),
        "{error}"
    );
}

#[test]
fn no_version_yet_and_existing_versions_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = catalog_with(
        ENTRY,
        dir.path(),
        Default::default(),
        "2026-11-30T10.00.00.000Z",
    )
    .unwrap();
    let error = catalog.load("report").unwrap_err().to_string();
    assert!(
        error.starts_with("Did not find any versions for"),
        "{error}"
    );
    assert!(!catalog.exists("report").unwrap());
    catalog.save("report", "a".to_owned()).unwrap();
    let error = catalog
        .save("report", "b".to_owned())
        .unwrap_err()
        .to_string();
    assert!(error.starts_with("Save path '"), "{error}");
    assert!(
        error.ends_with("must not exist if versioning is enabled."),
        "{error}"
    );
    assert_eq!(catalog.load_as::<String>("report").unwrap(), "a");
}

#[test]
fn a_plain_file_where_versions_should_be_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("data/08_reporting")).unwrap();
    std::fs::write(dir.path().join("data/08_reporting/out.txt"), "unversioned").unwrap();
    let catalog = catalog_with(
        ENTRY,
        dir.path(),
        Default::default(),
        "2026-11-30T10.00.00.000Z",
    )
    .unwrap();
    let error = catalog
        .save("report", "x".to_owned())
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("Cannot save versioned dataset 'out.txt'"),
        "{error}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("data/08_reporting/out.txt")).unwrap(),
        "unversioned"
    );
}
