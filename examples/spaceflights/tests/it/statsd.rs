//! Spaceflights monitored by weir-statsd, against the real Etsy StatsD daemon (installed by
//! `scripts/statsd/install.sh`): every metric arrives with the type the daemon gives it, a
//! plausible value, and failure counters for a run with an injected failure.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::common::{Project, code, completed, stderr};
use serde_json::Value as Json;

/// The StatsD daemon on free local ports, writing each flush to a JSON-lines file. Stopped
/// when dropped, also when a test fails.
struct StatsdDaemon {
    child: Child,
    port: u16,
    folder: tempfile::TempDir,
}

impl StatsdDaemon {
    fn start() -> Self {
        let home = std::env::var_os("WEIR_STATSD_HOME").map_or_else(
            || {
                PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
                    .join(".cache/weir/statsd")
            },
            PathBuf::from,
        );
        let stats_js = home.join("node_modules/statsd/stats.js");
        assert!(
            stats_js.is_file(),
            "the StatsD daemon is not installed at {}: run scripts/statsd/install.sh (scripts/test.sh does)",
            stats_js.display()
        );
        let backend = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../scripts/statsd/json-file-backend.js")
            .canonicalize()
            .unwrap();
        let port = UdpSocket::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let management_port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let folder = tempfile::tempdir().unwrap();
        let flushes = folder.path().join("flushes.jsonl");
        let config = folder.path().join("config.js");
        std::fs::write(
            &config,
            format!(
                "{{ port: {port}, address: \"127.0.0.1\", mgmt_port: {management_port}, mgmt_address: \"127.0.0.1\", flushInterval: 250, dumpMessages: true, backends: [{backend:?}], jsonFile: {{ path: {flushes:?} }} }}\n",
            ),
        )
        .unwrap();
        let log = std::fs::File::create(folder.path().join("statsd.log")).unwrap();
        let child = Command::new("node")
            .arg(&stats_js)
            .arg(&config)
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .stdin(Stdio::null())
            .spawn()
            .expect("node (Node.js) must be installed to run the StatsD daemon");
        let mut daemon = Self {
            child,
            port,
            folder,
        };
        // Ready when the management interface answers `health`. No time limit, however slow
        // the machine: the daemon either answers or exits.
        loop {
            if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", management_port)) {
                stream.write_all(b"health\n").unwrap();
                stream
                    .set_read_timeout(Some(Duration::from_secs(2)))
                    .unwrap();
                let mut answer = [0u8; 64];
                let n = stream.read(&mut answer).unwrap_or(0);
                if String::from_utf8_lossy(&answer[..n]).contains("up") {
                    break;
                }
            }
            assert!(
                daemon.child.try_wait().unwrap().is_none(),
                "StatsD did not start: {}",
                daemon.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        daemon
    }

    /// How many flushes the daemon has written.
    fn flushes(&self) -> usize {
        std::fs::read_to_string(self.folder.path().join("flushes.jsonl"))
            .unwrap_or_default()
            .lines()
            .count()
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.folder.path().join("statsd.log")).unwrap_or_default()
    }

    /// Every flush so far, added up: counters summed, timer values gathered, gauges' last
    /// values.
    fn received(&self) -> Received {
        let text =
            std::fs::read_to_string(self.folder.path().join("flushes.jsonl")).unwrap_or_default();
        let mut received = Received::default();
        for line in text.lines() {
            let flush: Json = serde_json::from_str(line).unwrap();
            for (name, value) in flush["counters"].as_object().unwrap() {
                *received.counters.entry(name.clone()).or_default() += value.as_f64().unwrap();
            }
            for (name, values) in flush["timers"].as_object().unwrap() {
                received.timers.entry(name.clone()).or_default().extend(
                    values
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|v| v.as_f64().unwrap()),
                );
            }
            for (name, value) in flush["gauges"].as_object().unwrap() {
                received
                    .gauges
                    .insert(name.clone(), value.as_f64().unwrap());
            }
        }
        received
    }

    /// What was received once `counter` has arrived (the run's last metrics) and one more
    /// flush has passed. Counted in the daemon's flushes, not in time: the run has sent
    /// everything before this is called, so the counter is in one of the next few flushes
    /// however slow the machine.
    fn wait_for(&self, counter: &str) -> Received {
        const FLUSHES: usize = 40;
        let give_up = self.flushes() + FLUSHES;
        loop {
            // Counted before reading, so a flush written in between is read too.
            let flushes = self.flushes();
            if self
                .received()
                .counters
                .get(counter)
                .copied()
                .unwrap_or(0.0)
                >= 1.0
            {
                while self.flushes() <= flushes {
                    std::thread::sleep(Duration::from_millis(50));
                }
                return self.received();
            }
            assert!(
                flushes < give_up,
                "{counter} never arrived in {FLUSHES} flushes; the daemon's log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for StatsdDaemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug, Default)]
struct Received {
    counters: BTreeMap<String, f64>,
    timers: BTreeMap<String, Vec<f64>>,
    gauges: BTreeMap<String, f64>,
}

impl Received {
    fn counter(&self, name: &str) -> f64 {
        self.counters
            .get(name)
            .copied()
            .unwrap_or_else(|| panic!("no counter {name}: {:#?}", self.counters))
    }

    fn timer(&self, name: &str) -> &[f64] {
        self.timers
            .get(name)
            .filter(|values| !values.is_empty())
            .unwrap_or_else(|| panic!("no timer {name}: {:#?}", self.timers.keys()))
    }

    fn gauge(&self, name: &str) -> f64 {
        self.gauges
            .get(name)
            .copied()
            .unwrap_or_else(|| panic!("no gauge {name}: {:#?}", self.gauges))
    }

    /// Names under `prefix` of one type, ignoring the daemon's own metrics.
    fn names<'a, V>(map: &'a BTreeMap<String, V>, prefix: &str) -> Vec<&'a str> {
        map.keys()
            .filter(|k| k.starts_with(prefix))
            .map(String::as_str)
            .collect()
    }
}

fn run_with_daemon(project: &Project, daemon: &StatsdDaemon, prefix: &str) -> std::process::Output {
    project
        .command(&["run"])
        .env("STATSD_HOST", "127.0.0.1")
        .env("STATSD_PORT", daemon.port.to_string())
        .env("STATSD_PREFIX", prefix)
        .output()
        .unwrap()
}

#[test]
fn spaceflights_sends_every_metric_to_a_real_statsd_daemon() {
    let daemon = StatsdDaemon::start();
    let project = Project::new();

    // A successful run.
    let output = run_with_daemon(&project, &daemon, "weir.ok");
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let nodes = completed(&output);
    assert_eq!(nodes.len(), 9, "{nodes:?}");
    let got = daemon.wait_for("weir.ok.run.__default__.succeeded");

    assert_eq!(got.counter("weir.ok.run.__default__.started"), 1.0);
    assert_eq!(got.counter("weir.ok.run.__default__.succeeded"), 1.0);
    assert!(!got.counters.contains_key("weir.ok.run.__default__.failed"));
    assert_eq!(
        got.counter("statsd.bad_lines_seen"),
        0.0,
        "{}",
        daemon.log()
    );
    let run_ms = got.timer("weir.ok.run.__default__.duration")[0];
    assert!(run_ms > 1.0, "{run_ms}");

    // Every node's duration, as a timer, each within the run's.
    for node in &nodes {
        let name = format!(
            "weir.ok.node.{}.duration",
            weir_statsd::sanitise_segment(node)
        );
        let values = got.timer(&name);
        assert_eq!(values.len(), 1, "{name}: {values:?}");
        assert!((0.0..run_ms).contains(&values[0]), "{name}: {}", values[0]);
    }
    assert_eq!(Received::names(&got.timers, "weir.ok.node.").len(), 9);

    // Loads and saves: durations as timers, table sizes as gauges with the tutorial's figures.
    for dataset in [
        "companies",
        "reviews",
        "shuttles",
        "preprocessed_companies",
        "model_input_table",
    ] {
        got.timer(&format!("weir.ok.dataset.{dataset}.load.duration"));
    }
    for dataset in [
        "preprocessed_companies",
        "preprocessed_shuttles",
        "model_input_table",
        "regressor",
    ] {
        got.timer(&format!("weir.ok.dataset.{dataset}.save.duration"));
    }
    // Kedro's figures (kedro-reference.json).
    assert_eq!(got.gauge("weir.ok.dataset.companies.load.rows"), 10_019.0);
    assert_eq!(got.gauge("weir.ok.dataset.reviews.load.rows"), 15_531.0);
    assert_eq!(got.gauge("weir.ok.dataset.shuttles.load.rows"), 15_531.0);
    assert_eq!(
        got.gauge("weir.ok.dataset.preprocessed_companies.save.rows"),
        10_019.0
    );
    assert_eq!(
        got.gauge("weir.ok.dataset.preprocessed_shuttles.save.rows"),
        15_531.0
    );
    assert_eq!(
        got.gauge("weir.ok.dataset.model_input_table.save.rows"),
        6_027.0
    );
    assert_eq!(
        got.gauge("weir.ok.dataset.model_input_table.load.rows"),
        6_027.0
    );
    let bytes = got.gauge("weir.ok.dataset.model_input_table.save.bytes");
    // 6027 rows × 27 columns: at least a byte a cell, at most a few hundred.
    assert!(
        (6_027.0 * 27.0..6_027.0 * 27.0 * 300.0).contains(&bytes),
        "{bytes}"
    );
    assert!(Received::names(&got.timers, "weir.ok.dataset.params").is_empty());
    assert_eq!(got.gauge("weir.ok.nodes.__default__.running"), 0.0);

    // The daemon logged each raw line: the running gauge went up to 1 during the run.
    assert!(
        daemon
            .log()
            .contains("weir.ok.nodes.__default__.running:1|g")
    );

    // An injected failure: the reviews file is gone.
    std::fs::remove_file(project.root().join("data/01_raw/reviews.csv")).unwrap();
    let output = run_with_daemon(&project, &daemon, "weir.broken");
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let got = daemon.wait_for("weir.broken.run.__default__.failed");
    assert_eq!(got.counter("weir.broken.run.__default__.started"), 1.0);
    assert_eq!(got.counter("weir.broken.run.__default__.failed"), 1.0);
    assert!(
        !got.counters
            .contains_key("weir.broken.run.__default__.succeeded")
    );
    assert_eq!(got.counter("weir.broken.dataset.reviews.load.failed"), 1.0);
    assert_eq!(
        got.counter("weir.broken.node.create_model_input_table_node.failed"),
        1.0
    );
    got.timer("weir.broken.run.__default__.duration");
    assert_eq!(got.gauge("weir.broken.nodes.__default__.running"), 0.0);
    assert_eq!(got.counter("statsd.bad_lines_seen"), 0.0);

    // A save that fails: a folder stands where the Parquet file goes.
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data/01_raw/reviews.csv"),
        project.root().join("data/01_raw/reviews.csv"),
    )
    .unwrap();
    let target = project
        .root()
        .join("data/02_intermediate/preprocessed_companies.parquet");
    std::fs::remove_file(&target).unwrap();
    std::fs::create_dir_all(target.join("in_the_way")).unwrap();
    let output = run_with_daemon(&project, &daemon, "weir.unsaved");
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let got = daemon.wait_for("weir.unsaved.run.__default__.failed");
    assert_eq!(
        got.counter("weir.unsaved.dataset.preprocessed_companies.save.failed"),
        1.0
    );
    assert_eq!(
        got.counter("weir.unsaved.node.preprocess_companies_node.failed"),
        1.0
    );
    assert!(got.gauge("weir.unsaved.dataset.companies.load.bytes") > 10_019.0);
    assert_eq!(got.counter("statsd.bad_lines_seen"), 0.0);
}
