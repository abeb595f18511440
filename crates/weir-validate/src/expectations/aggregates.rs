//! Aggregate expectations: one observed value per column (a statistic, the proportion of
//! unique values, the set of distinct values) checked against the bounds or the set.

use polars::prelude::*;
use serde_json::{Value as Json, json};

use super::Kind;
use super::args::{Args, Range};
use super::frame::{Outcome, any_to_json, column_of, membership, numeric, present_mask};

/// An aggregate expectation, its arguments parsed.
#[derive(Debug, Clone)]
pub(super) enum Aggregate {
    DistinctInSet {
        column: String,
        set: Option<Vec<Json>>,
    },
    Numeric {
        column: String,
        stat: Stat,
        range: Range,
    },
    /// Min or max of text with text bounds, compared as GE compares Python strings.
    Text {
        column: String,
        max: bool,
        low: Option<String>,
        high: Option<String>,
    },
    ProportionUnique {
        column: String,
        range: Range,
    },
}

/// The statistic of `expect_column_<stat>_to_be_between`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Stat {
    Min,
    Max,
    Mean,
    Median,
    Sum,
    Stdev,
}

/// `expect_column_distinct_values_to_be_in_set`.
pub(super) fn distinct_values_in_set(args: &Args<'_>) -> Result<Kind, String> {
    Ok(Kind::Aggregate(Aggregate::DistinctInSet {
        column: args.column()?,
        set: match args.kwargs.get("value_set") {
            None | Some(Json::Null) => None,
            Some(_) => Some(args.values("value_set")?),
        },
    }))
}

/// `expect_column_min_to_be_between`.
pub(super) fn min(args: &Args<'_>) -> Result<Kind, String> {
    statistic(args, Stat::Min)
}

/// `expect_column_max_to_be_between`.
pub(super) fn max(args: &Args<'_>) -> Result<Kind, String> {
    statistic(args, Stat::Max)
}

/// `expect_column_mean_to_be_between`.
pub(super) fn mean(args: &Args<'_>) -> Result<Kind, String> {
    statistic(args, Stat::Mean)
}

/// `expect_column_median_to_be_between`.
pub(super) fn median(args: &Args<'_>) -> Result<Kind, String> {
    statistic(args, Stat::Median)
}

/// `expect_column_sum_to_be_between`.
pub(super) fn sum(args: &Args<'_>) -> Result<Kind, String> {
    statistic(args, Stat::Sum)
}

/// `expect_column_stdev_to_be_between`.
pub(super) fn stdev(args: &Args<'_>) -> Result<Kind, String> {
    statistic(args, Stat::Stdev)
}

/// A statistic between bounds; min and max with text bounds compare text.
fn statistic(args: &Args<'_>, stat: Stat) -> Result<Kind, String> {
    let text_bounds = args.text("min_value").is_some() || args.text("max_value").is_some();
    Ok(Kind::Aggregate(
        if text_bounds && matches!(stat, Stat::Min | Stat::Max) {
            Aggregate::Text {
                column: args.column()?,
                max: stat == Stat::Max,
                low: args.text("min_value"),
                high: args.text("max_value"),
            }
        } else {
            Aggregate::Numeric {
                column: args.column()?,
                stat,
                range: args.range("min_value", "max_value")?,
            }
        },
    ))
}

/// `expect_column_proportion_of_unique_values_to_be_between`.
pub(super) fn proportion_unique(args: &Args<'_>) -> Result<Kind, String> {
    Ok(Kind::Aggregate(Aggregate::ProportionUnique {
        column: args.column()?,
        range: args.range("min_value", "max_value")?,
    }))
}

impl Aggregate {
    /// The columns the expectation reads.
    pub(super) fn columns(&self) -> Vec<&str> {
        match self {
            Self::DistinctInSet { column, .. }
            | Self::Numeric { column, .. }
            | Self::Text { column, .. }
            | Self::ProportionUnique { column, .. } => vec![column],
        }
    }

    /// Checks the frame.
    pub(super) fn validate(&self, frame: &DataFrame) -> Result<Outcome, PolarsError> {
        match self {
            Self::DistinctInSet { column, set } => column_of(frame, column).and_then(|series| {
                let present = present_mask(&series)?;
                let distinct = series
                    .filter(&present)?
                    .unique()?
                    .sort(SortOptions::default())?;
                let observed: Vec<Json> = (0..distinct.len())
                    .map(|i| any_to_json(distinct.get(i).unwrap_or(AnyValue::Null)))
                    .collect();
                let success = match set {
                    None => true,
                    Some(set) => {
                        let member = membership(&distinct, set)?;
                        member.all()
                    }
                };
                Ok(Outcome::observed(success, json!(observed)))
            }),
            Self::Numeric {
                column,
                stat,
                range,
            } => column_of(frame, column).and_then(|series| {
                let present = present_mask(&series)?;
                let values = numeric(&series, column)?.filter(&present)?;
                let observed = match stat {
                    Stat::Min => values.min::<f64>()?,
                    Stat::Max => values.max::<f64>()?,
                    Stat::Mean => values.mean(),
                    Stat::Median => values.median(),
                    Stat::Sum => Some(values.sum::<f64>()?),
                    Stat::Stdev => values.std(1),
                };
                let success = observed.is_some_and(|v| range.contains(v));
                Ok(Outcome::observed(success, json!(observed)))
            }),
            Self::Text {
                column,
                max,
                low,
                high,
            } => column_of(frame, column).and_then(|series| {
                let text = series.cast(&DataType::String)?;
                let values = text.str()?.iter().flatten();
                let observed = if *max { values.max() } else { values.min() }.map(str::to_owned);
                let success = observed.as_deref().is_some_and(|v| {
                    low.as_deref().is_none_or(|l| v >= l) && high.as_deref().is_none_or(|h| v <= h)
                });
                Ok(Outcome::observed(success, json!(observed)))
            }),
            Self::ProportionUnique { column, range } => {
                column_of(frame, column).and_then(|series| {
                    let present = present_mask(&series)?;
                    let values = series.filter(&present)?;
                    let proportion = if values.is_empty() {
                        None
                    } else {
                        Some(values.n_unique()? as f64 / values.len() as f64)
                    };
                    let success = proportion.is_some_and(|p| range.contains(p));
                    Ok(Outcome::observed(success, json!(proportion)))
                })
            }
        }
    }
}
