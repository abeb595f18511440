//! Helpers shared by the integration tests.

use std::sync::{Arc, Mutex, PoisonError};

use weir_core::node::NodeFunction;
use weir_core::{Catalog, Dataset, DatasetError, Node, Pipeline, Value};

/// A node named `name` reading `inputs` and writing `outputs`: it adds up its `u64` inputs and
/// writes the sum plus one to every output. Its function accepts values of any type.
pub fn n(name: &str, inputs: &[&str], outputs: &[&str]) -> Node {
    let count = outputs.len();
    Node::new(NodeFunction::erased(
        "f",
        inputs.len(),
        outputs.len(),
        move |values| {
            let total: u64 = values.iter().filter_map(|v| v.downcast_ref::<u64>()).sum();
            Ok((0..count).map(|_| Value::new(total + 1)).collect())
        },
    ))
    .inputs(inputs)
    .outputs(outputs)
    .name(name)
}

/// The full names of a pipeline's nodes, in order.
pub fn names(pipeline: &Pipeline) -> Vec<String> {
    pipeline
        .nodes()
        .iter()
        .map(|node| node.full_name().to_owned())
        .collect()
}

/// The names sorted, for comparisons that ignore order.
pub fn sorted_names(pipeline: &Pipeline) -> Vec<String> {
    let mut all = names(pipeline);
    all.sort();
    all
}

/// The groups of a pipeline as names.
pub fn groups(pipeline: &Pipeline) -> Vec<Vec<String>> {
    pipeline
        .grouped_nodes()
        .iter()
        .map(|group| group.iter().map(|n| n.full_name().to_owned()).collect())
        .collect()
}

/// A log shared between datasets and hooks.
pub type Log = Arc<Mutex<Vec<String>>>;

/// Appends to a log.
pub fn record(log: &Log, entry: String) {
    log.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(entry);
}

/// The entries of a log.
pub fn entries(log: &Log) -> Vec<String> {
    log.lock().unwrap_or_else(PoisonError::into_inner).clone()
}

/// A persisted dataset (not ephemeral) that logs `load:name`, `save:name` and `release:name`,
/// like Kedro's `LoggingDataset` in its runner tests.
pub struct LoggingDataset {
    pub name: String,
    pub log: Log,
    pub value: Mutex<Option<Value>>,
}

impl LoggingDataset {
    pub fn new(name: &str, log: &Log) -> Self {
        Self {
            name: name.to_owned(),
            log: Arc::clone(log),
            value: Mutex::new(None),
        }
    }

    pub fn with_value(name: &str, log: &Log, value: u64) -> Self {
        let dataset = Self::new(name, log);
        *dataset.value.lock().unwrap_or_else(PoisonError::into_inner) = Some(Value::new(value));
        dataset
    }
}

impl Dataset for LoggingDataset {
    type Value = Value;

    fn load(&self) -> Result<Value, DatasetError> {
        record(&self.log, format!("load:{}", self.name));
        // Like Kedro's LoggingDataset, an empty dataset loads as "nothing" (here: zero).
        Ok(self
            .value
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .unwrap_or_else(|| Value::new(0_u64)))
    }

    fn save(&self, value: &Value) -> Result<(), DatasetError> {
        record(&self.log, format!("save:{}", self.name));
        *self.value.lock().unwrap_or_else(PoisonError::into_inner) = Some(value.clone());
        Ok(())
    }

    fn exists(&self) -> Result<bool, DatasetError> {
        Ok(self
            .value
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some())
    }

    fn release(&self) {
        record(&self.log, format!("release:{}", self.name));
    }
}

/// A dataset whose loads and saves always fail.
pub struct BrokenDataset;

impl Dataset for BrokenDataset {
    type Value = u64;

    fn load(&self) -> Result<u64, DatasetError> {
        Err(DatasetError::message("the disk is on fire"))
    }

    fn save(&self, _: &u64) -> Result<(), DatasetError> {
        Err(DatasetError::message("the disk is full"))
    }
}

/// A catalog with `u64` values for the given names.
pub fn catalog_with(values: &[(&str, u64)]) -> Catalog {
    let mut catalog = Catalog::new();
    for (name, value) in values {
        catalog.add_value(*name, *value);
    }
    catalog
}

/// Kedro's verified example: n0:A→F, n1:A→B, n2:B→C, n3:(C,D)→E, n4:F→G@pandas, n5:G@spark→H,
/// given out of order.
pub fn kedro_transcoded() -> Pipeline {
    Pipeline::new([
        n("n5", &["G@spark"], &["H"]),
        n("n3", &["C", "D"], &["E"]),
        n("n4", &["F"], &["G@pandas"]),
        n("n2", &["B"], &["C"]),
        n("n1", &["A"], &["B"]),
        n("n0", &["A"], &["F"]),
    ])
}
