//! Validating a 10-million-row table against a 20-expectation suite.
//!
//! `cargo bench -p weir-validate --bench validate` (see BENCHMARKS.md).

use polars::prelude::*;
use serde_json::json;
use weir_validate::Suite;

fn main() {
    divan::main();
}

/// `rows` rows: an id, a price, a rating, a category, a code, a flag and a quantity.
fn table(rows: usize) -> DataFrame {
    let ids: Vec<i64> = (0..rows as i64).collect();
    let prices: Vec<Option<f64>> = (0..rows)
        .map(|i| (i % 1000 != 0).then_some((i % 9973) as f64 * 1.5 + 10.0))
        .collect();
    let ratings: Vec<f64> = (0..rows).map(|i| (i % 101) as f64).collect();
    let categories: Vec<&str> = (0..rows)
        .map(|i| ["engine", "wing", "cabin", "fuel"][i % 4])
        .collect();
    let codes: Vec<String> = (0..rows)
        .map(|i| format!("SF-{:06}", i % 1_000_000))
        .collect();
    let flags: Vec<bool> = (0..rows).map(|i| i % 3 == 0).collect();
    let quantities: Vec<i64> = (0..rows).map(|i| (i % 50) as i64 + 1).collect();
    df!(
        "id" => ids,
        "price" => prices,
        "rating" => ratings,
        "category" => categories,
        "code" => codes,
        "approved" => flags,
        "quantity" => quantities,
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

/// Twenty expectations over the table, in GE 1.x JSON.
fn suite() -> Suite {
    let expectations = json!([
        {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}},
        {"type": "expect_table_columns_to_match_ordered_list", "kwargs": {"column_list": ["id", "price", "rating", "category", "code", "approved", "quantity"]}},
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "id"}},
        {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "id"}},
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "price", "mostly": 0.99}},
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "price", "min_value": 0, "max_value": 20000}},
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "rating", "min_value": 0, "max_value": 100}},
        {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "category", "value_set": ["engine", "wing", "cabin", "fuel"]}},
        {"type": "expect_column_values_to_not_be_in_set", "kwargs": {"column": "category", "value_set": ["unknown"]}},
        {"type": "expect_column_distinct_values_to_be_in_set", "kwargs": {"column": "category", "value_set": ["engine", "wing", "cabin", "fuel"]}},
        {"type": "expect_column_values_to_match_regex", "kwargs": {"column": "code", "regex": "^SF-\\d{6}$"}},
        {"type": "expect_column_value_lengths_to_be_between", "kwargs": {"column": "code", "min_value": 9, "max_value": 9}},
        {"type": "expect_column_values_to_be_of_type", "kwargs": {"column": "approved", "type_": "bool"}},
        {"type": "expect_column_mean_to_be_between", "kwargs": {"column": "rating", "min_value": 40, "max_value": 60}},
        {"type": "expect_column_median_to_be_between", "kwargs": {"column": "rating", "min_value": 40, "max_value": 60}},
        {"type": "expect_column_stdev_to_be_between", "kwargs": {"column": "rating", "min_value": 1}},
        {"type": "expect_column_max_to_be_between", "kwargs": {"column": "quantity", "max_value": 50}},
        {"type": "expect_column_sum_to_be_between", "kwargs": {"column": "quantity", "min_value": 1}},
        {"type": "expect_column_proportion_of_unique_values_to_be_between", "kwargs": {"column": "category", "max_value": 0.01}},
        {"type": "expect_column_pair_values_a_to_be_greater_than_b", "kwargs": {"column_A": "price", "column_B": "quantity", "or_equal": true, "mostly": 0.9}},
    ]);
    Suite::from_json(
        &json!({"name": "bench", "expectations": expectations}),
        "bench",
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

#[divan::bench(args = [100_000, 1_000_000, 10_000_000], sample_count = 3)]
fn twenty_expectations(bencher: divan::Bencher, rows: usize) {
    let frame = table(rows);
    let suite = suite();
    assert_eq!(suite.expectations.len(), 20);
    bencher.bench(|| {
        let result = suite.validate(&frame);
        assert!(result.success, "{:?}", result.failure_lines());
        result
    });
}

/// Each expectation of the suite alone on 10 million rows (by its position in `suite()`).
#[divan::bench(args = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19], sample_count = 3)]
fn one_expectation_of_ten_million_rows(bencher: divan::Bencher, index: usize) {
    let frame = table(10_000_000);
    let expectation = suite().expectations.swap_remove(index);
    bencher.bench(|| {
        let result = expectation.validate(&frame);
        assert!(
            result.success,
            "{}: {:?}",
            expectation.expectation_type, result.result
        );
        result
    });
}
