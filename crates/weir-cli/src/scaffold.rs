//! `weir new` and `weir pipeline create`: projects and pipelines laid out as Kedro's.
//!
//! A new project is a Cargo package with Kedro's folders:
//!
//! ```text
//! <name>/
//!   Cargo.toml            depends on Weir (by path until Weir is published)
//!   README.md
//!   conf/base/{catalog,parameters}.yml
//!   conf/local/credentials.yml   (git-ignored)
//!   data/01_raw … data/08_reporting
//!   src/main.rs           the Project: pipelines, hooks, settings; `cargo run -- run`
//!   src/lib.rs
//!   src/pipelines/mod.rs  register_pipelines()
//!   src/pipelines/<pipeline>/{mod,nodes}.rs
//!   tests/pipelines.rs
//! ```
//!
//! `--starter spaceflights` fills it with Weir's spaceflights example (code, configuration and
//! the tutorial's raw data).

use std::path::{Path, PathBuf};

/// What went wrong while scaffolding.
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    /// A name that cannot be a Rust module or crate.
    #[error(
        "'{0}' is not a valid name: use letters, digits and underscores, starting with a letter (e.g. `my_project`)"
    )]
    InvalidName(String),
    /// The target exists.
    #[error("'{}' already exists; choose another name or remove it", .0.display())]
    Exists(PathBuf),
    /// Options that do not go together.
    #[error("{0}")]
    Options(String),
    /// Not inside a project made by `weir new`.
    #[error("{0}")]
    NotAProject(String),
    /// A file could not be written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Where the generated project finds Weir.
#[derive(Debug, Clone)]
pub enum WeirSource {
    /// A path to the `weir` facade crate.
    Path(PathBuf),
    /// A version from crates.io.
    Version(String),
}

impl WeirSource {
    /// The facade crate of the Weir checkout this binary was built from, if it is still there.
    pub fn this_checkout() -> Option<Self> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../weir");
        path.join("Cargo.toml")
            .is_file()
            .then(|| std::fs::canonicalize(&path).ok())
            .flatten()
            .map(Self::Path)
    }

    fn dependency(&self, dataframes: bool) -> String {
        let features = if dataframes {
            ""
        } else {
            ", default-features = false"
        };
        match self {
            Self::Path(path) => format!(
                "weir = {{ path = {:?}{features} }}",
                path.display().to_string()
            ),
            Self::Version(version) => format!("weir = {{ version = \"{version}\"{features} }}"),
        }
    }

    /// The dependency line of a plugin crate (`weir-mlflow`) from the same place.
    fn plugin_dependency(&self, name: &str) -> String {
        match self {
            Self::Path(path) => {
                let plugin = path.parent().unwrap_or(path).join(name);
                format!("{name} = {{ path = {:?} }}", plugin.display().to_string())
            }
            Self::Version(version) => format!("{name} = {{ version = \"{version}\" }}"),
        }
    }
}

/// The starters `weir new --starter` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Starter {
    /// One small pipeline to start from.
    Default,
    /// Kedro's spaceflights tutorial, with its data.
    Spaceflights,
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && name.len() >= 2
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !matches!(
            name,
            "self"
                | "super"
                | "crate"
                | "mod"
                | "fn"
                | "type"
                | "struct"
                | "enum"
                | "test"
                | "main"
                | "weir"
        )
}

fn write(path: &Path, contents: impl AsRef<[u8]>) -> Result<(), ScaffoldError> {
    let io = |source| ScaffoldError::Io {
        path: path.to_owned(),
        source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    std::fs::write(path, contents).map_err(io)
}

const LAYERS: [&str; 8] = [
    "01_raw",
    "02_intermediate",
    "03_primary",
    "04_feature",
    "05_model_input",
    "06_models",
    "07_model_output",
    "08_reporting",
];

fn cargo_toml(name: &str, weir: &WeirSource, dataframes: bool, plugins: &[&str]) -> String {
    let dependencies = std::iter::once(weir.dependency(dataframes))
        .chain(plugins.iter().map(|p| weir.plugin_dependency(p)))
        .collect::<Vec<_>>()
        .join("\n");
    format!(
        r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2024"
publish = false

[dependencies]
{}
serde = {{ version = "1", features = ["derive"] }}
serde_json = "1"

# A project is its own workspace (it may be created inside another one).
[workspace]

# Dependencies (polars above all) are optimised even in debug builds: much faster runs, and
# a debug build of the project stays quick to recompile.
[profile.dev.package."*"]
opt-level = 1
"#,
        dependencies
    )
}

fn main_rs(name: &str, extra: &str) -> String {
    format!(
        r#"//! The {name} project's command line: `cargo run -- run`, `cargo run -- --help`.
//!
//! This is Kedro's `settings.py` and `pipeline_registry.py` in one place: register pipelines,
//! plugins, hooks and the types the catalog must save.

use std::process::ExitCode;

use weir::Project;

fn main() -> ExitCode {{
    Project::new("{name}")
        .pipelines({name}::register_pipelines()){extra}
        // `cargo run` from anywhere finds the project; a folder holding `conf/` wins.
        .default_root(env!("CARGO_MANIFEST_DIR"))
        .main()
}}
"#
    )
}

const LIB_RS: &str = "//! The project's pipelines and nodes.\n\npub mod pipelines;\n\npub use pipelines::register_pipelines;\n";

const PIPELINES_MOD_RS: &str = r#"//! The project's pipelines (Kedro's `src/<package>/pipelines/` and `pipeline_registry.py`).

use weir::prelude::*;

// weir: pipeline modules (`weir pipeline create` adds lines here)
pub mod greeting;

/// Every pipeline by name, and `__default__` as their sum.
pub fn register_pipelines() -> Vec<(&'static str, Pipeline)> {
    let mut pipelines: Vec<(&'static str, Pipeline)> = vec![
        // weir: registered pipelines (`weir pipeline create` adds lines here)
        ("greeting", greeting::create_pipeline()),
    ];
    let default: Pipeline = pipelines.iter().map(|(_, pipeline)| pipeline).sum();
    pipelines.push(("__default__", default));
    pipelines
}
"#;

fn pipeline_mod_rs(pipeline: &str) -> String {
    format!(
        r#"//! The `{pipeline}` pipeline.

pub mod nodes;

use weir::prelude::*;

/// The pipeline: its nodes, wired by dataset name.
pub fn create_pipeline() -> Pipeline {{
    Pipeline::new([
        node(nodes::describe)
            .inputs(["params:{pipeline}"])
            .outputs("{pipeline}_summary")
            .name("{pipeline}_describe_node"),
    ])
}}
"#
    )
}

fn pipeline_nodes_rs(pipeline: &str) -> String {
    format!(
        r#"//! The `{pipeline}` pipeline's nodes: plain functions.

use weir::prelude::*;

/// `params:{pipeline}` from `conf/base/parameters_{pipeline}.yml`.
#[derive(Debug, Deserialize)]
pub struct Options {{
    /// What to say.
    pub message: String,
}}

/// A first node: replace it with your own.
pub fn describe(options: Param<Options>) -> String {{
    format!("{pipeline}: {{}}", options.message)
}}
"#
    )
}

const GREETING_CATALOG: &str = r#"# The data catalog, in Kedro's format: https://docs.kedro.org/en/stable/catalog-data/data_catalog.html
greeting_summary:
  type: text.TextDataset
  filepath: data/08_reporting/greeting.txt
"#;

const GITIGNORE: &str = "/target\n/.weir\n/conf/local/**\n!/conf/local/.gitkeep\n/data/**\n!/data/**/.gitkeep\n!/data/01_raw/**\n";

fn readme(name: &str, weir: &WeirSource) -> String {
    let dependency = match weir {
        WeirSource::Path(path) => format!(
            "Weir is not published yet: `Cargo.toml` depends on the Weir checkout at `{}` by path. Move that checkout and update the path (or run `weir new` from it again).",
            path.display()
        ),
        WeirSource::Version(version) => format!("Weir {version} comes from crates.io."),
    };
    format!(
        r#"# {name}

A [Weir](https://github.com/weir-rs/weir) project, laid out as a Kedro project.

```sh
cargo run -- run                      # run the default pipeline
cargo run -- run --pipelines greeting --params "greeting.message=hi"
cargo run -- registry list            # pipelines
cargo run -- catalog describe-datasets
cargo run -- runs list                # run history (.weir/runs.db)
cargo test
```

- `conf/base/` holds the catalog and parameters shared by everyone; `conf/local/` is yours
  (credentials go in `conf/local/credentials.yml`, which git ignores).
- `data/01_raw` … `data/08_reporting` are Kedro's data layers.
- `src/pipelines/<name>/nodes.rs` has the nodes (plain functions) and `mod.rs` wires them; add a
  pipeline with `weir pipeline create <name>`.

{dependency}
"#
    )
}

const TESTS_RS: &str = r#"//! Every registered pipeline is valid against the project's configuration.

use weir::prelude::*;

#[test]
fn the_default_pipeline_is_registered_and_not_empty() {
    let pipelines = PACKAGE::register_pipelines();
    let default = pipelines
        .iter()
        .find(|(name, _)| *name == "__default__")
        .map(|(_, pipeline)| pipeline.clone());
    assert!(default.is_some_and(|pipeline: Pipeline| !pipeline.is_empty()));
}
"#;

/// The spaceflights starter: Weir's example project, file by file.
const SPACEFLIGHTS_TEXT: &[(&str, &str)] = &[
    (
        "src/lib.rs",
        include_str!("../starters/spaceflights/src/lib.rs"),
    ),
    (
        "src/learn.rs",
        include_str!("../starters/spaceflights/src/learn.rs"),
    ),
    (
        "src/pipelines/mod.rs",
        include_str!("../starters/spaceflights/src/pipelines/mod.rs"),
    ),
    (
        "src/pipelines/data_processing/mod.rs",
        include_str!("../starters/spaceflights/src/pipelines/data_processing/mod.rs"),
    ),
    (
        "src/pipelines/data_processing/nodes.rs",
        include_str!("../starters/spaceflights/src/pipelines/data_processing/nodes.rs"),
    ),
    (
        "src/pipelines/data_science/mod.rs",
        include_str!("../starters/spaceflights/src/pipelines/data_science/mod.rs"),
    ),
    (
        "src/pipelines/data_science/nodes.rs",
        include_str!("../starters/spaceflights/src/pipelines/data_science/nodes.rs"),
    ),
    (
        "src/pipelines/reporting/mod.rs",
        include_str!("../starters/spaceflights/src/pipelines/reporting/mod.rs"),
    ),
    (
        "src/pipelines/reporting/nodes.rs",
        include_str!("../starters/spaceflights/src/pipelines/reporting/nodes.rs"),
    ),
    (
        "conf/base/catalog.yml",
        include_str!("../starters/spaceflights/conf/base/catalog.yml"),
    ),
    (
        "conf/base/catalog_reporting.yml",
        include_str!("../starters/spaceflights/conf/base/catalog_reporting.yml"),
    ),
    (
        "conf/base/mlflow.yml",
        include_str!("../starters/spaceflights/conf/base/mlflow.yml"),
    ),
    (
        "conf/base/parameters.yml",
        include_str!("../starters/spaceflights/conf/base/parameters.yml"),
    ),
    (
        "conf/base/parameters_data_processing.yml",
        include_str!("../starters/spaceflights/conf/base/parameters_data_processing.yml"),
    ),
    (
        "conf/base/parameters_data_science.yml",
        include_str!("../starters/spaceflights/conf/base/parameters_data_science.yml"),
    ),
    (
        "conf/base/parameters_reporting.yml",
        include_str!("../starters/spaceflights/conf/base/parameters_reporting.yml"),
    ),
    (
        "tests/reference.rs",
        include_str!("../starters/spaceflights/tests/reference.rs"),
    ),
    (
        "kedro-reference.json",
        include_str!("../starters/spaceflights/kedro-reference.json"),
    ),
];

const SPACEFLIGHTS_DATA: &[(&str, &[u8])] = &[
    (
        "data/01_raw/companies.csv",
        include_bytes!("../starters/spaceflights/data/01_raw/companies.csv"),
    ),
    (
        "data/01_raw/reviews.csv",
        include_bytes!("../starters/spaceflights/data/01_raw/reviews.csv"),
    ),
    (
        "data/01_raw/shuttles.xlsx",
        include_bytes!("../starters/spaceflights/data/01_raw/shuttles.xlsx"),
    ),
];

/// The files of the spaceflights starter (for a test that the list covers the example).
pub fn spaceflights_files() -> Vec<&'static str> {
    SPACEFLIGHTS_TEXT
        .iter()
        .map(|(path, _)| *path)
        .chain(SPACEFLIGHTS_DATA.iter().map(|(path, _)| *path))
        .collect()
}

/// Options of [`new_project`].
#[derive(Debug, Clone)]
pub struct NewProject {
    /// What to start from.
    pub starter: Starter,
    /// Where Weir comes from.
    pub weir: WeirSource,
    /// Whether Weir's polars datasets (and `DataFrame`) are in; without them a project builds
    /// in seconds rather than the minutes polars takes.
    pub dataframes: bool,
}

/// Creates a project `name` in `parent`. Returns the project's folder.
pub fn new_project(
    parent: &Path,
    name: &str,
    options: &NewProject,
) -> Result<PathBuf, ScaffoldError> {
    let (starter, weir) = (options.starter, &options.weir);
    if !valid_name(name) {
        return Err(ScaffoldError::InvalidName(name.to_owned()));
    }
    if starter == Starter::Spaceflights && !options.dataframes {
        return Err(ScaffoldError::Options(
            "the spaceflights starter needs Weir's polars datasets; drop `--without-dataframes`"
                .to_owned(),
        ));
    }
    let root = parent.join(name);
    if root.exists() {
        return Err(ScaffoldError::Exists(root));
    }
    write(
        &root.join("Cargo.toml"),
        cargo_toml(
            name,
            weir,
            options.dataframes,
            if starter == Starter::Spaceflights {
                &["weir-mlflow"]
            } else {
                &[]
            },
        ),
    )?;
    write(&root.join(".gitignore"), GITIGNORE)?;
    write(&root.join("README.md"), readme(name, weir))?;
    write(
        &root.join("conf/local/credentials.yml"),
        "# Credentials: never commit this file (git ignores conf/local).\n",
    )?;
    write(&root.join("conf/local/.gitkeep"), "")?;
    for layer in LAYERS {
        write(&root.join("data").join(layer).join(".gitkeep"), "")?;
    }
    let rename = |text: &str| text.replace("spaceflights::", &format!("{name}::"));
    match starter {
        Starter::Default => {
            write(&root.join("src/main.rs"), main_rs(name, ""))?;
            write(&root.join("src/lib.rs"), LIB_RS)?;
            write(&root.join("src/pipelines/mod.rs"), PIPELINES_MOD_RS)?;
            write(
                &root.join("src/pipelines/greeting/mod.rs"),
                pipeline_mod_rs("greeting"),
            )?;
            write(
                &root.join("src/pipelines/greeting/nodes.rs"),
                pipeline_nodes_rs("greeting"),
            )?;
            write(&root.join("conf/base/catalog.yml"), GREETING_CATALOG)?;
            write(
                &root.join("conf/base/parameters.yml"),
                "# Parameters shared by every pipeline.\n{}\n",
            )?;
            write(
                &root.join("conf/base/parameters_greeting.yml"),
                "greeting:\n  message: Hello from Weir\n",
            )?;
        }
        Starter::Spaceflights => {
            write(
                &root.join("src/main.rs"),
                main_rs(
                    name,
                    &format!(
                        "\n        // MLflow tracking (conf/base/mlflow.yml): a run per pipeline run, the parameters,\n        // the catalog's metrics and model and chart artifacts (its dataset types come with it).\n        .plugin(weir_mlflow::MlflowHook::new())\n        // The regressor is saved with `pickle.PickleDataset`: the catalog must know its type.\n        .serde_type::<{name}::pipelines::data_science::nodes::LinearRegression>()"
                    ),
                ),
            )?;
            for (path, text) in SPACEFLIGHTS_TEXT {
                write(&root.join(path), rename(text))?;
            }
            for (path, bytes) in SPACEFLIGHTS_DATA {
                write(&root.join(path), bytes)?;
            }
        }
    }
    if starter == Starter::Default {
        write(
            &root.join("tests/pipelines.rs"),
            TESTS_RS.replace("PACKAGE", name),
        )?;
    }
    Ok(root)
}

/// Adds a pipeline to the project at `root`: `src/pipelines/<name>/{mod,nodes}.rs`,
/// `conf/<env>/parameters_<name>.yml`, and its registration in `src/pipelines/mod.rs`.
pub fn create_pipeline(root: &Path, name: &str, env: &str) -> Result<Vec<PathBuf>, ScaffoldError> {
    if !valid_name(name) {
        return Err(ScaffoldError::InvalidName(name.to_owned()));
    }
    let registry = root.join("src/pipelines/mod.rs");
    let text = std::fs::read_to_string(&registry).map_err(|_| {
        ScaffoldError::NotAProject(format!(
            "'{}' not found: run `weir pipeline create` in a project made by `weir new` (the folder holding Cargo.toml and src/pipelines)",
            registry.display()
        ))
    })?;
    let folder = root.join("src/pipelines").join(name);
    if folder.exists() {
        return Err(ScaffoldError::Exists(folder));
    }
    const MODULES: &str = "// weir: pipeline modules (`weir pipeline create` adds lines here)\n";
    const REGISTERED: &str =
        "// weir: registered pipelines (`weir pipeline create` adds lines here)\n";
    let (Some(modules), Some(registered)) = (text.find(MODULES), text.find(REGISTERED)) else {
        return Err(ScaffoldError::NotAProject(format!(
            "'{}' has no `// weir:` marker lines; add `pub mod {name};` and register `{name}::create_pipeline()` by hand",
            registry.display()
        )));
    };
    let indent: String = text[..registered]
        .rsplit('\n')
        .next()
        .unwrap_or("")
        .chars()
        .take_while(|c| c.is_whitespace())
        .collect();
    let mut updated = String::with_capacity(text.len() + 100);
    let after_modules = modules + MODULES.len();
    let after_registered = registered + REGISTERED.len();
    updated.push_str(&text[..after_modules]);
    updated.push_str(&format!("pub mod {name};\n"));
    updated.push_str(&text[after_modules..after_registered]);
    updated.push_str(&format!(
        "{indent}(\"{name}\", {name}::create_pipeline()),\n"
    ));
    updated.push_str(&text[after_registered..]);

    let files = vec![
        folder.join("mod.rs"),
        folder.join("nodes.rs"),
        root.join("conf")
            .join(env)
            .join(format!("parameters_{name}.yml")),
    ];
    write(&files[0], pipeline_mod_rs(name))?;
    write(&files[1], pipeline_nodes_rs(name))?;
    write(
        &files[2],
        format!("{name}:\n  message: Hello from {name}\n"),
    )?;
    write(&registry, updated)?;
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_must_be_identifiers() {
        assert!(valid_name("my_project"));
        assert!(!valid_name("1project"));
        assert!(!valid_name("my-project"));
        assert!(!valid_name("x"));
        assert!(!valid_name("test"));
    }

    #[test]
    fn the_starter_covers_every_source_file_of_the_example() {
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/spaceflights");
        let listed = spaceflights_files();
        let mut stack = vec![example.join("src")];
        while let Some(folder) = stack.pop() {
            for entry in std::fs::read_dir(&folder)
                .unwrap_or_else(|e| panic!("{e}"))
                .flatten()
            {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.file_name().is_some_and(|f| f != "main.rs") {
                    let relative = path
                        .strip_prefix(&example)
                        .unwrap_or_else(|e| panic!("{e}"));
                    let relative = relative.to_string_lossy().replace('\\', "/");
                    assert!(
                        listed.contains(&relative.as_str()),
                        "{relative} is not in the starter"
                    );
                }
            }
        }
    }

    #[test]
    fn a_pipeline_is_added_and_registered() {
        let folder = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let options = NewProject {
            starter: Starter::Default,
            weir: WeirSource::Version("0.1".into()),
            dataframes: true,
        };
        let root = new_project(folder.path(), "demo", &options).unwrap_or_else(|e| panic!("{e}"));
        create_pipeline(&root, "features", "base").unwrap_or_else(|e| panic!("{e}"));
        let registry =
            std::fs::read_to_string(root.join("src/pipelines/mod.rs")).unwrap_or_default();
        assert!(
            registry.contains("pub mod greeting;\npub mod features;")
                || registry.contains("pub mod features;\npub mod greeting;"),
            "{registry}"
        );
        assert!(
            registry.contains("        (\"features\", features::create_pipeline()),\n"),
            "{registry}"
        );
        assert!(root.join("conf/base/parameters_features.yml").is_file());
        assert!(matches!(
            create_pipeline(&root, "features", "base"),
            Err(ScaffoldError::Exists(_))
        ));
        assert!(matches!(
            new_project(folder.path(), "demo", &options),
            Err(ScaffoldError::Exists(_))
        ));
    }

    #[test]
    fn the_spaceflights_starter_is_the_example_renamed() {
        let folder = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let lean = NewProject {
            starter: Starter::Spaceflights,
            weir: WeirSource::Version("0.1".into()),
            dataframes: false,
        };
        assert!(matches!(
            new_project(folder.path(), "other", &lean),
            Err(ScaffoldError::Options(_))
        ));
        let options = NewProject {
            dataframes: true,
            ..lean
        };
        let root =
            new_project(folder.path(), "rockets", &options).unwrap_or_else(|e| panic!("{e}"));
        for file in spaceflights_files() {
            assert!(root.join(file).is_file(), "{file}");
        }
        let main = std::fs::read_to_string(root.join("src/main.rs")).unwrap_or_default();
        assert!(
            main.contains("rockets::pipelines::data_science::nodes::LinearRegression"),
            "{main}"
        );
        let reference =
            std::fs::read_to_string(root.join("tests/reference.rs")).unwrap_or_default();
        assert!(reference.contains("use rockets::") && !reference.contains("spaceflights::"));
        let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap_or_default();
        assert!(
            manifest.contains("weir = { version = \"0.1\" }"),
            "{manifest}"
        );
        // The example tracks with MLflow: so does the starter.
        assert!(
            manifest.contains("weir-mlflow = { version = \"0.1\" }"),
            "{manifest}"
        );
        assert!(
            main.contains(".plugin(weir_mlflow::MlflowHook::new())"),
            "{main}"
        );
        let path = WeirSource::Path(PathBuf::from("/checkout/crates/weir"));
        assert_eq!(
            path.plugin_dependency("weir-mlflow"),
            "weir-mlflow = { path = \"/checkout/crates/weir-mlflow\" }"
        );
    }
}
