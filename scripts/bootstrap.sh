#!/usr/bin/env bash
# Install the project's Python environment (.venv) from uv.lock. Needs only python3 ≥ 3.11.
set -euo pipefail
cd "$(dirname "$0")/.."
export UV_PYTHON_DOWNLOADS=never
if command -v uv >/dev/null 2>&1; then
  UV=uv
else
  # No uv on this machine: put one in a private venv so nothing system-wide changes.
  if [ ! -x var/tools/bin/uv ]; then
    mkdir -p var
    python3 -m venv var/tools
    var/tools/bin/pip install --quiet uv
  fi
  UV=var/tools/bin/uv
fi
"$UV" sync --locked --quiet
