//! `conf/<env>/statsd.yml`: where metrics go and how they are named.

use std::collections::BTreeMap;

use serde::Deserialize;
use weir_config::plugin::{PluginSettings, SettingsError, SettingsProblem, settings_from};
use weir_core::PluginConfig;

use crate::names::MetricName;

/// How the context of a metric (pipeline, node, dataset) is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum TagStyle {
    /// Folded into the path, for plain Graphite: `weir.node.split_data_node.duration`. The
    /// default, and what the Grafana dashboard reads.
    #[default]
    Graphite,
    /// DogStatsD tags after the value: `weir.node.duration:12|ms|#pipeline:__default__,node:split_data_node`.
    /// Datadog's agent and the Etsy daemon (≥ 0.9, as Graphite 1.1 tags) understand them.
    Dogstatsd,
    /// No context: one series per metric, summed over nodes and datasets.
    None,
}

/// The hook's configuration: the keys of `statsd.yml`, all optional.
///
/// ```yaml
/// # conf/base/statsd.yml
/// enabled: true
/// host: 127.0.0.1        # STATSD_HOST overrides
/// port: 8125             # STATSD_PORT overrides
/// prefix: weir           # STATSD_PREFIX overrides
/// tag_style: graphite    # graphite | dogstatsd | none
/// tags: {team: data}     # constant DogStatsD tags (dogstatsd style only)
/// sample_rate: 1.0       # for node and dataset durations
/// sample_rates: {dataset.load.duration: 0.1}
/// dataset_sizes: true    # rows and bytes of tables
/// max_packet_size: 1432  # bytes per UDP datagram
/// flush_interval_ms: 100 # longest wait before buffered metrics are sent
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct StatsdConfig {
    /// Whether metrics are sent at all.
    pub enabled: bool,
    /// The StatsD daemon's host name or address.
    pub host: String,
    /// The daemon's UDP port.
    pub port: u16,
    /// The first segments of every metric name (may contain dots: `weir.prod`).
    pub prefix: String,
    /// How pipeline, node and dataset names are sent.
    pub tag_style: TagStyle,
    /// Tags added to every metric in the `dogstatsd` style (`team: data`).
    pub tags: BTreeMap<String, String>,
    /// The sample rate of node and dataset durations (0 < rate ≤ 1). The daemon scales counts
    /// back up.
    pub sample_rate: f64,
    /// Sample rates of single metrics, by name (`node.duration`, `dataset.save.duration`...).
    pub sample_rates: BTreeMap<String, f64>,
    /// Whether rows and bytes of loaded and saved tables are sent.
    pub dataset_sizes: bool,
    /// The largest datagram sent, in bytes (1432 fits an Ethernet MTU; 512 is safe on the
    /// internet; 8932 with jumbo frames).
    pub max_packet_size: usize,
    /// The longest time a metric waits in the buffer before it is sent, in milliseconds (a full
    /// datagram, a failure and the end of a run send at once).
    pub flush_interval_ms: u64,
}

impl Default for StatsdConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            host: "127.0.0.1".to_owned(),
            port: 8125,
            prefix: "weir".to_owned(),
            tag_style: TagStyle::Graphite,
            tags: BTreeMap::new(),
            sample_rate: 1.0,
            sample_rates: BTreeMap::new(),
            dataset_sizes: true,
            max_packet_size: 1432,
            flush_interval_ms: 100,
        }
    }
}

impl StatsdConfig {
    /// A configuration sending to `host:port` with the other settings at their defaults.
    pub fn new(host: impl Into<String>, port: u16) -> Self {
        Self {
            host: host.into(),
            port,
            ..Self::default()
        }
    }

    /// Sets the prefix.
    #[must_use]
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Sets the tag style.
    #[must_use]
    pub fn tag_style(mut self, style: TagStyle) -> Self {
        self.tag_style = style;
        self
    }

    /// Sets the sample rate of one metric (`node.duration`...).
    #[must_use]
    pub fn sample_rate_of(mut self, metric: &str, rate: f64) -> Self {
        self.sample_rates.insert(metric.to_owned(), rate);
        self
    }

    /// Reads the configuration loaded from `statsd.yml` (`None`: no file, the defaults).
    ///
    /// # Errors
    ///
    /// An unknown key, a value of the wrong type or out of range, naming the file and line.
    pub fn from_plugin_config(config: Option<&PluginConfig>) -> Result<Self, SettingsError> {
        settings_from(config)
    }

    /// Applies `STATSD_HOST`, `STATSD_PORT` and `STATSD_PREFIX` from `lookup` (the process
    /// environment in [`crate::StatsdHook::new`]).
    ///
    /// # Errors
    ///
    /// `STATSD_PORT` that is not a port number, or a value the environment made wrong.
    pub fn with_env(
        mut self,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, SettingsError> {
        if let Some(host) = lookup("STATSD_HOST").filter(|h| !h.trim().is_empty()) {
            self.host = host.trim().to_owned();
        }
        if let Some(port) = lookup("STATSD_PORT").filter(|p| !p.trim().is_empty()) {
            self.port = port.trim().parse().map_err(|_| {
                SettingsError::at(
                    "environment variable STATSD_PORT",
                    SettingsProblem::new("port", format!("{port:?} is not a UDP port number"))
                        .help("give a number from 1 to 65535 (StatsD's default is 8125)"),
                )
            })?;
        }
        if let Some(prefix) = lookup("STATSD_PREFIX") {
            self.prefix = prefix.trim().to_owned();
        }
        self.check().map_err(|problem| {
            SettingsError::at("statsd.yml and the environment variables STATSD_*", problem)
        })?;
        Ok(self)
    }

    /// The sample rate of a metric.
    pub(crate) fn rate_of(&self, metric: MetricName) -> f64 {
        if let Some(rate) = self.sample_rates.get(metric.as_str()) {
            return *rate;
        }
        if metric.uses_default_rate() {
            self.sample_rate
        } else {
            1.0
        }
    }
}

impl PluginSettings for StatsdConfig {
    const KEY: &'static str = "statsd";

    /// Checks ranges and names.
    fn check(&self) -> Result<(), SettingsProblem> {
        const MTU: &str = "1432 bytes fit an Ethernet MTU";
        if self.enabled && self.host.trim().is_empty() {
            return Err(SettingsProblem::new("host", "is empty")
                .help("give the StatsD daemon's host name or address, or set `enabled: false`"));
        }
        if self.enabled && self.port == 0 {
            return Err(SettingsProblem::new("port", "is 0")
                .help("give the daemon's UDP port (StatsD's default is 8125)"));
        }
        if self.prefix.split('.').any(|segment| segment.is_empty()) && !self.prefix.is_empty() {
            return Err(SettingsProblem::new(
                "prefix",
                format!("{:?} has an empty segment", self.prefix),
            )
            .help("write segments separated by single dots, such as `weir.prod`"));
        }
        check_rate(self.sample_rate)
            .map_err(|problem| SettingsProblem::new("sample_rate", problem).help(RATE_HELP))?;
        for (name, rate) in &self.sample_rates {
            let key = format!("sample_rates.{name}");
            let Some(metric) = MetricName::parse(name) else {
                let known: Vec<&str> = MetricName::ALL.iter().map(|m| m.as_str()).collect();
                let close = weir_core::suggest::close_matches(name, known.iter().copied(), 1, 0.6);
                let help = match close.first() {
                    Some(close) => format!(
                        "did you mean `{close}`? The metrics are: {}",
                        known.join(", ")
                    ),
                    None => format!("the metrics are: {}", known.join(", ")),
                };
                return Err(
                    SettingsProblem::new(key, format!("names an unknown metric {name:?}"))
                        .help(help),
                );
            };
            if !metric.can_sample() {
                return Err(SettingsProblem::new(
                    key,
                    "is a gauge: StatsD keeps a gauge's last value, so gauges cannot be sampled",
                )
                .help(format!("remove `{name}` from `sample_rates`")));
            }
            check_rate(*rate)
                .map_err(|problem| SettingsProblem::new(key, problem).help(RATE_HELP))?;
        }
        if self.max_packet_size < 64 {
            return Err(SettingsProblem::new(
                "max_packet_size",
                format!("{} is too small", self.max_packet_size),
            )
            .help(format!("use at least 64 bytes ({MTU})")));
        }
        if self.max_packet_size > 65_000 {
            return Err(SettingsProblem::new(
                "max_packet_size",
                format!("{} is larger than a UDP datagram", self.max_packet_size),
            )
            .help(format!("use at most 65000 bytes ({MTU})")));
        }
        if !(1..=60_000).contains(&self.flush_interval_ms) {
            return Err(SettingsProblem::new(
                "flush_interval_ms",
                format!("{} is out of range", self.flush_interval_ms),
            )
            .help("use 1 to 60000 milliseconds"));
        }
        Ok(())
    }
}

const RATE_HELP: &str = "use a number above 0 and at most 1 (0.1 sends one in ten)";

fn check_rate(rate: f64) -> Result<(), String> {
    if rate > 0.0 && rate <= 1.0 {
        Ok(())
    } else {
        Err(format!("{rate} is not a sample rate"))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn plugin(value: serde_json::Value) -> PluginConfig {
        let mut locations = BTreeMap::new();
        if let Some(map) = value.as_object() {
            for (i, key) in map.keys().enumerate() {
                locations.insert(key.clone(), format!("conf/base/statsd.yml:{}:1", i + 1));
            }
        }
        PluginConfig {
            value,
            files: vec!["conf/base/statsd.yml".into()],
            locations,
        }
    }

    #[test]
    fn no_file_means_the_defaults() {
        let config = StatsdConfig::from_plugin_config(None).unwrap();
        assert_eq!(config, StatsdConfig::default());
        assert_eq!((config.host.as_str(), config.port), ("127.0.0.1", 8125));
    }

    #[test]
    fn keys_are_read_and_errors_name_the_line() {
        let config = StatsdConfig::from_plugin_config(Some(&plugin(serde_json::json!({
            "host": "statsd.internal", "port": 9125, "prefix": "weir.prod",
            "tag_style": "dogstatsd", "tags": {"team": "data"},
            "sample_rates": {"node.duration": 0.5}
        }))))
        .unwrap();
        assert_eq!(config.port, 9125);
        assert_eq!(config.tag_style, TagStyle::Dogstatsd);
        assert!((config.rate_of(MetricName::NodeDuration) - 0.5).abs() < f64::EPSILON);
        assert!((config.rate_of(MetricName::RunStarted) - 1.0).abs() < f64::EPSILON);

        let error = StatsdConfig::from_plugin_config(Some(&plugin(
            serde_json::json!({"host": "x", "port": "eighty"}),
        )))
        .unwrap_err()
        .to_string();
        assert!(error.contains("statsd.yml:2:1"), "{error}");
        assert!(error.contains("`port`"), "{error}");

        let error =
            StatsdConfig::from_plugin_config(Some(&plugin(serde_json::json!({"hots": "x"}))))
                .unwrap_err()
                .to_string();
        assert!(error.contains("unknown field `hots`"), "{error}");

        let error = StatsdConfig::from_plugin_config(Some(&plugin(
            serde_json::json!({"tag_style": "influx"}),
        )))
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("graphite") && error.contains("dogstatsd"),
            "{error}"
        );
    }

    #[test]
    fn bad_rates_and_unknown_metrics_are_refused() {
        for (value, expected) in [
            (serde_json::json!({"sample_rate": 0.0}), "not a sample rate"),
            (serde_json::json!({"sample_rate": 1.5}), "not a sample rate"),
            (
                serde_json::json!({"sample_rates": {"node.duratoin": 0.5}}),
                "unknown metric",
            ),
            (
                serde_json::json!({"sample_rates": {"nodes.running": 0.5}}),
                "is a gauge",
            ),
            (serde_json::json!({"max_packet_size": 10}), "too small"),
            (serde_json::json!({"prefix": "weir..prod"}), "empty segment"),
        ] {
            let error = StatsdConfig::from_plugin_config(Some(&plugin(value)))
                .unwrap_err()
                .to_string();
            assert!(error.contains(expected), "{error}");
        }
    }

    #[test]
    fn environment_overrides_host_port_and_prefix() {
        let env = |name: &str| match name {
            "STATSD_HOST" => Some("10.0.0.5".to_owned()),
            "STATSD_PORT" => Some("9999".to_owned()),
            "STATSD_PREFIX" => Some("team.weir".to_owned()),
            _ => None,
        };
        let config = StatsdConfig::default().with_env(env).unwrap();
        assert_eq!(
            (config.host.as_str(), config.port, config.prefix.as_str()),
            ("10.0.0.5", 9999, "team.weir")
        );
        let error = StatsdConfig::default()
            .with_env(|name| (name == "STATSD_PORT").then(|| "81x".to_owned()))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("STATSD_PORT") && error.contains("81x"),
            "{error}"
        );
    }
}
