//! Great Expectations' expectation types, evaluated on polars DataFrames with column-wide
//! (vectorised) operations, giving GE's result shape.

use polars::prelude::*;
use serde_json::{Map, Value as Json, json};

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

#[derive(Debug, Clone, Copy, PartialEq)]
enum Stat {
    Min,
    Max,
    Mean,
    Median,
    Sum,
    Stdev,
}

#[derive(Debug, Clone, PartialEq)]
struct Range {
    min: Option<f64>,
    max: Option<f64>,
    strict_min: bool,
    strict_max: bool,
}

impl Range {
    fn contains(&self, value: f64) -> bool {
        let above = match self.min {
            Some(min) if self.strict_min => value > min,
            Some(min) => value >= min,
            None => true,
        };
        let below = match self.max {
            Some(max) if self.strict_max => value < max,
            Some(max) => value <= max,
            None => true,
        };
        above && below
    }
}

#[derive(Debug, Clone)]
enum Kind {
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
    DistinctInSet {
        column: String,
        set: Option<Vec<Json>>,
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
    Aggregate {
        column: String,
        stat: Stat,
        range: Range,
    },
    /// Min or max of text with text bounds, compared as GE compares Python strings.
    TextAggregate {
        column: String,
        max: bool,
        low: Option<String>,
        high: Option<String>,
    },
    ProportionUnique {
        column: String,
        range: Range,
    },
    PairGreater {
        a: String,
        b: String,
        or_equal: bool,
        ignore: IgnoreRows,
        mostly: f64,
    },
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum IgnoreRows {
    BothMissing,
    EitherMissing,
    Never,
}

/// Every expectation type Weir evaluates.
pub const KNOWN_TYPES: [&str; 26] = [
    "expect_column_to_exist",
    "expect_table_columns_to_match_ordered_list",
    "expect_table_columns_to_match_set",
    "expect_table_column_count_to_equal",
    "expect_table_column_count_to_be_between",
    "expect_table_row_count_to_be_between",
    "expect_table_row_count_to_equal",
    "expect_column_values_to_not_be_null",
    "expect_column_values_to_be_null",
    "expect_column_values_to_be_unique",
    "expect_compound_columns_to_be_unique",
    "expect_column_values_to_be_between",
    "expect_column_values_to_be_in_set",
    "expect_column_values_to_not_be_in_set",
    "expect_column_distinct_values_to_be_in_set",
    "expect_column_values_to_match_regex",
    "expect_column_value_lengths_to_be_between",
    "expect_column_values_to_be_of_type",
    "expect_column_min_to_be_between",
    "expect_column_max_to_be_between",
    "expect_column_mean_to_be_between",
    "expect_column_median_to_be_between",
    "expect_column_sum_to_be_between",
    "expect_column_stdev_to_be_between",
    "expect_column_proportion_of_unique_values_to_be_between",
    "expect_column_pair_values_a_to_be_greater_than_b",
];

struct Args<'a> {
    kwargs: &'a Map<String, Json>,
}

impl Args<'_> {
    fn string(&self, key: &str) -> Result<String, String> {
        match self.kwargs.get(key) {
            Some(Json::String(s)) => Ok(s.clone()),
            Some(other) => Err(format!("`{key}` must be a string, found {other}")),
            None => Err(format!("`{key}` is required")),
        }
    }

    fn number(&self, key: &str) -> Result<Option<f64>, String> {
        match self.kwargs.get(key) {
            None | Some(Json::Null) => Ok(None),
            Some(Json::Number(n)) => Ok(n.as_f64()),
            Some(other) => Err(format!("`{key}` must be a number or null, found {other}")),
        }
    }

    fn flag(&self, key: &str, default: bool) -> Result<bool, String> {
        match self.kwargs.get(key) {
            None | Some(Json::Null) => Ok(default),
            Some(Json::Bool(b)) => Ok(*b),
            Some(other) => Err(format!("`{key}` must be true or false, found {other}")),
        }
    }

    fn mostly(&self) -> Result<f64, String> {
        match self.number("mostly")? {
            None => Ok(1.0),
            Some(m) if (0.0..=1.0).contains(&m) => Ok(m),
            Some(m) => Err(format!("`mostly` must be between 0 and 1, found {m}")),
        }
    }

    fn range(&self, min: &str, max: &str) -> Result<Range, String> {
        let range = Range {
            min: self.number(min)?,
            max: self.number(max)?,
            strict_min: self.flag("strict_min", false)?,
            strict_max: self.flag("strict_max", false)?,
        };
        // A minimum above the maximum is not an error: nothing is in range, as in GE.
        Ok(range)
    }

    fn strings(&self, key: &str) -> Result<Vec<String>, String> {
        match self.kwargs.get(key) {
            Some(Json::Array(items)) => items
                .iter()
                .map(|i| {
                    i.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| format!("`{key}` must list column names, found {i}"))
                })
                .collect(),
            Some(other) => Err(format!("`{key}` must be a list, found {other}")),
            None => Err(format!("`{key}` is required")),
        }
    }

    /// A list, or nothing (`null`: GE's vacuously true expectation).
    fn optional_strings(&self, key: &str) -> Result<Option<Vec<String>>, String> {
        match self.kwargs.get(key) {
            None | Some(Json::Null) => Ok(None),
            Some(_) => self.strings(key).map(Some),
        }
    }

    fn text(&self, key: &str) -> Option<String> {
        self.kwargs
            .get(key)
            .and_then(Json::as_str)
            .map(str::to_owned)
    }

    fn values(&self, key: &str) -> Result<Vec<Json>, String> {
        match self.kwargs.get(key) {
            Some(Json::Array(items)) => Ok(items.clone()),
            Some(other) => Err(format!("`{key}` must be a list, found {other}")),
            None => Err(format!("`{key}` is required")),
        }
    }
}

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
        let args = Args { kwargs: &kwargs };
        let column = || args.string("column");
        let kind = match expectation_type {
            "expect_column_to_exist" => Kind::ColumnToExist {
                column: column()?,
                index: args.number("column_index")?.map(|i| i as usize),
            },
            "expect_table_columns_to_match_ordered_list" => {
                Kind::ColumnsOrdered(args.optional_strings("column_list")?)
            }
            "expect_table_columns_to_match_set" => Kind::ColumnsSet {
                set: args.optional_strings("column_set")?,
                exact: args.flag("exact_match", true)?,
            },
            "expect_table_column_count_to_equal" => {
                let value = args.number("value")?.ok_or("`value` is required")?;
                Kind::ColumnCount(Range {
                    min: Some(value),
                    max: Some(value),
                    strict_min: false,
                    strict_max: false,
                })
            }
            "expect_table_column_count_to_be_between" => {
                Kind::ColumnCount(args.range("min_value", "max_value")?)
            }
            "expect_table_row_count_to_be_between" => {
                Kind::RowCount(args.range("min_value", "max_value")?)
            }
            "expect_table_row_count_to_equal" => {
                let value = args.number("value")?.ok_or("`value` is required")?;
                Kind::RowCount(Range {
                    min: Some(value),
                    max: Some(value),
                    strict_min: false,
                    strict_max: false,
                })
            }
            "expect_column_values_to_not_be_null" => Kind::NotNull {
                column: column()?,
                mostly: args.mostly()?,
            },
            "expect_column_values_to_be_null" => Kind::Null {
                column: column()?,
                mostly: args.mostly()?,
            },
            "expect_column_values_to_be_unique" => Kind::Unique {
                column: column()?,
                mostly: args.mostly()?,
            },
            "expect_compound_columns_to_be_unique" => Kind::CompoundUnique {
                columns: args.strings("column_list")?,
                mostly: args.mostly()?,
            },
            "expect_column_values_to_be_between" => {
                let range = args.range("min_value", "max_value")?;
                if range.min.is_none() && range.max.is_none() {
                    return Err("`min_value` and `max_value` cannot both be null".to_owned());
                }
                Kind::Between {
                    column: column()?,
                    range,
                    mostly: args.mostly()?,
                }
            }
            "expect_column_values_to_be_in_set" => Kind::InSet {
                column: column()?,
                set: args.values("value_set")?,
                mostly: args.mostly()?,
            },
            "expect_column_values_to_not_be_in_set" => Kind::NotInSet {
                column: column()?,
                set: args.values("value_set")?,
                mostly: args.mostly()?,
            },
            "expect_column_distinct_values_to_be_in_set" => Kind::DistinctInSet {
                column: column()?,
                set: match kwargs.get("value_set") {
                    None | Some(Json::Null) => None,
                    Some(_) => Some(args.values("value_set")?),
                },
            },
            "expect_column_values_to_match_regex" => {
                let pattern = args.string("regex")?;
                let regex = regex::Regex::new(&pattern).map_err(|e| {
                    format!("`regex` {pattern:?} is not a valid regular expression: {e}")
                })?;
                Kind::Regex {
                    column: column()?,
                    regex,
                    mostly: args.mostly()?,
                }
            }
            "expect_column_value_lengths_to_be_between" => Kind::Lengths {
                column: column()?,
                range: args.range("min_value", "max_value")?,
                mostly: args.mostly()?,
            },
            "expect_column_values_to_be_of_type" => Kind::OfType {
                column: column()?,
                type_name: args.string("type_")?,
            },
            "expect_column_min_to_be_between"
            | "expect_column_max_to_be_between"
            | "expect_column_mean_to_be_between"
            | "expect_column_median_to_be_between"
            | "expect_column_sum_to_be_between"
            | "expect_column_stdev_to_be_between" => {
                let stat = match expectation_type {
                    "expect_column_min_to_be_between" => Stat::Min,
                    "expect_column_max_to_be_between" => Stat::Max,
                    "expect_column_mean_to_be_between" => Stat::Mean,
                    "expect_column_median_to_be_between" => Stat::Median,
                    "expect_column_sum_to_be_between" => Stat::Sum,
                    _ => Stat::Stdev,
                };
                let text_bounds =
                    args.text("min_value").is_some() || args.text("max_value").is_some();
                if text_bounds && matches!(stat, Stat::Min | Stat::Max) {
                    Kind::TextAggregate {
                        column: column()?,
                        max: stat == Stat::Max,
                        low: args.text("min_value"),
                        high: args.text("max_value"),
                    }
                } else {
                    Kind::Aggregate {
                        column: column()?,
                        stat,
                        range: args.range("min_value", "max_value")?,
                    }
                }
            }
            "expect_column_proportion_of_unique_values_to_be_between" => Kind::ProportionUnique {
                column: column()?,
                range: args.range("min_value", "max_value")?,
            },
            "expect_column_pair_values_a_to_be_greater_than_b" => Kind::PairGreater {
                a: args.string("column_A")?,
                b: args.string("column_B")?,
                or_equal: args.flag("or_equal", false)?,
                ignore: match kwargs
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
            },
            other => {
                let close =
                    weir_core::suggest::close_matches(other, KNOWN_TYPES.iter().copied(), 1, 0.7);
                let hint = close
                    .first()
                    .map(|c| format!(" Did you mean {c}?"))
                    .unwrap_or_default();
                return Err(format!(
                    "unknown expectation type `{other}`.{hint} Weir knows: {}",
                    KNOWN_TYPES.join(", ")
                ));
            }
        };
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
            Kind::ColumnsOrdered(_)
            | Kind::ColumnsSet { .. }
            | Kind::ColumnCount(_)
            | Kind::RowCount(_) => Vec::new(),
            Kind::CompoundUnique { columns, .. } => columns.iter().map(String::as_str).collect(),
            Kind::PairGreater { a, b, .. } => vec![a, b],
            Kind::ColumnToExist { column, .. }
            | Kind::NotNull { column, .. }
            | Kind::Null { column, .. }
            | Kind::Unique { column, .. }
            | Kind::Between { column, .. }
            | Kind::InSet { column, .. }
            | Kind::NotInSet { column, .. }
            | Kind::DistinctInSet { column, .. }
            | Kind::Regex { column, .. }
            | Kind::Lengths { column, .. }
            | Kind::OfType { column, .. }
            | Kind::Aggregate { column, .. }
            | Kind::TextAggregate { column, .. }
            | Kind::ProportionUnique { column, .. } => vec![column],
        }
    }

    /// GE's `expectation_config` of the result.
    pub fn config_json(&self) -> Json {
        json!({"type": self.expectation_type, "kwargs": self.kwargs, "meta": self.meta})
    }

    /// Checks the frame.
    pub fn validate(&self, frame: &DataFrame) -> ExpectationResult {
        let outcome = match &self.kind {
            Kind::ColumnToExist { column, index } => {
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
            Kind::ColumnsOrdered(None) | Kind::ColumnsSet { set: None, .. } => {
                Ok(Outcome::observed(true, json!(column_names(frame))))
            }
            Kind::ColumnsOrdered(Some(list)) => {
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
            Kind::ColumnsSet {
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
            Kind::ColumnCount(range) => {
                let n = frame.width();
                Ok(Outcome::observed(range.contains(n as f64), json!(n)))
            }
            Kind::RowCount(range) => {
                let n = frame.height();
                Ok(Outcome::observed(range.contains(n as f64), json!(n)))
            }
            Kind::NotNull { column, mostly } => self.null_check(frame, column, *mostly, false),
            Kind::Null { column, mostly } => self.null_check(frame, column, *mostly, true),
            Kind::Unique { column, mostly } => column_of(frame, column).and_then(|series| {
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
            Kind::CompoundUnique { columns, mostly } => {
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
            Kind::Between {
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
            Kind::InSet {
                column,
                set,
                mostly,
            }
            | Kind::NotInSet {
                column,
                set,
                mostly,
            } => column_of(frame, column).and_then(|series| {
                let present = present_mask(&series)?;
                let member = membership(&series, set)?;
                let wanted_in = matches!(self.kind, Kind::InSet { .. });
                let unexpected = if wanted_in {
                    &present & &!&member
                } else {
                    &present & &member
                };
                map_outcome(&series, &present, &unexpected, *mostly)
            }),
            Kind::DistinctInSet { column, set } => column_of(frame, column).and_then(|series| {
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
            Kind::Regex {
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
            Kind::Lengths {
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
            Kind::OfType { column, type_name } => column_of(frame, column).and_then(|series| {
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
            Kind::Aggregate {
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
            Kind::TextAggregate {
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
            Kind::ProportionUnique { column, range } => {
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
            Kind::PairGreater {
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

    fn null_check(
        &self,
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

struct Outcome {
    success: bool,
    result: Map<String, Json>,
}

impl Outcome {
    fn observed(success: bool, value: Json) -> Self {
        let mut result = Map::new();
        result.insert("observed_value".to_owned(), value);
        Self { success, result }
    }
}

fn column_names(frame: &DataFrame) -> Vec<String> {
    frame
        .get_column_names()
        .into_iter()
        .map(|n| n.to_string())
        .collect()
}

fn missing_columns(frame: &DataFrame) -> impl Fn(PolarsError) -> PolarsError + '_ {
    move |error| {
        PolarsError::ColumnNotFound(
            format!(
                "{error}; the columns are: {}",
                column_names(frame).join(", ")
            )
            .into(),
        )
    }
}

fn column_of(frame: &DataFrame, name: &str) -> Result<Series, PolarsError> {
    frame
        .column(name)
        .map(|c| c.as_materialized_series().clone())
        .map_err(|_| {
            PolarsError::ColumnNotFound(
                format!(
                    "column `{name}` is not in the table; the columns are: {}",
                    column_names(frame).join(", ")
                )
                .into(),
            )
        })
}

/// Rows with a value: not null, and not NaN (GE on pandas counts NaN as missing).
fn present_mask(series: &Series) -> Result<BooleanChunked, PolarsError> {
    let not_null = series.is_not_null();
    if series.dtype().is_float() {
        let not_nan = series.is_nan()?.fill_null_with_values(false)?;
        Ok(&not_null & &!&not_nan)
    } else {
        Ok(not_null)
    }
}

/// The column as Float64, or an error naming it when it is not numeric.
fn numeric(series: &Series, name: &str) -> Result<Series, PolarsError> {
    if series.dtype().is_primitive_numeric() || series.dtype().is_bool() {
        series.cast(&DataType::Float64)
    } else {
        Err(PolarsError::InvalidOperation(
            format!(
                "column `{name}` holds {}, not numbers",
                dtype_name(series.dtype())
            )
            .into(),
        ))
    }
}

fn range_mask(values: &Series, range: &Range) -> Result<BooleanChunked, PolarsError> {
    let mut mask = BooleanChunked::full(PlSmallStr::EMPTY, true, values.len());
    if let Some(min) = range.min {
        let above = if range.strict_min {
            values.gt(min)?
        } else {
            values.gt_eq(min)?
        };
        mask = &mask & &above;
    }
    if let Some(max) = range.max {
        let below = if range.strict_max {
            values.lt(max)?
        } else {
            values.lt_eq(max)?
        };
        mask = &mask & &below;
    }
    mask.fill_null_with_values(false)
}

/// Whether each value is one of `set` (compared as numbers for numeric columns, as text
/// otherwise).
fn membership(series: &Series, set: &[Json]) -> Result<BooleanChunked, PolarsError> {
    let mut member = BooleanChunked::full(PlSmallStr::EMPTY, false, series.len());
    if series.dtype().is_primitive_numeric() {
        let values = series.cast(&DataType::Float64)?;
        for item in set {
            if let Some(n) = item.as_f64() {
                member = &member | &values.equal(n)?;
            }
        }
    } else if series.dtype().is_bool() {
        let values = series.bool()?;
        for item in set {
            if let Some(b) = item.as_bool() {
                let equal = if b { values.clone() } else { !values };
                member = &member | &equal;
            }
        }
    } else {
        let text = series.cast(&DataType::String)?;
        let text = text.str()?;
        for item in set {
            let wanted = match item {
                Json::String(s) => s.clone(),
                Json::Null => continue,
                other => other.to_string(),
            };
            member = &member | &text.equal(wanted.as_str());
        }
    }
    member.fill_null_with_values(false)
}

/// Puts `values` (one per `true` of `mask`) back in place over `base`.
fn scatter(mask: &BooleanChunked, values: &BooleanChunked, base: BooleanChunked) -> BooleanChunked {
    let mut values = values.iter();
    mask.iter()
        .zip(base.iter())
        .map(|(kept, old)| {
            if kept == Some(true) {
                values.next().flatten()
            } else {
                old
            }
        })
        .collect()
}

/// GE's result for a map expectation: counts over the domain and a sample of unexpected values.
fn map_outcome(
    series: &Series,
    domain: &BooleanChunked,
    unexpected: &BooleanChunked,
    mostly: f64,
) -> Result<Outcome, PolarsError> {
    let element_count = series.len() as u64;
    let nonmissing = domain.sum().unwrap_or(0) as u64;
    let missing = element_count - nonmissing;
    let unexpected_count = unexpected.sum().unwrap_or(0) as u64;
    let percent = |part: u64, whole: u64| {
        if whole == 0 {
            0.0
        } else {
            part as f64 * 100.0 / whole as f64
        }
    };
    let success = nonmissing == 0
        || (nonmissing - unexpected_count) as f64 / nonmissing as f64 >= mostly - 1e-12;
    // The sample: nothing to scan when every value passed.
    let (sample, indices) = if unexpected_count == 0 {
        (
            Series::new_empty(PlSmallStr::EMPTY, series.dtype()),
            Vec::new(),
        )
    } else {
        let indices: Vec<u64> = unexpected
            .iter()
            .enumerate()
            .filter(|(_, v)| *v == Some(true))
            .map(|(i, _)| i as u64)
            .take(PARTIAL_UNEXPECTED)
            .collect();
        let positions = IdxCa::from_vec(
            PlSmallStr::EMPTY,
            indices.iter().map(|i| *i as IdxSize).collect(),
        );
        (series.take(&positions)?, indices)
    };
    let mut result = Map::new();
    result.insert("element_count".to_owned(), json!(element_count));
    result.insert("missing_count".to_owned(), json!(missing));
    result.insert(
        "missing_percent".to_owned(),
        json!(percent(missing, element_count)),
    );
    result.insert("unexpected_count".to_owned(), json!(unexpected_count));
    result.insert(
        "unexpected_percent".to_owned(),
        json!(percent(unexpected_count, nonmissing)),
    );
    result.insert(
        "unexpected_percent_total".to_owned(),
        json!(percent(unexpected_count, element_count)),
    );
    result.insert(
        "unexpected_percent_nonmissing".to_owned(),
        json!(percent(unexpected_count, nonmissing)),
    );
    result.insert(
        "partial_unexpected_list".to_owned(),
        json!(
            (0..sample.len())
                .map(|i| any_to_json(sample.get(i).unwrap_or(AnyValue::Null)))
                .collect::<Vec<_>>()
        ),
    );
    result.insert("partial_unexpected_index_list".to_owned(), json!(indices));
    Ok(Outcome { success, result })
}

fn rows_json(frame: &DataFrame) -> Json {
    let names = column_names(frame);
    let rows: Vec<Json> = (0..frame.height())
        .map(|row| {
            let mut map = Map::new();
            for (name, column) in names.iter().zip(frame.columns()) {
                map.insert(
                    name.clone(),
                    any_to_json(column.get(row).unwrap_or(AnyValue::Null)),
                );
            }
            Json::Object(map)
        })
        .collect();
    Json::Array(rows)
}

/// Rows as lists (GE's form for column pairs: `[a, b]`).
fn rows_as_lists(frame: &DataFrame) -> Json {
    Json::Array(
        (0..frame.height())
            .map(|row| {
                Json::Array(
                    frame
                        .columns()
                        .iter()
                        .map(|c| any_to_json(c.get(row).unwrap_or(AnyValue::Null)))
                        .collect(),
                )
            })
            .collect(),
    )
}

fn any_to_json(value: AnyValue<'_>) -> Json {
    match value {
        AnyValue::Null => Json::Null,
        AnyValue::Boolean(b) => json!(b),
        AnyValue::String(s) => json!(s),
        AnyValue::StringOwned(s) => json!(s.as_str()),
        AnyValue::Int8(v) => json!(v),
        AnyValue::Int16(v) => json!(v),
        AnyValue::Int32(v) => json!(v),
        AnyValue::Int64(v) => json!(v),
        AnyValue::UInt8(v) => json!(v),
        AnyValue::UInt16(v) => json!(v),
        AnyValue::UInt32(v) => json!(v),
        AnyValue::UInt64(v) => json!(v),
        AnyValue::Float32(v) => json!(v),
        AnyValue::Float64(v) => json!(v),
        other => json!(other.to_string()),
    }
}

/// The dtype's name as GE reports it for pandas (`int64`, `float64`, `object`, `bool`...).
fn dtype_name(dtype: &DataType) -> String {
    match dtype {
        DataType::Int8 => "int8".to_owned(),
        DataType::Int16 => "int16".to_owned(),
        DataType::Int32 => "int32".to_owned(),
        DataType::Int64 => "int64".to_owned(),
        DataType::UInt8 => "uint8".to_owned(),
        DataType::UInt16 => "uint16".to_owned(),
        DataType::UInt32 => "uint32".to_owned(),
        DataType::UInt64 => "uint64".to_owned(),
        DataType::Float32 => "float32".to_owned(),
        DataType::Float64 => "float64".to_owned(),
        DataType::Boolean => "bool".to_owned(),
        DataType::String => "str".to_owned(),
        other => other.to_string(),
    }
}

/// Whether a dtype is what a GE type name means (pandas, numpy, Python and polars spellings).
fn type_matches(dtype: &DataType, wanted: &str) -> bool {
    let name = dtype_name(dtype);
    let wanted_lower = wanted.to_ascii_lowercase();
    if wanted_lower == name || wanted_lower == dtype.to_string().to_ascii_lowercase() {
        return true;
    }
    match wanted_lower.as_str() {
        "int" | "integer" | "int_" | "long" => matches!(dtype, DataType::Int64 | DataType::Int32),
        "float" | "double" | "float_" | "floattype" | "doubletype" => {
            matches!(dtype, DataType::Float64)
        }
        "str" | "string" | "object" | "stringdtype" | "utf8" | "stringtype" => {
            matches!(dtype, DataType::String)
        }
        "bool" | "boolean" | "bool_" | "booleantype" => matches!(dtype, DataType::Boolean),
        "integertype" => matches!(dtype, DataType::Int32),
        "longtype" => matches!(dtype, DataType::Int64),
        _ => false,
    }
}
