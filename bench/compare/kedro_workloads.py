"""Kedro 1.7's side of bench/compare: the same workloads as weir_workloads, with Kedro's runners.

    python kedro_workloads.py w1 <nodes> <0|5> <default|quiet>   # a chain of x + 1
    python kedro_workloads.py w2 <nodes> <sequential|parallel> <default|quiet>
    python kedro_workloads.py w4 <sequential|parallel> <work units> <default|quiet>

Prints run_ms=<milliseconds> for runner.run alone (as the Weir side does); run.sh times the
whole process from outside.
"""

import logging
import sys
import time

from kedro.framework.hooks import hook_impl
from kedro.framework.hooks.manager import _create_hook_manager
from kedro.io import DataCatalog, SharedMemoryDataCatalog
from kedro.pipeline import Pipeline, node
from kedro.runner import ParallelRunner, SequentialRunner


class NoOp:
    """Every node and dataset hook, doing nothing (as the Weir side)."""

    @hook_impl
    def before_node_run(self, node, catalog, inputs, is_async, run_id):
        pass

    @hook_impl
    def after_node_run(self, node, catalog, inputs, outputs, is_async, run_id):
        pass

    @hook_impl
    def before_dataset_loaded(self, dataset_name, node):
        pass

    @hook_impl
    def after_dataset_loaded(self, dataset_name, data, node):
        pass

    @hook_impl
    def before_dataset_saved(self, dataset_name, data, node):
        pass

    @hook_impl
    def after_dataset_saved(self, dataset_name, data, node):
        pass


def increment(x):
    return x + 1


def burn(units):
    """Busy work: the same integer hash as the Weir side, units x 1,000,000 rounds scaled down
    (Python is slower per round; run.sh calibrates units so one node takes ~0.5 s alone)."""
    state = 0x9E3779B97F4A7C15
    mask = (1 << 64) - 1
    for _ in range(units * 1000):
        state ^= (state << 13) & mask
        state ^= state >> 7
        state ^= (state << 17) & mask
    return state


def main(argv):
    kind = argv[0]
    logging_mode = argv[3]
    if logging_mode == "default":
        # Kedro's default logging (rich handler at INFO), as `kedro run` sets it up.
        from kedro.framework.project import LOGGING  # noqa: F401  (configures on import)
        logging.getLogger("kedro").setLevel(logging.INFO)
    else:
        logging.disable(logging.CRITICAL)
    hook_manager = _create_hook_manager()
    parallel = "parallel" in argv
    # Kedro 1.x's ParallelRunner needs the shared-memory catalog.
    catalog = SharedMemoryDataCatalog() if parallel else DataCatalog()
    if kind == "w1":
        nodes, hooks = int(argv[1]), int(argv[2])
        catalog["d0"] = 0
        pipeline = Pipeline(
            [node(increment, f"d{i}", f"d{i + 1}", name=f"n{i}") for i in range(nodes)]
        )
        for i in range(hooks):
            hook_manager.register(NoOp(), name=f"noop{i}")
    elif kind == "w2":
        nodes = int(argv[1])
        catalog["x"] = 0
        pipeline = Pipeline([node(increment, "x", f"y{i}", name=f"n{i}") for i in range(nodes)])
    elif kind == "w4":
        units = int(argv[2])
        for i in range(8):
            catalog[f"units{i}"] = units
        pipeline = Pipeline([node(burn, f"units{i}", f"out{i}", name=f"burn{i}") for i in range(8)])
    else:
        raise SystemExit(__doc__)
    runner = ParallelRunner(max_workers=2) if parallel else SequentialRunner()
    started = time.perf_counter()
    runner.run(pipeline, catalog, hook_manager)
    print(f"run_ms={(time.perf_counter() - started) * 1000:.3f}")


if __name__ == "__main__":
    main(sys.argv[1:])
