//! The command line's own output for each kind of error, as a user sees it (plain text, as in
//! CI logs or with `NO_COLOR`): the message, the configuration lines around the mistake, the
//! related problems and the help lines. Paths are shown as `[project]`.

use crate::common::{Project, code, stderr};

/// Runs the binary, checks the exit code and returns its standard error for a snapshot.
fn fails(project: &Project, args: &[&str], exit: i32) -> String {
    let output = project.run(args);
    assert_eq!(code(&output), exit, "{}", stderr(&output));
    // Log lines carry the time: they are left out.
    let text = stderr(&output);
    let text: Vec<&str> = text.lines().filter(|line| !is_log_line(line)).collect();
    project.redact(&text.join("\n"))
}

/// `2026-12-02T14:20:00.111586Z  INFO ...`
fn is_log_line(line: &str) -> bool {
    line.len() > 28 && line.as_bytes()[4] == b'-' && line[..28].contains('T') && line.contains("Z ")
}

fn edit(project: &Project, file: &str, from: &str, to: &str) {
    let path = project.root().join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} has no {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn an_unknown_pipeline_suggests_the_closest() {
    let project = Project::new();
    insta::assert_snapshot!(fails(&project, &["run", "--pipelines", "data_sciense"], 2));
}

#[test]
fn an_unknown_dataset_type_points_at_its_line() {
    let project = Project::new();
    edit(
        &project,
        "conf/base/catalog.yml",
        "companies:\n  type: pandas.CSVDataset",
        "companies:\n  type: pandas.CSVDatset",
    );
    insta::assert_snapshot!(fails(&project, &["run"], 2));
}

#[test]
fn invalid_yaml_points_at_its_line() {
    let project = Project::new();
    edit(
        &project,
        "conf/base/parameters_data_science.yml",
        "  test_size: 0.2",
        "  test_size: [0.2",
    );
    insta::assert_snapshot!(fails(&project, &["run"], 2));
}

#[test]
fn a_plugin_settings_error_shows_the_line_and_the_plugin_help() {
    let project = Project::new();
    edit(
        &project,
        "conf/base/statsd.yml",
        "prefix: weir\n",
        "prefix: weir\nsample_rates:\n  node.duraton: 0.5\n",
    );
    insta::assert_snapshot!(fails(&project, &["run"], 2));
}

#[test]
fn malformed_runtime_parameters_say_the_syntax() {
    let project = Project::new();
    insta::assert_snapshot!(fails(&project, &["run", "--params", "model_options"], 2));
}

#[test]
fn a_missing_environment_says_how_to_choose_one() {
    let project = Project::new();
    insta::assert_snapshot!(fails(&project, &["run", "--env", "prod"], 2));
}

#[test]
fn an_invalid_pipeline_shows_its_problems_with_their_help() {
    let project = Project::new();
    // A parameter of the wrong type: found before anything runs.
    insta::assert_snapshot!(fails(
        &project,
        &["run", "--params", "model_options.test_size=half"],
        2
    ));
}

#[test]
fn an_unknown_run_says_where_to_look() {
    let project = Project::new();
    insta::assert_snapshot!(fails(&project, &["runs", "show", "no-such-run"], 2));
}
