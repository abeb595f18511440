//! File datasets for Weir, configured from `catalog.yml` or built in Rust.
//!
//! - DataFrames with polars: CSV, Parquet, JSON records, NDJSON and Arrow IPC
//!   ([`FrameDataset`]), also scanned and streamed as `LazyFrame`s ([`LazyFrameDataset`]);
//!   Excel workbooks read with calamine ([`ExcelDataset`]).
//! - Text ([`TextDataset`]), bytes ([`BytesDataset`]), and JSON, YAML and a binary format for
//!   any `serde` type ([`SerdeDataset`], [`JsonDataset`]).
//! - Folders of files ([`PartitionedDataset`]).
//! - Every save is atomic ([`fs::write_atomic`]); versioned datasets use Kedro's layout
//!   ([`fs::Target`]).
//!
//! [`registry`] maps the `type:` names of a Kedro catalog to these implementations.

pub mod fs;
pub mod partitioned;
pub mod serde_files;

#[cfg(feature = "polars")]
mod csv_errors;
#[cfg(feature = "excel")]
pub mod excel;
#[cfg(feature = "polars")]
pub mod frames;
#[cfg(feature = "polars")]
pub mod lazy;

use std::sync::Arc;

use weir_config::DatasetRegistry;

#[cfg(feature = "excel")]
pub use excel::ExcelDataset;
#[cfg(feature = "polars")]
pub use frames::{FrameDataset, FrameFormat};
pub use fs::{Target, write_atomic};
#[cfg(feature = "polars")]
pub use lazy::LazyFrameDataset;
pub use partitioned::{PartitionLoader, PartitionMap, PartitionedDataset, Partitions};
pub use serde_files::{
    BytesDataset, FileContent, FileDataset, JsonDataset, SerdeDataset, SerdeFormat, SerdeTypes,
    TextDataset,
};

/// The registry of every dataset type this crate provides, under Weir's and Kedro's names,
/// with `types` the serde types that catalog-configured JSON, YAML and pickle datasets hold.
pub fn registry(types: SerdeTypes) -> DatasetRegistry {
    let types = Arc::new(types);
    let mut registry = DatasetRegistry::new();
    registry.register("text.TextDataset", |spec, _| {
        let target = Target::new(spec.take_filepath()?, spec.take_version());
        Ok(Arc::new(TextDataset::new(target)))
    });
    registry.register("bytes.BytesDataset", |spec, _| {
        let target = Target::new(spec.take_filepath()?, spec.take_version());
        Ok(Arc::new(BytesDataset::new(target)))
    });
    let json_types = Arc::clone(&types);
    registry.register("json.JSONDataset", move |spec, _| {
        let target = Target::new(spec.take_filepath()?, spec.take_version());
        let indent = match spec.take_save("indent") {
            None => Some(2),
            Some(serde_json::Value::Null) => None,
            Some(value) => Some(
                value
                    .as_u64()
                    .and_then(|n| usize::try_from(n).ok())
                    .ok_or_else(|| spec.error("`save_args.indent` must be a number or null"))?,
            ),
        };
        Ok(Arc::new(SerdeDataset::new(
            target,
            SerdeFormat::Json { indent },
            Arc::clone(&json_types),
        )))
    });
    registry.alias("plotly.JSONDataset", "json.JSONDataset");
    let yaml_types = Arc::clone(&types);
    registry.register("yaml.YAMLDataset", move |spec, _| {
        let target = Target::new(spec.take_filepath()?, spec.take_version());
        Ok(Arc::new(SerdeDataset::new(
            target,
            SerdeFormat::Yaml,
            Arc::clone(&yaml_types),
        )))
    });
    let pickle_types = Arc::clone(&types);
    registry.register("pickle.PickleDataset", move |spec, _| {
        let target = Target::new(spec.take_filepath()?, spec.take_version());
        if let Some(backend) = spec.take_as::<String>("backend")?
            && !matches!(
                backend.as_str(),
                "pickle" | "joblib" | "dill" | "cloudpickle" | "compress_pickle"
            )
        {
            return Err(spec.error(format!(
                "`backend: {backend}` is not a known pickle backend"
            )));
        }
        Ok(Arc::new(SerdeDataset::new(
            target,
            SerdeFormat::Binary,
            Arc::clone(&pickle_types),
        )))
    });
    registry.register("partitions.PartitionedDataset", |spec, ctx| {
        Ok(Arc::new(partitioned::from_spec(spec, ctx)?))
    });
    registry.alias("PartitionedDataset", "partitions.PartitionedDataset");

    #[cfg(feature = "polars")]
    {
        use frames::FrameFormat as F;
        for (name, format) in [
            ("polars.CSVDataset", F::Csv),
            ("polars.ParquetDataset", F::Parquet),
            ("polars.JSONDataset", F::Json),
            ("polars.NDJSONDataset", F::NdJson),
            ("polars.IPCDataset", F::Ipc),
        ] {
            registry.register(name, move |spec, _| {
                Ok(Arc::new(frames::from_spec(spec, format)?))
            });
        }
        registry.alias("pandas.CSVDataset", "polars.CSVDataset");
        registry.alias("pandas.ParquetDataset", "polars.ParquetDataset");
        registry.alias("pandas.JSONDataset", "polars.JSONDataset");
        registry.alias("pandas.FeatherDataset", "polars.IPCDataset");
        registry.register("polars.EagerPolarsDataset", |spec, _| {
            let format = frames::file_format(spec)?;
            Ok(Arc::new(frames::from_spec(spec, format)?))
        });
        registry.register("polars.LazyPolarsDataset", |spec, _| {
            Ok(Arc::new(lazy::from_spec(spec)?))
        });
    }
    #[cfg(feature = "excel")]
    registry.register("pandas.ExcelDataset", |spec, _| {
        Ok(Arc::new(excel::from_spec(spec)?))
    });

    registry.unsupported(
        "plotly.PlotlyDataset",
        "it builds a Plotly figure from a pandas DataFrame in Python. Build the figure's JSON in a node (a `serde_json::Value`) and save it with `plotly.JSONDataset` (or `json.JSONDataset`); any Plotly front end can draw it",
    );
    registry.unsupported(
        "matplotlib.MatplotlibDataset",
        "matplotlib figures exist only in Python. Render the image in a node and save its bytes with `bytes.BytesDataset`",
    );
    registry.unsupported(
        "spark.SparkDataset",
        "Spark is a JVM engine; read the files with the polars datasets instead",
    );
    registry.unsupported(
        "pandas.SQLTableDataset",
        "SQL datasets are not available yet",
    );
    registry.unsupported(
        "pandas.SQLQueryDataset",
        "SQL datasets are not available yet",
    );
    registry.unsupported("partitions.IncrementalDataset", "incremental (checkpointed) partitions are not available yet; use `partitions.PartitionedDataset`");
    registry
}
