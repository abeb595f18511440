//! Spaceflights tracked by weir-mlflow against a real MLflow server (installed by
//! `scripts/mlflow/install.sh`, started here with a SQLite backend and proxied artifacts in a
//! temporary folder), read back through MLflow's REST API.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::{Project, code, completed, stderr, stdout};
use serde_json::Value as Json;
use weir_mlflow::Client;

/// `mlflow server` on a free port; stopped (with its workers) when dropped, also when a test
/// fails.
struct MlflowServer {
    child: Child,
    url: String,
    folder: tempfile::TempDir,
}

impl MlflowServer {
    fn start() -> Self {
        let venv = std::env::var_os("WEIR_MLFLOW_VENV").map_or_else(
            || {
                PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
                    .join(".cache/weir/venv-mlflow")
            },
            PathBuf::from,
        );
        let mlflow = venv.join("bin/mlflow");
        assert!(
            mlflow.is_file(),
            "MLflow is not installed at {}: run scripts/mlflow/install.sh (scripts/test.sh does)",
            mlflow.display()
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let folder = tempfile::tempdir().unwrap();
        let log = std::fs::File::create(folder.path().join("server.log")).unwrap();
        let child = Command::new(&mlflow)
            .arg("server")
            .arg("--backend-store-uri")
            .arg(format!(
                "sqlite:///{}",
                folder.path().join("mlflow.db").display()
            ))
            .arg("--artifacts-destination")
            .arg(folder.path().join("artifacts"))
            .args([
                "--serve-artifacts",
                "--host",
                "127.0.0.1",
                "--port",
                &port.to_string(),
                "--workers",
                "1",
            ])
            .current_dir(folder.path())
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            // Its own process group, so that stopping it stops its workers too.
            .process_group(0)
            .spawn()
            .unwrap();
        let mut server = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
            folder,
        };
        let probe = Client::new(&server.url, None, Duration::from_secs(2), 1, Duration::ZERO);
        // No time limit, however slow the machine: the server either answers or exits.
        loop {
            if probe.is_healthy() {
                break;
            }
            assert!(
                server.child.try_wait().unwrap().is_none(),
                "MLflow did not start:\n{}",
                server.log()
            );
            std::thread::sleep(Duration::from_millis(250));
        }
        server
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.folder.path().join("server.log")).unwrap_or_default()
    }

    fn client(&self) -> Client {
        Client::new(
            &self.url,
            None,
            Duration::from_secs(10),
            3,
            Duration::from_millis(200),
        )
    }
}

impl Drop for MlflowServer {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.wait();
    }
}

fn weir_run(project: &Project, server_url: &str, experiment: &str, args: &[&str]) -> Output {
    let mut all = vec!["run"];
    all.extend_from_slice(args);
    project
        .command(&all)
        .env("MLFLOW_TRACKING_URI", server_url)
        .env("MLFLOW_EXPERIMENT_NAME", experiment)
        .env_remove("MLFLOW_RUN_ID")
        .output()
        .unwrap()
}

/// Weir's run id, from the summary's first line: `Run <id> of pipeline ...`.
fn weir_run_id(output: &Output) -> String {
    stdout(output)
        .lines()
        .chain(stderr(output).lines())
        .find_map(|line| {
            line.strip_prefix("Run ")
                .and_then(|rest| rest.split_whitespace().next())
        })
        .unwrap_or_else(|| panic!("no run id in {}", stdout(output)))
        .to_owned()
}

fn reference() -> Json {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("kedro-reference.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The only run of an experiment.
fn only_run(client: &Client, experiment: &str) -> Json {
    let id = client
        .experiment_by_name(experiment)
        .unwrap()
        .unwrap_or_else(|| panic!("no experiment {experiment}"))
        .id;
    let runs = client.search_runs(&id).unwrap();
    assert_eq!(
        runs.len(),
        1,
        "one MLflow run per pipeline run in {experiment}: {runs:#?}"
    );
    runs[0].clone()
}

fn pairs(run: &Json, kind: &str) -> std::collections::BTreeMap<String, Json> {
    run["data"][kind]
        .as_array()
        .into_iter()
        .flatten()
        .map(|item| {
            (
                item["key"].as_str().unwrap().to_owned(),
                item["value"].clone(),
            )
        })
        .collect()
}

fn versioned(root: &Path, path: &str, version: &str) -> PathBuf {
    let path = root.join(path);
    let file = path.file_name().unwrap().to_owned();
    path.join(version).join(file)
}

#[test]
fn spaceflights_is_tracked_in_a_real_mlflow_server() {
    let server = MlflowServer::start();
    let client = server.client();
    let expected = reference();

    // A successful run.
    let project = Project::new();
    let output = weir_run(&project, &server.url, "spaceflights-ok", &[]);
    assert_eq!(code(&output), 0, "{}\n{}", stderr(&output), server.log());
    assert!(
        !stderr(&output).contains("not logged"),
        "{}",
        stderr(&output)
    );
    let weir_id = weir_run_id(&output);
    let run = only_run(&client, "spaceflights-ok");
    let info = &run["info"];
    assert_eq!(info["status"], "FINISHED");
    assert!(info["end_time"].as_i64().unwrap() >= info["start_time"].as_i64().unwrap());
    let tags = pairs(&run, "tags");
    assert_eq!(tags["weir.run_id"], weir_id.as_str());
    assert_eq!(tags["weir.pipeline"], "__default__");
    assert_eq!(tags["weir.env"], "local");
    assert_eq!(tags["weir.runner"], "SequentialRunner");
    assert_eq!(tags["mlflow.runName"], "__default__");
    assert_eq!(tags["mlflow.source.type"], "LOCAL");
    assert!(
        tags["weir.command"]
            .as_str()
            .unwrap()
            .ends_with("spaceflights run"),
        "{tags:?}"
    );

    // The parameters the pipeline reads, flattened as mlflow.yml asks.
    let params = pairs(&run, "params");
    assert_eq!(params["model_options.test_size"], "0.2");
    assert_eq!(params["model_options.random_state"], "3");
    assert!(
        params["model_options.features"]
            .as_str()
            .unwrap()
            .contains("engines"),
        "{params:?}"
    );
    assert!(!params.contains_key("unused"), "{params:?}");

    // The three metrics with Kedro's values, and each node's duration.
    let metrics = pairs(&run, "metrics");
    for (name, key) in [
        ("r2_score", "r2_score"),
        ("mae", "mae"),
        ("max_error", "max_error"),
    ] {
        let got = metrics[name].as_f64().unwrap();
        let want = expected[key].as_f64().unwrap();
        assert!(
            ((got - want) / want).abs() < 1e-9,
            "{name}: {got} vs Kedro's {want}"
        );
    }
    let durations: Vec<&String> = metrics
        .keys()
        .filter(|k| k.starts_with("node_duration/"))
        .collect();
    assert_eq!(durations.len(), completed(&output).len(), "{durations:?}");

    // The model and the chart, downloadable and identical to the local files.
    let artifact_uri = info["artifact_uri"].as_str().unwrap();
    for (artifact, local) in [
        ("models/regressor.pickle", "data/06_models/regressor.pickle"),
        (
            "charts/shuttle_passenger_capacity_plot.svg",
            "data/08_reporting/shuttle_passenger_capacity_plot.svg",
        ),
    ] {
        let remote = client.download_artifact(artifact_uri, artifact).unwrap();
        let local = std::fs::read(versioned(project.root(), local, &weir_id)).unwrap();
        assert!(!local.is_empty());
        assert_eq!(remote, local, "{artifact} differs from the local file");
    }

    // The parallel runner: still one run, the same metrics, every artifact.
    let output = weir_run(
        &project,
        &server.url,
        "spaceflights-parallel",
        &["--runner", "parallel", "--workers", "2"],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let run = only_run(&client, "spaceflights-parallel");
    assert_eq!(run["info"]["status"], "FINISHED");
    assert_eq!(pairs(&run, "tags")["weir.runner"], "ParallelRunner");
    let parallel_metrics = pairs(&run, "metrics");
    assert_eq!(parallel_metrics["r2_score"], metrics["r2_score"]);
    let uri = run["info"]["artifact_uri"].as_str().unwrap();
    assert!(
        !client
            .download_artifact(uri, "models/regressor.pickle")
            .unwrap()
            .is_empty()
    );

    // Selected pipelines give the run its name; parameters of other pipelines are not logged.
    let output = weir_run(
        &project,
        &server.url,
        "spaceflights-processing",
        &["--pipelines", "data_processing"],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let run = only_run(&client, "spaceflights-processing");
    assert_eq!(pairs(&run, "tags")["mlflow.runName"], "data_processing");
    assert!(pairs(&run, "params").is_empty());

    // An injected node failure: FAILED, with the error as a tag.
    let broken = Project::new();
    std::fs::remove_file(broken.root().join("data/01_raw/reviews.csv")).unwrap();
    let output = weir_run(&broken, &server.url, "spaceflights-failed", &[]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let run = only_run(&client, "spaceflights-failed");
    assert_eq!(run["info"]["status"], "FAILED");
    let error = pairs(&run, "tags")["weir.error"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(error.contains("reviews"), "{error}");

    // An orchestrator's run (MLFLOW_RUN_ID) is joined and left open.
    let experiment = client
        .create_experiment("spaceflights-orchestrated", None, &[])
        .unwrap();
    let outer = client
        .create_run(&experiment, "airflow-task", 1_700_000_000_000, &[])
        .unwrap();
    let output = project
        .command(&["run"])
        .env("MLFLOW_TRACKING_URI", &server.url)
        .env("MLFLOW_RUN_ID", &outer.run_id)
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let run = only_run(&client, "spaceflights-orchestrated");
    assert_eq!(run["info"]["run_id"], outer.run_id.as_str());
    assert_eq!(
        run["info"]["status"], "RUNNING",
        "the orchestrator closes its run"
    );
    assert!(pairs(&run, "metrics").contains_key("r2_score"));
    assert_eq!(pairs(&run, "tags")["weir.pipeline"], "__default__");
}

#[test]
fn with_the_server_down_the_run_succeeds_and_lists_what_was_not_logged() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{closed}");
    let project = Project::new();
    let output = weir_run(&project, &url, "nowhere", &[]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let text = stderr(&output);
    assert!(text.contains("cannot be reached"), "{text}");
    for item in [
        "the run (experiment \"nowhere\")",
        "parameters model_options.test_size",
        "artifact models/regressor.pickle",
        "artifact charts/shuttle_passenger_capacity_plot.svg",
        "metrics mae, max_error, r2_score",
    ] {
        assert!(text.contains(item), "{item} is not listed:\n{text}");
    }
    // The outputs are all there.
    assert!(stdout(&output).contains("r2_score"));

    // strict: true makes it an error, before any node runs.
    std::fs::write(
        project.root().join("conf/local/mlflow.yml"),
        "strict: true\n",
    )
    .unwrap();
    let output = weir_run(&project, &url, "nowhere", &[]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let text = stderr(&output);
    assert!(
        text.contains("strict: true") && text.contains("cannot be reached"),
        "{text}"
    );
    assert!(!text.contains("Completed node"), "{text}");
}

#[test]
fn a_bad_mlflow_yml_is_an_error_naming_the_line() {
    let project = Project::new();
    std::fs::write(
        project.root().join("conf/local/mlflow.yml"),
        "tracking:\n  experiment:\n    nmae: x\n",
    )
    .unwrap();
    let output = project.run(&["run"]);
    // A configuration error: exit code 2, as for the project's own files.
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    let text = stderr(&output);
    assert!(
        text.contains("conf/local/mlflow.yml:3:5") && text.contains("unknown field `nmae`"),
        "{text}"
    );
    assert!(!text.contains("Completed node"), "{text}");
}
