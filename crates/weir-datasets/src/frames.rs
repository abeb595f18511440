//! DataFrame files read and written with polars: CSV, Parquet, JSON (records), NDJSON and
//! Arrow IPC (Feather).

use std::io::Cursor;
use std::sync::Arc;

use polars::prelude::*;
use weir_config::{ConfigError, DatasetSpec};
use weir_core::{Dataset, DatasetError};

use crate::csv_errors;
use crate::fs::{Target, open_file, write_atomic};

/// A file format for DataFrames.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameFormat {
    /// Comma-separated values.
    Csv,
    /// Apache Parquet.
    Parquet,
    /// A JSON array of records (`[{"a": 1}, ...]`).
    Json,
    /// One JSON record per line.
    NdJson,
    /// Arrow IPC (Feather v2).
    Ipc,
}

impl FrameFormat {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Parquet => "parquet",
            Self::Json => "json",
            Self::NdJson => "ndjson",
            Self::Ipc => "ipc",
        }
    }
}

/// Options for reading.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    pub(crate) separator: Option<u8>,
    pub(crate) has_header: Option<bool>,
    pub(crate) columns: Option<Vec<String>>,
    pub(crate) n_rows: Option<usize>,
    pub(crate) skip_rows: Option<usize>,
    pub(crate) lossy_utf8: bool,
    pub(crate) latin1: bool,
    pub(crate) on_bad_lines: BadLines,
    pub(crate) null_values: Option<Vec<String>>,
    pub(crate) quote_char: Option<Option<u8>>,
    pub(crate) comment_prefix: Option<String>,
    pub(crate) try_parse_dates: bool,
    pub(crate) infer_schema_length: Option<Option<usize>>,
    pub(crate) decimal_comma: bool,
    pub(crate) dtypes: Vec<(String, DataType)>,
}

impl ReadOptions {
    /// `load_args.dtype`, as the schema the CSV readers overwrite.
    pub(crate) fn dtype_overrides(&self) -> Option<SchemaRef> {
        if self.dtypes.is_empty() {
            return None;
        }
        let mut schema = Schema::default();
        for (name, dtype) in &self.dtypes {
            schema.with_column(name.as_str().into(), dtype.clone());
        }
        Some(Arc::new(schema))
    }

    /// `load_args.encoding`.
    pub(crate) fn encoding(&self) -> CsvEncoding {
        if self.lossy_utf8 {
            CsvEncoding::LossyUtf8
        } else {
            CsvEncoding::Utf8
        }
    }

    /// `load_args.na_values`, for every column.
    pub(crate) fn csv_null_values(&self) -> Option<NullValues> {
        self.null_values.as_ref().map(|values| {
            NullValues::AllColumns(
                values
                    .iter()
                    .map(|s| PlSmallStr::from(s.as_str()))
                    .collect(),
            )
        })
    }
}

/// What to do with a CSV row that has more fields than the header (pandas' `on_bad_lines`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BadLines {
    /// Refuse the file, naming the line (pandas' default).
    #[default]
    Error,
    /// Drop such rows, with a warning naming each line.
    Warn,
    /// Drop such rows, saying how many were dropped.
    Skip,
    /// Keep such rows, cutting the extra fields (polars' `truncate_ragged_lines: true`).
    Truncate,
}

/// Options for writing.
#[derive(Clone, Debug, Default)]
pub struct WriteOptions {
    pub(crate) separator: Option<u8>,
    pub(crate) include_header: Option<bool>,
    pub(crate) quote_char: Option<u8>,
    pub(crate) null_value: Option<String>,
    pub(crate) date_format: Option<String>,
    pub(crate) datetime_format: Option<String>,
    pub(crate) float_precision: Option<usize>,
    pub(crate) line_terminator: Option<String>,
    pub(crate) decimal_comma: bool,
    pub(crate) include_bom: bool,
    pub(crate) compression: Option<String>,
    pub(crate) row_group_size: Option<usize>,
}

/// A DataFrame file (`pandas.CSVDataset`, `polars.ParquetDataset`, ...).
pub struct FrameDataset {
    pub(crate) target: Target,
    pub(crate) format: FrameFormat,
    pub(crate) read: ReadOptions,
    pub(crate) write: WriteOptions,
    type_name: String,
}

pub(crate) fn polars_error(
    path: &std::path::Path,
    action: &str,
    error: PolarsError,
) -> DatasetError {
    DatasetError::with_source(
        format!("cannot {action} {}: {error}", path.display()),
        error,
    )
}

impl FrameDataset {
    /// A dataset of `format` at `target` with default options.
    pub fn new(target: Target, format: FrameFormat) -> Self {
        Self {
            target,
            format,
            read: ReadOptions::default(),
            write: WriteOptions::default(),
            type_name: format!("polars.EagerPolarsDataset({})", format.name()),
        }
    }

    /// Reads a DataFrame from bytes in this dataset's format.
    pub fn read_bytes(
        &self,
        bytes: Vec<u8>,
        path: &std::path::Path,
    ) -> Result<DataFrame, DatasetError> {
        if self.format != FrameFormat::Csv {
            return self.read_from(Cursor::new(bytes), path);
        }
        let bytes: Arc<[u8]> = if self.read.latin1 {
            csv_errors::latin1_to_utf8(&bytes).into()
        } else {
            bytes.into()
        };
        self.read_csv(path, Cursor::new(Arc::clone(&bytes)), || Ok(bytes.to_vec()))
    }

    /// Reads a CSV file from `source`; when polars refuses it, `bytes` gives the file's
    /// content to find out why (or, with `on_bad_lines`, to drop the rows it cannot read).
    fn read_csv<R: polars::io::mmap::MmapBytesReader + 'static>(
        &self,
        path: &std::path::Path,
        source: R,
        bytes: impl FnOnce() -> Result<Vec<u8>, DatasetError>,
    ) -> Result<DataFrame, DatasetError> {
        let error = match self.read_from(source, path) {
            Ok(frame) => return Ok(frame),
            Err(error) => error,
        };
        let message = error.to_string();
        let content = bytes()?;
        let dialect = self.dialect();
        let ragged = message.contains("more fields") || message.contains("ragged");
        if ragged && matches!(self.read.on_bad_lines, BadLines::Warn | BadLines::Skip) {
            let (expected, bad) = csv_errors::ragged_records(&content, &dialect);
            if !bad.is_empty() {
                for record in bad.iter().take(20) {
                    if self.read.on_bad_lines == BadLines::Warn {
                        tracing::warn!(
                            "{}: skipping line {}: expected {expected} fields, saw {}",
                            path.display(),
                            record.line,
                            record.fields
                        );
                    }
                }
                tracing::info!(
                    "{}: dropped {} row(s) with more than {expected} fields (`on_bad_lines`)",
                    path.display(),
                    bad.len()
                );
                let kept = csv_errors::without(&content, &bad);
                return self.read_from(Cursor::new(kept), path);
            }
        }
        match csv_errors::explain(&message, &content, &dialect) {
            Some(why) => Err(DatasetError::message(format!(
                "cannot read {}: {why}",
                path.display()
            ))),
            None => Err(error),
        }
    }

    /// How this dataset splits a CSV file into rows and fields.
    fn dialect(&self) -> csv_errors::Dialect {
        let o = &self.read;
        csv_errors::Dialect {
            separator: o.separator.unwrap_or(b','),
            quote: o.quote_char.unwrap_or(Some(b'"')),
            comment: o.comment_prefix.as_ref().map(|c| c.as_bytes().to_vec()),
            has_header: o.has_header.unwrap_or(true),
            skip_rows: o.skip_rows.unwrap_or(0),
        }
    }

    /// Reads a DataFrame in this dataset's format from `source` (a file is memory-mapped, not
    /// copied); `path` is for messages.
    fn read_from<R: polars::io::mmap::MmapBytesReader + 'static>(
        &self,
        cursor: R,
        path: &std::path::Path,
    ) -> Result<DataFrame, DatasetError> {
        let o = &self.read;
        let result = match self.format {
            FrameFormat::Csv => {
                let mut options = CsvReadOptions::default()
                    .with_has_header(o.has_header.unwrap_or(true))
                    .with_n_rows(o.n_rows)
                    .with_skip_rows(o.skip_rows.unwrap_or(0))
                    .with_columns(
                        o.columns
                            .as_ref()
                            .map(|c| c.iter().map(|s| PlSmallStr::from(s.as_str())).collect()),
                    )
                    .with_schema_overwrite(o.dtype_overrides())
                    .map_parse_options(|p| {
                        let mut p = p
                            .with_separator(o.separator.unwrap_or(b','))
                            .with_try_parse_dates(o.try_parse_dates)
                            .with_decimal_comma(o.decimal_comma)
                            .with_encoding(o.encoding())
                            .with_null_values(o.csv_null_values())
                            .with_truncate_ragged_lines(o.on_bad_lines == BadLines::Truncate);
                        if let Some(q) = o.quote_char {
                            p = p.with_quote_char(q);
                        }
                        if let Some(c) = &o.comment_prefix {
                            p = p.with_comment_prefix(Some(c.as_str()));
                        }
                        p
                    });
                if let Some(n) = o.infer_schema_length {
                    options = options.with_infer_schema_length(n);
                }
                options.into_reader_with_file_handle(cursor).finish()
            }
            FrameFormat::Parquet => ParquetReader::new(cursor)
                .with_columns(o.columns.clone())
                .finish(),
            FrameFormat::Json => JsonReader::new(cursor)
                .with_json_format(JsonFormat::Json)
                .finish(),
            FrameFormat::NdJson => JsonReader::new(cursor)
                .with_json_format(JsonFormat::JsonLines)
                .finish(),
            FrameFormat::Ipc => IpcReader::new(cursor)
                .with_columns(o.columns.clone())
                .with_n_rows(o.n_rows)
                .finish(),
        };
        let mut frame = result.map_err(|e| polars_error(path, "read", e))?;
        if matches!(
            self.format,
            FrameFormat::Json | FrameFormat::NdJson | FrameFormat::Parquet
        ) && let Some(n) = o.n_rows
        {
            frame = frame.head(Some(n));
        }
        if matches!(self.format, FrameFormat::Json | FrameFormat::NdJson)
            && let Some(columns) = &o.columns
        {
            frame = frame
                .select(columns.iter().map(String::as_str))
                .map_err(|e| polars_error(path, "select columns of", e))?;
        }
        Ok(frame)
    }

    fn write_to(
        &self,
        frame: &DataFrame,
        out: &mut dyn std::io::Write,
        path: &std::path::Path,
    ) -> Result<(), DatasetError> {
        let o = &self.write;
        let mut frame = frame.clone();
        let result = match self.format {
            FrameFormat::Csv => {
                let mut writer = CsvWriter::new(out)
                    .include_header(o.include_header.unwrap_or(true))
                    .include_bom(o.include_bom)
                    .with_separator(o.separator.unwrap_or(b','))
                    .with_decimal_comma(o.decimal_comma)
                    .with_float_precision(o.float_precision)
                    .with_date_format(o.date_format.as_deref().map(PlSmallStr::from))
                    .with_datetime_format(o.datetime_format.as_deref().map(PlSmallStr::from));
                if let Some(q) = o.quote_char {
                    writer = writer.with_quote_char(q);
                }
                if let Some(n) = &o.null_value {
                    writer = writer.with_null_value(n.as_str().into());
                }
                if let Some(t) = &o.line_terminator {
                    writer = writer.with_line_terminator(t.as_str().into());
                }
                writer.finish(&mut frame)
            }
            FrameFormat::Parquet => ParquetWriter::new(out)
                .with_compression(parquet_compression(o.compression.as_deref()))
                .with_row_group_size(o.row_group_size)
                .finish(&mut frame)
                .map(|_| ()),
            FrameFormat::Json => JsonWriter::new(out)
                .with_json_format(JsonFormat::Json)
                .finish(&mut frame),
            FrameFormat::NdJson => JsonWriter::new(out)
                .with_json_format(JsonFormat::JsonLines)
                .finish(&mut frame),
            FrameFormat::Ipc => {
                let compression = match o.compression.as_deref() {
                    Some("lz4") => Some(IpcCompression::LZ4),
                    _ => None,
                };
                IpcWriter::new(out)
                    .with_compression(compression)
                    .finish(&mut frame)
            }
        };
        result.map_err(|e| polars_error(path, "write", e))
    }
}

impl Dataset for FrameDataset {
    type Value = DataFrame;

    fn load(&self) -> Result<DataFrame, DatasetError> {
        let path = self.target.load_path()?;
        match self.format {
            FrameFormat::Csv if self.read.latin1 => {
                let bytes = crate::fs::read_file(&path)?;
                self.read_bytes(bytes, &path)
            }
            FrameFormat::Csv => {
                self.read_csv(&path, open_file(&path)?, || crate::fs::read_file(&path))
            }
            _ => self.read_from(open_file(&path)?, &path),
        }
    }

    fn save(&self, frame: &DataFrame) -> Result<(), DatasetError> {
        let path = self.target.save_path()?;
        write_atomic(&path, |w| self.write_to(frame, w, &path))?;
        self.target.saved();
        Ok(())
    }

    fn exists(&self) -> Result<bool, DatasetError> {
        Ok(self.target.exists())
    }

    fn release(&self) {
        self.target.release();
    }

    fn describe(&self) -> String {
        format!("{}({})", self.type_name, self.target.describe())
    }

    fn type_name(&self) -> String {
        self.type_name.clone()
    }
}

/// The `file_format` key of `polars.EagerPolarsDataset` and `polars.LazyPolarsDataset`.
pub(crate) fn file_format(spec: &mut DatasetSpec) -> Result<FrameFormat, ConfigError> {
    let type_name = spec.registered_type.clone();
    let file_format: String = spec.take_as("file_format")?.ok_or_else(|| {
        spec.error(format!(
            "`{type_name}` needs `file_format` (csv, parquet, json, ndjson or ipc)"
        ))
    })?;
    Ok(match file_format.as_str() {
        "csv" => FrameFormat::Csv,
        "parquet" => FrameFormat::Parquet,
        "json" => FrameFormat::Json,
        "ndjson" => FrameFormat::NdJson,
        "ipc" | "feather" | "arrow" => FrameFormat::Ipc,
        other => {
            return Err(spec
                .error(format!("`file_format: {other}` is not supported"))
                .with_help("use csv, parquet, json, ndjson or ipc"));
        }
    })
}

/// `save_args.compression` of a Parquet file (snappy, as pandas, when not given).
pub(crate) fn parquet_compression(name: Option<&str>) -> ParquetCompression {
    match name {
        None | Some("snappy") => ParquetCompression::Snappy,
        Some("zstd") => ParquetCompression::Zstd(None),
        Some("gzip") => ParquetCompression::Gzip(None),
        Some("brotli") => ParquetCompression::Brotli(None),
        Some("lz4") => ParquetCompression::Lz4Raw,
        Some(_) => ParquetCompression::Uncompressed,
    }
}

fn one_byte(spec: &DatasetSpec, key: &str, text: &str) -> Result<u8, ConfigError> {
    let unescaped = match text {
        "\\t" => "\t",
        other => other,
    };
    match unescaped.as_bytes() {
        [b] => Ok(*b),
        _ => Err(spec.error(format!(
            "`{key}` must be a single ASCII character, found {text:?}"
        ))),
    }
}

fn strings(value: serde_json::Value) -> Option<Vec<String>> {
    match value {
        serde_json::Value::String(s) => Some(vec![s]),
        serde_json::Value::Array(items) => items
            .into_iter()
            .map(|i| match i {
                serde_json::Value::String(s) => Some(s),
                other => Some(other.to_string()),
            })
            .collect(),
        _ => None,
    }
}

fn dtype(spec: &DatasetSpec, column: &str, name: &str) -> Result<DataType, ConfigError> {
    Ok(match name.to_ascii_lowercase().as_str() {
        "str" | "string" | "object" | "category" | "utf8" => DataType::String,
        "int" | "int64" | "i64" => DataType::Int64,
        "int32" | "i32" => DataType::Int32,
        "float" | "float64" | "f64" => DataType::Float64,
        "float32" | "f32" => DataType::Float32,
        "bool" | "boolean" => DataType::Boolean,
        other => {
            return Err(spec.error(format!(
                "`dtype` of column `{column}`: `{other}` is not a known type (use str, int64, int32, float64, float32 or bool)"
            )));
        }
    })
}

/// Reads the load and save arguments of a catalog entry, in pandas' or polars' vocabulary.
pub(crate) fn from_spec(
    spec: &mut DatasetSpec,
    format: FrameFormat,
) -> Result<FrameDataset, ConfigError> {
    let filepath = spec.take_filepath()?;
    let version = spec.take_version();
    let mut read = ReadOptions::default();
    let mut write = WriteOptions::default();

    // Arguments that select an implementation, not a behaviour.
    spec.take_load("engine");
    spec.take_save("engine");
    if let Some(sep) = spec
        .take_load_as::<String>("sep")?
        .or(spec.take_load_as::<String>("separator")?)
        .or(spec.take_load_as::<String>("delimiter")?)
    {
        read.separator = Some(one_byte(spec, "load_args.sep", &sep)?);
    }
    if let Some(header) = spec.take_load("header") {
        read.has_header = Some(match header {
            serde_json::Value::Null => false,
            serde_json::Value::Number(n) if n.as_u64() == Some(0) => true,
            serde_json::Value::String(s) if s == "infer" => true,
            serde_json::Value::Bool(b) => b,
            other => return Err(spec.error(format!("`load_args.header: {other}` is not supported: use 0 (first row is the header) or null (no header)"))),
        });
    }
    if let Some(has) = spec.take_load_as::<bool>("has_header")? {
        read.has_header = Some(has);
    }
    if let Some(columns) = spec.take_load("usecols").or(spec.take_load("columns")) {
        read.columns = Some(
            strings(columns)
                .ok_or_else(|| spec.error("`load_args.columns` must be a list of column names"))?,
        );
    }
    read.n_rows = spec
        .take_load_as::<usize>("nrows")?
        .or(spec.take_load_as::<usize>("n_rows")?);
    read.skip_rows = spec
        .take_load_as::<usize>("skiprows")?
        .or(spec.take_load_as::<usize>("skip_rows")?);
    if let Some(encoding) = spec.take_load_as::<String>("encoding")? {
        match encoding.to_ascii_lowercase().replace('_', "-").as_str() {
            "utf-8" | "utf8" => {}
            "utf8-lossy" | "utf-8-lossy" => read.lossy_utf8 = true,
            "latin-1" | "latin1" | "iso-8859-1" | "iso8859-1" | "l1" => read.latin1 = true,
            other => return Err(spec.error(format!("`load_args.encoding: {other}` is not supported")).with_help("Weir reads UTF-8 (`utf-8`, or `utf8-lossy` to replace invalid bytes) and Latin-1 (`latin-1`); convert the file to UTF-8")),
        }
    }
    if let Some(bad) = spec.take_load_as::<String>("on_bad_lines")? {
        read.on_bad_lines = match bad.as_str() {
            "error" => BadLines::Error,
            "warn" => BadLines::Warn,
            "skip" => BadLines::Skip,
            other => {
                return Err(spec
                    .error(format!("`load_args.on_bad_lines: {other}` is not supported"))
                    .with_help("use `error` (refuse the file), `warn` or `skip` (drop rows with too many fields)"));
            }
        };
    }
    if spec.take_load_as::<bool>("truncate_ragged_lines")? == Some(true) {
        read.on_bad_lines = BadLines::Truncate;
    }
    if let Some(na) = spec
        .take_load("na_values")
        .or(spec.take_load("null_values"))
    {
        read.null_values = Some(strings(na).ok_or_else(|| {
            spec.error("`load_args.na_values` must be a string or a list of strings")
        })?);
    }
    if let Some(q) = spec.take_load("quotechar").or(spec.take_load("quote_char")) {
        read.quote_char = Some(match q {
            serde_json::Value::Null => None,
            serde_json::Value::String(s) => Some(one_byte(spec, "load_args.quotechar", &s)?),
            other => {
                return Err(spec.error(format!(
                    "`load_args.quotechar: {other}` must be one character"
                )));
            }
        });
    }
    read.comment_prefix = spec
        .take_load_as::<String>("comment")?
        .or(spec.take_load_as::<String>("comment_prefix")?);
    if let Some(dates) = spec
        .take_load("parse_dates")
        .or(spec.take_load("try_parse_dates"))
    {
        read.try_parse_dates = !matches!(
            dates,
            serde_json::Value::Bool(false) | serde_json::Value::Null
        );
    }
    if let Some(n) = spec.take_load("infer_schema_length") {
        read.infer_schema_length = Some(n.as_u64().and_then(|n| usize::try_from(n).ok()));
    }
    if let Some(decimal) = spec.take_load_as::<String>("decimal")? {
        read.decimal_comma = decimal == ",";
    }
    read.decimal_comma |= spec.take_load_as::<bool>("decimal_comma")?.unwrap_or(false);
    if let Some(types) = spec
        .take_load("dtype")
        .or(spec.take_load("schema_overrides"))
    {
        let serde_json::Value::Object(map) = types else {
            return Err(spec.error("`load_args.dtype` must map column names to types"));
        };
        for (column, name) in map {
            let name = name.as_str().unwrap_or_default().to_owned();
            read.dtypes
                .push((column.clone(), dtype(spec, &column, &name)?));
        }
    }
    if let Some(index) = spec.take_load("index_col")
        && !index.is_null()
    {
        return Err(spec
            .error("`load_args.index_col` is not supported: polars DataFrames have no index")
            .with_help("remove it; the column stays an ordinary column"));
    }
    if format == FrameFormat::Json {
        if spec.take_load_as::<bool>("lines")? == Some(true) {
            return finish(spec, filepath, version, FrameFormat::NdJson, read, write);
        }
        if let Some(orient) = spec.take_load_as::<String>("orient")?
            && orient != "records"
        {
            return Err(spec
                .error(format!("`load_args.orient: {orient}` is not supported"))
                .with_help(
                    "Weir reads JSON records (`orient: records`) or JSON lines (`lines: true`)",
                ));
        }
    }

    if let Some(sep) = spec
        .take_save_as::<String>("sep")?
        .or(spec.take_save_as::<String>("separator")?)
    {
        write.separator = Some(one_byte(spec, "save_args.sep", &sep)?);
    }
    write.include_header = spec
        .take_save_as::<bool>("header")?
        .or(spec.take_save_as::<bool>("include_header")?);
    if let Some(index) = spec.take_save("index")
        && index == serde_json::Value::Bool(true)
    {
        return Err(spec
            .error("`save_args.index: true` is not supported: polars DataFrames have no index")
            .with_help("remove it, or set `index: false`"));
    }
    if let Some(encoding) = spec.take_save_as::<String>("encoding")?
        && !matches!(encoding.to_ascii_lowercase().as_str(), "utf-8" | "utf8")
    {
        return Err(spec.error(format!(
            "`save_args.encoding: {encoding}` is not supported; Weir writes UTF-8"
        )));
    }
    if let Some(q) = spec
        .take_save_as::<String>("quotechar")?
        .or(spec.take_save_as::<String>("quote_char")?)
    {
        write.quote_char = Some(one_byte(spec, "save_args.quotechar", &q)?);
    }
    write.null_value = spec
        .take_save_as::<String>("na_rep")?
        .or(spec.take_save_as::<String>("null_value")?);
    write.date_format = spec.take_save_as::<String>("date_format")?;
    write.datetime_format = spec.take_save_as::<String>("datetime_format")?;
    if let Some(float) = spec.take_save_as::<String>("float_format")? {
        let precision = float
            .strip_prefix("%.")
            .and_then(|r| r.strip_suffix('f'))
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| {
                spec.error(format!(
                    "`save_args.float_format: {float}` is not supported; use the form `%.3f`"
                ))
            })?;
        write.float_precision = Some(precision);
    }
    write.float_precision = write
        .float_precision
        .or(spec.take_save_as::<usize>("float_precision")?);
    write.line_terminator = spec
        .take_save_as::<String>("lineterminator")?
        .or(spec.take_save_as::<String>("line_terminator")?);
    write.include_bom = spec.take_save_as::<bool>("include_bom")?.unwrap_or(false);
    if let Some(decimal) = spec.take_save_as::<String>("decimal")? {
        write.decimal_comma = decimal == ",";
    }
    if let Some(compression) = spec.take_save("compression") {
        let text = match compression {
            serde_json::Value::Null => "none".to_owned(),
            serde_json::Value::String(s) => s.to_ascii_lowercase(),
            other => {
                return Err(spec.error(format!("`save_args.compression: {other}` must be a name")));
            }
        };
        let allowed: &[&str] = match format {
            FrameFormat::Parquet => &[
                "snappy",
                "zstd",
                "gzip",
                "brotli",
                "lz4",
                "none",
                "uncompressed",
            ],
            FrameFormat::Ipc => &["lz4", "none", "uncompressed"],
            _ => &[],
        };
        if !allowed.contains(&text.as_str()) {
            return Err(spec
                .error(format!(
                    "`save_args.compression: {text}` is not supported for {}",
                    format.name()
                ))
                .with_help(if allowed.is_empty() {
                    "this format is written uncompressed".to_owned()
                } else {
                    format!("use one of {}", allowed.join(", "))
                }));
        }
        write.compression = Some(text);
    }
    write.row_group_size = spec.take_save_as::<usize>("row_group_size")?;
    if format == FrameFormat::Json
        && let Some(orient) = spec.take_save_as::<String>("orient")?
        && orient != "records"
    {
        return Err(spec
            .error(format!("`save_args.orient: {orient}` is not supported"))
            .with_help(
                "Weir writes JSON records (`orient: records`) or JSON lines (`lines: true`)",
            ));
    }
    let format = if format == FrameFormat::Json && spec.take_save_as::<bool>("lines")? == Some(true)
    {
        FrameFormat::NdJson
    } else {
        format
    };
    finish(spec, filepath, version, format, read, write)
}

fn finish(
    spec: &DatasetSpec,
    filepath: std::path::PathBuf,
    version: Option<weir_config::VersionSpec>,
    format: FrameFormat,
    read: ReadOptions,
    write: WriteOptions,
) -> Result<FrameDataset, ConfigError> {
    Ok(FrameDataset {
        target: Target::new(filepath, version),
        format,
        read,
        write,
        type_name: spec.registered_type.clone(),
    })
}
