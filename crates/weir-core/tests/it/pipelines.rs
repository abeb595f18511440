//! Pipelines: construction, order, datasets, arithmetic and filters (Kedro's
//! `tests/pipeline/test_pipeline.py` and `test_pipeline_with_transcoding.py`).

use weir_core::{Pipeline, PipelineError, PipelineFilter, node};

use crate::common::{groups, n, names, sorted_names};

fn transcoded() -> Pipeline {
    crate::common::kedro_transcoded()
}

#[test]
fn topological_order_is_kahn_levels_sorted_by_name() {
    let pipeline = transcoded();
    assert_eq!(
        groups(&pipeline),
        [vec!["n0", "n1"], vec!["n2", "n4"], vec!["n3", "n5"]]
    );
    assert_eq!(names(&pipeline), ["n0", "n1", "n2", "n4", "n3", "n5"]);
}

#[test]
fn order_does_not_depend_on_insertion_order() {
    let forward = transcoded();
    let mut nodes = forward.nodes().to_vec();
    nodes.reverse();
    assert_eq!(names(&Pipeline::new(nodes)), names(&forward));
}

#[test]
fn group_index_is_the_longest_path_from_a_source() {
    // a → b → c and a → c: c waits for b, so it is in group 2, not 1.
    let pipeline = Pipeline::new([
        n("c", &["x", "y"], &["z"]),
        n("b", &["x"], &["y"]),
        n("a", &["in"], &["x"]),
    ]);
    assert_eq!(groups(&pipeline), [vec!["a"], vec!["b"], vec!["c"]]);
}

#[test]
fn free_inputs_and_outputs_strip_transcoding() {
    let pipeline = transcoded();
    assert_eq!(
        pipeline.inputs().into_iter().collect::<Vec<_>>(),
        ["A", "D"]
    );
    assert_eq!(
        pipeline.outputs().into_iter().collect::<Vec<_>>(),
        ["E", "H"]
    );
    assert!(pipeline.all_inputs().contains("G@spark"));
    assert!(pipeline.all_outputs().contains("G@pandas"));
    assert_eq!(pipeline.datasets().len(), 9);
}

#[test]
fn parameters_are_ordinary_free_inputs() {
    let pipeline = Pipeline::new([n("a", &["x", "params:alpha", "parameters"], &["y"])]);
    assert_eq!(
        pipeline.inputs().into_iter().collect::<Vec<_>>(),
        ["parameters", "params:alpha", "x"]
    );
}

#[test]
fn describe_matches_kedro() {
    let pipeline = Pipeline::new([n("first", &["a"], &["b"]), n("second", &["b"], &["c"])]);
    assert_eq!(
        pipeline.describe(),
        "#### Pipeline execution order ####\nInputs: a\n\nfirst\nsecond\n\nOutputs: c\n##################################"
    );
    assert!(Pipeline::empty().describe().contains("Inputs: None"));
}

#[test]
fn node_dependencies_list_parents() {
    let pipeline = transcoded();
    let dependencies = pipeline.node_dependencies();
    let n5 = dependencies.iter().find(|(name, _)| *name == "n5");
    assert_eq!(
        n5.map(|(_, parents)| parents.iter().copied().collect::<Vec<_>>()),
        Some(vec!["n4"])
    );
}

#[test]
fn equal_nodes_are_kept_once() {
    let pipeline = Pipeline::new([n("a", &["x"], &["y"]), n("a", &["x"], &["y"])]);
    assert_eq!(pipeline.len(), 1);
}

#[test]
fn pipelines_and_nodes_mix() {
    let inner = Pipeline::new([n("a", &["x"], &["y"])]);
    let outer = Pipeline::new([
        weir_core::PipelineItem::from(inner),
        n("b", &["y"], &["z"]).into(),
    ]);
    assert_eq!(names(&outer), ["a", "b"]);
}

#[test]
fn arithmetic_is_set_arithmetic_on_nodes() {
    let a = Pipeline::new([n("n1", &["x"], &["y"]), n("n2", &["y"], &["z"])]);
    let b = Pipeline::new([n("n2", &["y"], &["z"]), n("n3", &["z"], &["w"])]);
    assert_eq!(names(&(&a + &b)), ["n1", "n2", "n3"]);
    assert_eq!(names(&(&a | &b)), ["n1", "n2", "n3"]);
    assert_eq!(names(&(&a - &b)), ["n1"]);
    assert_eq!(names(&(&a & &b)), ["n2"]);
    let total: Pipeline = [a.clone(), b.clone()].into_iter().sum();
    assert_eq!(total, &a + &b);
    let empty: Pipeline = Vec::<Pipeline>::new().into_iter().sum();
    assert!(empty.is_empty());
}

#[test]
fn union_keeps_different_nodes_with_the_same_name_for_validation_to_report() {
    let a = Pipeline::new([n("same", &["x"], &["y"])]);
    let b = Pipeline::new([n("same", &["x"], &["z"])]);
    let both = a + b;
    assert_eq!(both.len(), 2);
    let report = both.check().unwrap_err();
    assert!(
        report
            .to_string()
            .contains("2 different nodes are named 'same'")
    );
}

#[test]
fn only_nodes_and_unknown_names() {
    let pipeline = transcoded();
    assert_eq!(
        sorted_names(&pipeline.only_nodes(&["n1", "n3"]).unwrap()),
        ["n1", "n3"]
    );
    let error = pipeline.only_nodes(&["zz"]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "Pipeline does not contain nodes named ['zz']."
    );
}

#[test]
fn unknown_node_suggests_namespaced_names() {
    let pipeline = Pipeline::new([n("zz", &["a"], &["b"]).namespace("ns")]);
    let error = pipeline.only_nodes(&["zz"]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "Pipeline does not contain nodes named ['zz']. Did you mean: ['ns.zz']?"
    );
}

#[test]
fn only_nodes_with_tags_keeps_any_tag() {
    let pipeline = Pipeline::new([
        n("a", &["x"], &["y"]).tags(["t1"]),
        n("b", &["y"], &["z"]).tags(["t2", "t3"]),
        n("c", &["z"], &["w"]),
    ]);
    assert_eq!(
        names(&pipeline.only_nodes_with_tags(&["t1", "t3"])),
        ["a", "b"]
    );
    assert!(pipeline.only_nodes_with_tags::<&str>(&[]).is_empty());
    assert_eq!(
        names(&pipeline.tag(["all"]).only_nodes_with_tags(&["all"])).len(),
        3
    );
}

#[test]
fn namespaces_match_whole_segments() {
    let pipeline = Pipeline::new([
        n("a", &["x"], &["y"]).namespace("data"),
        n("b", &["y"], &["z"]).namespace("data.inner"),
        n("c", &["z"], &["w"]).namespace("database"),
    ]);
    assert_eq!(
        names(&pipeline.only_nodes_with_namespaces(&["data"]).unwrap()),
        ["data.a", "data.inner.b"]
    );
    let error = pipeline
        .only_nodes_with_namespaces(&["data", "inner"])
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "Pipeline does not contain nodes with the following namespaces: ['inner']"
    );
}

#[test]
fn dataset_filters_follow_transcoding_rules() {
    let pipeline = transcoded();
    assert_eq!(names(&pipeline.from_inputs(&["G"]).unwrap()), ["n5"]);
    assert_eq!(names(&pipeline.from_inputs(&["G@spark"]).unwrap()), ["n5"]);
    assert_eq!(names(&pipeline.to_outputs(&["G"]).unwrap()), ["n0", "n4"]);
    assert_eq!(
        names(&pipeline.to_outputs(&["H"]).unwrap()),
        ["n0", "n4", "n5"]
    );
    assert_eq!(names(&pipeline.from_inputs(&["F"]).unwrap()), ["n4", "n5"]);
    assert_eq!(
        names(&pipeline.only_nodes_with_inputs(&["A"]).unwrap()),
        ["n0", "n1"]
    );
    assert_eq!(
        names(&pipeline.only_nodes_with_outputs(&["G"]).unwrap()),
        ["n4"]
    );
    assert!(
        pipeline
            .only_nodes_with_outputs(&["G@spark"])
            .unwrap()
            .is_empty()
    );
    let error = pipeline.from_inputs(&["ZZ"]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "Pipeline does not contain datasets named ['ZZ']"
    );
    assert!(matches!(
        pipeline.to_outputs(&["G@nope"]),
        Err(PipelineError::UnknownDatasets { .. })
    ));
}

#[test]
fn from_nodes_and_to_nodes() {
    let pipeline = transcoded();
    assert_eq!(
        names(&pipeline.from_nodes(&["n1"]).unwrap()),
        ["n1", "n2", "n3"]
    );
    assert_eq!(
        names(&pipeline.from_nodes(&["n0"]).unwrap()),
        ["n0", "n4", "n5"]
    );
    assert_eq!(
        names(&pipeline.to_nodes(&["n3"]).unwrap()),
        ["n1", "n2", "n3"]
    );
    assert_eq!(
        names(&pipeline.to_nodes(&["n5"]).unwrap()),
        ["n0", "n4", "n5"]
    );
    assert!(pipeline.from_nodes(&["nope"]).is_err());
}

#[test]
fn filter_intersects_every_criterion_applied_to_the_original() {
    let pipeline = Pipeline::new([
        n("n1", &["A"], &["B"]).tags(["t1"]),
        n("n2", &["B"], &["C"]).tags(["t2"]),
        n("n3", &["C"], &["D"]).tags(["t1"]),
    ]);
    let by_names_and_inputs = pipeline
        .filter(&PipelineFilter {
            node_names: vec!["n1".into(), "n3".into()],
            from_inputs: vec!["A".into()],
            ..PipelineFilter::default()
        })
        .unwrap();
    assert_eq!(names(&by_names_and_inputs), ["n1", "n3"]);
    let tags_to_nodes = pipeline
        .filter(&PipelineFilter {
            tags: vec!["t1".into()],
            to_nodes: vec!["n2".into()],
            ..PipelineFilter::default()
        })
        .unwrap();
    assert_eq!(names(&tags_to_nodes), ["n1"]);
    // Order of criteria does not matter: from_nodes then to_nodes is a slice.
    let slice = pipeline
        .filter(&PipelineFilter {
            from_nodes: vec!["n2".into()],
            to_nodes: vec!["n3".into()],
            ..PipelineFilter::default()
        })
        .unwrap();
    assert_eq!(names(&slice), ["n2", "n3"]);
    assert_eq!(pipeline.filter(&PipelineFilter::new()).unwrap(), pipeline);
}

#[test]
fn filter_to_nothing_is_an_error() {
    let pipeline = Pipeline::new([n("n1", &["A"], &["B"]).tags(["t1"])]);
    let error = pipeline
        .filter(&PipelineFilter {
            tags: vec!["absent".into()],
            ..PipelineFilter::default()
        })
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "Pipeline contains no nodes after applying all provided filters. Please ensure that at least one pipeline with nodes has been defined."
    );
    assert!(Pipeline::empty().filter(&PipelineFilter::new()).is_err());
}

#[test]
fn typed_nodes_display_like_kedro() {
    fn maybe_fail(b: u64, fail: serde_json::Value) -> u64 {
        let _ = fail;
        b
    }
    let node = node(maybe_fail)
        .inputs(["b", "params:fail"])
        .outputs("out")
        .name("n3");
    assert_eq!(node.to_string(), "n3: maybe_fail([b;params:fail]) -> [out]");
}

/// Kedro's `pipeline_list_with_lists` fixture.
fn complex() -> Pipeline {
    Pipeline::new([
        n("node1", &["H", "I", "M"], &["N"]),
        n("node2", &["H"], &["I"]),
        n("node3", &["F"], &["G", "M"]),
        n("node4", &["E"], &["F", "H"]),
        n("node5", &["D"], &[]),
        n("node6", &["C"], &["D"]).tags(["foo"]),
        n("node7", &["B"], &["C", "E"]).tags(["foo"]),
        n("node8", &["A"], &["B", "L"]),
        n("node9", &[], &["A"]),
    ])
}

fn as_set(pipeline: Result<Pipeline, PipelineError>) -> Vec<String> {
    sorted_names(&pipeline.unwrap())
}

#[test]
fn kedro_complex_pipeline_groups_and_datasets() {
    let pipeline = complex();
    assert_eq!(
        groups(&pipeline),
        [
            vec!["node9"],
            vec!["node8"],
            vec!["node7"],
            vec!["node4", "node6"],
            vec!["node2", "node3", "node5"],
            vec!["node1"],
        ]
    );
    assert!(pipeline.inputs().is_empty());
    assert_eq!(
        pipeline.outputs().into_iter().collect::<Vec<_>>(),
        ["G", "L", "N"]
    );
    let dependencies: Vec<(String, Vec<String>)> = pipeline
        .node_dependencies()
        .into_iter()
        .map(|(node, parents)| {
            (
                node.to_owned(),
                parents.into_iter().map(str::to_owned).collect(),
            )
        })
        .collect();
    let node1 = dependencies
        .iter()
        .find(|(n, _)| n == "node1")
        .map(|(_, p)| p.clone());
    assert_eq!(
        node1,
        Some(vec!["node2".into(), "node3".into(), "node4".into()])
    );
}

#[test]
fn kedro_complex_pipeline_filters() {
    let pipeline = complex();
    let filter = |f: PipelineFilter| as_set(pipeline.filter(&f));
    assert_eq!(
        filter(PipelineFilter {
            tags: vec!["foo".into()],
            ..Default::default()
        }),
        ["node6", "node7"]
    );
    assert_eq!(
        filter(PipelineFilter {
            from_nodes: vec!["node4".into()],
            ..Default::default()
        }),
        ["node1", "node2", "node3", "node4"]
    );
    assert_eq!(
        filter(PipelineFilter {
            to_nodes: vec!["node4".into()],
            ..Default::default()
        }),
        ["node4", "node7", "node8", "node9"]
    );
    assert_eq!(
        filter(PipelineFilter {
            node_names: vec!["node4".into(), "node5".into()],
            ..Default::default()
        }),
        ["node4", "node5"]
    );
    assert_eq!(
        filter(PipelineFilter {
            from_inputs: vec!["F".into()],
            ..Default::default()
        }),
        ["node1", "node3"]
    );
    assert_eq!(
        filter(PipelineFilter {
            to_outputs: vec!["F".into()],
            ..Default::default()
        }),
        ["node4", "node7", "node8", "node9"]
    );
    assert_eq!(
        as_set(pipeline.from_nodes(&["node3", "node2"])),
        ["node1", "node2", "node3"]
    );
    assert_eq!(
        as_set(pipeline.to_nodes(&["node4", "node6"])),
        ["node4", "node6", "node7", "node8", "node9"]
    );
    let combined =
        &pipeline.from_nodes(&["node4"]).unwrap() & &pipeline.to_outputs(&["M"]).unwrap();
    assert_eq!(sorted_names(&combined), ["node3", "node4"]);
}

#[test]
fn a_dataset_read_twice_is_one_input() {
    let pipeline = Pipeline::new([n("node1", &["A", "A"], &["B"]), n("node2", &["B"], &["C"])]);
    assert_eq!(pipeline.inputs().into_iter().collect::<Vec<_>>(), ["A"]);
    assert_eq!(groups(&pipeline), [vec!["node1"], vec!["node2"]]);
}

#[test]
fn unknown_node_suggests_names_spelled_alike() {
    let pipeline = Pipeline::new([
        n("preprocess_companies", &["a"], &["b"]),
        n("preprocess_shuttles", &["b"], &["c"]),
    ]);
    let error = pipeline.only_nodes(&["preproces_companies"]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "Pipeline does not contain nodes named ['preproces_companies']. Did you mean: ['preprocess_companies', 'preprocess_shuttles']?"
    );
}
