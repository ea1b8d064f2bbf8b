#!/usr/bin/env bash
# Installs what ins-tui needs on a Debian machine, skipping what is already there.
# - system packages (apt) only when missing; apt-get update at most once;
# - the vpcd virtual-reader driver is *extracted* into .cache/vpcd, never installed
#   system-wide: the system pcscd must never get a reader that accepts cards from
#   the network (vpcd listens on ports 35963/35964 on every interface);
# - a virtualenv in .venv with the project and its test dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

need=()
pkgs=(pcscd libpcsclite-dev swig gcc make softhsm2 socat iproute2 util-linux tmux xmlsec1 tzdata)
# Labels (ins_tui/label/): libdmtx draws the datamatrix, CUPS prints; cups-pdf, poppler
# and dmtx-utils are for the tests (a private cupsd with a PDF queue, then a decoder).
pkgs+=(libdmtx0b cups printer-driver-cups-pdf poppler-utils dmtx-utils)
$PYTHON -c 'import venv, ensurepip' 2>/dev/null || pkgs+=(python3-venv)
$PYTHON -c 'import sysconfig,os,sys; sys.exit(0 if os.path.exists(os.path.join(sysconfig.get_paths()["include"],"Python.h")) else 1)' || pkgs+=(python3-dev)
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Paquets système manquants : ${need[*]} (relancer en root, ou : sudo apt-get install ${need[*]})" >&2
    exit 1
  fi
  echo "Installation des paquets système : ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# The Debian pcscd package may start a system daemon; ins-tui never relies on it
# and never configures a virtual reader for it.
if [ -e /etc/reader.conf.d/vpcd ]; then
  echo "ATTENTION : /etc/reader.conf.d/vpcd existe : le pcscd du système a un lecteur virtuel" >&2
  echo "  qui accepte des cartes depuis le réseau. Le retirer : apt-get purge vsmartcard-vpcd" >&2
fi

vpcd_dir=.cache/vpcd
if [ ! -f "$vpcd_dir/libifdvpcd.so" ]; then
  mkdir -p "$vpcd_dir/deb"
  ( cd "$vpcd_dir/deb" && apt-get download vsmartcard-vpcd >/dev/null 2>&1 ) || {
    [ "$(id -u)" -eq 0 ] && apt-get update -qq && ( cd "$vpcd_dir/deb" && apt-get download vsmartcard-vpcd >/dev/null ); }
  deb=$(ls "$vpcd_dir"/deb/vsmartcard-vpcd_*.deb | head -n1)
  rm -rf "$vpcd_dir/x" && dpkg-deb -x "$deb" "$vpcd_dir/x"
  cp "$vpcd_dir"/x/usr/lib/pcsc/drivers/serial/libifdvpcd.so.* "$vpcd_dir/libifdvpcd.so"
  rm -rf "$vpcd_dir/x"
fi

if [ ! -x .venv/bin/python ]; then
  $PYTHON -m venv .venv
fi
.venv/bin/pip install -q --disable-pip-version-check --upgrade pip >/dev/null
.venv/bin/pip install -q --disable-pip-version-check -e '.[test]'
echo "Installation terminée."
