//! Pipelines: sets of nodes ordered by their data dependencies, with Kedro's arithmetic and
//! filters.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::fmt;
use std::ops::{Add, BitAnd, BitOr, Sub};

use std::sync::{Arc, OnceLock};

use crate::error::PipelineError;
use crate::graph::DatasetIndex;
use crate::node::Node;
use crate::transcoding::strip_transcoding;

/// Something a pipeline can be built from: a node, a pipeline, or a namespaced pipeline.
pub enum PipelineItem {
    /// One node.
    Node(Node),
    /// All nodes of a pipeline.
    Pipeline(Pipeline),
}

impl From<Node> for PipelineItem {
    fn from(node: Node) -> Self {
        Self::Node(node)
    }
}

impl From<Pipeline> for PipelineItem {
    fn from(pipeline: Pipeline) -> Self {
        Self::Pipeline(pipeline)
    }
}

impl From<&Pipeline> for PipelineItem {
    fn from(pipeline: &Pipeline) -> Self {
        Self::Pipeline(pipeline.clone())
    }
}

/// A set of nodes, kept in Kedro's deterministic topological order.
///
/// Building a pipeline never fails: problems (duplicate names, a dataset produced twice, a
/// cycle, a bad namespace mapping) are all reported together by
/// [`Pipeline::validate`](crate::validation), before anything runs.
///
/// ```
/// use weir_core::{node, Pipeline};
///
/// fn inc(x: u64) -> u64 { x + 1 }
///
/// let p = Pipeline::new([
///     node(inc).inputs("b").outputs("c").name("second"),
///     node(inc).inputs("a").outputs("b").name("first"),
/// ]);
/// let order: Vec<&str> = p.nodes().iter().map(|n| n.full_name()).collect();
/// assert_eq!(order, ["first", "second"]);
/// assert_eq!(p.inputs().into_iter().collect::<Vec<_>>(), ["a"]);
/// assert_eq!(p.outputs().into_iter().collect::<Vec<_>>(), ["c"]);
/// ```
#[derive(Clone, Default)]
pub struct Pipeline {
    /// Nodes in topological order.
    nodes: Vec<Node>,
    /// For each node (by position in `nodes`), the index of its topological group.
    groups: Vec<usize>,
    /// For each node, the positions of the nodes it depends on.
    parents: Vec<Vec<usize>>,
    /// Problems found while building (from namespace mappings); reported by validation.
    problems: Vec<String>,
    /// The datasets by number, computed on first use.
    index: OnceLock<Arc<DatasetIndex>>,
}

impl Pipeline {
    /// A pipeline from nodes, pipelines and namespaced pipelines. Equal nodes (same name, inputs
    /// and outputs) are kept once.
    pub fn new<I, T>(items: I) -> Self
    where
        I: IntoIterator<Item = T>,
        T: Into<PipelineItem>,
    {
        let mut nodes = Vec::new();
        let mut problems = Vec::new();
        for item in items {
            match item.into() {
                PipelineItem::Node(node) => nodes.push(node),
                PipelineItem::Pipeline(pipeline) => {
                    nodes.extend(pipeline.nodes);
                    problems.extend(pipeline.problems);
                }
            }
        }
        Self::from_nodes_with_problems(nodes, problems)
    }

    /// A pipeline with no nodes.
    pub fn empty() -> Self {
        Self::default()
    }

    pub(crate) fn from_nodes_with_problems(nodes: Vec<Node>, mut problems: Vec<String>) -> Self {
        let mut seen = HashSet::with_capacity(nodes.len());
        let mut unique = Vec::with_capacity(nodes.len());
        for node in nodes {
            if seen.insert(node.clone()) {
                unique.push(node);
            }
        }
        problems.sort();
        problems.dedup();
        let (nodes, groups, parents) = toposort(unique);
        Self {
            nodes,
            groups,
            parents,
            problems,
            index: OnceLock::new(),
        }
    }

    /// The datasets by number (computed once per pipeline).
    pub(crate) fn index(&self) -> &DatasetIndex {
        self.index
            .get_or_init(|| Arc::new(DatasetIndex::build(&self.nodes)))
    }

    /// The nodes, in topological order (Kahn levels, each sorted by name, inputs and outputs).
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The node with this full name.
    pub fn node(&self, name: &str) -> Option<&Node> {
        self.nodes.iter().find(|node| node.full_name() == name)
    }

    /// The number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the pipeline has no nodes.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The nodes grouped by topological level: a node's group is the length of the longest path
    /// to it from a node with no parents.
    pub fn grouped_nodes(&self) -> Vec<Vec<&Node>> {
        let mut grouped: Vec<Vec<&Node>> = Vec::new();
        for (node, &group) in self.nodes.iter().zip(&self.groups) {
            if grouped.len() <= group {
                grouped.resize_with(group + 1, Vec::new);
            }
            grouped[group].push(node);
        }
        grouped
    }

    /// Each node's full name with the full names of the nodes it depends on.
    pub fn node_dependencies(&self) -> Vec<(&str, BTreeSet<&str>)> {
        self.nodes
            .iter()
            .zip(&self.parents)
            .map(|(node, parents)| {
                (
                    node.full_name(),
                    parents
                        .iter()
                        .map(|&parent| self.nodes[parent].full_name())
                        .collect(),
                )
            })
            .collect()
    }

    /// For each node (by position in [`Pipeline::nodes`]), the positions of its parents.
    pub fn parent_positions(&self) -> &[Vec<usize>] {
        &self.parents
    }

    /// Problems recorded while building the pipeline (bad namespace mappings).
    pub fn build_problems(&self) -> &[String] {
        &self.problems
    }

    /// Every dataset name a node reads, as written.
    pub fn all_inputs(&self) -> BTreeSet<String> {
        let index = self.index();
        to_set(index.sorted_names_where(&index.is_input))
    }

    /// Every dataset name a node writes, as written.
    pub fn all_outputs(&self) -> BTreeSet<String> {
        let index = self.index();
        to_set(index.sorted_names_where(&index.is_output))
    }

    /// Every dataset name used, as written.
    pub fn datasets(&self) -> BTreeSet<String> {
        self.index().names.iter().cloned().collect()
    }

    /// The free inputs: datasets read but produced by no node (parameters included).
    pub fn inputs(&self) -> BTreeSet<String> {
        let index = self.index();
        to_set(index.sorted_names_where(&index.free_input))
    }

    /// The free outputs: datasets written but read by no node.
    pub fn outputs(&self) -> BTreeSet<String> {
        let index = self.index();
        to_set(index.sorted_names_where(&index.free_output))
    }

    /// A copy with the tags added to every node.
    pub fn tag<S: AsRef<str>>(&self, tags: impl IntoIterator<Item = S>) -> Pipeline {
        let tags: BTreeSet<String> = tags.into_iter().map(|t| t.as_ref().to_owned()).collect();
        let mut pipeline = self.clone();
        for node in &mut pipeline.nodes {
            node.add_tags(&tags);
        }
        pipeline.index = OnceLock::new();
        pipeline
    }

    /// Kedro's `describe()`: the free inputs, the nodes in order and the free outputs.
    pub fn describe(&self) -> String {
        fn join(names: BTreeSet<String>) -> String {
            if names.is_empty() {
                "None".to_owned()
            } else {
                names.into_iter().collect::<Vec<_>>().join(", ")
            }
        }
        let mut text = String::from("#### Pipeline execution order ####\n");
        text.push_str(&format!("Inputs: {}\n\n", join(self.inputs())));
        for node in &self.nodes {
            text.push_str(node.full_name());
            text.push('\n');
        }
        text.push_str(&format!("\nOutputs: {}\n", join(self.outputs())));
        text.push_str("##################################");
        text
    }

    fn with_positions(&self, keep: &HashSet<usize>) -> Pipeline {
        let nodes = self
            .nodes
            .iter()
            .enumerate()
            .filter(|(position, _)| keep.contains(position))
            .map(|(_, node)| node.clone())
            .collect();
        Self::from_nodes_with_problems(nodes, self.problems.clone())
    }

    fn positions_of_names<S: AsRef<str>>(
        &self,
        names: &[S],
    ) -> Result<HashSet<usize>, PipelineError> {
        let by_name: HashMap<&str, Vec<usize>> =
            self.nodes
                .iter()
                .enumerate()
                .fold(HashMap::new(), |mut map, (position, node)| {
                    map.entry(node.full_name()).or_default().push(position);
                    map
                });
        let mut positions = HashSet::new();
        let mut unknown = Vec::new();
        for name in names {
            match by_name.get(name.as_ref()) {
                Some(found) => positions.extend(found.iter().copied()),
                None => unknown.push(name.as_ref().to_owned()),
            }
        }
        if unknown.is_empty() {
            return Ok(positions);
        }
        // Namespaced nodes ending with a name given, then names spelled alike.
        let mut suggestions: Vec<String> = self
            .nodes
            .iter()
            .map(|node| node.full_name())
            .filter(|full| unknown.iter().any(|u| full.ends_with(&format!(".{u}"))))
            .map(str::to_owned)
            .collect();
        for name in &unknown {
            let close = crate::suggest::close_matches(
                name,
                self.nodes.iter().map(|node| node.full_name()),
                3,
                0.6,
            );
            for candidate in close {
                if !suggestions.contains(&candidate) {
                    suggestions.push(candidate);
                }
            }
        }
        Err(PipelineError::UnknownNodes {
            names: unknown,
            suggestions,
        })
    }

    /// Only the nodes with these full names.
    pub fn only_nodes<S: AsRef<str>>(&self, names: &[S]) -> Result<Pipeline, PipelineError> {
        Ok(self.with_positions(&self.positions_of_names(names)?))
    }

    /// Only the nodes having any of these tags (none given: an empty pipeline).
    pub fn only_nodes_with_tags<S: AsRef<str>>(&self, tags: &[S]) -> Pipeline {
        let keep = self
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, node)| tags.iter().any(|tag| node.has_tag(tag.as_ref())))
            .map(|(position, _)| position)
            .collect();
        self.with_positions(&keep)
    }

    /// Only the nodes in these namespaces or their children (exact segments: `a` matches `a` and
    /// `a.b`, not `ab`). Every namespace must match at least one node.
    pub fn only_nodes_with_namespaces<S: AsRef<str>>(
        &self,
        namespaces: &[S],
    ) -> Result<Pipeline, PipelineError> {
        let mut keep = HashSet::new();
        let mut unmatched = Vec::new();
        for namespace in namespaces {
            let namespace = namespace.as_ref();
            let prefix = format!("{namespace}.");
            let mut matched = false;
            for (position, node) in self.nodes.iter().enumerate() {
                if let Some(node_namespace) = node.namespace_name()
                    && (node_namespace == namespace || node_namespace.starts_with(&prefix))
                {
                    keep.insert(position);
                    matched = true;
                }
            }
            if !matched {
                unmatched.push(namespace.to_owned());
            }
        }
        if !unmatched.is_empty() {
            return Err(PipelineError::UnknownNamespaces { names: unmatched });
        }
        Ok(self.with_positions(&keep))
    }

    /// Checks dataset names exist and returns, for each, whether it matches transcoded uses.
    fn check_datasets<S: AsRef<str>>(&self, names: &[S]) -> Result<(), PipelineError> {
        let all = self.datasets();
        let stripped: HashSet<&str> = all.iter().map(|n| strip_transcoding(n)).collect();
        let unknown: Vec<String> = names
            .iter()
            .map(AsRef::as_ref)
            .filter(|name| {
                if name.contains('@') {
                    !all.contains(*name)
                } else {
                    !stripped.contains(name)
                }
            })
            .map(str::to_owned)
            .collect();
        if unknown.is_empty() {
            Ok(())
        } else {
            Err(PipelineError::UnknownDatasets { names: unknown })
        }
    }

    /// Whether a node's dataset name matches a requested one: a bare name matches every
    /// `name@format`; a transcoded name matches only itself.
    fn name_matches(used: &str, requested: &str) -> bool {
        if requested.contains('@') {
            used == requested
        } else {
            strip_transcoding(used) == requested
        }
    }

    /// Only the nodes that read any of these datasets directly.
    pub fn only_nodes_with_inputs<S: AsRef<str>>(
        &self,
        datasets: &[S],
    ) -> Result<Pipeline, PipelineError> {
        self.check_datasets(datasets)?;
        let keep = self.positions_reading(datasets);
        Ok(self.with_positions(&keep))
    }

    fn positions_reading<S: AsRef<str>>(&self, datasets: &[S]) -> HashSet<usize> {
        self.nodes
            .iter()
            .enumerate()
            .filter(|(_, node)| {
                node.input_names().iter().any(|used| {
                    datasets
                        .iter()
                        .any(|wanted| Self::name_matches(used, wanted.as_ref()))
                })
            })
            .map(|(position, _)| position)
            .collect()
    }

    fn positions_writing<S: AsRef<str>>(&self, datasets: &[S]) -> HashSet<usize> {
        self.nodes
            .iter()
            .enumerate()
            .filter(|(_, node)| {
                node.output_names().iter().any(|used| {
                    datasets
                        .iter()
                        .any(|wanted| Self::name_matches(used, wanted.as_ref()))
                })
            })
            .map(|(position, _)| position)
            .collect()
    }

    /// Only the nodes that write any of these datasets directly.
    pub fn only_nodes_with_outputs<S: AsRef<str>>(
        &self,
        datasets: &[S],
    ) -> Result<Pipeline, PipelineError> {
        self.check_datasets(datasets)?;
        let keep = self.positions_writing(datasets);
        Ok(self.with_positions(&keep))
    }

    /// The nodes that depend, directly or not, on any of these datasets.
    pub fn from_inputs<S: AsRef<str>>(&self, datasets: &[S]) -> Result<Pipeline, PipelineError> {
        self.check_datasets(datasets)?;
        Ok(self.with_positions(&self.downstream_of_datasets(datasets)))
    }

    fn downstream_of_datasets<S: AsRef<str>>(&self, datasets: &[S]) -> HashSet<usize> {
        let consumers = self.consumers_by_stripped_name();
        let mut keep = self.positions_reading(datasets);
        let mut queue: VecDeque<usize> = keep.iter().copied().collect();
        while let Some(position) = queue.pop_front() {
            for output in self.nodes[position].output_names() {
                for &child in consumers
                    .get(strip_transcoding(output))
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                {
                    if keep.insert(child) {
                        queue.push_back(child);
                    }
                }
            }
        }
        keep
    }

    /// The nodes needed, directly or not, to produce any of these datasets.
    pub fn to_outputs<S: AsRef<str>>(&self, datasets: &[S]) -> Result<Pipeline, PipelineError> {
        self.check_datasets(datasets)?;
        Ok(self.with_positions(&self.upstream_of_datasets(datasets)))
    }

    fn upstream_of_datasets<S: AsRef<str>>(&self, datasets: &[S]) -> HashSet<usize> {
        let producers = self.producers_by_stripped_name();
        let mut keep = self.positions_writing(datasets);
        let mut queue: VecDeque<usize> = keep.iter().copied().collect();
        while let Some(position) = queue.pop_front() {
            for input in self.nodes[position].input_names() {
                for &parent in producers
                    .get(strip_transcoding(input))
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                {
                    if keep.insert(parent) {
                        queue.push_back(parent);
                    }
                }
            }
        }
        keep
    }

    /// These nodes and every node that depends on them.
    pub fn from_nodes<S: AsRef<str>>(&self, names: &[S]) -> Result<Pipeline, PipelineError> {
        let mut keep = self.positions_of_names(names)?;
        let outputs: Vec<String> = keep
            .iter()
            .flat_map(|&p| self.nodes[p].output_names())
            .map(|name| strip_transcoding(name).to_owned())
            .collect();
        keep.extend(self.downstream_of_datasets(&outputs));
        Ok(self.with_positions(&keep))
    }

    /// These nodes and every node they depend on.
    pub fn to_nodes<S: AsRef<str>>(&self, names: &[S]) -> Result<Pipeline, PipelineError> {
        let mut keep = self.positions_of_names(names)?;
        let inputs: Vec<String> = keep
            .iter()
            .flat_map(|&p| self.nodes[p].input_names())
            .map(|name| strip_transcoding(name).to_owned())
            .collect();
        keep.extend(self.upstream_of_datasets(&inputs));
        Ok(self.with_positions(&keep))
    }

    /// Kedro's `filter`: applies every given criterion to this pipeline and keeps the nodes
    /// that all of them keep. An empty result is an error.
    pub fn filter(&self, filter: &PipelineFilter) -> Result<Pipeline, PipelineError> {
        let mut result = self.clone();
        let mut intersect = |subset: Pipeline| result = &result & &subset;
        if !filter.tags.is_empty() {
            intersect(self.only_nodes_with_tags(&filter.tags));
        }
        if !filter.from_nodes.is_empty() {
            intersect(self.from_nodes(&filter.from_nodes)?);
        }
        if !filter.to_nodes.is_empty() {
            intersect(self.to_nodes(&filter.to_nodes)?);
        }
        if !filter.node_names.is_empty() {
            intersect(self.only_nodes(&filter.node_names)?);
        }
        if !filter.from_inputs.is_empty() {
            intersect(self.from_inputs(&filter.from_inputs)?);
        }
        if !filter.to_outputs.is_empty() {
            intersect(self.to_outputs(&filter.to_outputs)?);
        }
        if !filter.node_namespaces.is_empty() {
            intersect(self.only_nodes_with_namespaces(&filter.node_namespaces)?);
        }
        if result.is_empty() {
            return Err(PipelineError::EmptyAfterFilter);
        }
        Ok(result)
    }

    pub(crate) fn consumers_by_stripped_name(&self) -> HashMap<&str, Vec<usize>> {
        let mut consumers: HashMap<&str, Vec<usize>> = HashMap::new();
        for (position, node) in self.nodes.iter().enumerate() {
            for input in node.input_names() {
                let entry = consumers.entry(strip_transcoding(input)).or_default();
                if entry.last() != Some(&position) {
                    entry.push(position);
                }
            }
        }
        consumers
    }

    pub(crate) fn producers_by_stripped_name(&self) -> HashMap<&str, Vec<usize>> {
        let mut producers: HashMap<&str, Vec<usize>> = HashMap::new();
        for (position, node) in self.nodes.iter().enumerate() {
            for output in node.output_names() {
                let entry = producers.entry(strip_transcoding(output)).or_default();
                if entry.last() != Some(&position) {
                    entry.push(position);
                }
            }
        }
        producers
    }

    /// The union of two pipelines (Kedro's `+` and `|`).
    pub fn union(&self, other: &Pipeline) -> Pipeline {
        let mut nodes = self.nodes.clone();
        nodes.extend(other.nodes.iter().cloned());
        let mut problems = self.problems.clone();
        problems.extend(other.problems.iter().cloned());
        Self::from_nodes_with_problems(nodes, problems)
    }

    /// The nodes of this pipeline that are not in the other (Kedro's `-`).
    pub fn difference(&self, other: &Pipeline) -> Pipeline {
        let remove: HashSet<&Node> = other.nodes.iter().collect();
        let nodes = self
            .nodes
            .iter()
            .filter(|node| !remove.contains(node))
            .cloned()
            .collect();
        Self::from_nodes_with_problems(nodes, self.problems.clone())
    }

    /// The nodes in both pipelines (Kedro's `&`).
    pub fn intersection(&self, other: &Pipeline) -> Pipeline {
        let keep: HashSet<&Node> = other.nodes.iter().collect();
        let nodes = self
            .nodes
            .iter()
            .filter(|node| keep.contains(node))
            .cloned()
            .collect();
        Self::from_nodes_with_problems(nodes, self.problems.clone())
    }
}

/// The criteria of [`Pipeline::filter`] (and of `weir run`'s selection flags). Empty criteria are
/// ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PipelineFilter {
    /// Nodes with any of these tags.
    pub tags: Vec<String>,
    /// These nodes and everything downstream.
    pub from_nodes: Vec<String>,
    /// These nodes and everything upstream.
    pub to_nodes: Vec<String>,
    /// Exactly these nodes.
    pub node_names: Vec<String>,
    /// Everything downstream of these datasets.
    pub from_inputs: Vec<String>,
    /// Everything needed to produce these datasets.
    pub to_outputs: Vec<String>,
    /// Nodes in these namespaces.
    pub node_namespaces: Vec<String>,
}

impl PipelineFilter {
    /// A filter that keeps every node.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether no criterion is set.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

macro_rules! pipeline_operator {
    ($trait:ident, $method:ident, $implementation:ident) => {
        impl $trait for Pipeline {
            type Output = Pipeline;
            fn $method(self, other: Pipeline) -> Pipeline {
                self.$implementation(&other)
            }
        }
        impl $trait<&Pipeline> for &Pipeline {
            type Output = Pipeline;
            fn $method(self, other: &Pipeline) -> Pipeline {
                self.$implementation(other)
            }
        }
        impl $trait<&Pipeline> for Pipeline {
            type Output = Pipeline;
            fn $method(self, other: &Pipeline) -> Pipeline {
                self.$implementation(other)
            }
        }
    };
}

pipeline_operator!(Add, add, union);
pipeline_operator!(BitOr, bitor, union);
pipeline_operator!(Sub, sub, difference);
pipeline_operator!(BitAnd, bitand, intersection);

impl std::iter::Sum for Pipeline {
    fn sum<I: Iterator<Item = Pipeline>>(pipelines: I) -> Pipeline {
        Pipeline::new(pipelines)
    }
}

impl<'a> std::iter::Sum<&'a Pipeline> for Pipeline {
    fn sum<I: Iterator<Item = &'a Pipeline>>(pipelines: I) -> Pipeline {
        Pipeline::new(pipelines)
    }
}

impl From<Node> for Pipeline {
    fn from(node: Node) -> Self {
        Pipeline::new([node])
    }
}

impl fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.nodes).finish()
    }
}

impl PartialEq for Pipeline {
    /// Two pipelines are equal when they hold the same nodes.
    fn eq(&self, other: &Self) -> bool {
        self.nodes.len() == other.nodes.len() && {
            let mine: HashSet<&Node> = self.nodes.iter().collect();
            other.nodes.iter().all(|node| mine.contains(node))
        }
    }
}

fn to_set(names: Vec<&str>) -> BTreeSet<String> {
    names.into_iter().map(str::to_owned).collect()
}

/// Orders nodes in Kahn levels, each level sorted by node identity, as Kedro does. Nodes in a
/// cycle come last, sorted. Returns the nodes, their group indexes and their parents' positions.
fn toposort(nodes: Vec<Node>) -> (Vec<Node>, Vec<usize>, Vec<Vec<usize>>) {
    let count = nodes.len();
    let mut producers: HashMap<&str, Vec<usize>> = HashMap::new();
    for (index, node) in nodes.iter().enumerate() {
        for output in node.output_names() {
            producers
                .entry(strip_transcoding(output))
                .or_default()
                .push(index);
        }
    }
    let mut parents: Vec<Vec<usize>> = Vec::with_capacity(count);
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (index, node) in nodes.iter().enumerate() {
        let mut mine: Vec<usize> = node
            .input_names()
            .iter()
            .filter_map(|input| producers.get(strip_transcoding(input)))
            .flatten()
            .copied()
            .filter(|&parent| parent != index)
            .collect();
        mine.sort_unstable();
        mine.dedup();
        for &parent in &mine {
            children[parent].push(index);
        }
        parents.push(mine);
    }
    drop(producers);

    let mut waiting: Vec<usize> = parents.iter().map(Vec::len).collect();
    let mut level: Vec<usize> = (0..count).filter(|&i| waiting[i] == 0).collect();
    let mut order: Vec<usize> = Vec::with_capacity(count);
    let mut group_of = vec![usize::MAX; count];
    let mut group = 0;
    while !level.is_empty() {
        level.sort_unstable_by(|&a, &b| nodes[a].cmp(&nodes[b]));
        let mut next = Vec::new();
        for &index in &level {
            group_of[index] = group;
            for &child in &children[index] {
                waiting[child] -= 1;
                if waiting[child] == 0 {
                    next.push(child);
                }
            }
        }
        order.extend_from_slice(&level);
        level = next;
        group += 1;
    }
    if order.len() < count {
        let mut cyclic: Vec<usize> = (0..count).filter(|&i| group_of[i] == usize::MAX).collect();
        cyclic.sort_unstable_by(|&a, &b| nodes[a].cmp(&nodes[b]));
        for &index in &cyclic {
            group_of[index] = group;
        }
        order.extend(cyclic);
    }

    let mut position_of = vec![0; count];
    for (position, &index) in order.iter().enumerate() {
        position_of[index] = position;
    }
    let groups = order.iter().map(|&index| group_of[index]).collect();
    let ordered_parents = order
        .iter()
        .map(|&index| {
            let mut mine: Vec<usize> = parents[index].iter().map(|&p| position_of[p]).collect();
            mine.sort_unstable();
            mine
        })
        .collect();
    let mut slots: Vec<Option<Node>> = nodes.into_iter().map(Some).collect();
    let ordered_nodes = order
        .iter()
        .filter_map(|&index| slots[index].take())
        .collect();
    (ordered_nodes, groups, ordered_parents)
}

/// Finds one dependency cycle, as node positions with the dataset leading to the next node.
pub(crate) fn find_cycle(pipeline: &Pipeline) -> Option<Vec<(usize, String)>> {
    let nodes = pipeline.nodes();
    let parents = pipeline.parent_positions();
    // In topological order every parent comes first; only a cycle breaks that.
    if !parents
        .iter()
        .enumerate()
        .any(|(i, mine)| mine.iter().any(|&p| p >= i))
    {
        return None;
    }
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    for (child, mine) in parents.iter().enumerate() {
        for &parent in mine {
            children[parent].push(child);
        }
    }
    let mut on_stack = vec![false; nodes.len()];
    let mut done = vec![false; nodes.len()];
    for start in 0..nodes.len() {
        if done[start] {
            continue;
        }
        // Iterative depth-first search: (node, index of the next child to visit).
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        on_stack[start] = true;
        while let Some(top) = stack.len().checked_sub(1) {
            let (node, next_child) = stack[top];
            match children[node].get(next_child) {
                Some(&child) => {
                    stack[top].1 += 1;
                    if on_stack[child] {
                        let from = stack.iter().position(|&(n, _)| n == child)?;
                        let path: Vec<usize> = stack[from..].iter().map(|&(n, _)| n).collect();
                        let cycle = path
                            .iter()
                            .enumerate()
                            .map(|(i, &at)| {
                                let to = path[(i + 1) % path.len()];
                                (at, linking_dataset(&nodes[at], &nodes[to]))
                            })
                            .collect();
                        return Some(cycle);
                    }
                    if !done[child] {
                        on_stack[child] = true;
                        stack.push((child, 0));
                    }
                }
                None => {
                    on_stack[node] = false;
                    done[node] = true;
                    stack.pop();
                }
            }
        }
    }
    None
}

fn linking_dataset(from: &Node, to: &Node) -> String {
    from.output_names()
        .iter()
        .find(|output| {
            to.input_names()
                .iter()
                .any(|input| strip_transcoding(input) == strip_transcoding(output))
        })
        .cloned()
        .unwrap_or_default()
}
