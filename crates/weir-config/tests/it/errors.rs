//! Snapshot tests of the error messages for bad input: each names the file, line and key.

use std::sync::Arc;

use weir_config::{
    CatalogConfig, ConfigLoader, Credentials, DatasetRegistry, parse_runtime_params,
};

use crate::Conf;

fn catalog_error(conf: &Conf) -> String {
    let loader = ConfigLoader::new(conf.path());
    let result = loader.catalog().and_then(|node| {
        let credentials = loader.credentials()?;
        CatalogConfig::from_node(&node, credentials)?.build(Arc::new(DatasetRegistry::new()))
    });
    match result {
        Ok(_) => panic!("expected an error"),
        Err(error) => conf.clean(error),
    }
}

#[test]
fn malformed_yaml() {
    let conf = Conf::new(&[(
        "base/catalog.yml",
        "cars:\n  type: MemoryDataset\n  load_args: {sep: ','\nboats: 1\n",
    )]);
    insta::assert_snapshot!(catalog_error(&conf));
}

#[test]
fn tab_indentation() {
    let conf = Conf::new(&[("base/parameters.yml", "model:\n\talpha: 1\n")]);
    insta::assert_snapshot!(conf.clean(ConfigLoader::new(conf.path()).parameters().unwrap_err()));
}

#[test]
fn duplicate_key_in_one_file() {
    let conf = Conf::new(&[(
        "base/catalog.yml",
        "cars:\n  type: MemoryDataset\ncars:\n  type: MemoryDataset\n",
    )]);
    insta::assert_snapshot!(catalog_error(&conf));
}

#[test]
fn unknown_dataset_type_suggests_the_nearest() {
    let conf = Conf::new(&[("base/catalog.yml", "cars:\n  type: MemroyDataset\n")]);
    let loader = ConfigLoader::new(conf.path());
    let node = loader.catalog().unwrap();
    let error = CatalogConfig::from_node(&node, Credentials::default())
        .unwrap()
        .build(Arc::new(DatasetRegistry::new()))
        .unwrap_err();
    let report = format!(
        "{}\nhelp: {}",
        conf.clean(&error),
        miette::Diagnostic::help(&error)
            .map(|h| h.to_string())
            .unwrap_or_default()
    );
    insta::assert_snapshot!(report);
}

#[test]
fn missing_credentials_entry() {
    let conf = Conf::new(&[
        (
            "base/catalog.yml",
            "db:\n  type: MemoryDataset\n  credentials: warehouse\n",
        ),
        ("local/credentials.yml", "other:\n  token: abc123\n"),
    ]);
    let message = catalog_error(&conf);
    assert!(!message.contains("abc123"));
    insta::assert_snapshot!(message);
}

#[test]
fn missing_type() {
    let conf = Conf::new(&[(
        "base/catalog.yml",
        "\n\ncars:\n  filepath: data/01_raw/cars.csv\n",
    )]);
    insta::assert_snapshot!(catalog_error(&conf));
}

#[test]
fn entry_that_is_not_a_mapping() {
    let conf = Conf::new(&[("base/catalog.yml", "cars: data/01_raw/cars.csv\n")]);
    insta::assert_snapshot!(catalog_error(&conf));
}

#[test]
fn missing_interpolation_key() {
    let conf = Conf::new(&[("base/parameters.yml", "model:\n  alpha: ${model.beta}\n")]);
    insta::assert_snapshot!(conf.clean(ConfigLoader::new(conf.path()).parameters().unwrap_err()));
}

#[test]
fn missing_globals_key() {
    let conf = Conf::new(&[
        ("base/globals.yml", "folders: {raw: 01_raw}\n"),
        (
            "base/catalog.yml",
            "cars:\n  type: MemoryDataset\n  metadata: {folder: '${globals:folders.primary}'}\n",
        ),
    ]);
    insta::assert_snapshot!(catalog_error(&conf));
}

#[test]
fn missing_runtime_parameter() {
    let conf = Conf::new(&[("base/parameters.yml", "seed: ${runtime_params:seed}\n")]);
    insta::assert_snapshot!(conf.clean(ConfigLoader::new(conf.path()).parameters().unwrap_err()));
}

#[test]
fn environment_variable_outside_credentials() {
    let conf = Conf::new(&[(
        "base/catalog.yml",
        "cars:\n  type: MemoryDataset\n  metadata: {user: '${oc.env:USER}'}\n",
    )]);
    insta::assert_snapshot!(catalog_error(&conf));
}

#[test]
fn interpolation_cycle() {
    let conf = Conf::new(&[("base/parameters.yml", "a: ${b}\nb: ${a}\n")]);
    insta::assert_snapshot!(conf.clean(ConfigLoader::new(conf.path()).parameters().unwrap_err()));
}

#[test]
fn missing_environment() {
    let conf = Conf::new(&[("base/catalog.yml", "a: {type: MemoryDataset}\n")]);
    let error = ConfigLoader::new(conf.path())
        .env(Some("prod"))
        .catalog()
        .unwrap_err();
    insta::assert_snapshot!(conf.clean(error));
}

#[test]
fn no_catalog_files() {
    let conf = Conf::new(&[("base/parameters.yml", "a: 1\n")]);
    insta::assert_snapshot!(conf.clean(ConfigLoader::new(conf.path()).catalog().unwrap_err()));
}

#[test]
fn pattern_placeholder_not_in_name() {
    let conf = Conf::new(&[(
        "base/catalog.yml",
        "'{name}_csv':\n  type: MemoryDataset\n  metadata: {owner: '{team}'}\n",
    )]);
    insta::assert_snapshot!(catalog_error(&conf));
}

#[test]
fn two_catch_all_patterns() {
    let conf = Conf::new(&[(
        "base/catalog.yml",
        "'{default}':\n  type: MemoryDataset\n'{other}':\n  type: MemoryDataset\n",
    )]);
    insta::assert_snapshot!(catalog_error(&conf));
}

#[test]
fn bad_runtime_params() {
    insta::assert_snapshot!(
        parse_runtime_params("model.alpha=0.1,seed")
            .unwrap_err()
            .to_string()
    );
}

#[test]
fn top_level_list() {
    let conf = Conf::new(&[("base/parameters.yml", "- a\n- b\n")]);
    insta::assert_snapshot!(conf.clean(ConfigLoader::new(conf.path()).parameters().unwrap_err()));
}

#[test]
fn indentation_mistakes_name_the_lines_to_look_at() {
    let error = |text: &str| {
        let conf = Conf::new(&[("base/parameters.yml", text)]);
        conf.clean(ConfigLoader::new(conf.path()).parameters().unwrap_err())
    };
    // `random_state` was meant inside `model_options`: the parser stops at the next line.
    assert_eq!(
        error("model_options:\n  test_size: 0.2\nrandom_state: 3\n  features: [a]\n"),
        "Invalid YAML or JSON file <conf>/base/parameters.yml, unable to read line 4, position 11: mapping values are not allowed in this context; line 4 is indented more than line 3 above it (`random_state: 3`), which has its value already: one of the two lines is indented wrongly"
    );
    assert_eq!(
        error("model_options:\n  test_size: 0.2\n   random_state: 3\n"),
        "Invalid YAML or JSON file <conf>/base/parameters.yml, unable to read line 3, position 16: mapping values are not allowed in this context; line 3 is indented more than line 2 above it (`test_size: 0.2`), which has its value already: one of the two lines is indented wrongly"
    );
    assert_eq!(
        error("model_options:\n  test_size: 0.2\n random_state: 3\n"),
        "Invalid YAML or JSON file <conf>/base/parameters.yml, unable to read line 3, position 2: while parsing a block mapping, did not find expected key; line 3 (`random_state: 3`) is indented less than line 2 above it but matches no block it could close: check its indentation (spaces only)"
    );
}
