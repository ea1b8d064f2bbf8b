#!/usr/bin/env bash
# The whole test suite, inside private namespaces so that the private pcscd and its
# virtual reader never touch the machine's own pcscd or network.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check ins_tui tests bench
export INS_TUI_STRICT_SKIPS=1  # a skipped real-parts test fails (tests/conftest.py)
exec bash scripts/private-ns.sh .venv/bin/python -m pytest "$@"
