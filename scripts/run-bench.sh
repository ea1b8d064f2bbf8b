#!/usr/bin/env bash
set -euo pipefail
cd "$(dirname "$0")/.."
for b in bench/*.py; do
  echo "== $b"
  bash scripts/private-ns.sh .venv/bin/python "$b"
done
