#!/usr/bin/env bash
# Runs a command in private mount + network namespaces, with a tmpfs on /run/pcscd.
# A pcscd started inside (with the project's vpcd reader) is invisible from outside:
# its socket lives on the private tmpfs and the vpcd ports exist only on the
# namespace's own loopback. Falls back to running the command as is (and says so)
# when the machine cannot make namespaces (not root, no unshare).
set -euo pipefail
# Already inside (nested call): trust the marker only when the network namespace really
# has nothing but loopback, so an exported INS_TUI_IN_NS=1 cannot skip the isolation.
if [ "${INS_TUI_IN_NS:-}" = 1 ] && [ "$(ip -o link show 2>/dev/null | cut -d: -f2 | tr -d " ")" = "lo" ]; then exec "$@"; fi
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null && unshare -mn true 2>/dev/null; then
  exec unshare -mn --propagation private env INS_TUI_IN_NS=1 bash -c '
    ip link set lo up
    mkdir -p /run/pcscd
    mount -t tmpfs -o mode=0755 tmpfs /run/pcscd
    exec "$@"' _ "$@"
fi
echo "Espaces de noms indisponibles (pas root ou pas unshare) : pas de pcscd privé, lecteur virtuel en mémoire." >&2
exec env INS_TUI_NO_PCSCD="namespaces unavailable (not root or unshare refused)" "$@"
