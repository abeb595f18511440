//! Pipeline monitoring for Weir: StatsD metrics from lifecycle hooks, and a Grafana dashboard.
//!
//! Register [`StatsdHook`] on the project (`Project::plugin`) and every run sends, over UDP to a StatsD daemon
//! (Etsy's `statsd`, Datadog's agent, Telegraf, `statsd_exporter`...):
//!
//! | metric | type | what |
//! | --- | --- | --- |
//! | `run.started`, `run.succeeded`, `run.failed` | counter | runs, by pipeline |
//! | `run.duration` | timer | a run's wall time, successful or not |
//! | `node.duration` | timer | a node's function time |
//! | `node.failed` | counter | a node failed (function, load or save) |
//! | `nodes.running` | gauge | nodes running now (above 1 under the parallel runner) |
//! | `dataset.load.duration`, `dataset.save.duration` | timer | a load's or save's time |
//! | `dataset.load.rows`, `.load.bytes`, `.save.rows`, `.save.bytes` | gauge | table sizes |
//! | `dataset.load.failed`, `dataset.save.failed` | counter | failed loads and saves |
//!
//! With the default `graphite` tag style the subject follows the first segment
//! (`weir.node.split_data_node.duration`, `weir.dataset.model_input_table.save.rows`,
//! `weir.run.__default__.succeeded`), sanitised so that a namespace's dots or a space never
//! make new path segments. With `tag_style: dogstatsd` the names stay fixed and the context
//! goes into tags: `weir.node.duration:12.5|ms|#pipeline:__default__,node:split_data_node`.
//!
//! The dashboard `grafana/weir-pipelines.json` in this crate reads the `graphite` style through
//! a Graphite data source; its README tells how to import it.
//!
//! Unlike Kedro's example hook, sizes are rows and bytes of tables (not `sys.getsizeof` of a
//! DataFrame object), outputs are measured as well as inputs, failures are counted, and names
//! are sanitised.

mod client;
mod config;
mod hook;
mod metrics;
mod names;

pub use client::SendStats;
pub use config::{StatsdConfig, TagStyle};
pub use hook::StatsdHook;
pub use names::{MetricKind, MetricName, sanitise_segment};
