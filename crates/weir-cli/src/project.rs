//! The [`Project`] definition: a project's `settings.py` and `pipeline_registry.py`, in Rust.
//!
//! This module only describes the project (pipelines, hooks, plugins, dataset types,
//! configuration settings); the session runs it and the commands present it.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use indexmap::IndexMap;
use weir_config::{ConfigLoader, DatasetRegistry, Plugin, PluginCommand, PluginRegistrar};
use weir_core::{HookManager, Hooks, Pipeline};
use weir_datasets::SerdeTypes;

type RegistryExtension = Arc<dyn Fn(&mut DatasetRegistry) + Send + Sync>;
type LoaderExtension = Box<dyn Fn(ConfigLoader) -> ConfigLoader + Send + Sync>;

/// The subcommands every project has; a plugin's command may not take one of these names.
pub const BUILT_IN_COMMANDS: [&str; 7] = [
    "run",
    "catalog",
    "registry",
    "runs",
    "info",
    "completions",
    "help",
];

/// A Weir project: its pipelines, hooks, plugins and settings.
///
/// `main()` (see [`Project::main`]) gives it the full command line.
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
    plugins: Vec<Arc<dyn Plugin>>,
    commands: Vec<PluginCommand>,
    command_owners: Vec<String>,
    problems: Vec<String>,
    types: SerdeTypes,
    registry_extensions: Vec<RegistryExtension>,
    loader_extensions: Vec<LoaderExtension>,
    conf_source: PathBuf,
    default_root: Option<PathBuf>,
    history: Option<PathBuf>,
    registry: OnceLock<Arc<DatasetRegistry>>,
}

impl Project {
    /// A project with no pipelines, hooks or custom types yet.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            pipelines: IndexMap::new(),
            hooks: Vec::new(),
            plugins: Vec::new(),
            commands: Vec::new(),
            command_owners: Vec::new(),
            problems: Vec::new(),
            types: SerdeTypes::new(),
            registry_extensions: Vec::new(),
            loader_extensions: Vec::new(),
            conf_source: PathBuf::from("conf"),
            default_root: None,
            history: Some(PathBuf::from(".weir/runs.db")),
            registry: OnceLock::new(),
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

    /// Registers a plugin: its hooks, dataset types, configuration patterns, commands and
    /// run-summary lines, all at once.
    ///
    /// ```no_run
    /// # fn register_pipelines() -> Vec<(String, weir_core::Pipeline)> { Vec::new() }
    /// # struct Tracking;
    /// # impl weir_core::Hooks for Tracking {}
    /// # impl weir_config::Plugin for Tracking {
    /// #     fn plugin_name(&self) -> String { "tracking".into() }
    /// #     fn register(self: std::sync::Arc<Self>, p: &mut weir_config::PluginRegistrar) { p.hooks_shared(self); }
    /// # }
    /// weir_cli::Project::new("demo")
    ///     .pipelines(register_pipelines())
    ///     .plugin(Tracking)
    ///     .main();
    /// ```
    pub fn plugin(self, plugin: impl Plugin) -> Self {
        self.plugin_shared(Arc::new(plugin))
    }

    /// Registers a plugin the caller keeps a handle to (to read its state after a run).
    pub fn plugin_shared(mut self, plugin: Arc<dyn Plugin>) -> Self {
        let name = plugin.plugin_name();
        if self.plugins.iter().any(|other| Arc::ptr_eq(other, &plugin)) {
            return self;
        }
        let mut registrar = PluginRegistrar::new(name.clone());
        Arc::clone(&plugin).register(&mut registrar);
        let parts = registrar.finish();
        self.hooks.extend(parts.hooks);
        self.registry_extensions.extend(parts.dataset_types);
        for (key, patterns) in parts.config_patterns {
            self.loader_extensions
                .push(Box::new(move |loader: ConfigLoader| {
                    loader.patterns_if_unset(&key, patterns.iter().cloned())
                }));
        }
        for command in parts.commands {
            let command_name = command.name().to_owned();
            let valid = command_name
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric())
                && command_name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !valid {
                self.problems.push(format!(
                    "plugin `{name}` adds a command {command_name:?}: a command name is letters, digits, `-` and `_`, starting with a letter or digit"
                ));
            } else if BUILT_IN_COMMANDS.contains(&command_name.as_str()) {
                self.problems.push(format!(
                    "plugin `{name}` adds a command `{command_name}`, which is a built-in command; the plugin must choose another name"
                ));
            } else if let Some(index) = self.commands.iter().position(|c| c.name() == command_name)
            {
                self.problems.push(format!(
                    "plugin `{name}` adds a command `{command_name}`, already added by plugin `{}`; register only one of them",
                    self.command_owners[index]
                ));
            } else {
                self.commands.push(command);
                self.command_owners.push(name.clone());
            }
        }
        self.plugins.push(plugin);
        self
    }

    /// Registers a hook (Kedro's `HOOKS` in `settings.py`). Hooks are called in descending
    /// [`Hooks::priority`], then in registration order (not Kedro's last-registered-first).
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
        self.registry_extensions.push(Arc::new(extend));
        self
    }

    /// Adjusts the configuration loader (Kedro's `CONFIG_LOADER_ARGS`: patterns, merge
    /// strategies, resolvers). Adjustments apply in registration order; a plugin's patterns
    /// apply only to a key that has none yet, so the project's own patterns for a key win
    /// whether they are registered before or after the plugin.
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

    /// The folder used as project root when the project's binary runs under `cargo run` or
    /// `cargo test` of this package (cargo sets `CARGO_MANIFEST_DIR` to this folder) and no
    /// folder from the current one up holds the configuration folder. Typically
    /// `env!("CARGO_MANIFEST_DIR")`, so `cargo run -p my-project` works from the workspace's
    /// root. An installed binary never falls back to it: it runs the project it is started in.
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

    /// The registered pipelines, in registration order.
    pub fn registered_pipelines(&self) -> &IndexMap<String, Pipeline> {
        &self.pipelines
    }

    /// The registered plugins, in registration order.
    pub fn plugins(&self) -> &[Arc<dyn Plugin>] {
        &self.plugins
    }

    /// The subcommands the plugins added.
    pub fn plugin_commands(&self) -> &[PluginCommand] {
        &self.commands
    }

    /// Problems found while registering plugins (a command name taken twice): the command
    /// line refuses to start while there is one.
    pub fn registration_problems(&self) -> &[String] {
        &self.problems
    }

    /// The project's hooks and its plugins' hooks in a new manager.
    pub fn hook_manager(&self) -> HookManager {
        let mut manager = HookManager::new();
        for hook in &self.hooks {
            manager.register_shared(Arc::clone(hook));
        }
        manager
    }

    /// The dataset registry: Weir's file datasets, the project's types and the plugins'.
    pub fn registry(&self) -> Arc<DatasetRegistry> {
        Arc::clone(self.registry.get_or_init(|| {
            let mut registry = weir_datasets::registry(self.types.clone());
            for extend in &self.registry_extensions {
                extend(&mut registry);
            }
            Arc::new(registry)
        }))
    }

    /// A configuration loader for `conf_source`, with the plugins' patterns and the project's
    /// adjustments.
    pub fn configure_loader(&self, mut loader: ConfigLoader) -> ConfigLoader {
        for adjust in &self.loader_extensions {
            loader = adjust(loader);
        }
        loader
    }

    /// Where runs are recorded under `root`, unless the project records none.
    pub fn history_path(&self, root: &Path) -> Option<PathBuf> {
        self.history.as_ref().map(|path| root.join(path))
    }

    /// The project root (Kedro's project path):
    ///
    /// 1. `$WEIR_PROJECT_PATH` when set (it must be a folder);
    /// 2. else the nearest folder, from the current one up, that holds the configuration
    ///    folder (`conf/`);
    /// 3. else the [default root](Self::default_root), only when the binary runs under
    ///    `cargo run`/`cargo test` of the package that set it;
    /// 4. else an error saying where it looked: a project is never guessed.
    ///
    /// # Errors
    ///
    /// `$WEIR_PROJECT_PATH` is not a folder, or no project was found.
    pub fn root(&self) -> Result<PathBuf, RootError> {
        self.find_root(false)
    }

    /// [`root`](Self::root); with `conf_given` (`--conf-source`), the current folder is the
    /// root when no folder holds a `conf/`, as in Kedro.
    pub(crate) fn find_root(&self, conf_given: bool) -> Result<PathBuf, RootError> {
        if let Some(path) = std::env::var_os("WEIR_PROJECT_PATH") {
            let path = PathBuf::from(path);
            if !path.is_dir() {
                return Err(RootError {
                    message: format!(
                        "WEIR_PROJECT_PATH is '{}', which is not a folder",
                        path.display()
                    ),
                    help: "set WEIR_PROJECT_PATH to the project's folder (the one holding `conf/`), or unset it".to_owned(),
                });
            }
            return Ok(path);
        }
        let cwd = std::env::current_dir().map_err(|error| RootError {
            message: format!("the current folder cannot be read: {error}"),
            help: "run the command from the project's folder, or set WEIR_PROJECT_PATH".to_owned(),
        })?;
        if let Some(found) = cwd
            .ancestors()
            .find(|folder| folder.join(&self.conf_source).is_dir())
        {
            return Ok(found.to_owned());
        }
        if conf_given {
            return Ok(cwd);
        }
        if let Some(default) = &self.default_root
            && std::env::var_os("CARGO_MANIFEST_DIR").is_some_and(|dir| Path::new(&dir) == default)
            && default.join(&self.conf_source).is_dir()
        {
            return Ok(default.clone());
        }
        Err(RootError {
            message: format!(
                "no Weir project here: neither {} nor any folder above it holds a `{}` folder",
                cwd.display(),
                self.conf_source.display()
            ),
            help: format!(
                "run `{}` from the project's folder (the one holding `{}/`), set WEIR_PROJECT_PATH to it, or pass `--conf-source PATH`",
                self.name,
                self.conf_source.display()
            ),
        })
    }
}

/// No project root was found ([`Project::root`]): where it looked and what to do.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
#[diagnostic(code(weir::usage))]
pub struct RootError {
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    #[help]
    pub help: String,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use weir_config::PluginCommand;
    use weir_core::NoHooks;

    use super::*;

    struct Demo {
        command: &'static str,
    }

    impl Hooks for Demo {}

    impl Plugin for Demo {
        fn plugin_name(&self) -> String {
            format!("demo-{}", self.command)
        }

        fn register(self: Arc<Self>, plugin: &mut PluginRegistrar) {
            let command = self.command;
            plugin
                .config_patterns("demo", ["demo*"])
                .dataset_types(|registry| {
                    registry.alias("demo.Memory", "MemoryDataset");
                })
                .command(PluginCommand::new(command, "a demo", |_, _| Ok(())))
                .hooks_shared(self);
        }
    }

    #[test]
    fn one_call_registers_every_part() {
        let project = Project::new("p").plugin(Demo { command: "demo" });
        assert_eq!(project.plugins().len(), 1);
        assert_eq!(project.hook_manager().len(), 1);
        assert!(
            project
                .registry()
                .names()
                .contains(&"demo.Memory".to_owned())
        );
        assert_eq!(project.plugin_commands()[0].name(), "demo");
        assert!(project.registration_problems().is_empty());
    }

    #[test]
    fn a_plugin_registered_twice_counts_once() {
        let plugin: Arc<dyn Plugin> = Arc::new(Demo { command: "demo" });
        let project = Project::new("p")
            .plugin_shared(Arc::clone(&plugin))
            .plugin_shared(plugin);
        assert_eq!(project.plugins().len(), 1);
        assert_eq!(project.hook_manager().len(), 1);
        assert_eq!(project.plugin_commands().len(), 1);
    }

    #[test]
    fn commands_that_clash_are_problems() {
        let project = Project::new("p")
            .plugin(Demo { command: "run" })
            .plugin(Demo { command: "audit" })
            .plugin(Demo { command: "audit" })
            .plugin(Demo { command: "-x" });
        let problems = project.registration_problems();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[2].contains("\"-x\""), "{problems:?}");
        assert!(problems[0].contains("`run`, which is a built-in command"));
        assert!(
            problems[1].contains("`audit`, already added by plugin `demo-audit`"),
            "{problems:?}"
        );
        assert_eq!(project.plugin_commands().len(), 1);
    }

    #[test]
    fn a_project_keeps_its_own_patterns() {
        let project = Project::new("p")
            .config_loader(|loader| loader.patterns("demo", ["mine*"]))
            .plugin(Demo { command: "demo" })
            .hooks(NoHooks);
        let folder = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(folder.path().join("base")).unwrap();
        std::fs::create_dir_all(folder.path().join("local")).unwrap();
        std::fs::write(folder.path().join("base/mine.yml"), "a: 1\n").unwrap();
        std::fs::write(folder.path().join("base/demo.yml"), "b: 2\n").unwrap();
        let loader = project.configure_loader(ConfigLoader::new(folder.path()));
        let loaded = loader.get("demo").unwrap();
        assert_eq!(loaded.to_json(), serde_json::json!({"a": 1}));
    }
}
