//! The spaceflights project's command line: `run`, `catalog`, `registry`, `runs`, `info`.
//!
//! ```sh
//! cargo run -p spaceflights -- run            # the whole tutorial, with its metrics
//! cargo run -p spaceflights -- run --pipelines data_processing
//! cargo run -p spaceflights -- --help
//! ```

use std::process::ExitCode;

use spaceflights::pipelines::data_science::nodes::LinearRegression;
use weir::Project;

fn main() -> ExitCode {
    Project::new("spaceflights")
        .pipelines(spaceflights::register_pipelines())
        // MLflow tracking (conf/base/mlflow.yml): a run per pipeline run, the parameters, the
        // catalog's metrics and model and chart artifacts (its dataset types come with it).
        .plugin(weir_mlflow::MlflowHook::new())
        // The regressor is saved with `pickle.PickleDataset`: the catalog must know its type.
        .serde_type::<LinearRegression>()
        // Great Expectations suites on the raw and model input tables (conf/base/validation.yml).
        .plugin(weir_validate::ValidationHook::new())
        // StatsD metrics of every run, node and dataset (conf/base/statsd.yml).
        .plugin(weir_statsd::StatsdHook::new())
        // `cargo run` from anywhere finds the project; a folder holding `conf/` wins.
        .default_root(env!("CARGO_MANIFEST_DIR"))
        .main()
}
