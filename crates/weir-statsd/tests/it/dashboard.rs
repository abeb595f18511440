//! The Grafana dashboard: well-formed, and every path it queries is one the hook sends (as the
//! Etsy StatsD daemon names it in Graphite); every metric the hook sends is on a panel.

use std::collections::{BTreeSet, HashSet};

use serde_json::Value as Json;
use weir::prelude::*;
use weir_statsd::MetricName;

use crate::{Listener, hook_for, parse, small_catalog, small_pipeline};

fn dashboard() -> Json {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/grafana/weir-pipelines.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The statistics the Etsy daemon writes for each timer (default `percentThreshold: [90]`).
const TIMER_STATS: [&str; 13] = [
    "mean",
    "upper",
    "lower",
    "count",
    "count_ps",
    "sum",
    "sum_squares",
    "median",
    "std",
    "mean_90",
    "upper_90",
    "sum_90",
    "sum_squares_90",
];

/// The Graphite paths the Etsy daemon (legacy namespace) writes for one StatsD metric.
fn graphite_paths(name: &str, kind: &str) -> Vec<String> {
    match kind {
        "c" => vec![format!("stats.{name}"), format!("stats_counts.{name}")],
        "ms" => TIMER_STATS
            .iter()
            .map(|s| format!("stats.timers.{name}.{s}"))
            .collect(),
        "g" => vec![format!("stats.gauges.{name}")],
        other => panic!("unexpected type {other}"),
    }
}

/// The series paths in a Graphite target: `aliasByNode(stats.timers.weir.node.*.duration.mean, -3)`
/// → `stats.timers.weir.node.*.duration.mean`.
fn series_paths(target: &str) -> Vec<String> {
    let bytes = target.as_bytes();
    let mut paths = Vec::new();
    let mut i = 0;
    while let Some(found) = target[i..].find("stats") {
        let start = i + found;
        let mut end = start;
        let mut depth = 0;
        while end < bytes.len() {
            let c = bytes[end] as char;
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth > 0 => {}
                c if c.is_ascii_alphanumeric() || "_.*-$".contains(c) => {}
                _ => break,
            }
            end += 1;
        }
        paths.push(target[start..end].to_owned());
        i = end;
    }
    paths
}

/// Expands `{a,b}` alternatives.
fn expand(pattern: &str) -> Vec<String> {
    match (pattern.find('{'), pattern.find('}')) {
        (Some(open), Some(close)) if open < close => pattern[open + 1..close]
            .split(',')
            .flat_map(|choice| {
                expand(&format!(
                    "{}{choice}{}",
                    &pattern[..open],
                    &pattern[close + 1..]
                ))
            })
            .collect(),
        _ => vec![pattern.to_owned()],
    }
}

/// Graphite's match of one segment: `*` is any run of characters.
fn segment_matches(pattern: &str, segment: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == segment,
        Some((head, tail)) => {
            segment.starts_with(head)
                && (head.len()..=segment.len()).any(|i| segment_matches(tail, &segment[i..]))
        }
    }
}

/// Whether `pattern` matches `path` (or, with `prefix`, the start of it).
fn matches(pattern: &str, path: &str, prefix: bool) -> bool {
    expand(pattern).iter().any(|p| {
        let wanted: Vec<&str> = p.split('.').collect();
        let segments: Vec<&str> = path.split('.').collect();
        let length_ok = if prefix {
            wanted.len() <= segments.len()
        } else {
            wanted.len() == segments.len()
        };
        length_ok
            && wanted
                .iter()
                .zip(&segments)
                .all(|(w, s)| segment_matches(w, s))
    })
}

fn substitute(query: &str) -> String {
    query
        .replace("${prefix}", "weir")
        .replace("$prefix", "weir")
        .replace("$node", "*")
        .replace("$dataset", "*")
}

fn panels(dashboard: &Json) -> Vec<&Json> {
    dashboard["panels"].as_array().unwrap().iter().collect()
}

fn targets(dashboard: &Json) -> Vec<String> {
    panels(dashboard)
        .iter()
        .flat_map(|p| p["targets"].as_array().cloned().unwrap_or_default())
        .map(|t| t["target"].as_str().unwrap().to_owned())
        .collect()
}

/// What the hook sends for a successful, a failing and a parallel run, as Graphite paths.
fn emitted_paths() -> BTreeSet<String> {
    let listener = Listener::new();
    let hook = hook_for(&listener, |c| c);
    let params = RunParams::with_run_id("dash");
    SequentialRunner::new()
        .run(&small_pipeline(), &small_catalog(50), &hook, &params)
        .unwrap();
    // A failing save: the dataset and node failure counters, the run failure.
    struct Full;
    impl Dataset for Full {
        type Value = u64;
        fn load(&self) -> Result<u64, DatasetError> {
            Err(DatasetError::message("empty"))
        }
        fn save(&self, _: &u64) -> Result<(), DatasetError> {
            Err(DatasetError::message("the disk is full"))
        }
    }
    let mut catalog = small_catalog(5);
    catalog.add("row_count", Full);
    assert!(
        SequentialRunner::new()
            .run(&small_pipeline(), &catalog, &hook, &params)
            .is_err()
    );
    // A failing load.
    let mut catalog = Catalog::new();
    catalog.add("rows", Full);
    assert!(
        SequentialRunner::new()
            .run(&small_pipeline(), &catalog, &hook, &params)
            .is_err()
    );
    listener
        .lines()
        .iter()
        .map(|line| parse(line))
        .flat_map(|line| graphite_paths(&line.name, &line.kind))
        .collect()
}

#[test]
fn the_dashboard_is_well_formed_grafana_json() {
    let dashboard = dashboard();
    for key in [
        "uid",
        "title",
        "schemaVersion",
        "panels",
        "templating",
        "time",
    ] {
        assert!(!dashboard[key].is_null(), "missing `{key}`");
    }
    assert!(dashboard["schemaVersion"].as_u64().unwrap() >= 36);
    let variables: HashSet<&str> = dashboard["templating"]["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert!(variables.contains("datasource") && variables.contains("prefix"));

    let mut ids = HashSet::new();
    let mut cells = HashSet::new();
    for panel in panels(&dashboard) {
        let title = panel["title"].as_str().unwrap();
        assert!(
            ids.insert(panel["id"].as_u64().unwrap()),
            "duplicate id: {title}"
        );
        let kind = panel["type"].as_str().unwrap();
        assert!(
            ["row", "timeseries", "stat", "bargauge"].contains(&kind),
            "{title}: {kind}"
        );
        let grid = &panel["gridPos"];
        let (x, y, w, h) = (
            grid["x"].as_u64().unwrap(),
            grid["y"].as_u64().unwrap(),
            grid["w"].as_u64().unwrap(),
            grid["h"].as_u64().unwrap(),
        );
        assert!(w > 0 && h > 0 && x + w <= 24, "{title}: {grid}");
        for cx in x..x + w {
            for cy in y..y + h {
                assert!(cells.insert((cx, cy)), "{title} overlaps another panel");
            }
        }
        if kind == "row" {
            continue;
        }
        assert_eq!(panel["datasource"]["type"], "graphite", "{title}");
        assert_eq!(panel["datasource"]["uid"], "${datasource}", "{title}");
        let targets = panel["targets"].as_array().unwrap();
        assert!(!targets.is_empty(), "{title} has no query");
        let mut refs = HashSet::new();
        for target in targets {
            assert!(refs.insert(target["refId"].as_str().unwrap()), "{title}");
            let text = target["target"].as_str().unwrap();
            assert_eq!(
                text.matches('(').count(),
                text.matches(')').count(),
                "{title}: {text}"
            );
            for word in text.split(|c: char| !(c.is_alphanumeric() || c == '$' || c == '_')) {
                if let Some(variable) = word.strip_prefix('$') {
                    assert!(variables.contains(variable), "{title}: unknown ${variable}");
                }
            }
        }
    }
}

#[test]
fn every_path_the_dashboard_queries_is_one_the_hook_sends_and_every_metric_is_shown() {
    let dashboard = dashboard();
    let emitted = emitted_paths();
    assert!(emitted.len() > 50, "{emitted:?}");

    let targets = targets(&dashboard);
    let mut patterns = Vec::new();
    for target in &targets {
        let paths = series_paths(target);
        assert!(!paths.is_empty(), "no series in {target}");
        for path in paths {
            let pattern = substitute(&path);
            for alternative in expand(&pattern) {
                assert!(
                    emitted.iter().any(|e| matches(&alternative, e, false)),
                    "the dashboard queries {alternative} (in {target}), which the hook never sends"
                );
            }
            patterns.push(pattern);
        }
    }
    // Variable queries list path segments: a prefix of what is sent.
    for variable in dashboard["templating"]["list"].as_array().unwrap() {
        if variable["type"] == "query" {
            let query = substitute(variable["query"].as_str().unwrap());
            assert!(
                emitted.iter().any(|e| matches(&query, e, true)),
                "variable query {query} finds nothing"
            );
        }
    }

    // And every metric the hook sends has a panel.
    for metric in MetricName::ALL {
        let name = metric.graphite_path("weir", "some_subject");
        let kind = metric.kind().statsd_type();
        let shown = graphite_paths(&name, kind)
            .iter()
            .any(|path| patterns.iter().any(|p| matches(p, path, false)));
        assert!(shown, "{} ({kind}) is on no panel", metric.as_str());
        let sent = graphite_paths(
            &metric
                .graphite_path("weir", "SUBJECT")
                .replace("SUBJECT", "*"),
            kind,
        )
        .iter()
        .any(|pattern| emitted.iter().any(|e| matches(pattern, e, false)));
        assert!(sent, "{} was never sent in these runs", metric.as_str());
    }
}

#[test]
fn graphite_matching_helpers() {
    assert_eq!(
        series_paths("aliasByNode(stats_counts.$prefix.run.*.{started,failed}, -2, -1)"),
        ["stats_counts.$prefix.run.*.{started,failed}"]
    );
    assert_eq!(expand("a.{b,c}.d").len(), 2);
    assert!(matches(
        "stats.timers.weir.node.*.duration.mean",
        "stats.timers.weir.node.x.duration.mean",
        false
    ));
    assert!(!matches(
        "stats.timers.weir.node.*.duration.mean",
        "stats.timers.weir.node.x.y.duration.mean",
        false
    ));
    assert!(matches(
        "stats.gauges.weir.dataset.*",
        "stats.gauges.weir.dataset.t.save.rows",
        true
    ));
    assert!(segment_matches("dur*ion", "duration"));
    assert!(!segment_matches("dur*x", "duration"));
}
