//! Excel workbooks (xlsx, xlsm, xlsb, xls, ods) read into DataFrames with calamine, with the
//! column types pandas (`read_excel`, openpyxl) infers: integer columns stay integers, a
//! column with a decimal or an empty cell becomes float, text columns are strings, dates are
//! datetimes.

use std::io::Cursor;

use calamine::{Data, Reader, open_workbook_auto_from_rs};
use polars::prelude::*;
use weir_config::{ConfigError, DatasetSpec};
use weir_core::{Dataset, DatasetError};

use crate::fs::{Target, read_file};

/// Which sheet to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sheet {
    /// By position, from 0.
    Index(usize),
    /// By name.
    Name(String),
}

/// An Excel sheet as a DataFrame (`pandas.ExcelDataset`). Reading only.
pub struct ExcelDataset {
    target: Target,
    sheet: Sheet,
    header: Option<usize>,
    skip_rows: usize,
    n_rows: Option<usize>,
    columns: Option<Vec<String>>,
}

impl ExcelDataset {
    /// The first sheet of a workbook, first row as header.
    pub fn new(target: Target) -> Self {
        Self {
            target,
            sheet: Sheet::Index(0),
            header: Some(0),
            skip_rows: 0,
            n_rows: None,
            columns: None,
        }
    }

    /// Reads a workbook from bytes.
    pub fn read_bytes(
        &self,
        bytes: Vec<u8>,
        path: &std::path::Path,
    ) -> Result<DataFrame, DatasetError> {
        let fail = |message: String| {
            DatasetError::message(format!("cannot read {}: {message}", path.display()))
        };
        let size = bytes.len();
        let head: Vec<u8> = bytes.iter().take(64).copied().collect();
        let mut workbook = open_workbook_auto_from_rs(Cursor::new(bytes))
            .map_err(|e| fail(unreadable_workbook(&head, size, &e.to_string())))?;
        let names = workbook.sheet_names();
        let range = match &self.sheet {
            Sheet::Index(i) => workbook.worksheet_range_at(*i).ok_or_else(|| {
                fail(format!(
                    "there is no sheet {i} (the workbook has {} sheets: {})",
                    names.len(),
                    names.join(", ")
                ))
            })?,
            Sheet::Name(name) => {
                if !names.contains(name) {
                    return Err(fail(format!(
                        "there is no sheet named {name:?} (sheets: {})",
                        names.join(", ")
                    )));
                }
                workbook.worksheet_range(name)
            }
        }
        .map_err(|e| fail(e.to_string()))?;
        let rows: Vec<&[Data]> = range.rows().skip(self.skip_rows).collect();
        let width = range.width();
        let (names, body): (Vec<String>, &[&[Data]]) = match self.header {
            Some(h) if h < rows.len() => (
                (0..width)
                    .map(|c| match rows[h].get(c) {
                        Some(Data::Empty) | None => format!("Unnamed: {c}"),
                        Some(cell) => cell_text(cell),
                    })
                    .collect(),
                &rows[h + 1..],
            ),
            Some(_) => (Vec::new(), &[]),
            None => ((0..width).map(|c| c.to_string()).collect(), &rows[..]),
        };
        let body = match self.n_rows {
            Some(n) => &body[..n.min(body.len())],
            None => body,
        };
        let mut columns = Vec::with_capacity(names.len());
        for (c, name) in names.iter().enumerate() {
            if let Some(wanted) = &self.columns
                && !wanted.contains(name)
            {
                continue;
            }
            let cells: Vec<&Data> = body
                .iter()
                .map(|row| row.get(c).unwrap_or(&Data::Empty))
                .collect();
            columns.push(infer_column(name, &cells).map_err(|e| fail(e.to_string()))?);
        }
        if let Some(wanted) = &self.columns {
            let missing: Vec<&String> = wanted.iter().filter(|w| !names.contains(w)).collect();
            if !missing.is_empty() {
                return Err(fail(format!(
                    "columns not found: {missing:?} (columns: {names:?})"
                )));
            }
        }
        DataFrame::new_infer_height(columns).map_err(|e| fail(e.to_string()))
    }
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Bool(b) => if *b { "True" } else { "False" }.to_owned(),
        Data::DateTime(d) => d.as_f64().to_string(),
        Data::Error(e) => format!("#{e:?}"),
        Data::Empty => String::new(),
    }
}

/// One column, typed as pandas would type it.
fn infer_column(name: &str, cells: &[&Data]) -> PolarsResult<Column> {
    let (mut empty, mut ints, mut floats, mut texts, mut bools, mut dates) =
        (false, false, false, false, false, false);
    for cell in cells {
        match cell {
            Data::Empty | Data::Error(_) => empty = true,
            Data::Int(_) => ints = true,
            Data::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => ints = true,
            Data::Float(_) => floats = true,
            Data::String(_) | Data::DateTimeIso(_) | Data::DurationIso(_) => texts = true,
            Data::Bool(_) => bools = true,
            Data::DateTime(d) if d.is_datetime() => dates = true,
            Data::DateTime(_) => floats = true,
        }
    }
    let name = PlSmallStr::from(name);
    let numeric = ints || floats;
    if texts || (bools && numeric) || (dates && (numeric || bools)) {
        let values: Vec<Option<String>> = cells
            .iter()
            .map(|c| match c {
                Data::Empty | Data::Error(_) => None,
                other => Some(cell_text(other)),
            })
            .collect();
        return Ok(Column::new(name, values));
    }
    if dates {
        #[allow(clippy::cast_possible_truncation)]
        let millis: Vec<Option<i64>> = cells
            .iter()
            .map(|c| match c {
                Data::DateTime(d) => Some(((d.as_f64() - 25569.0) * 86_400_000.0).round() as i64),
                _ => None,
            })
            .collect();
        return Column::new(name, millis).cast(&DataType::Datetime(TimeUnit::Milliseconds, None));
    }
    if bools {
        let values: Vec<Option<bool>> = cells
            .iter()
            .map(|c| {
                if let Data::Bool(b) = c {
                    Some(*b)
                } else {
                    None
                }
            })
            .collect();
        return Ok(Column::new(name, values));
    }
    if ints && !floats && !empty {
        #[allow(clippy::cast_possible_truncation)]
        let values: Vec<i64> = cells
            .iter()
            .map(|c| match c {
                Data::Int(i) => *i,
                Data::Float(f) => *f as i64,
                _ => 0,
            })
            .collect();
        return Ok(Column::new(name, values));
    }
    #[allow(clippy::cast_precision_loss)]
    let values: Vec<Option<f64>> = cells
        .iter()
        .map(|c| match c {
            Data::Int(i) => Some(*i as f64),
            Data::Float(f) => Some(*f),
            _ => None,
        })
        .collect();
    Ok(Column::new(name, values))
}

impl Dataset for ExcelDataset {
    type Value = DataFrame;

    fn load(&self) -> Result<DataFrame, DatasetError> {
        let path = self.target.load_path()?;
        self.read_bytes(read_file(&path)?, &path)
    }

    fn save(&self, _: &DataFrame) -> Result<(), DatasetError> {
        Err(DatasetError::message(format!(
            "{}: Weir reads Excel files but does not write them; save this DataFrame as Parquet or CSV instead",
            self.target.filepath().display()
        )))
    }

    fn exists(&self) -> Result<bool, DatasetError> {
        Ok(self.target.exists())
    }

    fn release(&self) {
        self.target.release();
    }

    fn describe(&self) -> String {
        format!(
            "pandas.ExcelDataset({}, sheet={:?})",
            self.target.describe(),
            self.sheet
        )
    }

    fn type_name(&self) -> String {
        "pandas.ExcelDataset".to_owned()
    }
}

/// Reads an Excel entry's arguments (pandas `read_excel` vocabulary).
pub(crate) fn from_spec(spec: &mut DatasetSpec) -> Result<ExcelDataset, ConfigError> {
    let filepath = spec.take_filepath()?;
    let version = spec.take_version();
    let mut dataset = ExcelDataset::new(Target::new(filepath, version));
    if let Some(engine) = spec.take_load_as::<String>("engine")?
        && !matches!(
            engine.as_str(),
            "openpyxl" | "calamine" | "xlrd" | "odf" | "pyxlsb"
        )
    {
        return Err(spec.error(format!(
            "`load_args.engine: {engine}` is not a known Excel engine"
        )));
    }
    match spec.take_load("sheet_name") {
        None => {}
        Some(serde_json::Value::String(name)) => dataset.sheet = Sheet::Name(name),
        Some(serde_json::Value::Number(n)) if n.as_u64().is_some() => {
            dataset.sheet = Sheet::Index(usize::try_from(n.as_u64().unwrap_or(0)).unwrap_or(0));
        }
        Some(other) => return Err(spec.error(format!("`load_args.sheet_name: {other}` is not supported: give one sheet, by name or position (reading several sheets at once is not supported)"))),
    }
    match spec.take_load("header") {
        None => {}
        Some(serde_json::Value::Null) => dataset.header = None,
        Some(serde_json::Value::Number(n)) if n.as_u64().is_some() => {
            dataset.header = usize::try_from(n.as_u64().unwrap_or(0)).ok();
        }
        Some(other) => {
            return Err(spec.error(format!(
                "`load_args.header: {other}` must be a row number or null"
            )));
        }
    }
    dataset.skip_rows = spec.take_load_as::<usize>("skiprows")?.unwrap_or(0);
    dataset.n_rows = spec.take_load_as::<usize>("nrows")?;
    if let Some(columns) = spec.take_load("usecols").or(spec.take_load("columns")) {
        dataset.columns = Some(
            serde_json::from_value(columns)
                .map_err(|_| spec.error("`load_args.usecols` must be a list of column names"))?,
        );
    }
    Ok(dataset)
}

/// Why a file could not be opened as a workbook, told from its first bytes.
fn unreadable_workbook(head: &[u8], size: usize, error: &str) -> String {
    if size == 0 {
        return "the file is empty (0 bytes): it is not an Excel workbook".to_owned();
    }
    if head.starts_with(b"PK\x03\x04") {
        return format!(
            "the workbook is damaged or truncated: it starts as an .xlsx/.ods (zip) file but its {size} bytes cannot be read as one; save it again from the spreadsheet program"
        );
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return format!(
            "the workbook is damaged or truncated: it starts as an .xls file but its {size} bytes cannot be read as one; save it again from the spreadsheet program"
        );
    }
    if std::str::from_utf8(head).is_ok_and(|t| !t.contains('\0')) {
        let first_line = String::from_utf8_lossy(head);
        let first_line = first_line.lines().next().unwrap_or_default();
        return format!(
            "the file is text, not an Excel workbook (it starts with {first_line:?}); if it is CSV, use `type: pandas.CSVDataset`"
        );
    }
    format!("the file is not an Excel workbook (.xlsx, .xlsm, .xlsb, .xls or .ods): {error}")
}
