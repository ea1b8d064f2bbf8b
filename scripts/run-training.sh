#!/usr/bin/env bash
# Training mode: the app with its own database, the INSi simulator on loopback and
# virtual cards through a private pcscd (in private namespaces when possible).
set -euo pipefail
cd "$(dirname "$0")/.."
exec bash scripts/private-ns.sh .venv/bin/ins-tui run --training "$@"
