//! The hook on pipelines: inputs checked before a node runs, outputs before they are saved,
//! fail or warn, reports written, bad suites refused before anything runs.

use polars::prelude::*;
use serde_json::{Value as Json, json};
use weir::prelude::*;
use weir::{CatalogCreated, ContextCreated, RunError, RunParams};
use weir_validate::{Suite, ValidationHook};

use crate::polars;

fn companies() -> DataFrame {
    df!(
        "id" => [Some(1i64), Some(2), None, Some(4)],
        "rating" => [90.0, 140.0, 80.0, 70.0],
        "iata_approved" => ["t", "f", "maybe", "t"],
    )
    .unwrap()
}

fn keep_approved(companies: DataFrame) -> PolarsResult<DataFrame> {
    let approved = companies
        .column("iata_approved")?
        .as_materialized_series()
        .equal("t")?;
    companies.filter(&approved)
}

const COMPANIES_SUITE_0X: &str = r#"{
  "expectation_suite_name": "companies",
  "data_asset_type": "Dataset",
  "meta": {"great_expectations_version": "0.18.12"},
  "expectations": [
    {"expectation_type": "expect_column_values_to_not_be_null", "kwargs": {"column": "id"}, "meta": {}},
    {"expectation_type": "expect_column_values_to_be_between", "kwargs": {"column": "rating", "min_value": 0, "max_value": 100}, "meta": {}},
    {"expectation_type": "expect_column_values_to_be_in_set", "kwargs": {"column": "iata_approved", "value_set": ["t", "f"]}, "meta": {}},
    {"expectation_type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}, "meta": {}}
  ]
}"#;

struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new(validation_yml: &str, files: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        for env in ["base", "local"] {
            std::fs::create_dir_all(dir.path().join("conf").join(env)).unwrap();
        }
        std::fs::write(dir.path().join("conf/base/validation.yml"), validation_yml).unwrap();
        for (path, text) in files {
            let full = dir.path().join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, text).unwrap();
        }
        Self { dir }
    }

    /// The hook, through the session's two first events.
    fn hook(&self, conf_catalog: Json) -> Result<ValidationHook, String> {
        let hook = ValidationHook::new();
        let loader = ConfigLoader::new(self.dir.path().join("conf"));
        let parameters = json!({});
        hook.after_context_created(
            &ContextCreated::new(self.dir.path(), "local", &parameters).with_config(&loader),
        )
        .map_err(|e| e.to_string())?;
        let catalog = Catalog::new();
        hook.after_catalog_created(&CatalogCreated::new(
            &catalog,
            Some(&conf_catalog),
            &parameters,
            "run-1",
            &[],
        ))
        .map_err(|e| e.to_string())?;
        Ok(hook)
    }

    fn reports(&self) -> Vec<std::path::PathBuf> {
        let folder = self.dir.path().join("data/08_reporting/validation/run-1");
        let mut files: Vec<_> = std::fs::read_dir(folder)
            .map(|entries| entries.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default();
        files.sort();
        files
    }
}

fn pipeline() -> Pipeline {
    Pipeline::new([node(keep_approved)
        .inputs("companies")
        .outputs("approved_companies")
        .name("preprocess_companies_node")])
}

fn run(hook: &ValidationHook, catalog: &Catalog) -> Result<weir::RunResult, RunError> {
    SequentialRunner::new().run(&pipeline(), catalog, hook, &RunParams::with_run_id("run-1"))
}

fn catalog_with(frame: DataFrame) -> Catalog {
    let mut catalog = Catalog::new();
    catalog.add_value("companies", frame);
    catalog
}

#[test]
fn a_bad_input_fails_its_node_naming_the_dataset_the_expectations_and_bad_values() {
    let project = Project::new(
        "datasets:\n  companies:\n    suite: conf/base/expectations/companies.json\n    when: inputs\n",
        &[("conf/base/expectations/companies.json", COMPANIES_SUITE_0X)],
    );
    let hook = project.hook(json!({})).unwrap();
    let error = run(&hook, &catalog_with(companies())).unwrap_err();
    assert_eq!(error.failed_node(), Some("preprocess_companies_node"));
    let text = format!(
        "{error:#}\n{}",
        std::error::Error::source(&error)
            .map(|e| e.to_string())
            .unwrap_or_default()
    );
    for expected in [
        "validation of dataset 'companies' (input of node preprocess_companies_node) failed: 3 of 4 expectations",
        "expect_column_values_to_not_be_null(id): 1 unexpected of 4 (25.00%), e.g. null",
        "expect_column_values_to_be_between(rating): 1 unexpected of 4 (25.00%), e.g. 140.0",
        "expect_column_values_to_be_in_set(iata_approved): 1 unexpected of 4 (25.00%), e.g. \"maybe\"",
    ] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
    // GE's result document.
    let reports = project.reports();
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert!(reports[0].ends_with("preprocess_companies_node.input.companies.json"));
    let report: Json =
        serde_json::from_str(&std::fs::read_to_string(&reports[0]).unwrap()).unwrap();
    assert_eq!(report["success"], false);
    assert_eq!(report["statistics"]["evaluated_expectations"], 4);
    assert_eq!(report["statistics"]["unsuccessful_expectations"], 3);
    assert_eq!(
        report["results"][2]["result"]["partial_unexpected_list"],
        json!(["maybe"])
    );
    assert_eq!(
        report["results"][2]["expectation_config"]["type"],
        "expect_column_values_to_be_in_set"
    );
    assert_eq!(report["meta"]["dataset"], "companies");
    assert_eq!(hook.checked().len(), 1);
}

#[test]
fn warn_mode_runs_on_and_writes_the_report() {
    let project = Project::new(
        "on_failure: warn\ndatasets:\n  companies:\n    suite: conf/base/expectations/companies.json\n",
        &[("conf/base/expectations/companies.json", COMPANIES_SUITE_0X)],
    );
    let hook = project.hook(json!({})).unwrap();
    let result = run(&hook, &catalog_with(companies())).unwrap();
    assert!(
        result
            .output_names
            .contains(&"approved_companies".to_owned())
    );
    let checked = hook.checked();
    assert_eq!(checked.len(), 1);
    assert!(!checked[0].success);
    assert_eq!((checked[0].evaluated, checked[0].failed), (4, 3));
    assert!(checked[0].report.is_file());

    // Clean data passes.
    let clean =
        df!("id" => [1i64, 2], "rating" => [1.0, 2.0], "iata_approved" => ["t", "f"]).unwrap();
    run(&hook, &catalog_with(clean)).unwrap();
    assert!(hook.checked()[0].success);
}

#[test]
fn outputs_are_checked_before_they_are_saved_from_catalog_metadata() {
    let project = Project::new("{}\n", &[]);
    let saved = project.dir.path().join("approved.parquet");
    // The kedro-pandera pattern: expectations in the catalog entry's metadata (GE 1.x and
    // shorthand items).
    let conf_catalog = json!({
        "approved_companies": {
            "type": "polars.ParquetDataset",
            "filepath": saved.display().to_string(),
            "metadata": {"validation": {"when": "outputs", "expectations": [
                {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 3}},
                {"expect_column_values_to_be_unique": {"column": "id"}}
            ]}}
        }
    });
    let hook = project.hook(conf_catalog).unwrap();
    let mut catalog = catalog_with(companies());
    catalog.add(
        "approved_companies",
        weir::datasets::FrameDataset::new(
            weir::datasets::Target::plain(&saved),
            weir::datasets::FrameFormat::Parquet,
        ),
    );
    let error = run(&hook, &catalog).unwrap_err();
    let text = format!(
        "{error:#} {}",
        std::error::Error::source(&error)
            .map(|e| e.to_string())
            .unwrap_or_default()
    );
    assert!(
        text.contains("'approved_companies' (output of node preprocess_companies_node)"),
        "{text}"
    );
    assert!(
        text.contains("expect_table_row_count_to_be_between: observed 2"),
        "{text}"
    );
    assert!(!saved.exists(), "a failed output is not saved");
}

#[test]
fn bad_suites_are_refused_before_any_node_runs() {
    let typo = r#"{"name": "companies", "expectations": [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "id"}},
        {"type": "expect_column_values_to_be_betwen", "kwargs": {"column": "rating"}}
    ]}"#;
    let project = Project::new(
        "datasets:\n  companies:\n    suite: suites/companies.json\n",
        &[("suites/companies.json", typo)],
    );
    let error = project.hook(json!({})).unwrap_err();
    assert!(error.contains("suites/companies.json"), "{error}");
    assert!(
        error.contains("expectation 2 (`expect_column_values_to_be_betwen`)"),
        "{error}"
    );
    assert!(
        error.contains("Did you mean expect_column_values_to_be_between?"),
        "{error}"
    );

    let project = Project::new(
        "datasets:\n  companies:\n    suite: suites/companies.json\n",
        &[(
            "suites/companies.json",
            "{\"expectations\": [\n  {\"type\": }\n]}",
        )],
    );
    let error = project.hook(json!({})).unwrap_err();
    assert!(error.contains("not valid JSON (line 2"), "{error}");

    let project = Project::new(
        "datasets:\n  companies:\n    expectations:\n      - expect_column_values_to_be_between: {column: rating}\n",
        &[],
    );
    let error = project.hook(json!({})).unwrap_err();
    assert!(
        error.contains("`min_value` and `max_value` cannot both be null"),
        "{error}"
    );

    let project = Project::new("datasets:\n  companies:\n    sute: x.json\n", &[]);
    let error = project.hook(json!({})).unwrap_err();
    assert!(
        error.contains("validation.yml:3:") && error.contains("unknown field `sute`"),
        "{error}"
    );
}

#[test]
fn both_ge_dialects_read_the_same() {
    let v0: Json = serde_json::from_str(COMPANIES_SUITE_0X).unwrap();
    let v1 = json!({
        "name": "companies",
        "id": "6c2f7d7e",
        "expectations": v0["expectations"].as_array().unwrap().iter().map(|e| json!({
            "type": e["expectation_type"], "kwargs": e["kwargs"], "meta": {}, "id": "x"
        })).collect::<Vec<_>>(),
        "meta": {"great_expectations_version": "1.3.0"},
        "notes": null
    });
    let (a, b) = (
        Suite::from_json(&v0, "v0").unwrap(),
        Suite::from_json(&v1, "v1").unwrap(),
    );
    assert_eq!(a.name, b.name);
    let frame = companies();
    let (ra, rb) = (a.validate(&frame), b.validate(&frame));
    assert_eq!(ra.failure_lines(), rb.failure_lines());
    assert_eq!(ra.failure_lines().len(), 3);
}

#[test]
fn a_lazy_query_is_refused_with_where_to_validate_instead() {
    let project = Project::new(
        "datasets:\n  companies:\n    suite: conf/base/expectations/companies.json\n    when: inputs\n",
        &[("conf/base/expectations/companies.json", COMPANIES_SUITE_0X)],
    );
    let hook = project.hook(json!({})).unwrap();
    let mut catalog = Catalog::new();
    catalog.add_value("companies", companies().lazy());
    let pipeline = Pipeline::new([node(|companies: LazyFrame| companies)
        .inputs("companies")
        .outputs("kept")
        .name("keep")]);
    let error = SequentialRunner::new()
        .run(&pipeline, &catalog, &hook, &RunParams::with_run_id("run-1"))
        .unwrap_err();
    let text = format!(
        "{error:#}\n{}",
        std::error::Error::source(&error)
            .map(|e| e.to_string())
            .unwrap_or_default()
    );
    assert!(text.contains("dataset 'companies'"), "{text}");
    assert!(text.contains("LazyFrame is a query not yet run"), "{text}");
    assert!(text.contains("@eager"), "{text}");
    assert!(project.reports().is_empty());
}
