//! A small client of MLflow's tracking REST API (`/api/2.0/mlflow/...`) and its artifact proxy
//! (`/api/2.0/mlflow-artifacts/...`).

use std::fmt;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Value as Json, json};

use crate::uri::redact_uri;

/// How requests authenticate.
#[derive(Clone)]
pub enum Auth {
    /// HTTP basic authentication (`MLFLOW_TRACKING_USERNAME` / `MLFLOW_TRACKING_PASSWORD`).
    Basic {
        /// The user.
        username: String,
        /// The password.
        password: String,
    },
    /// A bearer token (`MLFLOW_TRACKING_TOKEN`).
    Bearer(String),
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Basic { username, .. } => write!(f, "Basic({username}, ****)"),
            Self::Bearer(_) => f.write_str("Bearer(****)"),
        }
    }
}

impl Auth {
    fn header(&self) -> String {
        match self {
            Self::Basic { username, password } => {
                // Standard base64 with padding (RFC 7617).
                let credentials = BASE64.encode(format!("{username}:{password}"));
                format!("Basic {credentials}")
            }
            Self::Bearer(token) => format!("Bearer {token}"),
        }
    }
}

/// A failed call.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The server answered with an error.
    #[error("MLflow server at {server} answered {status} to {endpoint}: {code}: {message}")]
    Http {
        /// The server.
        server: String,
        /// The endpoint called.
        endpoint: String,
        /// The HTTP status.
        status: u16,
        /// MLflow's `error_code` (`RESOURCE_DOES_NOT_EXIST`...).
        code: String,
        /// MLflow's message.
        message: String,
    },
    /// The server could not be reached (after every attempt).
    #[error("MLflow server at {server} cannot be reached ({message}; tried {attempts} times)")]
    Unreachable {
        /// The server.
        server: String,
        /// How many attempts were made.
        attempts: u32,
        /// The last transport error.
        message: String,
    },
    /// The answer was not what MLflow sends.
    #[error("MLflow server at {server} sent an unexpected answer to {endpoint}: {message}")]
    Unexpected {
        /// The server.
        server: String,
        /// The endpoint called.
        endpoint: String,
        /// What was wrong.
        message: String,
    },
}

impl ApiError {
    /// Whether the server is down (so further calls are pointless for this run).
    pub fn is_unreachable(&self) -> bool {
        matches!(self, Self::Unreachable { .. })
    }

    fn code(&self) -> Option<&str> {
        match self {
            Self::Http { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// An experiment, as `experiments/get-by-name` returns it.
#[derive(Debug, Clone, PartialEq)]
pub struct Experiment {
    /// Its id.
    pub id: String,
    /// `active` or `deleted`.
    pub lifecycle_stage: String,
}

/// A run's identity.
#[derive(Debug, Clone, PartialEq)]
pub struct RunInfo {
    /// The run id.
    pub run_id: String,
    /// The experiment id.
    pub experiment_id: String,
    /// Where its artifacts go (`mlflow-artifacts:/<exp>/<run>/artifacts` with the proxy).
    pub artifact_uri: String,
    /// `RUNNING`, `FINISHED`, `FAILED`...
    pub status: String,
}

/// A metric value to log.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    /// The key.
    pub key: String,
    /// The value (NaN and infinities are sent as MLflow's strings).
    pub value: f64,
    /// Unix milliseconds.
    pub timestamp: i64,
    /// The step.
    pub step: i64,
}

/// The REST client: one server, optional authentication, retries with backoff.
#[derive(Debug, Clone)]
pub struct Client {
    /// The server's URL, as requests use it.
    endpoint: String,
    /// The server's URL without its password, for messages.
    base: String,
    auth: Option<Auth>,
    agent: ureq::Agent,
    attempts: u32,
    backoff: Duration,
}

/// MLflow's limits per `log-batch` call.
pub const MAX_PARAMS_PER_BATCH: usize = 100;
/// MLflow's limit of tags per `log-batch` call.
pub const MAX_TAGS_PER_BATCH: usize = 100;
/// MLflow's limit of metrics per `log-batch` call.
pub const MAX_METRICS_PER_BATCH: usize = 1000;

impl Client {
    /// A client of the server at `base` (`http://127.0.0.1:5000`).
    pub fn new(
        base: &str,
        auth: Option<Auth>,
        timeout: Duration,
        attempts: u32,
        backoff: Duration,
    ) -> Self {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .build()
            .into();
        Self {
            endpoint: base.trim_end_matches('/').to_owned(),
            base: redact_uri(base.trim_end_matches('/')),
            auth,
            agent,
            attempts: attempts.max(1),
            backoff,
        }
    }

    /// The server's URL, without the password it may carry (for messages).
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Whether the server answers `OK` on `/health`.
    pub fn is_healthy(&self) -> bool {
        self.call("GET", "/health", &[], None)
            .is_ok_and(|body| String::from_utf8_lossy(&body).trim() == "OK")
    }

    /// Calls an endpoint, retrying transport errors, 429 and 5xx answers with exponential
    /// backoff. Returns the body of a 2xx answer.
    fn call(
        &self,
        method: &str,
        path: &str,
        query: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Result<Vec<u8>, ApiError> {
        let url = format!("{}{path}", self.endpoint);
        let mut last = String::new();
        for attempt in 0..self.attempts {
            if attempt > 0 {
                std::thread::sleep(self.backoff * 2u32.saturating_pow(attempt - 1));
            }
            let result = match method {
                "GET" => {
                    let mut request = self.agent.get(&url);
                    for (k, v) in query {
                        request = request.query(*k, *v);
                    }
                    if let Some(auth) = &self.auth {
                        request = request.header("Authorization", auth.header());
                    }
                    request.call()
                }
                _ => {
                    let mut request = if method == "PUT" {
                        self.agent.put(&url)
                    } else {
                        self.agent.post(&url)
                    };
                    if let Some(auth) = &self.auth {
                        request = request.header("Authorization", auth.header());
                    }
                    let content_type = if method == "PUT" {
                        "application/octet-stream"
                    } else {
                        "application/json"
                    };
                    request
                        .header("Content-Type", content_type)
                        .send(body.clone().unwrap_or_default())
                }
            };
            let mut response = match result {
                Ok(response) => response,
                Err(error) => {
                    last = error.to_string();
                    continue;
                }
            };
            let status = response.status().as_u16();
            let bytes = response
                .body_mut()
                .with_config()
                .limit(512 * 1024 * 1024)
                .read_to_vec()
                .unwrap_or_default();
            if (200..300).contains(&status) {
                return Ok(bytes);
            }
            if status == 429 || status >= 500 {
                last = format!("HTTP {status}: {}", String::from_utf8_lossy(&bytes).trim());
                continue;
            }
            let answer: Json = serde_json::from_slice(&bytes).unwrap_or(Json::Null);
            return Err(ApiError::Http {
                server: self.base.clone(),
                endpoint: path.to_owned(),
                status,
                code: answer["error_code"]
                    .as_str()
                    .unwrap_or("HTTP_ERROR")
                    .to_owned(),
                message: answer["message"].as_str().map_or_else(
                    || String::from_utf8_lossy(&bytes).trim().to_owned(),
                    str::to_owned,
                ),
            });
        }
        Err(ApiError::Unreachable {
            server: self.base.clone(),
            attempts: self.attempts,
            message: last,
        })
    }

    fn json(
        &self,
        method: &str,
        endpoint: &str,
        query: &[(&str, &str)],
        body: Option<Json>,
    ) -> Result<Json, ApiError> {
        let path = format!("/api/2.0/mlflow/{endpoint}");
        let bytes = self.call(
            method,
            &path,
            query,
            body.map(|b| b.to_string().into_bytes()),
        )?;
        if bytes.is_empty() {
            return Ok(json!({}));
        }
        serde_json::from_slice(&bytes).map_err(|e| ApiError::Unexpected {
            server: self.base.clone(),
            endpoint: path,
            message: e.to_string(),
        })
    }

    fn unexpected(&self, endpoint: &str, what: &str) -> ApiError {
        ApiError::Unexpected {
            server: self.base.clone(),
            endpoint: endpoint.to_owned(),
            message: format!("no {what} in the answer"),
        }
    }

    /// The experiment called `name`, if there is one (deleted ones included).
    ///
    /// # Errors
    ///
    /// The server fails.
    pub fn experiment_by_name(&self, name: &str) -> Result<Option<Experiment>, ApiError> {
        match self.json(
            "GET",
            "experiments/get-by-name",
            &[("experiment_name", name)],
            None,
        ) {
            Ok(answer) => {
                let experiment = &answer["experiment"];
                let id = string_field(&experiment["experiment_id"])
                    .ok_or_else(|| self.unexpected("experiments/get-by-name", "experiment_id"))?;
                Ok(Some(Experiment {
                    id,
                    lifecycle_stage: experiment["lifecycle_stage"]
                        .as_str()
                        .unwrap_or("active")
                        .to_owned(),
                }))
            }
            Err(error) if error.code() == Some("RESOURCE_DOES_NOT_EXIST") => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Creates an experiment; returns its id. A concurrent creation of the same name is
    /// resolved by reading it back.
    ///
    /// # Errors
    ///
    /// The server fails.
    pub fn create_experiment(
        &self,
        name: &str,
        artifact_location: Option<&str>,
        tags: &[(String, String)],
    ) -> Result<String, ApiError> {
        let mut body = json!({"name": name, "tags": key_values(tags)});
        if let Some(location) = artifact_location {
            body["artifact_location"] = json!(location);
        }
        match self.json("POST", "experiments/create", &[], Some(body)) {
            Ok(answer) => string_field(&answer["experiment_id"])
                .ok_or_else(|| self.unexpected("experiments/create", "experiment_id")),
            Err(error) if error.code() == Some("RESOURCE_ALREADY_EXISTS") => {
                self.experiment_by_name(name)?.map(|e| e.id).ok_or(error)
            }
            Err(error) => Err(error),
        }
    }

    /// Restores a deleted experiment.
    ///
    /// # Errors
    ///
    /// The server fails.
    pub fn restore_experiment(&self, id: &str) -> Result<(), ApiError> {
        self.json(
            "POST",
            "experiments/restore",
            &[],
            Some(json!({"experiment_id": id})),
        )
        .map(drop)
    }

    /// Creates a run.
    ///
    /// # Errors
    ///
    /// The server fails.
    pub fn create_run(
        &self,
        experiment_id: &str,
        name: &str,
        start_time: i64,
        tags: &[(String, String)],
    ) -> Result<RunInfo, ApiError> {
        let answer = self.json(
            "POST",
            "runs/create",
            &[],
            Some(json!({
                "experiment_id": experiment_id,
                "run_name": name,
                "start_time": start_time,
                "tags": key_values(tags),
            })),
        )?;
        self.run_info(&answer["run"]["info"], "runs/create")
    }

    /// A run's identity and status.
    ///
    /// # Errors
    ///
    /// The server fails or has no such run.
    pub fn get_run(&self, run_id: &str) -> Result<RunInfo, ApiError> {
        let answer = self.json("GET", "runs/get", &[("run_id", run_id)], None)?;
        self.run_info(&answer["run"]["info"], "runs/get")
    }

    /// A run as MLflow returns it (`info`, `data` with metrics, params and tags).
    ///
    /// # Errors
    ///
    /// The server fails or has no such run.
    pub fn get_run_json(&self, run_id: &str) -> Result<Json, ApiError> {
        self.json("GET", "runs/get", &[("run_id", run_id)], None)
    }

    /// The runs of an experiment (at most 1000), newest first, as MLflow returns them.
    ///
    /// # Errors
    ///
    /// The server fails.
    pub fn search_runs(&self, experiment_id: &str) -> Result<Vec<Json>, ApiError> {
        let answer = self.json(
            "POST",
            "runs/search",
            &[],
            Some(json!({"experiment_ids": [experiment_id], "max_results": 1000})),
        )?;
        Ok(answer["runs"].as_array().cloned().unwrap_or_default())
    }

    fn run_info(&self, info: &Json, endpoint: &str) -> Result<RunInfo, ApiError> {
        let field =
            |name: &str| string_field(&info[name]).ok_or_else(|| self.unexpected(endpoint, name));
        Ok(RunInfo {
            run_id: field("run_id")?,
            experiment_id: field("experiment_id")?,
            artifact_uri: field("artifact_uri")?,
            status: field("status")?,
        })
    }

    /// Logs metrics, parameters and tags, in as many calls as MLflow's limits need.
    ///
    /// # Errors
    ///
    /// The server fails (earlier batches may be logged).
    pub fn log_batch(
        &self,
        run_id: &str,
        metrics: &[Metric],
        params: &[(String, String)],
        tags: &[(String, String)],
    ) -> Result<(), ApiError> {
        let metric_batches: Vec<&[Metric]> = metrics.chunks(MAX_METRICS_PER_BATCH).collect();
        let param_batches: Vec<&[(String, String)]> = params.chunks(MAX_PARAMS_PER_BATCH).collect();
        let tag_batches: Vec<&[(String, String)]> = tags.chunks(MAX_TAGS_PER_BATCH).collect();
        let calls = metric_batches
            .len()
            .max(param_batches.len())
            .max(tag_batches.len());
        for i in 0..calls {
            let metrics: Vec<Json> = metric_batches
                .get(i)
                .map(|batch| {
                    batch
                        .iter()
                        .map(|m| json!({"key": m.key, "value": metric_value(m.value), "timestamp": m.timestamp, "step": m.step}))
                        .collect()
                })
                .unwrap_or_default();
            let body = json!({
                "run_id": run_id,
                "metrics": metrics,
                "params": key_values(param_batches.get(i).copied().unwrap_or_default()),
                "tags": key_values(tag_batches.get(i).copied().unwrap_or_default()),
            });
            self.json("POST", "runs/log-batch", &[], Some(body))?;
        }
        Ok(())
    }

    /// Sets a run's status (`FINISHED`, `FAILED`, `KILLED`) and end time.
    ///
    /// # Errors
    ///
    /// The server fails.
    pub fn update_run(&self, run_id: &str, status: &str, end_time: i64) -> Result<(), ApiError> {
        self.json(
            "POST",
            "runs/update",
            &[],
            Some(json!({"run_id": run_id, "status": status, "end_time": end_time})),
        )
        .map(drop)
    }

    /// Uploads a file's bytes to `relative_path` under a run's artifacts, through the server's
    /// artifact proxy.
    ///
    /// # Errors
    ///
    /// The run's artifacts are not served by the proxy, or the server fails.
    pub fn upload_artifact(
        &self,
        artifact_uri: &str,
        relative_path: &str,
        bytes: Vec<u8>,
    ) -> Result<(), ApiError> {
        let path = self.artifact_path(artifact_uri, relative_path)?;
        self.call("PUT", &path, &[], Some(bytes)).map(drop)
    }

    /// Downloads an artifact of a run.
    ///
    /// # Errors
    ///
    /// The server fails or has no such file.
    pub fn download_artifact(
        &self,
        artifact_uri: &str,
        relative_path: &str,
    ) -> Result<Vec<u8>, ApiError> {
        let path = self.artifact_path(artifact_uri, relative_path)?;
        self.call("GET", &path, &[], None)
    }

    /// `mlflow-artifacts:/1/<run>/artifacts` + `models/x.pkl` →
    /// `/api/2.0/mlflow-artifacts/artifacts/1/<run>/artifacts/models/x.pkl`.
    fn artifact_path(&self, artifact_uri: &str, relative_path: &str) -> Result<String, ApiError> {
        let Some(rest) = artifact_uri.strip_prefix("mlflow-artifacts:") else {
            return Err(ApiError::Unexpected {
                server: self.base.clone(),
                endpoint: "artifacts".to_owned(),
                message: format!(
                    "the run's artifacts go to {artifact_uri}, which weir-mlflow cannot write: start the server with artifact proxying (`mlflow server --serve-artifacts`, the default since MLflow 2) and use an experiment created under it"
                ),
            });
        };
        // `mlflow-artifacts://host:port/path` names the server; the path is what counts.
        let rest = match rest.strip_prefix("//") {
            Some(with_authority) => with_authority
                .find('/')
                .map_or("", |i| &with_authority[i..]),
            None => rest,
        };
        let mut path = String::from("/api/2.0/mlflow-artifacts/artifacts");
        for segment in rest
            .split('/')
            .chain(relative_path.split('/'))
            .filter(|s| !s.is_empty())
        {
            path.push('/');
            path.extend(percent_encoding::utf8_percent_encode(segment, SEGMENT));
        }
        Ok(path)
    }
}

/// What is escaped in a path segment.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn key_values(pairs: &[(String, String)]) -> Vec<Json> {
    pairs
        .iter()
        .map(|(key, value)| json!({"key": key, "value": value}))
        .collect()
}

/// NaN and infinities are not JSON numbers: MLflow takes them as strings.
fn metric_value(value: f64) -> Json {
    if value.is_nan() {
        json!("NaN")
    } else if value.is_infinite() {
        json!(if value > 0.0 { "Infinity" } else { "-Infinity" })
    } else {
        json!(value)
    }
}

/// int64 fields may come as strings (protobuf's JSON mapping): read both.
fn string_field(value: &Json) -> Option<String> {
    match value {
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_auth_is_standard_base64() {
        let basic = |username: &str, password: &str| {
            Auth::Basic {
                username: username.to_owned(),
                password: password.to_owned(),
            }
            .header()
        };
        assert_eq!(basic("user", "pass"), "Basic dXNlcjpwYXNz");
        assert_eq!(basic("a", ""), "Basic YTo=");
        assert_eq!(basic("ab", "c"), "Basic YWI6Yw==");
        let auth = Auth::Basic {
            username: "user".to_owned(),
            password: "secret".to_owned(),
        };
        assert!(!format!("{auth:?}").contains("secret"));
        assert!(!format!("{:?}", Auth::Bearer("tok".to_owned())).contains("tok"));
    }

    #[test]
    fn artifact_paths_follow_the_proxy_uri() {
        let client = Client::new(
            "http://h:5000/",
            None,
            Duration::from_secs(1),
            1,
            Duration::ZERO,
        );
        assert_eq!(
            client
                .artifact_path(
                    "mlflow-artifacts:/1/abc/artifacts",
                    "models/regressor v1.pickle"
                )
                .ok(),
            Some(
                "/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/models/regressor%20v1.pickle"
                    .to_owned()
            )
        );
        assert_eq!(
            client
                .artifact_path("mlflow-artifacts://h:5000/1/abc/artifacts", "x.json")
                .ok(),
            Some("/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/x.json".to_owned())
        );
        let error = client
            .artifact_path("file:///tmp/mlruns/1/abc/artifacts", "x")
            .unwrap_err();
        assert!(error.to_string().contains("--serve-artifacts"), "{error}");
    }

    #[test]
    fn special_metric_values_are_strings() {
        assert_eq!(metric_value(f64::NAN), json!("NaN"));
        assert_eq!(metric_value(f64::NEG_INFINITY), json!("-Infinity"));
        assert_eq!(metric_value(0.5), json!(0.5));
    }
}
