"""CPx mode (assertion PS in wsse:Security, server-auth TLS) and import hygiene."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from lxml import etree
from signing_certs import P12_PASSWORD, ca, card_cert, write_p12

from ins_tui.domain.model import Sex, Traits
from ins_tui.insi.client import InsiClient
from ins_tui.insi.outcomes import ErrorKind, Found, InsiError
from ins_tui.insi.settings import CpxSettings
from ins_tui.insi.signer import Pkcs12Signer
from ins_tui.insi.simulator import SimulatorServer

ZOE = Traits("ADRUN", "ZOE", Sex.F, "1975-12-31")
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"


def test_cpx_mode_sends_a_signed_assertion_without_client_certificate(sim_dir, tmp_path) -> None:
    signer = Pkcs12Signer(write_p12(tmp_path / "cps.p12", card_cert()), P12_PASSWORD)
    cpx = CpxSettings(signer=signer, billing_id="123456789", activity_sector="SA07")
    with SimulatorServer(sim_dir, require_client_cert=False,
                         cpx_trusted_ca=ca().cert_pem) as sim:
        settings = sim.client_settings(cpx=cpx)
        with InsiClient(settings) as c:
            out = c.search_traits(ZOE)
        assert isinstance(out, Found), getattr(out, "message_fr", out)
        sent = etree.fromstring(out.attempts[0].request)
        security = sent.find(f".//{{{WSSE}}}Security")
        assert security is not None and len(security) == 1
        assert security[0].tag == "{urn:oasis:names:tc:SAML:2.0:assertion}Assertion"
        # Without an assertion, the CPx server refuses the caller's rights.
        with InsiClient(sim.client_settings(p12=None)) as c:
            out = c.search_traits(ZOE)
        assert isinstance(out, InsiError) and out.kind is ErrorKind.RIGHTS


def test_insi_package_does_not_import_textual_or_zeep_at_import() -> None:
    code = ("import sys, ins_tui.insi.client, ins_tui.insi.simulator, ins_tui.commands.insi;"
            "bad = [m for m in ('textual', 'zeep', 'lxml') if m in sys.modules];"
            "assert not bad, bad")
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)
