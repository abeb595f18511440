#!/usr/bin/env bash
# Weir against Kedro 1.7 on the same workloads, alternately, on this machine (issue #5):
# W1 framework overhead, W2 many independent nodes, W4 CPU-bound parallelism. W3 (startup) is
# bench/startup/run.sh. Prints a Markdown table of medians (RUNS runs each, default 5).
#   RUNS=5 W1_SIZES=1000,10000 ONLY=w1,w2,w4 bash bench/compare/run.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/weir/target}"
venv="${WEIR_BENCH_VENV:-$HOME/.cache/weir/venv-bench}"
if [ ! -x "$venv/bin/kedro" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet -r "$root/bench/io/requirements.txt"
fi
cargo build --release --locked --quiet -p weir_workloads --manifest-path "$root/Cargo.toml"
python3 "$here/measure.py" --runs "${RUNS:-5}" --only "${ONLY:-w1,w2,w4}" --w1-sizes "${W1_SIZES:-1000,10000}" \
  --weir "$CARGO_TARGET_DIR/release/weir_workloads" --kedro-python "$venv/bin/python"
