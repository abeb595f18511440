//! Table-level expectations: which columns exist and in what order, column and row counts.

use polars::prelude::*;
use serde_json::{Value as Json, json};

use super::Kind;
use super::args::{Args, Range};
use super::frame::{Outcome, column_names};

/// A table-level expectation, its arguments parsed.
#[derive(Debug, Clone)]
pub(super) enum Table {
    ColumnToExist {
        column: String,
        index: Option<usize>,
    },
    ColumnsOrdered(Option<Vec<String>>),
    ColumnsSet {
        set: Option<Vec<String>>,
        exact: bool,
    },
    ColumnCount(Range),
    RowCount(Range),
}

/// `expect_column_to_exist`.
pub(super) fn column_to_exist(args: &Args<'_>) -> Result<Kind, String> {
    Ok(Kind::Table(Table::ColumnToExist {
        column: args.column()?,
        index: args.number("column_index")?.map(|i| i as usize),
    }))
}

/// `expect_table_columns_to_match_ordered_list`.
pub(super) fn columns_to_match_ordered_list(args: &Args<'_>) -> Result<Kind, String> {
    Ok(Kind::Table(Table::ColumnsOrdered(
        args.optional_strings("column_list")?,
    )))
}

/// `expect_table_columns_to_match_set`.
pub(super) fn columns_to_match_set(args: &Args<'_>) -> Result<Kind, String> {
    Ok(Kind::Table(Table::ColumnsSet {
        set: args.optional_strings("column_set")?,
        exact: args.flag("exact_match", true)?,
    }))
}

/// `expect_table_column_count_to_equal`.
pub(super) fn column_count_to_equal(args: &Args<'_>) -> Result<Kind, String> {
    let value = args.number("value")?.ok_or("`value` is required")?;
    Ok(Kind::Table(Table::ColumnCount(Range::exactly(value))))
}

/// `expect_table_column_count_to_be_between`.
pub(super) fn column_count_to_be_between(args: &Args<'_>) -> Result<Kind, String> {
    Ok(Kind::Table(Table::ColumnCount(
        args.range("min_value", "max_value")?,
    )))
}

/// `expect_table_row_count_to_be_between`.
pub(super) fn row_count_to_be_between(args: &Args<'_>) -> Result<Kind, String> {
    Ok(Kind::Table(Table::RowCount(
        args.range("min_value", "max_value")?,
    )))
}

/// `expect_table_row_count_to_equal`.
pub(super) fn row_count_to_equal(args: &Args<'_>) -> Result<Kind, String> {
    let value = args.number("value")?.ok_or("`value` is required")?;
    Ok(Kind::Table(Table::RowCount(Range::exactly(value))))
}

impl Table {
    /// The columns the expectation reads.
    pub(super) fn columns(&self) -> Vec<&str> {
        match self {
            Self::ColumnToExist { column, .. } => vec![column],
            Self::ColumnsOrdered(_)
            | Self::ColumnsSet { .. }
            | Self::ColumnCount(_)
            | Self::RowCount(_) => Vec::new(),
        }
    }

    /// Checks the frame.
    pub(super) fn validate(&self, frame: &DataFrame) -> Result<Outcome, PolarsError> {
        match self {
            Self::ColumnToExist { column, index } => {
                let names: Vec<&str> = frame
                    .get_column_names()
                    .into_iter()
                    .map(|n| n.as_str())
                    .collect();
                let success = match index {
                    Some(i) => names.get(*i) == Some(&column.as_str()),
                    None => names.contains(&column.as_str()),
                };
                Ok(Outcome::observed(success, Json::Null))
            }
            Self::ColumnsOrdered(None) | Self::ColumnsSet { set: None, .. } => {
                Ok(Outcome::observed(true, json!(column_names(frame))))
            }
            Self::ColumnsOrdered(Some(list)) => {
                let names = column_names(frame);
                let mismatched: Vec<Json> = (0..names.len().max(list.len()))
                    .filter(|i| names.get(*i) != list.get(*i))
                    .map(|i| json!({"Expected Column Position": i, "Expected": list.get(i), "Found": names.get(i)}))
                    .collect();
                let mut outcome = Outcome::observed(mismatched.is_empty(), json!(names));
                if !mismatched.is_empty() {
                    outcome
                        .result
                        .insert("details".to_owned(), json!({"mismatched": mismatched}));
                }
                Ok(outcome)
            }
            Self::ColumnsSet {
                set: Some(set),
                exact,
            } => {
                let names = column_names(frame);
                let missing: Vec<&String> = set.iter().filter(|c| !names.contains(c)).collect();
                let unexpected: Vec<&String> = names.iter().filter(|c| !set.contains(c)).collect();
                let success = missing.is_empty() && (!exact || unexpected.is_empty());
                let mut outcome = Outcome::observed(success, json!(names));
                outcome.result.insert(
                    "details".to_owned(),
                    json!({"mismatched": {"unexpected": unexpected, "missing": missing}}),
                );
                Ok(outcome)
            }
            Self::ColumnCount(range) => {
                let n = frame.width();
                Ok(Outcome::observed(range.contains(n as f64), json!(n)))
            }
            Self::RowCount(range) => {
                let n = frame.height();
                Ok(Outcome::observed(range.contains(n as f64), json!(n)))
            }
        }
    }
}
