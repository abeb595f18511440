#!/usr/bin/env bash
# Startup, side by side: `run` of a one-node project and `--help`, Weir against Kedro 1.7.
# Builds the Weir project in release, uses the Kedro venv of bench/io (created if missing), runs
# each command alternately and prints the medians (bench/startup/measure.py).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/weir/target}"
venv="${WEIR_BENCH_VENV:-$HOME/.cache/weir/venv-bench}"
if [ ! -x "$venv/bin/kedro" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet -r "$root/bench/io/requirements.txt"
fi
cargo build --release --locked --quiet -p weir_one_node --manifest-path "$root/Cargo.toml"
python3 "$here/measure.py" --runs "${RUNS:-15}" \
  --weir "$CARGO_TARGET_DIR/release/weir_one_node" --weir-project "$here/weir_one_node" \
  --kedro "$venv/bin/kedro" --kedro-project "$here/kedro_one_node"
