//! W5 of `bench/compare`, lazily, as a Weir project: this crate's LazyFrame data processing nodes
//! and the spaceflights example's data science pipeline, with `polars.LazyPolarsDataset` in the
//! catalog.
//!
//! ```sh
//! cd <a project with bench/compare/spaceflights/weir_lazy_project/conf> && spaceflights_lazy run
//! ```

use std::process::ExitCode;

use spaceflights::pipelines::data_science;
use spaceflights::pipelines::data_science::nodes::LinearRegression;
use spaceflights_lazy::data_processing;
use weir::Project;
use weir::prelude::*;

fn main() -> ExitCode {
    let data_processing = data_processing();
    // Kedro's rule for transcoding: every reference names its form, so the example's pipeline
    // reads `model_input_table@eager`.
    let data_science = match pipeline(data_science::create_pipeline())
        .inputs([("model_input_table", "model_input_table@eager")])
        .build()
    {
        Ok(pipeline) => pipeline,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
    };
    let default: Pipeline = [&data_processing, &data_science].into_iter().sum();
    Project::new("spaceflights_lazy")
        .pipelines(vec![
            ("data_processing", data_processing),
            ("data_science", data_science),
            ("__default__", default),
        ])
        .serde_type::<LinearRegression>()
        .main()
}
