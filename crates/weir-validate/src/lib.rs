//! Data validation for Weir: Great Expectations suites checked on node inputs and outputs
//! through hooks, on polars DataFrames.
//!
//! ```yaml
//! # conf/base/validation.yml
//! on_failure: fail                # or warn
//! datasets:
//!   companies:
//!     suite: base/expectations/companies.json   # in conf/; GE 0.x or 1.x JSON
//!     when: inputs                # inputs | outputs | both
//! ```
//!
//! or, in the catalog (the kedro-pandera pattern):
//!
//! ```yaml
//! model_input_table:
//!   type: pandas.ParquetDataset
//!   filepath: data/03_primary/model_input_table.parquet
//!   metadata:
//!     validation:
//!       expectations:
//!         - expect_table_row_count_to_be_between: {min_value: 1}
//!         - expect_column_values_to_not_be_null: {column: price}
//! ```
//!
//! Register [`ValidationHook`] on the project (`Project::plugin`). 26 expectation types are evaluated with
//! column-wide polars operations, with GE's semantics (missing values left out of map
//! expectations, `mostly`, strict bounds) and GE's result documents.

pub mod expectations;
mod hook;
pub mod suite;

pub use expectations::{Expectation, ExpectationResult, KNOWN_TYPES};
pub use hook::{
    Checked, DatasetRule, METADATA_KEY, OnFailure, ValidationConfig, ValidationHook, When,
};
pub use suite::{Suite, SuiteError, SuiteResult};
