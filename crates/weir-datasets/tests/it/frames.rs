use polars::prelude::*;

use crate::catalog;

fn frame() -> DataFrame {
    df!(
        "id" => [1_i64, 2, 3],
        "name" => [Some("a"), None, Some("c;d")],
        "price" => [1.5_f64, 2.25, -3.0],
        "ok" => [true, false, true],
    )
    .unwrap()
}

#[test]
fn every_format_round_trips_a_frame() {
    let dir = tempfile::tempdir().unwrap();
    let text = "
csv: {type: polars.CSVDataset, filepath: data/x.csv}
parquet: {type: pandas.ParquetDataset, filepath: data/x.parquet}
json: {type: pandas.JSONDataset, filepath: data/x.json, load_args: {orient: records}, save_args: {orient: records}}
ndjson: {type: polars.NDJSONDataset, filepath: data/x.ndjson}
ipc: {type: polars.IPCDataset, filepath: data/x.arrow, save_args: {compression: lz4}}
feather: {type: pandas.FeatherDataset, filepath: data/x.feather}
eager: {type: polars.EagerPolarsDataset, file_format: parquet, filepath: data/e.parquet, save_args: {compression: zstd}}
";
    let catalog = catalog(text, dir.path(), Default::default()).unwrap();
    for name in [
        "csv", "parquet", "json", "ndjson", "ipc", "feather", "eager",
    ] {
        catalog.save(name, frame()).unwrap();
        let loaded = catalog.load_as::<DataFrame>(name).unwrap();
        assert!(loaded.equals_missing(&frame()), "{name}: {loaded}");
    }
}

#[test]
fn pandas_csv_arguments_are_translated() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    std::fs::write(
        dir.path().join("data/in.csv"),
        "# a comment\nid;label;value\n1;x;NA\n2;y;2,5\n3;z;7\n",
    )
    .unwrap();
    let text = "
semi:
  type: pandas.CSVDataset
  filepath: data/in.csv
  load_args: {sep: ';', comment: '#', na_values: [NA], decimal: ',', usecols: [id, value], dtype: {id: str}, engine: c}
  save_args: {sep: '|', index: false, na_rep: '-', float_format: '%.2f'}
";
    let catalog = catalog(text, dir.path(), Default::default()).unwrap();
    let loaded = catalog.load_as::<DataFrame>("semi").unwrap();
    assert_eq!(loaded.get_column_names(), ["id", "value"]);
    assert_eq!(loaded.column("id").unwrap().dtype(), &DataType::String);
    assert_eq!(
        loaded.column("value").unwrap().f64().unwrap().get(1),
        Some(2.5)
    );
    assert_eq!(loaded.column("value").unwrap().null_count(), 1);
    catalog.save("semi", loaded).unwrap();
    let written = std::fs::read_to_string(dir.path().join("data/in.csv")).unwrap();
    assert_eq!(written, "id|value\n1|-\n2|2.50\n3|7.00\n");
}

#[test]
fn unsupported_arguments_are_errors_not_silently_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "{type: pandas.CSVDataset, filepath: a.csv, load_args: {thousands: ','}}",
            "does not support `load_args.thousands`",
        ),
        (
            "{type: pandas.CSVDataset, filepath: a.csv, load_args: {encoding: cp1252}}",
            "`load_args.encoding: cp1252` is not supported",
        ),
        (
            "{type: pandas.CSVDataset, filepath: a.csv, load_args: {index_col: 0}}",
            "`load_args.index_col` is not supported",
        ),
        (
            "{type: pandas.CSVDataset, filepath: a.csv, save_args: {index: true}}",
            "`save_args.index: true` is not supported",
        ),
        (
            "{type: pandas.ParquetDataset, filepath: a.pq, save_args: {compression: lzo}}",
            "`save_args.compression: lzo` is not supported for parquet",
        ),
        (
            "{type: pandas.JSONDataset, filepath: a.json, load_args: {orient: columns}}",
            "`load_args.orient: columns` is not supported",
        ),
        (
            "{type: polars.EagerPolarsDataset, filepath: a.avro, file_format: avro}",
            "`file_format: avro` is not supported",
        ),
        (
            "{type: pandas.CSVDataset, filepath: a.csv, fs_args: {open_args_load: {mode: rb}}}",
            "does not support `fs_args`",
        ),
        ("{type: pandas.CSVDataset}", "needs a `filepath`"),
        (
            "{type: MemoryDataset, versioned: true}",
            "does not support `versioned`",
        ),
    ];
    for (entry, expected) in cases {
        let error = catalog(&format!("bad: {entry}\n"), dir.path(), Default::default())
            .err()
            .unwrap()
            .to_string();
        assert!(error.contains(expected), "{entry}\n  -> {error}");
        assert!(error.starts_with("catalog.yml:1:1: `bad`:"), "{error}");
    }
}

#[test]
fn missing_files_name_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = catalog(
        "raw: {type: pandas.CSVDataset, filepath: data/01_raw/nope.csv}\n",
        dir.path(),
        Default::default(),
    )
    .unwrap();
    let error = catalog.load("raw").unwrap_err().to_string();
    assert!(error.contains("data/01_raw/nope.csv"), "{error}");
    assert!(error.contains("no such file"), "{error}");
    assert!(!catalog.exists("raw").unwrap());
}

#[test]
fn transcoded_entries_share_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let text = "
cars@polars: {type: polars.ParquetDataset, filepath: data/cars.parquet}
cars@bytes: {type: bytes.BytesDataset, filepath: data/cars.parquet}
";
    let catalog = catalog(text, dir.path(), Default::default()).unwrap();
    catalog.save("cars@polars", frame()).unwrap();
    let bytes = catalog.load_as::<Vec<u8>>("cars@bytes").unwrap();
    assert_eq!(&bytes[..4], b"PAR1");
}
