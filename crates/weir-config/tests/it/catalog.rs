use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::json;
use weir_config::{CatalogConfig, Credentials, DatasetRegistry, yaml};
use weir_core::MemoryDataset;

fn config(text: &str) -> CatalogConfig {
    let node = yaml::parse(text, "catalog.yml".as_ref()).unwrap();
    CatalogConfig::from_node(&node, Credentials::default()).unwrap()
}

fn config_error(text: &str) -> String {
    let node = yaml::parse(text, "catalog.yml".as_ref()).unwrap();
    CatalogConfig::from_node(&node, Credentials::default())
        .unwrap_err()
        .to_string()
}

#[test]
fn patterns_are_ranked_as_kedro_ranks_them() {
    let config = config(
        "'{default}': {type: MemoryDataset}\n'{a}@{b}': {type: MemoryDataset}\n'{name}_data': {type: MemoryDataset}\n'{ns}.{name}_data': {type: MemoryDataset}\n",
    );
    assert_eq!(
        config.list_patterns(),
        ["{ns}.{name}_data", "{name}_data", "{a}@{b}", "{default}"]
    );
    assert_eq!(config.pattern_for("x.cars_data"), Some("{ns}.{name}_data"));
    assert_eq!(config.pattern_for("cars_data"), Some("{name}_data"));
    assert_eq!(config.pattern_for("cars@spark"), Some("{a}@{b}"));
    assert_eq!(config.pattern_for("anything"), Some("{default}"));
}

#[test]
fn pattern_matching_is_whole_name_lazy_case_insensitive_and_fields_are_never_empty() {
    let config = config(
        "'{a}_{b}':\n  type: MemoryDataset\n  metadata: {a: '{a}', b: '{b}'}\n'{name}_txt':\n  type: MemoryDataset\n  metadata: {name: '{name}'}\n",
    );
    let resolved = |name: &str| {
        config
            .resolve_config(name)
            .map(|n| n.to_json()["metadata"].clone())
    };
    // `{name}_txt` is more specific (4 literal characters against 1).
    assert_eq!(resolved("beta.rep_txt"), Some(json!({"name": "beta.rep"})));
    assert_eq!(resolved("cars_TXT"), Some(json!({"name": "cars"})));
    assert_eq!(resolved("x_y_z"), Some(json!({"a": "x", "b": "y_z"})));
    assert_eq!(resolved("_y"), None);
    assert_eq!(resolved("plain"), None);
}

#[test]
fn explicit_entries_win_over_patterns() {
    let config = config(
        "cars_data:\n  type: MemoryDataset\n  metadata: {explicit: true}\n'{name}_data':\n  type: MemoryDataset\n",
    );
    assert_eq!(config.pattern_for("cars_data"), None);
    assert_eq!(
        config.info("cars_data").unwrap().metadata,
        json!({"explicit": true})
    );
}

#[test]
fn catalog_entries_build_and_patterns_resolve_on_first_use() {
    let config = config(
        "a:\n  type: MemoryDataset\n'{name}_mem':\n  type: kedro.io.MemoryDataset\n  layer: '{name}'\n",
    );
    let catalog = config.build(Arc::new(DatasetRegistry::new())).unwrap();
    assert_eq!(catalog.names(), ["a"]);
    assert!(catalog.contains("x_mem"));
    catalog.save("x_mem", 3_u32).unwrap();
    assert_eq!(catalog.load_as::<u32>("x_mem").unwrap(), 3);
    assert_eq!(catalog.names(), ["a", "x_mem"]);
    assert_eq!(config.info("x_mem").unwrap().layer.as_deref(), Some("x"));
}

#[test]
fn metadata_and_layers_are_kept_and_queryable() {
    let config = config(
        "companies:\n  type: MemoryDataset\n  metadata:\n    kedro-viz:\n      layer: raw\n    validation: {suite: companies}\nshuttles:\n  type: MemoryDataset\n  layer: intermediate\n",
    );
    let catalog = config.build(Arc::new(DatasetRegistry::new())).unwrap();
    assert_eq!(
        catalog.metadata("companies").unwrap()["validation"]["suite"],
        "companies"
    );
    assert_eq!(
        config.info("companies").unwrap().layer.as_deref(),
        Some("raw")
    );
    assert_eq!(
        config.info("shuttles").unwrap().layer.as_deref(),
        Some("intermediate")
    );
    assert_eq!(catalog.metadata("shuttles"), None);
}

#[test]
fn credentials_are_given_by_name_and_never_shown() {
    let seen: Arc<Mutex<Option<String>>> = Arc::default();
    let mut registry = DatasetRegistry::new();
    let sink = Arc::clone(&seen);
    registry.register("test.SecretDataset", move |spec, _| {
        let secret = spec.credentials.as_ref().unwrap();
        *sink.lock().unwrap() = Some(format!("{:?} / {}", spec, secret.expose()["token"]));
        Ok(Arc::new(MemoryDataset::new()))
    });
    let node = yaml::parse(
        "db:\n  type: test.SecretDataset\n  credentials: db_creds\n",
        "catalog.yml".as_ref(),
    )
    .unwrap();
    let credentials = Credentials::from_json(&json!({"db_creds": {"token": "s3cr3t"}}));
    CatalogConfig::from_node(&node, credentials)
        .unwrap()
        .build(Arc::new(registry))
        .unwrap();
    let seen = seen.lock().unwrap().clone().unwrap();
    let (debug, exposed) = seen.split_once(" / ").unwrap();
    assert!(!debug.contains("s3cr3t"), "{debug}");
    assert!(debug.contains("Secret(***)"));
    assert_eq!(exposed, "\"s3cr3t\"");
}

#[test]
fn load_versions_must_name_catalog_datasets() {
    let config = config("a: {type: MemoryDataset}\n'{x}_csv': {type: MemoryDataset}\n");
    let versions = BTreeMap::from([
        ("a".to_owned(), "v1".to_owned()),
        ("b_csv".to_owned(), "v2".to_owned()),
    ]);
    assert!(config.clone().load_versions(versions).is_ok());
    let error = config
        .clone()
        .load_versions(BTreeMap::from([("nope".to_owned(), "v".to_owned())]))
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "'load_versions' keys [nope] are not found in the catalog."
    );
    let error = config
        .load_versions(BTreeMap::from([("a".to_owned(), "../x".to_owned())]))
        .unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("Version string '../x' is not allowed."),
        "{error}"
    );
}

#[test]
fn unsupported_kedro_types_are_kept_and_fail_clearly_when_used() {
    let mut registry = DatasetRegistry::new();
    registry.unsupported(
        "matplotlib.MatplotlibDataset",
        "matplotlib figures exist only in Python",
    );
    let config = config(
        "plot:\n  type: matplotlib.MatplotlibDataset\n  filepath: x.png\n  versioned: true\n",
    );
    let catalog = config.build(Arc::new(registry.clone())).unwrap();
    let error = catalog.load("plot").unwrap_err().to_string();
    assert_eq!(
        error,
        "dataset 'plot' (catalog.yml:1:1): type `matplotlib.MatplotlibDataset` is not supported in Weir: matplotlib figures exist only in Python"
    );
    assert_eq!(config.unsupported_entries(&registry).len(), 1);
}

#[test]
fn memory_dataset_copy_mode_is_checked() {
    let config = config(
        "a:\n  type: MemoryDataset\n  copy_mode: assign\nb:\n  type: MemoryDataset\n  copy_mode: shallow\n",
    );
    let error = config
        .build(Arc::new(DatasetRegistry::new()))
        .unwrap_err()
        .to_string();
    assert_eq!(
        error,
        "catalog.yml:4:1: `b`: Invalid copy mode: shallow. Possible values are: deepcopy, copy, assign."
    );
}

#[test]
fn structural_problems_are_all_reported_at_once() {
    let error = config_error("a: 3\nb:\n  filepath: x.csv\nc: {type: MemoryDataset}\n");
    assert!(error.starts_with("2 configuration problems:"), "{error}");
    assert!(
        error.contains("Catalog entry 'a' is not a valid dataset configuration"),
        "{error}"
    );
    assert!(
        error.contains("'type' is missing from dataset catalog configuration"),
        "{error}"
    );
}

/// A registry whose one file type records the paths it is given.
fn path_recorder() -> (DatasetRegistry, Arc<Mutex<Vec<String>>>) {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut registry = DatasetRegistry::new();
    let sink = Arc::clone(&seen);
    registry.register("test.FileDataset", move |spec, _| {
        let path = spec.take_filepath()?;
        sink.lock()
            .unwrap()
            .push(path.to_string_lossy().into_owned());
        Ok(Arc::new(MemoryDataset::new()))
    });
    (registry, seen)
}

#[test]
fn file_urls_are_local_paths_and_other_schemes_are_located_errors() {
    let (registry, seen) = path_recorder();
    let text = "a:\n  type: test.FileDataset\n  filepath: file:///tmp/a.csv\nb:\n  type: test.FileDataset\n  filepath: file://data/b.csv\nc:\n  type: test.FileDataset\n  filepath: data/c.csv\n";
    let node = yaml::parse(text, "catalog.yml".as_ref()).unwrap();
    let config = CatalogConfig::from_node(&node, Credentials::default())
        .unwrap()
        .project_root("/project");
    config.build(Arc::new(registry)).unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        ["/tmp/a.csv", "/project/data/b.csv", "/project/data/c.csv"]
    );
    assert_eq!(
        config.info("a").unwrap().filepath.as_deref(),
        Some("/tmp/a.csv")
    );

    for (url, scheme) in [
        ("s3://bucket/x.parquet", "s3"),
        ("gs://bucket/x.parquet", "gs"),
        ("abfs://container/x.csv", "abfs"),
        ("s3://AKIAKEY:s3cr3t@bucket/x.csv", "s3"),
    ] {
        let (registry, seen) = path_recorder();
        let text = format!(
            "ok:\n  type: test.FileDataset\n  filepath: data/ok.csv\nremote:\n  type: test.FileDataset\n  filepath: {url}\n"
        );
        let node = yaml::parse(&text, "catalog.yml".as_ref()).unwrap();
        let error = CatalogConfig::from_node(&node, Credentials::default())
            .unwrap()
            .project_root("/project")
            .build(Arc::new(registry))
            .unwrap_err()
            .to_string();
        assert!(error.contains("catalog.yml:6"), "{error}");
        assert!(error.contains("remote"), "{error}");
        assert!(error.contains(&format!("`{scheme}://`")), "{error}");
        assert!(!error.contains("s3cr3t"), "{error}");
        assert!(
            !seen.lock().unwrap().iter().any(|p| p.contains(':')),
            "no URL reaches a dataset as a local path: {:?}",
            seen.lock().unwrap()
        );
    }
    // Nested paths (a wrapper's `dataset:`, a partitioned `path:`) are checked too.
    let (registry, _) = path_recorder();
    let mut registry = registry;
    registry.register("test.Wrapper", |spec, _| {
        let _ = spec.take("dataset");
        Ok(Arc::new(MemoryDataset::new()))
    });
    let text = "w:\n  type: test.Wrapper\n  dataset:\n    type: test.FileDataset\n    path: gcs://b/parts\n";
    let node = yaml::parse(text, "catalog.yml".as_ref()).unwrap();
    let error = CatalogConfig::from_node(&node, Credentials::default())
        .unwrap()
        .build(Arc::new(registry))
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("catalog.yml:5") && error.contains("`gcs://`"),
        "{error}"
    );
}
