#!/usr/bin/env bash
# Weir against Kedro 1.7 on the same workloads, alternately, on this machine (issue #5):
#   W1 framework overhead, W2 many independent nodes, W3 startup (bench/startup),
#   W4 CPU-bound parallelism, W5 spaceflights x166.
# One command from a fresh clone: creates the Kedro venv from PyPI, builds the Weir sides in
# release, generates W5's data, runs every workload (RUNS runs per side, alternating, default 5),
# prints the tables and writes them, with the machine and versions, into BENCHMARKS.md between
# the `bench/compare` markers.
#   bash bench/compare/run.sh
#   RUNS=3 ONLY=w1,w5 W1_SIZES=1000 WRITE=0 bash bench/compare/run.sh   # a subset, not written
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# Release builds with polars get a target folder of their own: sharing the debug one would make
# cargo rebuild polars whenever the two alternate.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/weir/target-bench}"
venv="${WEIR_BENCH_VENV:-$HOME/.cache/weir/venv-bench}"
only="${ONLY:-w1,w2,w3,w4,w5}"
runs="${RUNS:-5}"
if ! "$venv/bin/python" -c "import kedro, kedro_datasets, sklearn, openpyxl, pyarrow, polars" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet -r "$here/requirements.txt"
fi
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
if [[ ",$only," =~ ,w[124], ]]; then
  cargo build --release --locked --quiet -p weir_workloads --manifest-path "$root/Cargo.toml"
fi
if [[ ",$only," == *,w5,* ]]; then
  echo "building the spaceflights example in release (a cold build compiles polars: ~30 min on 2 cores)" >&2
  cargo build --release --locked --quiet -p spaceflights -p spaceflights_lazy --manifest-path "$root/Cargo.toml"
fi
if [[ ",$only," == *,w3,* ]]; then
  RUNS="${W3_RUNS:-15}" WEIR_BENCH_VENV="$venv" bash "$root/bench/startup/run.sh" | tee "$out/w3.md"
fi
python3 "$here/measure.py" --runs "$runs" --only "$only" --w1-sizes "${W1_SIZES:-1000,10000}" \
  --weir "$CARGO_TARGET_DIR/release/weir_workloads" --kedro-python "$venv/bin/python" \
  --kedro-timeout "${KEDRO_TIMEOUT:-900}" \
  --spaceflights "$CARGO_TARGET_DIR/release/spaceflights" \
  --spaceflights-lazy "$CARGO_TARGET_DIR/release/spaceflights_lazy" \
  --spaceflights-polars "$CARGO_TARGET_DIR/release/spaceflights_polars" --w5-source "$root/examples/spaceflights/data/01_raw" \
  | tee "$out/compare.md"
if [ "${WRITE:-1}" = 1 ]; then
  python3 "$here/report.py" --benchmarks "$root/BENCHMARKS.md" --runs "$runs" --only "$only" \
    --kedro-python "$venv/bin/python" --w3 "$out/w3.md" --compare "$out/compare.md"
fi
