//! A pipeline's datasets, numbered once: what runners and validation need, without hashing
//! names again for every node.

use rustc_hash::FxHashMap;

use crate::node::Node;
use crate::transcoding::strip_transcoding;

/// The datasets of a pipeline by number, with each node's inputs and outputs as numbers.
#[derive(Debug)]
pub(crate) struct DatasetIndex {
    /// Exact names (transcoding suffix kept), by id, in order of first use.
    pub(crate) names: Vec<String>,
    /// For each exact id, the id of its stripped name (`a@x` and `a@y` share one).
    pub(crate) stripped: Vec<usize>,
    /// Stripped names, by stripped id.
    pub(crate) stripped_names: Vec<String>,
    /// For each node position, its input ids (in argument order, repeats kept).
    pub(crate) node_inputs: Vec<Vec<usize>>,
    /// For each node position, its output ids.
    pub(crate) node_outputs: Vec<Vec<usize>>,
    /// For each exact id: no node produces its stripped name (a free input).
    pub(crate) free_input: Vec<bool>,
    /// For each exact id: no node consumes its stripped name (a free output).
    pub(crate) free_output: Vec<bool>,
    /// For each exact id: read by some node.
    pub(crate) is_input: Vec<bool>,
    /// For each exact id: written by some node.
    pub(crate) is_output: Vec<bool>,
    /// For each stripped id, the positions of the nodes writing it.
    pub(crate) producers: Vec<Vec<usize>>,
}

impl DatasetIndex {
    pub(crate) fn build(nodes: &[Node]) -> Self {
        let mut numbering = Numbering::default();
        let mut node_inputs = Vec::with_capacity(nodes.len());
        let mut node_outputs = Vec::with_capacity(nodes.len());
        for node in nodes {
            node_inputs.push(
                node.input_names()
                    .iter()
                    .map(|name| numbering.id(name))
                    .collect::<Vec<_>>(),
            );
            node_outputs.push(
                node.output_names()
                    .iter()
                    .map(|name| numbering.id(name))
                    .collect::<Vec<_>>(),
            );
        }
        let Numbering {
            names,
            stripped,
            stripped_names,
            ..
        } = numbering;
        let stripped_count = stripped_names.len();
        let mut consumed = vec![false; stripped_count];
        let mut producers: Vec<Vec<usize>> = vec![Vec::new(); stripped_count];
        let mut is_input = vec![false; names.len()];
        let mut is_output = vec![false; names.len()];
        for (position, (inputs, outputs)) in node_inputs.iter().zip(&node_outputs).enumerate() {
            for &id in inputs {
                consumed[stripped[id]] = true;
                is_input[id] = true;
            }
            for &id in outputs {
                let entry = &mut producers[stripped[id]];
                if entry.last() != Some(&position) {
                    entry.push(position);
                }
                is_output[id] = true;
            }
        }
        let free_input = (0..names.len())
            .map(|id| is_input[id] && producers[stripped[id]].is_empty())
            .collect();
        let free_output = (0..names.len())
            .map(|id| is_output[id] && !consumed[stripped[id]])
            .collect();
        Self {
            names,
            stripped,
            stripped_names,
            node_inputs,
            node_outputs,
            free_input,
            free_output,
            is_input,
            is_output,
            producers,
        }
    }

    /// The names of the datasets with a flag set, sorted.
    pub(crate) fn sorted_names_where(&self, flags: &[bool]) -> Vec<&str> {
        let mut selected: Vec<&str> = self
            .names
            .iter()
            .zip(flags)
            .filter(|(_, flag)| **flag)
            .map(|(name, _)| name.as_str())
            .collect();
        selected.sort_unstable();
        selected
    }
}

/// Gives each exact name and each stripped name a number, in order of first use.
#[derive(Default)]
struct Numbering<'a> {
    ids: FxHashMap<&'a str, usize>,
    stripped_ids: FxHashMap<&'a str, usize>,
    names: Vec<String>,
    stripped: Vec<usize>,
    stripped_names: Vec<String>,
}

impl<'a> Numbering<'a> {
    fn id(&mut self, name: &'a str) -> usize {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len();
        self.names.push(name.to_owned());
        let base = strip_transcoding(name);
        let base_id = match self.stripped_ids.get(base) {
            Some(&base_id) => base_id,
            None => {
                let base_id = self.stripped_names.len();
                self.stripped_names.push(base.to_owned());
                self.stripped_ids.insert(base, base_id);
                base_id
            }
        };
        self.stripped.push(base_id);
        self.ids.insert(name, id);
        id
    }
}
