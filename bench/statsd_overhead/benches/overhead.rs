//! What the StatsD hook adds to weir-core's overhead benchmark: a chain of `u64 + 1` nodes on
//! memory datasets, without hooks, with the hook sending to a local UDP socket, and with the hook
//! disabled in `statsd.yml` terms (`enabled: false`).
//!
//! `cargo bench -p statsd_overhead`; per-node figures are the reported time divided
//! by the number of nodes (see BENCHMARKS.md).

use std::net::UdpSocket;

use weir_core::{Catalog, NoHooks, Pipeline, RunParams, Runner, SequentialRunner, node};
use weir_statsd::{StatsdConfig, StatsdHook, TagStyle};

fn main() {
    divan::main();
}

fn increment(x: u64) -> u64 {
    x + 1
}

/// `d0 -> n0 -> d1 -> n1 -> ... -> dN`.
fn chain(length: usize) -> Pipeline {
    Pipeline::new((0..length).map(|i| {
        node(increment)
            .inputs(format!("d{i}"))
            .outputs(format!("d{}", i + 1))
            .name(format!("n{i}"))
    }))
}

fn catalog() -> Catalog {
    let mut catalog = Catalog::new();
    catalog.add_value("d0", 0_u64);
    catalog
}

/// A socket standing in for the daemon: bound, so datagrams are delivered (and, unread, dropped
/// by the kernel once its buffer is full, as a busy daemon's would be).
fn daemon() -> UdpSocket {
    UdpSocket::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("cannot bind a UDP socket: {e}"))
}

fn run(pipeline: &Pipeline, hooks: &dyn weir_core::Hooks) {
    SequentialRunner::new()
        .run(
            pipeline,
            &catalog(),
            hooks,
            &RunParams::with_run_id("bench"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
}

#[divan::bench(args = [1_000, 10_000], sample_count = 10)]
fn chain_no_hooks(bencher: divan::Bencher, length: usize) {
    let pipeline = chain(length);
    bencher.bench(|| run(&pipeline, &NoHooks));
}

fn statsd_hook(socket: &UdpSocket, style: TagStyle, enabled: bool) -> StatsdHook {
    let port = socket.local_addr().map(|a| a.port()).unwrap_or(9);
    let mut config = StatsdConfig::new("127.0.0.1", port).tag_style(style);
    config.enabled = enabled;
    StatsdHook::with_config(config)
}

#[divan::bench(args = [1_000, 10_000], sample_count = 10)]
fn chain_statsd_graphite(bencher: divan::Bencher, length: usize) {
    let pipeline = chain(length);
    let socket = daemon();
    let hook = statsd_hook(&socket, TagStyle::Graphite, true);
    bencher.bench(|| run(&pipeline, &hook));
}

#[divan::bench(args = [1_000, 10_000], sample_count = 10)]
fn chain_statsd_dogstatsd(bencher: divan::Bencher, length: usize) {
    let pipeline = chain(length);
    let socket = daemon();
    let hook = statsd_hook(&socket, TagStyle::Dogstatsd, true);
    bencher.bench(|| run(&pipeline, &hook));
}

#[divan::bench(args = [1_000, 10_000], sample_count = 10)]
fn chain_statsd_disabled(bencher: divan::Bencher, length: usize) {
    let pipeline = chain(length);
    let socket = daemon();
    let hook = statsd_hook(&socket, TagStyle::Graphite, false);
    bencher.bench(|| run(&pipeline, &hook));
}
