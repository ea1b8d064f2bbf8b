"""A private pcscd with the project's virtual reader, started and stopped by pid.

vpcd accepts a "card" from any TCP client on every interface, so its reader must
never be configured for the machine's own pcscd. This daemon gets a reader
configuration of its own (a temporary file naming the driver extracted into the
project cache) and runs only inside the private mount + network namespaces of
`scripts/private-ns.sh`, where `/run/pcscd` is a tmpfs and the vpcd ports exist on
the namespace's loopback alone.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from ins_tui.card.virtual import DEFAULT_PORT

READER_NAME = "Lecteur virtuel ins-tui"
SOCKET_PATH = Path("/run/pcscd/pcscd.comm")
PID_PATH = Path("/run/pcscd/pcscd.pid")
STOP_TIMEOUT = 5.0


class PcscdError(RuntimeError):
    """The private pcscd cannot start; the message says why, in French."""


def project_root() -> Path:
    return Path(__file__).resolve().parents[2]


def vpcd_driver() -> Path:
    override = os.environ.get("INS_TUI_VPCD_DRIVER")
    return Path(override) if override else project_root() / ".cache" / "vpcd" / "libifdvpcd.so"


def unavailable_reason() -> str | None:
    """Why this machine cannot run the private pcscd, or None when it can."""
    if os.environ.get("INS_TUI_NO_PCSCD"):
        return f"pcscd privé désactivé : {os.environ['INS_TUI_NO_PCSCD']}"
    if os.environ.get("INS_TUI_IN_NS") != "1" or not in_private_network():
        return (
            "pcscd privé refusé hors des espaces de noms privés "
            "(lancer via scripts/private-ns.sh) : le lecteur virtuel accepterait "
            "des cartes venant du réseau."
        )
    if shutil.which("pcscd") is None:
        return "pcscd n'est pas installé (paquet Debian pcscd)."
    if not vpcd_driver().is_file():
        return f"pilote vpcd absent ({vpcd_driver()}) : lancer scripts/bootstrap.sh."
    return None


def in_private_network() -> bool:
    """True when this process's network namespace has no interface but loopback.

    The INS_TUI_IN_NS variable alone is only a claim anyone can export; what
    matters is that vpcd's ports cannot be reached from any network, so the
    kernel's list of this namespace's interfaces is what is checked.
    """
    try:
        lines = Path("/proc/self/net/dev").read_text().splitlines()[2:]
    except OSError:
        return False
    return {line.split(":", 1)[0].strip() for line in lines} <= {"lo"}


def reader_config(reader_name: str, port: int, driver: Path) -> str:
    return (
        f'FRIENDLYNAME "{reader_name}"\n'
        f"DEVICENAME /dev/null:0x{port:04X}\n"
        f"LIBPATH {driver}\n"
        f"CHANNELID 0x{port:04X}\n"
    )


class PrivatePcscd:
    """One pcscd process; two virtual slots on `port` and `port + 1`."""

    def __init__(self, *, reader_name: str = READER_NAME, port: int = DEFAULT_PORT) -> None:
        self.reader_name = reader_name
        self.port = port
        self._process: subprocess.Popen[bytes] | None = None
        self._guardian: subprocess.Popen[bytes] | None = None
        self._workdir: Path | None = None

    @property
    def readers(self) -> tuple[str, str]:
        return (f"{self.reader_name} 00 00", f"{self.reader_name} 00 01")

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def __enter__(self) -> PrivatePcscd:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self, timeout: float = 5.0) -> None:
        reason = unavailable_reason()
        if reason:
            raise PcscdError(reason)
        if self.running:
            return
        self._clear_stale_files()
        self._workdir = Path(tempfile.mkdtemp(prefix="ins-tui-pcscd-"))
        config = self._workdir / "reader.conf"
        config.write_text(reader_config(self.reader_name, self.port, vpcd_driver()))
        log = (self._workdir / "pcscd.log").open("wb")
        # Default log level only: -a/-d would write APDUs, hence NIRs, in clear.
        self._process = subprocess.Popen(
            ["pcscd", "--foreground", "--config", str(config)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        log.close()
        self._guardian = _start_guardian(self._process.pid)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                tail = self.log_tail()
                self.stop()
                raise PcscdError(f"pcscd s'est arrêté au démarrage : {tail}")
            if SOCKET_PATH.exists() and self._lists_our_reader():
                return
            time.sleep(0.02)
        self.stop()
        raise PcscdError("pcscd n'a pas présenté le lecteur virtuel à temps.")

    def _lists_our_reader(self) -> bool:
        from smartcard import scard

        hr, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hr != scard.SCARD_S_SUCCESS:
            return False
        try:
            hr, readers = scard.SCardListReaders(context, [])
            return hr == scard.SCARD_S_SUCCESS and self.readers[0] in readers
        finally:
            scard.SCardReleaseContext(context)

    def _clear_stale_files(self) -> None:
        """A pcscd killed with SIGKILL leaves its socket and pid file on the tmpfs."""
        if PID_PATH.exists():
            try:
                pid = int(PID_PATH.read_text().strip() or 0)
                os.kill(pid, 0)
            except (ValueError, ProcessLookupError):
                PID_PATH.unlink(missing_ok=True)
                SOCKET_PATH.unlink(missing_ok=True)
            except PermissionError:
                pass
            else:
                raise PcscdError(f"un autre pcscd tourne déjà ici (pid {pid}).")

    def log_tail(self, lines: int = 5) -> str:
        if self._workdir is None:
            return ""
        path = self._workdir / "pcscd.log"
        if not path.exists():
            return ""
        return " | ".join(path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """SIGTERM by pid, wait for the exit (SIGKILL after `timeout`), clean the temp dir."""
        self._signal_and_wait(signal.SIGTERM, timeout)
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def kill(self) -> None:
        """Crash it (SIGKILL), as a test of what the app does when pcscd dies."""
        self._signal_and_wait(signal.SIGKILL, STOP_TIMEOUT)

    def _signal_and_wait(self, sig: signal.Signals, timeout: float) -> None:
        self._stop_guardian()
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(sig)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._process = None
        self._clear_stale_files()

    def _stop_guardian(self) -> None:
        """Dismiss the guardian first, so it can never signal a pid reused later."""
        guardian, self._guardian = self._guardian, None
        if guardian is None:
            return
        guardian.kill()
        guardian.wait()
        if guardian.stdin is not None:
            guardian.stdin.close()

    def wait_presence(self, slot: int, present: bool, timeout: float = 5.0) -> int:
        """Block until pcscd sees slot `slot` with (or without) a card; return its event count.

        For tests and benchmarks: pcscd notices a virtual card only at its next
        presence poll, so "card started" is not yet "card seen".
        """
        from smartcard import scard

        reader = self.readers[slot]
        hr, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hr != scard.SCARD_S_SUCCESS:
            raise PcscdError("pcscd privé injoignable.")
        try:
            state = scard.SCARD_STATE_UNAWARE
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                hr, states = scard.SCardGetStatusChange(context, 100, [(reader, state)])
                if hr == scard.SCARD_S_SUCCESS:
                    state = states[0][1] & ~scard.SCARD_STATE_CHANGED
                    if bool(state & scard.SCARD_STATE_PRESENT) == present:
                        return state >> 16
            raise PcscdError(f"« {reader} » : état de carte attendu non atteint à temps.")
        finally:
            scard.SCardReleaseContext(context)


def _start_guardian(pid: int) -> subprocess.Popen[bytes]:
    """A tiny shell that SIGTERMs pcscd when this process dies, however it dies.

    The parent holds the only write end of the guardian's stdin: a crash, a
    SIGKILL or a closed terminal closes it, `read` returns, and pcscd (otherwise
    orphaned in the private namespaces, holding them alive) is stopped. A
    parent-death signal would not do: it fires when the *thread* that started
    pcscd ends, and the app starts it from a worker thread. The guardian gets a
    session of its own: a closed terminal or tmux window sends SIGHUP to the
    whole group, pcscd ignores SIGHUP, and a guardian dying with the group would
    leave pcscd behind (seen with training sessions closed that way).
    """
    return subprocess.Popen(
        ["sh", "-c", 'read -r _ ; kill -TERM "$0" 2>/dev/null', str(pid)],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
