//! Plugins' own configuration files, read through the project's [`ConfigSource`].

use std::path::{Path, PathBuf};

use crate::error::BoxError;

/// A plugin's configuration, read from the project's `conf/` folder by a [`ConfigSource`].
#[derive(Debug, Clone, PartialEq)]
pub struct PluginConfig {
    /// The merged configuration: the base environment's files, overridden key by key by the
    /// run environment's.
    pub value: serde_json::Value,
    /// The files read, base environment first (for error messages).
    pub files: Vec<PathBuf>,
    /// Where each key was written, as `file:line:column`, by dotted path (`tags.team`), for
    /// error messages that point at the line.
    pub locations: std::collections::BTreeMap<String, String>,
}

/// A plugin's configuration that does not fit its type: where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct PluginConfigError {
    /// `file:line:column` of the bad key (or its closest known parent), else the files.
    pub location: String,
    /// The key, as a dotted path (empty for the whole file).
    pub key: String,
    /// What is wrong, starting with the key.
    pub message: String,
}

impl PluginConfig {
    /// The configuration as `T` (usually a `#[serde(deny_unknown_fields)]` struct). An error
    /// names the key, and the file and line where it is written.
    ///
    /// # Errors
    ///
    /// A missing or unknown key, or a value of the wrong type.
    pub fn deserialize<T: serde::de::DeserializeOwned>(&self) -> Result<T, PluginConfigError> {
        serde_path_to_error::deserialize(&self.value).map_err(|error| {
            let path = error.path().to_string();
            let mut key = path
                .trim_start_matches('.')
                .trim_start_matches('?')
                .to_owned();
            let message = error.into_inner().to_string();
            // An unknown key is reported at its parent: point at the key itself.
            if let Some(unknown) = message
                .strip_prefix("unknown field `")
                .and_then(|rest| rest.split('`').next())
                && key.rsplit('.').next() != Some(unknown)
            {
                key = if key.is_empty() {
                    unknown.to_owned()
                } else {
                    format!("{key}.{unknown}")
                };
            }
            let location = self.location_of(&key);
            let message = if key.is_empty() {
                message
            } else {
                format!("`{key}`: {message}")
            };
            PluginConfigError {
                location,
                key,
                message,
            }
        })
    }

    /// Where `key` (a dotted path) was written: the key itself, else its closest parent
    /// with a known place, else the files read.
    pub fn location_of(&self, key: &str) -> String {
        let mut path = key;
        loop {
            if let Some(location) = self.locations.get(path) {
                return location.clone();
            }
            match path.rsplit_once('.') {
                Some((parent, _)) => path = parent,
                None => break,
            }
        }
        self.files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Reads a project's configuration by key, as Kedro's `context.config_loader["mlflow"]`: the
/// files of the base environment matching the key's patterns, merged with the run
/// environment's, with `${...}` interpolation resolved. Plugins read their own files
/// (`conf/<env>/statsd.yml`, `mlflow.yml`, ...) through it in
/// [`Hooks::after_context_created`](crate::hooks::Hooks::after_context_created).
pub trait ConfigSource: Send + Sync {
    /// The configuration of `key`, read from the files matching `patterns` (for example
    /// `["statsd*", "statsd*/**"]`) unless the project set patterns for that key itself.
    /// `Ok(None)` when no file matches.
    ///
    /// # Errors
    ///
    /// A file that cannot be read or parsed, or an interpolation that cannot be resolved; the
    /// error names the file and line.
    fn load_config(&self, key: &str, patterns: &[&str]) -> Result<Option<PluginConfig>, BoxError>;

    /// The configuration folder (`conf/` or `--conf-source`).
    fn conf_source(&self) -> &Path;
}
