//! Integration tests of weir-statsd: the hook on real pipelines, sending to an in-process UDP
//! listener; the Grafana dashboard against what the hook sends.

#![allow(clippy::unwrap_used, clippy::new_without_default, missing_docs)]

mod dashboard;
mod hook;

use std::collections::BTreeMap;
use std::net::UdpSocket;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use weir::polars::prelude::*;
use weir::prelude::*;
use weir_statsd::{StatsdConfig, StatsdHook};

/// A UDP socket standing in for the StatsD daemon, read by a thread so that no datagram
/// waits in the kernel's buffer.
pub struct Listener {
    port: u16,
    received: Arc<Mutex<Vec<(Instant, String)>>>,
}

impl Listener {
    pub fn new() -> Self {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = socket.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&received);
        std::thread::spawn(move || {
            let mut buffer = [0u8; 65_536];
            while let Ok(n) = socket.recv(&mut buffer) {
                let text = String::from_utf8_lossy(&buffer[..n]).into_owned();
                sink.lock().unwrap().push((Instant::now(), text));
            }
        });
        Self { port, received }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Every line received so far, once nothing has arrived for 200 ms (the datagrams of a
    /// finished run are all in flight).
    pub fn lines(&self) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            std::thread::sleep(Duration::from_millis(50));
            let quiet = self
                .received
                .lock()
                .unwrap()
                .last()
                .is_none_or(|(at, _)| at.elapsed() > Duration::from_millis(200));
            if quiet || Instant::now() > deadline {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(150));
        let datagrams = std::mem::take(&mut *self.received.lock().unwrap());
        datagrams
            .iter()
            .flat_map(|(_, text)| text.lines().map(str::to_owned).collect::<Vec<_>>())
            .collect()
    }
}

/// A received line split into name, value, type and the rest.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub name: String,
    pub value: f64,
    pub kind: String,
    pub rate: Option<f64>,
    pub tags: BTreeMap<String, String>,
}

pub fn parse(line: &str) -> Line {
    let (name, rest) = line
        .split_once(':')
        .unwrap_or_else(|| panic!("no ':' in {line:?}"));
    let mut fields = rest.split('|');
    let value = fields.next().unwrap().parse().unwrap();
    let kind = fields.next().unwrap().to_owned();
    let mut rate = None;
    let mut tags = BTreeMap::new();
    for field in fields {
        if let Some(r) = field.strip_prefix('@') {
            rate = Some(r.parse().unwrap());
        } else if let Some(t) = field.strip_prefix('#') {
            for tag in t.split(',') {
                let (k, v) = tag.split_once(':').unwrap_or((tag, ""));
                tags.insert(k.to_owned(), v.to_owned());
            }
        } else {
            panic!("unexpected field {field:?} in {line:?}");
        }
    }
    Line {
        name: name.to_owned(),
        value,
        kind,
        rate,
        tags,
    }
}

fn make_table(rows: u64) -> DataFrame {
    df!("id" => (0..rows).collect::<Vec<u64>>(), "value" => (0..rows).map(|i| i as f64 * 0.5).collect::<Vec<f64>>()).unwrap()
}

fn double(table: DataFrame) -> PolarsResult<DataFrame> {
    let mut doubled = table.vstack(&table)?;
    doubled.rechunk_mut();
    Ok(doubled)
}

fn count(table: DataFrame) -> u64 {
    table.height() as u64
}

/// `make_table` (namespace `ingest`) → `double` → `count`, on memory datasets.
pub fn small_pipeline() -> Pipeline {
    Pipeline::new([
        node(make_table)
            .inputs("rows")
            .outputs("ingest.table")
            .name("make_table")
            .namespace("ingest"),
        node(double)
            .inputs("ingest.table")
            .outputs("doubled")
            .name("double-node"),
        node(count)
            .inputs("doubled")
            .outputs("row_count")
            .name("count"),
    ])
}

pub fn small_catalog(rows: u64) -> Catalog {
    let mut catalog = Catalog::new();
    catalog.add_value("rows", rows);
    catalog
}

/// A hook sending to `listener` with the given settings.
pub fn hook_for(
    listener: &Listener,
    configure: impl FnOnce(StatsdConfig) -> StatsdConfig,
) -> StatsdHook {
    StatsdHook::with_config(configure(StatsdConfig::new("127.0.0.1", listener.port())))
}
