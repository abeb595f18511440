"""Runs bench/compare's workloads on both sides, alternately, and prints a Markdown table of
medians: the run alone (run_ms, printed by each side), the whole process (wall), peak memory
(max RSS) and the Kedro/Weir ratios.

    python3 measure.py --weir <weir_workloads> --kedro-python <venv python> [--runs 5]
                       [--only w1,w2,w4,w5] [--w1-sizes 1000,10000] [--w4-units-weir 250 --w4-units-kedro 1000]
                       [--spaceflights <binary> --w5-source <tutorial data> --w5-copies 166]

W5 has a table of its own: wall time and peak memory of `kedro run` and of the spaceflights
binaries (--spaceflights, --spaceflights-lazy), beside the floor of polars alone
(--spaceflights-polars) and, when the venv has polars, the data processing run by polars' Python
build; each in a project folder of its own under --w5-work, then a check that every side wrote
Kedro's model input table and metrics.
"""

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def run(command, cwd=None, env=None, timeout=None):
    """Wall seconds, peak RSS in MiB, and the run_ms the program printed (None if it did not).

    A run still going after `timeout` seconds is killed, and None is returned instead.
    """
    # Output goes to a file: Kedro's rich logging writes to stdout, and a pipe nobody reads
    # until the end would fill up and block it.
    with tempfile.TemporaryFile() as sink:
        started = time.perf_counter()
        # A session of its own: a run stopped at the timeout is stopped with every process it
        # started (Kedro's ParallelRunner workers would otherwise keep running).
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, cwd=cwd, env=env,
                                   start_new_session=True)
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid != 0:
                break
            if timeout is not None and time.perf_counter() - started > timeout:
                os.killpg(process.pid, signal.SIGKILL)
                os.wait4(process.pid, 0)
                return None
            time.sleep(0.001 if time.perf_counter() - started < 1 else 0.05)
        wall = time.perf_counter() - started
        sink.seek(0)
        out = sink.read().decode(errors="replace")
    if status != 0:
        raise SystemExit(f"{command} failed with status {status}:\n{out[-3000:]}")
    run_ms = next((float(l.split("=")[1]) for l in out.splitlines() if l.startswith("run_ms=")), None)
    return wall, usage.ru_maxrss / 1024.0, run_ms


def workloads(args):
    for nodes in args.w1_sizes:
        for hooks in (0, 5):
            for logging in ("default", "quiet"):
                yield (f"w1-{nodes}", f"W1 chain of {nodes:,} nodes, {hooks} hooks, {logging} logging", nodes,
                       ["w1", str(nodes), str(hooks), logging], ["w1", str(nodes), str(hooks), logging])
    for runner in ("sequential", "parallel"):
        yield ("w2", f"W2 {args.w2_nodes:,} independent nodes, {runner}", args.w2_nodes,
               ["w2", str(args.w2_nodes), runner, "quiet"], ["w2", str(args.w2_nodes), runner, "quiet"])
    for runner in ("sequential", "parallel"):
        yield ("w4", f"W4 8 CPU-bound nodes (~0.5 s each), {runner}", 8,
               ["w4", runner, str(args.w4_units_weir), "quiet"], ["w4", runner, str(args.w4_units_kedro), "quiet"])


def fresh_project(template, path, raw):
    """A copy of `template` at `path` whose data/01_raw links to the generated raw files."""
    shutil.rmtree(path, ignore_errors=True)
    shutil.copytree(template, path)
    os.makedirs(os.path.join(path, "data", "01_raw"))
    for name in ("companies", "reviews", "shuttles"):
        os.symlink(os.path.join(raw, f"{name}.csv"), os.path.join(path, "data", "01_raw", f"{name}.csv"))
    return path


FLOOR = "polars alone, no framework (spaceflights_polars: the same queries and functions)"


def python_polars_version(python):
    return subprocess.run([python, "-c", "import polars; print(polars.__version__)"],
                          capture_output=True, text=True, check=True).stdout.strip()


def w5(args, kedro_python):
    """Spaceflights x COPIES: `kedro run` against two Weir projects, each in a folder of its own:
    the spaceflights example's binary (eager DataFrame nodes) and spaceflights_lazy (its data
    processing nodes on LazyFrames, with polars.LazyPolarsDataset). Two floors beside them: the
    lazy side's queries and functions run by polars alone (spaceflights_polars), and its data
    processing queries run by polars' official Python build."""
    raw = os.path.join(args.w5_work, f"raw-{args.w5_copies}")
    subprocess.run([kedro_python, os.path.join(HERE, "spaceflights", "make_data.py"), args.w5_source, raw,
                    "--copies", str(args.w5_copies)], check=True)
    template = lambda name: os.path.join(HERE, "spaceflights", name)
    kedro_project = fresh_project(template("kedro_project"), os.path.join(args.w5_work, "kedro"), raw)
    sides = [("Weir, the spaceflights example (eager DataFrame nodes)",
              [args.spaceflights, "run", "--pipelines", "data_processing,data_science"],
              fresh_project(template("weir_project"), os.path.join(args.w5_work, "weir"), raw))]
    if args.spaceflights_lazy:
        sides.append(("Weir, spaceflights_lazy (LazyFrame data processing nodes, streamed)",
                      [args.spaceflights_lazy, "run"],
                      fresh_project(template("weir_lazy_project"), os.path.join(args.w5_work, "weir-lazy"), raw)))
    if args.spaceflights_polars:
        # Not a Weir side: the floor under any polars-based run of W5 on this machine.
        sides.append((FLOOR, [args.spaceflights_polars],
                      fresh_project(template("weir_lazy_project"), os.path.join(args.w5_work, "polars-alone"), raw)))
    python_floor = None
    if subprocess.run([kedro_python, "-c", "import polars"], capture_output=True).returncode == 0:
        python_floor = fresh_project(template("weir_lazy_project"), os.path.join(args.w5_work, "polars-python"), raw)
    kedro_bin = os.path.join(os.path.dirname(kedro_python), "kedro")
    # Kedro's telemetry plugin is installed with Kedro; it must not talk to the network mid-run.
    kedro_env = dict(os.environ, DO_NOT_TRACK="1", KEDRO_DISABLE_TELEMETRY="1")
    runs = {title: [] for title, _, _ in sides}
    kedro, python_polars = [], []
    for _ in range(args.runs):  # alternate the sides
        for title, command, project in sides:
            runs[title].append(run(command, cwd=project))
        kedro.append(run([kedro_bin, "run"], cwd=kedro_project, env=kedro_env))
        if python_floor:
            python_polars.append(run([kedro_python, template("polars_data_processing.py")], cwd=python_floor))
    med = lambda rows, i: statistics.median(r[i] for r in rows)
    checks = []
    for title, _, project in sides:
        compared = subprocess.run([kedro_python, template("compare_outputs.py"), kedro_project, project],
                                  capture_output=True, text=True)
        if compared.returncode != 0:
            raise SystemExit(f"W5: Kedro and {title} wrote different outputs:\n{compared.stdout}{compared.stderr}")
        checks.append(f"{title}: {compared.stdout.strip()}")
    if python_floor:
        compared = subprocess.run([kedro_python, template("compare_outputs.py"), kedro_project, python_floor,
                                   "--table-only"], capture_output=True, text=True)
        if compared.returncode != 0:
            raise SystemExit(f"W5: Kedro and polars from Python wrote different tables:\n{compared.stdout}{compared.stderr}")
        checks.append(f"polars from Python, data processing only: {compared.stdout.strip()}")
    k_wall, k_peak = med(kedro, 0), med(kedro, 1)
    print("\n@@ w5")
    print(f"spaceflights x{args.w5_copies}, data_processing + data_science; Kedro 1.7 (`kedro run`, SequentialRunner): "
          f"{k_wall:.2f} s, {k_peak:,.0f} MiB peak.")
    print()
    print("| side | wall | Kedro wall | Kedro / side | peak | Kedro peak | side / Kedro peak |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for title, _, _ in sides:
        w_wall, w_peak = med(runs[title], 0), med(runs[title], 1)
        print(f"| {title} | {w_wall:.2f} s | {k_wall:.2f} s | {k_wall / w_wall:.1f}x "
              f"| {w_peak:,.0f} MiB | {k_peak:,.0f} MiB | {w_peak / k_peak:.2f} |")
    print()
    print(f"The bar, 10x Kedro, is {k_wall / 10:.2f} s.", end="")
    if python_floor:
        p_wall, p_peak = med(python_polars, 0), med(python_polars, 1)
        print(f" For reference, the data processing pipeline alone as equivalent queries run by polars "
              f"{python_polars_version(kedro_python)}'s official Python build (nightly SIMD, LTO; "
              f"polars_data_processing.py): {p_wall:.2f} s, {p_peak:,.0f} MiB peak.", end="")
    print()
    print()
    print("Runs (wall s, peak MiB):")
    for title, _, _ in sides:
        print(f"- {title}: {[(round(w, 2), round(p)) for w, p, _ in runs[title]]}")
    print(f"- Kedro: {[(round(w, 2), round(p)) for w, p, _ in kedro]}")
    if python_floor:
        print(f"- polars from Python, data processing only: {[(round(w, 2), round(p)) for w, p, _ in python_polars]}")
    print()
    print("Outputs, checked against Kedro's:")
    for check in checks:
        print(f"- {check}.")
    sys.stdout.flush()


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
    parser.add_argument("--kedro-timeout", type=float, default=900,
                        help="seconds after which a Kedro run of W1, W2 or W4 is stopped and reported as slower")
    parser.add_argument("--spaceflights", help="the spaceflights example's release binary (W5)")
    parser.add_argument("--spaceflights-lazy", help="bench/compare/spaceflights_lazy's release binary (W5)")
    parser.add_argument("--spaceflights-polars", help="its spaceflights_polars binary: W5 with polars alone")
    parser.add_argument("--w5-source", help="the tutorial's raw data (companies.csv, reviews.csv, shuttles.xlsx)")
    parser.add_argument("--w5-copies", type=int, default=166)
    parser.add_argument("--w5-work", default=os.path.expanduser("~/.cache/weir/bench-w5"))
    args = parser.parse_args()
    args.w1_sizes = [int(s) for s in args.w1_sizes.split(",") if s]
    only = set(args.only.split(","))
    kedro = [args.kedro_python, os.path.join(HERE, "kedro_workloads.py")]
    group, w4 = None, {}
    for key, title, nodes, weir_args, kedro_args in workloads(args):
        if key.split("-")[0] not in only:
            continue
        if key != group:  # one table per group, after a line naming it (report.py's key)
            group = key
            print(f"\n@@ {key}")
            print("| workload | Weir run | Kedro run | Kedro / Weir | per node (Weir / Kedro) | Weir wall | Kedro wall | Weir peak | Kedro peak |")
            print("|---|---:|---:|---:|---:|---:|---:|---:|---:|", flush=True)
        weir, kedro_runs = [], []
        for _ in range(args.runs):  # alternate the two sides
            weir.append(run([args.weir] + weir_args))
            if kedro_runs is not None:
                kedro_runs.append(run(kedro + kedro_args, timeout=args.kedro_timeout))
                if kedro_runs[-1] is None:
                    kedro_runs = None  # too slow to measure: say so, and run it no more
        med = lambda rows, i: statistics.median(r[i] for r in rows)
        w_run = med(weir, 2)
        if kedro_runs is None:
            limit = args.kedro_timeout * 1000
            print(
                f"| {title} | {w_run:.2f} ms | > {limit:,.0f} ms (stopped) | > {limit / w_run:,.0f}x "
                f"| {w_run * 1000 / nodes:.2f} µs / > {limit * 1000 / nodes:,.0f} µs "
                f"| {med(weir, 0) * 1000:,.0f} ms | — | {med(weir, 1):.1f} MiB | — |",
                flush=True,
            )
            continue
        k_run = med(kedro_runs, 2)
        if key == "w4":  # the two sides' nodes are calibrated apart: compare speed-ups, not times
            w4[title.rsplit(", ", 1)[1]] = (w_run, k_run)
        print(
            f"| {title} | {w_run:,.2f} ms | {k_run:,.0f} ms | {k_run / w_run:,.0f}x "
            f"| {w_run * 1000 / nodes:,.2f} µs / {k_run * 1000 / nodes:,.0f} µs "
            f"| {med(weir, 0) * 1000:,.0f} ms | {med(kedro_runs, 0) * 1000:,.0f} ms "
            f"| {med(weir, 1):.1f} MiB | {med(kedro_runs, 1):.0f} MiB |",
            flush=True,
        )
    if {"sequential", "parallel"} <= w4.keys():
        (w_seq, k_seq), (w_par, k_par) = w4["sequential"], w4["parallel"]
        print(f"\nThe parallel runner's speed-up over the sequential one: Weir {w_seq / w_par:.2f}x, "
              f"Kedro {k_seq / k_par:.2f}x. The two sides' nodes are calibrated separately to about "
              f"0.5 s each, so the Kedro / Weir column means little here; the speed-ups do.", flush=True)
    if "w5" in only:
        w5(args, args.kedro_python)


if __name__ == "__main__":
    main()
