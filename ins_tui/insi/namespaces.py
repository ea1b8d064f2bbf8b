"""Namespace URIs and SOAP actions of the INSi contract (docs/insi-contract.md §1-§6).

The parser matches these URIs, never prefixes: the live service changes prefixes
(`soap:`, `env:`, `S:`, `ns2:`, default namespace) from one answer to the next.
"""

from __future__ import annotations

SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://www.w3.org/2005/08/addressing"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
CTXLPS = "urn:siram:lps:ctxlps"
CTXBAM = "urn:siram:bam:ctxbam"
SIRAM = "urn:siram"
RECSANS = "http://www.cnamts.fr/INSiRecSans"
RECVIT = "http://www.cnamts.fr/INSiRecVit"
RESULTAT = "http://www.cnamts.fr/INSiResultat"

OP_TRAITS = "rechercherInsAvecTraitsIdentite"
OP_VITALE = "rechercherInsAvecCarteVitale"
ACTION_PREFIX = "urn:ServiceIdentiteCertifiee:1.0.0:"
ACTIONS = {OP_TRAITS: ACTION_PREFIX + OP_TRAITS, OP_VITALE: ACTION_PREFIX + OP_VITALE}
OPERATION_BY_ACTION = {action: op for op, action in ACTIONS.items()}


def content_type(action: str) -> str:
    """SOAP 1.2 carries the action in the media type, exactly as the live traces show."""
    return f'application/soap+xml; charset=utf-8;action="{action}"'


def q(ns: str, local: str) -> str:
    """Clark notation `{ns}local`, the form lxml uses for qualified names."""
    return f"{{{ns}}}{local}"
