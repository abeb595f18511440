"""Times Weir's and Kedro's one-node projects alternately; prints a Markdown table of medians."""
import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time


def timed(command, cwd, env):
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed in {cwd}:\n{result.stderr.decode()}")
    return elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--weir", required=True)
    parser.add_argument("--weir-project", required=True)
    parser.add_argument("--kedro", required=True)
    parser.add_argument("--kedro-project", required=True)
    args = parser.parse_args()
    # DO_NOT_TRACK: Kedro's telemetry plugin (installed with Kedro) stays off the network.
    env = dict(os.environ, NO_COLOR="1", DO_NOT_TRACK="1", KEDRO_DISABLE_TELEMETRY="1")
    with tempfile.TemporaryDirectory() as scratch:
        # Each side runs in a scratch copy, so run records and Kedro's caches stay out of the tree.
        weir_project = shutil.copytree(args.weir_project, os.path.join(scratch, "weir"))
        kedro_project = shutil.copytree(args.kedro_project, os.path.join(scratch, "kedro"))
        cases = {
            "run (one node)": ([args.weir, "run"], [args.kedro, "run"]),
            "--help": ([args.weir, "--help"], [args.kedro, "--help"]),
        }
        rows = []
        for label, (weir, kedro) in cases.items():
            timed(weir, weir_project, env)
            timed(kedro, kedro_project, env)
            weir_times, kedro_times = [], []
            for _ in range(args.runs):
                weir_times.append(timed(weir, weir_project, env))
                kedro_times.append(timed(kedro, kedro_project, env))
            w, k = statistics.median(weir_times), statistics.median(kedro_times)
            rows.append((label, w, k))
    print(f"| command | Weir (median of {args.runs}) | Kedro 1.7.0 (median of {args.runs}) | Kedro / Weir |")
    print("| --- | ---: | ---: | ---: |")
    for label, w, k in rows:
        print(f"| `{label}` | {w * 1e3:.1f} ms | {k * 1e3:.0f} ms | {k / w:.0f}x |")


if __name__ == "__main__":
    main()
