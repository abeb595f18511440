//! W5's floor: the spaceflights run of `spaceflights_lazy` with polars alone, no framework. The
//! same queries (this crate's node functions) are sunk straight to the same files, the model
//! input table is read back whole and the example's data science functions are called in turn,
//! with `conf/base/parameters_data_science.yml`'s values, written out here. No catalog, hooks,
//! logging, run journal, temporary files or fsync, and the regressor is written as a line of JSON
//! rather than Weir's pickle file: what is left is polars' own work, which no framework built on
//! it can go below on this machine.
//!
//! ```sh
//! cd <a project laid out like bench/compare/spaceflights/weir_lazy_project> && spaceflights_polars
//! ```

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use spaceflights::pipelines::data_science::nodes::{
    LinearRegression, ModelOptions, Seed, TestSize, evaluate_model, split_data, train_model,
};
use spaceflights_lazy::{create_model_input_table, preprocess_companies, preprocess_shuttles};
use weir::Param;
use weir::polars::prelude::*;

const COMPANIES: &str = "data/01_raw/companies.csv";
const REVIEWS: &str = "data/01_raw/reviews.csv";
const SHUTTLES: &str = "data/01_raw/shuttles.csv";
const PREPROCESSED_COMPANIES: &str = "data/02_intermediate/preprocessed_companies.parquet";
const PREPROCESSED_SHUTTLES: &str = "data/02_intermediate/preprocessed_shuttles.parquet";
const MODEL_INPUT_TABLE: &str = "data/03_primary/model_input_table.parquet";
const REGRESSOR: &str = "data/06_models/regressor.json";
const METRICS: &str = "data/09_tracking/metrics.json";

fn scan_csv(path: &str) -> PolarsResult<LazyFrame> {
    LazyCsvReader::new(PlRefPath::try_from_path(path.as_ref())?).finish()
}

fn scan_parquet(path: &str) -> PolarsResult<LazyFrame> {
    LazyFrame::scan_parquet(
        PlRefPath::try_from_path(path.as_ref())?,
        ScanArgsParquet::default(),
    )
}

/// Runs `frame` on the streaming engine into the Parquet file `path` (snappy, as
/// `polars.LazyPolarsDataset` writes by default).
fn sink_parquet(frame: LazyFrame, path: &str) -> PolarsResult<()> {
    if let Some(parent) = std::path::Path::new(path).parent() {
        fs::create_dir_all(parent)?;
    }
    frame
        .sink(
            SinkDestination::File {
                target: SinkTarget::Path(PlRefPath::try_from_path(path.as_ref())?),
            },
            FileWriteFormat::Parquet(Arc::new(ParquetWriteOptions {
                compression: ParquetCompression::Snappy,
                ..Default::default()
            })),
            UnifiedSinkArgs::default(),
        )?
        .collect_with_engine(Engine::Streaming)?;
    Ok(())
}

fn write_json(path: &str, text: String) -> PolarsResult<()> {
    if let Some(parent) = std::path::Path::new(path).parent() {
        fs::create_dir_all(parent)?;
    }
    fs::write(path, text)?;
    Ok(())
}

fn run() -> PolarsResult<BTreeMap<String, f64>> {
    let started = Instant::now();
    let step = |name: &str| eprintln!("{name}: {:.3} s", started.elapsed().as_secs_f64());
    sink_parquet(
        preprocess_companies(scan_csv(COMPANIES)?),
        PREPROCESSED_COMPANIES,
    )?;
    step("preprocess_companies");
    sink_parquet(
        preprocess_shuttles(scan_csv(SHUTTLES)?),
        PREPROCESSED_SHUTTLES,
    )?;
    step("preprocess_shuttles");
    sink_parquet(
        create_model_input_table(
            scan_parquet(PREPROCESSED_SHUTTLES)?,
            scan_parquet(PREPROCESSED_COMPANIES)?,
            scan_csv(REVIEWS)?,
        ),
        MODEL_INPUT_TABLE,
    )?;
    step("create_model_input_table");
    let table = ParquetReader::new(File::open(MODEL_INPUT_TABLE)?).finish()?;
    // conf/base/parameters_data_science.yml of the W5 projects.
    let options = ModelOptions {
        test_size: TestSize::Fraction(0.2),
        random_state: Seed(3),
        features: [
            "engines",
            "passenger_capacity",
            "crew",
            "d_check_complete",
            "moon_clearance_complete",
            "iata_approved",
            "company_rating",
            "review_scores_rating",
        ]
        .map(String::from)
        .to_vec(),
    };
    let (x_train, x_test, y_train, y_test) = split_data(table, Param(options))?;
    step("split_data");
    let regressor: LinearRegression = train_model(x_train, y_train)?;
    write_json(
        REGRESSOR,
        format!(
            "{{\"features\": {:?}, \"coefficients\": {:?}, \"intercept\": {:?}}}",
            regressor.features, regressor.coefficients, regressor.intercept
        ),
    )?;
    step("train_model");
    let metrics = evaluate_model(regressor, x_test, y_test)?;
    let fields: Vec<String> = metrics
        .iter()
        .map(|(name, value)| format!("{name:?}: {value:?}"))
        .collect();
    write_json(METRICS, format!("{{{}}}", fields.join(", ")))?;
    step("evaluate_model");
    Ok(metrics)
}

fn main() -> ExitCode {
    match run() {
        Ok(metrics) => {
            println!("{metrics:?}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("spaceflights_polars: {error}");
            ExitCode::FAILURE
        }
    }
}
