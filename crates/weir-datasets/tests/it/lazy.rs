use polars::prelude::*;
use weir_core::{HookManager, Pipeline, RunParams, Runner, SequentialRunner, node};

use crate::catalog;

fn frame() -> DataFrame {
    df!(
        "id" => [1_i64, 2, 3, 4],
        "name" => [Some("a"), None, Some("c;d"), Some("e")],
        "price" => [1.5_f64, 2.25, -3.0, 8.0],
    )
    .unwrap()
}

#[test]
fn every_streamable_format_round_trips_a_lazy_frame() {
    let dir = tempfile::tempdir().unwrap();
    let text = "
csv: {type: polars.LazyPolarsDataset, file_format: csv, filepath: data/x.csv}
parquet: {type: polars.LazyPolarsDataset, file_format: parquet, filepath: data/x.parquet, save_args: {compression: zstd}}
ipc: {type: polars.LazyPolarsDataset, file_format: ipc, filepath: data/x.arrow}
ndjson: {type: polars.LazyPolarsDataset, file_format: ndjson, filepath: data/x.ndjson}
";
    let catalog = catalog(text, dir.path(), Default::default()).unwrap();
    for name in ["csv", "parquet", "ipc", "ndjson"] {
        catalog.save(name, frame().lazy()).unwrap();
        let loaded = catalog
            .load_as::<LazyFrame>(name)
            .unwrap()
            .collect()
            .unwrap();
        assert!(loaded.equals_missing(&frame()), "{name}: {loaded}");
    }
    // The files are ordinary files: the eager datasets read what the lazy ones wrote.
    let eager = crate::catalog(
        "e: {type: polars.ParquetDataset, filepath: data/x.parquet}",
        dir.path(),
        Default::default(),
    )
    .unwrap();
    assert!(
        eager
            .load_as::<DataFrame>("e")
            .unwrap()
            .equals_missing(&frame())
    );
    // No temporary files are left beside the saved ones.
    let names: Vec<String> = std::fs::read_dir(dir.path().join("data"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains("weir-tmp")), "{names:?}");
}

#[test]
fn load_args_apply_to_the_scan() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    std::fs::write(
        dir.path().join("data/raw.csv"),
        "id;name;price\n1;a;1.5\n2;NA;2.0\n3;c;4.5\n",
    )
    .unwrap();
    let text = "raw: {type: polars.LazyPolarsDataset, file_format: csv, filepath: data/raw.csv, load_args: {sep: ';', na_values: [NA], usecols: [id, name], nrows: 2}}";
    let catalog = catalog(text, dir.path(), Default::default()).unwrap();
    let loaded = catalog
        .load_as::<LazyFrame>("raw")
        .unwrap()
        .collect()
        .unwrap();
    let expected = df!("id" => [1_i64, 2], "name" => [Some("a"), None]).unwrap();
    assert!(loaded.equals_missing(&expected), "{loaded}");
}

#[test]
fn lazy_nodes_run_as_one_query_from_scan_to_file() {
    let dir = tempfile::tempdir().unwrap();
    let text = "
prices: {type: polars.LazyPolarsDataset, file_format: csv, filepath: data/01_raw/prices.csv}
positive: {type: polars.LazyPolarsDataset, file_format: parquet, filepath: data/02_intermediate/positive.parquet}
";
    let catalog = catalog(text, dir.path(), Default::default()).unwrap();
    catalog.save("prices", frame().lazy()).unwrap();
    let pipeline = Pipeline::new([
        // The filter is pushed into the CSV scan; the result streams into the Parquet file.
        node(|prices: LazyFrame| {
            prices
                .filter(col("price").gt(lit(0.0)))
                .with_column((col("price") * lit(2.0)).alias("doubled"))
        })
        .inputs("prices")
        .outputs("kept")
        .name("keep_positive"),
        node(|kept: LazyFrame| kept.drop_nulls(None))
            .inputs("kept")
            .outputs("positive")
            .name("complete_rows"),
    ]);
    SequentialRunner::new()
        .run(&pipeline, &catalog, &HookManager::new(), &RunParams::new())
        .unwrap();
    let saved = ParquetReader::new(
        std::fs::File::open(dir.path().join("data/02_intermediate/positive.parquet")).unwrap(),
    )
    .finish()
    .unwrap();
    let expected = df!(
        "id" => [1_i64, 4],
        "name" => ["a", "e"],
        "price" => [1.5_f64, 8.0],
        "doubled" => [3.0_f64, 16.0],
    )
    .unwrap();
    assert!(saved.equals_missing(&expected), "{saved}");
}

#[test]
fn a_query_that_fails_leaves_the_saved_file_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = catalog(
        "t: {type: polars.LazyPolarsDataset, file_format: parquet, filepath: data/t.parquet}",
        dir.path(),
        Default::default(),
    )
    .unwrap();
    catalog.save("t", frame().lazy()).unwrap();
    // "c;d" is not a number: the query fails while streaming.
    let failing = frame()
        .lazy()
        .with_column(col("name").strict_cast(DataType::Int64));
    let error = catalog.save("t", failing).unwrap_err().to_string();
    assert!(error.contains("data/t.parquet"), "{error}");
    let loaded = catalog
        .load_as::<LazyFrame>("t")
        .unwrap()
        .collect()
        .unwrap();
    assert!(loaded.equals_missing(&frame()), "{loaded}");
    let names: Vec<String> = std::fs::read_dir(dir.path().join("data"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["t.parquet"]);
}

#[test]
fn a_missing_file_is_reported_at_load_not_inside_the_node() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = catalog(
        "raw: {type: polars.LazyPolarsDataset, file_format: csv, filepath: data/01_raw/nope.csv}",
        dir.path(),
        Default::default(),
    )
    .unwrap();
    let error = catalog.load("raw").unwrap_err().to_string();
    assert!(error.contains("data/01_raw/nope.csv"), "{error}");
    assert!(error.contains("no such file"), "{error}");
}

#[test]
fn formats_that_cannot_stream_are_refused_with_a_fix() {
    let dir = tempfile::tempdir().unwrap();
    for (entry, expected) in [
        (
            "t: {type: polars.LazyPolarsDataset, file_format: json, filepath: t.json}",
            "cannot be scanned lazily",
        ),
        (
            "t: {type: polars.LazyPolarsDataset, filepath: t.csv}",
            "needs `file_format`",
        ),
        (
            "t: {type: polars.LazyPolarsDataset, file_format: avro, filepath: t.avro}",
            "`file_format: avro` is not supported",
        ),
    ] {
        let error = match catalog(entry, dir.path(), Default::default()) {
            Ok(_) => panic!("{entry} was accepted"),
            Err(error) => format!("{error:?} {error}"),
        };
        assert!(error.contains(expected), "{entry}: {error}");
        assert!(error.contains("catalog.yml:1:1"), "{entry}: {error}");
    }
}
