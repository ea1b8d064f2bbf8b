"""The bytes the simulated INSi sends back: a RESULTAT for a search, a SOAP 1.2 fault.

Kept apart from the request checks so that "what does the live service answer, byte for
byte" has one home: the CR labels, the fault codes with their subcodes, reasons and
severities, and the live quirks a client must tolerate (a `soap:` envelope with an
`env:` body, varied prefixes, unused namespace declarations, dates before or after the
identifier). Tests that build answers by hand (hostile server, contract files) use these
same functions, so a fixture can never drift from what the simulator sends.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from ins_tui.insi.identities import Answer
from ins_tui.insi.namespaces import RECSANS, RECVIT, RESULTAT, SOAP12

CR_LABELS = {"00": "OK", "01": "Aucune identite trouvee", "02": "Plusieurs identites trouvees"}

_UNAVAILABLE_REASON = (
    "Le service est temporairement inaccessible, veuillez renouveler votre demande "
    "ultérieurement."
)
# code -> (Code, Subcode, Reason xml:lang, Reason, severite, detail text)
FAULTS: dict[str, tuple[str, str, str, str, str, str]] = {
    "desir_550": ("Sender", "siram_100", "fr",
                  "Le logiciel n'est pas autorisé à accéder à ce service, contactez son éditeur.",
                  "erreur", "Numéro d'autorisation du logiciel inconnu."),
    # Subcode of DESIR_560 is not published: siram_30 is the simulator's choice.
    "DESIR_560": ("Sender", "siram_30", "fr", "Niveau d'accès insuffisant.", "erreur",
                  "Vous ne disposez pas des droits suffisants pour accéder à ce service"),
    "desir_1020": ("Sender", "siram_40", "fr", _UNAVAILABLE_REASON, "fatale",
                   "Le service appelé est temporairement indisponible"),
    "insi_102": ("Receiver", "siram_40", "en", _UNAVAILABLE_REASON, "fatal",
                 "L'appel au service de recherche avec les traits d'identité renvoie une "
                 "erreur technique."),
    "insi_101": ("Receiver", "siram_40", "en", _UNAVAILABLE_REASON, "fatal",
                 "L'appel au service de recherche avec la carte Vitale renvoie une erreur "
                 "technique."),
    # CPx: assertion PS unsigned, altered, or signed by a card no trusted CA issued. The
    # real code is not published: simulator's choice (docs/decisions.md), mapped by faults.py.
    "desir_530": ("Sender", "siram_30", "fr", "Authentification du professionnel de santé "
                  "invalide.", "erreur",
                  "L'assertion d'authentification du professionnel de santé est invalide."),
    # The real code for a request breaking the schema is not published (simulator's choice).
    "desir_400": ("Sender", "siram_10", "fr", "La requête est invalide.", "erreur",
                  "La requête ne respecte pas le contrat du service."),
}


def fault_bytes(code: str, message_id: str | None = None, extra: str = "") -> bytes:
    soap_code, sub, lang, reason, severity, text = FAULTS[code]
    mid = f' messageID="{escape(message_id)}"' if message_id else ""
    detail = escape(text + (f" {extra}" if extra else ""))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<S:Envelope xmlns:S="{SOAP12}"><S:Body><S:Fault>'
        f'<S:Code><S:Value>S:{soap_code}</S:Value>'
        f'<S:Subcode><S:Value xmlns:siram="urn:siram">siram:{sub}</S:Value></S:Subcode></S:Code>'
        f'<S:Reason><S:Text xml:lang="{lang}">{escape(reason)}</S:Text></S:Reason>'
        f'<S:Detail><siram:Erreur xmlns:siram="urn:siram" severite="{severity}" '
        f'code="{code}"{mid}>{detail}</siram:Erreur></S:Detail>'
        "</S:Fault></S:Body></S:Envelope>"
    ).encode()


def _ins_xml(p: str, ins: dict) -> str:
    number = escape(ins["NumIdentifiant"])
    ident = (f"<{p}IdIndividu><{p}NumIdentifiant>{number}</{p}NumIdentifiant>"
             f"<{p}Cle>{escape(ins['Cle'])}</{p}Cle></{p}IdIndividu>")
    oid = f"<{p}OID>{escape(ins['OID'])}</{p}OID>"
    dates = "".join(f"<{p}{k}>{escape(ins[k])}</{p}{k}>" for k in ("DateDeb", "DateFin")
                    if ins.get(k))
    return dates + ident + oid if ins.get("dates_first") else ident + oid + dates


def resultat_bytes(answer: Answer) -> bytes:
    prefix = answer.render_prefix
    p = f"{prefix}:" if prefix else ""
    decl = f'xmlns{":" + prefix if prefix else ""}="{RESULTAT}"'
    parts = [f"<{p}CR><{p}CodeCR>{answer.cr}</{p}CodeCR>"
             f"<{p}LibelleCR>{CR_LABELS[answer.cr or '']}</{p}LibelleCR></{p}CR>"]
    if answer.individu:
        ind = answer.individu
        parts.append(f"<{p}INDIVIDU><{p}INSACTIF>{_ins_xml(p, ind['INSACTIF'])}</{p}INSACTIF>")
        parts.extend(f"<{p}INSHISTO>{_ins_xml(p, h)}</{p}INSHISTO>" for h in ind["INSHISTO"])
        tiq = "".join(f"<{p}{k}>{escape(v)}</{p}{k}>" for k, v in ind["TIQ"].items())
        parts.append(f"<{p}TIQ>{tiq}</{p}TIQ></{p}INDIVIDU>")
    # Like the live service: `soap:` envelope, `env:` body, an empty header and unused
    # declarations of the request namespaces on RESULTAT.
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<soap:Envelope xmlns:soap="{SOAP12}"><env:Header xmlns:env="{SOAP12}"/>'
        f'<env:Body xmlns:env="{SOAP12}">'
        f'<{p}RESULTAT {decl} xmlns:ns3="{RECSANS}" xmlns:ns4="{RECVIT}">'
        + "".join(parts)
        + f"</{p}RESULTAT></env:Body></soap:Envelope>"
    ).encode("utf-8")
