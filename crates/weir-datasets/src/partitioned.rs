//! A folder of files, one dataset per file (`partitions.PartitionedDataset`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use weir_config::{BuildContext, ConfigError, Credentials, DatasetRegistry, DatasetSpec};
use weir_core::{AnyDataset, Data, Dataset, DatasetError, TypeInfo, Value};

/// Loads one partition when asked.
#[derive(Clone)]
pub struct PartitionLoader {
    dataset: Arc<dyn AnyDataset>,
}

impl PartitionLoader {
    /// Loads the partition.
    pub fn load(&self) -> Result<Value, DatasetError> {
        self.dataset.load_value()
    }

    /// Loads the partition as a `T`.
    pub fn load_as<T: Data + Clone>(&self) -> Result<T, DatasetError> {
        let value = self.dataset.load_value_for(TypeInfo::of::<T>())?;
        value
            .downcast_ref::<T>()
            .cloned()
            .ok_or_else(|| DatasetError::WrongType {
                expected: TypeInfo::of::<T>(),
                found: value.type_info(),
            })
    }
}

impl std::fmt::Debug for PartitionLoader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.dataset.describe())
    }
}

/// What a partitioned dataset loads: partition names (paths relative to the folder, without
/// the suffix) to loaders. Nothing is read until a loader is called.
#[derive(Clone, Debug, Default)]
pub struct Partitions(pub BTreeMap<String, PartitionLoader>);

impl Data for Partitions {}

impl Partitions {
    /// Loads every partition as a `T`, in name order.
    pub fn load_all_as<T: Data + Clone>(&self) -> Result<BTreeMap<String, T>, DatasetError> {
        self.0
            .iter()
            .map(|(name, loader)| Ok((name.clone(), loader.load_as::<T>()?)))
            .collect()
    }
}

/// What a partitioned dataset saves: partition names to values.
#[derive(Clone, Debug, Default)]
pub struct PartitionMap(pub BTreeMap<String, Value>);

impl Data for PartitionMap {}

impl PartitionMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a partition.
    #[must_use]
    pub fn with(mut self, name: impl Into<String>, value: impl Data) -> Self {
        self.0.insert(name.into(), Value::new(value));
        self
    }
}

impl<T: Data> FromIterator<(String, T)> for PartitionMap {
    fn from_iter<I: IntoIterator<Item = (String, T)>>(iter: I) -> Self {
        Self(iter.into_iter().map(|(k, v)| (k, Value::new(v))).collect())
    }
}

/// A folder of files read and written with one dataset type.
pub struct PartitionedDataset {
    path: PathBuf,
    dataset: serde_json::Value,
    suffix: String,
    overwrite: bool,
    registry: DatasetRegistry,
    credentials: Credentials,
    name: String,
}

impl PartitionedDataset {
    fn build(&self, partition: &str) -> Result<Arc<dyn AnyDataset>, DatasetError> {
        let mut config = self.dataset.clone();
        let file = self.path.join(format!("{partition}{}", self.suffix));
        if let Some(map) = config.as_object_mut() {
            map.insert(
                "filepath".to_owned(),
                serde_json::Value::String(file.to_string_lossy().into_owned()),
            );
        }
        let ctx = BuildContext {
            registry: &self.registry,
            project_root: None,
            credentials: &self.credentials,
            // Partitions are not versioned (Kedro refuses `versioned` inside a partition).
            version: None,
        };
        ctx.build_nested(&format!("{}/{partition}", self.name), &config, None)
            .map_err(|e| DatasetError::message(e.to_string()))
    }

    fn list(&self) -> Result<Vec<String>, DatasetError> {
        let mut out = Vec::new();
        if self.path.is_dir() {
            walk(&self.path, &self.path, &mut out)?;
        }
        let mut names: Vec<String> = out
            .into_iter()
            .filter_map(|relative| {
                if self.suffix.is_empty() {
                    Some(relative)
                } else {
                    relative.strip_suffix(&self.suffix).map(str::to_owned)
                }
            })
            .collect();
        names.sort();
        Ok(names)
    }
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<(), DatasetError> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let hidden = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            walk(root, &path, out)?;
        } else if let Ok(relative) = path.strip_prefix(root) {
            out.push(
                relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/"),
            );
        }
    }
    Ok(())
}

impl Dataset for PartitionedDataset {
    type Value = Value;

    fn load(&self) -> Result<Value, DatasetError> {
        let names = self.list()?;
        if names.is_empty() {
            return Err(DatasetError::message(format!(
                "No partitions found in '{}'{}",
                self.path.display(),
                if self.suffix.is_empty() {
                    String::new()
                } else {
                    format!(" with suffix '{}'", self.suffix)
                }
            )));
        }
        let mut partitions = BTreeMap::new();
        for name in names {
            let dataset = self.build(&name)?;
            partitions.insert(name, PartitionLoader { dataset });
        }
        Ok(Value::new(Partitions(partitions)))
    }

    fn save(&self, value: &Value) -> Result<(), DatasetError> {
        let Some(map) = value.downcast_ref::<PartitionMap>() else {
            return Err(DatasetError::message(format!(
                "a partitioned dataset saves a `PartitionMap` (partition name to value), found `{}`",
                value.type_info()
            )));
        };
        if let Some(bad) = map
            .0
            .keys()
            .find(|name| name.split('/').any(|part| part.is_empty() || part == ".."))
        {
            return Err(DatasetError::message(format!(
                "partition name {bad:?} must be a relative path inside the folder"
            )));
        }
        let existing = if self.overwrite {
            self.list()?
        } else {
            Vec::new()
        };
        for (name, partition) in &map.0 {
            self.build(name)?.save_value(partition)?;
        }
        // `overwrite: true`: stale partitions go only once every new one is saved, so a failed
        // save never leaves the folder emptier than before.
        for name in existing.iter().filter(|name| !map.0.contains_key(*name)) {
            std::fs::remove_file(self.path.join(format!("{name}{}", self.suffix)))?;
        }
        Ok(())
    }

    fn exists(&self) -> Result<bool, DatasetError> {
        Ok(!self.list()?.is_empty())
    }

    fn describe(&self) -> String {
        format!(
            "partitions.PartitionedDataset(path={}, dataset={}, filename_suffix={:?})",
            self.path.display(),
            self.dataset,
            self.suffix
        )
    }

    fn type_name(&self) -> String {
        "partitions.PartitionedDataset".to_owned()
    }
}

pub(crate) fn from_spec(
    spec: &mut DatasetSpec,
    ctx: &BuildContext<'_>,
) -> Result<PartitionedDataset, ConfigError> {
    let path: String = spec
        .take_as("path")?
        .ok_or_else(|| spec.error("`partitions.PartitionedDataset` needs a `path` (the folder)"))?;
    let dataset = match spec.take("dataset") {
        Some(serde_json::Value::String(type_name)) => serde_json::json!({ "type": type_name }),
        Some(map @ serde_json::Value::Object(_)) => map,
        Some(other) => {
            return Err(spec.error(format!(
                "`dataset` must be a type name or a mapping, found {other}"
            )));
        }
        None => {
            return Err(spec.error(
                "`partitions.PartitionedDataset` needs `dataset` (the type of each partition)",
            ));
        }
    };
    let suffix = spec
        .take_as::<String>("filename_suffix")?
        .unwrap_or_default();
    let overwrite = spec.take_as::<bool>("overwrite")?.unwrap_or(false);
    // Check the partition type now, so mistakes show before any run.
    let probe = {
        let mut probe = dataset.clone();
        if let Some(map) = probe.as_object_mut() {
            map.insert(
                "filepath".to_owned(),
                serde_json::Value::String(format!("{path}/probe{suffix}")),
            );
        }
        probe
    };
    ctx.build_nested(&spec.name, &probe, spec.loc.as_ref())?;
    Ok(PartitionedDataset {
        path: PathBuf::from(path),
        dataset,
        suffix,
        overwrite,
        registry: ctx.registry.clone(),
        credentials: ctx.credentials.clone(),
        name: spec.name.clone(),
    })
}
