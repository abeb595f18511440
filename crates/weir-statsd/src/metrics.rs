//! The metrics the hook sends, and how one is written on the wire.

use std::fmt::Write as _;

use crate::config::{StatsdConfig, TagStyle};

/// A StatsD metric type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricKind {
    /// `c`: added up per flush interval.
    Counter,
    /// `ms`: a duration in milliseconds; the daemon computes mean, upper, percentiles...
    Timer,
    /// `g`: the last value sent.
    Gauge,
}

impl MetricKind {
    /// The type field of the line protocol: `c`, `ms` or `g`.
    pub fn statsd_type(self) -> &'static str {
        match self {
            Self::Counter => "c",
            Self::Timer => "ms",
            Self::Gauge => "g",
        }
    }
}

/// Every metric the hook sends. The name is written after the prefix: `weir.node.duration`, or
/// with tags folded into the path (the `graphite` style) `weir.node.<node>.duration`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MetricName {
    /// A run began (counter, tag `pipeline`).
    RunStarted,
    /// A run finished without error (counter, tag `pipeline`).
    RunSucceeded,
    /// A run failed (counter, tag `pipeline`).
    RunFailed,
    /// How long a run took, successful or not (timer, tag `pipeline`).
    RunDuration,
    /// How long a node's function ran (timer, tags `pipeline`, `node`, `namespace`).
    NodeDuration,
    /// A node failed: its function, or a load or save of its data (counter, tags as above).
    NodeFailed,
    /// How many nodes are running now (gauge, tag `pipeline`): above 1 under the parallel
    /// runner.
    NodesRunning,
    /// How long a load took (timer, tags `pipeline`, `dataset`).
    DatasetLoadDuration,
    /// How long a save took (timer, tags `pipeline`, `dataset`).
    DatasetSaveDuration,
    /// Rows of a loaded table (gauge).
    DatasetLoadRows,
    /// Bytes of a loaded table in memory (gauge).
    DatasetLoadBytes,
    /// Rows of a saved table (gauge).
    DatasetSaveRows,
    /// Bytes of a saved table in memory (gauge).
    DatasetSaveBytes,
    /// A load failed (counter).
    DatasetLoadFailed,
    /// A save failed (counter).
    DatasetSaveFailed,
}

impl MetricName {
    /// Every metric, in the order of the documentation.
    pub const ALL: [Self; 15] = [
        Self::RunStarted,
        Self::RunSucceeded,
        Self::RunFailed,
        Self::RunDuration,
        Self::NodeDuration,
        Self::NodeFailed,
        Self::NodesRunning,
        Self::DatasetLoadDuration,
        Self::DatasetSaveDuration,
        Self::DatasetLoadRows,
        Self::DatasetLoadBytes,
        Self::DatasetSaveRows,
        Self::DatasetSaveBytes,
        Self::DatasetLoadFailed,
        Self::DatasetSaveFailed,
    ];

    /// The name without prefix, as in `sample_rates`: `node.duration`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RunStarted => "run.started",
            Self::RunSucceeded => "run.succeeded",
            Self::RunFailed => "run.failed",
            Self::RunDuration => "run.duration",
            Self::NodeDuration => "node.duration",
            Self::NodeFailed => "node.failed",
            Self::NodesRunning => "nodes.running",
            Self::DatasetLoadDuration => "dataset.load.duration",
            Self::DatasetSaveDuration => "dataset.save.duration",
            Self::DatasetLoadRows => "dataset.load.rows",
            Self::DatasetLoadBytes => "dataset.load.bytes",
            Self::DatasetSaveRows => "dataset.save.rows",
            Self::DatasetSaveBytes => "dataset.save.bytes",
            Self::DatasetLoadFailed => "dataset.load.failed",
            Self::DatasetSaveFailed => "dataset.save.failed",
        }
    }

    /// The metric called `name` (`node.duration`).
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == name)
    }

    /// Its StatsD type.
    pub fn kind(self) -> MetricKind {
        match self {
            Self::RunStarted
            | Self::RunSucceeded
            | Self::RunFailed
            | Self::NodeFailed
            | Self::DatasetLoadFailed
            | Self::DatasetSaveFailed => MetricKind::Counter,
            Self::RunDuration
            | Self::NodeDuration
            | Self::DatasetLoadDuration
            | Self::DatasetSaveDuration => MetricKind::Timer,
            Self::NodesRunning
            | Self::DatasetLoadRows
            | Self::DatasetLoadBytes
            | Self::DatasetSaveRows
            | Self::DatasetSaveBytes => MetricKind::Gauge,
        }
    }

    /// Whether a sample rate may apply (gauges keep their last value: never sampled).
    pub fn can_sample(self) -> bool {
        self.kind() != MetricKind::Gauge
    }

    /// Whether the configuration's `sample_rate` applies: the per-node and per-dataset
    /// durations, the high-volume metrics. Run counters are always sent.
    pub(crate) fn uses_default_rate(self) -> bool {
        matches!(
            self,
            Self::NodeDuration | Self::DatasetLoadDuration | Self::DatasetSaveDuration
        )
    }

    /// The path in the `graphite` style, where the subject (pipeline, node or dataset) follows
    /// the first segment: `weir` + `split_data_node` → `weir.node.split_data_node.duration`.
    /// The subject is sanitised for Graphite.
    pub fn graphite_path(self, prefix: &str, subject: &str) -> String {
        let mut out = String::new();
        self.write_graphite_path(&mut out, prefix, subject);
        out
    }

    fn write_graphite_path(self, out: &mut String, prefix: &str, subject: &str) {
        let (group, rest) = self.as_str().split_once('.').unwrap_or((self.as_str(), ""));
        push_prefix(out, prefix);
        out.push_str(group);
        out.push('.');
        push_sanitised_segment(out, subject);
        out.push('.');
        out.push_str(rest);
    }
}

/// The context of one metric.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context<'a> {
    pub pipeline: &'a str,
    /// The node's or dataset's name.
    pub subject: Option<&'a str>,
    /// The node's namespace, for nodes.
    pub namespace: Option<&'a str>,
}

/// A value on the wire.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Amount {
    Count(u64),
    Millis(f64),
    Level(u64),
}

/// Writes one line of the line protocol: `name:value|type[|@rate][|#tags]`.
pub(crate) fn write_line(
    out: &mut String,
    config: &StatsdConfig,
    metric: MetricName,
    amount: Amount,
    rate: f64,
    context: Context<'_>,
) {
    let subject_tag = match metric.as_str().split('.').next() {
        Some("node") => "node",
        Some("dataset") => "dataset",
        _ => "pipeline",
    };
    match config.tag_style {
        TagStyle::Graphite => {
            let subject = match subject_tag {
                "pipeline" => context.pipeline,
                _ => context.subject.unwrap_or("unknown"),
            };
            metric.write_graphite_path(out, &config.prefix, subject);
        }
        TagStyle::Dogstatsd | TagStyle::None => {
            push_prefix(out, &config.prefix);
            out.push_str(metric.as_str());
        }
    }
    out.push(':');
    // Writing to a String cannot fail.
    let _ = match amount {
        Amount::Count(n) | Amount::Level(n) => write!(out, "{n}"),
        Amount::Millis(ms) => write_millis(out, ms),
    };
    out.push('|');
    out.push_str(metric.kind().statsd_type());
    if rate < 1.0 {
        let _ = write!(out, "|@{rate}");
    }
    if config.tag_style == TagStyle::Dogstatsd {
        out.push_str("|#pipeline:");
        push_tag_value(out, context.pipeline);
        if subject_tag != "pipeline"
            && let Some(subject) = context.subject
        {
            out.push(',');
            out.push_str(subject_tag);
            out.push(':');
            push_tag_value(out, subject);
        }
        if let Some(namespace) = context.namespace.filter(|n| !n.is_empty()) {
            out.push_str(",namespace:");
            push_tag_value(out, namespace);
        }
        for (key, value) in &config.tags {
            out.push(',');
            push_tag_value(out, key);
            out.push(':');
            push_tag_value(out, value);
        }
    }
}

/// Milliseconds with microsecond precision, without trailing zeros (`12.5`, `0.003`, `7`).
fn write_millis(out: &mut String, ms: f64) -> std::fmt::Result {
    let micros = (ms.max(0.0) * 1000.0).round() as u64;
    let (whole, fraction) = (micros / 1000, micros % 1000);
    if fraction == 0 {
        write!(out, "{whole}")
    } else {
        let digits = format!("{fraction:03}");
        write!(out, "{whole}.{}", digits.trim_end_matches('0'))
    }
}

fn push_prefix(out: &mut String, prefix: &str) {
    if !prefix.is_empty() {
        for (i, segment) in prefix.split('.').enumerate() {
            if i > 0 {
                out.push('.');
            }
            push_sanitised_segment(out, segment);
        }
        out.push('.');
    }
}

/// One Graphite path segment: letters, digits, `_` and `-`; anything else (dots of namespaces,
/// spaces, brackets of default node names) becomes `_`.
pub(crate) fn push_sanitised_segment(out: &mut String, name: &str) {
    if name.is_empty() {
        out.push('_');
        return;
    }
    out.extend(name.chars().map(|c| {
        if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
            c
        } else {
            '_'
        }
    }));
}

/// A tag key or value: what survives the Etsy daemon's key sanitiser, and no `|`, `,`, `#` or
/// `:` that would break the line.
fn push_tag_value(out: &mut String, value: &str) {
    out.extend(value.chars().map(|c| {
        if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
            c
        } else {
            '_'
        }
    }));
}

/// `name` sanitised as one Graphite path segment.
pub fn sanitise_segment(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    push_sanitised_segment(&mut out, name);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(config: &StatsdConfig, metric: MetricName, amount: Amount, rate: f64) -> String {
        let mut out = String::new();
        write_line(
            &mut out,
            config,
            metric,
            amount,
            rate,
            Context {
                pipeline: "__default__",
                subject: Some("data_processing.preprocess companies(x)"),
                namespace: Some("data_processing"),
            },
        );
        out
    }

    #[test]
    fn graphite_style_folds_the_subject_into_a_sanitised_segment() {
        let config = StatsdConfig::default();
        assert_eq!(
            line(&config, MetricName::NodeDuration, Amount::Millis(12.5), 1.0),
            "weir.node.data_processing_preprocess_companies_x_.duration:12.5|ms"
        );
        assert_eq!(
            line(&config, MetricName::RunStarted, Amount::Count(1), 1.0),
            "weir.run.__default__.started:1|c"
        );
        assert_eq!(
            line(
                &config,
                MetricName::DatasetSaveRows,
                Amount::Level(6027),
                1.0
            ),
            "weir.dataset.data_processing_preprocess_companies_x_.save.rows:6027|g"
        );
        assert_eq!(
            line(&config, MetricName::NodesRunning, Amount::Level(2), 1.0),
            "weir.nodes.__default__.running:2|g"
        );
    }

    #[test]
    fn dogstatsd_style_puts_tags_last_after_the_rate() {
        let mut config = StatsdConfig::default()
            .prefix("team.weir")
            .tag_style(TagStyle::Dogstatsd);
        config.tags.insert("env".to_owned(), "prod:eu".to_owned());
        assert_eq!(
            line(
                &config,
                MetricName::NodeDuration,
                Amount::Millis(0.0042),
                0.25
            ),
            "team.weir.node.duration:0.004|ms|@0.25|#pipeline:__default__,node:data_processing.preprocess_companies_x_,namespace:data_processing,env:prod_eu"
        );
        assert_eq!(
            line(&config, MetricName::RunFailed, Amount::Count(1), 1.0),
            "team.weir.run.failed:1|c|#pipeline:__default__,namespace:data_processing,env:prod_eu"
        );
    }

    #[test]
    fn none_style_and_empty_prefix() {
        let config = StatsdConfig::default().prefix("").tag_style(TagStyle::None);
        assert_eq!(
            line(
                &config,
                MetricName::DatasetLoadDuration,
                Amount::Millis(3.0),
                1.0
            ),
            "dataset.load.duration:3|ms"
        );
    }

    #[test]
    fn every_metric_name_parses_back() {
        for metric in MetricName::ALL {
            assert_eq!(MetricName::parse(metric.as_str()), Some(metric));
        }
        assert_eq!(MetricName::parse("node"), None);
    }
}
