"""W5's reference floor: the data processing pipeline of spaceflights_lazy (bench/compare/
spaceflights_lazy/src/lib.rs) as equivalent polars queries, run by polars' official Python build
(compiled with nightly Rust's SIMD, LTO and jemalloc). The prices and ratings are parsed with
polars' built-in string expressions where the Rust side maps the example's own parser. No
framework, no catalog: scans, the three nodes' expressions, and Parquet sinks (snappy, polars'
streaming engine) to the same files, which measure.py checks against Kedro's.

    cd <a W5 project folder> && python polars_data_processing.py
"""

import os

import polars as pl


def is_true(column):
    """Kedro's `_is_true`: `x == "t"`, where a missing value is false."""
    return (pl.col(column) == "t").fill_null(False).alias(column)


def number(column, strip, scale):
    """Text to a float after removing the `strip` characters, divided by `scale`."""
    expr = pl.col(column)
    for char in strip:
        expr = expr.str.replace_all(char, "", literal=True)
    return (expr.cast(pl.Float64) / scale).alias(column)


def sink(frame, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    frame.sink_parquet(path, compression="snappy")


def merge(left, right, left_on, right_on):
    """pandas' inner `merge(left_on, right_on)`: the left frame's order, both key columns kept."""
    return left.join(right, left_on=left_on, right_on=right_on, how="inner", coalesce=False,
                     maintain_order="left")


def main():
    sink(pl.scan_csv("data/01_raw/companies.csv").with_columns(
        is_true("iata_approved"), number("company_rating", "%", 100.0)),
        "data/02_intermediate/preprocessed_companies.parquet")
    sink(pl.scan_csv("data/01_raw/shuttles.csv").with_columns(
        is_true("d_check_complete"), is_true("moon_clearance_complete"), number("price", "$,", 1.0)),
        "data/02_intermediate/preprocessed_shuttles.parquet")
    shuttles = pl.scan_parquet("data/02_intermediate/preprocessed_shuttles.parquet").drop_nulls()
    companies = pl.scan_parquet("data/02_intermediate/preprocessed_companies.parquet").drop_nulls()
    reviews = pl.scan_csv("data/01_raw/reviews.csv").drop_nulls()
    rated_shuttles = merge(shuttles, reviews, "id", "shuttle_id").drop("id")
    sink(merge(rated_shuttles, companies, "company_id", "id"), "data/03_primary/model_input_table.parquet")


if __name__ == "__main__":
    main()
