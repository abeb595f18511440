//! Runtime parameters from the command line (`--params a.b=1,c=text`) and credentials.

use std::fmt;

use crate::error::ConfigError;
use crate::scalar::resolve_plain;
use crate::tree::{Kind, Node};

/// Parses `--params` as Kedro does: items separated by `,`, each `key=value` (split at the
/// first `=`), dotted keys make nested mappings, values are typed as YAML reads them
/// (`1` an integer, `true` a boolean, `"1"` a string, `null`), surrounding spaces dropped.
///
/// ```
/// let params = weir_config::parse_runtime_params("a=1,b=true,d.e=2.5,g=null,h= x ,j=\"1\"").unwrap();
/// assert_eq!(
///     params,
///     serde_json::json!({"a": 1, "b": true, "d": {"e": 2.5}, "g": null, "h": "x", "j": "1"})
/// );
/// ```
pub fn parse_runtime_params(text: &str) -> Result<serde_json::Value, ConfigError> {
    let mut root = Node::empty_map();
    for item in text.split(',') {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let Some((key, value)) = item.split_once('=') else {
            return Err(ConfigError::RuntimeParams(format!(
                "Item `{item}` must contain a key and a value separated by `=`."
            )));
        };
        let key = key.trim();
        if key.is_empty() || key.split('.').any(str::is_empty) {
            return Err(ConfigError::RuntimeParams(format!(
                "Parameter key cannot be an empty string (in `{item}`)."
            )));
        }
        let depth = key.split('.').count();
        if depth > crate::yaml::MAX_NESTING_DEPTH {
            return Err(ConfigError::RuntimeParams(format!(
                "Parameter key `{}…` nests {depth} levels deep; at most {} are allowed.",
                key.chars().take(40).collect::<String>(),
                crate::yaml::MAX_NESTING_DEPTH
            )));
        }
        let value = value.trim();
        let kind = if value.len() >= 2
            && ((value.starts_with('"') && value.ends_with('"'))
                || (value.starts_with('\'') && value.ends_with('\'')))
        {
            Kind::Str(value[1..value.len() - 1].to_owned())
        } else {
            resolve_plain(value)
        };
        insert_dotted(&mut root, key, Node::new(kind));
    }
    Ok(root.to_json())
}

/// A Kedro version string must be one path component (also `weir_config::catalog::check_version_string`).
pub fn check_version_string(version: &str) -> Result<(), ConfigError> {
    if version.is_empty() || version == "." || version == ".." || version.contains(['/', '\\']) {
        return Err(ConfigError::at(
            None,
            "",
            format!(
                "Version string '{version}' is not allowed. A version must be a single folder name, such as 2026-11-30T10.00.00.000Z."
            ),
        ));
    }
    Ok(())
}

/// Parses `--load-versions`: `dataset:version` items separated by commas (a dataset name may
/// itself contain `:`, the version is after the last one).
///
/// ```
/// let versions = weir_config::parse_load_versions("regressor:2026-11-30T10.00.00.000Z").unwrap();
/// assert_eq!(versions["regressor"], "2026-11-30T10.00.00.000Z");
/// ```
pub fn parse_load_versions(
    text: &str,
) -> Result<std::collections::BTreeMap<String, String>, ConfigError> {
    let mut versions = std::collections::BTreeMap::new();
    for item in text.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let Some((name, version)) = item.rsplit_once(':') else {
            return Err(ConfigError::at(
                None,
                "",
                format!(
                    "Expected the form of 'load_versions' to be 'dataset_name:YYYY-MM-DDThh.mm.ss.sssZ', found {item} instead"
                ),
            ));
        };
        check_version_string(version.trim())?;
        versions.insert(name.trim().to_owned(), version.trim().to_owned());
    }
    Ok(versions)
}

fn insert_dotted(root: &mut Node, key: &str, value: Node) {
    let mut node = root;
    let mut parts = key.split('.').peekable();
    while let Some(part) = parts.next() {
        if node.as_map().is_none() {
            *node = Node::empty_map();
        }
        let Some(map) = node.as_map_mut() else { return };
        if parts.peek().is_none() {
            map.insert(part.to_owned(), value);
            return;
        }
        node = map.entry(part.to_owned()).or_insert_with(Node::empty_map);
    }
}

/// Credentials by name, from `credentials*.yml`. Their values are never printed: `Debug`
/// shows the names only.
#[derive(Clone, Default)]
pub struct Credentials {
    entries: indexmap::IndexMap<String, Secret>,
}

impl Credentials {
    pub(crate) fn from_node(node: &Node) -> Self {
        let entries = node
            .as_map()
            .map(|map| {
                map.iter()
                    .map(|(k, v)| (k.clone(), Secret(v.to_json())))
                    .collect()
            })
            .unwrap_or_default();
        Self { entries }
    }

    /// Credentials from JSON (for tests and code-built catalogs).
    pub fn from_json(value: &serde_json::Value) -> Self {
        Self::from_node(&Node::from_json(value))
    }

    /// The entry with that name.
    pub fn get(&self, name: &str) -> Option<&Secret> {
        self.entries.get(name)
    }

    /// The entries' names.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.entries.keys()).finish()
    }
}

/// A credentials entry. Its value is reachable only through [`expose`](Self::expose); `Debug`
/// and `Display` print `***`.
#[derive(Clone)]
pub struct Secret(serde_json::Value);

impl Secret {
    /// A secret value.
    pub fn new(value: serde_json::Value) -> Self {
        Self(value)
    }

    /// The value, for the dataset that needs it. Never log it.
    pub fn expose(&self) -> &serde_json::Value {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kedro_params_parsing() {
        let value = parse_runtime_params("a=1,b=true,c=hello,d.e=2.5,g=null,h= x ,i=a:b=c,j=\"1\"")
            .unwrap();
        assert_eq!(
            value,
            serde_json::json!({"a": 1, "b": true, "c": "hello", "d": {"e": 2.5}, "g": null, "h": "x", "i": "a:b=c", "j": "1"})
        );
        let error = parse_runtime_params("a=1,fail").unwrap_err();
        assert_eq!(
            error.to_string(),
            "Invalid format of `params` option: Item `fail` must contain a key and a value separated by `=`."
        );
        assert!(parse_runtime_params("=3").is_err());
    }

    #[test]
    fn secrets_never_print() {
        let creds = Credentials::from_json(&serde_json::json!({"db": {"password": "hunter2"}}));
        let shown = format!(
            "{creds:?} {:?} {}",
            creds.get("db").unwrap(),
            creds.get("db").unwrap()
        );
        assert!(!shown.contains("hunter2"), "{shown}");
        assert_eq!(creds.get("db").unwrap().expose()["password"], "hunter2");
    }
}
