//! Modular pipelines: Kedro's `pipeline()` renaming rules
//! (`tests/pipeline/test_pipeline_namespacing.py`).

use weir_core::{Pipeline, PipelineError, pipeline};

use crate::common::n;

/// Kedro's verified example: `a:(raw, params:alpha)→mid`,
/// `b:(mid, params:beta, parameters)→out@pandas`, `c:out@spark→final`.
fn base() -> Pipeline {
    Pipeline::new([
        n("a", &["raw", "params:alpha"], &["mid"]),
        n("b", &["mid", "params:beta", "parameters"], &["out@pandas"]),
        n("c", &["out@spark"], &["final"]),
    ])
}

fn describe(pipeline: &Pipeline) -> Vec<String> {
    pipeline
        .nodes()
        .iter()
        .map(|node| {
            format!(
                "{}:({})->{}",
                node.full_name(),
                node.input_names().join(","),
                node.output_names().join(",")
            )
        })
        .collect()
}

#[test]
fn namespace_prefixes_nodes_datasets_and_parameters() {
    let namespaced = pipeline(base()).namespace("ns").build().unwrap();
    assert_eq!(
        describe(&namespaced),
        [
            "ns.a:(ns.raw,params:ns.alpha)->ns.mid",
            "ns.b:(ns.mid,params:ns.beta,parameters)->ns.out@pandas",
            "ns.c:(ns.out@spark)->ns.final",
        ]
    );
    assert!(
        namespaced
            .nodes()
            .iter()
            .all(|node| node.namespace_name() == Some("ns"))
    );
}

#[test]
fn mapped_names_are_not_namespaced() {
    let mapped = pipeline(base())
        .namespace("ns")
        .inputs([("raw", "raw_v2")])
        .outputs([("final", "final_v2")])
        .parameters([("alpha", "global_alpha")])
        .build()
        .unwrap();
    assert_eq!(
        describe(&mapped),
        [
            "ns.a:(raw_v2,params:global_alpha)->ns.mid",
            "ns.b:(ns.mid,params:ns.beta,parameters)->ns.out@pandas",
            "ns.c:(ns.out@spark)->final_v2",
        ]
    );
}

#[test]
fn kept_names_stay_as_they_are() {
    let kept = pipeline(base())
        .namespace("ns")
        .inputs("raw")
        .parameters(["params:beta"])
        .build()
        .unwrap();
    assert_eq!(kept.nodes()[0].input_names(), ["raw", "params:ns.alpha"]);
    assert_eq!(
        kept.nodes()[1].input_names(),
        ["ns.mid", "params:beta", "parameters"]
    );
}

#[test]
fn a_mapped_base_name_renames_every_transcoded_use() {
    let renamed = pipeline(base())
        .outputs([("out", "out_x")])
        .build()
        .unwrap();
    assert_eq!(renamed.nodes()[1].output_names(), ["out_x@pandas"]);
    assert_eq!(renamed.nodes()[2].input_names(), ["out_x@spark"]);
    // Exposing an intermediate is allowed.
    assert_eq!(renamed.nodes()[0].full_name(), "a");
}

#[test]
fn nested_namespaces_put_the_outer_first() {
    let inner = pipeline(base()).namespace("inner").build().unwrap();
    let nested = pipeline(inner).namespace("outer").build().unwrap();
    let first = &nested.nodes()[0];
    assert_eq!(first.full_name(), "outer.inner.a");
    assert_eq!(first.namespace_name(), Some("outer.inner"));
    assert_eq!(
        first.input_names(),
        ["outer.inner.raw", "params:outer.inner.alpha"]
    );
    assert_eq!(first.namespace_prefixes(), ["outer", "outer.inner"]);
}

#[test]
fn without_dataset_prefixing_only_nodes_are_namespaced() {
    let unprefixed = pipeline(base())
        .namespace("ns")
        .prefix_datasets_with_namespace(false)
        .build()
        .unwrap();
    assert_eq!(describe(&unprefixed)[0], "ns.a:(raw,params:alpha)->mid");
}

#[test]
fn tags_are_added_to_every_node() {
    let tagged = pipeline(base())
        .namespace("ns")
        .tags(["t"])
        .build()
        .unwrap();
    assert!(tagged.nodes().iter().all(|node| node.has_tag("t")));
}

#[test]
fn unknown_names_suggest_the_nearest() {
    let error = pipeline(base()).inputs("rwa").build().unwrap_err();
    assert_eq!(
        error.to_string(),
        "Failed to map datasets and/or parameters onto the nodes provided: rwa does not exist in the pipeline. - did you mean one of these instead: raw"
    );
    let several = pipeline(base()).inputs(["rwa", "zzz"]).build().unwrap_err();
    assert!(
        several
            .to_string()
            .contains("do not exist in the pipeline: rwa, zzz.")
    );
}

#[test]
fn parameters_belong_in_parameters() {
    let error = pipeline(base()).inputs("params:alpha").build().unwrap_err();
    assert_eq!(
        error,
        PipelineError::Mapping(
            "Parameters should be specified in the 'parameters' argument".into()
        )
    );
}

#[test]
fn inputs_must_be_free_and_outputs_produced() {
    let error = pipeline(base()).inputs("mid").build().unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("Inputs must not be outputs from another node in the same pipeline")
    );
    let error = pipeline(base()).outputs("raw").build().unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("All outputs must be generated by some node within the pipeline")
    );
}

#[test]
fn a_bad_mapping_used_as_a_pipeline_is_reported_by_validation() {
    let combined = Pipeline::new([pipeline(base()).inputs("rwa")]);
    let report = combined.check().unwrap_err();
    assert!(
        report
            .to_string()
            .contains("rwa does not exist in the pipeline")
    );
}

#[test]
fn namespaced_default_names_get_a_new_hash() {
    fn identity(x: u64) -> u64 {
        x
    }
    let plain = weir_core::node(identity).inputs("a").outputs("b");
    let namespaced = pipeline(plain.clone()).namespace("ns").build().unwrap();
    let renamed = &namespaced.nodes()[0];
    assert!(renamed.full_name().starts_with("ns.identity__"));
    assert_ne!(
        renamed.full_name().trim_start_matches("ns."),
        plain.full_name()
    );
}
