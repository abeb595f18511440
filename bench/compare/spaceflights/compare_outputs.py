"""W5: checks that Kedro and Weir produced the same model input table and metrics.

    python compare_outputs.py <kedro project> <weir project> [--table-only]

The tables are compared value by value (pandas' assert_frame_equal, dtypes included; Kedro's
saved pandas index is dropped). Metrics must agree to 1e-9 relative: the two least-squares
solvers add in different orders. Prints one line of findings; exits 1 on a difference.
"""

import json
import math
import os
import sys

import pandas as pd


def table(project):
    frame = pd.read_parquet(os.path.join(project, "data/03_primary/model_input_table.parquet"))
    return frame.reset_index(drop=True)


def metrics(project):
    with open(os.path.join(project, "data/09_tracking/metrics.json")) as f:
        return json.load(f)


def main():
    kedro, weir = sys.argv[1], sys.argv[2]
    k_table, w_table = table(kedro), table(weir)
    pd.testing.assert_frame_equal(k_table, w_table, check_dtype=True)
    if "--table-only" in sys.argv[3:]:
        print(f"model input table identical ({len(k_table):,} rows x {len(k_table.columns)} columns)")
        return
    k_metrics, w_metrics = metrics(kedro), metrics(weir)
    if set(k_metrics) != set(w_metrics):
        raise SystemExit(f"metric names differ: Kedro {sorted(k_metrics)}, Weir {sorted(w_metrics)}")
    worst = 0.0
    for name, k in k_metrics.items():
        w = w_metrics[name]
        relative = abs(k - w) / max(abs(k), 1e-300)
        worst = max(worst, relative)
        if not math.isclose(k, w, rel_tol=1e-9):
            raise SystemExit(f"metric {name} differs: Kedro {k!r}, Weir {w!r}")
    shown = ", ".join(f"{name} {k_metrics[name]:.6f}" for name in sorted(k_metrics))
    print(
        f"model input table identical ({len(k_table):,} rows x {len(k_table.columns)} columns); "
        f"metrics {shown} on both sides (largest relative difference {worst:.1e})"
    )


if __name__ == "__main__":
    main()
