//! Validation before running: every problem of a pipeline and its catalog, in one report.
//!
//! Kedro finds most of these only when a node crashes, part-way through a run. Weir checks, before
//! the first node runs:
//!
//! - node definitions: names and tags, one dataset name per argument and per returned value,
//!   duplicate outputs, a node reading its own output, transcoding separators, writing
//!   parameters;
//! - the graph: duplicate node names, a dataset produced by two nodes, cycles (with the path),
//!   datasets used both with and without transcoding, bad namespace mappings;
//! - the catalog: free inputs that are neither in the catalog nor parameters (with the nearest
//!   names);
//! - types: on every edge, the producer's output type against each consumer's argument type,
//!   both against the dataset's declared type, and every `Param<T>` against its parameter value.

use std::collections::BTreeSet;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::catalog::{AnyDataset, Catalog, MemoryDataset};
use crate::node::{ArgKind, Node, is_valid_name};
use crate::pipeline::{Pipeline, find_cycle};
pub use crate::problem::{Problem, ProblemKind, ValidationReport};
use crate::python::python_list;
use crate::suggest::close_matches;
use crate::transcoding::{check_separators, strip_transcoding};
use crate::value::TypeInfo;

impl Pipeline {
    /// Checks the pipeline alone (no catalog): node definitions and the graph.
    pub fn check(&self) -> Result<(), ValidationReport> {
        report(structural_problems(self))
    }

    /// Checks the pipeline against a catalog: everything [`Pipeline::check`] does, plus missing
    /// inputs, types along every edge and against datasets, and parameters.
    pub fn validate(&self, catalog: &Catalog) -> Result<(), ValidationReport> {
        validate(self, catalog)
    }
}

/// Validates a pipeline against a catalog (see the [module docs](self)).
pub fn validate(pipeline: &Pipeline, catalog: &Catalog) -> Result<(), ValidationReport> {
    let mut problems = structural_problems(pipeline);
    problems.extend(missing_inputs(pipeline, catalog));
    problems.extend(type_problems(pipeline, catalog));
    report(problems)
}

fn report(problems: Vec<Problem>) -> Result<(), ValidationReport> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ValidationReport { problems })
    }
}

fn structural_problems(pipeline: &Pipeline) -> Vec<Problem> {
    let mut problems: Vec<Problem> = pipeline
        .build_problems()
        .iter()
        .map(|message| Problem::new(ProblemKind::Mapping, message.clone()))
        .collect();
    for node in pipeline.nodes() {
        node_problems(node, &mut problems);
    }

    // First position of each name; only names seen twice get a list of their nodes.
    let mut first: FxHashMap<&str, usize> = FxHashMap::default();
    first.reserve(pipeline.len());
    let mut repeated: FxHashMap<&str, Vec<&Node>> = FxHashMap::default();
    for (position, node) in pipeline.nodes().iter().enumerate() {
        if let Some(&earlier) = first.get(node.full_name()) {
            repeated
                .entry(node.full_name())
                .or_insert_with(|| vec![&pipeline.nodes()[earlier]])
                .push(node);
        } else {
            first.insert(node.full_name(), position);
        }
    }
    let mut duplicate_names: Vec<(&str, Vec<&Node>)> = repeated.into_iter().collect();
    duplicate_names.sort_by_key(|(name, _)| *name);
    for (name, nodes) in duplicate_names {
        let described: Vec<String> = nodes.iter().map(|n| n.to_string()).collect();
        problems.push(
            Problem::new(
                ProblemKind::DuplicateNodeName,
                format!(
                    "{} different nodes are named '{name}': {}",
                    nodes.len(),
                    described.join("; ")
                ),
            )
            .help("give each node a unique name with `.name(..)`"),
        );
    }

    let index = pipeline.index();
    let mut duplicated: Vec<(&str, &Vec<usize>)> = index
        .producers
        .iter()
        .enumerate()
        .filter(|(_, positions)| positions.len() > 1)
        .map(|(id, positions)| (index.stripped_names[id].as_str(), positions))
        .collect();
    duplicated.sort();
    for (dataset, positions) in duplicated {
        let names: Vec<&str> = positions
            .iter()
            .map(|&p| pipeline.nodes()[p].full_name())
            .collect();
        problems.push(
            Problem::new(
                ProblemKind::DuplicateOutput,
                format!(
                    "Output(s) ['{dataset}'] are returned by more than one node: {}. Node outputs must be unique.",
                    names.join(", ")
                ),
            )
            .help("rename one of the outputs"),
        );
    }

    if let Some(cycle) = find_cycle(pipeline) {
        let mut path = String::new();
        for (position, dataset) in &cycle {
            path.push_str(&format!(
                "'{}' --({dataset})--> ",
                pipeline.nodes()[*position].full_name()
            ));
        }
        if let Some((first, _)) = cycle.first() {
            path.push_str(&format!("'{}'", pipeline.nodes()[*first].full_name()));
        }
        problems.push(
            Problem::new(
                ProblemKind::Cycle,
                format!("Circular dependency between nodes: {path}"),
            )
            .help("a node cannot depend, directly or not, on its own output; rename a dataset to break the cycle"),
        );
    }

    let mut transcoded = vec![false; index.stripped_names.len()];
    for (name, &group) in index.names.iter().zip(&index.stripped) {
        if name.contains('@') {
            transcoded[group] = true;
        }
    }
    let mut bare_and_transcoded: Vec<&String> = index
        .names
        .iter()
        .zip(&index.stripped)
        .filter(|(name, group)| !name.contains('@') && transcoded[**group])
        .map(|(name, _)| name)
        .collect();
    bare_and_transcoded.sort();
    if !bare_and_transcoded.is_empty() {
        let names: Vec<&str> = bare_and_transcoded.iter().map(|s| s.as_str()).collect();
        problems.push(Problem::new(
            ProblemKind::Transcoding,
            format!(
                "The following datasets are used with transcoding, but were referenced without the separator: {}.\nPlease specify a transcoding option or rename the datasets.",
                names.join(", ")
            ),
        ));
    }
    problems
}

fn node_problems(node: &Node, problems: &mut Vec<Problem>) {
    let name = node.full_name();
    if let Some(explicit) = node.explicit_name()
        && !is_valid_name(explicit)
    {
        problems.push(Problem::new(
            ProblemKind::InvalidNode,
            format!("'{explicit}' is not a valid node name. It must contain only letters, digits, hyphens, underscores and/or fullstops."),
        ));
    }
    for tag in node.tag_set() {
        if !is_valid_name(tag) {
            problems.push(Problem::new(
                ProblemKind::InvalidNode,
                format!("'{tag}' is not a valid node tag (node '{name}'). It must contain only letters, digits, hyphens, underscores and/or fullstops."),
            ));
        }
    }
    let function = node.function();
    if node.input_names().is_empty() && node.output_names().is_empty() {
        problems.push(Problem::new(
            ProblemKind::InvalidNode,
            format!("node '{name}' has no inputs and no outputs: it must have some 'inputs' or 'outputs'."),
        ));
    }
    if node.input_names().len() != function.args().len() {
        let types: Vec<String> = function.args().iter().map(|a| a.signature_type()).collect();
        problems.push(
            Problem::new(
                ProblemKind::Arity,
                format!(
                    "node '{name}': function `{}` takes {} argument(s) ({}) but {} input name(s) are given: {}",
                    node.function_name(),
                    function.args().len(),
                    types.join(", "),
                    node.input_names().len(),
                    python_list(node.input_names())
                ),
            )
            .help("give `.inputs([..])` one dataset name per argument, in argument order"),
        );
    }
    if node.output_names().len() != function.output_types().len() {
        let types: Vec<String> = function
            .output_types()
            .iter()
            .map(TypeInfo::short_name)
            .collect();
        problems.push(
            Problem::new(
                ProblemKind::Arity,
                format!(
                    "node '{name}': function `{}` returns {} value(s) ({}) but {} output name(s) are given: {}",
                    node.function_name(),
                    function.output_types().len(),
                    if types.is_empty() { "()".to_owned() } else { types.join(", ") },
                    node.output_names().len(),
                    python_list(node.output_names())
                ),
            )
            .help("give `.outputs([..])` one dataset name per returned value; return a tuple for several outputs"),
        );
    }
    let outputs = node.output_names();
    let duplicates: BTreeSet<&str> = outputs
        .iter()
        .enumerate()
        .filter(|(i, output)| outputs[..*i].contains(output))
        .map(|(_, output)| output.as_str())
        .collect();
    if !duplicates.is_empty() {
        problems.push(Problem::new(
            ProblemKind::InvalidNode,
            format!(
                "Failed to create node {node} due to duplicate output(s) {}.\nNode outputs must be unique.",
                python_list(&duplicates.into_iter().collect::<Vec<_>>())
            ),
        ));
    }
    let same: Vec<&str> = node
        .output_names()
        .iter()
        .map(|o| strip_transcoding(o))
        .filter(|o| {
            node.input_names()
                .iter()
                .any(|input| strip_transcoding(input) == *o)
        })
        .collect();
    if !same.is_empty() {
        problems.push(Problem::new(
            ProblemKind::InvalidNode,
            format!(
                "Failed to create node {node}.\nA node cannot have the same inputs and outputs even if they are transcoded: {}",
                python_list(&same)
            ),
        ));
    }
    for dataset in node.input_names().iter().chain(node.output_names()) {
        if let Some(message) = check_separators(dataset) {
            problems.push(Problem::new(
                ProblemKind::Transcoding,
                format!("node '{name}': {message}"),
            ));
        }
    }
    for output in node.output_names() {
        if output == "parameters" || output.starts_with("params:") {
            problems.push(
                Problem::new(
                    ProblemKind::WritesParameter,
                    format!("node '{name}' writes '{output}', but parameters are read-only"),
                )
                .help("parameters come from `parameters*.yml` and `--params`; write the value to a dataset instead"),
            );
        }
    }
}

fn missing_inputs(pipeline: &Pipeline, catalog: &Catalog) -> Vec<Problem> {
    let index = pipeline.index();
    let missing: Vec<&str> = index
        .sorted_names_where(&index.free_input)
        .into_iter()
        .filter(|input| !catalog.contains(input))
        .collect();
    if missing.is_empty() {
        return Vec::new();
    }
    let catalog_names = catalog.names();
    let produced = index.sorted_names_where(&index.is_output);
    missing
        .into_iter()
        .map(|input| {
            let readers: Vec<&str> = pipeline
                .nodes()
                .iter()
                .filter(|node| {
                    node.input_names()
                        .iter()
                        .any(|name| strip_transcoding(name) == strip_transcoding(input))
                })
                .map(Node::full_name)
                .collect();
            let is_parameter = input.starts_with("params:") || input == "parameters";
            let candidates = catalog_names
                .iter()
                .map(String::as_str)
                .filter(|c| c.starts_with("params:") == is_parameter)
                .chain(produced.iter().copied().filter(|_| !is_parameter));
            let suggestions = close_matches(input, candidates, 3, 0.6);
            let (what, fix) = if is_parameter {
                (
                    format!("parameter '{input}'"),
                    "add it to a `parameters*.yml` file or pass it with `--params`",
                )
            } else {
                (
                    format!("dataset '{input}'"),
                    "add it to `catalog.yml`, or have a node produce it",
                )
            };
            let mut message = format!(
                "{what} read by node(s) {} is not in the catalog and no node produces it",
                readers.join(", ")
            );
            if !suggestions.is_empty() {
                message.push_str(&format!(" (did you mean {}?)", python_list(&suggestions)));
            }
            Problem::new(ProblemKind::MissingInput, message).help(fix)
        })
        .collect()
}

/// The type of a dataset's values as known before running: the declared type of a typed
/// dataset, or the type of the value a memory dataset already holds.
fn known_type(dataset: &dyn AnyDataset) -> Option<TypeInfo> {
    dataset.value_type().or_else(|| {
        dataset
            .as_any()
            .downcast_ref::<MemoryDataset>()
            .and_then(MemoryDataset::current_type)
    })
}

fn type_problems(pipeline: &Pipeline, catalog: &Catalog) -> Vec<Problem> {
    let mut problems = Vec::new();
    let nodes = pipeline.nodes();
    let index = pipeline.index();
    // Producers by exact name: `a@x` and `a@y` are different catalog entries with their own types.
    let mut produced: Vec<Option<(&Node, TypeInfo)>> = vec![None; index.names.len()];
    for (node, outputs) in nodes.iter().zip(&index.node_outputs) {
        for (&id, output_type) in outputs.iter().zip(node.function().output_types()) {
            produced[id].get_or_insert((node, *output_type));
        }
    }
    let mut datasets: Vec<Option<Option<Arc<dyn AnyDataset>>>> = vec![None; index.names.len()];
    let mut dataset = |id: usize| -> Option<Arc<dyn AnyDataset>> {
        datasets[id]
            .get_or_insert_with(|| catalog.get(&index.names[id]).ok().flatten())
            .clone()
    };

    for (position, node) in nodes.iter().enumerate() {
        for ((output, &id), output_type) in node
            .output_names()
            .iter()
            .zip(&index.node_outputs[position])
            .zip(node.function().output_types())
        {
            if let Some(declared) = dataset(id).as_deref().and_then(|d| d.value_type())
                && !output_type.is_compatible_with(&declared)
            {
                problems.push(
                    Problem::new(
                        ProblemKind::TypeMismatch,
                        format!(
                            "dataset '{output}': node '{}' returns `{output_type}` but the dataset holds `{declared}`",
                            node.full_name()
                        ),
                    )
                    .help(format!(
                        "return `{declared}` from `{}`, or change the dataset's type",
                        node.function_name()
                    )),
                );
            }
        }
        for (argument, ((input, &id), arg)) in node
            .input_names()
            .iter()
            .zip(&index.node_inputs[position])
            .zip(node.function().args())
            .enumerate()
        {
            let expected = arg.value_type();
            let describe_consumer = || {
                format!(
                    "node '{}' takes `{}` (argument {} of `{}`)",
                    node.full_name(),
                    arg.signature_type(),
                    argument + 1,
                    node.function_name()
                )
            };
            if let Some((producer, produced_type)) = &produced[id]
                && !produced_type.is_compatible_with(&expected)
            {
                problems.push(
                    Problem::new(
                        ProblemKind::TypeMismatch,
                        format!(
                            "dataset '{input}': node '{}' returns `{produced_type}` but {}",
                            producer.full_name(),
                            describe_consumer()
                        ),
                    )
                    .help(same_name_hint(produced_type, &expected)),
                );
            }
            let Some(found) = dataset(id) else { continue };
            let Some(actual) = known_type(found.as_ref()) else {
                continue;
            };
            if !actual.is_compatible_with(&expected) {
                let problem = Problem::new(
                    ProblemKind::TypeMismatch,
                    format!(
                        "dataset '{input}' holds `{actual}` but {}",
                        describe_consumer()
                    ),
                );
                let problem = if actual == TypeInfo::of::<serde_json::Value>()
                    && arg.kind() != ArgKind::Param
                {
                    problem.help(format!(
                        "parameters are read through `Param<T>`: declare the argument as `Param<{}>`",
                        expected.short_name()
                    ))
                } else {
                    problem.help(same_name_hint(&actual, &expected))
                };
                problems.push(problem);
                continue;
            }
            if arg.kind() == ArgKind::Param && produced[id].is_none() {
                let Some(memory) = found.as_any().downcast_ref::<MemoryDataset>() else {
                    continue;
                };
                let Ok(value) = crate::catalog::Dataset::load(memory) else {
                    continue;
                };
                let Some(json) = value.downcast_ref::<serde_json::Value>() else {
                    continue;
                };
                if let Err(mismatch) = arg.check_param(json) {
                    let wanted = arg.param_type().unwrap_or(expected);
                    let key = input.strip_prefix("params:").unwrap_or(input);
                    let mut problem = Problem::new(
                        ProblemKind::BadParameter,
                        format!(
                            "parameter '{input}' does not fit `{wanted}` (node '{}'): {mismatch}",
                            node.full_name()
                        ),
                    )
                    .help(
                        "fix the value in your parameters file or `--params`, or change the type",
                    );
                    problem.parameter = Some(match &mismatch.path {
                        Some(path) if path.starts_with('[') => format!("{key}{path}"),
                        Some(path) => format!("{key}.{path}"),
                        None => key.to_owned(),
                    });
                    problems.push(problem);
                }
            }
        }
    }
    problems
}

fn same_name_hint(found: &TypeInfo, expected: &TypeInfo) -> String {
    if found.short_name() == expected.short_name() {
        format!(
            "`{}` and `{}` are different types with the same name: two versions of a crate are in the build (`cargo tree -d` shows them)",
            found.name(),
            expected.name()
        )
    } else {
        "make the producer's return type and the consumer's argument type the same".to_owned()
    }
}
