"""Every INSi answer is bounded in size and time (issue 9 item 1).

Tried against a real loopback HTTPS server with mutual TLS (tests/insi/hostile_server.py):
an answer larger than the cap with a Content-Length, without one (connection close), with
a lying Content-Length, an endless chunked answer, a one-byte-every-2-s drip, a stall after
the headers and headers dripped byte by byte. Each ends within the stated bound with the
stated French message, the attempt keeps the start of what came marked as truncated, and
the next call on the same client succeeds. Elapsed times are asserted because the bound
itself is what is tested (with a margin for a loaded machine).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile_server import HostileServer

from ins_tui.domain.model import Sex, Traits
from ins_tui.insi.client import InsiClient
from ins_tui.insi.outcomes import ErrorKind, InsiError, NotFound
from ins_tui.insi.simulator import SimulatorServer

CAP = 64 * 1024
TRAITS = Traits("ADRUN", "ZOE", Sex.F, "1975-12-31")
MARGIN = 3.0  # seconds a busy CI machine may add to a bound


def _client(sim: SimulatorServer, server: HostileServer, **bounds: object) -> InsiClient:
    settings = sim.client_settings(endpoint=server.url, max_answer_bytes=CAP,
                                   connect_timeout=2.0, read_timeout=2.5, deadline=5.0,
                                   search_deadline=30.0)
    import dataclasses

    return InsiClient(dataclasses.replace(settings, **bounds))


def _timed(client: InsiClient) -> tuple[object, float]:
    start = time.monotonic()
    outcome = client.search_traits(TRAITS)
    return outcome, time.monotonic() - start


@pytest.mark.parametrize(("mode", "kind", "words", "bound"), [
    ("big_with_length", ErrorKind.MALFORMED, "trop volumineuse", 1.0),
    ("big_without_length", ErrorKind.MALFORMED, "trop volumineuse", 1.0),
    ("chunked_endless", ErrorKind.MALFORMED, "trop volumineuse", 1.0),
    ("drip", ErrorKind.TIMEOUT, "pas répondu à temps", 5.0),
    ("header_drip", ErrorKind.TIMEOUT, "pas répondu à temps", 5.0),
])
def test_each_hostile_answer_ends_within_its_bound(sim, sim_dir: Path, mode: str,
                                                   kind: ErrorKind, words: str,
                                                   bound: float) -> None:
    with HostileServer(sim_dir, [mode, "good"], size=8 * CAP) as server:
        client = _client(sim, server)
        try:
            outcome, elapsed = _timed(client)
            assert isinstance(outcome, InsiError) and outcome.kind is kind, outcome
            assert words in outcome.message_fr
            assert elapsed < bound + MARGIN, f"{mode}: {elapsed:.1f} s"
            (attempt,) = outcome.attempts
            assert attempt.error and attempt.request.startswith(b"<?xml")
            if attempt.response is not None:
                assert len(attempt.response) <= 64 * 1024 and attempt.truncated
            # The lock was released and the broken connection dropped: the next call runs.
            following, took = _timed(client)
            assert isinstance(following, NotFound), following
            assert took < 2.0 + MARGIN
        finally:
            client.close()


def test_stall_past_the_deadline_with_a_long_read_timeout(sim, sim_dir: Path) -> None:
    """The per-read timeout (10 s) alone would wait; the overall deadline (3 s) does not."""
    with HostileServer(sim_dir, ["stall", "good"]) as server:
        client = _client(sim, server, read_timeout=10.0, deadline=3.0)
        try:
            outcome, elapsed = _timed(client)
            assert isinstance(outcome, InsiError) and outcome.kind is ErrorKind.TIMEOUT
            assert 2.5 < elapsed < 3.0 + MARGIN, elapsed
            assert "deadline" in outcome.attempts[0].error
            assert outcome.attempts[0].truncated and outcome.attempts[0].response
            assert isinstance(_timed(client)[0], NotFound)
        finally:
            client.close()


def test_lying_content_length_is_not_believed(sim, sim_dir: Path) -> None:
    """A Content-Length of 1000 followed by 128 KiB: the body read stops at 1000 bytes and
    is then refused as malformed; the rest never reaches the parser or the next call."""
    with HostileServer(sim_dir, ["lying_length", "good"]) as server:
        client = _client(sim, server)
        try:
            outcome, _ = _timed(client)
            assert isinstance(outcome, InsiError) and outcome.kind is ErrorKind.MALFORMED
            assert isinstance(_timed(client)[0], NotFound)
        finally:
            client.close()


def test_strategy_deadline_bounds_several_slow_requests(sim, sim_dir: Path) -> None:
    """Three first names, each answered after 1.5 s: the whole search stops near 2 s."""
    with HostileServer(sim_dir, ["slow_good"], drip_every=1.5) as server:
        client = _client(sim, server, search_deadline=2.0)
        try:
            start = time.monotonic()
            outcome = client.search_traits(Traits("ADRUN", "ZOE MARIE LOUISE", Sex.F,
                                                  "1975-12-31"))
            elapsed = time.monotonic() - start
            assert isinstance(outcome, InsiError) and outcome.kind is ErrorKind.TIMEOUT
            assert "l'ensemble des essais" in outcome.message_fr
            assert len(outcome.attempts) == 2 and server.requests == 2
            assert elapsed < 2.0 + 1.5 + MARGIN
        finally:
            client.close()


_RSS_PROBE = """
import json, resource, sys
from ins_tui.domain.model import Sex, Traits
from ins_tui.insi.client import InsiClient
from ins_tui.insi.settings import InsiSettings
from pathlib import Path
args = json.loads(sys.argv[1])
settings = InsiSettings(endpoint=args["url"], ca_bundle=Path(args["ca"]), idam="X",
                        instance_id="00000000-0000-4000-8000-000000000000",
                        p12=Path(args["p12"]), p12_password=args["password"].encode(),
                        read_timeout=5.0, deadline=20.0)
client = InsiClient(settings)
traits = Traits("ADRUN", "ZOE", Sex.F, "1975-12-31")
warm = client.search_traits(traits)  # imports, TLS, WSDL: everything a call needs
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
hostile = client.search_traits(traits)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"warm": type(warm).__name__, "hostile": type(hostile).__name__,
                  "kind": str(getattr(hostile, "kind", "")), "cap": settings.max_answer_bytes,
                  "before_kib": before, "after_kib": after}))
"""


@pytest.mark.parametrize("mode", ["chunked_endless", "big_without_length"])
def test_peak_memory_stays_near_the_cap(sim, sim_dir: Path, mode: str) -> None:
    """Default 1 MiB cap, a 200 MiB (or endless) hostile answer: the client process's peak
    RSS grows by less than the cap + 8 MiB (it took 1.1 GB before the bound)."""
    with HostileServer(sim_dir, ["good", mode], size=200 * 1024 * 1024) as server:
        paths = server.paths
        probe = subprocess.run(
            [sys.executable, "-c", _RSS_PROBE, json.dumps({
                "url": server.url, "ca": str(paths.ca_cert), "p12": str(paths.client_p12),
                "password": paths.p12_password.decode()})],
            capture_output=True, text=True, timeout=120, check=False)
    assert probe.returncode == 0, probe.stderr
    figures = json.loads(probe.stdout)
    assert figures["warm"] == "NotFound" and figures["hostile"] == "InsiError"
    assert figures["kind"] == ErrorKind.MALFORMED
    growth_kib = figures["after_kib"] - figures["before_kib"]
    print(f"{mode}: peak RSS {figures['before_kib']} -> {figures['after_kib']} KiB "
          f"(+{growth_kib} KiB, cap {figures['cap'] // 1024} KiB), server sent "
          f"{max(server.sent)} B")
    assert growth_kib < (figures["cap"] // 1024) + 8 * 1024, figures
    # It really sent up to the cap (the chunk in flight when the client cut is not counted).
    assert server.sent and max(server.sent) >= figures["cap"] - 32 * 1024, server.sent
