#!/usr/bin/env bash
# After `cargo package --workspace`: the `weir` binary that cargo's verification built from the
# packaged weir-cli (its last build of `target/debug/weir`) creates a project from the files
# inside the package, identical to the example's.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-$HOME/.cache/weir/target}"
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)"
crate="$target/package/weir-cli-$version.crate"
[ -f "$crate" ] || { echo "no $crate: run cargo package first" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The package holds the starter's files as files (the repository's symlinks are followed).
tar -xzf "$crate" -C "$work"
starter="$work/weir-cli-$version/starters/spaceflights"
for file in src/lib.rs conf/base/catalog.yml data/01_raw/shuttles.xlsx tests/reference.rs; do
  [ -f "$starter/$file" ] && [ ! -L "$starter/$file" ] || { echo "missing from the package: $file" >&2; exit 1; }
done
if grep -rn 'include_\(str\|bytes\)!("\.\./\.\./' "$work/weir-cli-$version/src"; then
  echo "weir-cli includes files from outside its package" >&2
  exit 1
fi

# `weir new` from that build writes the example's files (named as the example, so that they are
# the same bytes).
"$target/debug/weir" new spaceflights --starter spaceflights --directory "$work" --weir-path "$PWD/crates/weir" >/dev/null
for file in src/pipelines/data_science/nodes.rs conf/base/parameters_data_science.yml data/01_raw/companies.csv tests/reference.rs; do
  cmp -s "$work/spaceflights/$file" "examples/spaceflights/$file" || { echo "weir new wrote a different $file" >&2; exit 1; }
done
grep -q '\.plugin(weir_mlflow::MlflowHook::new())' "$work/spaceflights/src/main.rs"
echo "package check: weir new works from the packaged weir-cli"
