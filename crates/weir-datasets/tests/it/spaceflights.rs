//! Kedro's spaceflights configuration, unchanged, over the tutorial's real data.

use std::sync::Arc;

use polars::prelude::*;
use weir_config::{CatalogConfig, ConfigLoader, DatasetRegistry};
use weir_core::Catalog;

use crate::spaceflights;

/// A project folder holding Kedro's `conf/` and the raw data, as `kedro new` lays it out.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let raw = dir.path().join("data/01_raw");
    std::fs::create_dir_all(&raw).unwrap();
    for file in ["companies.csv", "reviews.csv", "shuttles.xlsx"] {
        std::fs::copy(
            spaceflights().join("data/01_raw").join(file),
            raw.join(file),
        )
        .unwrap();
    }
    dir
}

fn build(root: &std::path::Path) -> (CatalogConfig, Catalog, DatasetRegistry) {
    let loader = ConfigLoader::new(spaceflights().join("conf"));
    let node = loader.catalog().unwrap();
    let credentials = loader.credentials().unwrap();
    let mut registry = weir_datasets::registry(Default::default());
    // The example tracks its model, chart and metrics with weir-mlflow (kedro-mlflow's types);
    // here, below that plugin, the wrappers stand for the file datasets they wrap.
    registry.register(
        "kedro_mlflow.io.artifacts.MlflowArtifactDataset",
        |spec, ctx| {
            let inner = spec.take("dataset").unwrap();
            spec.take("artifact_path");
            ctx.build_nested(&spec.name, &inner, spec.loc.as_ref())
        },
    );
    registry.register(
        "kedro_mlflow.io.metrics.MlflowMetricsHistoryDataset",
        |_, _| Ok(Arc::new(weir_core::MemoryDataset::new())),
    );
    let config = CatalogConfig::from_node(&node, credentials)
        .unwrap()
        .project_root(root);
    let catalog = config.build(Arc::new(registry.clone())).unwrap();
    (config, catalog, registry)
}

#[test]
fn raw_data_loads_with_the_shapes_pandas_gives() {
    let dir = project();
    let (_, catalog, _) = build(dir.path());
    let companies = catalog.load_as::<DataFrame>("companies").unwrap();
    assert_eq!(companies.shape(), (10019, 5));
    let reviews = catalog.load_as::<DataFrame>("reviews").unwrap();
    assert_eq!(reviews.shape(), (15531, 10));
    let shuttles = catalog.load_as::<DataFrame>("shuttles").unwrap();
    assert_eq!(shuttles.shape(), (15531, 13));
}

#[test]
fn shuttles_xlsx_has_the_column_types_pandas_infers() {
    let dir = project();
    let (_, catalog, _) = build(dir.path());
    let shuttles = catalog.load_as::<DataFrame>("shuttles").unwrap();
    let types: Vec<(String, String)> = shuttles
        .columns()
        .iter()
        .map(|c| (c.name().to_string(), c.dtype().to_string()))
        .collect();
    // pandas.read_excel(engine="openpyxl") dtypes: int64 where every cell is an integer,
    // float64 where there are decimals or empty cells, object (strings) for text.
    let expected = [
        ("id", "i64"),
        ("shuttle_location", "str"),
        ("shuttle_type", "str"),
        ("engine_type", "str"),
        ("engine_vendor", "str"),
        ("engines", "f64"),
        ("passenger_capacity", "i64"),
        ("cancellation_policy", "str"),
        ("crew", "f64"),
        ("d_check_complete", "str"),
        ("moon_clearance_complete", "str"),
        ("price", "str"),
        ("company_id", "i64"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect();
    assert_eq!(types, expected);
    // The values and missing cells pandas reads (checked with pandas 2.3 + openpyxl).
    assert_eq!(
        shuttles.column("id").unwrap().i64().unwrap().get(0),
        Some(45163)
    );
    assert_eq!(
        shuttles.column("price").unwrap().str().unwrap().get(0),
        Some("$1,715.0")
    );
    assert_eq!(
        shuttles.column("engines").unwrap().f64().unwrap().get(0),
        Some(2.0)
    );
    assert_eq!(shuttles.column("engines").unwrap().null_count(), 6);
    assert_eq!(shuttles.column("crew").unwrap().null_count(), 46);
    assert_eq!(
        shuttles.column("company_id").unwrap().i64().unwrap().get(0),
        Some(32413)
    );
}

#[test]
fn entries_with_no_rust_meaning_are_named_with_their_type() {
    let dir = project();
    let (config, catalog, registry) = build(dir.path());
    let unsupported = config.unsupported_entries(&registry);
    let names: Vec<&str> = unsupported.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "shuttle_passenger_capacity_plot_exp",
            "dummy_confusion_matrix"
        ]
    );
    let error = catalog
        .load("dummy_confusion_matrix")
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("dataset 'dummy_confusion_matrix'"),
        "{error}"
    );
    assert!(error.contains("catalog.yml:"), "{error}");
    assert!(error.contains("matplotlib.MatplotlibDataset"), "{error}");
    // plotly.JSONDataset has a Weir equivalent: the figure's JSON.
    assert_eq!(
        catalog
            .get("shuttle_passenger_capacity_plot_go")
            .unwrap()
            .unwrap()
            .type_name(),
        "json.JSONDataset"
    );
}

#[test]
fn intermediate_parquet_and_versioned_model_are_written_where_kedro_writes_them() {
    let dir = project();
    let (config, catalog, _) = build(dir.path());
    let companies = catalog.load_as::<DataFrame>("companies").unwrap();
    catalog
        .save("preprocessed_companies", companies.clone())
        .unwrap();
    assert!(
        dir.path()
            .join("data/02_intermediate/preprocessed_companies.parquet")
            .is_file()
    );
    assert!(
        catalog
            .load_as::<DataFrame>("preprocessed_companies")
            .unwrap()
            .equals_missing(&companies)
    );
    catalog
        .save("regressor", serde_json::json!({"coefficients": [1.0, 2.0]}))
        .unwrap();
    let version = config.current_save_version();
    assert!(
        dir.path()
            .join(format!(
                "data/06_models/regressor.pickle/{version}/regressor.pickle"
            ))
            .is_file()
    );
}
