//! The hook on real pipelines and runners, read back from a UDP listener.

use std::time::Duration;

use serde_json::json;
use weir::prelude::*;
use weir::{ContextCreated, RunError, RunResult};
use weir_statsd::{StatsdConfig, StatsdHook, TagStyle};

use crate::{Line, Listener, hook_for, parse, small_catalog, small_pipeline};

fn run(hook: &StatsdHook, pipeline: &Pipeline, catalog: &Catalog) -> Result<RunResult, RunError> {
    SequentialRunner::new().run(pipeline, catalog, hook, &RunParams::with_run_id("run-1"))
}

fn named<'a>(lines: &'a [Line], name: &str) -> Vec<&'a Line> {
    lines.iter().filter(|l| l.name == name).collect()
}

fn one<'a>(lines: &'a [Line], name: &str, kind: &str) -> &'a Line {
    let found = named(lines, name);
    assert_eq!(found.len(), 1, "{name}: {found:?} in {lines:#?}");
    assert_eq!(found[0].kind, kind, "{name}");
    found[0]
}

#[test]
fn a_run_sends_run_node_and_dataset_metrics_with_types_and_values() {
    let listener = Listener::new();
    let hook = hook_for(&listener, |c| c);
    run(&hook, &small_pipeline(), &small_catalog(1000)).unwrap();
    let raw = listener.lines();
    let lines: Vec<Line> = raw.iter().map(|l| parse(l)).collect();

    assert_eq!(one(&lines, "weir.run.__default__.started", "c").value, 1.0);
    assert_eq!(
        one(&lines, "weir.run.__default__.succeeded", "c").value,
        1.0
    );
    assert!(named(&lines, "weir.run.__default__.failed").is_empty());
    let run_ms = one(&lines, "weir.run.__default__.duration", "ms").value;
    assert!(run_ms > 0.0, "{run_ms}");

    // Node names are one sanitised segment: the namespace's dot becomes `_`.
    let mut node_total = 0.0;
    for node in ["ingest_make_table", "double-node", "count"] {
        let ms = one(&lines, &format!("weir.node.{node}.duration"), "ms").value;
        assert!((0.0..run_ms).contains(&ms), "{node}: {ms} of {run_ms}");
        node_total += ms;
    }
    assert!(node_total <= run_ms, "{node_total} > {run_ms}");

    // Tables: rows exactly; bytes at least 16 per row (a u64 and an f64 column).
    assert_eq!(
        one(&lines, "weir.dataset.ingest_table.save.rows", "g").value,
        1000.0
    );
    assert_eq!(
        one(&lines, "weir.dataset.ingest_table.load.rows", "g").value,
        1000.0
    );
    assert_eq!(
        one(&lines, "weir.dataset.doubled.save.rows", "g").value,
        2000.0
    );
    let bytes = one(&lines, "weir.dataset.doubled.save.bytes", "g").value;
    assert!((32_000.0..64_000.0).contains(&bytes), "{bytes}");
    for dataset in ["ingest_table", "doubled", "row_count"] {
        one(
            &lines,
            &format!("weir.dataset.{dataset}.save.duration"),
            "ms",
        );
    }
    for dataset in ["rows", "ingest_table", "doubled"] {
        one(
            &lines,
            &format!("weir.dataset.{dataset}.load.duration"),
            "ms",
        );
    }
    // `rows` and `row_count` are numbers, not tables: no sizes.
    assert!(named(&lines, "weir.dataset.row_count.save.rows").is_empty());

    // Nodes running: 1 while each runs, 0 at the start and the end.
    let running: Vec<f64> = named(&lines, "weir.nodes.__default__.running")
        .iter()
        .map(|l| l.value)
        .collect();
    assert_eq!(running.first(), Some(&0.0));
    assert_eq!(running.last(), Some(&0.0));
    assert_eq!(
        running.iter().copied().fold(0.0, f64::max),
        1.0,
        "{running:?}"
    );
    assert!(lines.iter().all(|l| !l.name.contains("failed")));

    // Everything was received, packed into few datagrams.
    let stats = hook.stats();
    assert_eq!(stats.lines, raw.len() as u64);
    assert!(stats.datagrams < stats.lines / 2, "{stats:?}");
    assert_eq!(stats.failed_datagrams, 0);
}

struct BrokenSave;

impl Dataset for BrokenSave {
    type Value = DataFrame;

    fn load(&self) -> Result<DataFrame, DatasetError> {
        Err(DatasetError::message("nothing saved yet"))
    }

    fn save(&self, _: &DataFrame) -> Result<(), DatasetError> {
        Err(DatasetError::message("the disk is full"))
    }
}

fn explode(_: u64) -> Result<u64, String> {
    Err("the model diverged".to_owned())
}

#[test]
fn failed_nodes_saves_and_runs_are_counted() {
    let listener = Listener::new();
    let hook = hook_for(&listener, |c| c);
    let pipeline = Pipeline::new([node(explode)
        .inputs("rows")
        .outputs("model")
        .name("train_model")]);
    assert!(run(&hook, &pipeline, &small_catalog(3)).is_err());
    let lines: Vec<Line> = listener.lines().iter().map(|l| parse(l)).collect();
    assert_eq!(one(&lines, "weir.node.train_model.failed", "c").value, 1.0);
    assert_eq!(one(&lines, "weir.run.__default__.failed", "c").value, 1.0);
    one(&lines, "weir.run.__default__.duration", "ms");
    assert!(named(&lines, "weir.run.__default__.succeeded").is_empty());
    assert!(named(&lines, "weir.node.train_model.duration").is_empty());
    let running = named(&lines, "weir.nodes.__default__.running");
    assert_eq!(running.last().unwrap().value, 0.0);

    // A save that fails after the function ran: the dataset and the node are counted.
    let mut catalog = small_catalog(10);
    catalog.add("ingest.table", BrokenSave);
    assert!(run(&hook, &small_pipeline(), &catalog).is_err());
    let lines: Vec<Line> = listener.lines().iter().map(|l| parse(l)).collect();
    assert_eq!(
        one(&lines, "weir.dataset.ingest_table.save.failed", "c").value,
        1.0
    );
    assert_eq!(
        one(&lines, "weir.node.ingest_make_table.failed", "c").value,
        1.0
    );
    assert_eq!(one(&lines, "weir.run.__default__.failed", "c").value, 1.0);
    let running: Vec<f64> = named(&lines, "weir.nodes.__default__.running")
        .iter()
        .map(|l| l.value)
        .collect();
    assert_eq!(running.last(), Some(&0.0), "{running:?}");
}

fn trivial(x: u64) -> u64 {
    x + 1
}

#[test]
fn dogstatsd_tags_prefix_and_sample_rates() {
    let listener = Listener::new();
    let hook = hook_for(&listener, |c| {
        let mut c = c
            .prefix("team.weir")
            .tag_style(TagStyle::Dogstatsd)
            .sample_rate_of("node.duration", 0.5);
        c.tags.insert("env".to_owned(), "prod".to_owned());
        c.dataset_sizes = false;
        c
    });
    run(&hook, &small_pipeline(), &small_catalog(100)).unwrap();
    let lines: Vec<Line> = listener.lines().iter().map(|l| parse(l)).collect();
    let started = one(&lines, "team.weir.run.started", "c");
    assert_eq!(started.tags["pipeline"], "__default__");
    assert_eq!(started.tags["env"], "prod");
    assert!(
        named(&lines, "team.weir.dataset.save.rows").is_empty(),
        "sizes are off"
    );
    for line in named(&lines, "team.weir.node.duration") {
        assert_eq!(line.rate, Some(0.5));
        assert!(
            ["ingest.make_table", "double-node", "count"].contains(&line.tags["node"].as_str())
        );
        if line.tags["node"] == "ingest.make_table" {
            assert_eq!(line.tags["namespace"], "ingest");
        }
    }
    let save = &named(&lines, "team.weir.dataset.save.duration")[0];
    assert!(save.tags.contains_key("dataset"), "{save:?}");
    assert_eq!(
        save.rate, None,
        "dataset durations keep the default rate of 1"
    );

    // Over 400 nodes, about half the node durations are sent.
    let chain = Pipeline::new((0..400).map(|i| {
        node(trivial)
            .inputs(format!("x{i}"))
            .outputs(format!("x{}", i + 1))
            .name(format!("n{i}"))
    }));
    let mut catalog = Catalog::new();
    catalog.add_value("x0", 0u64);
    run(&hook, &chain, &catalog).unwrap();
    let lines: Vec<Line> = listener.lines().iter().map(|l| parse(l)).collect();
    let sent = named(&lines, "team.weir.node.duration").len();
    assert!((140..260).contains(&sent), "{sent} of 400 at rate 0.5");
    assert_eq!(one(&lines, "team.weir.run.succeeded", "c").value, 1.0);
}

fn nap(x: u64) -> u64 {
    std::thread::sleep(Duration::from_millis(150));
    x
}

#[test]
fn the_parallel_runner_shows_two_nodes_running() {
    let listener = Listener::new();
    let hook = hook_for(&listener, |c| c);
    let pipeline = Pipeline::new([
        node(nap).inputs("rows").outputs("a").name("left"),
        node(nap).inputs("rows").outputs("b").name("right"),
    ]);
    ParallelRunner::new()
        .workers(2)
        .run(
            &pipeline,
            &small_catalog(1),
            &hook,
            &RunParams::with_run_id("p"),
        )
        .unwrap();
    let lines: Vec<Line> = listener.lines().iter().map(|l| parse(l)).collect();
    let running: Vec<f64> = named(&lines, "weir.nodes.__default__.running")
        .iter()
        .map(|l| l.value)
        .collect();
    assert_eq!(
        running.iter().copied().fold(0.0, f64::max),
        2.0,
        "{running:?}"
    );
    assert_eq!(running.last(), Some(&0.0));
    for side in ["left", "right"] {
        let ms = one(&lines, &format!("weir.node.{side}.duration"), "ms").value;
        assert!(ms >= 150.0, "{side}: {ms}");
    }
    assert_eq!(
        one(&lines, "weir.run.__default__.succeeded", "c").value,
        1.0
    );
}

fn conf(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for env in ["base", "local"] {
        std::fs::create_dir_all(dir.path().join(env)).unwrap();
    }
    for (path, text) in files {
        std::fs::write(dir.path().join(path), text).unwrap();
    }
    dir
}

fn start_session(hook: &StatsdHook, dir: &tempfile::TempDir) -> HookResult {
    let loader = ConfigLoader::new(dir.path());
    let parameters = json!({});
    hook.after_context_created(
        &ContextCreated::new(dir.path(), "local", &parameters).with_config(&loader),
    )
}

#[test]
fn statsd_yml_configures_the_hook() {
    let listener = Listener::new();
    let dir = conf(&[
        (
            "base/statsd.yml",
            "host: 127.0.0.1\nport: 1\nprefix: pipelines\n",
        ),
        (
            "local/statsd.yml",
            &format!("port: {}\nprefix: pipelines.dev\n", listener.port()),
        ),
    ]);
    let hook = StatsdHook::new();
    start_session(&hook, &dir).unwrap();
    run(&hook, &small_pipeline(), &small_catalog(5)).unwrap();
    let lines: Vec<Line> = listener.lines().iter().map(|l| parse(l)).collect();
    assert_eq!(
        one(&lines, "pipelines.dev.run.__default__.succeeded", "c").value,
        1.0
    );
    assert!(lines.iter().all(|l| l.name.starts_with("pipelines.dev.")));

    // `enabled: false` sends nothing.
    let dir = conf(&[(
        "base/statsd.yml",
        &format!("port: {}\nenabled: false\n", listener.port()),
    )]);
    let hook = StatsdHook::new();
    start_session(&hook, &dir).unwrap();
    run(&hook, &small_pipeline(), &small_catalog(5)).unwrap();
    assert!(listener.lines().is_empty());
    assert_eq!(hook.stats().lines, 0);
}

#[test]
fn a_bad_statsd_yml_fails_at_startup_naming_the_file_and_line() {
    let dir = conf(&[(
        "base/statsd.yml",
        "host: 127.0.0.1\nport: 8125\nsample_rates:\n  node.duraton: 0.5\n",
    )]);
    let error = start_session(&StatsdHook::new(), &dir).unwrap_err();
    let settings = error
        .downcast_ref::<weir_config::SettingsError>()
        .expect("a located settings error");
    assert!(
        settings.location.contains("base/statsd.yml:4:"),
        "{settings}"
    );
    assert_eq!(settings.key, "sample_rates.node.duraton");
    assert!(settings.message.contains("unknown metric"), "{settings}");
    assert!(
        settings
            .help
            .as_deref()
            .is_some_and(|help| help.starts_with("did you mean `node.duration`?")),
        "{:?}",
        settings.help
    );

    let dir = conf(&[("local/statsd.yml", "prot: 8125\n")]);
    let error = start_session(&StatsdHook::new(), &dir)
        .unwrap_err()
        .to_string();
    assert!(error.contains("local/statsd.yml:1:"), "{error}");
    assert!(error.contains("unknown field `prot`"), "{error}");
}

#[test]
fn no_daemon_listening_never_fails_or_slows_a_run() {
    let port = {
        let closed = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        closed.local_addr().unwrap().port()
    };
    let hook = StatsdHook::with_config(StatsdConfig::new("127.0.0.1", port));
    for _ in 0..3 {
        run(&hook, &small_pipeline(), &small_catalog(10)).unwrap();
    }
    assert!(hook.stats().lines > 30, "{:?}", hook.stats());
}
