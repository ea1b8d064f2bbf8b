"""Per-call cost of the INSi client against a bare standard-library baseline, in one run.

Both sides talk to the same simulator over the same mutual-TLS keep-alive
connection type and send the same request bytes; the baseline only posts with
http.client and parses with lxml, so the ratio is the client's own overhead
(zeep message building, headers, tolerant parsing, outcome objects). Also
measured: WSDL loading cold (parse) and cached, and that no call re-parses it.
Run: .venv/bin/python bench/insi_call.py [calls]
"""

from __future__ import annotations

import http.client
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lxml import etree

from ins_tui.domain.model import Sex, Traits
from ins_tui.insi import wsdl
from ins_tui.insi.client import InsiClient
from ins_tui.insi.instance import instance_id
from ins_tui.insi.namespaces import ACTIONS, OP_TRAITS, content_type
from ins_tui.insi.pki import PkiPaths
from ins_tui.insi.settings import InsiSettings
from ins_tui.insi.simulator import TRAINING_IDAM
from ins_tui.insi.tls import client_context

ZOE = Traits("ADRUN", "ZOE", Sex.F, "1975-12-31")


def main() -> None:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    t0 = time.perf_counter()
    wsdl.load_client()
    cold_first = time.perf_counter() - t0
    cold = []
    for _ in range(5):
        t0 = time.perf_counter()
        wsdl.load_client()
        cold.append(time.perf_counter() - t0)
    wsdl.cached_client()
    cached = []
    for _ in range(1000):
        t0 = time.perf_counter()
        wsdl.cached_client()
        cached.append(time.perf_counter() - t0)

    parses = 0
    original = wsdl.load_client

    def counting(*a, **k):
        nonlocal parses
        parses += 1
        return original(*a, **k)

    wsdl.load_client = counting
    with tempfile.TemporaryDirectory() as tmp:
        # The simulator runs in its own process, as the real service runs elsewhere: its
        # work then never competes with the client for this interpreter's GIL.
        proc = subprocess.Popen(
            [sys.executable, "-m", "ins_tui", "insi", "simulator", "--port", "0", "--dir", tmp],
            stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[1],
        )
        url = proc.stdout.readline().split(" : ", 1)[1].strip()
        port = int(url.rsplit(":", 1)[1].split("/", 1)[0])
        paths = PkiPaths(Path(tmp))
        settings = InsiSettings(endpoint=url, ca_bundle=paths.ca_cert, idam=TRAINING_IDAM,
                                instance_id=instance_id(Path(tmp)), p12=paths.client_p12,
                                p12_password=paths.p12_password)
        client = InsiClient(settings)
        request = client.search_traits(ZOE).attempts[0].request
        ctx = client_context(settings.ca_bundle, settings.p12, settings.p12_password)
        conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=15)
        conn.connect()
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # same as the client
        headers = {"Content-Type": content_type(ACTIONS[OP_TRAITS])}

        def baseline() -> None:
            conn.request("POST", "/lps", body=request, headers=headers)
            root = etree.fromstring(conn.getresponse().read())
            assert root.findtext(".//{*}CodeCR") == "00"
            assert root.findtext(".//{*}NumIdentifiant")

        def ours() -> None:
            assert client.search_traits(ZOE).identity.ins.number

        for f in (baseline, ours):
            for _ in range(20):
                f()  # warm-up
        base_t: list[float] = []
        ours_t: list[float] = []
        for _ in range(calls // 10):  # interleaved batches: both sides see the same machine
            for f, bucket in ((baseline, base_t), (ours, ours_t)):
                for _ in range(10):
                    t0 = time.perf_counter()
                    f()
                    bucket.append(time.perf_counter() - t0)
        client.close()
        conn.close()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)

    b, o = statistics.median(base_t), statistics.median(ours_t)
    print(f"WSDL load, first cold parse : {cold_first * 1000:.1f} ms")
    print(f"WSDL load, cold (median of 5): {statistics.median(cold) * 1000:.1f} ms")
    print(f"WSDL load, cached            : {statistics.median(cached) * 1e6:.2f} µs "
          f"(ratio cold/cached {statistics.median(cold) / statistics.median(cached):.0f}x)")
    print(f"WSDL parses during {len(ours_t) + 21} client calls: {parses}")
    print(f"baseline per call (median of {len(base_t)}): {b * 1000:.2f} ms")
    print(f"client   per call (median of {len(ours_t)}): {o * 1000:.2f} ms")
    print(f"client overhead ratio (client / baseline): {o / b:.2f}x  (target < 1.5x)")


if __name__ == "__main__":
    main()
