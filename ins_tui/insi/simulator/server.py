"""`SimulatorServer`: the simulated INSi as a running loopback HTTPS service.

This is the part tests, the benchmark and training mode hold on to: it makes (once) the
simulator's PKI, builds the TLS context the way the real service does (TLS ≥ 1.2; mutual
TLS against the simulator CA, or, in CPx mode, server-auth only with the card CAs loaded
for assertion checks), serves `SimulatorService` on a daemon thread, and hands out the
client settings that reach it. Everything the service decides is inherited from
`service.py`, so the knobs (`fault_rate`, `evil`, `variants`, …) stay plain attributes a
test sets on the running server.
"""

from __future__ import annotations

import ssl
import threading
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from ins_tui.domain.model import INS_OIDS
from ins_tui.insi.identities import IdentityTable
from ins_tui.insi.pki import PkiPaths, ensure_pki
from ins_tui.insi.simulator.service import SimulatorService
from ins_tui.insi.simulator.wire import Handler, Server

if TYPE_CHECKING:
    from ins_tui.insi.settings import InsiSettings

TRAINING_IDAM = "TESTSGIE0000"


class SimulatorServer(SimulatorService):
    """Start/stop in a thread; `url`, `paths` and `client_settings()` for clients."""

    def __init__(
        self,
        directory: Path | None = None,
        *,
        port: int = 0,
        latency: float = 0.0,
        fault_rate: float = 0.0,
        qualification: bool = False,
        seed: int | None = None,
        variants: tuple[str, ...] = (),
        require_client_cert: bool = True,
        identities: IdentityTable | None = None,
        cpx_trusted_ca: Path | bytes | None = None,
        idle_timeout: float = 30.0,
    ) -> None:
        """`require_client_cert=False` is the CPx mode: server-auth TLS only, and every
        request must carry an assertion PS signed by a card certificate issued by a CA of
        `cpx_trusted_ca` (PEM file or bytes; default: the simulator's own CA)."""
        if directory is None:
            from ins_tui.config import load_config

            directory = load_config().training_dir / "insi"
        self.directory = Path(directory)
        self.port = port
        self.cpx_trusted_ca = cpx_trusted_ca
        self.idle_timeout = idle_timeout  # seconds a kept-alive connection may stay idle
        self.request_deadline = 10.0  # seconds to receive one whole request, once started
        super().__init__(latency=latency, fault_rate=fault_rate, qualification=qualification,
                         seed=seed, variants=variants, require_client_cert=require_client_cert,
                         identities=identities)
        self._httpd: Server | None = None
        self._thread: threading.Thread | None = None
        self.paths: PkiPaths | None = None

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> SimulatorServer:
        self.paths = ensure_pki(self.directory)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(self.paths.server_cert, self.paths.server_key)
        if self.require_client_cert:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(cafile=str(self.paths.ca_cert))
        else:
            from ins_tui.insi.assertion_verify import load_trusted

            trust = self.cpx_trusted_ca or self.paths.ca_cert
            pem = trust if isinstance(trust, bytes) else Path(trust).read_bytes()
            self._cpx_trusted = load_trusted(pem)
        httpd = Server(("127.0.0.1", self.port), Handler)
        httpd.owner = self
        httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True,
                                       do_handshake_on_connect=False)
        self._httpd = httpd
        self.port = httpd.server_address[1]
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="insi-simulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.cut_open_connections()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> SimulatorServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}/lps"

    def client_settings(self, **overrides: object) -> InsiSettings:
        """Settings for a client of this simulator (tests, training mode, benchmark)."""
        from ins_tui.insi.instance import instance_id
        from ins_tui.insi.settings import InsiSettings

        assert self.paths is not None, "start() the simulator first"
        settings = InsiSettings(
            endpoint=self.url,
            ca_bundle=self.paths.ca_cert,
            idam=TRAINING_IDAM,
            instance_id=instance_id(self.directory),
            p12=self.paths.client_p12,
            p12_password=self.paths.p12_password,
            accepted_oids=INS_OIDS,  # the training base uses test/demo OIDs too
        )
        return replace(settings, **overrides)  # type: ignore[arg-type]
