//! Weir's side of the I/O benchmark (`bench/io/run.sh`): loads and saves the benchmark table
//! through catalog-configured datasets, as Kedro's side does, and prints one JSON line of
//! timings in seconds.

use std::sync::Arc;
use std::time::Instant;

use polars::prelude::DataFrame;
use weir_config::{CatalogConfig, Credentials, yaml};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data = std::env::args()
        .nth(1)
        .ok_or("usage: io_bench <data folder>")?;
    let out = std::env::temp_dir().join(format!("weir-io-bench-{}", std::process::id()));
    let text = format!(
        "csv_in: {{type: pandas.CSVDataset, filepath: {data}/table.csv}}\n\
         csv_out: {{type: pandas.CSVDataset, filepath: {out}/table.csv, save_args: {{index: false}}}}\n\
         parquet_in: {{type: pandas.ParquetDataset, filepath: {data}/table.parquet}}\n\
         parquet_out: {{type: pandas.ParquetDataset, filepath: {out}/table.parquet}}\n",
        out = out.display()
    );
    let node = yaml::parse(&text, "catalog.yml".as_ref())?;
    let catalog = CatalogConfig::from_node(&node, Credentials::default())?
        .build(Arc::new(weir_datasets::registry(Default::default())))?;

    let mut timings = serde_json::Map::new();
    let mut time = |name: &str, f: &mut dyn FnMut() -> Result<(), weir_core::DatasetError>| {
        let start = Instant::now();
        let result = f();
        timings.insert(
            name.to_owned(),
            serde_json::json!(start.elapsed().as_secs_f64()),
        );
        result
    };
    let mut frame = DataFrame::empty();
    time("csv_load", &mut || {
        frame = catalog.load_as::<DataFrame>("csv_in")?;
        Ok(())
    })?;
    let rows = frame.height();
    time("csv_save", &mut || catalog.save("csv_out", frame.clone()))?;
    time("parquet_load", &mut || {
        frame = catalog.load_as::<DataFrame>("parquet_in")?;
        Ok(())
    })?;
    time("parquet_save", &mut || {
        catalog.save("parquet_out", frame.clone())
    })?;
    timings.insert("rows".to_owned(), serde_json::json!(rows));
    println!("{}", serde_json::Value::Object(timings));
    let _ = std::fs::remove_dir_all(out);
    Ok(())
}
