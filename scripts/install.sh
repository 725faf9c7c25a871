#!/usr/bin/env bash
# The one install path (README, CI, Dockerfile): system packages and fonts, then docgen and its Python
# dependencies into .venv. Idempotent and quick when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-system.sh
[ -x .venv/bin/python ] || python3 -m venv .venv
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e '.[dev]'
  rm -f .venv/.installed-*
  touch "$stamp"
fi
echo "install: ok (.venv/bin/docgen)"
