//! Kedro's resume suggestion: after a failure, the nodes to pass to `--from-nodes`.

use std::collections::{BTreeSet, HashSet, VecDeque};

use crate::node::Node;
use crate::pipeline::Pipeline;

/// The nodes to resume a failed run from, computed as Kedro computes them: from the unfinished
/// nodes, walk back through inputs that are not persisted (memory datasets are lost with the
/// process) to the nearest nodes whose inputs are all persisted or parameters, add everything
/// downstream, and return the first topological group of that set, sorted by name.
///
/// `is_persistent` says whether a dataset's data survives the run (a file, a table).
pub fn find_nodes_to_resume_from(
    pipeline: &Pipeline,
    unfinished: &[&str],
    is_persistent: impl Fn(&str) -> bool,
) -> Vec<String> {
    let unfinished_set: HashSet<&str> = unfinished.iter().copied().collect();
    let unfinished_nodes: Vec<Node> = pipeline
        .nodes()
        .iter()
        .filter(|node| unfinished_set.contains(node.full_name()))
        .cloned()
        .collect();
    if unfinished_nodes.is_empty() {
        return Vec::new();
    }
    let remaining = Pipeline::new(unfinished_nodes);
    let external: Vec<String> = remaining.inputs().into_iter().collect();
    let initial: Vec<Node> = if external.is_empty() {
        Vec::new()
    } else {
        remaining
            .only_nodes_with_inputs(&external)
            .map(|p| p.nodes().to_vec())
            .unwrap_or_default()
    };

    let mut to_run: BTreeSet<String> = unfinished.iter().map(|n| (*n).to_owned()).collect();
    let mut visited: HashSet<String> = initial.iter().map(|n| n.full_name().to_owned()).collect();
    let mut queue: VecDeque<Node> = initial.into();
    while let Some(current) = queue.pop_front() {
        to_run.insert(current.full_name().to_owned());
        let non_persistent: Vec<&String> = current
            .input_names()
            .iter()
            .filter(|input| !input.starts_with("params:") && !is_persistent(input))
            .collect();
        if non_persistent.is_empty() {
            continue;
        }
        let producers = pipeline
            .only_nodes_with_outputs(&non_persistent)
            .map(|p| p.nodes().to_vec())
            .unwrap_or_default();
        for producer in producers {
            if visited.insert(producer.full_name().to_owned()) {
                queue.push_back(producer);
            }
        }
    }
    let names: Vec<String> = to_run.into_iter().collect();
    let Ok(downstream) = pipeline.from_nodes(&names) else {
        return Vec::new();
    };
    let all: Vec<String> = downstream
        .nodes()
        .iter()
        .map(|n| n.full_name().to_owned())
        .collect();
    let Ok(subset) = pipeline.only_nodes(&all) else {
        return Vec::new();
    };
    let mut first: Vec<String> = subset
        .grouped_nodes()
        .first()
        .map(|group| group.iter().map(|n| n.full_name().to_owned()).collect())
        .unwrap_or_default();
    first.sort();
    first
}
