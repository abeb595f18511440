//! Column-value (GE "map") expectations: each value is checked, missing values are left out
//! of the domain (except where they are the subject), and `mostly` sets the share that must
//! pass. The result counts unexpected values and lists a sample of them.

use polars::prelude::*;
use serde_json::{Value as Json, json};

use super::args::{Args, Range};
use super::frame::{
    Outcome, column_of, dtype_name, map_outcome, membership, missing_columns, numeric,
    present_mask, range_mask, rows_as_lists, rows_json, scatter, type_matches,
};
use super::{Kind, PARTIAL_UNEXPECTED};

/// A column-value expectation, its arguments parsed.
#[derive(Debug, Clone)]
pub(super) enum Values {
    NotNull {
        column: String,
        mostly: f64,
    },
    Null {
        column: String,
        mostly: f64,
    },
    Unique {
        column: String,
        mostly: f64,
    },
    CompoundUnique {
        columns: Vec<String>,
        mostly: f64,
    },
    Between {
        column: String,
        range: Range,
        mostly: f64,
    },
    InSet {
        column: String,
        set: Vec<Json>,
        mostly: f64,
    },
    NotInSet {
        column: String,
        set: Vec<Json>,
        mostly: f64,
    },
    Regex {
        column: String,
        regex: regex::Regex,
        mostly: f64,
    },
    Lengths {
        column: String,
        range: Range,
        mostly: f64,
    },
    OfType {
        column: String,
        type_name: String,
    },
    PairGreater {
        a: String,
        b: String,
        or_equal: bool,
        ignore: IgnoreRows,
        mostly: f64,
    },
}

/// Which rows a column-pair expectation leaves out (`ignore_row_if`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum IgnoreRows {
    BothMissing,
    EitherMissing,
    Never,
}

/// `expect_column_values_to_not_be_null`.
pub(super) fn not_null(args: &Args<'_>) -> Result<Kind, String> {
    Ok(Kind::Values(Values::NotNull {
        column: args.column()?,
        mostly: args.mostly()?,
    }))
}

/// `expect_column_values_to_be_null`.
pub(super) fn null(args: &Args<'_>) -> Result<Kind, String> {
    Ok(Kind::Values(Values::Null {
        column: args.column()?,
        mostly: args.mostly()?,
    }))
}

/// `expect_column_values_to_be_unique`.
pub(super) fn unique(args: &Args<'_>) -> Result<Kind, String> {
    Ok(Kind::Values(Values::Unique {
        column: args.column()?,
        mostly: args.mostly()?,
    }))
}

/// `expect_compound_columns_to_be_unique`.
pub(super) fn compound_unique(args: &Args<'_>) -> Result<Kind, String> {
    Ok(Kind::Values(Values::CompoundUnique {
        columns: args.strings("column_list")?,
        mostly: args.mostly()?,
    }))
}

/// `expect_column_values_to_be_between`.
pub(super) fn between(args: &Args<'_>) -> Result<Kind, String> {
    let range = args.range("min_value", "max_value")?;
    if range.min.is_none() && range.max.is_none() {
        return Err("`min_value` and `max_value` cannot both be null".to_owned());
    }
    Ok(Kind::Values(Values::Between {
        column: args.column()?,
        range,
        mostly: args.mostly()?,
    }))
}

/// `expect_column_values_to_be_in_set`.
pub(super) fn in_set(args: &Args<'_>) -> Result<Kind, String> {
    Ok(Kind::Values(Values::InSet {
        column: args.column()?,
        set: args.values("value_set")?,
        mostly: args.mostly()?,
    }))
}

/// `expect_column_values_to_not_be_in_set`.
pub(super) fn not_in_set(args: &Args<'_>) -> Result<Kind, String> {
    Ok(Kind::Values(Values::NotInSet {
        column: args.column()?,
        set: args.values("value_set")?,
        mostly: args.mostly()?,
    }))
}

/// `expect_column_values_to_match_regex`.
pub(super) fn match_regex(args: &Args<'_>) -> Result<Kind, String> {
    let pattern = args.string("regex")?;
    let regex = regex::Regex::new(&pattern)
        .map_err(|e| format!("`regex` {pattern:?} is not a valid regular expression: {e}"))?;
    Ok(Kind::Values(Values::Regex {
        column: args.column()?,
        regex,
        mostly: args.mostly()?,
    }))
}

/// `expect_column_value_lengths_to_be_between`.
pub(super) fn lengths_between(args: &Args<'_>) -> Result<Kind, String> {
    Ok(Kind::Values(Values::Lengths {
        column: args.column()?,
        range: args.range("min_value", "max_value")?,
        mostly: args.mostly()?,
    }))
}

/// `expect_column_values_to_be_of_type`.
pub(super) fn of_type(args: &Args<'_>) -> Result<Kind, String> {
    Ok(Kind::Values(Values::OfType {
        column: args.column()?,
        type_name: args.string("type_")?,
    }))
}

/// `expect_column_pair_values_a_to_be_greater_than_b`.
pub(super) fn pair_a_greater_than_b(args: &Args<'_>) -> Result<Kind, String> {
    Ok(Kind::Values(Values::PairGreater {
        a: args.string("column_A")?,
        b: args.string("column_B")?,
        or_equal: args.flag("or_equal", false)?,
        ignore: match args
            .kwargs
            .get("ignore_row_if")
            .and_then(Json::as_str)
            .unwrap_or("both_values_are_missing")
        {
            "both_values_are_missing" => IgnoreRows::BothMissing,
            "either_value_is_missing" => IgnoreRows::EitherMissing,
            "neither" | "never" => IgnoreRows::Never,
            other => {
                return Err(format!(
                    "`ignore_row_if` {other:?}: use both_values_are_missing, either_value_is_missing or neither"
                ));
            }
        },
        mostly: args.mostly()?,
    }))
}

impl Values {
    /// The columns the expectation reads.
    pub(super) fn columns(&self) -> Vec<&str> {
        match self {
            Self::CompoundUnique { columns, .. } => columns.iter().map(String::as_str).collect(),
            Self::PairGreater { a, b, .. } => vec![a, b],
            Self::NotNull { column, .. }
            | Self::Null { column, .. }
            | Self::Unique { column, .. }
            | Self::Between { column, .. }
            | Self::InSet { column, .. }
            | Self::NotInSet { column, .. }
            | Self::Regex { column, .. }
            | Self::Lengths { column, .. }
            | Self::OfType { column, .. } => vec![column],
        }
    }

    /// Checks the frame.
    pub(super) fn validate(&self, frame: &DataFrame) -> Result<Outcome, PolarsError> {
        match self {
            Self::NotNull { column, mostly } => null_check(frame, column, *mostly, false),
            Self::Null { column, mostly } => null_check(frame, column, *mostly, true),
            Self::Unique { column, mostly } => column_of(frame, column).and_then(|series| {
                let present = present_mask(&series)?;
                let values = series.filter(&present)?;
                let none = BooleanChunked::full(PlSmallStr::EMPTY, false, series.len());
                // Counting distinct values is cheaper than marking duplicates: when they are as
                // many as the values, nothing is duplicated (the usual case for ids).
                if values.n_unique()? == values.len() {
                    return map_outcome(&series, &present, &none, *mostly);
                }
                let duplicated = DataFrame::new_infer_height(vec![values.clone().into_column()])?
                    .is_duplicated()?;
                let unexpected = scatter(&present, &duplicated, none);
                map_outcome(&series, &present, &unexpected, *mostly)
            }),
            Self::CompoundUnique { columns, mostly } => {
                let selected = frame
                    .select(columns.iter().map(String::as_str))
                    .map_err(missing_columns(frame));
                selected.and_then(|sub| {
                    // GE ignores rows where every column is missing.
                    let mut any_present =
                        BooleanChunked::full(PlSmallStr::EMPTY, false, sub.height());
                    for column in sub.columns() {
                        any_present =
                            &any_present | &present_mask(column.as_materialized_series())?;
                    }
                    let kept = sub.filter(&any_present)?;
                    let duplicated = kept.is_duplicated()?;
                    let unexpected = scatter(
                        &any_present,
                        &duplicated,
                        BooleanChunked::full(PlSmallStr::EMPTY, false, sub.height()),
                    );
                    let first = sub.columns()[0].as_materialized_series().clone();
                    let mut outcome = map_outcome(&first, &any_present, &unexpected, *mostly)?;
                    let rows = sub.filter(&unexpected)?.head(Some(PARTIAL_UNEXPECTED));
                    outcome
                        .result
                        .insert("partial_unexpected_list".to_owned(), rows_json(&rows));
                    Ok(outcome)
                })
            }
            Self::Between {
                column,
                range,
                mostly,
            } => column_of(frame, column).and_then(|series| {
                let present = present_mask(&series)?;
                let values = numeric(&series, column)?;
                let inside = range_mask(&values, range)?;
                let unexpected = &present & &!&inside;
                map_outcome(&series, &present, &unexpected, *mostly)
            }),
            Self::InSet {
                column,
                set,
                mostly,
            }
            | Self::NotInSet {
                column,
                set,
                mostly,
            } => column_of(frame, column).and_then(|series| {
                let present = present_mask(&series)?;
                let member = membership(&series, set)?;
                let wanted_in = matches!(self, Self::InSet { .. });
                let unexpected = if wanted_in {
                    &present & &!&member
                } else {
                    &present & &member
                };
                map_outcome(&series, &present, &unexpected, *mostly)
            }),
            Self::Regex {
                column,
                regex,
                mostly,
            } => column_of(frame, column).and_then(|series| {
                let present = present_mask(&series)?;
                let text = series.cast(&DataType::String)?;
                let matched: BooleanChunked = text
                    .str()?
                    .iter()
                    .map(|v| v.map(|s| regex.is_match(s)))
                    .collect();
                let unexpected = &present & &!&matched.fill_null_with_values(false)?;
                map_outcome(&series, &present, &unexpected, *mostly)
            }),
            Self::Lengths {
                column,
                range,
                mostly,
            } => column_of(frame, column).and_then(|series| {
                let present = present_mask(&series)?;
                let text = series.cast(&DataType::String)?;
                let lengths: Float64Chunked = text
                    .str()?
                    .iter()
                    .map(|v| v.map(|s| s.chars().count() as f64))
                    .collect();
                let inside = range_mask(&lengths.into_series(), range)?;
                let unexpected = &present & &!&inside;
                map_outcome(&series, &present, &unexpected, *mostly)
            }),
            Self::OfType { column, type_name } => column_of(frame, column).and_then(|series| {
                let dtype = series.dtype().clone();
                let success = type_matches(&dtype, type_name);
                if dtype != DataType::String {
                    return Ok(Outcome::observed(success, json!(dtype_name(&dtype))));
                }
                // GE checks text (pandas `object`) columns value by value: give its counts.
                let present = present_mask(&series)?;
                let unexpected = if success {
                    BooleanChunked::full(PlSmallStr::EMPTY, false, series.len())
                } else {
                    present.clone()
                };
                let mut outcome = map_outcome(&series, &present, &unexpected, 1.0)?;
                outcome
                    .result
                    .insert("observed_value".to_owned(), json!(dtype_name(&dtype)));
                Ok(outcome)
            }),
            Self::PairGreater {
                a,
                b,
                or_equal,
                ignore,
                mostly,
            } => column_of(frame, a).and_then(|first| {
                let second = column_of(frame, b)?;
                let (present_a, present_b) = (present_mask(&first)?, present_mask(&second)?);
                let domain = match ignore {
                    IgnoreRows::BothMissing => &present_a | &present_b,
                    IgnoreRows::EitherMissing => &present_a & &present_b,
                    IgnoreRows::Never => BooleanChunked::full(PlSmallStr::EMPTY, true, first.len()),
                };
                let (x, y) = (numeric(&first, a)?, numeric(&second, b)?);
                let greater = if *or_equal { x.gt_eq(&y)? } else { x.gt(&y)? };
                let both = &present_a & &present_b;
                let ok = &both & &greater.fill_null_with_values(false)?;
                let unexpected = &domain & &!&ok;
                let mut outcome = map_outcome(&first, &domain, &unexpected, *mostly)?;
                let pairs = DataFrame::new_infer_height(vec![
                    first.clone().into_column(),
                    second.clone().into_column(),
                ])?
                .filter(&unexpected)?
                .head(Some(PARTIAL_UNEXPECTED));
                outcome
                    .result
                    .insert("partial_unexpected_list".to_owned(), rows_as_lists(&pairs));
                Ok(outcome)
            }),
        }
    }
}

/// `..._to_be_null` and `..._to_not_be_null`: missing values are the subject here.
fn null_check(
    frame: &DataFrame,
    column: &str,
    mostly: f64,
    want_null: bool,
) -> Result<Outcome, PolarsError> {
    let series = column_of(frame, column)?;
    let present = present_mask(&series)?;
    let unexpected = if want_null {
        present.clone()
    } else {
        !&present
    };
    let all = BooleanChunked::full(PlSmallStr::EMPTY, true, series.len());
    let mut outcome = map_outcome(&series, &all, &unexpected, mostly)?;
    // GE counts over every row here: missing values are the subject, not ignored.
    if let Some(map) = Some(&mut outcome.result) {
        map.remove("missing_count");
        map.remove("missing_percent");
        map.remove("unexpected_percent_nonmissing");
    }
    Ok(outcome)
}
