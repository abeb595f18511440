//! Secrets never appear in any output: credentials in `credentials.yml`, a password in
//! `MLFLOW_TRACKING_URI`, an MLflow token. Planted in a project, then every output of a run
//! (stdout and stderr at every verbosity, run failures and warnings included), of the listing
//! commands, and every byte the run wrote (the run history, `data/`) is searched for them.

use std::path::Path;

use crate::common::{Project, stderr};

const SECRETS: [&str; 5] = [
    "PLANTED-pw-4417",
    "PLANTED-secret-9911",
    "AKIAPLANTED0KEY",
    "PLANTED-url-pw-5522",
    "PLANTED-token-7733",
];

fn plant(project: &Project) {
    let root = project.root();
    std::fs::write(
        root.join("conf/local/credentials.yml"),
        "mlflow_creds:\n  username: weir-user\n  password: PLANTED-pw-4417\n\
         dev_s3:\n  key: AKIAPLANTED0KEY\n  secret: PLANTED-secret-9911\n",
    )
    .unwrap();
    let mlflow = root.join("conf/base/mlflow.yml");
    let text = std::fs::read_to_string(&mlflow).unwrap();
    std::fs::write(
        &mlflow,
        text.replace("  credentials: null", "  credentials: mlflow_creds"),
    )
    .unwrap();
    let catalog = root.join("conf/base/catalog.yml");
    let mut text = std::fs::read_to_string(&catalog).unwrap();
    text.push_str(
        "\narchive:\n  type: pandas.CSVDataset\n  filepath: data/08_reporting/archive.csv\n  credentials: dev_s3\n",
    );
    std::fs::write(&catalog, text).unwrap();
}

/// Every file under `folder`, read as bytes.
fn all_bytes(folder: &Path, into: &mut Vec<(String, Vec<u8>)>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            all_bytes(&path, into);
        } else {
            into.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

#[test]
fn planted_secrets_appear_in_no_output_and_no_written_file() {
    let project = Project::new();
    plant(&project);
    let mut outputs: Vec<(String, Vec<u8>)> = Vec::new();
    let runs: [&[&str]; 9] = [
        &["run"],
        &["-vv", "run", "--pipelines", "data_science"],
        &["run", "--params", "model_options.test_size=half"],
        &["run", "--nodes", "no_such_node"],
        &["catalog", "describe-datasets"],
        &["catalog", "resolve-patterns"],
        &["runs", "list"],
        &["runs", "show", "last"],
        &["info"],
    ];
    for args in runs {
        let output = project
            .command(args)
            // An unreachable server with a password in its URL: the warnings name the server.
            .env(
                "MLFLOW_TRACKING_URI",
                "http://planted-user:PLANTED-url-pw-5522@127.0.0.1:9",
            )
            .env("MLFLOW_TRACKING_TOKEN", "PLANTED-token-7733")
            .output()
            .unwrap();
        let label = args.join(" ");
        assert!(
            !stderr(&output).contains("panicked"),
            "{label}: {}",
            stderr(&output)
        );
        outputs.push((format!("stdout of `{label}`"), output.stdout));
        outputs.push((format!("stderr of `{label}`"), output.stderr));
    }
    // What the runs wrote: the history (database and its log) and every dataset.
    all_bytes(&project.root().join(".weir"), &mut outputs);
    all_bytes(&project.root().join("data"), &mut outputs);
    assert!(outputs.len() > 20, "nothing was written");
    // The secrets were used: the MLflow warnings name the server (without its password).
    let first_run = String::from_utf8_lossy(&outputs[1].1).into_owned();
    assert!(first_run.contains("127.0.0.1:9"), "{first_run}");
    for (source, bytes) in &outputs {
        for secret in SECRETS {
            assert!(
                !contains(bytes, secret),
                "{secret} appears in {source}:\n{}",
                String::from_utf8_lossy(bytes)
            );
        }
    }
}
