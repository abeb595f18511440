//! The data science nodes of Kedro's spaceflights tutorial: split, fit, evaluate.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use weir::polars::prelude::*;
use weir::prelude::{Data, Param};

use crate::learn;

/// `params:model_options`.
#[derive(Debug, Clone, Deserialize)]
pub struct ModelOptions {
    /// The share of rows kept for testing.
    pub test_size: f64,
    /// The seed of the shuffle.
    pub random_state: u64,
    /// The feature columns.
    pub features: Vec<String>,
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
    // One chunk per column: a Parquet file is read as one chunk per row group, and gathering
    // shuffled rows from many chunks looks up the chunk of every row.
    let mut x = data.select(options.features.iter().map(String::as_str))?;
    let mut y = data.select(["price"])?;
    x.rechunk_mut_par();
    y.rechunk_mut_par();
    let (train, test) =
        learn::train_test_split(data.height(), options.test_size, options.random_state);
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
