//! The data science nodes of Kedro's spaceflights tutorial: split, fit, evaluate.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use weir::polars::prelude::*;
use weir::prelude::{Data, Param};

use crate::learn;

/// `params:model_options`. Its values are checked as scikit-learn's `train_test_split` checks
/// them, when the parameters are loaded (so a bad value stops the run before any node).
#[derive(Debug, Clone, Deserialize)]
pub struct ModelOptions {
    /// The share (or number) of rows kept for testing.
    pub test_size: TestSize,
    /// The seed of the shuffle.
    pub random_state: Seed,
    /// The feature columns.
    pub features: Vec<String>,
}

/// `test_size` as scikit-learn takes it: a float in (0, 1) is a share of the rows, an integer
/// of at least 1 is a number of rows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TestSize {
    /// A share of the rows, in (0, 1).
    Fraction(f64),
    /// A number of rows, at least 1.
    Rows(u64),
}

impl<'de> Deserialize<'de> for TestSize {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        let refuse = || {
            serde::de::Error::custom(format!(
                "The 'test_size' parameter of train_test_split must be a float in the range (0.0, 1.0) or an int in the range [1, inf). Got {value} instead."
            ))
        };
        match &value {
            serde_json::Value::Number(n) if n.is_f64() => match n.as_f64() {
                Some(f) if f > 0.0 && f < 1.0 => Ok(Self::Fraction(f)),
                _ => Err(refuse()),
            },
            serde_json::Value::Number(n) => match n.as_u64() {
                Some(rows) if rows >= 1 => Ok(Self::Rows(rows)),
                _ => Err(refuse()),
            },
            _ => Err(refuse()),
        }
    }
}

impl TestSize {
    /// The number of test rows out of `n`, as scikit-learn computes it
    /// (`ceil(test_size × n)` for a share); refuses a split that leaves either side empty.
    pub fn test_rows(self, n: usize) -> PolarsResult<usize> {
        let n_test = match self {
            Self::Fraction(share) => (share * n as f64).ceil() as usize,
            Self::Rows(rows) => {
                let rows = usize::try_from(rows).unwrap_or(usize::MAX);
                if rows >= n {
                    polars_bail!(ComputeError: "test_size={rows} should be either positive and smaller than the number of samples {n} or a float in the (0, 1) range");
                }
                rows
            }
        };
        let shown = match self {
            Self::Fraction(share) => share.to_string(),
            Self::Rows(rows) => rows.to_string(),
        };
        if n_test == 0 {
            polars_bail!(ComputeError: "With n_samples={n}, test_size={shown} and train_size=None, the resulting test set will be empty. Adjust any of the aforementioned parameters.");
        }
        if n_test >= n {
            polars_bail!(ComputeError: "With n_samples={n}, test_size={shown} and train_size=None, the resulting train set will be empty. Adjust any of the aforementioned parameters.");
        }
        Ok(n_test)
    }
}

/// `random_state` as scikit-learn takes it: an integer in [0, 2³² − 1] (larger seeds are
/// refused, not wrapped to another seed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seed(pub u32);

impl<'de> Deserialize<'de> for Seed {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        value
            .as_u64()
            .filter(|_| !value.as_number().is_some_and(serde_json::Number::is_f64))
            .and_then(|n| u32::try_from(n).ok())
            .map(Seed)
            .ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "The 'random_state' parameter of train_test_split must be an int in the range [0, 4294967295] or None. Got {value} instead."
                ))
            })
    }
}

/// A fitted linear regression (scikit-learn's `LinearRegression`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Data)]
pub struct LinearRegression {
    /// The feature columns, in order.
    pub features: Vec<String>,
    /// One coefficient per feature.
    pub coefficients: Vec<f64>,
    /// The intercept.
    pub intercept: f64,
}

impl LinearRegression {
    /// Predictions for the rows of `x` (which must have the model's feature columns).
    pub fn predict(&self, x: &DataFrame) -> PolarsResult<Vec<f64>> {
        let mut predictions = vec![self.intercept; x.height()];
        for (feature, coefficient) in self.features.iter().zip(&self.coefficients) {
            for (prediction, value) in predictions.iter_mut().zip(column_values(x, feature)?) {
                *prediction += coefficient * value;
            }
        }
        Ok(predictions)
    }
}

/// A column as floats (booleans as 0 and 1), refusing missing values.
fn column_values(frame: &DataFrame, name: &str) -> PolarsResult<Vec<f64>> {
    let column = frame.column(name)?.cast(&DataType::Float64)?;
    let values = column.f64()?;
    if values.null_count() > 0 {
        polars_bail!(ComputeError: "column '{name}' has {} missing values; a linear regression needs complete rows", values.null_count());
    }
    Ok(values.into_no_null_iter().collect())
}

/// Kedro's `split_data`: the features and the price, split into training and test rows as
/// `train_test_split(X, y, test_size, random_state)` does.
pub fn split_data(
    data: DataFrame,
    options: Param<ModelOptions>,
) -> PolarsResult<(DataFrame, DataFrame, DataFrame, DataFrame)> {
    check_features(&data, &options.features)?;
    // One chunk per column: a Parquet file is read as one chunk per row group, and gathering
    // shuffled rows from many chunks looks up the chunk of every row.
    let mut x = data.select(options.features.iter().map(String::as_str))?;
    let mut y = data.select(["price"])?;
    x.rechunk_mut_par();
    y.rechunk_mut_par();
    let n_test = options.test_size.test_rows(data.height())?;
    let (train, test) =
        learn::train_test_split_rows(data.height(), n_test, u64::from(options.random_state.0));
    let rows = |positions: &[usize]| {
        IdxCa::from_vec(
            "rows".into(),
            positions.iter().map(|&p| p as IdxSize).collect(),
        )
    };
    let (train, test) = (rows(&train), rows(&test));
    Ok((
        x.take(&train)?,
        x.take(&test)?,
        y.take(&train)?,
        y.take(&test)?,
    ))
}

/// Refuses features a linear regression cannot use, as scikit-learn would, naming the column:
/// one that is not in the table (with the closest names), one that is text, none at all.
fn check_features(data: &DataFrame, features: &[String]) -> PolarsResult<()> {
    if features.is_empty() {
        polars_bail!(ComputeError: "model_options.features is empty: name at least one column of the model input table");
    }
    let columns: Vec<String> = data
        .get_column_names()
        .into_iter()
        .map(|name| name.to_string())
        .collect();
    for feature in features {
        let Some(column) = data.column(feature).ok() else {
            let close =
                weir::suggest::close_matches(feature, columns.iter().map(String::as_str), 3, 0.6);
            let hint = if close.is_empty() {
                format!("the columns are: {}", columns.join(", "))
            } else {
                format!(
                    "did you mean {}?",
                    close
                        .iter()
                        .map(|c| format!("'{c}'"))
                        .collect::<Vec<_>>()
                        .join(" or ")
                )
            };
            polars_bail!(ColumnNotFound: "feature '{feature}' (model_options.features) is not a column of the model input table: {hint}");
        };
        let dtype = column.dtype();
        if !(dtype.is_primitive_numeric() || dtype.is_bool() || dtype.is_null()) {
            polars_bail!(InvalidOperation: "feature '{feature}' (model_options.features) holds {dtype} values, but a linear regression needs numbers: could not convert its values to float. Remove it from the features, or encode it as numbers in a node before split_data");
        }
    }
    Ok(())
}

/// Kedro's `train_model`: ordinary least squares with an intercept.
pub fn train_model(x_train: DataFrame, y_train: DataFrame) -> PolarsResult<LinearRegression> {
    let features: Vec<String> = x_train
        .get_column_names()
        .into_iter()
        .map(|name| name.to_string())
        .collect();
    let y = column_values(&y_train, "price")?;
    let mean = |values: &[f64]| values.iter().sum::<f64>() / values.len() as f64;
    let y_mean = mean(&y);
    let centred_y: Vec<f64> = y.iter().map(|v| v - y_mean).collect();
    let mut means = Vec::with_capacity(features.len());
    let mut columns = Vec::with_capacity(features.len());
    for feature in &features {
        let values = column_values(&x_train, feature)?;
        let column_mean = mean(&values);
        columns.push(values.iter().map(|v| v - column_mean).collect::<Vec<_>>());
        means.push(column_mean);
    }
    let coefficients = learn::least_squares(&columns, &centred_y);
    if let Some((feature, _)) = features
        .iter()
        .zip(&coefficients)
        .find(|(_, c)| !c.is_finite())
    {
        polars_bail!(ComputeError: "the fitted coefficient of '{feature}' is not a finite number: the training data holds infinite or too large values; no model is saved");
    }
    if y.is_empty() {
        polars_bail!(ComputeError: "the training set is empty: a linear regression needs at least one row");
    }
    let intercept = y_mean
        - coefficients
            .iter()
            .zip(&means)
            .map(|(c, m)| c * m)
            .sum::<f64>();
    Ok(LinearRegression {
        features,
        coefficients,
        intercept,
    })
}

/// Kedro's `evaluate_model`: R², mean absolute error and maximum error on the test rows.
pub fn evaluate_model(
    regressor: LinearRegression,
    x_test: DataFrame,
    y_test: DataFrame,
) -> PolarsResult<BTreeMap<String, f64>> {
    let predicted = regressor.predict(&x_test)?;
    let actual = column_values(&y_test, "price")?;
    let n = actual.len() as f64;
    let mean = actual.iter().sum::<f64>() / n;
    let residual: f64 = actual
        .iter()
        .zip(&predicted)
        .map(|(a, p)| (a - p).powi(2))
        .sum();
    let total: f64 = actual.iter().map(|a| (a - mean).powi(2)).sum();
    let r2_score = 1.0 - residual / total;
    let mae = actual
        .iter()
        .zip(&predicted)
        .map(|(a, p)| (a - p).abs())
        .sum::<f64>()
        / n;
    let max_error = actual
        .iter()
        .zip(&predicted)
        .map(|(a, p)| (a - p).abs())
        .fold(0.0, f64::max);
    weir::tracing::info!("Model has a coefficient R^2 of {r2_score:.3} on test data.");
    Ok(BTreeMap::from([
        ("r2_score".to_owned(), r2_score),
        ("mae".to_owned(), mae),
        ("max_error".to_owned(), max_error),
    ]))
}
