"""The virtual reader never reaches the machine: no vpcd port outside the namespace."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ins_tui.card.pcscd import PcscdError, PrivatePcscd, unavailable_reason

VPCD_PORTS = {0x8C7B, 0x8C7C}  # 35963, 35964
LISTEN = "0A"


def listening_ports(pid: str) -> set[int]:
    """TCP ports in LISTEN state in the network namespace of process `pid` (v4 and v6)."""
    ports = set()
    for name in ("tcp", "tcp6"):
        path = Path(f"/proc/{pid}/net/{name}")
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == LISTEN:
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


@pytest.mark.pcscd
def test_vpcd_ports_exist_only_inside_the_private_namespace(pcscd) -> None:
    # Control: the check does see the listener where it is (our own namespace)...
    assert listening_ports("self") >= VPCD_PORTS
    # ...and PID 1 lives in the machine's namespace: nothing listens there.
    assert not VPCD_PORTS & listening_ports("1")


def test_no_virtual_reader_configured_for_the_system_pcscd() -> None:
    assert not Path("/etc/reader.conf.d/vpcd").exists()
    for conf in Path("/etc/reader.conf.d").glob("*"):
        assert "libifdvpcd" not in conf.read_text(errors="replace"), conf


def test_private_pcscd_refuses_to_start_outside_the_namespaces(monkeypatch) -> None:
    monkeypatch.delenv("INS_TUI_IN_NS", raising=False)
    monkeypatch.delenv("INS_TUI_NO_PCSCD", raising=False)
    assert "espaces de noms privés" in unavailable_reason()
    with pytest.raises(PcscdError, match="réseau"):
        PrivatePcscd().start()


def test_reason_given_when_pcscd_is_disabled(monkeypatch) -> None:
    monkeypatch.setenv("INS_TUI_NO_PCSCD", "machine sans pcscd")
    assert unavailable_reason() == "pcscd privé désactivé : machine sans pcscd"


OWNER = """
import sys, time
from ins_tui.card.pcscd import PrivatePcscd
daemon = PrivatePcscd()
daemon.start()
print(daemon.pid, flush=True)
time.sleep(60)
"""


@pytest.mark.pcscd
@pytest.mark.parametrize("how", ["sigkill", "sighup-to-the-group"])
def test_private_pcscd_dies_with_its_owner(pcscd_daemon, how: str) -> None:
    """An app killed outright, or its terminal closed, must not leave its pcscd behind."""
    pcscd_daemon.stop()  # one pcscd per namespace: the owner starts its own
    owner = subprocess.Popen([sys.executable, "-c", OWNER], stdout=subprocess.PIPE, text=True,
                             start_new_session=True)
    try:
        pid = int(owner.stdout.readline())
        assert Path(f"/proc/{pid}").exists()
        if how == "sigkill":
            owner.kill()
        else:  # what a closed terminal / tmux window does: the whole process group
            os.killpg(owner.pid, signal.SIGHUP)
        owner.wait(5)
        deadline = time.monotonic() + 10
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(pid), "pcscd outlived the process that started it"
    finally:
        owner.kill()


def _alive(pid: int) -> bool:
    """Running, not a zombie waiting for the init process to reap it."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None,
                    reason="il faut root et unshare pour créer un espace réseau de test")
def test_a_mere_in_ns_claim_does_not_start_pcscd_on_a_network() -> None:
    """INS_TUI_IN_NS=1 exported by hand where a network interface exists is refused."""
    check = "from ins_tui.card.pcscd import unavailable_reason as r; print(r())"
    env = {**os.environ, "INS_TUI_IN_NS": "1"}
    env.pop("INS_TUI_NO_PCSCD", None)
    networked = subprocess.run(  # a namespace with a (virtual) Ethernet link
        ["unshare", "-n", "sh", "-c",
         'ip link add v0 type veth peer name v1 && exec "$0" -c "$1"', sys.executable, check],
        env=env, capture_output=True, text=True, timeout=30,
    )
    assert "refusé hors des espaces de noms privés" in networked.stdout, networked.stderr
    loopback_only = subprocess.run(
        ["unshare", "-n", sys.executable, "-c", check],
        env=env, capture_output=True, text=True, timeout=30,
    )
    assert "refusé" not in loopback_only.stdout, loopback_only.stderr  # control
