//! The data catalog: named datasets, and the [`Dataset`] trait that dataset authors implement.

use rustc_hash::FxHashMap;
use std::any::{Any, TypeId};
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};

use crate::error::DatasetError;
use crate::value::{Data, TypeInfo, Value};

/// A place data is loaded from and saved to: a file, a table, memory.
///
/// Dataset authors implement this typed trait; the catalog works with its erased form
/// ([`AnyDataset`]), which every `Dataset` gets for free. A dataset of a fixed type (a CSV file
/// is a `DataFrame`) lets validation check every node that reads or writes it before a run.
/// A dataset that stores values of any type uses [`Value`] as its `Value`.
///
/// Datasets are shared between the parallel runner's threads: use interior mutability.
///
/// ```
/// use std::sync::Mutex;
/// use weir_core::{Dataset, DatasetError};
///
/// /// Lines of text kept in memory (a file dataset would read and write a path).
/// struct Lines(Mutex<Option<Vec<String>>>);
///
/// impl Dataset for Lines {
///     type Value = Vec<String>;
///
///     fn load(&self) -> Result<Vec<String>, DatasetError> {
///         self.0.lock().unwrap().clone().ok_or_else(|| DatasetError::message("no lines saved yet"))
///     }
///
///     fn save(&self, lines: &Vec<String>) -> Result<(), DatasetError> {
///         *self.0.lock().unwrap() = Some(lines.clone());
///         Ok(())
///     }
///
///     fn describe(&self) -> String {
///         "Lines()".to_owned()
///     }
/// }
/// ```
pub trait Dataset: Send + Sync + 'static {
    /// The type of value the dataset holds; [`Value`] for any type.
    type Value: Data;

    /// Loads the data.
    fn load(&self) -> Result<Self::Value, DatasetError>;

    /// Saves the data. File datasets should write aside and rename, so a failed save never
    /// damages what was saved before.
    fn save(&self, value: &Self::Value) -> Result<(), DatasetError>;

    /// Loads for a reader that wants an `expected` value. Datasets whose stored form can become
    /// several types (serde formats configured from YAML, whose `Value` is "any") use it to
    /// decode into the type the consuming node takes; others ignore it.
    fn load_for(&self, expected: TypeInfo) -> Result<Self::Value, DatasetError> {
        let _ = expected;
        self.load()
    }

    /// Whether there is data to load. The default says no.
    fn exists(&self) -> Result<bool, DatasetError> {
        Ok(false)
    }

    /// Drops cached data (memory datasets drop their value).
    fn release(&self) {}

    /// Marks the data as processed (Kedro's `confirm`, used by incremental datasets).
    fn confirm(&self) -> Result<(), DatasetError> {
        Err(DatasetError::message(format!(
            "{} does not have 'confirm' method",
            self.type_name()
        )))
    }

    /// A one-line description for listings: type and location, never credentials.
    fn describe(&self) -> String {
        self.type_name()
    }

    /// The dataset's type name, e.g. `MemoryDataset`.
    fn type_name(&self) -> String {
        TypeInfo::of::<Self>().short_name()
    }

    /// Whether the data lives only for this process (memory datasets): ephemeral datasets are
    /// not resumed from and are released after their last use.
    fn is_ephemeral(&self) -> bool {
        false
    }
}

/// The erased form of a [`Dataset`], as the catalog and runners use it.
pub trait AnyDataset: Send + Sync {
    /// Loads the data as a [`Value`].
    fn load_value(&self) -> Result<Value, DatasetError>;
    /// Loads the data for a reader that wants an `expected` value ([`Dataset::load_for`]).
    fn load_value_for(&self, expected: TypeInfo) -> Result<Value, DatasetError>;
    /// Saves a [`Value`], checking it is of the dataset's type.
    fn save_value(&self, value: &Value) -> Result<(), DatasetError>;
    /// Whether there is data to load.
    fn exists(&self) -> Result<bool, DatasetError>;
    /// Drops cached data.
    fn release(&self);
    /// Marks the data as processed.
    fn confirm(&self) -> Result<(), DatasetError>;
    /// A one-line description.
    fn describe(&self) -> String;
    /// The dataset's type name.
    fn type_name(&self) -> String;
    /// The value type, if the dataset has a fixed one.
    fn value_type(&self) -> Option<TypeInfo>;
    /// Whether the data lives only in this process.
    fn is_ephemeral(&self) -> bool;
    /// The concrete dataset, to downcast.
    fn as_any(&self) -> &dyn Any;
}

impl<D: Dataset> AnyDataset for D {
    fn load_value(&self) -> Result<Value, DatasetError> {
        self.load().map(Value::new)
    }

    fn load_value_for(&self, expected: TypeInfo) -> Result<Value, DatasetError> {
        self.load_for(expected).map(Value::new)
    }

    fn save_value(&self, value: &Value) -> Result<(), DatasetError> {
        if TypeId::of::<D::Value>() == TypeId::of::<Value>()
            && let Some(value) = (value as &dyn Any).downcast_ref::<D::Value>()
        {
            return self.save(value);
        }
        match value.downcast_ref::<D::Value>() {
            Some(typed) => self.save(typed),
            None => Err(DatasetError::WrongType {
                expected: TypeInfo::of::<D::Value>(),
                found: value.type_info(),
            }),
        }
    }

    fn exists(&self) -> Result<bool, DatasetError> {
        Dataset::exists(self)
    }

    fn release(&self) {
        Dataset::release(self);
    }

    fn confirm(&self) -> Result<(), DatasetError> {
        Dataset::confirm(self)
    }

    fn describe(&self) -> String {
        Dataset::describe(self)
    }

    fn type_name(&self) -> String {
        Dataset::type_name(self)
    }

    fn value_type(&self) -> Option<TypeInfo> {
        let info = TypeInfo::of::<D::Value>();
        (!info.is_any()).then_some(info)
    }

    fn is_ephemeral(&self) -> bool {
        Dataset::is_ephemeral(self)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Data kept in memory, shared without copying.
///
/// Kedro's `MemoryDataset` deep-copies by default to protect data from a node mutating it; in
/// Weir values are immutable once saved (a node taking an owned `T` gets its own copy only if
/// the value is still shared), so no copy is ever needed.
#[derive(Default)]
pub struct MemoryDataset {
    value: RwLock<Option<Value>>,
}

impl MemoryDataset {
    /// An empty memory dataset.
    pub fn new() -> Self {
        Self::default()
    }

    /// A memory dataset holding a value.
    pub fn with_value(value: impl Data) -> Self {
        Self {
            value: RwLock::new(Some(Value::new(value))),
        }
    }

    /// The type of the value held, if any.
    pub fn current_type(&self) -> Option<TypeInfo> {
        self.value
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(Value::type_info)
    }
}

impl Dataset for MemoryDataset {
    type Value = Value;

    fn load(&self) -> Result<Value, DatasetError> {
        self.value
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or(DatasetError::NotSaved)
    }

    fn save(&self, value: &Value) -> Result<(), DatasetError> {
        *self.value.write().unwrap_or_else(PoisonError::into_inner) = Some(value.clone());
        Ok(())
    }

    fn exists(&self) -> Result<bool, DatasetError> {
        Ok(self
            .value
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some())
    }

    fn release(&self) {
        *self.value.write().unwrap_or_else(PoisonError::into_inner) = None;
    }

    fn describe(&self) -> String {
        match self.current_type() {
            Some(info) => format!("MemoryDataset(data=<{info}>)"),
            None => "MemoryDataset()".to_owned(),
        }
    }

    fn type_name(&self) -> String {
        "MemoryDataset".to_owned()
    }

    fn is_ephemeral(&self) -> bool {
        true
    }
}

/// Creates datasets for names that are not explicit catalog entries: the hook for dataset
/// factories (`"{name}_csv"` patterns), which the config crate implements.
pub trait DatasetResolver: Send + Sync {
    /// The dataset for a name matching one of the resolver's patterns, `None` if none matches.
    fn resolve(&self, name: &str) -> Option<Result<Arc<dyn AnyDataset>, DatasetError>>;

    /// The metadata of the entry a name resolves to, if any.
    fn metadata(&self, _name: &str) -> Option<serde_json::Value> {
        None
    }
}

/// The catalog: dataset names to datasets, plus parameters.
///
/// Names that are not in the catalog default to memory datasets when a pipeline runs, as in
/// Kedro. Parameters enter as `parameters` (the whole tree) and `params:<dotted.path>` for every
/// key, at any depth.
///
/// ```
/// use weir_core::{Catalog, MemoryDataset};
///
/// let mut catalog = Catalog::new();
/// catalog.add_parameters(serde_json::json!({"model": {"alpha": 0.1}}));
/// catalog.add("raw", MemoryDataset::with_value(vec![1_u64, 2, 3]));
///
/// let alpha = catalog.load("params:model.alpha").unwrap();
/// assert_eq!(alpha.downcast_ref::<serde_json::Value>(), Some(&serde_json::json!(0.1)));
/// assert!(catalog.contains("raw"));
/// assert_eq!(catalog.names(), ["parameters", "params:model", "params:model.alpha", "raw"]);
/// ```
#[derive(Default)]
pub struct Catalog {
    datasets: RwLock<FxHashMap<String, Arc<dyn AnyDataset>>>,
    resolver: Option<Arc<dyn DatasetResolver>>,
    parameters: serde_json::Value,
    metadata: FxHashMap<String, serde_json::Value>,
}

impl Catalog {
    /// An empty catalog.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) a dataset.
    pub fn add(&mut self, name: impl Into<String>, dataset: impl AnyDataset + 'static) {
        self.add_shared(name, Arc::new(dataset));
    }

    /// Adds (or replaces) a shared dataset.
    pub fn add_shared(&mut self, name: impl Into<String>, dataset: Arc<dyn AnyDataset>) {
        let name = name.into();
        let map = self
            .datasets
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner);
        if map.insert(name.clone(), dataset).is_some() {
            tracing::warn!("Replacing dataset '{name}'");
        }
    }

    /// Adds a value as a memory dataset (Kedro's `catalog[name] = value`).
    pub fn add_value(&mut self, name: impl Into<String>, value: impl Data) {
        self.add(name, MemoryDataset::with_value(value));
    }

    /// Sets the resolver used for names that are not explicit entries (dataset factories).
    pub fn set_resolver(&mut self, resolver: Arc<dyn DatasetResolver>) {
        self.resolver = Some(resolver);
    }

    /// Adds parameters: `parameters` holds the whole tree and `params:a.b` each value inside it.
    /// Adding again merges the new keys over the old ones.
    pub fn add_parameters(&mut self, tree: serde_json::Value) {
        merge_json(&mut self.parameters, tree);
        let mut entries = Vec::new();
        collect_parameters("", &self.parameters, &mut entries);
        entries.push(("parameters".to_owned(), self.parameters.clone()));
        let map = self
            .datasets
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner);
        for (name, value) in entries {
            map.insert(name, Arc::new(MemoryDataset::with_value(value)));
        }
    }

    /// Sets a dataset's metadata (`metadata:` in `catalog.yml`), for plugins to read.
    pub fn set_metadata(&mut self, name: impl Into<String>, metadata: serde_json::Value) {
        self.metadata.insert(name.into(), metadata);
    }

    /// A dataset's metadata: from its entry, or from the pattern it matches.
    pub fn metadata(&self, name: &str) -> Option<serde_json::Value> {
        self.metadata
            .get(name)
            .cloned()
            .or_else(|| self.resolver.as_ref().and_then(|r| r.metadata(name)))
    }

    /// The parameter tree.
    pub fn parameters(&self) -> &serde_json::Value {
        &self.parameters
    }

    /// The dataset for a name: an explicit entry, or one created by the resolver (then added).
    pub fn get(&self, name: &str) -> Result<Option<Arc<dyn AnyDataset>>, DatasetError> {
        if let Some(dataset) = self.read().get(name) {
            return Ok(Some(Arc::clone(dataset)));
        }
        match self.resolver.as_ref().and_then(|r| r.resolve(name)) {
            Some(Ok(dataset)) => {
                let mut map = self
                    .datasets
                    .write()
                    .unwrap_or_else(PoisonError::into_inner);
                Ok(Some(Arc::clone(
                    map.entry(name.to_owned()).or_insert(dataset),
                )))
            }
            Some(Err(error)) => Err(error),
            None => Ok(None),
        }
    }

    /// The dataset for a name, creating a memory dataset if the catalog has none (what runners
    /// do for intermediate data).
    pub fn get_or_default(&self, name: &str) -> Result<Arc<dyn AnyDataset>, DatasetError> {
        if let Some(dataset) = self.get(name)? {
            return Ok(dataset);
        }
        let mut map = self
            .datasets
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        Ok(Arc::clone(map.entry(name.to_owned()).or_insert_with(
            || Arc::new(MemoryDataset::new()) as Arc<dyn AnyDataset>,
        )))
    }

    /// Whether the name is an explicit entry or matches a dataset factory.
    pub fn contains(&self, name: &str) -> bool {
        self.read().contains_key(name)
            || self
                .resolver
                .as_ref()
                .is_some_and(|resolver| resolver.resolve(name).is_some())
    }

    /// Loads a dataset.
    pub fn load(&self, name: &str) -> Result<Value, DatasetError> {
        self.require(name)?.load_value()
    }

    /// Loads a dataset as a `T`.
    pub fn load_as<T: Data + Clone>(&self, name: &str) -> Result<T, DatasetError> {
        self.load(name)?
            .take::<T>()
            .map_err(|found| DatasetError::WrongType {
                expected: TypeInfo::of::<T>(),
                found: found.type_info(),
            })
    }

    /// Saves to a dataset, creating a memory dataset for an unknown name.
    pub fn save(&self, name: &str, value: impl Data) -> Result<(), DatasetError> {
        self.get_or_default(name)?.save_value(&Value::new(value))
    }

    /// Whether the dataset has data; `false` for unknown names.
    pub fn exists(&self, name: &str) -> Result<bool, DatasetError> {
        match self.get(name)? {
            Some(dataset) => dataset.exists(),
            None => Ok(false),
        }
    }

    /// Releases a dataset's cached data.
    pub fn release(&self, name: &str) {
        if let Some(dataset) = self.read().get(name) {
            dataset.release();
        }
    }

    /// Confirms a dataset.
    pub fn confirm(&self, name: &str) -> Result<(), DatasetError> {
        self.require(name)?.confirm()
    }

    /// The names of the datasets in the catalog, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.read().keys().cloned().collect();
        names.sort_unstable();
        names
    }

    /// The names and descriptions of the datasets, sorted by name.
    pub fn list(&self) -> Vec<(String, String)> {
        let mut listed: Vec<(String, String)> = self
            .read()
            .iter()
            .map(|(name, dataset)| (name.clone(), dataset.describe()))
            .collect();
        listed.sort_unstable();
        listed
    }

    /// The number of datasets.
    pub fn len(&self) -> usize {
        self.read().len()
    }

    /// Whether the catalog has no datasets.
    pub fn is_empty(&self) -> bool {
        self.read().is_empty()
    }

    fn require(&self, name: &str) -> Result<Arc<dyn AnyDataset>, DatasetError> {
        self.get(name)?
            .ok_or_else(|| DatasetError::NotFound(name.to_owned()))
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, FxHashMap<String, Arc<dyn AnyDataset>>> {
        self.datasets.read().unwrap_or_else(PoisonError::into_inner)
    }
}

impl fmt::Debug for Catalog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.list()).finish()
    }
}

fn collect_parameters(
    prefix: &str,
    value: &serde_json::Value,
    out: &mut Vec<(String, serde_json::Value)>,
) {
    if let serde_json::Value::Object(map) = value {
        for (key, child) in map {
            let path = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            out.push((format!("params:{path}"), child.clone()));
            collect_parameters(&path, child, out);
        }
    }
}

fn merge_json(base: &mut serde_json::Value, overlay: serde_json::Value) {
    match (base, overlay) {
        (serde_json::Value::Object(base), serde_json::Value::Object(overlay)) => {
            for (key, value) in overlay {
                merge_json(base.entry(key).or_insert(serde_json::Value::Null), value);
            }
        }
        (base, overlay) => *base = overlay,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Typed(RwLock<Option<u64>>);

    impl Dataset for Typed {
        type Value = u64;
        fn load(&self) -> Result<u64, DatasetError> {
            self.0
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .ok_or(DatasetError::NotSaved)
        }
        fn save(&self, value: &u64) -> Result<(), DatasetError> {
            *self.0.write().unwrap_or_else(PoisonError::into_inner) = Some(*value);
            Ok(())
        }
    }

    #[test]
    fn typed_datasets_check_the_type_on_save() {
        let mut catalog = Catalog::new();
        catalog.add("n", Typed(RwLock::new(None)));
        assert!(catalog.save("n", 3_u64).is_ok());
        assert_eq!(catalog.load_as::<u64>("n").ok(), Some(3));
        let wrong = catalog.save("n", "three".to_owned());
        assert!(matches!(wrong, Err(DatasetError::WrongType { .. })));
        let dataset = catalog.get("n").ok().flatten();
        assert_eq!(
            dataset.and_then(|d| d.value_type()),
            Some(TypeInfo::of::<u64>())
        );
    }

    #[test]
    fn memory_dataset_shares_and_releases() {
        let catalog = Catalog::new();
        catalog.save("x", vec![1_u8; 10]).ok();
        let value = catalog.load("x").ok();
        assert_eq!(value.as_ref().map(Value::handle_count), Some(2));
        catalog.release("x");
        assert_eq!(value.as_ref().map(Value::handle_count), Some(1));
        assert!(matches!(catalog.load("x"), Err(DatasetError::NotSaved)));
        assert!(matches!(
            catalog.load("nope"),
            Err(DatasetError::NotFound(_))
        ));
    }

    #[test]
    fn parameters_at_every_depth() {
        let mut catalog = Catalog::new();
        catalog.add_parameters(serde_json::json!({"a": {"b": {"c": 1}}, "d": 2}));
        catalog.add_parameters(serde_json::json!({"a": {"e": 3}}));
        for name in [
            "parameters",
            "params:a",
            "params:a.b",
            "params:a.b.c",
            "params:a.e",
            "params:d",
        ] {
            assert!(catalog.contains(name), "{name}");
        }
        assert_eq!(
            catalog.load_as::<serde_json::Value>("params:a.b.c").ok(),
            Some(serde_json::json!(1))
        );
    }
}
