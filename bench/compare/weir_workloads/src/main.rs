//! Weir's side of `bench/compare`: the workloads of issue #5, run with the core runners.
//!
//! ```sh
//! weir_workloads w1 <nodes> <hooks: 0|5> <logging: default|quiet>   # a chain of x + 1
//! weir_workloads w2 <nodes> <sequential|parallel> <logging>           # independent nodes
//! weir_workloads w4 <sequential|parallel> <work units> <logging>      # 8 CPU-bound nodes
//! ```
//!
//! Prints `run_ms=<milliseconds>`: the run alone (pipeline validation, hooks, loads and saves
//! included; building the `Pipeline` value excluded), so that per-node overhead excludes
//! process start. The whole process is timed from outside by `run.sh`.

use std::process::ExitCode;
use std::time::Instant;

use weir_core::{
    Catalog, HookManager, NoHooks, ParallelRunner, Pipeline, RunParams, Runner, SequentialRunner,
    node,
};

fn increment(x: u64) -> u64 {
    x + 1
}

/// Busy work: `units` rounds of an integer hash (one unit is about 1 ms on the project
/// machine; `run.sh` uses 500 for ~0.5 s a node, like Kedro's side).
fn burn(units: u64) -> u64 {
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    for _ in 0..units * 1_000_000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
    }
    state
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: weir_workloads w1 <nodes> <0|5> <default|quiet> | w2 <nodes> <sequential|parallel> <default|quiet> | w4 <sequential|parallel> <units> <default|quiet>"
    );
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).map(String::as_str).unwrap_or_default();
    if arg(3) == "default" {
        tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .init();
    }
    let number = |i: usize| arg(i).parse::<u64>().ok();
    let mut catalog = Catalog::new();
    let (pipeline, hooks, parallel): (Pipeline, HookManager, bool) = match arg(0) {
        "w1" => {
            let (Some(nodes), Some(hook_count)) = (number(1), number(2)) else {
                return usage();
            };
            catalog.add_value("d0", 0_u64);
            let pipeline = Pipeline::new((0..nodes).map(|i| {
                node(increment)
                    .inputs(format!("d{i}"))
                    .outputs(format!("d{}", i + 1))
                    .name(format!("n{i}"))
            }));
            // Hooks whose every method does nothing: each node and dataset call is still made
            // on each of them, as on Kedro's side.
            let hooks = (0..hook_count).fold(HookManager::new(), |h, _| h.with(NoHooks));
            (pipeline, hooks, false)
        }
        "w2" => {
            let Some(nodes) = number(1) else {
                return usage();
            };
            catalog.add_value("x", 0_u64);
            let pipeline = Pipeline::new((0..nodes).map(|i| {
                node(increment)
                    .inputs("x")
                    .outputs(format!("y{i}"))
                    .name(format!("n{i}"))
            }));
            (pipeline, HookManager::new(), arg(2) == "parallel")
        }
        "w4" => {
            let Some(units) = number(2) else {
                return usage();
            };
            let pipeline = Pipeline::new((0..8).map(|i| {
                catalog.add_value(format!("units{i}"), units);
                node(burn)
                    .inputs(format!("units{i}"))
                    .outputs(format!("out{i}"))
                    .name(format!("burn{i}"))
            }));
            (pipeline, HookManager::new(), arg(1) == "parallel")
        }
        _ => return usage(),
    };
    let params = RunParams::with_run_id("compare");
    let started = Instant::now();
    let result = if parallel {
        ParallelRunner::new()
            .workers(2)
            .run(&pipeline, &catalog, &hooks, &params)
    } else {
        SequentialRunner::new().run(&pipeline, &catalog, &hooks, &params)
    };
    let elapsed = started.elapsed();
    match result {
        Ok(_) => {
            println!("run_ms={:.3}", elapsed.as_secs_f64() * 1000.0);
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}
