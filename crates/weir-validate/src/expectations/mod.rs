//! Great Expectations' expectation types, evaluated on polars DataFrames with column-wide
//! (vectorised) operations, giving GE's result shape.
//!
//! The types come in families, each with its parsed arguments, the columns it reads and its
//! check: `table` (the columns present, column and row counts), `values` (GE's map
//! expectations: every value checked, `mostly`) and `aggregates` (a statistic or the distinct
//! values of a column). `TYPES` is the one list of type names and their parsers; the parser
//! and [`KNOWN_TYPES`] both read it.

mod aggregates;
mod args;
mod frame;
mod table;
mod values;

use polars::prelude::*;
use serde_json::{Map, Value as Json, json};

use self::args::Args;

/// How many unexpected values a result lists (GE's `partial_unexpected_list`).
pub const PARTIAL_UNEXPECTED: usize = 20;

/// One expectation: its GE type name, its arguments, and what they mean.
#[derive(Debug, Clone)]
pub struct Expectation {
    /// `expect_column_values_to_not_be_null`...
    pub expectation_type: String,
    /// The arguments, as written.
    pub kwargs: Map<String, Json>,
    /// GE's `meta`, kept for the report.
    pub meta: Json,
    kind: Kind,
}

/// What an expectation means, by family.
#[derive(Debug, Clone)]
enum Kind {
    Table(table::Table),
    Values(values::Values),
    Aggregate(aggregates::Aggregate),
}

/// Reads an expectation type's arguments.
type Parse = fn(&Args<'_>) -> Result<Kind, String>;

/// Every expectation type Weir evaluates, with its parser: the only list of types.
const TYPES: &[(&str, Parse)] = &[
    ("expect_column_to_exist", table::column_to_exist),
    (
        "expect_table_columns_to_match_ordered_list",
        table::columns_to_match_ordered_list,
    ),
    (
        "expect_table_columns_to_match_set",
        table::columns_to_match_set,
    ),
    (
        "expect_table_column_count_to_equal",
        table::column_count_to_equal,
    ),
    (
        "expect_table_column_count_to_be_between",
        table::column_count_to_be_between,
    ),
    (
        "expect_table_row_count_to_be_between",
        table::row_count_to_be_between,
    ),
    ("expect_table_row_count_to_equal", table::row_count_to_equal),
    ("expect_column_values_to_not_be_null", values::not_null),
    ("expect_column_values_to_be_null", values::null),
    ("expect_column_values_to_be_unique", values::unique),
    (
        "expect_compound_columns_to_be_unique",
        values::compound_unique,
    ),
    ("expect_column_values_to_be_between", values::between),
    ("expect_column_values_to_be_in_set", values::in_set),
    ("expect_column_values_to_not_be_in_set", values::not_in_set),
    (
        "expect_column_distinct_values_to_be_in_set",
        aggregates::distinct_values_in_set,
    ),
    ("expect_column_values_to_match_regex", values::match_regex),
    (
        "expect_column_value_lengths_to_be_between",
        values::lengths_between,
    ),
    ("expect_column_values_to_be_of_type", values::of_type),
    ("expect_column_min_to_be_between", aggregates::min),
    ("expect_column_max_to_be_between", aggregates::max),
    ("expect_column_mean_to_be_between", aggregates::mean),
    ("expect_column_median_to_be_between", aggregates::median),
    ("expect_column_sum_to_be_between", aggregates::sum),
    ("expect_column_stdev_to_be_between", aggregates::stdev),
    (
        "expect_column_proportion_of_unique_values_to_be_between",
        aggregates::proportion_unique,
    ),
    (
        "expect_column_pair_values_a_to_be_greater_than_b",
        values::pair_a_greater_than_b,
    ),
];

/// Every expectation type Weir evaluates.
pub const KNOWN_TYPES: [&str; TYPES.len()] = {
    let mut names = [""; TYPES.len()];
    let mut i = 0;
    while i < TYPES.len() {
        names[i] = TYPES[i].0;
        i += 1;
    }
    names
};

impl Expectation {
    /// An expectation from its GE type name and arguments.
    ///
    /// # Errors
    ///
    /// An unknown type, or a missing or malformed argument (the message names it).
    pub fn new(
        expectation_type: &str,
        kwargs: Map<String, Json>,
        meta: Json,
    ) -> Result<Self, String> {
        let Some((_, parse)) = TYPES.iter().find(|(name, _)| *name == expectation_type) else {
            let close = weir_core::suggest::close_matches(expectation_type, KNOWN_TYPES, 1, 0.7);
            let hint = close
                .first()
                .map(|c| format!(" Did you mean {c}?"))
                .unwrap_or_default();
            return Err(format!(
                "unknown expectation type `{expectation_type}`.{hint} Weir knows: {}",
                KNOWN_TYPES.join(", ")
            ));
        };
        let kind = parse(&Args { kwargs: &kwargs })?;
        Ok(Self {
            expectation_type: expectation_type.to_owned(),
            kwargs,
            meta,
            kind,
        })
    }

    /// The columns the expectation reads.
    pub fn columns(&self) -> Vec<&str> {
        match &self.kind {
            Kind::Table(table) => table.columns(),
            Kind::Values(values) => values.columns(),
            Kind::Aggregate(aggregate) => aggregate.columns(),
        }
    }

    /// GE's `expectation_config` of the result.
    pub fn config_json(&self) -> Json {
        json!({"type": self.expectation_type, "kwargs": self.kwargs, "meta": self.meta})
    }

    /// Checks the frame.
    pub fn validate(&self, frame: &DataFrame) -> ExpectationResult {
        let outcome = match &self.kind {
            Kind::Table(table) => table.validate(frame),
            Kind::Values(values) => values.validate(frame),
            Kind::Aggregate(aggregate) => aggregate.validate(frame),
        };
        match outcome {
            Ok(outcome) => ExpectationResult {
                success: outcome.success,
                expectation_config: self.config_json(),
                result: Json::Object(outcome.result),
                exception: None,
            },
            Err(error) => ExpectationResult {
                success: false,
                expectation_config: self.config_json(),
                result: json!({}),
                exception: Some(error.to_string()),
            },
        }
    }
}

/// GE's result of one expectation.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpectationResult {
    /// Whether the expectation holds.
    pub success: bool,
    /// The expectation (type, kwargs, meta).
    pub expectation_config: Json,
    /// GE's `result`: counts and a sample of unexpected values, or the observed value.
    pub result: Json,
    /// Why the expectation could not be evaluated (a missing column...).
    pub exception: Option<String>,
}

impl ExpectationResult {
    /// GE's JSON form.
    pub fn to_json(&self) -> Json {
        json!({
            "success": self.success,
            "expectation_config": self.expectation_config,
            "result": self.result,
            "exception_info": {
                "raised_exception": self.exception.is_some(),
                "exception_message": self.exception,
                "exception_traceback": null,
            },
        })
    }

    /// The number of unexpected values, for map expectations.
    pub fn unexpected_count(&self) -> Option<u64> {
        self.result.get("unexpected_count").and_then(Json::as_u64)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// Arguments every type accepts (each takes the ones it knows).
    fn every_argument() -> Map<String, Json> {
        let Json::Object(kwargs) = json!({
            "column": "a",
            "column_list": ["a", "b"],
            "column_set": ["a", "b"],
            "column_A": "a",
            "column_B": "b",
            "value": 2,
            "min_value": 0,
            "max_value": 10,
            "value_set": [1, 2, 3],
            "regex": "^[0-9]+$",
            "type_": "int64",
        }) else {
            unreachable!()
        };
        kwargs
    }

    #[test]
    fn every_listed_type_parses_and_evaluates() {
        let names: BTreeSet<&str> = KNOWN_TYPES.iter().copied().collect();
        assert_eq!(names.len(), KNOWN_TYPES.len(), "a type is listed twice");
        let frame = df!("a" => [1i64, 2, 3], "b" => [0i64, 1, 2]).unwrap();
        for name in KNOWN_TYPES {
            let expectation = Expectation::new(name, every_argument(), Json::Null)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(expectation.expectation_type, name);
            assert!(
                !expectation.columns().is_empty() || name.contains("table"),
                "{name}"
            );
            let result = expectation.validate(&frame);
            assert_eq!(result.exception, None, "{name}");
        }
    }

    #[test]
    fn an_unknown_type_suggests_the_nearest_and_lists_all() {
        let error = Expectation::new("expect_column_to_exists", Map::new(), Json::Null)
            .expect_err("unknown type");
        assert!(
            error.contains("Did you mean expect_column_to_exist?"),
            "{error}"
        );
        for name in KNOWN_TYPES {
            assert!(error.contains(name), "{name} missing from: {error}");
        }
    }
}
