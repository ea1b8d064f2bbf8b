#!/usr/bin/env bash
# Every benchmark in bench/ (files starting with "_" are shared helpers, not benchmarks),
# each in the private namespaces so the card benchmarks get their private pcscd.
set -euo pipefail
cd "$(dirname "$0")/.."
for b in bench/[!_]*.py; do
  echo "== $b"
  bash scripts/private-ns.sh .venv/bin/python "$b"
done
