#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit, integration, compile-fail and doc tests.
# `.ci/run` calls exactly this script; run it from anywhere in the repository.
set -euo pipefail
cd "$(dirname "$0")/.."

# One target folder outside the clone, shared between runs, so CI reuses its builds.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/weir/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

# The real services the integration tests talk to (each test starts and stops its own
# instance on free ports): the Etsy StatsD daemon from npm, an MLflow server from PyPI.
echo "== services"
./scripts/statsd/install.sh
./scripts/mlflow/install.sh

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== module cycles"
python3 scripts/check-module-cycles.py --self-test
python3 scripts/check-module-cycles.py

echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== cargo test"
cargo test --workspace --locked

echo "== benchmarks compile and run once"
cargo test --workspace --locked --benches -- --test

echo "== cargo package"
# Every library crate and the `weir` binary, built from their packaged files (workspace mode:
# the crates resolve each other from the packages). Without default features, so polars is
# built once more only for weir-validate, which needs it.
# In a target folder of its own: cargo takes a registry crate's build for good once built (its
# version does not change between runs), so the packaged weir crates' builds and unpacked
# sources from an earlier run are removed first; their dependencies' builds stay.
package_target="$HOME/.cache/weir/package-target"
rm -rf "$package_target/package" "$package_target"/debug/.fingerprint/weir* \
  "$package_target"/debug/build/weir* "$package_target"/debug/deps/*weir* \
  "${CARGO_HOME:-$HOME/.cargo}"/registry/src/-*/weir-*
CARGO_TARGET_DIR="$package_target" cargo package --workspace --locked --allow-dirty \
  --no-default-features --exclude spaceflights --exclude spaceflights_lazy \
  --exclude weir_workloads --exclude weir_one_node --exclude statsd_overhead
CARGO_TARGET_DIR="$package_target" ./scripts/check-package.sh

echo "all tests passed"
