//! Only the benchmark in `benches/overhead.rs`: `cargo bench -p statsd_overhead`.
