//! Runners: order, results, release of memory data, resume suggestions, failures, parallelism
//! (Kedro's `tests/runner/`).

use std::collections::HashSet;
use std::sync::Arc;

use weir_core::*;

use crate::common::{Log, LoggingDataset, catalog_with, entries, n, names};

fn sequential(is_async: bool) -> Box<dyn Runner> {
    Box::new(SequentialRunner::new().is_async(is_async))
}

fn parallel(is_async: bool) -> Box<dyn Runner> {
    Box::new(ParallelRunner::new().workers(2).is_async(is_async))
}

fn all_runners() -> Vec<(&'static str, Box<dyn Runner>)> {
    vec![
        ("sequential", sequential(false)),
        ("sequential async", sequential(true)),
        ("parallel", parallel(false)),
        ("parallel async", parallel(true)),
    ]
}

fn run(runner: &dyn Runner, pipeline: &Pipeline, catalog: &Catalog) -> Result<RunResult, RunError> {
    runner.run(pipeline, catalog, &NoHooks, &RunParams::new())
}

#[test]
fn runs_return_free_outputs_in_memory() {
    // Kedro's fan_out_fan_in: A → B → {C, D, E} → Z.
    let pipeline = Pipeline::new([
        n("b", &["A"], &["B"]),
        n("c", &["B"], &["C"]),
        n("d", &["B"], &["D"]),
        n("e", &["B"], &["E"]),
        n("z", &["C", "D", "E"], &["Z"]),
    ]);
    for (label, runner) in all_runners() {
        let catalog = catalog_with(&[("A", 1)]);
        let result = run(runner.as_ref(), &pipeline, &catalog).unwrap();
        // B = 2, C = D = E = 3, Z = 10.
        assert_eq!(result.output::<u64>("Z"), Some(&10), "{label}");
        assert_eq!(result.output_names, ["Z"], "{label}");
        assert_eq!(result.nodes.len(), 5, "{label}");
    }
}

#[test]
fn the_sequential_runner_follows_the_topological_order() {
    let pipeline = crate::common::kedro_transcoded();
    let mut catalog = catalog_with(&[("A", 1), ("D", 1)]);
    // The two transcoded names share one persisted dataset, as two entries over one file do.
    let shared: Arc<dyn AnyDataset> = Arc::new(LoggingDataset::new("G", &Log::default()));
    catalog.add_shared("G@pandas", Arc::clone(&shared));
    catalog.add_shared("G@spark", shared);
    let result = run(&SequentialRunner::new(), &pipeline, &catalog).unwrap();
    let order: Vec<&str> = result.nodes.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(order, names(&pipeline));
    assert_eq!(order, ["n0", "n1", "n2", "n4", "n3", "n5"]);
    assert_eq!(result.output::<u64>("H"), Some(&4));
}

#[test]
fn parameters_reach_nodes_through_param() {
    #[derive(serde::Deserialize)]
    struct Factor {
        factor: u64,
    }
    fn scale(x: u64, factor: Param<Factor>) -> u64 {
        x * factor.factor
    }
    let pipeline = Pipeline::new([node(scale).inputs(["x", "params:scaling"]).outputs("y")]);
    let mut catalog = catalog_with(&[("x", 7)]);
    catalog.add_parameters(serde_json::json!({"scaling": {"factor": 6}}));
    for (label, runner) in all_runners() {
        let result = run(runner.as_ref(), &pipeline, &catalog).unwrap();
        assert_eq!(result.output::<u64>("y"), Some(&42), "{label}");
    }
}

#[test]
fn missing_inputs_fail_before_running() {
    let pipeline = Pipeline::new([n("a", &["absent"], &["b"])]);
    for (label, runner) in all_runners() {
        let error = run(runner.as_ref(), &pipeline, &Catalog::new()).unwrap_err();
        assert!(matches!(error, RunError::Invalid(_)), "{label}");
        assert!(error.to_string().contains("dataset 'absent'"), "{label}");
    }
}

fn release_log(pipeline: &Pipeline, datasets: &[(&str, &str)], runner: &dyn Runner) -> Vec<String> {
    let log = Log::default();
    let mut catalog = Catalog::new();
    for (entry, label) in datasets {
        catalog.add(*entry, LoggingDataset::with_value(label, &log, 1));
    }
    run(runner, pipeline, &catalog).unwrap();
    entries(&log)
        .into_iter()
        .filter(|entry| !entry.starts_with("save:"))
        .collect()
}

#[test]
fn free_inputs_and_outputs_are_never_released() {
    let pipeline = Pipeline::new([n("a", &["in"], &["middle"]), n("b", &["middle"], &["out"])]);
    for is_async in [false, true] {
        let log = release_log(
            &pipeline,
            &[("in", "in"), ("middle", "middle"), ("out", "out")],
            sequential(is_async).as_ref(),
        );
        assert_eq!(log, ["load:in", "load:middle", "release:middle"]);
    }
}

#[test]
fn data_is_released_at_the_earliest_opportunity() {
    let pipeline = Pipeline::new([
        n("source", &[], &["first"]),
        n("identity", &["first"], &["second"]),
        n("sink", &["second"], &[]),
    ]);
    for is_async in [false, true] {
        let log = release_log(
            &pipeline,
            &[("first", "first"), ("second", "second")],
            sequential(is_async).as_ref(),
        );
        assert_eq!(
            log,
            [
                "load:first",
                "release:first",
                "load:second",
                "release:second"
            ]
        );
    }
}

#[test]
fn every_load_is_counted_before_release() {
    let pipeline = Pipeline::new([
        n("source", &[], &["dataset"]),
        n("bob", &["dataset"], &[]),
        n("fred", &["dataset"], &[]),
    ]);
    let log = release_log(
        &pipeline,
        &[("dataset", "dataset")],
        &SequentialRunner::new(),
    );
    assert_eq!(log, ["load:dataset", "load:dataset", "release:dataset"]);
}

#[test]
fn transcoded_entries_are_released_separately() {
    let pipeline = Pipeline::new([n("source", &[], &["ds@save"]), n("sink", &["ds@load"], &[])]);
    let log = release_log(
        &pipeline,
        &[("ds@save", "save"), ("ds@load", "load")],
        &SequentialRunner::new(),
    );
    assert_eq!(log, ["release:save", "load:load", "release:load"]);
}

#[test]
fn memory_is_freed_when_the_last_consumer_has_run() {
    // A big value held only by a memory dataset: once its only consumer ran, the catalog must
    // have dropped it, so the value observed inside the consumer is the last handle after it.
    #[derive(Clone)]
    struct Big(#[allow(dead_code)] Vec<u8>);
    impl Data for Big {}
    let observed: Arc<std::sync::Mutex<Option<Arc<Big>>>> = Arc::default();
    let seen = Arc::clone(&observed);
    let pipeline = Pipeline::new([
        node(|| Big(vec![0; 1 << 20])).outputs("big").name("make"),
        node(move |big: Arc<Big>| {
            if let Ok(mut slot) = seen.lock() {
                *slot = Some(big);
            }
            1_u64
        })
        .inputs("big")
        .outputs("done")
        .name("use"),
    ]);
    for (label, runner) in all_runners() {
        let catalog = Catalog::new();
        run(runner.as_ref(), &pipeline, &catalog).unwrap();
        let held = observed.lock().ok().and_then(|mut slot| slot.take());
        assert_eq!(held.map(|big| Arc::strong_count(&big)), Some(1), "{label}");
        assert!(!catalog.exists("big").unwrap(), "{label}");
        assert!(catalog.exists("done").unwrap(), "{label}");
    }
}

#[test]
fn confirms_are_called_after_the_node() {
    struct Confirmable(Log);
    impl Dataset for Confirmable {
        type Value = Value;
        fn load(&self) -> Result<Value, DatasetError> {
            Ok(Value::new(1_u64))
        }
        fn save(&self, _: &Value) -> Result<(), DatasetError> {
            Ok(())
        }
        fn confirm(&self) -> Result<(), DatasetError> {
            crate::common::record(&self.0, "confirmed".to_owned());
            Ok(())
        }
    }
    let log = Log::default();
    let mut catalog = Catalog::new();
    catalog.add("ds1", Confirmable(Arc::clone(&log)));
    let pipeline = Pipeline::new([n("a", &["ds1"], &["ds2"]).confirms("ds1")]);
    run(&SequentialRunner::new(), &pipeline, &catalog).unwrap();
    assert_eq!(entries(&log), ["confirmed"]);
    // Confirming a dataset without `confirm` fails the node.
    let pipeline = Pipeline::new([n("b", &["ds1"], &["ds3"]).confirms("ds3")]);
    let error = run(&SequentialRunner::new(), &pipeline, &catalog).unwrap_err();
    assert!(
        error.to_string().contains("does not have 'confirm' method"),
        "{error}"
    );
}

#[test]
fn a_panicking_node_fails_cleanly() {
    let pipeline = Pipeline::new([node(|x: u64| -> u64 {
        if x > 0 {
            panic!("x must be zero");
        }
        x
    })
    .inputs("x")
    .outputs("y")
    .name("strict")]);
    for (label, runner) in all_runners() {
        let catalog = catalog_with(&[("x", 1)]);
        let error = run(runner.as_ref(), &pipeline, &catalog).unwrap_err();
        assert_eq!(
            error.to_string(),
            "node 'strict' failed: the node panicked: x must be zero",
            "{label}"
        );
    }
}

#[test]
fn zero_workers_is_a_configuration_error() {
    let pipeline = Pipeline::new([n("a", &["x"], &["y"])]);
    let error = ParallelRunner::new()
        .workers(0)
        .run(
            &pipeline,
            &catalog_with(&[("x", 1)]),
            &NoHooks,
            &RunParams::new(),
        )
        .unwrap_err();
    assert_eq!(error.to_string(), "the number of workers must be positive");
}

#[test]
fn workers_are_capped_by_the_widest_possible_level() {
    let chain = Pipeline::new([n("a", &["x"], &["y"]), n("b", &["y"], &["z"])]);
    assert_eq!(
        ParallelRunner::new()
            .workers(8)
            .worker_count(&chain)
            .unwrap(),
        1
    );
    let wide = Pipeline::new((0..5).map(|i| n(&format!("n{i}"), &["x"], &[&format!("y{i}")])));
    assert_eq!(
        ParallelRunner::new()
            .workers(8)
            .worker_count(&wide)
            .unwrap(),
        5
    );
    assert_eq!(
        ParallelRunner::new()
            .workers(2)
            .worker_count(&wide)
            .unwrap(),
        2
    );
}

#[test]
fn after_a_parallel_failure_no_new_node_starts() {
    let started = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = Arc::clone(&started);
    let pipeline = Pipeline::new([
        node(|x: u64| -> Result<u64, String> { Err(format!("bad input {x}")) })
            .inputs("x")
            .outputs("a")
            .name("fails"),
        node(move |a: u64| {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            a
        })
        .inputs("a")
        .outputs("b")
        .name("downstream"),
    ]);
    let error = run(
        parallel(false).as_ref(),
        &pipeline,
        &catalog_with(&[("x", 3)]),
    )
    .unwrap_err();
    assert_eq!(error.to_string(), "node 'fails' failed: bad input 3");
    assert_eq!(started.load(std::sync::atomic::Ordering::SeqCst), 0);
    let resume = error.resume_suggestion().unwrap();
    assert_eq!(
        resume.to_string(),
        "No nodes ran. Repeat the previous command to attempt a new run."
    );
}

#[test]
fn only_missing_outputs_runs_what_is_needed() {
    let log = Log::default();
    let pipeline = Pipeline::new([
        n("make_a", &["raw"], &["a"]),
        n("make_b", &["a"], &["b"]),
        n("make_c", &["b"], &["c"]),
    ]);
    let mut catalog = catalog_with(&[("raw", 1)]);
    // `b` is persisted and exists; `c` is persisted and missing; `a` is memory.
    catalog.add("b", LoggingDataset::with_value("b", &log, 5));
    catalog.add("c", LoggingDataset::new("c", &log));
    let mut params = RunParams::new();
    params.only_missing_outputs = true;
    let result = SequentialRunner::new()
        .run(&pipeline, &catalog, &NoHooks, &params)
        .unwrap();
    let ran: Vec<&str> = result.nodes.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(ran, ["make_c"]);
    assert_eq!(catalog.load_as::<u64>("c").unwrap(), 6);
    // Now every persisted output exists: nothing runs.
    let result = SequentialRunner::new()
        .run(&pipeline, &catalog, &NoHooks, &params)
        .unwrap();
    assert!(result.nodes.is_empty());
}

// --- Resume suggestions (Kedro's tests/runner/test_resume_logic.py) ---

fn pipeline_asymmetric() -> Pipeline {
    Pipeline::new([
        n("node1", &["ds0_A"], &["_ds1"]),
        n("node2", &["ds0_B"], &["_ds2"]),
        n("node3", &["_ds1"], &["_ds3"]),
        n("node4", &["_ds2", "_ds3"], &["_ds4"]),
    ])
}

fn pipeline_triangular() -> Pipeline {
    Pipeline::new([
        n("node1", &["ds0_A"], &["_ds1_A"]),
        n("node2", &["_ds1_A"], &["ds2_A"]),
        n("node3", &["ds2_A", "_ds1_A"], &["_ds3_A"]),
    ])
}

fn two_branches_crossed() -> Pipeline {
    Pipeline::new([
        n("node1_A", &["ds0_A"], &["ds1_A"]),
        n("node1_B", &["ds0_B"], &["ds1_B"]),
        n("node2", &["ds1_A", "ds1_B"], &["ds2_A", "ds2_B"]),
        n("node3_A", &["ds2_A"], &["ds3_A"]),
        n("node3_B", &["ds2_B"], &["ds3_B"]),
        n("node4_A", &["ds3_A"], &["ds4_A"]),
        n("node4_B", &["ds3_B"], &["ds4_B"]),
    ])
}

const PERSISTENT: [&str; 6] = ["ds0_A", "ds0_B", "ds2_A", "ds2_B", "dsX", "dsY"];

#[allow(clippy::type_complexity)]
fn resume_cases() -> Vec<(Pipeline, Vec<&'static str>, Vec<&'static str>)> {
    vec![
        (
            pipeline_asymmetric(),
            vec!["node2", "node3", "node4"],
            vec!["node1", "node2"],
        ),
        (
            pipeline_asymmetric(),
            vec!["node3", "node4"],
            vec!["node1", "node2"],
        ),
        (pipeline_asymmetric(), vec!["node4"], vec!["node1", "node2"]),
        (pipeline_asymmetric(), vec![], vec![]),
        (Pipeline::empty(), vec![], vec![]),
        (pipeline_triangular(), vec!["node3"], vec!["node1"]),
        (
            two_branches_crossed(),
            vec![
                "node1_A", "node1_B", "node2", "node3_A", "node3_B", "node4_A", "node4_B",
            ],
            vec!["node1_A", "node1_B"],
        ),
        (
            two_branches_crossed(),
            vec!["node2", "node3_A", "node3_B", "node4_A", "node4_B"],
            vec!["node1_A", "node1_B"],
        ),
        (
            two_branches_crossed(),
            vec!["node3_A", "node3_B", "node4_A", "node4_B"],
            vec!["node3_A", "node3_B"],
        ),
        (
            two_branches_crossed(),
            vec!["node4_A", "node4_B"],
            vec!["node3_A", "node3_B"],
        ),
        (two_branches_crossed(), vec!["node4_A"], vec!["node3_A"]),
        (
            two_branches_crossed(),
            vec!["node3_A", "node4_A"],
            vec!["node3_A"],
        ),
    ]
}

#[test]
fn resume_suggestions_match_kedros_cases() {
    for (pipeline, remaining, expected) in resume_cases() {
        let found =
            find_nodes_to_resume_from(&pipeline, &remaining, |name| PERSISTENT.contains(&name));
        assert_eq!(found, expected, "remaining {remaining:?}");
    }
}

#[test]
fn resume_suggestions_with_a_shared_extra_input() {
    for extra in ["params:p", "dsY"] {
        for (pipeline, remaining, expected) in resume_cases() {
            let widened = Pipeline::new(pipeline.nodes().iter().map(|node| {
                let mut inputs: Vec<String> = node.input_names().to_vec();
                inputs.push(extra.to_owned());
                n(
                    node.full_name(),
                    &inputs.iter().map(String::as_str).collect::<Vec<_>>(),
                    &node
                        .output_names()
                        .iter()
                        .map(String::as_str)
                        .collect::<Vec<_>>(),
                )
            }));
            let found =
                find_nodes_to_resume_from(&widened, &remaining, |name| PERSISTENT.contains(&name));
            assert_eq!(found, expected, "extra {extra}, remaining {remaining:?}");
        }
    }
}

#[test]
fn with_every_dataset_persistent_resuming_runs_exactly_the_remaining_nodes() {
    for (pipeline, remaining, _) in resume_cases() {
        let found = find_nodes_to_resume_from(&pipeline, &remaining, |_| true);
        if remaining.is_empty() {
            assert!(found.is_empty());
            continue;
        }
        let resumed: HashSet<String> = names(&pipeline.from_nodes(&found).unwrap())
            .into_iter()
            .collect();
        let expected: HashSet<String> = remaining.iter().map(|s| (*s).to_owned()).collect();
        assert_eq!(resumed, expected);
    }
}

/// Runs `two_branches_crossed` with the named nodes failing and persisted `ds0_*`/`ds2_*`.
fn failing_run(failing: &[&str]) -> RunError {
    let log = Log::default();
    let pipeline = Pipeline::new(two_branches_crossed().nodes().iter().map(|node| {
        if failing.contains(&node.full_name()) {
            Node::new(node::NodeFunction::erased(
                "exception_fn",
                node.input_names().len(),
                node.output_names().len(),
                |_| Err("test exception".into()),
            ))
            .inputs(node.input_names())
            .outputs(node.output_names())
            .name(node.full_name())
        } else {
            node.clone()
        }
    }));
    let mut catalog = Catalog::new();
    for name in ["ds0_A", "ds0_B", "ds2_A", "ds2_B"] {
        catalog.add(name, LoggingDataset::with_value(name, &log, 1));
    }
    run(&SequentialRunner::new(), &pipeline, &catalog).unwrap_err()
}

#[test]
fn failed_runs_suggest_where_to_resume() {
    let cases: [(&[&str], Option<&str>); 6] = [
        (&["node1_A", "node1_B"], None),
        (&["node2"], Some("--from-nodes \"node1_A,node1_B\"")),
        (&["node3_A"], Some("--from-nodes \"node3_A,node3_B\"")),
        (&["node4_A"], Some("--from-nodes \"node3_A,node3_B\"")),
        (
            &["node3_A", "node4_A"],
            Some("--from-nodes \"node3_A,node3_B\""),
        ),
        (
            &["node2", "node4_A"],
            Some("--from-nodes \"node1_A,node1_B\""),
        ),
    ];
    for (failing, expected) in cases {
        let error = failing_run(failing);
        let resume = error.resume_suggestion().unwrap();
        assert_eq!(
            resume.argument().as_deref(),
            expected,
            "failing {failing:?}"
        );
        assert!(error.to_string().ends_with("test exception"));
    }
    let error = failing_run(&["node2"]);
    assert_eq!(
        error.resume_suggestion().unwrap().to_string(),
        "There are 5 nodes that have not run.\nYou can resume the pipeline run from the nearest nodes with persisted inputs by adding the following argument to your previous command:\n  --from-nodes \"node1_A,node1_B\""
    );
}

#[test]
fn a_chain_through_memory_resumes_from_the_persisted_start() {
    // Kedro's verified example: n1 (raw_in persisted) → a (memory) → n2 → b (memory) → n3 fails.
    let log = Log::default();
    let pipeline = Pipeline::new([
        n("n1", &["raw_in"], &["a"]),
        n("n2", &["a"], &["b"]),
        Node::new(node::NodeFunction::erased("maybe_fail", 1, 1, |_| {
            Err("boom".into())
        }))
        .inputs("b")
        .outputs("out")
        .name("n3"),
        n("n4", &["out"], &["final"]),
    ]);
    let mut catalog = Catalog::new();
    catalog.add("raw_in", LoggingDataset::with_value("raw_in", &log, 1));
    let error = run(&SequentialRunner::new(), &pipeline, &catalog).unwrap_err();
    let resume = error.resume_suggestion().unwrap();
    assert_eq!(resume.remaining, 2);
    assert_eq!(resume.from_nodes, ["n1"]);
}

/// A chain a → b → c → d whose second node requests the interrupt while it runs, as a signal
/// arriving mid-node does.
#[test]
fn an_interrupt_lets_the_running_node_finish_and_starts_no_other() {
    for (label, runner) in all_runners() {
        let mut params = RunParams::new();
        let interrupt = params.interrupt.clone();
        let pipeline = Pipeline::new([
            node(|x: u64| x + 1).name("a").inputs("A").outputs("B"),
            node(move |x: u64| {
                interrupt.request();
                x + 1
            })
            .name("b")
            .inputs("B")
            .outputs("C"),
            node(|x: u64| x + 1).name("c").inputs("C").outputs("D"),
            node(|x: u64| x + 1).name("d").inputs("D").outputs("E"),
        ]);
        let log = Log::default();
        let mut catalog = catalog_with(&[("A", 1)]);
        catalog.add("C", LoggingDataset::new("C", &log));
        params.run_id = format!("interrupted-{label}");
        let error = runner
            .run(&pipeline, &catalog, &NoHooks, &params)
            .unwrap_err();
        assert!(error.is_interrupted(), "{label}: {error}");
        // b finished and saved its output; c and d never started.
        let logged = entries(&log);
        assert!(logged.iter().any(|e| e == "save:C"), "{label}: {logged:?}");
        let resume = error.resume_suggestion().unwrap();
        assert_eq!(resume.remaining, 2, "{label}");
        assert_eq!(resume.from_nodes, ["c"], "{label}");
        assert_eq!(
            error.to_string(),
            "the run was interrupted: 2 of 4 nodes did not run",
            "{label}"
        );
    }
}

#[test]
fn an_interrupt_before_the_run_starts_runs_nothing() {
    for (label, runner) in all_runners() {
        let params = RunParams::new();
        params.interrupt.request();
        let pipeline = Pipeline::new([n("a", &["A"], &["B"]), n("b", &["B"], &["C"])]);
        let catalog = catalog_with(&[("A", 1)]);
        let error = runner
            .run(&pipeline, &catalog, &NoHooks, &params)
            .unwrap_err();
        assert!(error.is_interrupted(), "{label}");
        let resume = error.resume_suggestion().unwrap();
        assert_eq!(
            (resume.remaining, resume.any_completed),
            (2, false),
            "{label}"
        );
    }
}
