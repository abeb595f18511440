//! Framework overhead: how long Weir spends per node around a trivial function.
//!
//! `cargo bench -p weir-core --bench overhead`; per-node figures are the reported time divided
//! by the number of nodes (see BENCHMARKS.md).

use weir_core::{
    AfterDatasetLoaded, AfterDatasetSaved, AfterNodeRun, BeforeDatasetLoaded, BeforeDatasetSaved,
    BeforeNodeRun, BoxError, Catalog, HookManager, HookResult, Hooks, NoHooks, NodeDirective,
    ParallelRunner, Pipeline, RunParams, Runner, SequentialRunner, node,
};

fn main() {
    divan::main();
}

/// A hook implementing every node and dataset method, doing nothing.
struct NoOp;

impl Hooks for NoOp {
    fn before_node_run(&self, _: &BeforeNodeRun<'_>) -> Result<NodeDirective, BoxError> {
        Ok(NodeDirective::proceed())
    }
    fn after_node_run(&self, _: &AfterNodeRun<'_>) -> HookResult {
        Ok(())
    }
    fn before_dataset_loaded(&self, _: &BeforeDatasetLoaded<'_>) -> HookResult {
        Ok(())
    }
    fn after_dataset_loaded(&self, _: &AfterDatasetLoaded<'_>) -> HookResult {
        Ok(())
    }
    fn before_dataset_saved(&self, _: &BeforeDatasetSaved<'_>) -> HookResult {
        Ok(())
    }
    fn after_dataset_saved(&self, _: &AfterDatasetSaved<'_>) -> HookResult {
        Ok(())
    }
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

/// `n` nodes all reading `x`.
fn fan_out(count: usize) -> Pipeline {
    Pipeline::new((0..count).map(|i| {
        node(increment)
            .inputs("x")
            .outputs(format!("y{i}"))
            .name(format!("n{i}"))
    }))
}

fn five_hooks() -> HookManager {
    (0..5).fold(HookManager::new(), |hooks, _| hooks.with(NoOp))
}

fn catalog_with(name: &str) -> Catalog {
    let mut catalog = Catalog::new();
    catalog.add_value(name, 0_u64);
    catalog
}

#[divan::bench(args = [1_000, 10_000, 100_000], sample_count = 10)]
fn sequential_chain_no_hooks(bencher: divan::Bencher, length: usize) {
    let pipeline = chain(length);
    bencher
        .with_inputs(|| catalog_with("d0"))
        .bench_refs(|catalog| {
            SequentialRunner::new()
                .run(
                    &pipeline,
                    catalog,
                    &NoHooks,
                    &RunParams::with_run_id("bench"),
                )
                .map(|result| result.nodes.len())
        });
}

#[divan::bench(args = [1_000, 10_000, 100_000], sample_count = 10)]
fn sequential_chain_five_hooks(bencher: divan::Bencher, length: usize) {
    let pipeline = chain(length);
    let hooks = five_hooks();
    bencher
        .with_inputs(|| catalog_with("d0"))
        .bench_refs(|catalog| {
            SequentialRunner::new()
                .run(&pipeline, catalog, &hooks, &RunParams::with_run_id("bench"))
                .map(|result| result.nodes.len())
        });
}

#[divan::bench(args = [1_000], sample_count = 10)]
fn sequential_independent(bencher: divan::Bencher, count: usize) {
    let pipeline = fan_out(count);
    bencher
        .with_inputs(|| catalog_with("x"))
        .bench_refs(|catalog| {
            SequentialRunner::new()
                .run(
                    &pipeline,
                    catalog,
                    &NoHooks,
                    &RunParams::with_run_id("bench"),
                )
                .map(|result| result.nodes.len())
        });
}

#[divan::bench(args = [1_000], sample_count = 10)]
fn parallel_independent(bencher: divan::Bencher, count: usize) {
    let pipeline = fan_out(count);
    bencher
        .with_inputs(|| catalog_with("x"))
        .bench_refs(|catalog| {
            ParallelRunner::new()
                .workers(2)
                .run(
                    &pipeline,
                    catalog,
                    &NoHooks,
                    &RunParams::with_run_id("bench"),
                )
                .map(|result| result.nodes.len())
        });
}

#[divan::bench(args = [1_000, 10_000], sample_count = 10)]
fn build_and_validate_chain(bencher: divan::Bencher, length: usize) {
    let catalog = catalog_with("d0");
    bencher.bench(|| chain(length).validate(&catalog).is_ok());
}
