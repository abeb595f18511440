//! A plugin written outside the workspace, depending on the `weir` facade only, registers with
//! one `Project::plugin` call and gets its hooks, its dataset type, its settings file (with
//! located errors and their help) and its subcommand.
//!
//! The plugin crate is `tests/fixtures/audit-plugin`, copied to a temporary folder and built
//! with cargo (in its own target folder under the workspace's, so repeated runs reuse it).

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/audit-plugin")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The target folder for the plugin crate: a folder of its own under the workspace's (not the
/// workspace's build folder itself, whose lock cargo holds while tests run).
fn target_dir() -> PathBuf {
    let workspace_target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    workspace_target.join("external-plugin")
}

/// Builds the plugin crate and its demo project binary; returns the binary.
fn build_plugin(crate_dir: &Path) -> PathBuf {
    copy_dir(&fixture().join("src"), &crate_dir.join("src"));
    let manifest = std::fs::read_to_string(fixture().join("Cargo.toml.in")).unwrap();
    let weir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .canonicalize()
        .unwrap();
    std::fs::write(
        crate_dir.join("Cargo.toml"),
        manifest.replace("@WEIR_PATH@", &weir.display().to_string()),
    )
    .unwrap();
    // The workspace's lock file: the same dependency versions, nothing to resolve.
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.lock"),
        crate_dir.join("Cargo.lock"),
    )
    .unwrap();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let target = target_dir();
    let status = Command::new(cargo)
        .args(["build", "--quiet", "--bin", "demo", "--manifest-path"])
        .arg(crate_dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTFLAGS")
        .status()
        .unwrap();
    assert!(status.success(), "the plugin crate does not build");
    target
        .join("debug")
        .join(format!("demo{}", std::env::consts::EXE_SUFFIX))
}

fn run(binary: &Path, project: &Path, args: &[&str]) -> Output {
    Command::new(binary)
        .args(args)
        .current_dir(project)
        .env("NO_COLOR", "1")
        .env_remove("WEIR_ENV")
        .env_remove("WEIR_PROJECT_PATH")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_plugin_from_outside_the_workspace_registers_with_one_call() {
    let folder = tempfile::tempdir().unwrap();
    let binary = build_plugin(&folder.path().join("plugin"));
    let project = folder.path().join("project");
    copy_dir(&fixture().join("project"), &project);

    // Its dataset type saves the node's output; its hooks count the nodes; its settings file
    // gives the label; its summary lines are under its name.
    let output = run(&binary, &project, &["run"]);
    let stdout = text(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        text(&output.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(project.join("data/lines.txt")).unwrap(),
        "ALPHA\nBETA\nGAMMA\n"
    );
    assert!(stdout.contains("audited 2 nodes (nightly)"), "{stdout}");

    // Its command sees the project and the settings of the environment asked for.
    std::fs::write(project.join("conf/local/audit.yml"), "label: local-label\n").unwrap();
    let output = run(&binary, &project, &["audit-report"]);
    let stdout = text(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        text(&output.stderr)
    );
    assert!(stdout.contains("project: demo"), "{stdout}");
    assert!(stdout.contains("label: local-label"), "{stdout}");
    assert!(stdout.contains("pipeline __default__: 2 nodes"), "{stdout}");
    assert!(stdout.contains("catalog entries: 1"), "{stdout}");
    // Every argument after the command's name is the plugin's, exactly as given.
    let output = run(&binary, &project, &["audit-report", "--help", "-v", "--"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stderr).contains(r#"unexpected arguments ["--help", "-v", "--"]"#),
        "{}",
        text(&output.stderr)
    );
    // `-q` before the name is the project's; `--env` after it is the plugin's.
    std::fs::create_dir_all(project.join("conf/prod")).unwrap();
    std::fs::write(project.join("conf/prod/audit.yml"), "label: prod-label\n").unwrap();
    let output = run(&binary, &project, &["-q", "audit-report", "--env", "prod"]);
    assert!(
        text(&output.stdout).contains("label: prod-label"),
        "{}",
        text(&output.stderr)
    );
    // Without `--env`, the environment of `$WEIR_ENV`, as for `run`.
    let output = Command::new(&binary)
        .arg("audit-report")
        .current_dir(&project)
        .env("WEIR_ENV", "prod")
        .env_remove("WEIR_PROJECT_PATH")
        .output()
        .unwrap();
    assert!(
        text(&output.stdout).contains("label: prod-label"),
        "{}",
        text(&output.stderr)
    );
    // A settings error in a command is a configuration error: exit code 2.
    std::fs::write(project.join("conf/prod/audit.yml"), "max_nodes: 0\n").unwrap();
    let output = run(&binary, &project, &["audit-report", "--env", "prod"]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains("help: give at least 1"));

    // `info` and `--help` list it.
    let info = text(&run(&binary, &project, &["info"]).stdout);
    assert!(info.contains("plugins:   audit"), "{info}");
    assert!(info.contains("plugin commands: audit-report"), "{info}");
    let help = text(&run(&binary, &project, &["--help"]).stdout);
    assert!(
        help.contains("audit-report") && help.contains("What the audit plugin would check"),
        "{help}"
    );

    // A wrong value in its settings file stops the run before anything runs, naming the file,
    // line and key, with the plugin's help and the line itself.
    std::fs::write(
        project.join("conf/local/audit.yml"),
        "label: x\nmax_nodes: 0\n",
    )
    .unwrap();
    std::fs::remove_file(project.join("data/lines.txt")).unwrap();
    let output = run(&binary, &project, &["run"]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("conf/local/audit.yml:2:"), "{stderr}");
    assert!(stderr.contains("`max_nodes`: is 0"), "{stderr}");
    assert!(stderr.contains("help: give at least 1"), "{stderr}");
    assert!(stderr.contains("2 | max_nodes: 0"), "{stderr}");
    assert!(!project.join("data/lines.txt").exists());

    // A misspelt key is refused the same way.
    std::fs::write(project.join("conf/local/audit.yml"), "lable: x\n").unwrap();
    let output = run(&binary, &project, &["run"]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("unknown field `lable`"), "{stderr}");
    assert!(stderr.contains("conf/local/audit.yml:1:"), "{stderr}");
}
