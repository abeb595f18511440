//! The [`Project`] builder: a project's `settings.py` and `pipeline_registry.py`, in Rust, and
//! its command line.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{CommandFactory, FromArgMatches};
use indexmap::IndexMap;
use serde_json::{Value as Json, json};
use weir_config::{ConfigLoader, DatasetRegistry};
use weir_core::{HookManager, Hooks, Pipeline, PipelineFilter, RunError};
use weir_datasets::SerdeTypes;

use crate::cli::{
    CatalogArgs, CatalogCommand, Cli, Command, EnvArgs, RegistryCommand, RunArgs, RunnerKind,
    RunsCommand,
};
use crate::history;
use crate::observe::{NodeStatus, ProgressMode, StderrAboveBar, format_duration, no_color};
use crate::session::{RunOutcome, RunRequest, RunnerChoice, Session, SessionError, SessionOptions};
use crate::yaml::to_yaml;

type RegistryExtension = Box<dyn Fn(&mut DatasetRegistry) + Send + Sync>;
type LoaderExtension = Box<dyn Fn(ConfigLoader) -> ConfigLoader + Send + Sync>;

/// A Weir project: its pipelines, hooks and settings, and the command line that runs them.
///
/// ```no_run
/// use weir_cli::Project;
/// use weir_core::{Pipeline, node};
///
/// fn main() -> std::process::ExitCode {
///     Project::new("demo")
///         .pipeline("__default__", Pipeline::new([node(|x: u64| x + 1).inputs("x").outputs("y")]))
///         .main()
/// }
/// ```
pub struct Project {
    name: String,
    pipelines: IndexMap<String, Pipeline>,
    hooks: Vec<Arc<dyn Hooks>>,
    types: SerdeTypes,
    registry_extensions: Vec<RegistryExtension>,
    loader_extensions: Vec<LoaderExtension>,
    conf_source: PathBuf,
    default_root: Option<PathBuf>,
    history: Option<PathBuf>,
    registry: std::sync::OnceLock<Arc<DatasetRegistry>>,
}

impl Project {
    /// A project with no pipelines, hooks or custom types yet.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            pipelines: IndexMap::new(),
            hooks: Vec::new(),
            types: SerdeTypes::new(),
            registry_extensions: Vec::new(),
            loader_extensions: Vec::new(),
            conf_source: PathBuf::from("conf"),
            default_root: None,
            history: Some(PathBuf::from(".weir/runs.db")),
            registry: std::sync::OnceLock::new(),
        }
    }

    /// Registers a pipeline by name (`__default__` is what `run` runs without `--pipelines`).
    pub fn pipeline(mut self, name: impl Into<String>, pipeline: Pipeline) -> Self {
        self.pipelines.insert(name.into(), pipeline);
        self
    }

    /// Registers pipelines by name (Kedro's `register_pipelines`).
    pub fn pipelines<N: Into<String>>(
        mut self,
        pipelines: impl IntoIterator<Item = (N, Pipeline)>,
    ) -> Self {
        for (name, pipeline) in pipelines {
            self.pipelines.insert(name.into(), pipeline);
        }
        self
    }

    /// Registers a hook (Kedro's `HOOKS` in `settings.py`). Hooks registered later run first,
    /// as in Kedro, unless priorities say otherwise.
    pub fn hooks(mut self, hook: impl Hooks + 'static) -> Self {
        self.hooks.push(Arc::new(hook));
        self
    }

    /// Registers a shared hook (one the caller keeps a handle to).
    pub fn hooks_shared(mut self, hook: Arc<dyn Hooks>) -> Self {
        self.hooks.push(hook);
        self
    }

    /// Lets serde datasets (`pickle.PickleDataset`, `json.JSONDataset`, ...) save and load `T`.
    pub fn serde_type<T>(mut self) -> Self
    where
        T: weir_core::Data + serde::Serialize + serde::de::DeserializeOwned,
    {
        self.types = std::mem::take(&mut self.types).with::<T>();
        self
    }

    /// Adds dataset types to the catalog's registry (`type:` names in `catalog.yml`).
    pub fn dataset_types(
        mut self,
        extend: impl Fn(&mut DatasetRegistry) + Send + Sync + 'static,
    ) -> Self {
        self.registry_extensions.push(Box::new(extend));
        self
    }

    /// Adjusts the configuration loader (Kedro's `CONFIG_LOADER_ARGS`: patterns, merge
    /// strategies, resolvers).
    pub fn config_loader(
        mut self,
        adjust: impl Fn(ConfigLoader) -> ConfigLoader + Send + Sync + 'static,
    ) -> Self {
        self.loader_extensions.push(Box::new(adjust));
        self
    }

    /// The configuration folder, relative to the project root (default `conf`).
    pub fn conf_source(&self) -> &Path {
        &self.conf_source
    }

    /// Sets the configuration folder (Kedro's `CONF_SOURCE`).
    pub fn with_conf_source(mut self, folder: impl Into<PathBuf>) -> Self {
        self.conf_source = folder.into();
        self
    }

    /// The folder used as project root when the current folder has no configuration folder
    /// (typically `env!("CARGO_MANIFEST_DIR")`, so `cargo run` works from anywhere).
    pub fn default_root(mut self, folder: impl Into<PathBuf>) -> Self {
        self.default_root = Some(folder.into());
        self
    }

    /// Where runs are recorded, relative to the project root (default `.weir/runs.db`).
    pub fn run_history(mut self, path: impl Into<PathBuf>) -> Self {
        self.history = Some(path.into());
        self
    }

    /// Do not record runs.
    pub fn no_run_history(mut self) -> Self {
        self.history = None;
        self
    }

    /// The project's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The registered pipeline names, sorted.
    pub fn pipeline_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.pipelines.keys().cloned().collect();
        names.sort();
        names
    }

    /// A registered pipeline.
    pub fn find_pipeline(&self, name: &str) -> Option<&Pipeline> {
        self.pipelines.get(name)
    }

    /// The project's hooks in a new manager.
    pub fn hook_manager(&self) -> HookManager {
        let mut manager = HookManager::new();
        for hook in &self.hooks {
            manager.register_shared(Arc::clone(hook));
        }
        manager
    }

    /// The dataset registry: Weir's file datasets, the project's types and extensions.
    pub fn registry(&self) -> Arc<DatasetRegistry> {
        Arc::clone(self.registry.get_or_init(|| {
            let mut registry = weir_datasets::registry(self.types.clone());
            for extend in &self.registry_extensions {
                extend(&mut registry);
            }
            Arc::new(registry)
        }))
    }

    pub(crate) fn configure_loader(&self, mut loader: ConfigLoader) -> ConfigLoader {
        for adjust in &self.loader_extensions {
            loader = adjust(loader);
        }
        loader
    }

    pub(crate) fn history_path(&self, root: &Path) -> Option<PathBuf> {
        self.history.as_ref().map(|path| root.join(path))
    }

    /// The project root: `$WEIR_PROJECT_PATH`, else the current folder when it holds the
    /// configuration folder, else the default root, else the current folder.
    pub fn root(&self) -> PathBuf {
        if let Some(path) = std::env::var_os("WEIR_PROJECT_PATH") {
            return PathBuf::from(path);
        }
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        if cwd.join(&self.conf_source).is_dir() {
            return cwd;
        }
        self.default_root.clone().unwrap_or(cwd)
    }

    /// Creates a session at the project root.
    pub fn session(&self, options: SessionOptions) -> Result<Session<'_>, SessionError> {
        Session::create(self, &self.root(), options)
    }

    /// Runs the command line of `std::env::args()` and returns the exit code: 0 on success, 1
    /// when the pipeline fails, 2 for usage and configuration errors.
    pub fn main(self) -> ExitCode {
        self.main_with_args(std::env::args_os())
    }

    /// Runs a command line (the first item is the program name).
    pub fn main_with_args<I, T>(self, args: I) -> ExitCode
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
        let command = Cli::command()
            .name(self.name.clone())
            .bin_name(self.name.clone());
        let matches = match command.try_get_matches_from(&args) {
            Ok(matches) => matches,
            Err(error) => {
                let _ = error.print();
                return ExitCode::from(if error.use_stderr() { 2 } else { 0 });
            }
        };
        let cli = match Cli::from_arg_matches(&matches) {
            Ok(cli) => cli,
            Err(error) => {
                let _ = error.print();
                return ExitCode::from(2);
            }
        };
        init_logging(cli.verbose, cli.quiet);
        let argv: Vec<String> = args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let result = match cli.command {
            _ if cli.version => {
                println!("weir {}", env!("CARGO_PKG_VERSION"));
                Ok(())
            }
            None => {
                let _ = Cli::command().name(self.name.clone()).print_help();
                Ok(())
            }
            Some(Command::Run(run)) => self.run_command(&run, argv, cli.quiet),
            Some(Command::Catalog(command)) => self.catalog_command(command),
            Some(Command::Registry(command)) => self.registry_command(command),
            Some(Command::Runs(command)) => self.runs_command(command),
            Some(Command::Info) => {
                self.info();
                Ok(())
            }
            Some(Command::Completions { shell }) => {
                let mut command = Cli::command();
                clap_complete::generate(
                    shell,
                    &mut command,
                    self.name.clone(),
                    &mut std::io::stdout(),
                );
                Ok(())
            }
        };
        match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                if !matches!(error, SessionError::Run(_)) {
                    eprintln!("{}", render_error(&error));
                }
                ExitCode::from(error.exit_code())
            }
        }
    }

    fn options(&self, env: &EnvArgs) -> SessionOptions {
        SessionOptions {
            env: env.env.clone(),
            conf_source: env.conf_source.clone(),
            ..SessionOptions::default()
        }
    }

    fn run_command(
        &self,
        args: &RunArgs,
        argv: Vec<String>,
        quiet: u8,
    ) -> Result<(), SessionError> {
        let runtime_params = args
            .params
            .as_deref()
            .map(weir_config::parse_runtime_params)
            .transpose()?;
        let mut load_versions = BTreeMap::new();
        for item in &args.load_versions {
            load_versions.extend(weir_config::parse_load_versions(item)?);
        }
        let session = Session::create(
            self,
            &self.root(),
            SessionOptions {
                env: args.env.clone(),
                conf_source: args.conf_source.clone(),
                runtime_params,
                load_versions,
                run_id: None,
            },
        )?;
        let mut pipelines = args.pipelines.clone();
        if let Some(pipeline) = &args.pipeline {
            pipelines.push(pipeline.clone());
        }
        let clean = |items: &[String]| -> Vec<String> {
            items
                .iter()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect()
        };
        let request = RunRequest {
            pipelines: clean(&pipelines),
            filter: PipelineFilter {
                tags: clean(&args.tags),
                from_nodes: clean(&args.from_nodes),
                to_nodes: clean(&args.to_nodes),
                node_names: clean(&args.nodes),
                from_inputs: clean(&args.from_inputs),
                to_outputs: clean(&args.to_outputs),
                node_namespaces: clean(&args.namespaces),
            },
            runner: match args.runner {
                RunnerKind::Sequential => RunnerChoice::Sequential,
                RunnerKind::Parallel => RunnerChoice::Parallel(args.workers),
            },
            is_async: args.is_async,
            only_missing_outputs: args.only_missing_outputs,
            command: argv.clone(),
            progress: Some(ProgressMode::detect(quiet)),
        };
        let outcome = session.run(&request)?;
        let summary = summary(&session, &outcome, &argv);
        match outcome.result {
            Ok(_) => {
                if quiet < 2 {
                    print!("{summary}");
                }
                Ok(())
            }
            Err(error) => {
                eprint!("{summary}");
                Err(SessionError::Run(error))
            }
        }
    }

    fn catalog_command(&self, command: CatalogCommand) -> Result<(), SessionError> {
        match command {
            CatalogCommand::DescribeDatasets(args) => {
                let session = self.session_for(&args.env)?;
                let mut out = serde_json::Map::new();
                for name in self.selected(&args)? {
                    let pipeline = self
                        .find_pipeline(&name)
                        .cloned()
                        .unwrap_or_else(Pipeline::empty);
                    let mut datasets: BTreeMap<String, Vec<String>> = BTreeMap::new();
                    let mut factories: BTreeMap<String, Vec<String>> = BTreeMap::new();
                    let mut defaults: BTreeMap<String, Vec<String>> = BTreeMap::new();
                    let config = session.catalog_config();
                    for dataset in pipeline.datasets() {
                        if dataset == "parameters" || dataset.starts_with("params:") {
                            continue;
                        }
                        let base = weir_core::strip_transcoding(&dataset).to_owned();
                        match config.info(&base) {
                            Some(info) if config.pattern_for(&base).is_some() => {
                                factories.entry(info.type_name).or_default().push(dataset);
                            }
                            Some(info) => datasets.entry(info.type_name).or_default().push(dataset),
                            None => defaults
                                .entry("MemoryDataset".to_owned())
                                .or_default()
                                .push(dataset),
                        }
                    }
                    out.insert(
                        name,
                        json!({"datasets": datasets, "factories": factories, "defaults": defaults}),
                    );
                }
                print!("{}", to_yaml(&Json::Object(out)));
            }
            CatalogCommand::ListPatterns(env) => {
                let session = self.session_for(&env)?;
                let patterns = session.catalog_config().list_patterns();
                print!("{}", to_yaml(&json!(patterns)));
            }
            CatalogCommand::ResolvePatterns(args) => {
                let session = self.session_for(&args.env)?;
                let config = session.catalog_config();
                let mut out = serde_json::Map::new();
                for name in config.entry_names() {
                    if let Some(node) = config.resolve_config(name) {
                        out.insert(name.to_owned(), node.to_json());
                    }
                }
                for pipeline_name in self.selected(&args)? {
                    let Some(pipeline) = self.find_pipeline(&pipeline_name) else {
                        continue;
                    };
                    for dataset in pipeline.datasets() {
                        if dataset == "parameters"
                            || dataset.starts_with("params:")
                            || out.contains_key(&dataset)
                        {
                            continue;
                        }
                        let resolved = config
                            .resolve_config(weir_core::strip_transcoding(&dataset))
                            .map(|node| node.to_json())
                            .unwrap_or_else(|| json!({"type": "MemoryDataset"}));
                        out.insert(dataset, resolved);
                    }
                }
                print!("{}", to_yaml(&Json::Object(out)));
            }
        }
        Ok(())
    }

    fn session_for(&self, env: &EnvArgs) -> Result<Session<'_>, SessionError> {
        Session::create(self, &self.root(), self.options(env))
    }

    fn selected(&self, args: &CatalogArgs) -> Result<Vec<String>, SessionError> {
        if args.pipelines.is_empty() {
            return Ok(self.pipeline_names());
        }
        for name in &args.pipelines {
            if self.find_pipeline(name).is_none() {
                return Err(self.unknown_pipeline(name));
            }
        }
        Ok(args.pipelines.clone())
    }

    fn unknown_pipeline(&self, name: &str) -> SessionError {
        SessionError::Usage(format!(
            "'{name}' pipeline not found. Existing pipelines: [{}]",
            self.pipeline_names().join(", ")
        ))
    }

    fn registry_command(&self, command: RegistryCommand) -> Result<(), SessionError> {
        match command {
            RegistryCommand::List => print!("{}", to_yaml(&json!(self.pipeline_names()))),
            RegistryCommand::Describe { name } => {
                let pipeline = self
                    .find_pipeline(&name)
                    .ok_or_else(|| self.unknown_pipeline(&name))?;
                let nodes: Vec<String> = pipeline
                    .nodes()
                    .iter()
                    .map(|node| format!("{} ({})", node.full_name(), node.function_name()))
                    .collect();
                print!("{}", to_yaml(&json!({"Nodes": nodes})));
            }
        }
        Ok(())
    }

    fn runs_command(&self, command: RunsCommand) -> Result<(), SessionError> {
        let root = self.root();
        let Some(path) = self.history_path(&root) else {
            return Err(SessionError::Usage(
                "this project does not record runs (`Project::no_run_history`)".to_owned(),
            ));
        };
        let history_error = |e: history::HistoryError| SessionError::Usage(e.to_string());
        match command {
            RunsCommand::List { limit } => {
                let runs = history::list(&path, limit).map_err(history_error)?;
                if runs.is_empty() {
                    println!("No runs recorded yet in {}.", path.display());
                    return Ok(());
                }
                println!(
                    "{:<26} {:<10} {:>10}  {:<24} command",
                    "run", "status", "time", "pipelines"
                );
                for run in runs {
                    println!(
                        "{:<26} {:<10} {:>10}  {:<24} {}",
                        run.id,
                        run.status,
                        run.duration_seconds
                            .map(|s| format_duration(std::time::Duration::from_secs_f64(s)))
                            .unwrap_or_default(),
                        run.pipelines,
                        run.command
                    );
                }
            }
            RunsCommand::Show { id } => {
                let Some(history::RunDetails {
                    run,
                    nodes,
                    datasets,
                }) = history::show(&path, &id).map_err(history_error)?
                else {
                    return Err(SessionError::Usage(format!(
                        "no run '{id}' in {}; `runs list` shows the recorded runs",
                        path.display()
                    )));
                };
                println!("run:        {}", run.id);
                println!("project:    {}", run.project);
                println!("status:     {}", run.status);
                println!("command:    {}", run.command);
                println!("env:        {}", run.env);
                println!("pipelines:  {}", run.pipelines);
                println!("git commit: {}", run.git_commit.as_deref().unwrap_or("-"));
                println!("started:    {}", run.started_at);
                println!("finished:   {}", run.finished_at.as_deref().unwrap_or("-"));
                if let Some(seconds) = run.duration_seconds {
                    println!(
                        "duration:   {}",
                        format_duration(std::time::Duration::from_secs_f64(seconds))
                    );
                }
                if let Some(error) = &run.error {
                    println!("error:      {error}");
                }
                println!("parameters: {}", run.parameters);
                println!("nodes:");
                for node in nodes {
                    println!(
                        "  {:<40} {:<10} {}{}",
                        node.node,
                        node.status,
                        format_duration(std::time::Duration::from_secs_f64(node.duration_seconds)),
                        node.error.map(|e| format!("  {e}")).unwrap_or_default()
                    );
                }
                println!("saved datasets:");
                for dataset in datasets {
                    let shape = match (dataset.rows, dataset.columns) {
                        (Some(rows), Some(columns)) => format!("{rows} rows x {columns} columns"),
                        _ => String::new(),
                    };
                    println!(
                        "  {:<40} {:<28} {}{}",
                        dataset.dataset,
                        shape,
                        dataset.location.unwrap_or_default(),
                        dataset
                            .version
                            .map(|v| format!(" (version {v})"))
                            .unwrap_or_default()
                    );
                }
            }
        }
        Ok(())
    }

    fn info(&self) {
        println!("weir {}", env!("CARGO_PKG_VERSION"));
        println!("project:   {}", self.name);
        println!("root:      {}", self.root().display());
        println!("pipelines: {}", self.pipeline_names().join(", "));
        let hooks = self.hook_manager().names();
        println!(
            "hooks:     {}",
            if hooks.is_empty() {
                "(none)".to_owned()
            } else {
                hooks.join(", ")
            }
        );
        if let Some(path) = self.history_path(&self.root()) {
            println!("run history: {}", path.display());
        }
        println!("dataset types: {}", self.registry().names().join(", "));
    }
}

fn init_logging(verbose: u8, quiet: u8) {
    let level = match (verbose, quiet) {
        (0, 0) => tracing::Level::INFO,
        (1, _) => tracing::Level::DEBUG,
        (v, _) if v >= 2 => tracing::Level::TRACE,
        (_, 1) => tracing::Level::WARN,
        _ => tracing::Level::ERROR,
    };
    let ansi = std::io::stderr().is_terminal() && !no_color();
    let _ = tracing_subscriber::fmt()
        .with_writer(StderrAboveBar)
        .with_max_level(level)
        .with_target(false)
        .with_ansi(ansi)
        .try_init();
}

/// Quotes an argument for a POSIX shell when it needs it.
pub fn shell_quote(argument: &str) -> String {
    let safe = !argument.is_empty()
        && argument
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c));
    if safe {
        argument.to_owned()
    } else {
        format!("'{}'", argument.replace('\'', r"'\''"))
    }
}

/// A command line as a shell would need it.
pub fn shell_join(arguments: &[String]) -> String {
    arguments
        .iter()
        .map(|a| shell_quote(a))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The command to resume a failed run: the same command without its `--from-nodes`, plus the
/// runner's suggestion.
pub fn resume_command(argv: &[String], from_nodes: &str) -> String {
    let mut kept = Vec::new();
    let mut skip_next = false;
    for argument in argv {
        if skip_next {
            skip_next = false;
            continue;
        }
        if argument == "--from-nodes" {
            skip_next = true;
            continue;
        }
        if argument.starts_with("--from-nodes=") {
            continue;
        }
        kept.push(argument.clone());
    }
    format!("{} {from_nodes}", shell_join(&kept))
}

fn render_error(error: &SessionError) -> String {
    let mut text = format!("Error: {error}");
    let mut source = std::error::Error::source(error);
    // Errors that already print their cause are not repeated.
    while let Some(cause) = source {
        let line = cause.to_string();
        if !text.contains(&line) {
            text.push_str(&format!("\n  caused by: {line}"));
        }
        source = cause.source();
    }
    text
}

/// A short text for a small value (numbers, a map of metrics, a table's shape).
pub(crate) fn describe_value(value: &weir_core::Value) -> Option<String> {
    if let Some(map) = value.downcast_ref::<BTreeMap<String, f64>>() {
        return Some(
            map.iter()
                .map(|(k, v)| format!("\n    {k:<20} {v}"))
                .collect::<String>(),
        );
    }
    if let Some(json) = value.downcast_ref::<Json>() {
        let text = json.to_string();
        return Some(if text.len() > 200 {
            format!("{}…", &text[..text.floor_char_boundary(200)])
        } else {
            text
        });
    }
    macro_rules! scalars {
        ($($t:ty),*) => {$(
            if let Some(v) = value.downcast_ref::<$t>() { return Some(v.to_string()); }
        )*};
    }
    scalars!(f64, f32, i64, i32, u64, u32, usize, bool, String);
    if let Some(shape) = crate::observe::table_shape(value) {
        return Some(format!("table of {} rows x {} columns", shape.0, shape.1));
    }
    None
}

/// The end-of-run summary: each node's status and durations (its function, then loading its
/// inputs and saving its outputs, where a lazy node's query runs), the slowest nodes, the saved
/// datasets with their sizes and locations, the free outputs, and on failure the error and the
/// command that resumes the run.
pub fn summary(session: &Session<'_>, outcome: &RunOutcome, argv: &[String]) -> String {
    let mut out = String::new();
    let status = if outcome.result.is_ok() {
        "succeeded"
    } else {
        "FAILED"
    };
    out.push_str(&format!(
        "\nRun {} of pipeline {} (env {}) {status} in {}\n",
        outcome.run_id,
        outcome.pipelines.join(" + "),
        session.env(),
        format_duration(outcome.duration)
    ));
    out.push_str(&format!(
        "\n{:<44} {:<10} {:>10} {:>10} {:>10}\n",
        "node", "status", "run", "load", "save"
    ));
    for node in &outcome.nodes {
        let status = match &node.status {
            NodeStatus::Completed => "completed",
            NodeStatus::Skipped => "skipped",
            NodeStatus::Failed(_) => "FAILED",
        };
        out.push_str(&format!(
            "{:<44} {:<10} {:>10} {:>10} {:>10}\n",
            node.name,
            status,
            format_duration(node.duration),
            format_duration(node.load),
            format_duration(node.save)
        ));
    }
    let ended: std::collections::BTreeSet<&str> =
        outcome.nodes.iter().map(|n| n.name.as_str()).collect();
    let failed_node = outcome
        .result
        .as_ref()
        .err()
        .and_then(RunError::failed_node);
    for node in outcome.pipeline.nodes() {
        let name = node.full_name();
        if !ended.contains(name) {
            let status = if Some(name) == failed_node {
                "FAILED"
            } else {
                "not run"
            };
            out.push_str(&format!("{name:<44} {status:<10} {:>10}\n", "-"));
        }
    }
    let mut slowest: Vec<_> = outcome
        .nodes
        .iter()
        .filter(|n| n.status == NodeStatus::Completed)
        .collect();
    slowest.sort_by_key(|node| std::cmp::Reverse(node.total()));
    if slowest.len() > 1 {
        out.push_str(&format!(
            "\nslowest: {}\n",
            slowest
                .iter()
                .take(3)
                .map(|n| format!("{} ({})", n.name, format_duration(n.total())))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let persisted: Vec<_> = outcome
        .saved
        .iter()
        .filter_map(|saved| {
            session
                .location(&saved.name)
                .map(|location| (saved, location))
        })
        .collect();
    if !persisted.is_empty() {
        out.push_str("\nsaved:\n");
        for (saved, location) in persisted {
            let shape = saved
                .shape
                .map(|(rows, columns)| format!("{rows} rows x {columns} columns"))
                .unwrap_or_default();
            out.push_str(&format!("  {:<40} {:<26} {location}\n", saved.name, shape));
        }
    }
    // What the project's hooks report: validations, tracking, metrics sent.
    for (hook, lines) in session.project().hook_manager().summaries() {
        out.push_str(&format!("\n{hook}:\n"));
        for line in lines {
            out.push_str(&format!("  {line}\n"));
        }
    }
    match &outcome.result {
        Ok(result) => {
            // Free outputs, and small values saved where they have no file (MLflow metrics).
            let described: Vec<(String, String)> = result
                .outputs
                .iter()
                .filter_map(|(name, value)| describe_value(value).map(|text| (name.clone(), text)))
                .chain(outcome.saved.iter().filter_map(|saved| {
                    let preview = saved.preview.clone()?;
                    let fileless_entry = session.is_catalog_entry(&saved.name)
                        && session.location(&saved.name).is_none()
                        && !result.outputs.iter().any(|(name, _)| *name == saved.name);
                    fileless_entry.then(|| (saved.name.clone(), preview))
                }))
                .collect();
            if !described.is_empty() {
                out.push_str("\noutputs:\n");
                for (name, text) in described {
                    out.push_str(&format!(
                        "  {name}:{}{text}\n",
                        if text.starts_with('\n') { "" } else { " " }
                    ));
                }
            }
        }
        Err(error) => {
            out.push_str(&format!("\nError: {error}\n"));
            if let Some(suggestion) = error.resume_suggestion() {
                match suggestion.argument() {
                    Some(argument) => out.push_str(&format!(
                        "\n{} nodes did not run. Resume from the nearest nodes with persisted inputs:\n  {}\n",
                        suggestion.remaining,
                        resume_command(argv, &argument)
                    )),
                    None => out.push_str(&format!("\n{suggestion}\n")),
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resume_command_replaces_from_nodes() {
        let argv: Vec<String> = [
            "/bin/demo",
            "run",
            "--from-nodes",
            "a",
            "--env=prod",
            "--params",
            "x=a b",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            resume_command(&argv, "--from-nodes \"b,c\""),
            "/bin/demo run --env=prod --params 'x=a b' --from-nodes \"b,c\""
        );
    }

    #[test]
    fn quoting_is_posix() {
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote("plain-arg"), "plain-arg");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn exit_codes_follow_the_contract() {
        assert_eq!(SessionError::Usage("x".into()).exit_code(), 2);
        assert_eq!(
            SessionError::Run(RunError::Configuration("x".into())).exit_code(),
            2
        );
    }
}
