//! Reading a DataFrame's columns for an expectation, and shaping GE's `result` from what
//! was found (counts, percentages, samples of unexpected values, observed values).

use polars::prelude::*;
use serde_json::{Map, Value as Json, json};

use super::PARTIAL_UNEXPECTED;
use super::args::Range;

/// What checking an expectation found: whether it holds, and GE's `result`.
pub(super) struct Outcome {
    pub(super) success: bool,
    pub(super) result: Map<String, Json>,
}

impl Outcome {
    /// A result holding only `observed_value`.
    pub(super) fn observed(success: bool, value: Json) -> Self {
        let mut result = Map::new();
        result.insert("observed_value".to_owned(), value);
        Self { success, result }
    }
}

pub(super) fn column_names(frame: &DataFrame) -> Vec<String> {
    frame
        .get_column_names()
        .into_iter()
        .map(|n| n.to_string())
        .collect()
}

pub(super) fn missing_columns(frame: &DataFrame) -> impl Fn(PolarsError) -> PolarsError + '_ {
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

pub(super) fn column_of(frame: &DataFrame, name: &str) -> Result<Series, PolarsError> {
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
pub(super) fn present_mask(series: &Series) -> Result<BooleanChunked, PolarsError> {
    let not_null = series.is_not_null();
    if series.dtype().is_float() {
        let not_nan = series.is_nan()?.fill_null_with_values(false)?;
        Ok(&not_null & &!&not_nan)
    } else {
        Ok(not_null)
    }
}

/// The column as Float64, or an error naming it when it is not numeric.
pub(super) fn numeric(series: &Series, name: &str) -> Result<Series, PolarsError> {
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

pub(super) fn range_mask(values: &Series, range: &Range) -> Result<BooleanChunked, PolarsError> {
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
pub(super) fn membership(series: &Series, set: &[Json]) -> Result<BooleanChunked, PolarsError> {
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
pub(super) fn scatter(
    mask: &BooleanChunked,
    values: &BooleanChunked,
    base: BooleanChunked,
) -> BooleanChunked {
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
pub(super) fn map_outcome(
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

pub(super) fn rows_json(frame: &DataFrame) -> Json {
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
pub(super) fn rows_as_lists(frame: &DataFrame) -> Json {
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

pub(super) fn any_to_json(value: AnyValue<'_>) -> Json {
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
pub(super) fn dtype_name(dtype: &DataType) -> String {
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
pub(super) fn type_matches(dtype: &DataType, wanted: &str) -> bool {
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
