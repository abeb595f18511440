#!/usr/bin/env bash
# Installs MLflow (pinned in requirements.txt) into a virtual environment for the tracking
# server that weir-mlflow's integration tests start: $WEIR_MLFLOW_VENV (default
# ~/.cache/weir/venv-mlflow). Idempotent: a venv made from the same requirements is kept.
# Needs Python 3 with venv and pip, and PyPI on first run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${WEIR_MLFLOW_VENV:-$HOME/.cache/weir/venv-mlflow}"
if [[ -x "$venv/bin/mlflow" ]] && cmp -s "$here/requirements.txt" "$venv/weir-requirements.txt"; then
  exit 0
fi
python="$(command -v python3 || command -v python || true)"
if [[ -z "$python" ]]; then
  echo "scripts/mlflow/install.sh: Python 3 is not installed; it is needed for the MLflow server the tests start" >&2
  exit 1
fi
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
cp "$here/requirements.txt" "$venv/weir-requirements.txt"
echo "MLflow $("$venv/bin/mlflow" --version | awk '{print $NF}') installed in $venv"
