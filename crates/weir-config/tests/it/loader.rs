use serde_json::json;
use weir_config::{ConfigError, MergeStrategy, parse_runtime_params};

use crate::Conf;

#[test]
fn base_and_local_merge_and_env_replaces_top_level_keys() {
    // Kedro's verified example (behaviour reference §4.3).
    let conf = Conf::new(&[
        ("base/parameters.yml", "model:\n  a: 1\n  b: 2\nx: 10\n"),
        ("local/parameters.yml", "other: 1\n"),
        ("prod/parameters.yml", "model:\n  c: 3\n"),
    ]);
    assert_eq!(
        conf.loader().get("parameters").unwrap().to_json(),
        json!({"model": {"a": 1, "b": 2}, "x": 10, "other": 1})
    );
    assert_eq!(
        conf.loader()
            .env(Some("prod"))
            .get("parameters")
            .unwrap()
            .to_json(),
        json!({"model": {"c": 3}, "x": 10})
    );
    assert_eq!(
        conf.loader()
            .env(Some("prod"))
            .merge_strategy("parameters", MergeStrategy::Soft)
            .get("parameters")
            .unwrap()
            .to_json(),
        json!({"model": {"a": 1, "b": 2, "c": 3}, "x": 10})
    );
}

#[test]
fn run_env_equal_to_base_reads_base_only() {
    let conf = Conf::new(&[
        ("base/catalog.yml", "a: {type: MemoryDataset}\n"),
        ("local/catalog.yml", "b: {type: MemoryDataset}\n"),
    ]);
    let catalog = conf
        .loader()
        .env(Some("base"))
        .get("catalog")
        .unwrap()
        .to_json();
    assert_eq!(catalog, json!({"a": {"type": "MemoryDataset"}}));
}

#[test]
fn patterns_find_files_in_sub_folders_and_skip_hidden_and_other_files() {
    let conf = Conf::new(&[
        ("base/catalog.yml", "a: {type: MemoryDataset}\n"),
        ("base/catalog/more.yml", "b: {type: MemoryDataset}\n"),
        (
            "base/pipelines/ds/catalog_ds.yaml",
            "c: {type: MemoryDataset}\n",
        ),
        (
            "base/catalog_extra.json",
            "{\"d\": {\"type\": \"MemoryDataset\"}}",
        ),
        (
            "base/.hidden/catalog.yml",
            "hidden: {type: MemoryDataset}\n",
        ),
        (
            "base/.catalog_hidden.yml",
            "hidden2: {type: MemoryDataset}\n",
        ),
        ("base/catalog_notes.txt", "not: config\n"),
        ("base/unrelated.yml", "e: {type: MemoryDataset}\n"),
    ]);
    let catalog = conf.loader().get("catalog").unwrap();
    let mut keys: Vec<&String> = catalog.as_map().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["a", "b", "c", "d"]);

    let with_hidden = conf.loader().ignore_hidden(false).get("catalog").unwrap();
    assert!(with_hidden.as_map().unwrap().contains_key("hidden"));
    // `catalog*` does not match `.catalog_hidden.yml`, hidden or not.
    assert!(!with_hidden.as_map().unwrap().contains_key("hidden2"));
}

#[test]
fn custom_patterns_add_a_key() {
    let conf = Conf::new(&[
        ("base/spark.yml", "spark.master: local\n"),
        ("local/spark_local.yml", "spark.driver.memory: 2g\n"),
    ]);
    let spark = conf
        .loader()
        .patterns("spark", ["spark*"])
        .get("spark")
        .unwrap()
        .to_json();
    assert_eq!(
        spark,
        json!({"spark.master": "local", "spark.driver.memory": "2g"})
    );
    let error = conf.loader().get("spark").unwrap_err();
    assert_eq!(
        error.to_string(),
        "No config patterns were found for 'spark' in your config loader"
    );
}

#[test]
fn duplicate_top_level_keys_in_one_environment_are_an_error_naming_both_files() {
    let conf = Conf::new(&[
        (
            "base/catalog.yml",
            "cars:\n  type: MemoryDataset\nboats:\n  type: MemoryDataset\n",
        ),
        ("base/catalog_more.yml", "\ncars:\n  type: MemoryDataset\n"),
    ]);
    let error = conf.loader().get("catalog").unwrap_err();
    assert!(matches!(error, ConfigError::DuplicateKeys(_)));
    assert_eq!(
        conf.clean(error),
        "Duplicate keys found in <conf>/base/catalog.yml and <conf>/base/catalog_more.yml: cars (lines 1 and 2)"
    );
}

#[test]
fn same_key_in_base_and_local_is_an_override_not_a_duplicate() {
    let conf = Conf::new(&[
        (
            "base/catalog.yml",
            "cars:\n  type: MemoryDataset\n  metadata: {from: base}\n",
        ),
        (
            "local/catalog.yml",
            "cars:\n  type: MemoryDataset\n  metadata: {from: local}\n",
        ),
    ]);
    let catalog = conf.loader().get("catalog").unwrap().to_json();
    assert_eq!(catalog["cars"]["metadata"]["from"], "local");
}

#[test]
fn parameters_are_checked_for_duplicates_leaf_by_leaf() {
    let conf = Conf::new(&[
        ("base/parameters.yml", "model:\n  a: 1\n"),
        ("base/parameters_more.yml", "model:\n  d: 4\n"),
    ]);
    assert_eq!(
        conf.loader().get("parameters").unwrap().to_json(),
        json!({"model": {"a": 1, "d": 4}})
    );

    conf.write("base/parameters_dup.yml", "model:\n  a: 2\n");
    let error = conf.loader().get("parameters").unwrap_err();
    assert_eq!(
        conf.clean(error),
        "Duplicate keys found in <conf>/base/parameters.yml and <conf>/base/parameters_dup.yml: model.a (lines 2 and 2)"
    );
}

#[test]
fn keys_starting_with_underscore_are_templates() {
    let conf = Conf::new(&[(
        "base/catalog.yml",
        "_csv: &csv\n  type: pandas.CSVDataset\n  load_args: {sep: ';'}\ncars:\n  <<: *csv\n  filepath: data/cars.csv\n",
    )]);
    let catalog = conf.loader().get("catalog").unwrap().to_json();
    assert_eq!(
        catalog,
        json!({"cars": {"filepath": "data/cars.csv", "type": "pandas.CSVDataset", "load_args": {"sep": ";"}}})
    );
}

#[test]
fn yaml_1_1_booleans_read_as_kedro_reads_them() {
    let conf = Conf::new(&[(
        "base/parameters.yml",
        "a: yes\nb: no\nc: on\nd: off\ne: 'yes'\nf: y\ng: 1e-3\nh: 2026-11-30\ni: 010\n",
    )]);
    assert_eq!(
        conf.loader().parameters().unwrap(),
        json!({"a": true, "b": false, "c": true, "d": false, "e": "yes", "f": "y", "g": 0.001, "h": "2026-11-30", "i": 8})
    );
}

#[test]
fn interpolation_within_a_file_set() {
    let conf = Conf::new(&[
        (
            "base/parameters.yml",
            "folder: raw\npath: data/${folder}/cars.csv\nmodel:\n  size: 3\n  copy: ${model.size}\n  sibling: ${.size}\nescaped: \\${folder}\n",
        ),
        ("base/parameters_other.yml", "from_other_file: ${folder}\n"),
    ]);
    assert_eq!(
        conf.loader().parameters().unwrap(),
        json!({
            "folder": "raw", "path": "data/raw/cars.csv",
            "model": {"size": 3, "copy": 3, "sibling": 3},
            "escaped": "${folder}", "from_other_file": "raw"
        })
    );
}

#[test]
fn globals_from_base_and_env() {
    let conf = Conf::new(&[
        (
            "base/globals.yml",
            "types:\n  csv: pandas.CSVDataset\nfolders:\n  raw: 01_raw\n",
        ),
        ("local/globals.yml", "folders:\n  raw: 01_raw_local\n"),
        (
            "base/catalog.yml",
            "cars:\n  type: ${globals:types.csv}\n  filepath: data/${globals:folders.raw}/cars.csv\nboats:\n  type: ${globals:types.parquet, pandas.ParquetDataset}\n",
        ),
    ]);
    let catalog = conf.loader().get("catalog").unwrap().to_json();
    assert_eq!(
        catalog["cars"],
        json!({"type": "pandas.CSVDataset", "filepath": "data/01_raw_local/cars.csv"})
    );
    assert_eq!(catalog["boats"]["type"], "pandas.ParquetDataset");
}

#[test]
fn runtime_params_resolver_and_overrides() {
    let conf = Conf::new(&[
        (
            "base/parameters.yml",
            "model:\n  a: 1\n  b: 2\nx: 10\nderived: ${model.a}\n",
        ),
        ("local/parameters.yml", "other: 1\n"),
        (
            "base/catalog.yml",
            "cars:\n  type: MemoryDataset\n  metadata:\n    owner: ${runtime_params:owner, nobody}\n",
        ),
    ]);
    let params = parse_runtime_params("model.a=5,new.key=true,owner=alice").unwrap();
    let loader = conf.loader().runtime_params(params);
    // Kedro would lose `model.b` here (destructive merge of an env that has a parameters
    // file); Weir applies runtime parameters once, over the merged result.
    assert_eq!(
        loader.parameters().unwrap(),
        json!({"model": {"a": 5, "b": 2}, "x": 10, "derived": 5, "other": 1, "new": {"key": true}, "owner": "alice"})
    );
    assert_eq!(
        loader.get("catalog").unwrap().to_json()["cars"]["metadata"]["owner"],
        "alice"
    );
    assert_eq!(
        conf.loader().get("catalog").unwrap().to_json()["cars"]["metadata"]["owner"],
        "nobody"
    );
}

#[test]
fn no_parameters_files_means_runtime_params_only() {
    let conf = Conf::new(&[("base/catalog.yml", "a: {type: MemoryDataset}\n")]);
    let loader = conf.loader().runtime_params(json!({"seed": 3}));
    assert_eq!(loader.parameters().unwrap(), json!({"seed": 3}));
    assert!(loader.credentials().unwrap().names().next().is_none());
}

#[test]
fn empty_files_count_as_found() {
    let conf = Conf::new(&[
        ("base/parameters.yml", ""),
        ("base/parameters_ds.yml", "# nothing yet\n"),
    ]);
    assert_eq!(
        conf.loader().get("parameters").unwrap().to_json(),
        json!({})
    );
}

#[test]
fn environment_variables_only_in_credentials() {
    // SAFETY-free: tests set a variable no other test reads.
    let conf = Conf::new(&[
        (
            "local/credentials.yml",
            "db:\n  user: ${oc.env:WEIR_TEST_CONFIG_USER}\n  host: ${oc.env:WEIR_TEST_UNSET_HOST, localhost}\n",
        ),
        ("base/parameters.yml", "home: ${oc.env:HOME}\n"),
    ]);
    let credentials = conf.loader().credentials();
    // The variable is not set: a clear error naming the file, line and key.
    let error = credentials.unwrap_err();
    assert_eq!(
        conf.clean(error),
        "<conf>/local/credentials.yml:2:3: `db.user`: Environment variable 'WEIR_TEST_CONFIG_USER' not found"
    );
    let error = conf.loader().parameters().unwrap_err();
    assert_eq!(
        conf.clean(error),
        "<conf>/base/parameters.yml:1:1: `home`: Unsupported interpolation type oc.env"
    );

    conf.write(
        "local/credentials.yml",
        "db:\n  user: ${oc.env:PATH}\n  host: ${oc.env:WEIR_TEST_UNSET_HOST, localhost}\n",
    );
    let credentials = conf.loader().credentials().unwrap();
    let db = credentials.get("db").unwrap().expose();
    assert_eq!(db["user"], std::env::var("PATH").unwrap());
    assert_eq!(db["host"], "localhost");
    assert!(!format!("{credentials:?}").contains(&std::env::var("PATH").unwrap()));
}

#[test]
fn custom_resolvers() {
    let conf = Conf::new(&[("base/parameters.yml", "total: ${add:1, 2}\n")]);
    let loader = conf.loader().resolver("add", |args| {
        let sum: i64 = args.iter().filter_map(serde_json::Value::as_i64).sum();
        Ok(json!(sum))
    });
    assert_eq!(loader.parameters().unwrap(), json!({"total": 3}));
}

#[test]
fn every_value_knows_its_file_and_line() {
    let conf = Conf::new(&[(
        "base/catalog.yml",
        "# comment\ncars:\n  type: MemoryDataset\n",
    )]);
    let catalog = conf.loader().get("catalog").unwrap();
    let cars = catalog.get_path("cars").unwrap();
    let loc = cars.loc.as_ref().unwrap();
    assert_eq!((loc.line, loc.column), (2, 1));
    assert!(loc.file.ends_with("base/catalog.yml"));
}

#[test]
fn kedro_spaceflights_configuration_loads_unchanged() {
    let loader = weir_config::ConfigLoader::new(crate::spaceflights_conf());
    let params = loader.parameters().unwrap();
    assert_eq!(params["model_options"]["test_size"], json!(0.2));
    assert_eq!(params["model_options"]["random_state"], json!(3));
    assert_eq!(
        params["model_options"]["features"]
            .as_array()
            .unwrap()
            .len(),
        8
    );
    let catalog = loader.catalog().unwrap();
    let names: Vec<&String> = catalog.as_map().unwrap().keys().collect();
    // Kedro's ten entries from catalog.yml plus the MLflow metrics entry, and the example's
    // addition in catalog_reporting.yml (matched by the `catalog*` pattern).
    assert_eq!(names.len(), 12);
    assert!(
        names
            .iter()
            .any(|n| *n == "shuttle_passenger_capacity_plot_svg")
    );
    assert_eq!(
        catalog
            .get_path("regressor.dataset.versioned")
            .unwrap()
            .kind,
        weir_config::tree::Kind::Bool(true)
    );
    assert!(loader.credentials().unwrap().names().next().is_none());
}

#[test]
fn globals_cannot_read_runtime_params_and_underscore_keys_are_private() {
    let conf = Conf::new(&[
        (
            "base/globals.yml",
            "folder: ${runtime_params:folder}\n_private: x\n",
        ),
        ("base/parameters.yml", "a: ${globals:folder}\n"),
    ]);
    let error = conf.loader().parameters().unwrap_err();
    assert_eq!(
        conf.clean(error),
        "<conf>/base/globals.yml:1:1: `folder`: The runtime_params: resolver is not supported for globals."
    );
    conf.write("base/globals.yml", "_private: x\n");
    conf.write("base/parameters.yml", "a: ${globals:_private}\n");
    let error = conf.loader().parameters().unwrap_err().to_string();
    assert!(
        error.ends_with("Keys starting with '_' are not supported for globals (got '_private')."),
        "{error}"
    );
}

#[test]
fn merge_strategies_are_named_as_in_kedro() {
    assert_eq!(
        "soft".parse::<MergeStrategy>().unwrap(),
        MergeStrategy::Soft
    );
    assert_eq!(
        "deep".parse::<MergeStrategy>().unwrap_err().to_string(),
        "Merging strategy deep not supported. The accepted merging strategies are ['soft', 'destructive']."
    );
}

#[test]
fn load_versions_are_parsed_from_the_command_line_form() {
    let versions =
        weir_config::parse_load_versions("regressor:2026-11-30T10.00.00.000Z, ns.model:v2")
            .unwrap();
    assert_eq!(versions["regressor"], "2026-11-30T10.00.00.000Z");
    assert_eq!(versions["ns.model"], "v2");
    assert!(weir_config::parse_load_versions("regressor").is_err());
    assert!(weir_config::parse_load_versions("regressor:../etc").is_err());
}

#[test]
fn plugins_read_their_own_files_merged_with_locations() {
    use weir_core::ConfigSource;
    let conf = Conf::new(&[
        (
            "base/statsd.yml",
            "host: 127.0.0.1\nport: 8125\ntags:\n  team: data\n",
        ),
        ("local/statsd.yml", "port: ${globals:statsd_port}\n"),
        ("base/globals.yml", "statsd_port: 9125\n"),
    ]);
    let loader = conf.loader();
    let config = loader
        .load_config("statsd", &["statsd*", "statsd*/**"])
        .unwrap()
        .unwrap();
    assert_eq!(
        config.value,
        json!({"host": "127.0.0.1", "port": 9125, "tags": {"team": "data"}})
    );
    assert_eq!(config.files.len(), 2, "{:?}", config.files);
    assert!(config.files[0].ends_with("base/statsd.yml"));
    assert!(config.files[1].ends_with("local/statsd.yml"));
    assert!(
        config.location_of("port").contains("local/statsd.yml:1:"),
        "{}",
        config.location_of("port")
    );
    assert!(
        config
            .location_of("tags.team")
            .contains("base/statsd.yml:4:")
    );
    assert_eq!(loader.load_config("mlflow", &["mlflow*"]).unwrap(), None);

    // A broken file is an error naming it.
    conf.write("local/statsd.yml", "port: [1\n");
    let error = loader
        .load_config("statsd", &["statsd*"])
        .unwrap_err()
        .to_string();
    assert!(error.contains("local/statsd.yml"), "{error}");
}
