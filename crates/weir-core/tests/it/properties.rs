//! Property tests on random DAGs: order respects every edge, the parallel runner matches the
//! sequential one (outputs and per-node hook sequences), filters are idempotent.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use proptest::prelude::*;
use weir_core::node::NodeFunction;
use weir_core::*;

/// A random DAG: node `i` reads a subset of the outputs of nodes before it (and maybe the
/// source), and writes `d{i}`; some nodes get a tag.
#[derive(Debug, Clone)]
struct Dag {
    inputs: Vec<Vec<usize>>,
    reads_source: Vec<bool>,
    tagged: Vec<bool>,
}

fn dag(max_nodes: usize) -> impl Strategy<Value = Dag> {
    (2..max_nodes).prop_flat_map(|count| {
        (
            proptest::collection::vec(
                proptest::collection::vec(any::<prop::sample::Index>(), 0..4),
                count,
            ),
            proptest::collection::vec(any::<bool>(), count),
            proptest::collection::vec(any::<bool>(), count),
        )
            .prop_map(move |(picks, reads_source, tagged)| {
                let inputs = picks
                    .iter()
                    .enumerate()
                    .map(|(i, picks)| {
                        let mut chosen: Vec<usize> = if i == 0 {
                            Vec::new()
                        } else {
                            picks.iter().map(|pick| pick.index(i)).collect()
                        };
                        chosen.sort_unstable();
                        chosen.dedup();
                        chosen
                    })
                    .collect();
                Dag {
                    inputs,
                    reads_source,
                    tagged,
                }
            })
    })
}

/// Node `i` computes `i + 1 + sum(inputs)` (wrapping), so every output depends on the order of
/// nothing but the data.
fn build(dag: &Dag) -> Pipeline {
    Pipeline::new((0..dag.inputs.len()).map(|i| {
        let mut inputs: Vec<String> = dag.inputs[i].iter().map(|j| format!("d{j}")).collect();
        if dag.reads_source[i] || inputs.is_empty() {
            inputs.push("source".to_owned());
        }
        let offset = i as u64 + 1;
        let node = Node::new(NodeFunction::erased("f", inputs.len(), 1, move |values| {
            let total = values
                .iter()
                .filter_map(|v| v.downcast_ref::<u64>())
                .fold(offset, |sum, v| sum.wrapping_add(*v));
            Ok(vec![Value::new(total)])
        }))
        .inputs(inputs)
        .outputs(format!("d{i}"))
        // Names that do not sort like their index, so the order is really computed.
        .name(format!("node_{:03}", (i * 7919) % 1000));
        if dag.tagged[i] {
            node.tags(["t"])
        } else {
            node
        }
    }))
}

/// Per node, the sequence of hook events it received.
#[derive(Default)]
struct PerNode(Mutex<HashMap<String, Vec<String>>>);

impl PerNode {
    fn push(&self, node: &Node, event: String) {
        if let Ok(mut map) = self.0.lock() {
            map.entry(node.full_name().to_owned())
                .or_default()
                .push(event);
        }
    }

    fn take(&self) -> BTreeMap<String, Vec<String>> {
        self.0
            .lock()
            .map(|mut map| map.drain().collect())
            .unwrap_or_default()
    }
}

impl Hooks for PerNode {
    fn before_dataset_loaded(&self, e: &BeforeDatasetLoaded<'_>) -> HookResult {
        self.push(e.node, format!("before_load {}", e.dataset_name));
        Ok(())
    }
    fn after_dataset_loaded(&self, e: &AfterDatasetLoaded<'_>) -> HookResult {
        self.push(e.node, format!("after_load {}", e.dataset_name));
        Ok(())
    }
    fn before_node_run(&self, e: &BeforeNodeRun<'_>) -> Result<NodeDirective, BoxError> {
        self.push(e.node, format!("before_node_run {}", e.inputs.len()));
        Ok(NodeDirective::proceed())
    }
    fn after_node_run(&self, e: &AfterNodeRun<'_>) -> HookResult {
        let out = e
            .outputs
            .iter()
            .map(|(_, v)| v.downcast_ref::<u64>().copied().unwrap_or(0))
            .sum::<u64>();
        self.push(e.node, format!("after_node_run {out}"));
        Ok(())
    }
    fn before_dataset_saved(&self, e: &BeforeDatasetSaved<'_>) -> HookResult {
        self.push(e.node, format!("before_save {}", e.dataset_name));
        Ok(())
    }
    fn after_dataset_saved(&self, e: &AfterDatasetSaved<'_>) -> HookResult {
        self.push(e.node, format!("after_save {}", e.dataset_name));
        Ok(())
    }
}

fn run_and_collect(
    pipeline: &Pipeline,
    runner: &dyn Runner,
) -> (BTreeMap<String, u64>, BTreeMap<String, Vec<String>>) {
    let mut catalog = Catalog::new();
    catalog.add_value("source", 1_u64);
    let hook = Arc::new(PerNode::default());
    let hooks = HookManager::new().with(Arc::clone(&hook));
    let result = runner
        .run(pipeline, &catalog, &hooks, &RunParams::new())
        .expect("the random pipeline runs");
    let outputs = result
        .outputs
        .iter()
        .map(|(name, value)| {
            (
                name.clone(),
                value.downcast_ref::<u64>().copied().unwrap_or(0),
            )
        })
        .collect();
    (outputs, hook.take())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, .. ProptestConfig::default() })]

    #[test]
    fn topological_order_respects_every_edge(dag in dag(300)) {
        let pipeline = build(&dag);
        prop_assert_eq!(pipeline.len(), dag.inputs.len());
        let position: HashMap<&str, usize> = pipeline
            .nodes()
            .iter()
            .enumerate()
            .flat_map(|(p, node)| node.output_names().iter().map(move |o| (o.as_str(), p)))
            .collect();
        for (p, node) in pipeline.nodes().iter().enumerate() {
            for input in node.input_names() {
                if let Some(&producer) = position.get(input.as_str()) {
                    prop_assert!(producer < p, "{} runs before its input {}", node.full_name(), input);
                }
            }
        }
        // Groups: a node's group is after every parent's group.
        let groups = pipeline.grouped_nodes();
        let group_of: HashMap<&str, usize> = groups
            .iter()
            .enumerate()
            .flat_map(|(g, nodes)| nodes.iter().map(move |n| (n.full_name(), g)))
            .collect();
        for (node, parents) in pipeline.node_dependencies() {
            for parent in parents {
                prop_assert!(group_of[parent] < group_of[node]);
            }
        }
        prop_assert_eq!(pipeline.check(), Ok(()));
    }

    #[test]
    fn the_parallel_runner_matches_the_sequential_runner(dag in dag(200), workers in 1_usize..5) {
        let pipeline = build(&dag);
        let (sequential_outputs, sequential_events) = run_and_collect(&pipeline, &SequentialRunner::new());
        let (parallel_outputs, parallel_events) =
            run_and_collect(&pipeline, &ParallelRunner::new().workers(workers));
        prop_assert_eq!(&sequential_outputs, &parallel_outputs);
        prop_assert_eq!(sequential_events.len(), pipeline.len());
        prop_assert_eq!(sequential_events, parallel_events);
        let (async_outputs, _) =
            run_and_collect(&pipeline, &ParallelRunner::new().workers(workers).is_async(true));
        prop_assert_eq!(sequential_outputs, async_outputs);
    }

    #[test]
    fn filters_are_idempotent(dag in dag(120), pick in any::<prop::sample::Index>()) {
        let pipeline = build(&dag);
        let name = pipeline.nodes()[pick.index(pipeline.len())].full_name().to_owned();
        let dataset = pipeline.nodes()[pick.index(pipeline.len())].output_names()[0].clone();
        let once = pipeline.from_nodes(&[&name]).unwrap();
        prop_assert_eq!(once.from_nodes(&[&name]).unwrap(), once.clone());
        let once = pipeline.to_nodes(&[&name]).unwrap();
        prop_assert_eq!(once.to_nodes(&[&name]).unwrap(), once.clone());
        let once = pipeline.from_inputs(&[&dataset]).unwrap();
        if !once.is_empty() {
            prop_assert_eq!(once.from_inputs(&[&dataset]).unwrap(), once.clone());
        }
        let once = pipeline.to_outputs(&[&dataset]).unwrap();
        prop_assert_eq!(once.to_outputs(&[&dataset]).unwrap(), once.clone());
        let once = pipeline.only_nodes_with_tags(&["t"]);
        prop_assert_eq!(once.only_nodes_with_tags(&["t"]), once.clone());
        // A slice from a node to itself is the node.
        let slice = pipeline.filter(&PipelineFilter {
            from_nodes: vec![name.clone()],
            to_nodes: vec![name.clone()],
            ..PipelineFilter::default()
        }).unwrap();
        prop_assert_eq!(crate::common::names(&slice), vec![name]);
    }
}
