#!/usr/bin/env bash
# I/O benchmark: load and save a 1M-row table as CSV and Parquet with Kedro's pandas datasets
# and with Weir's catalog datasets, alternating, RUNS times each; prints a Markdown table of
# medians (wall seconds per operation, and peak memory of the whole process).
#
#   bash bench/io/run.sh            # RUNS=5 ROWS=1000000
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS="${RUNS:-5}"
ROWS="${ROWS:-1000000}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/weir/target}"
VENV="${WEIR_BENCH_VENV:-$HOME/.cache/weir/venv-bench}"
DATA="${WEIR_BENCH_DATA:-$HOME/.cache/weir/bench-io-$ROWS}"

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q -r bench/io/requirements.txt
fi
[ -f "$DATA/table.parquet" ] || "$VENV/bin/python" bench/io/generate.py "$DATA" "$ROWS"
cargo build -q --release --locked -p weir-datasets --example io_bench
WEIR="$CARGO_TARGET_DIR/release/examples/io_bench"

results="$(mktemp)"
for i in $(seq "$RUNS"); do
  for side in kedro weir; do
    if [ "$side" = kedro ]; then cmd=("$VENV/bin/python" bench/io/kedro_io.py "$DATA"); else cmd=("$WEIR" "$DATA"); fi
    line="$(/usr/bin/time -f 'MAXRSS %M' "${cmd[@]}" 2>"$results.err")"
    rss="$(awk '/MAXRSS/ {print $2}' "$results.err")"
    echo "{\"side\": \"$side\", \"rss_kib\": $rss, \"t\": $line}" >> "$results"
  done
done
"$VENV/bin/python" - "$results" "$RUNS" "$ROWS" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
ops = ["csv_load", "csv_save", "parquet_load", "parquet_save"]
def med(side, key):
    return statistics.median(r["t"][key] for r in rows if r["side"] == side)
def rss(side):
    return statistics.median(r["rss_kib"] for r in rows if r["side"] == side) / 1024
print(f"Medians of {sys.argv[2]} alternating runs, {int(sys.argv[3]):,} rows x 7 columns.\n")
print("| operation | Kedro (pandas) | Weir (polars) | Kedro / Weir |")
print("| --- | ---: | ---: | ---: |")
for op in ops:
    k, w = med("kedro", op), med("weir", op)
    print(f"| {op.replace('_', ' ')} | {k*1000:.0f} ms | {w*1000:.0f} ms | {k/w:.1f}x |")
print(f"| peak memory (whole process) | {rss('kedro'):.0f} MiB | {rss('weir'):.0f} MiB | {rss('kedro')/rss('weir'):.1f}x |")
PY
rm -f "$results" "$results.err"
