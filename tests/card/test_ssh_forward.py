"""The reader over SSH: pcscd's socket forwarded (socat stands in for `ssh -R`).

The client must have PCSCLITE_CSOCK_NAME before its first PC/SC call, so the
reading side runs as a subprocess (`ins-tui card watch`), as on the server.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ins_tui.card.pcscd import SOCKET_PATH
from ins_tui.card.profiles import get_profile
from ins_tui.card.virtual import VirtualCard
from tests.card.output import rest_of_output

pytestmark = [
    pytest.mark.pcscd,
    pytest.mark.skipif(shutil.which("socat") is None, reason="socat absent (paquet Debian socat)"),
]


def _watch(socket_path: Path, seconds: float) -> subprocess.Popen[str]:
    env = {**os.environ, "PCSCLITE_CSOCK_NAME": str(socket_path)}
    return subprocess.Popen(
        [sys.executable, "-m", "ins_tui", "card", "watch", "--show", "--seconds", str(seconds)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )


def test_card_read_through_a_forwarded_socket(pcscd, tmp_path: Path) -> None:
    forwarded = tmp_path / "pcscd.comm"  # what `ssh -R` creates on the server
    socat_log = tmp_path / "socat.log"
    forwarder = subprocess.Popen(
        ["socat", "-d", "-d", "-lf", str(socat_log),
         f"UNIX-LISTEN:{forwarded},fork,mode=600", f"UNIX-CONNECT:{SOCKET_PATH}"],
    )
    try:
        deadline = time.monotonic() + 5
        while not forwarded.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        watch = _watch(forwarded, 3.0)
        try:
            assert "Service PC/SC disponible" in watch.stdout.readline()
            with VirtualCard(get_profile("tchitchi"), port=pcscd.port):
                out = rest_of_output(watch, timeout=10)
        finally:
            watch.kill()
    finally:
        forwarder.terminate()
        forwarder.wait(5)
    assert "TCHITCHI CATARINA" in out and "NIR 236066322083656" in out
    assert "accepting connection" in socat_log.read_text()  # it really went through socat


def test_missing_forwarded_socket_looks_like_pcscd_down(pcscd, tmp_path: Path) -> None:
    watch = _watch(tmp_path / "absent.comm", 1.0)
    out, _ = watch.communicate(timeout=10)
    assert "Service PC/SC indisponible" in out and "Carte insérée" not in out
