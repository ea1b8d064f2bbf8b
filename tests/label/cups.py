"""A private CUPS scheduler with a cups-pdf queue, started by the tests themselves.

Everything lives in one temporary folder: configuration, spool, logs, the listening
socket and the PDFs cups-pdf writes. cups-pdf reads its settings from /etc/cups only, so
cupsd runs in a nested mount namespace where that folder's `etc/` is bind-mounted over
/etc/cups: the machine's own /etc/cups is never touched, and only cupsd and its
backends see the private one. Only inside `scripts/private-ns.sh` (root, a network with
nothing but loopback): `unavailable_reason()` says why otherwise, and under `make test` a
skip is a failure (tests/conftest.py).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

QUEUE = "insTUI"
PPD = Path("/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd")
_TOOLS = {"cupsd": "cups-daemon", "lp": "cups-client", "lpadmin": "cups-client",
          "lpstat": "cups-client", "unshare": "util-linux", "pdftoppm": "poppler-utils"}


def unavailable_reason() -> str | None:
    """Why this machine cannot run the private CUPS, or None when it can."""
    from ins_tui.card.pcscd import in_private_network

    if os.geteuid() != 0:
        return "CUPS privé : il faut être root (lancer via make test)."
    if os.environ.get("INS_TUI_IN_NS") != "1" or not in_private_network():
        return ("CUPS privé refusé hors des espaces de noms privés (lancer via "
                "scripts/private-ns.sh) : son montage de /etc/cups doit rester privé.")
    for tool, package in _TOOLS.items():
        if shutil.which(tool) is None and not Path("/usr/sbin", tool).exists():
            return f"{tool} absent (paquet Debian {package}, installé par scripts/bootstrap.sh)."
    if not Path("/usr/lib/cups/backend/cups-pdf").exists() or not PPD.is_file():
        return "cups-pdf absent (paquet Debian printer-driver-cups-pdf)."
    return None


class PrivateCups:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.etc = root / "etc"
        self.out = root / "out"
        self.socket = root / "cups.sock"
        self.process: subprocess.Popen[bytes] | None = None

    # -- life cycle ---------------------------------------------------------------------
    def start(self, *, timeout: float = 20.0) -> PrivateCups:
        self._write_config()
        cupsd = shutil.which("cupsd") or "/usr/sbin/cupsd"
        script = (f'mount --bind "{self.etc}" /etc/cups && exec "{cupsd}" -f '
                  f'-c "{self.etc}/cupsd.conf" -s "{self.etc}/cups-files.conf"')
        self.process = subprocess.Popen(
            ["unshare", "-m", "--propagation", "private", "sh", "-c", script],
            stdout=subprocess.DEVNULL, stderr=(self.root / "log" / "cupsd.out").open("wb"),
            start_new_session=True)
        deadline = time.monotonic() + timeout
        while not self._answers():
            if self.process.poll() is not None:
                raise RuntimeError(f"cupsd s'est arrêté au démarrage : {self.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"cupsd ne répond pas après {timeout} s : {self.log_tail()}")
            time.sleep(0.05)
        if not (self.etc / "printers.conf").exists():
            self._add_queue()
        return self

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self.process = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    # -- use ----------------------------------------------------------------------------
    def printed(self) -> list[Path]:
        return sorted(self.out.glob("*.pdf"))

    def wait_for_pdf(self, before: int, *, timeout: float = 30.0) -> Path:
        """The next PDF cups-pdf writes (complete: its job is no longer pending)."""
        deadline = time.monotonic() + timeout
        while True:
            files = self.printed()
            if len(files) > before and not self._jobs_pending():
                return files[-1]
            if time.monotonic() > deadline:
                raise AssertionError(f"aucun PDF imprimé en {timeout} s : {self.log_tail()}")
            time.sleep(0.05)

    def log_tail(self, lines: int = 15) -> str:
        texts = []
        for name in ("cupsd.out", "error_log"):
            path = self.root / "log" / name
            if path.exists():
                texts += path.read_text(errors="replace").splitlines()[-lines:]
        return "\n".join(texts)

    # -- internals ----------------------------------------------------------------------
    def _answers(self) -> bool:
        if not self.socket.exists():
            return False
        done = subprocess.run(["lpstat", "-h", str(self.socket), "-r"], capture_output=True,
                              timeout=10, env=_c_env(), check=False)
        return b"scheduler is running" in done.stdout

    def _jobs_pending(self) -> bool:
        done = subprocess.run(["lpstat", "-h", str(self.socket), "-o", QUEUE],
                              capture_output=True, timeout=10, env=_c_env(), check=False)
        return bool(done.stdout.strip())

    def _add_queue(self) -> None:
        subprocess.run(["lpadmin", "-h", str(self.socket), "-p", QUEUE, "-E",
                        "-v", f"cups-pdf:/{QUEUE}", "-P", str(PPD)],
                       capture_output=True, timeout=20, env=_c_env(), check=True)

    def _write_config(self) -> None:
        r = self.root
        for sub in ("etc/ppd", "spool/tmp", "cache", "state", "log", "out"):
            (r / sub).mkdir(parents=True, exist_ok=True)
        (self.etc / "cups-files.conf").write_text(
            f"ServerRoot {self.etc}\nRequestRoot {r}/spool\nTempDir {r}/spool/tmp\n"
            f"CacheDir {r}/cache\nStateDir {r}/state\nErrorLog {r}/log/error_log\n"
            f"AccessLog {r}/log/access_log\nPageLog {r}/log/page_log\n"
            "ServerBin /usr/lib/cups\nDataDir /usr/share/cups\nFileDevice No\n"
            "User lp\nGroup lp\nSystemGroup root\n")
        (self.etc / "cupsd.conf").write_text(
            f"Listen {self.socket}\nLogLevel info\nWebInterface No\nBrowsing No\n"
            "DefaultAuthType None\n<Location />\n  Order allow,deny\n  Allow all\n"
            "</Location>\n<Policy default>\n  <Limit All>\n    Order deny,allow\n"
            "  </Limit>\n</Policy>\n")
        # cups-pdf reads /etc/cups/cups-pdf-<queue>.conf: the bind mount makes it this one.
        (self.etc / f"cups-pdf-{QUEUE}.conf").write_text(
            f"Out {self.out}\nAnonDirName {self.out}\nLabel 0\nGrp root\n")
        for path in (r, self.out):
            path.chmod(0o755)  # cupsd checks its folders; filters run as lp
        (r / "spool" / "tmp").chmod(0o1777)  # filters (as lp) write their temporary files


def _c_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "CUPS_"))}
    env["LC_ALL"] = "C"
    return env
