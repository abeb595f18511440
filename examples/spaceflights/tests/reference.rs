//! The tutorial's numbers, against Kedro's (`kedro-reference.json`).
#![allow(clippy::unwrap_used, missing_docs)]

use std::path::Path;
use std::sync::Arc;

use spaceflights::pipelines::data_processing::nodes as processing;
use spaceflights::pipelines::data_science::nodes as science;
use weir::polars::prelude::*;
use weir::prelude::*;

fn project() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn reference() -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(project().join("kedro-reference.json")).unwrap())
        .unwrap()
}

fn raw_catalog(root: &Path) -> Catalog {
    let loader = ConfigLoader::new(project().join("conf"));
    let mut registry = weir::datasets::registry(SerdeTypes::new());
    // The catalog's MLflow entries (the regressor, the metrics).
    weir_mlflow::MlflowHook::new().dataset_types()(&mut registry);
    let mut catalog =
        CatalogConfig::from_node(&loader.catalog().unwrap(), loader.credentials().unwrap())
            .unwrap()
            .project_root(root)
            .build(Arc::new(registry))
            .unwrap();
    catalog.add_parameters(loader.parameters().unwrap());
    catalog
}

fn close(actual: f64, expected: f64, what: &str) {
    let relative = ((actual - expected) / expected).abs();
    assert!(
        relative <= 1e-6,
        "{what}: {actual} vs Kedro's {expected} (relative {relative:e})"
    );
}

#[test]
fn model_input_table_and_split_match_kedro() {
    let reference = reference();
    let catalog = raw_catalog(project());
    let companies =
        processing::preprocess_companies(catalog.load_as("companies").unwrap()).unwrap();
    let shuttles = processing::preprocess_shuttles(catalog.load_as("shuttles").unwrap()).unwrap();
    let reviews: DataFrame = catalog.load_as("reviews").unwrap();
    assert_eq!(companies.shape(), (10019, 5));
    assert_eq!(shuttles.shape(), (15531, 13));

    let table =
        processing::create_model_input_table(shuttles.clone(), companies.clone(), reviews.clone())
            .unwrap();
    assert_eq!(table.shape(), (6027, 27));
    // Dropping incomplete rows before the joins gives Kedro's order of operations' table, row
    // for row: the joins first, then `dropna`.
    let joined_then_dropped =
        processing::join_tables(shuttles.clone(), companies.clone(), reviews.clone())
            .unwrap()
            .lazy()
            .drop_nulls(None)
            .collect()
            .unwrap();
    assert!(
        table.equals_missing(&joined_then_dropped),
        "the prefiltered table differs from the joined-then-dropped one"
    );
    let columns: Vec<String> = table
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let expected: Vec<String> =
        serde_json::from_value(reference["model_input_table_columns"].clone()).unwrap();
    assert_eq!(columns, expected);
    for (column, sum) in reference["model_input_table_numeric_sums"]
        .as_object()
        .unwrap()
    {
        let actual = table
            .column(column)
            .unwrap()
            .cast(&DataType::Float64)
            .unwrap();
        let actual = actual.f64().unwrap().sum().unwrap();
        close(actual, sum.as_f64().unwrap(), column);
    }

    // The labels pandas gives the first test rows are positions in the table before `dropna`.
    let labelled = processing::join_tables(shuttles, companies, reviews)
        .unwrap()
        .lazy()
        .with_row_index("label", None)
        .drop_nulls(None)
        .collect()
        .unwrap();
    let (train, test) = spaceflights::learn::train_test_split(labelled.height(), 0.2, 3);
    assert_eq!((train.len(), test.len()), (4821, 1206));
    let labels = labelled.column("label").unwrap().idx().unwrap();
    let first: Vec<u64> = test[..10]
        .iter()
        .map(|&row| u64::from(labels.get(row).unwrap()))
        .collect();
    let expected: Vec<u64> =
        serde_json::from_value(reference["test_index_first10"].clone()).unwrap();
    assert_eq!(first, expected);
}

#[test]
fn regression_and_metrics_match_kedro() {
    let reference = reference();
    let catalog = raw_catalog(project());
    let table = processing::create_model_input_table(
        processing::preprocess_shuttles(catalog.load_as("shuttles").unwrap()).unwrap(),
        processing::preprocess_companies(catalog.load_as("companies").unwrap()).unwrap(),
        catalog.load_as("reviews").unwrap(),
    )
    .unwrap();
    let options: Param<science::ModelOptions> = Param(
        serde_json::from_value(
            catalog
                .load_as::<serde_json::Value>("params:model_options")
                .unwrap(),
        )
        .unwrap(),
    );
    let (x_train, x_test, y_train, y_test) = science::split_data(table, options).unwrap();
    let model = science::train_model(x_train, y_train).unwrap();
    for (feature, coefficient) in model.features.iter().zip(&model.coefficients) {
        let expected = reference["coefficients"][feature].as_f64().unwrap();
        if expected.abs() < 1e-9 {
            assert!(coefficient.abs() < 1e-9, "{feature}: {coefficient}");
        } else {
            close(*coefficient, expected, feature);
        }
    }
    close(
        model.intercept,
        reference["intercept"].as_f64().unwrap(),
        "intercept",
    );
    let metrics = science::evaluate_model(model, x_test, y_test).unwrap();
    for metric in ["r2_score", "mae", "max_error"] {
        close(metrics[metric], reference[metric].as_f64().unwrap(), metric);
    }
}
