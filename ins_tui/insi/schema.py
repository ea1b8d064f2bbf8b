"""The contract's XSDs compiled once for lxml, to validate messages element by element.

One schema set covers every namespace of the contract, so the simulator can
check the body and each header against exactly the files the client's WSDL
imports — a request the client builds wrongly is caught by the same contract
that zeep used to build it.
"""

from __future__ import annotations

import threading
from functools import cache
from typing import TYPE_CHECKING

from ins_tui.insi.wsdl import xsd_dir

if TYPE_CHECKING:
    from lxml import etree

_IMPORTS = (
    ("http://www.cnamts.fr/INSiRecSans", "INSi_RECSANS_INS.xsd"),
    ("http://www.cnamts.fr/INSiRecVit", "INSi_RECVITALE_INS.xsd"),
    ("http://www.cnamts.fr/INSiResultat", "INSi_RESULTAT_INS.xsd"),
    ("urn:siram:lps:ctxlps", "CTX/ROOT_ctxlps_CTXLPS_V01_00.xsd"),
    ("urn:siram:bam:ctxbam", "CTX/ROOT_ctxbam_CTXBAM_V01_02.xsd"),
    ("urn:siram", "schema_faultSOAP_V01_01.xsd"),
    ("http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
     "WSSE/Security.xsd"),
    ("http://www.w3.org/2005/08/addressing", "WSA/ws-addr.xsd"),
)

_lock = threading.Lock()


@cache
def _schema() -> etree.XMLSchema:
    from lxml import etree

    base = xsd_dir()
    imports = "".join(
        f'<xs:import namespace="{ns}" schemaLocation="{(base / loc).as_uri()}"/>'
        for ns, loc in _IMPORTS
    )
    wrapper = (
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'targetNamespace="urn:ins-tui:all">' + imports + "</xs:schema>"
    )
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.XMLSchema(etree.fromstring(wrapper.encode(), parser=parser))


def validation_errors(element: etree._Element) -> list[str]:
    """Schema errors of one element (empty list: valid). lxml validators are not thread-safe."""
    with _lock:
        schema = _schema()
        if schema.validate(element):
            return []
        return [f"line {e.line}: {e.message}" for e in schema.error_log]
