#!/usr/bin/env bash
# Starts an MLflow tracking server for Weir projects on http://127.0.0.1:5000 (or $PORT):
# a SQLite database and proxied artifacts under ./.mlflow of the current folder. Ctrl-C stops
# it. Installs MLflow first if needed (scripts/mlflow/install.sh).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$here/install.sh"
venv="${WEIR_MLFLOW_VENV:-$HOME/.cache/weir/venv-mlflow}"
store="$PWD/.mlflow"
mkdir -p "$store/artifacts"
echo "MLflow UI and API on http://127.0.0.1:${PORT:-5000} (data in $store)"
exec "$venv/bin/mlflow" server \
  --backend-store-uri "sqlite:///$store/mlflow.db" \
  --artifacts-destination "$store/artifacts" \
  --serve-artifacts \
  --host 127.0.0.1 --port "${PORT:-5000}"
