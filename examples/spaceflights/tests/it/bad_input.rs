//! The bad-input catalogue: each way a user (or an adversary) can get the input wrong, run
//! through the real binary on a project that has already run once. Each case asserts the exit
//! code (0 ok, 1 pipeline failure, 2 usage or configuration, 130 interrupted), what the
//! message says, and that every file under `data/` is byte-identical afterwards: a bad input
//! never damages, half-writes or adds a saved file (nor a new model version).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use crate::common::{Project, code, copy_tree, stderr, stdout};

/// A project that ran the default pipeline once: its outputs, one model version and one run
/// in the history exist.
fn baseline() -> &'static Project {
    static BASELINE: OnceLock<Project> = OnceLock::new();
    BASELINE.get_or_init(|| {
        let project = Project::new();
        let output = project.run(&["run"]);
        assert_eq!(code(&output), 0, "{}", stderr(&output));
        project
    })
}

/// A copy of the baseline project.
fn copy() -> Project {
    let project = Project::empty();
    copy_tree(baseline().root(), project.root());
    project
}

/// Every file under `folder`, by path relative to it, with its bytes.
fn files(folder: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, folder: &Path, into: &mut BTreeMap<PathBuf, Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(folder) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, into);
            } else {
                let relative = path.strip_prefix(root).unwrap().to_owned();
                into.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut found = BTreeMap::new();
    walk(folder, folder, &mut found);
    found
}

fn edit(project: &Project, file: &str, from: &str, to: &str) {
    let path = project.root().join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} has no {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

fn append(project: &Project, file: &str, text: &str) {
    let path = project.root().join(file);
    let mut content = std::fs::read_to_string(&path).unwrap_or_default();
    content.push_str(text);
    std::fs::write(&path, content).unwrap();
}

/// One case: `setup` changes the copy, then `args` run; the exit code is `exit`, the output
/// (stdout and stderr) contains each of `says` and none of `never`, and `data/` is unchanged.
struct Case {
    name: &'static str,
    setup: fn(&Project),
    args: &'static [&'static str],
    exit: i32,
    says: &'static [&'static str],
    never: &'static [&'static str],
}

impl Case {
    fn check(&self) -> Output {
        let project = copy();
        (self.setup)(&project);
        let before = files(&project.root().join("data"));
        let output = project.run(self.args);
        let text = format!("{}{}", stdout(&output), stderr(&output));
        assert_eq!(code(&output), self.exit, "case {}: {text}", self.name);
        for expected in self.says {
            assert!(
                text.contains(expected),
                "case {}: the output does not say {expected:?}:\n{text}",
                self.name
            );
        }
        for unexpected in self.never {
            assert!(
                !text.contains(unexpected),
                "case {}: the output says {unexpected:?}:\n{text}",
                self.name
            );
        }
        assert!(
            !text.contains("panicked"),
            "case {}: a panic:\n{text}",
            self.name
        );
        let after = files(&project.root().join("data"));
        // A failed run may add its own validation report (a new file in a folder of its
        // run id); every file that was there stays byte-identical, and nothing else is added.
        let changed: Vec<&PathBuf> = before
            .keys()
            .chain(after.keys())
            .filter(|path| before.get(*path) != after.get(*path))
            .filter(|path| {
                before.contains_key(*path) || !path.starts_with("08_reporting/validation")
            })
            .collect();
        assert!(
            changed.is_empty(),
            "case {}: files under data/ changed: {changed:?}",
            self.name
        );
        output
    }
}

fn nothing(_: &Project) {}

/// Configuration and usage mistakes: found before any node runs (exit 2).
const CONFIGURATION: &[Case] = &[
    Case {
        name: "unknown pipeline",
        setup: nothing,
        args: &["run", "--pipelines", "data_sciense"],
        exit: 2,
        says: &["'data_sciense'", "data_science"],
        never: &[],
    },
    Case {
        name: "unknown node",
        setup: nothing,
        args: &["run", "--nodes", "split_dta_node"],
        exit: 2,
        says: &[
            "Pipeline does not contain nodes named ['split_dta_node']",
            "split_data_node",
        ],
        never: &[],
    },
    Case {
        name: "unknown from-node",
        setup: nothing,
        args: &["run", "--from-nodes", "preprocess_companies"],
        exit: 2,
        says: &["preprocess_companies_node"],
        never: &[],
    },
    Case {
        name: "zero workers",
        setup: nothing,
        args: &["run", "--runner", "parallel", "--workers", "0"],
        exit: 2,
        says: &["--workers", "0"],
        never: &[],
    },
    Case {
        name: "zero runs listed",
        setup: nothing,
        args: &["runs", "list", "-n", "0"],
        exit: 2,
        says: &["0"],
        never: &["No runs recorded"],
    },
    Case {
        name: "unknown dataset type",
        setup: |p| {
            edit(
                p,
                "conf/base/catalog.yml",
                "companies:\n  type: pandas.CSVDataset",
                "companies:\n  type: pandas.CSVDatset",
            )
        },
        args: &["run"],
        exit: 2,
        says: &["pandas.CSVDatset", "catalog.yml"],
        never: &[],
    },
    Case {
        name: "unknown catalog key",
        setup: |p| {
            edit(
                p,
                "conf/base/catalog.yml",
                "companies:\n  type: pandas.CSVDataset\n",
                "companies:\n  type: pandas.CSVDataset\n  file_path: data/01_raw/x.csv\n",
            )
        },
        args: &["run"],
        exit: 2,
        says: &["file_path", "catalog.yml"],
        never: &[],
    },
    Case {
        name: "invalid YAML",
        setup: |p| {
            edit(
                p,
                "conf/base/parameters_data_science.yml",
                "  test_size: 0.2",
                "  test_size: [0.2",
            )
        },
        args: &["run"],
        exit: 2,
        says: &["parameters_data_science.yml"],
        never: &[],
    },
    Case {
        name: "plugin settings typo",
        setup: |p| {
            edit(
                p,
                "conf/base/statsd.yml",
                "prefix: weir\n",
                "prefix: weir\nsample_rates:\n  node.duraton: 0.5\n",
            )
        },
        args: &["run"],
        exit: 2,
        says: &["statsd.yml", "node.duraton"],
        never: &[],
    },
    Case {
        name: "malformed runtime parameters",
        setup: nothing,
        args: &["run", "--params", "model_options"],
        exit: 2,
        says: &["model_options"],
        never: &[],
    },
    Case {
        name: "runtime parameter of the wrong type",
        setup: nothing,
        args: &["run", "--params", "model_options.test_size=half"],
        exit: 2,
        says: &["test_size"],
        never: &[],
    },
    Case {
        name: "missing environment",
        setup: nothing,
        args: &["run", "--env", "prod"],
        exit: 2,
        says: &["prod"],
        never: &[],
    },
    Case {
        name: "YAML alias bomb",
        setup: |p| {
            append(
                p,
                "conf/base/parameters.yml",
                "\nbomb_a: &a [x, x, x, x, x, x, x, x, x, x]\nbomb_b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nbomb_c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nbomb_d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\nbomb_e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nbomb_f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\nbomb_g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\nbomb_h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n",
            )
        },
        args: &["run"],
        exit: 2,
        says: &["parameters.yml", "alias"],
        never: &[],
    },
    Case {
        name: "interpolation chain",
        setup: |p| {
            // Forward references (`link_0: ${link_1}`, ...): each needs the next resolved
            // first, 2000 deep. (A chain written the other way resolves in file order.)
            let mut text = String::from("\n");
            for i in 0..2000 {
                text.push_str(&format!("link_{i}: ${{link_{}}}\n", i + 1));
            }
            text.push_str("link_2000: 1\n");
            append(p, "conf/base/parameters.yml", &text);
        },
        args: &["run"],
        exit: 2,
        says: &["parameters.yml", "`link_0`", "more than 64 deep"],
        never: &[],
    },
    Case {
        name: "an object store path",
        setup: |p| {
            edit(
                p,
                "conf/base/catalog.yml",
                "filepath: data/01_raw/companies.csv",
                "filepath: s3://AKIAEXAMPLE:planted-secret@spaceflights/companies.csv",
            )
        },
        args: &["run"],
        exit: 2,
        says: &["companies", "catalog.yml:", "`s3://`", "not supported"],
        never: &["planted-secret"],
    },
    Case {
        name: "a test share above 1",
        setup: nothing,
        args: &["run", "--params", "model_options.test_size=1.5"],
        exit: 2,
        says: &["test_size", "(0.0, 1.0)", "Got 1.5", "set by `--params`"],
        never: &[],
    },
    Case {
        name: "a test share of 0",
        setup: nothing,
        args: &["run", "--params", "model_options.test_size=0"],
        exit: 2,
        says: &["test_size", "Got 0 instead"],
        never: &[],
    },
    Case {
        name: "a negative test share",
        setup: nothing,
        args: &["run", "--params", "model_options.test_size=-0.2"],
        exit: 2,
        says: &["test_size", "Got -0.2 instead"],
        never: &[],
    },
    Case {
        name: "a seed above 2^32 - 1",
        setup: nothing,
        args: &["run", "--params", "model_options.random_state=4294967296"],
        exit: 2,
        says: &["random_state", "[0, 4294967295]", "Got 4294967296"],
        never: &[],
    },
    Case {
        name: "a partial override in conf/local",
        setup: |p| {
            std::fs::write(
                p.root().join("conf/local/parameters_data_science.yml"),
                "model_options:\n  test_size: 0.3\n",
            )
            .unwrap()
        },
        args: &["run"],
        exit: 2,
        says: &[
            "missing field `random_state`",
            "conf/local/parameters_data_science.yml:1",
            "repeat every field of `model_options`",
        ],
        never: &[],
    },
];

/// The model options of the example with other features (a full override in `conf/local`).
fn features(project: &Project, list: &str) {
    std::fs::write(
        project
            .root()
            .join("conf/local/parameters_data_science.yml"),
        format!("model_options:\n  test_size: 0.2\n  random_state: 3\n  features: {list}\n"),
    )
    .unwrap();
}

/// Mistakes found while the pipeline runs (exit 1): the failed node is reported failed, and
/// nothing else is written.
const PIPELINE: &[Case] = &[
    Case {
        name: "a raw file that is missing",
        setup: |p| std::fs::remove_file(p.root().join("data/01_raw/reviews.csv")).unwrap(),
        args: &["run"],
        exit: 1,
        says: &["reviews", "FAILED"],
        never: &[],
    },
    Case {
        name: "a save that fails",
        // A folder where the preprocessed companies file goes: the save cannot replace it.
        setup: |p| {
            let target = p
                .root()
                .join("data/02_intermediate/preprocessed_companies.parquet");
            std::fs::remove_file(&target).unwrap();
            std::fs::create_dir_all(target.join("in-the-way")).unwrap();
        },
        args: &["run", "--pipelines", "data_processing"],
        exit: 1,
        says: &[
            "failed to save dataset 'preprocessed_companies'",
            "preprocess_companies_node                    FAILED",
        ],
        never: &["preprocess_companies_node                    completed"],
    },
    Case {
        name: "a raw row with too many fields",
        setup: |p| {
            append(
                p,
                "data/01_raw/companies.csv",
                "99999,100%,Chile,1.0,f,extra\n",
            )
        },
        args: &["run"],
        exit: 1,
        says: &[
            "companies.csv: line 10021 has 6 fields where the header has 5",
            "on_bad_lines",
        ],
        never: &["truncate_ragged_lines"],
    },
    Case {
        name: "raw bytes that are not UTF-8",
        setup: |p| {
            let path = p.root().join("data/01_raw/companies.csv");
            let mut bytes = std::fs::read(&path).unwrap();
            bytes.extend_from_slice(b"99999,100%,Cura\xe7ao,1.0,f\n");
            std::fs::write(&path, bytes).unwrap();
        },
        args: &["run"],
        exit: 1,
        says: &[
            "companies.csv",
            "line 10021, column 16: byte 0xE7 is not UTF-8",
            "latin-1",
        ],
        never: &[],
    },
    Case {
        name: "a truncated workbook",
        setup: |p| {
            let path = p.root().join("data/01_raw/shuttles.xlsx");
            let bytes = std::fs::read(&path).unwrap();
            std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        },
        args: &["run"],
        exit: 1,
        says: &["shuttles.xlsx", "damaged or truncated"],
        never: &["Cannot detect file format"],
    },
    Case {
        name: "a feature that is text",
        setup: |p| features(p, "[engines, company_location]"),
        args: &["run", "--pipelines", "data_science"],
        exit: 1,
        says: &[
            "feature 'company_location'",
            "needs numbers",
            "split_data_node",
        ],
        never: &["missing values"],
    },
    Case {
        name: "a misspelt feature",
        setup: |p| features(p, "[engines, pasenger_capacity]"),
        args: &["run", "--pipelines", "data_science"],
        exit: 1,
        says: &[
            "feature 'pasenger_capacity'",
            "did you mean 'passenger_capacity'",
        ],
        never: &[],
    },
    Case {
        name: "a test size of more rows than the table",
        setup: nothing,
        args: &[
            "run",
            "--pipelines",
            "data_science",
            "--params",
            "model_options.test_size=100000000",
        ],
        exit: 1,
        says: &["should be either positive and smaller than the number of samples"],
        never: &[],
    },
];

#[test]
fn configuration_mistakes_are_usage_errors_and_change_nothing() {
    for case in CONFIGURATION {
        case.check();
    }
}

#[test]
fn pipeline_failures_fail_the_run_and_change_nothing_else() {
    for case in PIPELINE {
        case.check();
    }
}

#[test]
fn a_failed_save_is_failed_in_the_run_history() {
    let case = &PIPELINE[1];
    let project = copy();
    (case.setup)(&project);
    let output = project.run(case.args);
    assert_eq!(code(&output), 1);
    let shown = project.run(&["runs", "show", "last"]);
    let text = stdout(&shown);
    assert!(text.contains("status:     failed"), "{text}");
    let node = text
        .lines()
        .find(|line| line.trim_start().starts_with("preprocess_companies_node"))
        .unwrap_or_else(|| panic!("no node line:\n{text}"));
    assert!(node.contains("failed"), "{node}");
    assert!(node.contains("failed to save dataset"), "{node}");
}

#[test]
fn a_rejected_run_is_not_recorded() {
    let project = copy();
    let before = stdout(&project.run(&["runs", "list"]));
    let output = project.run(&["run", "--runner", "parallel", "--workers", "0"]);
    assert_eq!(code(&output), 2);
    assert_eq!(stdout(&project.run(&["runs", "list"])), before);
}

#[test]
fn no_project_is_an_error_that_says_where_it_looked() {
    let folder = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_spaceflights"))
        .arg("run")
        .current_dir(folder.path())
        .env_remove("WEIR_PROJECT_PATH")
        .env_remove("CARGO_MANIFEST_DIR")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = stderr(&output);
    assert_eq!(code(&output), 2, "{text}");
    assert!(text.contains("no Weir project here"), "{text}");
    assert!(
        text.contains(&folder.path().display().to_string()),
        "{text}"
    );
    assert!(text.contains("WEIR_PROJECT_PATH"), "{text}");
    // Nothing was created where it ran.
    assert_eq!(std::fs::read_dir(folder.path()).unwrap().count(), 0);
}

#[test]
fn a_project_found_from_a_subfolder() {
    let project = copy();
    let inside = project.root().join("data/01_raw");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_spaceflights"))
        .args(["catalog", "list"])
        .current_dir(&inside)
        .env_remove("WEIR_PROJECT_PATH")
        .env_remove("CARGO_MANIFEST_DIR")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(stdout(&output).contains("companies"));
}

#[test]
fn read_only_commands_create_nothing() {
    let folder = tempfile::tempdir().unwrap();
    let missing = folder.path().join("nonexistent");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_spaceflights"))
        .args(["runs", "list"])
        .env("WEIR_PROJECT_PATH", &missing)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert!(stderr(&output).contains("WEIR_PROJECT_PATH"));
    assert!(!missing.exists());

    // A project that never ran: listing its runs creates no `.weir/`.
    let project = Project::new();
    for args in [
        &["runs", "list"][..],
        &["runs", "show", "last"],
        &["catalog", "list"],
        &["info"],
    ] {
        let _ = project.run(args);
        assert!(
            !project.root().join(".weir").exists(),
            "{args:?} created .weir/"
        );
    }
}

#[test]
fn a_closed_pipe_never_kills_a_run() {
    let project = copy();
    // `run | head -1` and `runs list | head -1`: the reader goes away after one line.
    for command in [
        format!("{} run 2>&1 | head -1", env!("CARGO_BIN_EXE_spaceflights")),
        format!("{} runs list | head -1", env!("CARGO_BIN_EXE_spaceflights")),
    ] {
        let output = std::process::Command::new("bash")
            .args([
                "-c",
                &format!("set -o pipefail; {command}; echo \"exit ${{PIPESTATUS[0]}}\" >&2"),
            ])
            .current_dir(project.root())
            .env("WEIR_PROJECT_PATH", project.root())
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let text = stderr(&output);
        assert!(text.contains("exit 0"), "{command}: {text}");
        assert!(!text.contains("panicked"), "{command}: {text}");
    }
    // The run went to the end: it is recorded as succeeded.
    let shown = stdout(&project.run(&["runs", "show", "last"]));
    assert!(shown.contains("status:     succeeded"), "{shown}");
}

#[test]
fn runs_started_at_once_get_their_own_ids_and_are_all_recorded() {
    let project = copy();
    let children: Vec<_> = (0..3)
        .map(|_| {
            project
                .command(&["run", "--pipelines", "data_science"])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert_eq!(code(&output), 0, "{}", stderr(&output));
    }
    let listed = stdout(&project.run(&["runs", "list", "-n", "10"]));
    let ids: std::collections::BTreeSet<&str> = listed
        .lines()
        .skip(1)
        .filter(|line| line.contains("succeeded"))
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    // The baseline's run and the three new ones, each with its own id.
    assert_eq!(ids.len(), 4, "{listed}");
    // Each saved its own model version.
    let versions = std::fs::read_dir(project.root().join("data/06_models/regressor.pickle"))
        .unwrap()
        .count();
    assert_eq!(versions, 4);
}
