"""`run_simulator`: the simulator in the foreground, for `ins-tui insi simulator`.

Separate from the server because only a process that owns its terminal may take over
SIGINT/SIGTERM and print connection details; tests and training mode start the server
on a thread and never come through here.
"""

from __future__ import annotations

import signal
import threading

from ins_tui.insi.pki import GOOD_CN
from ins_tui.insi.simulator.server import SimulatorServer


def _say(text: str) -> None:
    print(text, flush=True)  # flushed: a parent process waits for the URL line


def run_simulator(server: SimulatorServer, out=_say) -> int:
    """Run until SIGINT/SIGTERM; print what a client needs to connect."""
    stop = threading.Event()

    def _handler(signum, frame) -> None:
        stop.set()

    previous = {s: signal.signal(s, _handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.start()
        assert server.paths is not None
        out(f"Simulateur INSi à l'écoute : {server.url}")
        out(f"Autorité de certification : {server.paths.ca_cert}")
        if server.require_client_cert:
            out(f"Certificat client (PKCS#12, CN {GOOD_CN}) : {server.paths.client_p12}")
            out(f"Mot de passe du certificat de formation : "
                f"{server.paths.p12_password.decode()}")
        else:
            trust = server.cpx_trusted_ca
            origin = "fournies" if isinstance(trust, bytes) else (trust or server.paths.ca_cert)
            out(f"Mode CPx : assertion PS signée exigée ; autorités des cartes : {origin}")
        out("Arrêt : Ctrl+C.")
        while not stop.wait(0.2):
            pass
    finally:
        server.stop()
        for sig, old in previous.items():
            signal.signal(sig, old)
    out("Simulateur arrêté.")
    return 0
