//! weir-mlflow against a recording stand-in of MLflow's REST API (a few lines of HTTP on a
//! local socket): authentication headers, retries, batching within MLflow's limits, one run
//! under the parallel runner, credentials kept out of messages. The real server is tested with
//! the spaceflights example (`examples/spaceflights/tests/it/mlflow.rs`).

#![allow(clippy::unwrap_used, missing_docs)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value as Json, json};
use weir::prelude::*;
use weir::{ContextCreated, RunParams};
use weir_mlflow::{Auth, Client, MlflowConfig, MlflowHook};

/// One request the stand-in received.
#[derive(Debug, Clone)]
struct Request {
    method: String,
    path: String,
    authorization: Option<String>,
    body: Json,
}

/// Answers like MLflow; the first `failures` requests get 503.
struct FakeMlflow {
    url: String,
    requests: Arc<Mutex<Vec<Request>>>,
}

impl FakeMlflow {
    fn start(failures: usize) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&requests);
        let failed = Arc::new(AtomicUsize::new(0));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { break };
                let log = Arc::clone(&log);
                let failed = Arc::clone(&failed);
                std::thread::spawn(move || serve(stream, &log, &failed, failures));
            }
        });
        Self { url, requests }
    }

    fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    fn calls(&self, path: &str) -> Vec<Request> {
        self.requests()
            .into_iter()
            .filter(|r| r.path.starts_with(path))
            .collect()
    }
}

fn serve(
    stream: std::net::TcpStream,
    log: &Mutex<Vec<Request>>,
    failed: &AtomicUsize,
    failures: usize,
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut stream = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or_default().to_owned();
        let path = parts.next().unwrap_or_default().to_owned();
        let (mut length, mut authorization) = (0, None);
        loop {
            let mut header = String::new();
            reader.read_line(&mut header).unwrap();
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            let (name, value) = header.split_once(':').unwrap();
            match name.to_ascii_lowercase().as_str() {
                "content-length" => length = value.trim().parse().unwrap(),
                "authorization" => authorization = Some(value.trim().to_owned()),
                _ => {}
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        let body: Json = serde_json::from_slice(&body).unwrap_or(Json::Null);
        log.lock().unwrap().push(Request {
            method: method.clone(),
            path: path.clone(),
            authorization,
            body,
        });
        let (status, answer) = if failed.fetch_add(1, Ordering::SeqCst) < failures {
            (
                503,
                json!({"error_code": "TEMPORARILY_UNAVAILABLE", "message": "busy"}),
            )
        } else if path.starts_with("/api/2.0/mlflow/experiments/get-by-name") {
            (
                404,
                json!({"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "no such experiment"}),
            )
        } else if path.starts_with("/api/2.0/mlflow/experiments/create") {
            (200, json!({"experiment_id": "7"}))
        } else if path.starts_with("/api/2.0/mlflow/runs/get") {
            (
                200,
                json!({"run": {"info": {"run_id": "outer", "experiment_id": "3", "status": "RUNNING", "artifact_uri": "mlflow-artifacts:/3/outer/artifacts"}}}),
            )
        } else if path.starts_with("/api/2.0/mlflow/runs/create") {
            (
                200,
                json!({"run": {"info": {"run_id": "r1", "experiment_id": "7", "status": "RUNNING", "artifact_uri": "mlflow-artifacts:/7/r1/artifacts"}}}),
            )
        } else {
            (200, json!({}))
        };
        let text = answer.to_string();
        let reason = if status == 200 { "OK" } else { "Error" };
        write!(
            stream,
            "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{text}",
            text.len()
        )
        .unwrap();
    }
}

fn identity(x: u64) -> u64 {
    x
}

fn with_params(x: u64, _options: Json) -> u64 {
    x
}

/// `count` independent nodes, each reading a parameter `p<i>`.
fn wide_pipeline(count: usize) -> Pipeline {
    Pipeline::new((0..count).map(|i| {
        node(with_params)
            .inputs(["x".to_owned(), format!("params:p{i}")])
            .outputs(format!("y{i}"))
            .name(format!("n{i}"))
    }))
}

fn context(hook: &MlflowHook, dir: &std::path::Path, parameters: &Json) {
    let loader = ConfigLoader::new(dir.join("conf"));
    hook.after_context_created(&ContextCreated::new(dir, "local", parameters).with_config(&loader))
        .unwrap();
}

fn project(mlflow_yml: &str, credentials_yml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for env in ["base", "local"] {
        std::fs::create_dir_all(dir.path().join("conf").join(env)).unwrap();
    }
    std::fs::write(dir.path().join("conf/base/mlflow.yml"), mlflow_yml).unwrap();
    std::fs::write(
        dir.path().join("conf/local/credentials.yml"),
        credentials_yml,
    )
    .unwrap();
    dir
}

#[test]
fn a_credentials_entry_authenticates_every_call_and_never_shows() {
    let fake = FakeMlflow::start(0);
    let dir = project(
        &format!(
            "server:\n  mlflow_tracking_uri: {}\n  credentials: mlflow\ntracking:\n  experiment:\n    name: demo\n",
            fake.url
        ),
        "mlflow:\n  username: ada\n  password: s3cret-pass\n",
    );
    let hook = MlflowHook::new();
    let parameters = json!({});
    context(&hook, dir.path(), &parameters);
    let mut catalog = Catalog::new();
    catalog.add_value("x", 1u64);
    let pipeline = Pipeline::new([node(identity).inputs("x").outputs("y").name("n")]);
    SequentialRunner::new()
        .run(&pipeline, &catalog, &hook, &RunParams::with_run_id("w1"))
        .unwrap();
    let requests = fake.requests();
    assert!(requests.len() >= 4, "{requests:#?}");
    for request in &requests {
        // base64("ada:s3cret-pass")
        assert_eq!(
            request.authorization.as_deref(),
            Some("Basic YWRhOnMzY3JldC1wYXNz"),
            "{request:?}"
        );
    }
    assert_eq!(
        fake.calls("/api/2.0/mlflow/experiments/create")[0].body["name"],
        "demo"
    );
    let update = &fake.calls("/api/2.0/mlflow/runs/update")[0];
    assert_eq!(update.body["status"], "FINISHED");
    assert_eq!(update.body["run_id"], "r1");
    assert!(!format!("{hook:?}").contains("s3cret"), "{hook:?}");

    // A token instead: a bearer header.
    let fake = FakeMlflow::start(0);
    let client = Client::new(
        &fake.url,
        Some(Auth::Bearer("tok-123".to_owned())),
        Duration::from_secs(5),
        1,
        Duration::ZERO,
    );
    client.update_run("r1", "FINISHED", 1).unwrap();
    assert_eq!(
        fake.requests()[0].authorization.as_deref(),
        Some("Bearer tok-123")
    );
}

#[test]
fn a_missing_credentials_entry_is_a_clear_error() {
    let dir = project("server:\n  credentials: mlflow_prod\n", "other: {}\n");
    let loader = ConfigLoader::new(dir.path().join("conf"));
    let parameters = json!({});
    let error = MlflowHook::new()
        .after_context_created(
            &ContextCreated::new(dir.path(), "local", &parameters).with_config(&loader),
        )
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("mlflow_prod") && error.contains("credentials.yml"),
        "{error}"
    );
    assert!(error.contains("conf/base/mlflow.yml:2:"), "{error}");
}

#[test]
fn busy_answers_are_retried_with_backoff() {
    let fake = FakeMlflow::start(2);
    let client = Client::new(
        &fake.url,
        None,
        Duration::from_secs(5),
        3,
        Duration::from_millis(10),
    );
    client.update_run("r1", "FINISHED", 1).unwrap();
    assert_eq!(
        fake.calls("/api/2.0/mlflow/runs/update").len(),
        3,
        "two 503s, then the answer"
    );

    let fake = FakeMlflow::start(5);
    let client = Client::new(
        &fake.url,
        None,
        Duration::from_secs(5),
        2,
        Duration::from_millis(10),
    );
    let error = client.update_run("r1", "FINISHED", 1).unwrap_err();
    assert!(error.is_unreachable(), "{error}");
    assert!(
        error.to_string().contains("tried 2 times") && error.to_string().contains("503"),
        "{error}"
    );
}

#[test]
fn parameters_go_in_batches_of_at_most_100_and_one_run_under_the_parallel_runner() {
    let fake = FakeMlflow::start(0);
    let mut config = MlflowConfig::new(fake.url.clone(), "wide");
    config.tracking.node_durations = true;
    let hook = MlflowHook::with_config(config, None);
    let parameters: serde_json::Map<String, Json> =
        (0..250).map(|i| (format!("p{i}"), json!(i))).collect();
    let parameters = Json::Object(parameters);
    let dir = tempfile::tempdir().unwrap();
    hook.after_context_created(&ContextCreated::new(dir.path(), "local", &parameters))
        .unwrap();
    let mut catalog = Catalog::new();
    catalog.add_value("x", 1u64);
    catalog.add_parameters(parameters.clone());
    ParallelRunner::new()
        .workers(2)
        .run(
            &wide_pipeline(250),
            &catalog,
            &hook,
            &RunParams::with_run_id("w2"),
        )
        .unwrap();
    assert_eq!(fake.calls("/api/2.0/mlflow/runs/create").len(), 1);
    let batches = fake.calls("/api/2.0/mlflow/runs/log-batch");
    let param_counts: Vec<usize> = batches
        .iter()
        .map(|b| b.body["params"].as_array().unwrap().len())
        .filter(|n| *n > 0)
        .collect();
    assert_eq!(param_counts, [100, 100, 50]);
    let logged: std::collections::BTreeSet<String> = batches
        .iter()
        .flat_map(|b| b.body["params"].as_array().unwrap().clone())
        .map(|p| {
            format!(
                "{}={}",
                p["key"].as_str().unwrap(),
                p["value"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        logged.contains("p0=0") && logged.contains("p249=249"),
        "{logged:?}"
    );
    let durations: usize = batches
        .iter()
        .map(|b| b.body["metrics"].as_array().unwrap().len())
        .sum();
    assert_eq!(durations, 250, "one node_duration metric per node");
    assert_eq!(hook.run_id().as_deref(), Some("r1"));
    assert_eq!(fake.calls("/api/2.0/mlflow/runs/update").len(), 1);
    assert!(
        fake.requests()
            .iter()
            .all(|r| r.method == "POST" || r.method == "GET")
    );
}

fn one_node_run(hook: &MlflowHook, params: &RunParams) {
    let mut catalog = Catalog::new();
    catalog.add_value("x", 1u64);
    let pipeline = Pipeline::new([node(identity).inputs("x").outputs("y").name("n")]);
    SequentialRunner::new()
        .run(&pipeline, &catalog, hook, params)
        .unwrap();
}

#[test]
fn disabled_pipelines_resumed_runs_and_nested_runs() {
    // Every pipeline of the run is in disable_tracking: nothing is sent.
    let fake = FakeMlflow::start(0);
    let mut config = MlflowConfig::new(fake.url.clone(), "demo");
    config.tracking.disable_tracking.pipelines = vec!["reporting".to_owned()];
    let hook = MlflowHook::with_config(config, None);
    let mut params = RunParams::with_run_id("w3");
    params.pipeline_names = vec!["reporting".to_owned()];
    one_node_run(&hook, &params);
    assert!(fake.requests().is_empty(), "{:#?}", fake.requests());
    // With another pipeline too, the run is tracked.
    params.pipeline_names.push("data_science".to_owned());
    one_node_run(&hook, &params);
    let create = &fake.calls("/api/2.0/mlflow/runs/create")[0];
    assert_eq!(create.body["run_name"], "reporting+data_science");

    // tracking.run.id resumes a run: no new run, status RUNNING again, FINISHED at the end.
    let fake = FakeMlflow::start(0);
    let mut config = MlflowConfig::new(fake.url.clone(), "demo");
    config.tracking.run.id = Some("outer".to_owned());
    one_node_run(
        &MlflowHook::with_config(config, None),
        &RunParams::with_run_id("w4"),
    );
    assert!(fake.calls("/api/2.0/mlflow/runs/create").is_empty());
    let statuses: Vec<Json> = fake
        .calls("/api/2.0/mlflow/runs/update")
        .iter()
        .map(|r| r.body["status"].clone())
        .collect();
    assert_eq!(statuses, [json!("RUNNING"), json!("FINISHED")]);

    // A joined run (MLFLOW_RUN_ID, or join_run): logged into, left open.
    let fake = FakeMlflow::start(0);
    let hook = MlflowHook::with_config(MlflowConfig::new(fake.url.clone(), "demo"), None)
        .join_run("outer");
    one_node_run(&hook, &RunParams::with_run_id("w5"));
    assert!(fake.calls("/api/2.0/mlflow/runs/create").is_empty());
    assert!(
        fake.calls("/api/2.0/mlflow/runs/update").is_empty(),
        "the owner closes it"
    );
    assert!(
        fake.calls("/api/2.0/mlflow/runs/log-batch")
            .iter()
            .all(|r| r.body["run_id"] == "outer")
    );

    // With nested: a child run under it, tagged with its parent, closed; the parent is not.
    let fake = FakeMlflow::start(0);
    let mut config = MlflowConfig::new(fake.url.clone(), "demo");
    config.tracking.run.nested = true;
    let hook = MlflowHook::with_config(config, None).join_run("outer");
    one_node_run(&hook, &RunParams::with_run_id("w6"));
    let create = &fake.calls("/api/2.0/mlflow/runs/create")[0];
    assert_eq!(create.body["experiment_id"], "3");
    assert!(
        create.body["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["key"] == "mlflow.parentRunId" && t["value"] == "outer"),
        "{create:?}"
    );
    let updates = fake.calls("/api/2.0/mlflow/runs/update");
    assert_eq!(updates.len(), 1);
    assert_eq!(updates[0].body["run_id"], "r1");
}
