"""Writes the figures of one `bench/compare/run.sh` run into BENCHMARKS.md.

Each part lives between markers of its own, so running a subset (ONLY=w5) replaces only what it
measured:

    <!-- bench/compare:machine begin --> ... <!-- bench/compare:machine end -->
    <!-- bench/compare:w3 begin --> ...
    <!-- bench/compare:w1-1000 begin --> ...   (also w1-10000, w2, w4, w5)

Markers missing from the file are appended at its end, under one heading.
"""

import argparse
import datetime
import os
import platform
import re
import subprocess

HEADING = "## Side by side with Kedro 1.7: W1–W5 (bench/compare, issue #5)"


def first_line(command):
    try:
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip().splitlines()[0]
    except (OSError, subprocess.CalledProcessError, IndexError):
        return "unknown"


def machine(kedro_python, root):
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 2**20:.0f} GiB"
    system = platform.platform()
    if os.path.exists("/etc/os-release"):
        with open("/etc/os-release") as f:
            names = dict(l.rstrip("\n").split("=", 1) for l in f if "=" in l)
        system = f"{names.get('PRETTY_NAME', '').strip(chr(34))}, Linux {platform.release()}"
    python = subprocess.run(
        [kedro_python, "-c",
         "import sys, kedro, kedro_datasets, pandas, sklearn, pyarrow;"
         "print(f'Python {sys.version.split()[0]}, kedro {kedro.__version__}, kedro-datasets "
         "{kedro_datasets.__version__}, pandas {pandas.__version__}, scikit-learn {sklearn.__version__}, "
         "pyarrow {pyarrow.__version__}')"],
        capture_output=True, text=True, check=True).stdout.strip()
    polars = "unknown"
    with open(os.path.join(root, "Cargo.lock")) as f:
        lock = f.read()
    found = re.search(r'name = "polars"\nversion = "([^"]+)"', lock)
    if found:
        polars = found.group(1)
    commit = first_line(["git", "-C", root, "rev-parse", "--short", "HEAD"])
    return "\n".join([
        f"- Measured {datetime.date.today().isoformat()} at commit `{commit}` by `bash bench/compare/run.sh`.",
        f"- Machine: {cpu}, {os.cpu_count()} cores, {memory} of memory; {system}.",
        f"- Weir: {first_line(['rustc', '--version'])}, release profile, polars {polars}.",
        f"- Kedro side: {python}.",
    ])


def replace(text, key, body):
    begin, end = f"<!-- bench/compare:{key} begin -->", f"<!-- bench/compare:{key} end -->"
    block = f"{begin}\n{body.strip()}\n{end}"
    if begin in text and end in text:
        start, stop = text.index(begin), text.index(end) + len(end)
        return text[:start] + block + text[stop:]
    if HEADING not in text:
        text = text.rstrip("\n") + f"\n\n{HEADING}\n"
    return text.rstrip("\n") + f"\n\n{block}\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--benchmarks", required=True)
    parser.add_argument("--runs", type=int, required=True)
    parser.add_argument("--only", required=True)
    parser.add_argument("--kedro-python", required=True)
    parser.add_argument("--w3")
    parser.add_argument("--compare", required=True)
    args = parser.parse_args()
    root = os.path.dirname(os.path.abspath(args.benchmarks))
    only = set(args.only.split(","))
    # --only and --runs describe the run; the sections present say what was measured.
    with open(args.benchmarks) as f:
        text = f.read()
    text = replace(text, "machine", machine(args.kedro_python, root))
    if "w3" in only and args.w3 and os.path.exists(args.w3):
        with open(args.w3) as f:
            text = replace(text, "w3", f.read())
    with open(args.compare) as f:
        compare = f.read()
    # measure.py prints one section per group of workloads, each after a line `@@ <key>`.
    for section in compare.split("\n@@ ")[1:]:
        key, _, body = section.partition("\n")
        runs = "One run per side (`RUNS=1`)." if args.runs == 1 else f"Medians of {args.runs} alternating runs per side."
        text = replace(text, key.strip(), f"{runs}\n\n{body}")
    with open(args.benchmarks, "w") as f:
        f.write(text)
    print(f"wrote {args.benchmarks}")


if __name__ == "__main__":
    main()
