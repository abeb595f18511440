//! `polars.LazyPolarsDataset`: a file scanned into a [`LazyFrame`] and saved by streaming.
//!
//! A node that takes `LazyFrame`s builds on the scan: polars pushes its filters and column
//! selections down into the reader, so only the rows and columns the node keeps are read. A node
//! that returns a `LazyFrame` has it run by polars' streaming engine straight into the file, in
//! batches: neither its inputs nor its result sit whole in memory.
//!
//! ```yaml
//! model_input_table:
//!   type: polars.LazyPolarsDataset
//!   filepath: data/03_primary/model_input_table.parquet
//!   file_format: parquet          # csv, parquet, ipc or ndjson
//! ```
//!
//! `load_args` and `save_args` are those of the eager datasets (`polars.CSVDataset`, ...).

use std::path::Path;
use std::sync::Arc;

use polars::io::utils::file::Writable;
use polars::prelude::*;
use weir_config::{ConfigError, DatasetSpec};
use weir_core::{Dataset, DatasetError};

use crate::frames::{self, BadLines, FrameDataset, FrameFormat, parquet_compression, polars_error};
use crate::fs::{Target, open_file, write_atomic_to_path};

/// A CSV, Parquet, Arrow IPC or NDJSON file loaded as a [`LazyFrame`] scan and saved by
/// streaming a `LazyFrame` into it (Kedro's `polars.LazyPolarsDataset`).
pub struct LazyFrameDataset {
    file: FrameDataset,
}

impl LazyFrameDataset {
    /// A dataset of `format` at `target`, with default options. JSON arrays cannot be scanned
    /// lazily: use NDJSON, or the eager [`FrameDataset`].
    pub fn new(target: Target, format: FrameFormat) -> Result<Self, DatasetError> {
        if format == FrameFormat::Json {
            return Err(DatasetError::message(
                "a JSON array cannot be scanned lazily: use ndjson, or polars.EagerPolarsDataset",
            ));
        }
        Ok(Self {
            file: FrameDataset::new(target, format),
        })
    }

    fn scan(&self, path: &Path) -> PolarsResult<LazyFrame> {
        let source = PlRefPath::try_from_path(path)?;
        let o = &self.file.read;
        let mut frame = match self.file.format {
            FrameFormat::Csv => {
                let mut reader = LazyCsvReader::new(source)
                    .with_has_header(o.has_header.unwrap_or(true))
                    .with_separator(o.separator.unwrap_or(b','))
                    .with_skip_rows(o.skip_rows.unwrap_or(0))
                    .with_n_rows(o.n_rows)
                    .with_try_parse_dates(o.try_parse_dates)
                    .with_decimal_comma(o.decimal_comma)
                    .with_encoding(o.encoding())
                    .with_null_values(o.csv_null_values())
                    .with_comment_prefix(o.comment_prefix.as_deref().map(PlSmallStr::from))
                    .with_dtype_overwrite(o.dtype_overrides())
                    .with_truncate_ragged_lines(o.on_bad_lines == BadLines::Truncate);
                if let Some(quote) = o.quote_char {
                    reader = reader.with_quote_char(quote);
                }
                if let Some(n) = o.infer_schema_length {
                    reader = reader.with_infer_schema_length(n);
                }
                reader.finish()?
            }
            FrameFormat::Parquet => LazyFrame::scan_parquet(
                source,
                ScanArgsParquet {
                    n_rows: o.n_rows,
                    ..Default::default()
                },
            )?,
            FrameFormat::Ipc => {
                let frame = LazyFrame::scan_ipc(source, Default::default(), Default::default())?;
                match o.n_rows {
                    Some(n) => frame.limit(IdxSize::try_from(n).unwrap_or(IdxSize::MAX)),
                    None => frame,
                }
            }
            FrameFormat::NdJson => LazyJsonLineReader::new(source)
                .with_n_rows(o.n_rows)
                .finish()?,
            FrameFormat::Json => {
                polars_bail!(InvalidOperation: "a JSON array cannot be scanned lazily")
            }
        };
        if let Some(columns) = &o.columns {
            frame = frame.select(columns.iter().map(|c| col(c.as_str())).collect::<Vec<_>>());
        }
        Ok(frame)
    }

    /// Streams `frame` into `file` (the temporary file the save created: polars writes to this
    /// handle and never creates a file by name, so nothing it writes late can appear beside the
    /// target after a failed save has removed the temporary file).
    fn sink(&self, frame: LazyFrame, file: std::fs::File) -> PolarsResult<()> {
        let w = &self.file.write;
        let format = match self.file.format {
            FrameFormat::Csv => {
                let mut serialize = SerializeOptions {
                    separator: w.separator.unwrap_or(b','),
                    decimal_comma: w.decimal_comma,
                    float_precision: w.float_precision,
                    date_format: w.date_format.as_deref().map(PlSmallStr::from),
                    datetime_format: w.datetime_format.as_deref().map(PlSmallStr::from),
                    ..Default::default()
                };
                if let Some(quote) = w.quote_char {
                    serialize.quote_char = quote;
                }
                if let Some(null) = &w.null_value {
                    serialize.null = null.as_str().into();
                }
                if let Some(terminator) = &w.line_terminator {
                    serialize.line_terminator = terminator.as_str().into();
                }
                FileWriteFormat::Csv(CsvWriterOptions {
                    include_bom: w.include_bom,
                    include_header: w.include_header.unwrap_or(true),
                    // The stream goes to a hidden temporary name, renamed when complete.
                    check_extension: false,
                    serialize_options: Arc::new(serialize),
                    ..Default::default()
                })
            }
            FrameFormat::Parquet => FileWriteFormat::Parquet(Arc::new(ParquetWriteOptions {
                compression: parquet_compression(w.compression.as_deref()),
                row_group_size: w.row_group_size,
                ..Default::default()
            })),
            FrameFormat::Ipc => FileWriteFormat::Ipc(IpcWriterOptions {
                compression: (w.compression.as_deref() == Some("lz4"))
                    .then_some(IpcCompression::LZ4),
                ..Default::default()
            }),
            FrameFormat::NdJson => FileWriteFormat::NDJson(NDJsonWriterOptions {
                check_extension: false,
                ..Default::default()
            }),
            FrameFormat::Json => {
                polars_bail!(InvalidOperation: "a JSON array cannot be written by streaming")
            }
        };
        frame
            .sink(
                SinkDestination::File {
                    target: SinkTarget::Dyn(SpecialEq::new(Arc::new(std::sync::Mutex::new(Some(
                        Writable::Local(file),
                    ))))),
                },
                format,
                UnifiedSinkArgs::default(),
            )?
            .collect_with_engine(Engine::Streaming)?;
        Ok(())
    }
}

impl Dataset for LazyFrameDataset {
    type Value = LazyFrame;

    fn load(&self) -> Result<LazyFrame, DatasetError> {
        let path = self.file.target.load_path()?;
        // A scan reads nothing yet: open the file now, so that a missing one is reported here,
        // naming the dataset's file, and not later from inside the node that runs the query.
        drop(open_file(&path)?);
        self.scan(&path).map_err(|e| polars_error(&path, "scan", e))
    }

    fn save(&self, frame: &LazyFrame) -> Result<(), DatasetError> {
        let path = self.file.target.save_path()?;
        write_atomic_to_path(&path, |temp| {
            let file = std::fs::File::create_new(temp).map_err(|e| {
                DatasetError::with_source(format!("cannot create {}: {e}", temp.display()), e)
            })?;
            self.sink(frame.clone(), file)
                .map_err(|e| polars_error(&path, "write", e))
        })?;
        self.file.target.saved();
        Ok(())
    }

    fn exists(&self) -> Result<bool, DatasetError> {
        Ok(self.file.target.exists())
    }

    fn release(&self) {
        self.file.target.release();
    }

    fn describe(&self) -> String {
        format!(
            "polars.LazyPolarsDataset({}, {})",
            self.file.format.name(),
            self.file.target.describe()
        )
    }

    fn type_name(&self) -> String {
        "polars.LazyPolarsDataset".to_owned()
    }
}

/// Reads a `polars.LazyPolarsDataset` catalog entry: `file_format` plus the eager datasets' keys.
pub(crate) fn from_spec(spec: &mut DatasetSpec) -> Result<LazyFrameDataset, ConfigError> {
    let format = frames::file_format(spec)?;
    if format == FrameFormat::Json {
        return Err(spec
            .error("`file_format: json` cannot be scanned lazily")
            .with_help("use `file_format: ndjson` (one record per line), or `type: polars.EagerPolarsDataset`"));
    }
    let file = frames::from_spec(spec, format)?;
    if file.read.latin1 {
        return Err(spec
            .error("`load_args.encoding: latin-1` cannot be scanned lazily")
            .with_help("convert the file to UTF-8, or use the eager `polars.CSVDataset`"));
    }
    if matches!(file.read.on_bad_lines, BadLines::Warn | BadLines::Skip) {
        return Err(spec
            .error("`load_args.on_bad_lines: warn` or `skip` cannot be applied to a lazy scan")
            .with_help("use `truncate_ragged_lines: true` (extra fields are cut), or the eager `polars.CSVDataset`"));
    }
    Ok(LazyFrameDataset { file })
}
