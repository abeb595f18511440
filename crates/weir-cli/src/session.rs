//! A session: one run of the project, from configuration to the record of what happened
//! (Kedro's `KedroSession`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use weir_config::{CatalogConfig, ConfigError, ConfigLoader, SettingsError};
use weir_core::{
    BoxError, Catalog, CatalogCreated, ContextCreated, Hooks, Interrupt, ParallelRunner, Pipeline,
    PipelineError, PipelineFilter, PluginConfigError, RunError, RunParams, RunResult, Runner,
    SequentialRunner, unique_run_id,
};

use crate::cleanup;
use crate::history::{self, RunHistory, RunStart};
use crate::progress::{NodeOutcome, ProgressMode, RunObserver, SavedDataset};
use crate::project::Project;
use crate::text::shell_join;

/// Why a session could not run, or a run failed.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum SessionError {
    /// The configuration is wrong (files, YAML, catalog, parameters).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(#[from] ConfigError),
    /// The command asked for something that does not exist.
    #[error("{message}")]
    #[diagnostic(code(weir::usage))]
    Usage {
        /// What is wrong.
        message: String,
        /// How to fix it.
        #[help]
        help: Option<String>,
    },
    /// A pipeline filter did not apply.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Pipeline(#[from] PipelineError),
    /// A hook of the session (`after_context_created`, `after_catalog_created`) failed.
    #[error("hook failed: {0}")]
    Hook(BoxError),
    /// The run failed.
    #[error("{0}")]
    Run(#[from] RunError),
}

impl SessionError {
    /// A usage error: the command asked for something that does not exist.
    pub fn usage(message: impl Into<String>) -> Self {
        Self::Usage {
            message: message.into(),
            help: None,
        }
    }

    /// The same error with a hint on how to fix it (usage errors only).
    #[must_use]
    pub fn with_help(mut self, text: impl Into<String>) -> Self {
        if let Self::Usage { help, .. } = &mut self {
            *help = Some(text.into());
        }
        self
    }

    /// The process exit code: 1 when the pipeline failed, 2 for usage and configuration errors
    /// (including a pipeline that does not validate, where nothing ran), 130 when the run was
    /// interrupted (Ctrl-C, `SIGTERM`).
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Run(RunError::Invalid(_) | RunError::Configuration(_)) => 2,
            Self::Run(RunError::Interrupted(_)) => 130,
            // A plugin that refuses its settings file is a configuration error.
            Self::Hook(error) if is_configuration(error.as_ref()) => 2,
            Self::Run(_) | Self::Hook(_) => 1,
            Self::Config(_) | Self::Usage { .. } | Self::Pipeline(_) => 2,
        }
    }
}

impl From<crate::project::RootError> for SessionError {
    fn from(error: crate::project::RootError) -> Self {
        SessionError::Usage {
            message: error.message,
            help: Some(error.help),
        }
    }
}

/// Whether an error, or one of its causes, is a configuration error.
pub(crate) fn is_configuration(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(error);
    while let Some(error) = next {
        if error.is::<SettingsError>()
            || error.is::<ConfigError>()
            || error.is::<PluginConfigError>()
        {
            return true;
        }
        next = error.source();
    }
    false
}

/// How a session is created (Kedro's `KedroSession.create` arguments).
#[derive(Debug, Clone, Default)]
pub struct SessionOptions {
    /// The configuration environment (default `local`).
    pub env: Option<String>,
    /// The configuration folder (default `<project>/conf`).
    pub conf_source: Option<PathBuf>,
    /// Runtime parameters (`--params`).
    pub runtime_params: Option<serde_json::Value>,
    /// Versions to load (`--load-versions`).
    pub load_versions: BTreeMap<String, String>,
    /// The run id (default: a new timestamp).
    pub run_id: Option<String>,
}

/// Which runner a run uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RunnerChoice {
    /// [`SequentialRunner`].
    #[default]
    Sequential,
    /// [`ParallelRunner`] with this many workers (default: the number of cores).
    Parallel(Option<usize>),
}

/// What to run (Kedro's `session.run` arguments).
#[derive(Debug, Clone, Default)]
pub struct RunRequest {
    /// Pipelines to sum (default `__default__`).
    pub pipelines: Vec<String>,
    /// Node selection.
    pub filter: PipelineFilter,
    /// The runner.
    pub runner: RunnerChoice,
    /// Load and save concurrently.
    pub is_async: bool,
    /// Run only nodes whose persisted outputs are missing.
    pub only_missing_outputs: bool,
    /// The command line, for the run history and the resume command.
    pub command: Vec<String>,
    /// How to show progress.
    pub progress: Option<ProgressMode>,
    /// Stops the run when requested (the `run` command requests it on Ctrl-C or `SIGTERM`):
    /// no node starts after it, and the run ends [interrupted](RunError::Interrupted).
    pub interrupt: Interrupt,
}

/// The run in progress in this process, for [`abandon_active_run`].
struct ActiveRun {
    history: Option<Arc<RunHistory>>,
    folders: BTreeSet<PathBuf>,
}

fn active_run() -> &'static Mutex<Option<ActiveRun>> {
    static ACTIVE: Mutex<Option<ActiveRun>> = Mutex::new(None);
    &ACTIVE
}

/// For a process about to exit in the middle of a run (a second Ctrl-C): records the run as
/// interrupted and removes the temporary files of its unfinished saves. Does nothing when no
/// run is in progress.
pub fn abandon_active_run(reason: &str) {
    // `try_lock`: never wait on a run that is registering or ending right now.
    let Ok(active) = active_run().try_lock() else {
        return;
    };
    let Some(active) = active.as_ref() else {
        return;
    };
    if let Some(history) = &active.history
        && let Err(problem) = history.abandon(reason)
    {
        tracing::warn!("{problem}");
    }
    cleanup::remove_temporary_files(&active.folders, true);
}

/// What a run did, success or failure.
pub struct RunOutcome {
    /// The run id.
    pub run_id: String,
    /// The pipelines run.
    pub pipelines: Vec<String>,
    /// The pipeline after filtering.
    pub pipeline: Pipeline,
    /// The runner's result.
    pub result: Result<RunResult, RunError>,
    /// Each node that ended, in order.
    pub nodes: Vec<NodeOutcome>,
    /// Each dataset saved.
    pub saved: Vec<SavedDataset>,
    /// Wall time.
    pub duration: Duration,
}

impl Project {
    /// Creates a session at the project root.
    ///
    /// # Errors
    ///
    /// The configuration cannot be loaded, or a hook of the session failed.
    pub fn session(&self, options: SessionOptions) -> Result<Session<'_>, SessionError> {
        let root = self.find_root(options.conf_source.is_some())?;
        Session::create(self, &root, options)
    }
}

/// A session of a project: configuration loaded, catalog built, hooks told.
pub struct Session<'p> {
    project: &'p Project,
    root: PathBuf,
    run_id: String,
    env: String,
    parameters: serde_json::Value,
    /// The parameters with where each was written.
    parameter_sources: weir_config::tree::Node,
    config: CatalogConfig,
    catalog: Catalog,
    runtime_params: serde_json::Value,
    load_versions: BTreeMap<String, String>,
}

impl<'p> Session<'p> {
    /// Loads the configuration and builds the catalog, calling `after_context_created` and
    /// `after_catalog_created`.
    pub fn create(
        project: &'p Project,
        root: &Path,
        options: SessionOptions,
    ) -> Result<Self, SessionError> {
        let run_id = options.run_id.unwrap_or_else(unique_run_id);
        let conf_source = match options.conf_source {
            Some(path) if path.is_absolute() => path,
            Some(path) => std::env::current_dir()
                .map(|cwd| cwd.join(&path))
                .unwrap_or(path),
            None => root.join(project.conf_source()),
        };
        if !conf_source.is_dir() {
            return Err(SessionError::usage(format!(
                "configuration folder '{}' does not exist",
                conf_source.display()
            ))
            .with_help(
                "run the project from its root folder (the one holding `conf/`), or pass `--conf-source PATH`",
            ));
        }
        let runtime_params = options
            .runtime_params
            .unwrap_or_else(|| serde_json::Value::Object(serde_json::Map::new()));
        let loader = project.configure_loader(
            ConfigLoader::new(&conf_source)
                .env(options.env.as_deref())
                .runtime_params(runtime_params.clone()),
        );
        let env = loader.run_env().to_owned();
        let parameter_sources = loader.parameters_node()?;
        let parameters = parameter_sources.to_json();
        let hooks = project.hook_manager();
        hooks
            .after_context_created(
                &ContextCreated::new(root, &env, &parameters).with_config(&loader),
            )
            .map_err(SessionError::Hook)?;

        let catalog_node = loader.catalog()?;
        let config = CatalogConfig::from_node(&catalog_node, loader.credentials()?)?
            .project_root(root)
            .save_version(run_id.clone())
            .load_versions(options.load_versions.clone())?;
        let mut catalog = config.build(project.registry())?;
        catalog.add_parameters(parameters.clone());
        let conf_catalog = catalog_node.to_json();
        let load_versions: Vec<(String, String)> = options
            .load_versions
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        hooks
            .after_catalog_created(&CatalogCreated::new(
                &catalog,
                Some(&conf_catalog),
                &parameters,
                &run_id,
                &load_versions,
            ))
            .map_err(SessionError::Hook)?;
        Ok(Self {
            project,
            root: root.to_owned(),
            run_id,
            env,
            parameters,
            parameter_sources,
            config,
            catalog,
            runtime_params,
            load_versions: options.load_versions,
        })
    }

    /// The run id (also the save version of versioned datasets).
    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    /// The configuration environment.
    pub fn env(&self) -> &str {
        &self.env
    }

    /// The catalog.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The catalog's configuration.
    pub fn catalog_config(&self) -> &CatalogConfig {
        &self.config
    }

    /// The parameters, after runtime overrides.
    pub fn parameters(&self) -> &serde_json::Value {
        &self.parameters
    }

    /// The project's root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The sum of the named pipelines (`__default__` when none), after the filter.
    pub fn select(
        &self,
        names: &[String],
        filter: &PipelineFilter,
    ) -> Result<(Vec<String>, Pipeline), SessionError> {
        let mut names: Vec<String> = names.to_vec();
        names.dedup();
        if names.is_empty() {
            names.push("__default__".to_owned());
        }
        let mut selected = Vec::new();
        for name in &names {
            let pipeline = self.project.find_pipeline(name).ok_or_else(|| {
                let known = self.project.pipeline_names();
                let close = weir_core::suggest::close_matches(name, known.iter().map(String::as_str), 3, 0.6);
                let error = SessionError::usage(format!(
                    "Failed to find the pipeline named '{name}'. It needs to be registered with `Project::pipeline`."
                ));
                if close.is_empty() {
                    error.with_help(format!("the registered pipelines are: {}", known.join(", ")))
                } else {
                    error.with_help(format!("did you mean one of these instead? {}", close.join(", ")))
                }
            })?;
            selected.push(pipeline.clone());
        }
        let pipeline: Pipeline = selected.iter().sum();
        let pipeline = pipeline.filter(filter)?;
        if pipeline.is_empty() {
            return Err(SessionError::usage(
                "Pipeline contains no nodes after applying all provided filters. Please ensure that at least one pipeline with nodes has been defined.",
            ));
        }
        Ok((names, pipeline))
    }

    /// Runs the request: selects and filters the pipelines, runs them with the project's hooks
    /// plus progress and run history, and returns what happened. Usage errors (unknown pipeline,
    /// bad filter) are returned as `Err`; a failed run is an `Ok` outcome holding the error.
    pub fn run(&self, request: &RunRequest) -> Result<RunOutcome, SessionError> {
        let (names, pipeline) = self.select(&request.pipelines, &request.filter)?;
        let used = pipeline.datasets();
        for (name, why) in self.config.unsupported_entries(&self.project.registry()) {
            if used.contains(&name) {
                tracing::warn!("dataset '{name}' cannot be used in Weir: {why}");
            }
        }
        let mut params = RunParams::with_run_id(self.run_id.clone());
        params.project_path = Some(self.root.display().to_string());
        params.env = Some(self.env.clone());
        params.filter = request.filter.clone();
        params.git_commit = history::git_commit(&self.root);
        params.load_versions = self.load_versions.clone();
        params.runtime_params = self.runtime_params.clone();
        params.pipeline_names = names.clone();
        params.only_missing_outputs = request.only_missing_outputs;
        params.interrupt = request.interrupt.clone();

        let runner: Box<dyn Runner> = match request.runner {
            RunnerChoice::Sequential => {
                params.runner = "SequentialRunner".to_owned();
                Box::new(SequentialRunner::new().is_async(request.is_async))
            }
            RunnerChoice::Parallel(workers) => {
                params.runner = "ParallelRunner".to_owned();
                let mut runner = ParallelRunner::new().is_async(request.is_async);
                if let Some(workers) = workers {
                    runner = runner.workers(workers);
                }
                Box::new(runner)
            }
        };

        let observer = Arc::new(RunObserver::new(
            request.progress.unwrap_or(ProgressMode::Off),
        ));
        let mut hooks = self.project.hook_manager();
        hooks.register_shared(observer.clone() as Arc<dyn Hooks>);
        let history = self.start_history(&names, request, params.git_commit.clone());
        if let Some(history) = &history {
            hooks.register_shared(history.clone() as Arc<dyn Hooks>);
        }

        tracing::info!("Weir project {}", self.project.name());
        let folders = self.save_folders();
        let stale = cleanup::remove_temporary_files(&folders, false);
        if !stale.is_empty() {
            tracing::info!(
                "Removed {} temporary file(s) left by an interrupted save: {}",
                stale.len(),
                stale
                    .iter()
                    .map(|p| p
                        .strip_prefix(&self.root)
                        .unwrap_or(p)
                        .display()
                        .to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        if let Ok(mut active) = active_run().lock() {
            *active = Some(ActiveRun {
                history: history.clone(),
                folders,
            });
        }
        let started = Instant::now();
        let mut result = runner.run(&pipeline, &self.catalog, &hooks, &params);
        let duration = started.elapsed();
        if let Err(RunError::Invalid(report)) = &mut result {
            self.locate_parameter_problems(report);
        }
        if let Ok(mut active) = active_run().lock() {
            *active = None;
        }
        if let Some(history) = &history {
            let result = result.as_ref().map(|_| ());
            if let Err(problem) = history.finish(duration, result) {
                tracing::warn!("{problem}");
            }
        }
        Ok(RunOutcome {
            run_id: self.run_id.clone(),
            pipelines: names,
            pipeline,
            result,
            nodes: observer.nodes(),
            saved: observer.saved(),
            duration,
        })
    }

    /// Adds to each parameter that does not fit its type where it was set: a file and line,
    /// or `--params`. A field missing from a value set in the run's environment is explained:
    /// an environment's top-level key replaces the whole value of the base environment.
    fn locate_parameter_problems(&self, report: &mut weir_core::ValidationReport) {
        for problem in &mut report.problems {
            let Some(path) = &problem.parameter else {
                continue;
            };
            let dotted = path.replace('[', ".").replace(']', "");
            let segments: Vec<&str> = dotted.split('.').filter(|s| !s.is_empty()).collect();
            // The deepest part of the path that exists, and whether all of it does.
            let mut found = (0, &self.parameter_sources);
            for depth in 1..=segments.len() {
                match self
                    .parameter_sources
                    .get_path(&segments[..depth].join("."))
                {
                    Some(node) => found = (depth, node),
                    None => break,
                }
            }
            let (depth, node) = found;
            if depth == 0 {
                continue;
            }
            let shown = segments[..depth].join(".");
            let place = match &node.loc {
                Some(loc) => {
                    let file = loc.file.strip_prefix(&self.root).unwrap_or(&loc.file);
                    format!("`{shown}` is set at {}:{}", file.display(), loc.line)
                }
                None => format!("`{shown}` is set by `--params`"),
            };
            let in_run_env = node.loc.as_ref().is_some_and(|loc| {
                loc.file
                    .parent()
                    .and_then(Path::file_name)
                    .is_some_and(|dir| dir == self.env.as_str())
            });
            let missing = depth < segments.len() || problem.message.contains("missing field");
            let note = if missing && in_run_env && self.env != "base" {
                format!(
                    "; a top-level key set in `conf/{}` replaces the whole value from `conf/base`, so repeat every field of `{}` there",
                    self.env, segments[0]
                )
            } else {
                String::new()
            };
            problem.help = Some(match &problem.help {
                Some(help) => format!("{place}{note}; {help}"),
                None => format!("{place}{note}"),
            });
        }
    }

    /// The local folders the catalog's file datasets write to.
    fn save_folders(&self) -> BTreeSet<PathBuf> {
        let mut folders = BTreeSet::new();
        for name in self.config.entry_names() {
            if let Some(path) = self.config.info(name).and_then(|info| info.filepath) {
                cleanup::save_folders(Path::new(&path), &mut folders);
            }
        }
        folders
    }

    fn start_history(
        &self,
        names: &[String],
        request: &RunRequest,
        git_commit: Option<String>,
    ) -> Option<Arc<RunHistory>> {
        let path = self.project.history_path(&self.root)?;
        let mut locations = BTreeMap::new();
        for name in self.config.entry_names() {
            if let Some(info) = self.config.info(name) {
                locations.insert(
                    name.to_owned(),
                    (info.filepath.unwrap_or_default(), info.versioned),
                );
            }
        }
        let start = RunStart {
            id: self.run_id.clone(),
            project: self.project.name().to_owned(),
            command: shell_join(&request.command),
            env: self.env.clone(),
            pipelines: names.to_vec(),
            parameters: self.parameters.clone(),
            git_commit,
        };
        match RunHistory::start(&path, &start, locations) {
            Ok(history) => Some(Arc::new(history)),
            Err(problem) => {
                tracing::warn!("the run will not be recorded: {problem}");
                None
            }
        }
    }

    /// The project the session runs.
    pub fn project(&self) -> &'p Project {
        self.project
    }

    /// Whether `name` is an entry of the catalog configuration (or matches one of its
    /// patterns).
    pub fn is_catalog_entry(&self, name: &str) -> bool {
        self.config.info(name).is_some()
    }

    /// A dataset's location for people: its file path relative to the project, with the
    /// version for versioned datasets.
    pub fn location(&self, name: &str) -> Option<String> {
        let info = self.config.info(name)?;
        let path = info.filepath?;
        let relative = Path::new(&path)
            .strip_prefix(&self.root)
            .map(|p| p.display().to_string())
            .unwrap_or(path);
        Some(if info.versioned {
            let file = Path::new(&relative)
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default();
            format!("{relative}/{}/{file}", self.run_id)
        } else {
            relative
        })
    }
}
