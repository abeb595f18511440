//! Validation before running: every problem at once, naming what is wrong and how to fix it.

use std::sync::RwLock;

use serde::Deserialize;
use weir_core::{
    Catalog, Dataset, DatasetError, Param, Pipeline, ProblemKind, ValidationReport, node,
};

use crate::common::{catalog_with, n};

fn problems(report: &ValidationReport) -> Vec<String> {
    report.problems.iter().map(|p| p.message.clone()).collect()
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct ModelOptions {
    test_size: f64,
    random_state: u64,
    features: Vec<String>,
}

fn split(rows: Vec<f64>, options: Param<ModelOptions>) -> (Vec<f64>, Vec<f64>) {
    let at = (rows.len() as f64 * (1.0 - options.test_size)) as usize;
    (rows[..at].to_vec(), rows[at..].to_vec())
}

fn count(rows: Vec<f64>) -> u64 {
    rows.len() as u64
}

fn label(n: u64) -> String {
    n.to_string()
}

#[test]
fn a_valid_pipeline_passes() {
    let pipeline = Pipeline::new([
        node(split)
            .inputs(["rows", "params:model_options"])
            .outputs(["train", "test"]),
        node(count).inputs("train").outputs("train_count"),
    ]);
    let mut catalog = Catalog::new();
    catalog.add_value("rows", vec![1.0, 2.0]);
    catalog.add_parameters(serde_json::json!({
        "model_options": {"test_size": 0.2, "random_state": 3, "features": ["a"]}
    }));
    assert_eq!(pipeline.validate(&catalog), Ok(()));
}

#[test]
fn every_problem_is_reported_at_once() {
    let pipeline = Pipeline::new([
        // Arity: one name for two arguments.
        node(split)
            .inputs("rows")
            .outputs(["train", "test"])
            .name("split"),
        // A type mismatch: `train` is Vec<f64>, `label` takes u64.
        node(label).inputs("train").outputs("text").name("label"),
        // Writes a parameter.
        n("writer", &["text"], &["params:x"]),
        // A missing input with a near name.
        n("reader", &["tset"], &["out"]),
        // Duplicate output.
        n("dup", &["text"], &["out"]),
    ]);
    let report = pipeline.validate(&Catalog::new()).unwrap_err();
    for kind in [
        ProblemKind::Arity,
        ProblemKind::TypeMismatch,
        ProblemKind::WritesParameter,
        ProblemKind::MissingInput,
        ProblemKind::DuplicateOutput,
    ] {
        assert!(report.has(kind), "missing {kind:?} in {report}");
    }
    let text = report.to_string();
    assert!(text.starts_with("the pipeline is not valid ("), "{text}");
    assert!(text.contains("no node ran"));
}

#[test]
fn arity_names_the_function_and_its_types() {
    let pipeline = Pipeline::new([node(split)
        .inputs(["rows", "params:o", "extra"])
        .outputs("train")
        .name("split")]);
    let report = pipeline.check().unwrap_err();
    let messages = problems(&report);
    assert!(messages.contains(&"node 'split': function `split` takes 2 argument(s) (Vec<f64>, Param<ModelOptions>) but 3 input name(s) are given: ['rows', 'params:o', 'extra']".to_owned()), "{messages:?}");
    assert!(messages.contains(&"node 'split': function `split` returns 2 value(s) (Vec<f64>, Vec<f64>) but 1 output name(s) are given: ['train']".to_owned()), "{messages:?}");
}

#[test]
fn duplicate_names_and_outputs() {
    let pipeline = Pipeline::new([
        n("same", &["a"], &["b"]),
        n("same", &["c"], &["d"]),
        n("other", &["x"], &["b"]),
    ]);
    let report = pipeline.check().unwrap_err();
    assert_eq!(report.of_kind(ProblemKind::DuplicateNodeName).count(), 1);
    let duplicate = report.of_kind(ProblemKind::DuplicateOutput).next().unwrap();
    assert_eq!(
        duplicate.message,
        "Output(s) ['b'] are returned by more than one node: other, same. Node outputs must be unique."
    );
}

#[test]
fn transcoded_outputs_are_one_dataset() {
    let pipeline = Pipeline::new([
        n("p1", &["a"], &["b@pandas"]),
        n("p2", &["c"], &["b@spark"]),
    ]);
    assert!(
        pipeline
            .check()
            .unwrap_err()
            .has(ProblemKind::DuplicateOutput)
    );
}

#[test]
fn cycles_are_printed_as_paths() {
    let pipeline = Pipeline::new([
        n("a", &["z", "in"], &["x"]),
        n("b", &["x"], &["y"]),
        n("c", &["y"], &["z"]),
        n("after", &["z"], &["out"]),
    ]);
    let report = pipeline.check().unwrap_err();
    let cycle = report.of_kind(ProblemKind::Cycle).next().unwrap();
    assert_eq!(
        cycle.message,
        "Circular dependency between nodes: 'a' --(x)--> 'b' --(y)--> 'c' --(z)--> 'a'"
    );
}

#[test]
fn node_definition_problems() {
    let pipeline = Pipeline::new([
        n("has space", &["a"], &["b"]),
        n("tagged", &["a"], &["c"]).tags(["bad tag"]),
        n("twice", &["a"], &["d", "d"]),
        n("loop", &["e@pandas"], &["e@spark"]),
        n("seps", &["f@x@y"], &["g"]),
    ]);
    let messages = problems(&pipeline.check().unwrap_err());
    let expected = [
        "'has space' is not a valid node name. It must contain only letters, digits, hyphens, underscores and/or fullstops.",
        "'bad tag' is not a valid node tag (node 'tagged'). It must contain only letters, digits, hyphens, underscores and/or fullstops.",
        "Failed to create node twice: f([a]) -> [d;d] due to duplicate output(s) ['d'].\nNode outputs must be unique.",
        "Failed to create node loop: f([e@pandas]) -> [e@spark].\nA node cannot have the same inputs and outputs even if they are transcoded: ['e']",
        "node 'seps': Expected maximum 1 transcoding separator, found 2 instead: 'f@x@y'.",
    ];
    for message in expected {
        assert!(
            messages.iter().any(|m| m == message),
            "missing {message:?} in {messages:#?}"
        );
    }
}

#[test]
fn datasets_used_with_and_without_transcoding() {
    let pipeline = Pipeline::new([n("a", &["x"], &["t@pandas"]), n("b", &["t"], &["y"])]);
    let report = pipeline.check().unwrap_err();
    assert!(report
        .to_string()
        .contains("The following datasets are used with transcoding, but were referenced without the separator: t."));
}

#[test]
fn missing_inputs_suggest_nearest_names() {
    let pipeline = Pipeline::new([
        n("reader", &["compnies"], &["out"]),
        n("tuner", &["out", "params:learning_rat"], &["model"]),
    ]);
    let mut catalog = catalog_with(&[("companies", 1), ("shuttles", 2)]);
    catalog.add_parameters(serde_json::json!({"learning_rate": 0.1}));
    let messages = problems(&pipeline.validate(&catalog).unwrap_err());
    assert_eq!(
        messages,
        [
            "dataset 'compnies' read by node(s) reader is not in the catalog and no node produces it (did you mean ['companies']?)",
            "parameter 'params:learning_rat' read by node(s) tuner is not in the catalog and no node produces it (did you mean ['params:learning_rate']?)",
        ]
    );
}

#[test]
fn type_mismatch_on_an_edge() {
    let pipeline = Pipeline::new([
        node(count).inputs("rows").outputs("n").name("count"),
        node(|rows: Vec<f64>| rows.len() as u64)
            .inputs("n")
            .outputs("m")
            .name("again"),
    ]);
    let catalog = {
        let mut catalog = Catalog::new();
        catalog.add_value("rows", vec![1.0]);
        catalog
    };
    let messages = problems(&pipeline.validate(&catalog).unwrap_err());
    assert_eq!(
        messages,
        [
            "dataset 'n': node 'count' returns `u64` but node 'again' takes `Vec<f64>` (argument 1 of `closure`)"
        ]
    );
}

/// A dataset declaring its value type, like a CSV dataset declares `DataFrame`.
struct Numbers(RwLock<Vec<u64>>);

impl Dataset for Numbers {
    type Value = Vec<u64>;
    fn load(&self) -> Result<Vec<u64>, DatasetError> {
        Ok(self
            .0
            .read()
            .map_err(|_| DatasetError::message("poisoned"))?
            .clone())
    }
    fn save(&self, value: &Vec<u64>) -> Result<(), DatasetError> {
        *self
            .0
            .write()
            .map_err(|_| DatasetError::message("poisoned"))? = value.clone();
        Ok(())
    }
}

#[test]
fn type_mismatch_against_a_typed_dataset() {
    let pipeline = Pipeline::new([
        node(|x: Vec<f64>| x)
            .inputs("floats")
            .outputs("stored")
            .name("store"),
        node(|x: Vec<u64>| x.len() as u64)
            .inputs("source")
            .outputs("count")
            .name("read"),
        node(label)
            .inputs("source")
            .outputs("label")
            .name("bad_read"),
    ]);
    let mut catalog = Catalog::new();
    catalog.add_value("floats", vec![1.0_f64]);
    catalog.add("stored", Numbers(RwLock::new(Vec::new())));
    catalog.add("source", Numbers(RwLock::new(Vec::new())));
    let messages = problems(&pipeline.validate(&catalog).unwrap_err());
    assert_eq!(
        messages,
        [
            "dataset 'source' holds `Vec<u64>` but node 'bad_read' takes `u64` (argument 1 of `label`)",
            "dataset 'stored': node 'store' returns `Vec<f64>` but the dataset holds `Vec<u64>`",
        ]
    );
}

#[test]
fn parameters_are_deserialized_before_running() {
    let pipeline = Pipeline::new([node(split)
        .inputs(["rows", "params:model_options"])
        .outputs(["train", "test"])
        .name("split")]);
    let mut catalog = Catalog::new();
    catalog.add_value("rows", vec![1.0]);
    catalog.add_parameters(serde_json::json!({
        "model_options": {"test_size": "0.2", "random_state": 3, "features": ["a", 7]}
    }));
    let report = pipeline.validate(&catalog).unwrap_err();
    let problem = report.of_kind(ProblemKind::BadParameter).next().unwrap();
    assert_eq!(
        problem.message,
        "parameter 'params:model_options' does not fit `ModelOptions` (node 'split'): at `test_size`: invalid type: string \"0.2\", expected f64"
    );
    assert_eq!(
        problem.parameter.as_deref(),
        Some("model_options.test_size")
    );
}

#[test]
fn a_plain_argument_on_a_parameter_suggests_param() {
    let pipeline = Pipeline::new([node(|rate: f64| rate * 2.0)
        .inputs("params:rate")
        .outputs("doubled")
        .name("double")]);
    let mut catalog = Catalog::new();
    catalog.add_parameters(serde_json::json!({"rate": 0.5}));
    let report = pipeline.validate(&catalog).unwrap_err();
    let problem = &report.problems[0];
    assert_eq!(
        problem.message,
        "dataset 'params:rate' holds `Value` but node 'double' takes `f64` (argument 1 of `closure`)"
    );
    assert_eq!(
        problem.help.as_deref(),
        Some("parameters are read through `Param<T>`: declare the argument as `Param<f64>`")
    );
}

#[test]
fn transcoded_names_are_typed_separately() {
    // `t@a` and `t@b` are different catalog entries: a u64 producer and a String consumer are
    // not compared with each other.
    let pipeline = Pipeline::new([
        node(|x: u64| x).inputs("x").outputs("t@a").name("produce"),
        node(|s: String| s.len() as u64)
            .inputs("t@b")
            .outputs("n")
            .name("consume"),
    ]);
    let catalog = catalog_with(&[("x", 1)]);
    assert_eq!(pipeline.validate(&catalog), Ok(()));
}

#[test]
fn validation_report_is_a_miette_diagnostic() {
    let report = Pipeline::new([n("a", &["missing"], &["b"])])
        .validate(&Catalog::new())
        .unwrap_err();
    let diagnostic: &dyn miette::Diagnostic = &report;
    assert_eq!(
        diagnostic.code().map(|c| c.to_string()).as_deref(),
        Some("weir::validation")
    );
    assert_eq!(diagnostic.related().map(Iterator::count), Some(1));
}
