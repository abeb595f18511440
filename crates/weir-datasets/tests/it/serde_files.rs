use serde::{Deserialize, Serialize};
use serde_json::json;
use weir_core::{Data, Dataset, TypeInfo};

use crate::catalog;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Model {
    coefficients: Vec<f64>,
    intercept: f64,
    features: Vec<String>,
}

impl Data for Model {}

fn model() -> Model {
    Model {
        coefficients: vec![348.97, -192.3],
        intercept: 1011.27,
        features: vec!["engines".into(), "crew".into()],
    }
}

const ENTRIES: &str = "
regressor:
  type: pickle.PickleDataset
  filepath: data/06_models/regressor.pickle
  backend: pickle
summary:
  type: json.JSONDataset
  filepath: data/08_reporting/summary.json
options:
  type: yaml.YAMLDataset
  filepath: conf/options.yml
notes:
  type: text.TextDataset
  filepath: data/08_reporting/notes.txt
chart:
  type: plotly.JSONDataset
  filepath: data/08_reporting/chart.json
";

#[test]
fn serde_types_round_trip_through_catalog_configured_datasets() {
    let dir = tempfile::tempdir().unwrap();
    let types = weir_datasets::SerdeTypes::new().with::<Model>();
    let catalog = catalog(ENTRIES, dir.path(), types).unwrap();

    for name in ["regressor", "summary", "options"] {
        catalog.save(name, model()).unwrap();
        let dataset = catalog.get(name).unwrap().unwrap();
        let loaded = dataset.load_value_for(TypeInfo::of::<Model>()).unwrap();
        assert_eq!(loaded.downcast_ref::<Model>(), Some(&model()), "{name}");
    }
    // Untyped readers get JSON for JSON and YAML files.
    let untyped = catalog.load("summary").unwrap();
    assert_eq!(
        untyped.downcast_ref::<serde_json::Value>().unwrap()["intercept"],
        json!(1011.27)
    );
    let yaml = std::fs::read_to_string(dir.path().join("conf/options.yml")).unwrap();
    assert!(yaml.contains("intercept: 1011.27"), "{yaml}");

    catalog.save("notes", "R² = 0.387".to_owned()).unwrap();
    assert_eq!(catalog.load_as::<String>("notes").unwrap(), "R² = 0.387");
    catalog
        .save("chart", json!({"data": [{"type": "bar"}]}))
        .unwrap();
    assert_eq!(
        catalog.load_as::<serde_json::Value>("chart").unwrap()["data"][0]["type"],
        "bar"
    );
}

#[test]
fn binary_files_say_what_they_hold() {
    let dir = tempfile::tempdir().unwrap();
    let types = weir_datasets::SerdeTypes::new().with::<Model>();
    let catalog = catalog(ENTRIES, dir.path(), types).unwrap();
    catalog.save("regressor", model()).unwrap();
    let bytes = std::fs::read(dir.path().join("data/06_models/regressor.pickle")).unwrap();
    assert!(bytes.starts_with(b"WEIRPKL1"));
    let dataset = catalog.get("regressor").unwrap().unwrap();
    let error = dataset
        .load_value_for(TypeInfo::of::<String>())
        .unwrap_err()
        .to_string();
    assert!(error.contains("the file holds a `"), "{error}");
    assert!(error.contains("Model`"), "{error}");

    std::fs::write(
        dir.path().join("data/06_models/regressor.pickle"),
        b"\x80\x04\x95 python pickle",
    )
    .unwrap();
    let error = dataset
        .load_value_for(TypeInfo::of::<Model>())
        .unwrap_err()
        .to_string();
    assert!(error.contains("Python pickles cannot be read"), "{error}");
}

#[test]
fn unregistered_types_are_named_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = catalog(ENTRIES, dir.path(), weir_datasets::SerdeTypes::new()).unwrap();
    let error = catalog.save("regressor", model()).unwrap_err().to_string();
    assert!(
        error.contains("register it with `SerdeTypes::with::<Model>()`"),
        "{error}"
    );
    assert!(!dir.path().join("data/06_models/regressor.pickle").exists());
}

#[test]
fn typed_json_dataset_in_rust() {
    let dir = tempfile::tempdir().unwrap();
    let dataset = weir_datasets::JsonDataset::<Model>::new(dir.path().join("m.json"));
    assert!(!dataset.exists().unwrap());
    dataset.save(&model()).unwrap();
    assert_eq!(dataset.load().unwrap(), model());
}

#[test]
fn partitioned_folders_load_lazily_and_save_maps() {
    let dir = tempfile::tempdir().unwrap();
    let text = "parts:\n  type: partitions.PartitionedDataset\n  path: data/01_raw/parts\n  dataset: text.TextDataset\n  filename_suffix: .txt\n";
    let catalog = catalog(text, dir.path(), Default::default()).unwrap();
    let map = weir_datasets::PartitionMap::new()
        .with("a", "alpha".to_owned())
        .with("nested/b", "beta".to_owned());
    catalog.save("parts", map).unwrap();
    assert!(dir.path().join("data/01_raw/parts/nested/b.txt").is_file());
    std::fs::write(dir.path().join("data/01_raw/parts/ignored.csv"), "x").unwrap();

    let partitions = catalog
        .load_as::<weir_datasets::Partitions>("parts")
        .unwrap();
    assert_eq!(partitions.0.keys().collect::<Vec<_>>(), ["a", "nested/b"]);
    // Nothing is read until asked: delete a file, the listing still has it, its loader fails.
    std::fs::remove_file(dir.path().join("data/01_raw/parts/a.txt")).unwrap();
    assert!(partitions.0["a"].load_as::<String>().is_err());
    assert_eq!(
        partitions.0["nested/b"].load_as::<String>().unwrap(),
        "beta"
    );
}

#[test]
fn partition_type_mistakes_show_when_the_catalog_is_built() {
    let dir = tempfile::tempdir().unwrap();
    let text = "parts:\n  type: partitions.PartitionedDataset\n  path: data/parts\n  dataset:\n    type: text.TextDataset\n    load_args: {sep: ','}\n";
    let error = catalog(text, dir.path(), Default::default())
        .err()
        .unwrap()
        .to_string();
    assert!(
        error.contains("`text.TextDataset` does not support `load_args.sep`"),
        "{error}"
    );
}

#[test]
fn overwriting_partitions_removes_stale_ones_only_after_a_full_save() {
    let dir = tempfile::tempdir().unwrap();
    let text = "parts:\n  type: partitions.PartitionedDataset\n  path: data/parts\n  dataset: text.TextDataset\n  overwrite: true\n";
    let catalog = catalog(text, dir.path(), Default::default()).unwrap();
    let first = weir_datasets::PartitionMap::new()
        .with("a", "1".to_owned())
        .with("b", "2".to_owned());
    catalog.save("parts", first).unwrap();
    // A partition of the wrong type fails the save: nothing old is removed.
    let broken = weir_datasets::PartitionMap::new()
        .with("c", "3".to_owned())
        .with("d", 4_u32);
    assert!(catalog.save("parts", broken).is_err());
    assert!(dir.path().join("data/parts/a").is_file());
    assert!(dir.path().join("data/parts/b").is_file());
    // A full save replaces the folder's content.
    catalog
        .save(
            "parts",
            weir_datasets::PartitionMap::new().with("c", "3".to_owned()),
        )
        .unwrap();
    let partitions = catalog
        .load_as::<weir_datasets::Partitions>("parts")
        .unwrap();
    assert_eq!(partitions.0.keys().collect::<Vec<_>>(), ["c"]);
}
