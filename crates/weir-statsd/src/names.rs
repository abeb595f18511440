//! The metrics' names and StatsD types (the leaf the configuration checks names against).

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

    pub(crate) fn write_graphite_path(self, out: &mut String, prefix: &str, subject: &str) {
        let (group, rest) = self.as_str().split_once('.').unwrap_or((self.as_str(), ""));
        push_prefix(out, prefix);
        out.push_str(group);
        out.push('.');
        push_sanitised_segment(out, subject);
        out.push('.');
        out.push_str(rest);
    }
}

pub(crate) fn push_prefix(out: &mut String, prefix: &str) {
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

/// `name` sanitised as one Graphite path segment.
pub fn sanitise_segment(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    push_sanitised_segment(&mut out, name);
    out
}
