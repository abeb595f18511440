//! W5 of `bench/compare`, written lazily: the spaceflights tutorial whose data processing nodes
//! take and return polars `LazyFrame`s. With `polars.LazyPolarsDataset` in the catalog, each node
//! is one query from the scan of its inputs to the file of its output, run by polars' streaming
//! engine: filters reach the readers and no table is held whole. The data science pipeline is the
//! spaceflights example's own (eager) one.
//!
//! Two binaries: `spaceflights_lazy` runs these nodes as a Weir project; `spaceflights_polars`
//! runs the same queries and the same data science functions with polars alone, no framework,
//! which is the floor any polars-based run of W5 starts from on this machine.

use spaceflights::pipelines::data_processing::nodes;
use weir::polars::prelude::*;
use weir::prelude::*;

/// Kedro's `_is_true`: `x == "t"`, where a missing value is false (not missing).
pub fn is_true(column: &str) -> Expr {
    col(column).eq(lit("t")).fill_null(lit(false)).alias(column)
}

/// Text to a float after removing `strip` characters, divided by `scale`, with the example's
/// own parser; polars runs it batch by batch as the CSV streams in.
pub fn number(column: &'static str, strip: &'static [char], scale: f64) -> Expr {
    col(column).map(
        move |values: Column| nodes::parse_numbers(&values, strip, scale),
        |_, field| Ok(Field::new(field.name().clone(), DataType::Float64)),
    )
}

/// Converts `iata_approved` to booleans and `company_rating` from `"90%"` to `0.9`.
pub fn preprocess_companies(companies: LazyFrame) -> LazyFrame {
    companies.with_columns([
        is_true("iata_approved"),
        number("company_rating", &['%'], 100.0),
    ])
}

/// Converts the check flags to booleans and `price` from `"$1,325.0"` to `1325.0`.
pub fn preprocess_shuttles(shuttles: LazyFrame) -> LazyFrame {
    shuttles.with_columns([
        is_true("d_check_complete"),
        is_true("moon_clearance_complete"),
        number("price", &['$', ','], 1.0),
    ])
}

/// An inner join like pandas' `merge(left_on, right_on)`: rows in the left frame's order, both
/// key columns kept.
pub fn merge(left: LazyFrame, right: LazyFrame, left_on: &str, right_on: &str) -> LazyFrame {
    let mut args = JoinArgs::new(JoinType::Inner).with_coalesce(JoinCoalesce::KeepColumns);
    args.maintain_order = MaintainOrderJoin::Left;
    left.join(right, [col(left_on)], [col(right_on)], args)
}

/// Kedro's `create_model_input_table`, with incomplete rows dropped before the joins (the same
/// table, as the example's eager node explains).
pub fn create_model_input_table(
    shuttles: LazyFrame,
    companies: LazyFrame,
    reviews: LazyFrame,
) -> LazyFrame {
    let rated_shuttles = merge(
        shuttles.drop_nulls(None),
        reviews.drop_nulls(None),
        "id",
        "shuttle_id",
    )
    .drop(Selector::ByName {
        names: [PlSmallStr::from_static("id")].into(),
        strict: true,
    });
    merge(
        rated_shuttles,
        companies.drop_nulls(None),
        "company_id",
        "id",
    )
}

/// The tutorial's data processing pipeline on LazyFrames. Its output is the transcoded
/// `model_input_table@lazy`: the same file the data science pipeline reads eagerly as
/// `model_input_table@eager`.
pub fn data_processing() -> Pipeline {
    Pipeline::new([
        node(preprocess_companies)
            .inputs("companies")
            .outputs("preprocessed_companies")
            .name("preprocess_companies_node"),
        node(preprocess_shuttles)
            .inputs("shuttles")
            .outputs("preprocessed_shuttles")
            .name("preprocess_shuttles_node"),
        node(create_model_input_table)
            .inputs(["preprocessed_shuttles", "preprocessed_companies", "reviews"])
            .outputs("model_input_table@lazy")
            .name("create_model_input_table_node"),
    ])
}
