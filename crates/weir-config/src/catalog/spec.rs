//! One catalog entry as a dataset constructor sees it ([`DatasetSpec`]): its arguments,
//! credentials by name, versioning and paths made absolute against the project root.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::registry::{DatasetRegistry, Lookup};
use crate::error::ConfigError;
use crate::params::{Credentials, Secret};
use crate::tree::{Kind, Loc, Node};

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

/// The scheme of a URL-like path (`s3` in `s3://bucket/key`), if it has one.
fn scheme(path: &str) -> Option<&str> {
    let (scheme, _) = path.split_once("://")?;
    let mut chars = scheme.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then_some(scheme)
}

/// A URL as it may be shown: without the password or key it may carry
/// (`s3://key:secret@bucket/x` → `s3://key:***@bucket/x`).
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}{}", &rest[authority_end..])
        }
        None => url.to_owned(),
    }
}

/// A catalog path made local: `file://` URLs become paths, relative paths are made absolute
/// against the project root, and any other URL scheme is refused (object stores are not
/// supported yet, and writing `s3://b/x` to a local folder named `s3:` would be a silent
/// fallback).
pub(super) fn local_path(path: &str, root: Option<&Path>) -> Result<String, String> {
    let path = match scheme(path) {
        None => path,
        Some(scheme) if scheme.eq_ignore_ascii_case("file") => {
            let rest = &path[scheme.len() + 3..];
            // `file://localhost/x` names the local host.
            rest.strip_prefix("localhost")
                .filter(|r| r.starts_with('/'))
                .unwrap_or(rest)
        }
        Some(scheme) => {
            return Err(format!(
                "`{}` uses the `{scheme}://` scheme, which this version of Weir cannot read or write: only local paths and `file://` URLs are supported",
                redact_url(path)
            ));
        }
    };
    Ok(match root {
        Some(root) if Path::new(path).is_relative() => {
            root.join(path).to_string_lossy().into_owned()
        }
        _ => path.to_owned(),
    })
}

/// A catalog path for display: made local where it can be, else shown as written (without
/// secrets).
pub(super) fn absolute(path: &str, root: Option<&Path>) -> String {
    local_path(path, root).unwrap_or_else(|_| redact_url(path))
}

/// Makes `filepath`, `path` and `filename` values (at any depth) local paths, absolute against
/// the project root; refuses URL schemes other than `file://` at the line that names them.
fn localise(node: &mut Node, root: Option<&Path>, name: &str) -> Result<(), ConfigError> {
    match &mut node.kind {
        Kind::Map(map) => {
            for (key, child) in map.iter_mut() {
                if matches!(key.as_str(), "filepath" | "path" | "filename")
                    && let Kind::Str(s) = &mut child.kind
                {
                    *s = local_path(s, root).map_err(|message| {
                        ConfigError::at(child.loc.as_ref(), name, message).with_help(
                            "keep the data on a local disk (or a mounted volume) and give its path; object stores (s3://, gs://, abfs://) are not supported yet",
                        )
                    })?;
                } else {
                    localise(child, root, name)?;
                }
            }
            Ok(())
        }
        Kind::Seq(items) => items.iter_mut().try_for_each(|n| localise(n, root, name)),
        _ => Ok(()),
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
    let mut node = node.clone();
    localise(&mut node, root, name)?;
    let json = node.to_json();
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
