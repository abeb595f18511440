//! Spaceflights validated by weir-validate with Great Expectations suites
//! (`conf/base/validation.yml`, `conf/base/expectations/*.json`): clean data passes, corrupted
//! raw files stop the run at the node that reads them, `on_failure: warn` reports and goes on.

use std::path::{Path, PathBuf};

use crate::common::{Project, code, stderr, stdout};
use serde_json::Value as Json;

/// The result documents of the run, by file name.
fn reports(root: &Path) -> Vec<(String, Json)> {
    let folder = root.join("data/08_reporting/validation");
    let mut out = Vec::new();
    for run in std::fs::read_dir(&folder).unwrap() {
        for file in std::fs::read_dir(run.unwrap().path()).unwrap() {
            let path: PathBuf = file.unwrap().path();
            let json = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            out.push((
                path.file_name().unwrap().to_string_lossy().into_owned(),
                json,
            ));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Rewrites a raw CSV file line by line.
fn corrupt(root: &Path, file: &str, edit: impl Fn(usize, &str) -> String) {
    let path = root.join("data/01_raw").join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, line)| edit(i, line))
        .collect();
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

fn run(project: &Project) -> std::process::Output {
    project
        .command(&["run"])
        // No MLflow server: tracking warns and goes on (see tests/it/mlflow.rs).
        .env("MLFLOW_TRACKING_URI", "http://127.0.0.1:9")
        .output()
        .unwrap()
}

#[test]
fn clean_data_passes_every_suite() {
    let project = Project::new();
    let output = run(&project);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("Validation: 4 checks, 4 passed, 0 failed"),
        "{}",
        stderr(&output)
    );
    // The run summary has the hook's lines too.
    assert!(
        stdout(&output).contains("weir.validate:\n  4 checks, 4 passed, 0 failed\n"),
        "{}",
        stdout(&output)
    );
    let reports = reports(project.root());
    let names: Vec<&str> = reports.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "create_model_input_table_node.input.reviews.json",
            "create_model_input_table_node.output.model_input_table.json",
            "preprocess_companies_node.input.companies.json",
            "preprocess_shuttles_node.input.shuttles.json",
        ]
    );
    for (name, report) in &reports {
        assert_eq!(report["success"], true, "{name}");
        assert_eq!(
            report["statistics"]["unsuccessful_expectations"], 0,
            "{name}"
        );
    }
    let companies = &reports[2].1;
    assert_eq!(companies["statistics"]["evaluated_expectations"], 8);
    assert_eq!(companies["suite_name"], "companies");
    // review_scores_rating: 4357 of 15531 missing, left out of the range check as GE does.
    let reviews = &reports[0].1;
    let rating = &reviews["results"][3]["result"];
    assert_eq!(rating["element_count"], 15531);
    assert_eq!(rating["missing_count"], 4357);
    assert_eq!(rating["unexpected_count"], 0);
}

#[test]
fn corrupted_raw_files_stop_the_run_at_the_node_that_reads_them() {
    // companies.csv: a missing id, a rating of 140 %, an unknown iata_approved value.
    let project = Project::new();
    corrupt(project.root(), "companies.csv", |i, line| {
        let mut fields: Vec<String> = line.split(',').map(str::to_owned).collect();
        match i {
            1 => fields[0].clear(),
            2 => fields[1] = "140%".to_owned(),
            3 => *fields.last_mut().unwrap() = "maybe".to_owned(),
            _ => {}
        }
        fields.join(",")
    });
    let output = run(&project);
    assert_eq!(code(&output), 1, "{}", stdout(&output));
    let text = stderr(&output);
    for expected in [
        "node 'preprocess_companies_node' failed",
        "validation of dataset 'companies' (input of node preprocess_companies_node) failed: 3 of 8 expectations of suite companies",
        "expect_column_values_to_not_be_null(id): 1 unexpected of 10019 (0.01%), e.g. null",
        "expect_column_values_to_match_regex(company_rating): 1 unexpected of 10019 (0.02%), e.g. \"140%\"",
        "expect_column_values_to_be_in_set(iata_approved): 1 unexpected of 10019 (0.01%), e.g. \"maybe\"",
    ] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
    // Nothing downstream ran.
    assert!(
        !project
            .root()
            .join("data/02_intermediate/preprocessed_companies.parquet")
            .exists()
    );

    // reviews.csv: an out-of-range rating stops the node that reads reviews.
    let project = Project::new();
    corrupt(project.root(), "reviews.csv", |i, line| {
        if i == 5 {
            let mut fields: Vec<String> = line.split(',').map(str::to_owned).collect();
            fields[1] = "140.0".to_owned();
            fields.join(",")
        } else {
            line.to_owned()
        }
    });
    let output = run(&project);
    assert_eq!(code(&output), 1);
    let text = stderr(&output);
    assert!(
        text.contains("node 'create_model_input_table_node' failed"),
        "{text}"
    );
    assert!(
        text.contains("expect_column_values_to_be_between(review_scores_rating): 1 unexpected"),
        "{text}"
    );
    assert!(text.contains("e.g. 140.0"), "{text}");
}

#[test]
fn warn_mode_reports_and_runs_on() {
    let project = Project::new();
    corrupt(project.root(), "companies.csv", |i, line| {
        if i == 3 {
            line.replacen(",t", ",maybe", 1).replacen(",f", ",maybe", 1)
        } else {
            line.to_owned()
        }
    });
    std::fs::write(
        project.root().join("conf/local/validation.yml"),
        "on_failure: warn\n",
    )
    .unwrap();
    let output = run(&project);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let text = stderr(&output);
    assert!(
        text.contains("Validation: 4 checks, 3 passed, 1 failed"),
        "{text}"
    );
    assert!(
        text.contains("companies (input of preprocess_companies_node): 1 of 8 expectations failed"),
        "{text}"
    );
    assert!(stdout(&output).contains("r2_score"));
    let report = reports(project.root())
        .into_iter()
        .find(|(n, _)| n.ends_with("input.companies.json"))
        .unwrap()
        .1;
    assert_eq!(report["success"], false);
    let failed: Vec<&Json> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["success"] == false)
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(
        failed[0]["expectation_config"]["kwargs"]["column"],
        "iata_approved"
    );
    assert_eq!(
        failed[0]["result"]["partial_unexpected_list"],
        serde_json::json!(["maybe"])
    );
}
