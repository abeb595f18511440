//! `weir new` makes a project that builds, runs and records its run; `weir pipeline create`
//! adds a pipeline that the project then runs.

use std::path::Path;
use std::process::{Command, Output};

fn text(output: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn weir(args: &[&str], folder: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_weir"))
        .args(args)
        .current_dir(folder)
        .output()
        .unwrap()
}

#[test]
fn new_rejects_bad_names_and_existing_folders() {
    let folder = tempfile::tempdir().unwrap();
    let bad = weir(&["new", "my-project"], folder.path());
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));
    assert!(
        text(&bad).contains("'my-project' is not a valid name"),
        "{}",
        text(&bad)
    );
    std::fs::create_dir(folder.path().join("taken")).unwrap();
    let taken = weir(&["new", "taken"], folder.path());
    assert_eq!(taken.status.code(), Some(2));
    assert!(text(&taken).contains("already exists"));
}

#[test]
fn a_new_project_builds_and_runs() {
    let folder = tempfile::tempdir().unwrap();
    // Without the polars datasets (which the default starter does not use) the project builds
    // in seconds; `a_pipeline_is_added_and_registered` covers the layout with them.
    let created = weir(
        &["new", "demo_project", "--without-dataframes"],
        folder.path(),
    );
    assert!(created.status.success(), "{}", text(&created));
    let root = folder.path().join("demo_project");
    for path in [
        "Cargo.toml",
        "README.md",
        ".gitignore",
        "conf/base/catalog.yml",
        "conf/base/parameters_greeting.yml",
        "conf/local/credentials.yml",
        "data/01_raw/.gitkeep",
        "data/08_reporting/.gitkeep",
        "src/main.rs",
        "src/pipelines/greeting/nodes.rs",
        "tests/pipelines.rs",
    ] {
        assert!(root.join(path).exists(), "{path} missing");
    }
    assert!(
        std::fs::read_to_string(root.join(".gitignore"))
            .unwrap()
            .contains("/conf/local/**")
    );

    let added = weir(&["pipeline", "create", "features"], &root);
    assert!(added.status.success(), "{}", text(&added));

    // Build with the workspace's lock file so the same dependency versions are used (and the
    // shared target folder's build of them is reused).
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::fs::copy(workspace.join("Cargo.lock"), root.join("Cargo.lock")).unwrap();
    let build = Command::new(env!("CARGO"))
        .args(["build", "--offline", "--quiet"])
        .current_dir(&root)
        .output()
        .unwrap();
    assert!(build.status.success(), "{}", text(&build));
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let binary = target.join("debug/demo_project");

    let run = Command::new(&binary)
        .arg("run")
        .current_dir(&root)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", text(&run));
    assert!(
        text(&run).contains("greeting_describe_node"),
        "{}",
        text(&run)
    );
    assert!(
        text(&run).contains("features_describe_node"),
        "{}",
        text(&run)
    );
    let greeting = std::fs::read_to_string(root.join("data/08_reporting/greeting.txt")).unwrap();
    assert_eq!(greeting, "greeting: Hello from Weir");

    let registry = Command::new(&binary)
        .args(["registry", "list"])
        .current_dir(&root)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&registry.stdout),
        "- __default__\n- features\n- greeting\n"
    );
    let runs = Command::new(&binary)
        .args(["runs", "list"])
        .current_dir(&root)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&runs.stdout).contains("succeeded"),
        "{}",
        text(&runs)
    );
    assert!(root.join(".weir/runs.db").is_file());
}
