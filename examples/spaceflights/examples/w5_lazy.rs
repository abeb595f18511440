//! Scratch: W5's data processing as one streaming polars plan per node.
#![allow(clippy::unwrap_used, missing_docs)]
use std::sync::Arc;
use std::time::Instant;
use weir::polars::prelude::*;

fn hwm() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM"))
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse::<u64>()
        .unwrap()
        / 1024
}
fn is_true(name: &str) -> Expr {
    col(name).eq(lit("t")).fill_null(lit(false)).alias(name)
}
fn number(name: &'static str, strip: &'static [char], scale: f64) -> Expr {
    col(name).map(
        move |c: Column| {
            let values = c.str()?;
            let mut buf = String::new();
            let out: Float64Chunked = values
                .iter()
                .map(|v| {
                    v.and_then(|t| {
                        buf.clear();
                        buf.extend(t.chars().filter(|ch| !strip.contains(ch)));
                        buf.trim().parse::<f64>().ok().map(|x| x / scale)
                    })
                })
                .collect();
            Ok(out.with_name(c.name().clone()).into_column())
        },
        |_, f| Ok(Field::new(f.name().clone(), DataType::Float64)),
    )
}
fn sink(lf: LazyFrame, path: &str) {
    let options = ParquetWriteOptions {
        compression: ParquetCompression::Snappy,
        ..Default::default()
    };
    lf.sink(
        SinkDestination::File {
            target: SinkTarget::Path(PlRefPath::new(path)),
        },
        FileWriteFormat::Parquet(Arc::new(options)),
        UnifiedSinkArgs::default(),
    )
    .unwrap()
    .collect_with_engine(Engine::Streaming)
    .unwrap();
}
fn csv(path: String) -> LazyFrame {
    LazyCsvReader::new(PlRefPath::new(path)).finish().unwrap()
}
fn pq(path: &str) -> LazyFrame {
    LazyFrame::scan_parquet(PlRefPath::new(path), ScanArgsParquet::default()).unwrap()
}
fn merge(left: LazyFrame, right: LazyFrame, l: &str, r: &str) -> LazyFrame {
    let mut args = JoinArgs::new(JoinType::Inner).with_coalesce(JoinCoalesce::KeepColumns);
    args.maintain_order = MaintainOrderJoin::Left;
    left.join(right, [col(l)], [col(r)], args)
}

fn main() {
    let raw = std::env::args().nth(1).unwrap();
    let phase = std::env::args().nth(2).unwrap_or_default();
    let t = Instant::now();
    if phase.is_empty() || phase == "companies" {
        sink(
            csv(format!("{raw}/companies.csv")).with_columns([
                is_true("iata_approved"),
                number("company_rating", &['%'], 100.0),
            ]),
            "/tmp/lc.parquet",
        );
        eprintln!("companies {:?} hwm {}", t.elapsed(), hwm());
    }
    if phase.is_empty() || phase == "shuttles" {
        sink(
            csv(format!("{raw}/shuttles.csv")).with_columns([
                is_true("d_check_complete"),
                is_true("moon_clearance_complete"),
                number("price", &['$', ','], 1.0),
            ]),
            "/tmp/ls.parquet",
        );
        eprintln!("shuttles {:?} hwm {}", t.elapsed(), hwm());
    }
    if phase.is_empty() || phase == "table" {
        let s = pq("/tmp/ls.parquet").drop_nulls(None);
        let c = pq("/tmp/lc.parquet").drop_nulls(None);
        let r = csv(format!("{raw}/reviews.csv")).drop_nulls(None);
        let rated = merge(s, r, "id", "shuttle_id").drop(Selector::ByName {
            names: [PlSmallStr::from_static("id")].into(),
            strict: true,
        });
        sink(merge(rated, c, "company_id", "id"), "/tmp/lm.parquet");
        eprintln!("table {:?} hwm {}", t.elapsed(), hwm());
    }
    if phase.is_empty() || phase == "check" {
        let a = ParquetReader::new(std::fs::File::open("/tmp/lm.parquet").unwrap())
            .finish()
            .unwrap();
        let b = ParquetReader::new(std::fs::File::open(std::env::args().nth(3).unwrap()).unwrap())
            .finish()
            .unwrap();
        eprintln!("rows {} equal {}", a.height(), a.equals_missing(&b));
    }
}
