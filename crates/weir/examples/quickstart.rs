//! A three-node pipeline with one hook, run on both runners.
//!
//! `cargo run -p weir --example quickstart`

use std::sync::Mutex;
use std::time::Duration;

use weir::prelude::*;

#[derive(Deserialize)]
struct Outliers {
    /// Readings further than this many standard deviations from the mean are dropped.
    max_sigma: f64,
}

/// A summary of the clean readings.
#[derive(Clone, Debug, Data)]
struct Summary {
    count: usize,
    mean: f64,
    min: f64,
    max: f64,
}

fn parse_readings(raw: String) -> Result<Vec<f64>, std::num::ParseFloatError> {
    raw.split_whitespace().map(str::parse).collect()
}

fn drop_outliers(readings: Vec<f64>, outliers: Param<Outliers>) -> Vec<f64> {
    let mean = readings.iter().sum::<f64>() / readings.len() as f64;
    let variance = readings.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / readings.len() as f64;
    let limit = outliers.max_sigma * variance.sqrt();
    readings
        .into_iter()
        .filter(|x| (x - mean).abs() <= limit)
        .collect()
}

fn summarise(readings: Vec<f64>) -> Summary {
    Summary {
        count: readings.len(),
        mean: readings.iter().sum::<f64>() / readings.len() as f64,
        min: readings.iter().copied().fold(f64::INFINITY, f64::min),
        max: readings.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    }
}

/// Prints each node as it finishes and keeps the durations.
#[derive(Default)]
struct Timings(Mutex<Vec<(String, Duration)>>);

impl Hooks for Timings {
    fn after_node_run(&self, event: &AfterNodeRun<'_>) -> HookResult {
        println!(
            "  finished {:<14} in {:?}",
            event.node.full_name(),
            event.duration
        );
        self.0
            .lock()
            .map_err(|_| "timings lock poisoned")?
            .push((event.node.full_name().to_owned(), event.duration));
        Ok(())
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let pipeline = Pipeline::new([
        node(parse_readings)
            .inputs("raw_readings")
            .outputs("readings")
            .name("parse"),
        node(drop_outliers)
            .inputs(["readings", "params:outliers"])
            .outputs("clean_readings")
            .name("drop_outliers"),
        node(summarise)
            .inputs("clean_readings")
            .outputs("summary")
            .name("summarise"),
    ]);

    for (label, runner) in [
        (
            "sequential",
            Box::new(SequentialRunner::new()) as Box<dyn Runner>,
        ),
        ("parallel", Box::new(ParallelRunner::new().workers(2))),
    ] {
        let mut catalog = Catalog::new();
        catalog.add_value("raw_readings", "9.8 10.1 10.0 9.9 55.0 10.2 9.7".to_owned());
        catalog.add_parameters(serde_json::json!({"outliers": {"max_sigma": 2.0}}));

        let timings = std::sync::Arc::new(Timings::default());
        let hooks = HookManager::new().with(timings.clone());
        println!("{label} runner:");
        let result = runner.run(&pipeline, &catalog, &hooks, &RunParams::new())?;
        let summary = result
            .output::<Summary>("summary")
            .ok_or("the pipeline did not produce a summary")?;
        println!(
            "  result: {} readings kept, mean {:.2}, range {} to {}",
            summary.count, summary.mean, summary.min, summary.max
        );
        println!(
            "  {} nodes in {:?}",
            timings.0.lock().map_err(|_| "lock poisoned")?.len(),
            result.duration
        );
    }
    Ok(())
}
