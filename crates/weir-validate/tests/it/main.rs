//! Integration tests of weir-validate: Great Expectations' own test definitions
//! (`tests/fixtures/ge_cases.json`, taken from GE's repository), suites in both JSON dialects,
//! and the hook on pipelines.

#![allow(clippy::unwrap_used, missing_docs)]

mod ge_cases;
mod hook;

use polars::prelude::*;
use serde_json::Value as Json;
use weir::polars;

/// A frame from JSON columns, typed as pandas would: integers, floats, booleans or text
/// (mixed columns become text), nulls as missing values.
pub fn frame(data: &serde_json::Map<String, Json>) -> DataFrame {
    let columns: Vec<Column> = data
        .iter()
        .map(|(name, values)| {
            let values = values.as_array().unwrap();
            let present: Vec<&Json> = values.iter().filter(|v| !v.is_null()).collect();
            let name = PlSmallStr::from(name.as_str());
            let series = if !present.is_empty() && present.iter().all(|v| v.is_i64()) {
                Series::new(name, values.iter().map(Json::as_i64).collect::<Vec<_>>())
            } else if !present.is_empty() && present.iter().all(|v| v.is_number()) {
                Series::new(name, values.iter().map(Json::as_f64).collect::<Vec<_>>())
            } else if !present.is_empty() && present.iter().all(|v| v.is_boolean()) {
                Series::new(name, values.iter().map(Json::as_bool).collect::<Vec<_>>())
            } else if present.is_empty() {
                Series::new(name, values.iter().map(|_| None::<f64>).collect::<Vec<_>>())
            } else {
                Series::new(
                    name,
                    values
                        .iter()
                        .map(|v| match v {
                            Json::Null => None,
                            Json::String(s) => Some(s.clone()),
                            other => Some(other.to_string()),
                        })
                        .collect::<Vec<_>>(),
                )
            };
            series.into_column()
        })
        .collect();
    DataFrame::new_infer_height(columns).unwrap()
}
