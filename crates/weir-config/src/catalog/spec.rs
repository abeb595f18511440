//! One catalog entry as a dataset constructor sees it ([`DatasetSpec`]): its arguments,
//! credentials by name, versioning and paths made absolute against the project root.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::registry::{DatasetRegistry, Lookup};
use crate::error::ConfigError;
use crate::params::{Credentials, Secret};
use crate::tree::{Loc, Node};

/// Which version of a versioned dataset to load and save.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VersionSpec {
    /// The version to load; `None` for the latest.
    pub load: Option<String>,
    /// The version to save (the run's save version).
    pub save: Option<String>,
}

/// A catalog entry as a dataset constructor sees it. Constructors take the arguments they
/// understand ([`take_load`](Self::take_load), [`take_save`](Self::take_save),
/// [`take`](Self::take)); anything left over is reported as unsupported, never dropped.
#[derive(Debug)]
pub struct DatasetSpec {
    /// The dataset's name in the catalog.
    pub name: String,
    /// The `type:` as written.
    pub type_name: String,
    /// The registered type it maps to.
    pub registered_type: String,
    /// Where the entry is written.
    pub loc: Option<Loc>,
    /// Credentials given by name with `credentials:`.
    pub credentials: Option<Secret>,
    /// Metadata (`metadata:`), kept for plugins.
    pub metadata: serde_json::Value,
    filepath: Option<PathBuf>,
    version: Option<VersionSpec>,
    load_args: serde_json::Map<String, serde_json::Value>,
    save_args: serde_json::Map<String, serde_json::Value>,
    extra: serde_json::Map<String, serde_json::Value>,
}

impl DatasetSpec {
    /// An error about this entry, naming it and where it is written.
    pub fn error(&self, message: impl Into<String>) -> ConfigError {
        ConfigError::at(self.loc.as_ref(), &self.name, message)
    }

    /// The `filepath`, made absolute against the project root (required).
    pub fn take_filepath(&mut self) -> Result<PathBuf, ConfigError> {
        self.filepath.take().ok_or_else(|| {
            self.error(format!("`{}` needs a `filepath`", self.type_name))
                .with_help("add `filepath: data/01_raw/<file>` to the entry")
        })
    }

    /// The version to use, if the entry is `versioned: true`.
    pub fn take_version(&mut self) -> Option<VersionSpec> {
        self.version.take()
    }

    /// A load argument.
    pub fn take_load(&mut self, key: &str) -> Option<serde_json::Value> {
        self.load_args.remove(key)
    }

    /// A save argument.
    pub fn take_save(&mut self, key: &str) -> Option<serde_json::Value> {
        self.save_args.remove(key)
    }

    /// Another top-level key of the entry.
    pub fn take(&mut self, key: &str) -> Option<serde_json::Value> {
        self.extra.remove(key)
    }

    /// A load argument as a `T`, with an error naming the entry and argument.
    pub fn take_load_as<T: DeserializeOwned>(
        &mut self,
        key: &str,
    ) -> Result<Option<T>, ConfigError> {
        let value = self.take_load(key);
        self.typed("load_args", key, value)
    }

    /// A save argument as a `T`.
    pub fn take_save_as<T: DeserializeOwned>(
        &mut self,
        key: &str,
    ) -> Result<Option<T>, ConfigError> {
        let value = self.take_save(key);
        self.typed("save_args", key, value)
    }

    /// A top-level key as a `T`.
    pub fn take_as<T: DeserializeOwned>(&mut self, key: &str) -> Result<Option<T>, ConfigError> {
        let value = self.take(key);
        self.typed("", key, value)
    }

    fn typed<T: DeserializeOwned>(
        &self,
        section: &str,
        key: &str,
        value: Option<serde_json::Value>,
    ) -> Result<Option<T>, ConfigError> {
        value
            .map(|v| {
                serde_json::from_value(v.clone()).map_err(|e| {
                    let place = if section.is_empty() {
                        format!("`{key}`")
                    } else {
                        format!("`{section}.{key}`")
                    };
                    self.error(format!(
                        "{place} = {v} is not valid for `{}`: {e}",
                        self.type_name
                    ))
                })
            })
            .transpose()
    }

    /// Errors for every argument no constructor took.
    pub(super) fn leftovers(&self) -> Option<ConfigError> {
        let mut unused: Vec<String> = Vec::new();
        unused.extend(self.load_args.keys().map(|k| format!("load_args.{k}")));
        unused.extend(self.save_args.keys().map(|k| format!("save_args.{k}")));
        unused.extend(self.extra.keys().cloned());
        if self.filepath.is_some() {
            unused.push("filepath".to_owned());
        }
        if self.version.is_some() {
            unused.push("versioned".to_owned());
        }
        if unused.is_empty() {
            return None;
        }
        Some(
            self.error(format!(
                "`{}` does not support {}",
                self.type_name,
                unused.iter().map(|u| format!("`{u}`")).collect::<Vec<_>>().join(", ")
            ))
            .with_help("remove the argument, or use a dataset type that supports it; arguments are never silently ignored"),
        )
    }
}

pub(super) fn absolute(path: &str, root: Option<&Path>) -> String {
    let is_url = path.contains("://");
    match root {
        Some(root) if !is_url && Path::new(path).is_relative() => {
            root.join(path).to_string_lossy().into_owned()
        }
        _ => path.to_owned(),
    }
}

/// Makes relative `filepath`, `path` and `filename` values (at any depth) absolute.
fn absolutise(value: &mut serde_json::Value, root: &Path) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if matches!(key.as_str(), "filepath" | "path" | "filename")
                    && let serde_json::Value::String(s) = v
                {
                    *s = absolute(s, Some(root));
                } else {
                    absolutise(v, root);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| absolutise(v, root)),
        _ => {}
    }
}

pub(super) fn make_spec(
    name: &str,
    node: &Node,
    credentials: &Credentials,
    root: Option<&Path>,
    version: Option<VersionSpec>,
    registry: &DatasetRegistry,
) -> Result<DatasetSpec, ConfigError> {
    let loc = node.loc.clone();
    let err = |message: String| ConfigError::at(loc.as_ref(), name, message);
    let mut json = node.to_json();
    if let Some(root) = root {
        absolutise(&mut json, root);
    }
    let serde_json::Value::Object(mut map) = json else {
        return Err(err(format!(
            "Catalog entry '{name}' is not a valid dataset configuration."
        )));
    };
    let type_name = match map.remove("type") {
        Some(serde_json::Value::String(t)) => t,
        Some(other) => return Err(err(format!("`type` must be a string, found {other}"))),
        None => {
            return Err(err(format!(
                "An exception occurred when parsing config for dataset '{name}': 'type' is missing from dataset catalog configuration."
            )));
        }
    };
    let registered_type = match registry.lookup(&type_name) {
        Lookup::Found(registered, _) => registered,
        Lookup::Unsupported(_) => type_name.clone(),
        Lookup::Unknown(close) => {
            let mut error = err(format!("unknown dataset type `{type_name}`"));
            let hint = if close.is_empty() {
                format!("known types: {}", registry.names().join(", "))
            } else {
                format!(
                    "did you mean {}? Known types: {}",
                    close
                        .iter()
                        .map(|c| format!("`{c}`"))
                        .collect::<Vec<_>>()
                        .join(" or "),
                    registry.names().join(", ")
                )
            };
            error = error.with_help(hint);
            return Err(error);
        }
    };
    let credentials = match map.remove("credentials") {
        None => None,
        Some(serde_json::Value::String(key)) => Some(credentials.get(&key).cloned().ok_or_else(|| {
            err(format!(
                "Unable to find credentials '{key}': check your data catalog and credentials configuration."
            ))
            .with_help(format!(
                "add an entry `{key}:` to `conf/local/credentials.yml` (known credentials: {})",
                {
                    let names: Vec<&str> = credentials.names().collect();
                    if names.is_empty() { "none".to_owned() } else { names.join(", ") }
                }
            ))
        })?),
        Some(serde_json::Value::Null) => None,
        Some(_) => return Err(err("`credentials` must be the name of an entry in credentials.yml".to_owned())),
    };
    let versioned = match map.remove("versioned") {
        None | Some(serde_json::Value::Bool(false)) => false,
        Some(serde_json::Value::Bool(true)) => true,
        Some(other) => {
            return Err(err(format!(
                "`versioned` must be true or false, found {other}"
            )));
        }
    };
    if map.remove("version").is_some() {
        tracing::warn!(
            "`version` attribute removed from dataset '{name}' configuration; use `versioned: true` and `--load-versions`"
        );
    }
    let section = |map: &mut serde_json::Map<String, serde_json::Value>,
                   key: &str|
     -> Result<serde_json::Map<String, serde_json::Value>, ConfigError> {
        match map.remove(key) {
            None | Some(serde_json::Value::Null) => Ok(serde_json::Map::new()),
            Some(serde_json::Value::Object(m)) => Ok(m),
            Some(other) => Err(err(format!("`{key}` must be a mapping, found {other}"))),
        }
    };
    let load_args = section(&mut map, "load_args")?;
    let save_args = section(&mut map, "save_args")?;
    let metadata = map.remove("metadata").unwrap_or(serde_json::Value::Null);
    map.remove("layer");
    let filepath = match map.remove("filepath") {
        None => None,
        Some(serde_json::Value::String(p)) => Some(PathBuf::from(p)),
        Some(other) => return Err(err(format!("`filepath` must be a string, found {other}"))),
    };
    Ok(DatasetSpec {
        name: name.to_owned(),
        type_name,
        registered_type,
        loc,
        credentials,
        metadata,
        filepath,
        version: if versioned {
            version.or(Some(VersionSpec::default()))
        } else {
            None
        },
        load_args,
        save_args,
        extra: map,
    })
}
