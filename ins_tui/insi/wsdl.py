"""Loading the INSi contract files with zeep, from disk only, once per process.

The published WSDL imports the WS-Addressing schema from w3.org; ours points at a
local copy, and the transport below refuses any remote URL anyway, so an
offline front desk can always start and a tampered file cannot make us fetch.
Parsing the WSDL costs tens of milliseconds: the client object is cached per
process so no call ever re-parses it (measured in bench/insi_call.py).
"""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from ins_tui.paths import data_file

if TYPE_CHECKING:
    import zeep

WSDL_NAME = "DESIR_ICIR_EXP_1.5.0.wsdl"
SERVICE_NAME = "ICIR-v1"
PORT_NAME = "ICIRService"


def wsdl_path() -> Path:
    return data_file("insi", WSDL_NAME)


def xsd_dir() -> Path:
    return data_file("insi", "xsd")


class RemoteFetchRefused(RuntimeError):
    """The contract tried to load something that is not a local file."""


def _local_transport():
    from zeep.transports import Transport

    class LocalOnlyTransport(Transport):
        """A zeep transport that reads local files and refuses every other scheme."""

        def load(self, url: str) -> bytes:
            scheme = urlparse(str(url)).scheme.lower()
            if scheme not in ("", "file") and not (len(scheme) == 1 and scheme.isalpha()):
                raise RemoteFetchRefused(f"remote fetch refused while loading the contract: {url}")
            return super().load(url)

    return LocalOnlyTransport()


def zeep_settings():
    from zeep.settings import Settings

    return Settings(
        strict=True,
        forbid_dtd=True,
        forbid_entities=True,
        forbid_external=True,
        xml_huge_tree=False,
    )


def load_client(path: Path | None = None) -> zeep.Client:
    """Parse the WSDL now (uncached): the benchmark's "cold" figure."""
    import zeep

    return zeep.Client(
        str(path or wsdl_path()), transport=_local_transport(), settings=zeep_settings()
    )


_lock = threading.Lock()


@cache
def _cached() -> tuple:
    client = load_client()
    return client, client.bind(SERVICE_NAME, PORT_NAME)


def cached_client() -> tuple[zeep.Client, object]:
    """The process-wide (client, service proxy) pair; zeep objects are read-only after load."""
    with _lock:
        return _cached()
