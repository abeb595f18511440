"""Runs bench/compare's workloads on both sides, alternately, and prints a Markdown table of
medians: the run alone (run_ms, printed by each side), the whole process (wall), peak memory
(max RSS) and the Kedro/Weir ratios.

    python3 measure.py --weir <weir_workloads> --kedro-python <venv python> [--runs 5]
                       [--only w1,w2,w4] [--w1-sizes 1000,10000] [--w4-units-weir 250 --w4-units-kedro 1000]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def run(command):
    """Wall seconds, peak RSS in MiB, and the run_ms the program printed."""
    # Output goes to a file: Kedro's rich logging writes to stdout, and a pipe nobody reads
    # until the end would fill up and block it.
    with tempfile.TemporaryFile() as sink:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        sink.seek(0)
        out = sink.read().decode(errors="replace")
    if status != 0:
        raise SystemExit(f"{command} failed with status {status}")
    run_ms = next(float(l.split("=")[1]) for l in out.splitlines() if l.startswith("run_ms="))
    return wall, usage.ru_maxrss / 1024.0, run_ms


def workloads(args):
    for nodes in args.w1_sizes:
        for hooks in (0, 5):
            for logging in ("default", "quiet"):
                yield (f"W1 chain of {nodes:,} nodes, {hooks} hooks, {logging} logging", nodes,
                       ["w1", str(nodes), str(hooks), logging], ["w1", str(nodes), str(hooks), logging])
    for runner in ("sequential", "parallel"):
        yield (f"W2 {args.w2_nodes:,} independent nodes, {runner}", args.w2_nodes,
               ["w2", str(args.w2_nodes), runner, "quiet"], ["w2", str(args.w2_nodes), runner, "quiet"])
    for runner in ("sequential", "parallel"):
        yield (f"W4 8 CPU-bound nodes (~0.5 s each), {runner}", 8,
               ["w4", runner, str(args.w4_units_weir), "quiet"], ["w4", runner, str(args.w4_units_kedro), "quiet"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--weir", required=True)
    parser.add_argument("--kedro-python", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="w1,w2,w4")
    parser.add_argument("--w1-sizes", default="1000,10000")
    parser.add_argument("--w2-nodes", type=int, default=1000)
    parser.add_argument("--w4-units-weir", type=int, default=250)
    parser.add_argument("--w4-units-kedro", type=int, default=1000)
    args = parser.parse_args()
    args.w1_sizes = [int(s) for s in args.w1_sizes.split(",") if s]
    only = set(args.only.split(","))
    kedro = [args.kedro_python, os.path.join(HERE, "kedro_workloads.py")]
    print("| workload | Weir run | Kedro run | ratio | per node (Weir / Kedro) | Weir wall | Kedro wall | Weir peak | Kedro peak |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|", flush=True)
    for title, nodes, weir_args, kedro_args in workloads(args):
        if title.split()[0].lower() not in only:
            continue
        weir, kedro_runs = [], []
        for _ in range(args.runs):  # alternate the two sides
            weir.append(run([args.weir] + weir_args))
            kedro_runs.append(run(kedro + kedro_args))
        med = lambda rows, i: statistics.median(r[i] for r in rows)
        w_run, k_run = med(weir, 2), med(kedro_runs, 2)
        print(
            f"| {title} | {w_run:.2f} ms | {k_run:.1f} ms | {k_run / w_run:,.0f}x "
            f"| {w_run * 1000 / nodes:.2f} µs / {k_run * 1000 / nodes:,.0f} µs "
            f"| {med(weir, 0) * 1000:.0f} ms | {med(kedro_runs, 0) * 1000:.0f} ms "
            f"| {med(weir, 1):.1f} MiB | {med(kedro_runs, 1):.0f} MiB |",
            flush=True,
        )


if __name__ == "__main__":
    main()
