//! The metrics the hook sends, and how one is written on the wire.

use std::fmt::Write as _;

use crate::config::{StatsdConfig, TagStyle};
pub(crate) use crate::names::MetricName;
use crate::names::push_prefix;

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
