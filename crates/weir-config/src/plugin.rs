//! Plugins: one value that brings hooks, dataset types, configuration files, command-line
//! subcommands and run-summary lines to a project, registered with one call
//! (`Project::plugin(p)` in `weir-cli`, re-exported by the `weir` facade).
//!
//! A plugin implements [`Plugin`] once. In [`Plugin::register`] it says what it contributes
//! through a [`PluginRegistrar`]; forgetting a piece cannot happen at the project's side,
//! because the project registers the plugin, never its pieces. Its settings file
//! (`conf/<env>/<key>.yml`) is read into a typed struct by [`load_settings`], with errors that
//! name the file, line and key.
//!
//! ```
//! use std::sync::Arc;
//! use serde::Deserialize;
//! use weir_config::plugin::{Plugin, PluginRegistrar, PluginSettings, load_settings};
//! use weir_core::{ContextCreated, HookResult, Hooks};
//!
//! /// `conf/<env>/audit.yml`.
//! #[derive(Debug, Default, Deserialize)]
//! #[serde(default, deny_unknown_fields)]
//! struct AuditSettings {
//!     enabled: bool,
//! }
//!
//! impl PluginSettings for AuditSettings {
//!     const KEY: &'static str = "audit";
//! }
//!
//! #[derive(Default)]
//! struct Audit;
//!
//! impl Hooks for Audit {
//!     fn after_context_created(&self, event: &ContextCreated<'_>) -> HookResult {
//!         let settings: AuditSettings = load_settings(event)?;
//!         let _ = settings.enabled;
//!         Ok(())
//!     }
//! }
//!
//! impl Plugin for Audit {
//!     fn plugin_name(&self) -> String {
//!         "audit".to_owned()
//!     }
//!
//!     fn register(self: Arc<Self>, plugin: &mut PluginRegistrar) {
//!         plugin.settings::<AuditSettings>().hooks_shared(self);
//!     }
//! }
//! ```

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use indexmap::IndexMap;
use serde::de::DeserializeOwned;
use weir_core::{BoxError, ConfigSource, ContextCreated, Hooks, Pipeline, PluginConfig};

use crate::catalog::{CatalogConfig, DatasetRegistry};
use crate::error::ConfigError;
use crate::loader::ConfigLoader;

/// A Weir plugin: everything an integration adds to a project, registered at once.
///
/// See the [module documentation](self) for a complete plugin.
pub trait Plugin: Send + Sync + 'static {
    /// The plugin's name: the heading of its lines in the run summary, and its name in `info`
    /// and in registration problems. (A hook's errors name the hook, [`Hooks::name`]; a plugin
    /// that is its own hook usually returns the same name from both.)
    fn plugin_name(&self) -> String;

    /// Says what the plugin contributes: hooks, dataset types, configuration patterns and
    /// commands. Called once, when the project registers the plugin.
    fn register(self: Arc<Self>, plugin: &mut PluginRegistrar);

    /// Lines for the end-of-run summary (what the plugin checked, logged or sent), called once
    /// the run has ended. Nothing by default.
    fn run_summary(&self) -> Vec<String> {
        Vec::new()
    }
}

/// A plugin's addition to the dataset registry.
pub type DatasetTypes = Arc<dyn Fn(&mut DatasetRegistry) + Send + Sync>;

/// What a plugin contributes, gathered by [`Plugin::register`].
pub struct PluginRegistrar {
    plugin: String,
    hooks: Vec<Arc<dyn Hooks>>,
    dataset_types: Vec<DatasetTypes>,
    config_patterns: Vec<(String, Vec<String>)>,
    commands: Vec<PluginCommand>,
}

impl PluginRegistrar {
    /// An empty registration for the plugin named `plugin` (projects create it; plugins only
    /// fill it).
    pub fn new(plugin: impl Into<String>) -> Self {
        Self {
            plugin: plugin.into(),
            hooks: Vec::new(),
            dataset_types: Vec::new(),
            config_patterns: Vec::new(),
            commands: Vec::new(),
        }
    }

    /// The plugin's name.
    pub fn plugin_name(&self) -> &str {
        &self.plugin
    }

    /// Adds a hook. Hooks are called in descending [`Hooks::priority`], then in registration
    /// order.
    pub fn hooks(&mut self, hooks: impl Hooks + 'static) -> &mut Self {
        self.hooks.push(Arc::new(hooks));
        self
    }

    /// Adds a hook the plugin keeps a handle to (usually the plugin itself: `hooks_shared(self)`
    /// in [`Plugin::register`]). The same hook registered twice is called once.
    pub fn hooks_shared(&mut self, hooks: Arc<dyn Hooks>) -> &mut Self {
        self.hooks.push(hooks);
        self
    }

    /// Adds `catalog.yml` `type:` names to the project's dataset registry.
    pub fn dataset_types(
        &mut self,
        extend: impl Fn(&mut DatasetRegistry) + Send + Sync + 'static,
    ) -> &mut Self {
        self.dataset_types.push(Arc::new(extend));
        self
    }

    /// Declares the plugin's configuration key and file patterns (Kedro's
    /// `CONFIG_LOADER_ARGS["config_patterns"]`): `ContextCreated::config` then loads that key
    /// with them, and a project can still replace them with its own.
    pub fn config_patterns(
        &mut self,
        key: impl Into<String>,
        patterns: impl IntoIterator<Item = impl Into<String>>,
    ) -> &mut Self {
        self.config_patterns
            .push((key.into(), patterns.into_iter().map(Into::into).collect()));
        self
    }

    /// Declares the plugin's settings file, with the key and patterns of `S`.
    pub fn settings<S: PluginSettings>(&mut self) -> &mut Self {
        self.config_patterns(S::KEY, S::patterns())
    }

    /// Adds a subcommand to the project's command line.
    pub fn command(&mut self, command: PluginCommand) -> &mut Self {
        self.commands.push(command);
        self
    }

    /// What was registered (for projects).
    pub fn finish(self) -> Contributions {
        Contributions {
            hooks: self.hooks,
            dataset_types: self.dataset_types,
            config_patterns: self.config_patterns,
            commands: self.commands,
        }
    }
}

/// What a plugin registered.
#[non_exhaustive]
pub struct Contributions {
    /// Its hooks, in registration order.
    pub hooks: Vec<Arc<dyn Hooks>>,
    /// Functions adding its dataset types to a registry.
    pub dataset_types: Vec<DatasetTypes>,
    /// Configuration keys and their file patterns.
    pub config_patterns: Vec<(String, Vec<String>)>,
    /// Its subcommands.
    pub commands: Vec<PluginCommand>,
}

impl fmt::Debug for Contributions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Contributions")
            .field(
                "hooks",
                &self.hooks.iter().map(|h| h.name()).collect::<Vec<_>>(),
            )
            .field("dataset_types", &self.dataset_types.len())
            .field("config_patterns", &self.config_patterns)
            .field("commands", &self.commands)
            .finish()
    }
}

type CommandFn = Arc<dyn Fn(&CommandContext<'_>, &[String]) -> Result<(), BoxError> + Send + Sync>;

/// A subcommand a plugin adds to every project's command line: `<project> <name> ARGS...`.
///
/// The plugin receives every argument after its name exactly as given (parse them with any
/// library, `clap` included; `--help`, `--` and `-v` are passed through too; only `-v`/`-q`
/// before the name are the project's), and a [`CommandContext`] with the project's pipelines
/// and configuration (the environment defaults to `$WEIR_ENV`, else `local`, as for `run`).
/// An error is printed as a diagnostic; the process exits with 2 for a configuration error
/// ([`SettingsError`], [`ConfigError`]) and 1 for any other. A name is letters, digits, `-`
/// and `_`.
#[derive(Clone)]
pub struct PluginCommand {
    name: String,
    about: String,
    run: CommandFn,
}

impl PluginCommand {
    /// A subcommand `name`, described by `about` in the project's `--help`.
    pub fn new(
        name: impl Into<String>,
        about: impl Into<String>,
        run: impl Fn(&CommandContext<'_>, &[String]) -> Result<(), BoxError> + Send + Sync + 'static,
    ) -> Self {
        Self {
            name: name.into(),
            about: about.into(),
            run: Arc::new(run),
        }
    }

    /// The subcommand's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its one-line description.
    pub fn about(&self) -> &str {
        &self.about
    }

    /// Runs it.
    ///
    /// # Errors
    ///
    /// What the plugin's command returns.
    pub fn run(&self, context: &CommandContext<'_>, arguments: &[String]) -> Result<(), BoxError> {
        (self.run)(context, arguments)
    }
}

impl fmt::Debug for PluginCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PluginCommand")
            .field("name", &self.name)
            .field("about", &self.about)
            .finish_non_exhaustive()
    }
}

type LoaderFn<'a> = dyn Fn(Option<&str>) -> ConfigLoader + 'a;

/// What a plugin's subcommand can see of the project.
pub struct CommandContext<'a> {
    project_name: &'a str,
    project_path: &'a Path,
    pipelines: &'a IndexMap<String, Pipeline>,
    registry: Arc<DatasetRegistry>,
    loader: Box<LoaderFn<'a>>,
}

impl<'a> CommandContext<'a> {
    /// The context (projects create it).
    pub fn new(
        project_name: &'a str,
        project_path: &'a Path,
        pipelines: &'a IndexMap<String, Pipeline>,
        registry: Arc<DatasetRegistry>,
        loader: impl Fn(Option<&str>) -> ConfigLoader + 'a,
    ) -> Self {
        Self {
            project_name,
            project_path,
            pipelines,
            registry,
            loader: Box::new(loader),
        }
    }

    /// The project's name.
    pub fn project_name(&self) -> &str {
        self.project_name
    }

    /// The project's root folder.
    pub fn project_path(&self) -> &Path {
        self.project_path
    }

    /// The registered pipelines, in registration order.
    pub fn pipelines(&self) -> impl Iterator<Item = (&'a str, &'a Pipeline)> {
        self.pipelines.iter().map(|(name, p)| (name.as_str(), p))
    }

    /// A registered pipeline.
    pub fn pipeline(&self, name: &str) -> Option<&'a Pipeline> {
        self.pipelines.get(name)
    }

    /// The project's dataset registry (Weir's types, the project's and the plugins').
    pub fn registry(&self) -> Arc<DatasetRegistry> {
        Arc::clone(&self.registry)
    }

    /// The project's configuration loader for an environment (`None`: the default), with the
    /// project's and the plugins' patterns.
    pub fn config_loader(&self, env: Option<&str>) -> ConfigLoader {
        (self.loader)(env)
    }

    /// The catalog's configuration in an environment, as `run` would build it.
    ///
    /// # Errors
    ///
    /// A configuration error naming the file, line and key.
    pub fn catalog_config(&self, env: Option<&str>) -> Result<CatalogConfig, ConfigError> {
        let loader = self.config_loader(env);
        Ok(
            CatalogConfig::from_node(&loader.catalog()?, loader.credentials()?)?
                .project_root(self.project_path),
        )
    }

    /// A plugin's settings in an environment (`None`: the default), read as
    /// [`load_settings`] reads them for the hooks.
    ///
    /// # Errors
    ///
    /// A file that cannot be read or parsed, or settings that do not fit `S` (a
    /// [`SettingsError`] naming the file, line and key).
    pub fn settings<S: PluginSettings>(&self, env: Option<&str>) -> Result<S, BoxError> {
        let loader = self.config_loader(env);
        let loaded = settings_file::<S>(&loader)?;
        Ok(settings_from(loaded.as_ref())?)
    }
}

/// A plugin's settings file, `conf/<env>/<KEY>.yml`, read into a typed struct.
///
/// Derive `Deserialize` with `#[serde(default, deny_unknown_fields)]` so that a missing key
/// takes its default and a misspelt one is an error naming its file and line.
pub trait PluginSettings: DeserializeOwned + Default {
    /// The configuration key: the files are `conf/<env>/<KEY>*.yml` unless
    /// [`patterns`](Self::patterns) says otherwise.
    const KEY: &'static str;

    /// The file patterns under each environment: `<KEY>*`, `<KEY>*/**` and `**/<KEY>*` by
    /// default (as Kedro's plugins declare theirs).
    fn patterns() -> Vec<String> {
        vec![
            format!("{}*", Self::KEY),
            format!("{}*/**", Self::KEY),
            format!("**/{}*", Self::KEY),
        ]
    }

    /// Checks values serde cannot (ranges, names that must exist), naming the bad key.
    ///
    /// # Errors
    ///
    /// The first problem found.
    fn check(&self) -> Result<(), SettingsProblem> {
        Ok(())
    }
}

/// A value of a plugin's settings that is wrong: its key (a dotted path), what is wrong, and
/// how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsProblem {
    /// The key, as a dotted path (`sample_rates.node.duration`).
    pub key: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
}

impl SettingsProblem {
    /// A problem with `key`.
    pub fn new(key: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            message: message.into(),
            help: None,
        }
    }

    /// The same problem with a hint on how to fix it.
    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// A plugin's settings file that does not fit its type, or is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[error("{location}: {message}")]
#[diagnostic(code(weir::plugin::settings))]
pub struct SettingsError {
    /// `file:line:column` of the bad key (or its closest parent with a known place), else the
    /// files read, else where the value came from (an environment variable).
    pub location: String,
    /// The key, as a dotted path (empty for the whole file).
    pub key: String,
    /// What is wrong, starting with the key.
    pub message: String,
    /// How to fix it.
    #[help]
    pub help: Option<String>,
}

impl SettingsError {
    /// An error about a value that came from somewhere other than a file (an environment
    /// variable, code).
    pub fn at(location: impl Into<String>, problem: SettingsProblem) -> Self {
        Self {
            location: location.into(),
            message: format!("`{}`: {}", problem.key, problem.message),
            key: problem.key,
            help: problem.help,
        }
    }
}

/// Reads settings `S` from a loaded configuration (`None`: no file, the defaults), then checks
/// them.
///
/// # Errors
///
/// A missing or unknown key, a value of the wrong type, or a problem [`PluginSettings::check`]
/// finds, naming the file, line and key.
pub fn settings_from<S: PluginSettings>(config: Option<&PluginConfig>) -> Result<S, SettingsError> {
    let Some(config) = config else {
        let settings = S::default();
        settings
            .check()
            .map_err(|problem| SettingsError::at("the default settings", problem))?;
        return Ok(settings);
    };
    let settings: S = config.deserialize().map_err(|error| SettingsError {
        location: error.location,
        key: error.key,
        message: error.message,
        help: None,
    })?;
    settings.check().map_err(|problem| {
        let location = config.location_of(&problem.key);
        SettingsError::at(location, problem)
    })?;
    Ok(settings)
}

/// Reads a plugin's settings in `after_context_created`: the project's `conf/<env>/<KEY>*`
/// files merged over `base`, with `${...}` resolved; the defaults when there is no file or no
/// project (a runner called directly).
///
/// # Errors
///
/// A file that cannot be read or parsed, or settings that do not fit `S` (a
/// [`SettingsError`] naming the file, line and key).
pub fn load_settings<S: PluginSettings>(event: &ContextCreated<'_>) -> Result<S, BoxError> {
    let loaded = match event.config {
        Some(source) => settings_file::<S>(source)?,
        None => None,
    };
    Ok(settings_from(loaded.as_ref())?)
}

/// The settings file of `S` as loaded (merged over `base`, `${...}` resolved), before it is
/// read into `S`: for a plugin that also needs the file's locations (to point at a key it
/// checks against other files). `None` when there is no file.
///
/// # Errors
///
/// A file that cannot be read or parsed.
pub fn settings_file<S: PluginSettings>(
    source: &dyn ConfigSource,
) -> Result<Option<PluginConfig>, BoxError> {
    let patterns = S::patterns();
    let patterns: Vec<&str> = patterns.iter().map(String::as_str).collect();
    source.load_config(S::KEY, &patterns)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::collections::BTreeMap;

    use super::*;

    #[derive(Debug, Default, PartialEq, serde::Deserialize)]
    #[serde(default, deny_unknown_fields)]
    struct Demo {
        port: u16,
        name: String,
    }

    impl PluginSettings for Demo {
        const KEY: &'static str = "demo";

        fn check(&self) -> Result<(), SettingsProblem> {
            if self.name == "bad" {
                return Err(SettingsProblem::new("name", "may not be `bad`").help("rename it"));
            }
            Ok(())
        }
    }

    fn loaded(value: serde_json::Value) -> PluginConfig {
        let mut locations = BTreeMap::new();
        locations.insert("port".to_owned(), "conf/base/demo.yml:1:1".to_owned());
        locations.insert("name".to_owned(), "conf/base/demo.yml:2:1".to_owned());
        PluginConfig {
            value,
            files: vec!["conf/base/demo.yml".into()],
            locations,
        }
    }

    #[test]
    fn no_file_gives_the_defaults() {
        assert_eq!(settings_from::<Demo>(None).unwrap(), Demo::default());
        assert_eq!(
            Demo::patterns(),
            ["demo*", "demo*/**", "**/demo*"].map(String::from)
        );
    }

    #[test]
    fn a_wrong_type_names_the_key_and_line() {
        let error =
            settings_from::<Demo>(Some(&loaded(serde_json::json!({"port": "x"})))).unwrap_err();
        assert_eq!(error.key, "port");
        assert_eq!(error.location, "conf/base/demo.yml:1:1");
    }

    #[test]
    fn a_failed_check_is_located_with_its_help() {
        let error =
            settings_from::<Demo>(Some(&loaded(serde_json::json!({"name": "bad"})))).unwrap_err();
        assert_eq!(error.location, "conf/base/demo.yml:2:1");
        assert_eq!(
            error.to_string(),
            "conf/base/demo.yml:2:1: `name`: may not be `bad`"
        );
        assert_eq!(error.help.as_deref(), Some("rename it"));
    }

    #[test]
    fn registrations_are_gathered() {
        struct P;
        impl Hooks for P {}
        impl Plugin for P {
            fn plugin_name(&self) -> String {
                "p".to_owned()
            }
            fn register(self: Arc<Self>, plugin: &mut PluginRegistrar) {
                plugin
                    .settings::<Demo>()
                    .hooks_shared(self)
                    .dataset_types(|_| {})
                    .command(PluginCommand::new("p", "does p", |_, _| Ok(())));
            }
        }
        let mut registrar = PluginRegistrar::new("p");
        Arc::new(P).register(&mut registrar);
        let parts = registrar.finish();
        assert_eq!(parts.hooks.len(), 1);
        assert_eq!(parts.dataset_types.len(), 1);
        assert_eq!(parts.config_patterns[0].0, "demo");
        assert_eq!(parts.commands[0].name(), "p");
    }
}
