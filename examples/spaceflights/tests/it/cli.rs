//! The spaceflights binary driven as a user drives it: every `run` flag, the catalog, registry
//! and runs commands, exit codes, and resuming a failed run with the printed command.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::{Project, code, completed, stderr, stdout};

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// A metric printed in the summary's outputs.
fn metric(output: &Output, name: &str) -> f64 {
    stdout(output)
        .lines()
        .find_map(|line| {
            let mut words = line.split_whitespace();
            (words.next() == Some(name)).then(|| words.next().unwrap().parse::<f64>().unwrap())
        })
        .unwrap_or_else(|| panic!("no metric {name} in:\n{}", stdout(output)))
}

fn reference() -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("kedro-reference.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

const PROCESSING: [&str; 3] = [
    "preprocess_companies_node",
    "preprocess_shuttles_node",
    "create_model_input_table_node",
];
const SCIENCE: [&str; 3] = ["split_data_node", "train_model_node", "evaluate_model_node"];
const REPORTING: [&str; 3] = [
    "compare_passenger_capacity_node",
    "passenger_capacity_chart_node",
    "passenger_capacity_image_node",
];

fn versioned_file(root: &Path, path: &str) -> PathBuf {
    let folder = root.join(path);
    let version = std::fs::read_dir(&folder)
        .unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
        .next()
        .unwrap()
        .unwrap();
    version.path().join(folder.file_name().unwrap())
}

#[test]
fn a_full_run_reproduces_kedros_metrics_and_writes_every_output() {
    let project = Project::new();
    let output = project.run(&["run"]);
    assert_eq!(code(&output), 0, "{}\n{}", stdout(&output), stderr(&output));
    let all: Vec<&str> = PROCESSING
        .iter()
        .chain(&SCIENCE)
        .chain(&REPORTING)
        .copied()
        .collect();
    assert_eq!(completed(&output), set(&all));
    let reference = reference();
    for name in ["r2_score", "mae", "max_error"] {
        let expected = reference[name].as_f64().unwrap();
        let actual = metric(&output, name);
        assert!(
            ((actual - expected) / expected).abs() < 1e-6,
            "{name}: {actual} vs {expected}"
        );
    }
    let text = stdout(&output);
    assert!(
        text.contains("model_input_table") && text.contains("6027 rows x 27 columns"),
        "{text}"
    );
    assert!(text.contains("slowest:"), "{text}");
    let root = project.root();
    assert!(
        root.join("data/03_primary/model_input_table.parquet")
            .is_file()
    );
    assert!(versioned_file(root, "data/06_models/regressor.pickle").is_file());
    let svg = std::fs::read_to_string(versioned_file(
        root,
        "data/08_reporting/shuttle_passenger_capacity_plot.svg",
    ))
    .unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("Shuttle Passenger capacity"));
    let chart: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(versioned_file(
            root,
            "data/08_reporting/shuttle_passenger_capacity_plot_go.json",
        ))
        .unwrap(),
    )
    .unwrap();
    assert_eq!(chart["data"][0]["type"], "bar");
    assert_eq!(
        chart["data"][0]["x"].as_array().unwrap().len(),
        chart["data"][0]["y"].as_array().unwrap().len()
    );
    // Without a terminal, progress is plain log lines on stderr.
    assert!(
        stderr(&output).contains("Completed 9 out of 9 tasks"),
        "{}",
        stderr(&output)
    );

    // The run is in the history, with its nodes and saved datasets.
    let list = project.run(&["runs", "list"]);
    assert_eq!(code(&list), 0);
    assert!(stdout(&list).contains("succeeded"), "{}", stdout(&list));
    let show = project.run(&["runs", "show", "last"]);
    let shown = stdout(&show);
    assert!(shown.contains("status:     succeeded"), "{shown}");
    assert!(shown.contains("evaluate_model_node"), "{shown}");
    assert!(
        shown.contains("model_input_table") && shown.contains("6027 rows x 27 columns"),
        "{shown}"
    );
    assert!(shown.contains("\"model_options\""), "{shown}");
    assert_eq!(code(&project.run(&["runs", "show", "no-such-run"])), 2);

    // Everything saved exists: --only-missing-outputs skips data processing.
    let again = project.run(&["run", "--only-missing-outputs"]);
    assert_eq!(code(&again), 0, "{}", stderr(&again));
    let ran = completed(&again);
    assert!(
        PROCESSING.iter().all(|node| !ran.contains(*node)),
        "{ran:?}"
    );

    // --from-inputs: what is downstream of the persisted model input table.
    let downstream = project.run(&["run", "--from-inputs", "model_input_table"]);
    assert_eq!(code(&downstream), 0, "{}", stderr(&downstream));
    assert_eq!(completed(&downstream), set(&SCIENCE));

    // --load-versions: evaluate with the regressor of an earlier run.
    let first_version = std::fs::read_dir(root.join("data/06_models/regressor.pickle"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .min()
        .unwrap();
    let loaded = project.run(&[
        "run",
        "--pipelines",
        "data_science",
        "--load-versions",
        &format!("regressor:{first_version}"),
    ]);
    assert_eq!(code(&loaded), 0, "{}", stderr(&loaded));
    assert!((metric(&loaded, "mae") - reference["mae"].as_f64().unwrap()).abs() < 1e-6);
}

#[test]
fn pipeline_and_node_selection_follow_kedro() {
    let project = Project::new();
    let cases: Vec<(Vec<&str>, Vec<&str>)> = vec![
        (vec!["--pipelines", "data_processing"], PROCESSING.to_vec()),
        (vec!["--pipeline", "data_processing"], PROCESSING.to_vec()),
        (
            vec!["--to-outputs", "preprocessed_shuttles"],
            vec!["preprocess_shuttles_node"],
        ),
        (
            vec!["--tags", "preprocessing"],
            vec!["preprocess_companies_node", "preprocess_shuttles_node"],
        ),
        (
            vec![
                "--nodes",
                "preprocess_companies_node,preprocess_shuttles_node",
            ],
            vec!["preprocess_companies_node", "preprocess_shuttles_node"],
        ),
        (
            vec![
                "--pipelines",
                "data_processing,reporting",
                "--to-nodes",
                "compare_passenger_capacity_node",
            ],
            vec![
                "preprocess_shuttles_node",
                "compare_passenger_capacity_node",
            ],
        ),
        (
            vec![
                "--pipelines",
                "reporting",
                "--from-inputs",
                "preprocessed_shuttles",
            ],
            REPORTING.to_vec(),
        ),
        // Several filters select the nodes every one of them selects, as in Kedro.
        (
            vec![
                "--tags",
                "preprocessing",
                "--to-outputs",
                "preprocessed_shuttles",
            ],
            vec!["preprocess_shuttles_node"],
        ),
        (
            vec![
                "--pipelines",
                "data_processing,data_science",
                "--from-nodes",
                "create_model_input_table_node",
                "--to-nodes",
                "split_data_node",
            ],
            vec!["create_model_input_table_node", "split_data_node"],
        ),
    ];
    for (args, expected) in cases {
        let mut full = vec!["run"];
        full.extend(&args);
        let output = project.run(&full);
        assert_eq!(code(&output), 0, "{args:?}\n{}", stderr(&output));
        assert_eq!(completed(&output), set(&expected), "{args:?}");
    }
}

#[test]
fn runners_give_the_same_answers() {
    let project = Project::new();
    let sequential = project.run(&["run", "--async"]);
    let parallel = project.run(&["run", "--runner", "parallel", "--workers", "2"]);
    assert_eq!(code(&sequential), 0, "{}", stderr(&sequential));
    assert_eq!(code(&parallel), 0, "{}", stderr(&parallel));
    assert_eq!(completed(&parallel).len(), 9);
    for name in ["r2_score", "mae", "max_error"] {
        assert_eq!(metric(&sequential, name), metric(&parallel, name));
    }
    // Runtime parameters change the split, so the metrics.
    let other = project.run(&[
        "run",
        "--pipelines",
        "data_processing,data_science",
        "--params",
        "model_options.test_size=0.3",
    ]);
    assert_eq!(code(&other), 0, "{}", stderr(&other));
    assert_ne!(metric(&other, "mae"), metric(&sequential, "mae"));
}

#[test]
fn conf_source_and_env_choose_the_configuration() {
    let project = Project::new();
    // The configuration elsewhere, with a `prod` environment that changes a parameter.
    let elsewhere = project.root().join("settings/conf");
    std::fs::create_dir_all(elsewhere.parent().unwrap()).unwrap();
    std::fs::rename(project.root().join("conf"), &elsewhere).unwrap();
    std::fs::create_dir_all(elsewhere.join("prod")).unwrap();
    std::fs::write(
        elsewhere.join("prod/parameters.yml"),
        "model_options:\n  test_size: 0.3\n  random_state: 3\n  features: [engines, passenger_capacity, crew, d_check_complete, moon_clearance_complete, iata_approved, company_rating, review_scores_rating]\n",
    )
    .unwrap();
    let base = project.run(&[
        "run",
        "--conf-source",
        "settings/conf",
        "--pipelines",
        "data_processing,data_science",
    ]);
    assert_eq!(code(&base), 0, "{}", stderr(&base));
    let reference = reference();
    assert!((metric(&base, "mae") - reference["mae"].as_f64().unwrap()).abs() < 1e-6);
    let prod = project.run(&[
        "run",
        "--conf-source",
        "settings/conf",
        "--env",
        "prod",
        "--pipelines",
        "data_science",
    ]);
    assert_eq!(code(&prod), 0, "{}", stderr(&prod));
    assert!(stdout(&prod).contains("(env prod)"), "{}", stdout(&prod));
    assert_ne!(metric(&prod, "mae"), metric(&base, "mae"));
    // `WEIR_ENV` is the environment when `--env` is not given.
    let from_env = project
        .command(&[
            "run",
            "--conf-source",
            "settings/conf",
            "--pipelines",
            "data_science",
        ])
        .env("WEIR_ENV", "prod")
        .output()
        .unwrap();
    assert_eq!(metric(&from_env, "mae"), metric(&prod, "mae"));
}

#[test]
fn usage_and_configuration_errors_exit_with_2_and_say_what_to_fix() {
    let project = Project::new();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["run", "--pipelines", "data_sciense"],
            "help: did you mean one of these instead? data_science",
        ),
        (vec!["run", "--env", "prod"], "prod"),
        (vec!["run", "--nodes", "nope_node"], "nope_node"),
        (
            vec!["run", "--namespaces", "active_modelling"],
            "active_modelling",
        ),
        (
            vec!["run", "--params", "model_options.test_size"],
            "model_options.test_size",
        ),
        (
            vec!["run", "--load-versions", "nope:2020-01-01T00.00.00.000Z"],
            "'load_versions' keys [nope] are not found in the catalog.",
        ),
        (vec!["run", "--load-versions", "regressor"], "regressor"),
        (
            vec!["run", "--pipeline", "a", "--pipelines", "b"],
            "cannot be used with",
        ),
        (vec!["run", "--runner", "dask"], "dask"),
        (vec!["run", "--conf-source", "missing"], "missing"),
        (
            vec!["registry", "describe", "nope"],
            "'nope' pipeline not found. Existing pipelines: [__default__, data_processing, data_science, reporting]",
        ),
        (vec!["frobnicate"], "frobnicate"),
    ];
    for (args, expected) in cases {
        let output = project.run(&args);
        assert_eq!(
            code(&output),
            2,
            "{args:?}\n{}\n{}",
            stdout(&output),
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(expected),
            "{args:?}: expected {expected:?} in\n{}",
            stderr(&output)
        );
    }
    // A type mismatch in the catalog is found before anything runs.
    let catalog = project.root().join("conf/base/catalog.yml");
    let text = std::fs::read_to_string(&catalog).unwrap();
    std::fs::write(
        &catalog,
        text.replace(
            "type: pandas.CSVDataset\n  filepath: data/01_raw/reviews.csv",
            "type: text.TextDataset\n  filepath: data/01_raw/reviews.csv",
        ),
    )
    .unwrap();
    let invalid = project.run(&["run"]);
    assert_eq!(code(&invalid), 2, "{}", stderr(&invalid));
    assert!(stderr(&invalid).contains("reviews"), "{}", stderr(&invalid));
    assert!(
        !project.root().join("data/02_intermediate").exists(),
        "nothing may run"
    );
}

#[test]
fn a_failed_run_exits_1_and_prints_a_resume_command_that_completes_it() {
    let project = Project::new();
    let reviews = project.root().join("data/01_raw/reviews.csv");
    let saved = project.root().join("reviews.csv.bak");
    std::fs::rename(&reviews, &saved).unwrap();
    let failed = project.run(&["run", "--pipelines", "data_processing,data_science"]);
    assert_eq!(code(&failed), 1, "{}\n{}", stdout(&failed), stderr(&failed));
    let text = stderr(&failed);
    assert!(text.contains("FAILED"), "{text}");
    assert!(text.contains("reviews"), "{text}");
    let resume = text
        .lines()
        .skip_while(|line| !line.contains("Resume from the nearest nodes with persisted inputs"))
        .nth(1)
        .unwrap_or_else(|| panic!("no resume command in:\n{text}"))
        .trim()
        .to_owned();
    assert!(
        resume.contains("--from-nodes \"create_model_input_table_node\""),
        "{resume}"
    );
    assert!(
        resume.starts_with(env!("CARGO_BIN_EXE_spaceflights")),
        "{resume}"
    );

    // The history records the failure.
    let show = project.run(&["runs", "show", "last"]);
    assert!(
        stdout(&show).contains("status:     failed"),
        "{}",
        stdout(&show)
    );

    // Put the file back and paste the command.
    std::fs::rename(&saved, &reviews).unwrap();
    let resumed = Command::new("sh")
        .arg("-c")
        .arg(&resume)
        .current_dir(project.root())
        .env("WEIR_PROJECT_PATH", project.root())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(
        code(&resumed),
        0,
        "{}\n{}",
        stdout(&resumed),
        stderr(&resumed)
    );
    let mut expected = vec!["create_model_input_table_node"];
    expected.extend(SCIENCE);
    assert_eq!(completed(&resumed), set(&expected));
}

#[test]
fn registry_and_catalog_commands() {
    let project = Project::new();
    let list = project.run(&["registry", "list"]);
    insta::assert_snapshot!("registry_list", stdout(&list));
    let describe = project.run(&["registry", "describe", "data_science"]);
    insta::assert_snapshot!("registry_describe", stdout(&describe));
    let datasets = project.run(&[
        "catalog",
        "describe-datasets",
        "-p",
        "data_processing,reporting",
    ]);
    assert_eq!(code(&datasets), 0, "{}", stderr(&datasets));
    insta::assert_snapshot!("catalog_describe_datasets", stdout(&datasets));
    let patterns = project.run(&["catalog", "list-patterns"]);
    assert_eq!(stdout(&patterns), "[]\n");
    let resolved = project.run(&["catalog", "resolve-patterns", "-p", "data_science"]);
    assert_eq!(code(&resolved), 0, "{}", stderr(&resolved));
    insta::assert_snapshot!(
        "catalog_resolve_patterns",
        project.redact(&stdout(&resolved))
    );

    // A factory pattern: matched datasets are listed as factories and resolved.
    std::fs::write(
        project.root().join("conf/base/catalog_patterns.yml"),
        "\"{name}_train\":\n  type: pandas.ParquetDataset\n  filepath: data/05_model_input/{name}_train.parquet\n",
    )
    .unwrap();
    let patterns = project.run(&["catalog", "list-patterns"]);
    // Quoted as serde-saphyr quotes (Kedro's PyYAML uses single quotes): the same YAML value.
    assert_eq!(stdout(&patterns), "- \"{name}_train\"\n");
    let datasets = project.run(&["catalog", "describe-datasets", "-p", "data_science"]);
    let text = stdout(&datasets);
    assert!(
        text.contains("factories:\n    polars.ParquetDataset:\n    - X_train\n    - y_train\n")
            || text
                .contains("factories:\n    pandas.ParquetDataset:\n    - X_train\n    - y_train\n"),
        "{text}"
    );

    let info = project.run(&["info"]);
    assert!(
        stdout(&info).contains("pipelines: __default__, data_processing, data_science, reporting"),
        "{}",
        stdout(&info)
    );
    let help = project.run(&["run", "--help"]);
    assert_eq!(code(&help), 0);
    for flag in [
        "--pipelines",
        "--tags",
        "--nodes",
        "--from-nodes",
        "--to-nodes",
        "--from-inputs",
        "--to-outputs",
        "--namespaces",
        "--runner",
        "--workers",
        "--async",
        "--env",
        "--params",
        "--load-versions",
        "--conf-source",
        "--only-missing-outputs",
    ] {
        assert!(stdout(&help).contains(flag), "{flag} missing from --help");
    }
    let completions = project.run(&["completions", "bash"]);
    assert_eq!(code(&completions), 0);
    assert!(stdout(&completions).contains("--from-nodes"));
}
