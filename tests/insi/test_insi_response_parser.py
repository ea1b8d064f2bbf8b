"""The tolerant reader, on answers written the many ways the live service writes them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ins_tui.domain.model import Sex
from ins_tui.insi.outcomes import Fault
from ins_tui.insi.response import HostileAnswer, MalformedAnswer, Result, parse_answer

SOAP = "http://www.w3.org/2003/05/soap-envelope"
RES = "http://www.cnamts.fr/INSiResultat"

HISTO_A = ("<{p}INSHISTO><{p}IdIndividu><{p}NumIdentifiant>2090763220834</{p}NumIdentifiant>"
           "<{p}Cle>39</{p}Cle></{p}IdIndividu><{p}OID>1.2.250.1.213.1.4.8</{p}OID>"
           "<{p}DateDeb>2019-03-01</{p}DateDeb><{p}DateFin>2019-02-28</{p}DateFin></{p}INSHISTO>")
HISTO_B_DATES_FIRST = (
    "<{p}INSHISTO><{p}DateFin>2019-02-28</{p}DateFin><{p}OID>1.2.250.1.213.1.4.8</{p}OID>"
    "<{p}IdIndividu><{p}Cle>55</{p}Cle><{p}NumIdentifiant>2090663220123</{p}NumIdentifiant>"
    "</{p}IdIndividu></{p}INSHISTO>")


def answer(env: str, body: str, res: str | None, histo: str = "", prenom: bool = False,
           header: bool = True) -> bytes:
    p = f"{res}:" if res else ""
    decl = f'xmlns:{res}="{RES}"' if res else f'xmlns="{RES}"'
    prenom_el = f"<{p}Prenom>PIERRE-ALAIN</{p}Prenom>" if prenom else ""
    hdr = f'<{env}:Header/>' if header else ""
    body_decl = "" if body == env else f' xmlns:{body}="{SOAP}"'
    return (
        f'<{env}:Envelope xmlns:{env}="{SOAP}"{body_decl}>{hdr}<{body}:Body>'
        f'<{p}RESULTAT {decl} xmlns:x="http://www.cnamts.fr/INSiRecSans">'
        f"<{p}CR><{p}CodeCR>00</{p}CodeCR><{p}LibelleCR>OK</{p}LibelleCR></{p}CR>"
        f"<{p}INDIVIDU><{p}INSACTIF><{p}IdIndividu><{p}NumIdentifiant>1090763220834"
        f"</{p}NumIdentifiant><{p}Cle>89</{p}Cle></{p}IdIndividu>"
        f"<{p}OID>1.2.250.1.213.1.4.8</{p}OID></{p}INSACTIF>{histo.format(p=p)}"
        f"<{p}TIQ><{p}NomNaissance>ECETINSI</{p}NomNaissance>{prenom_el}"
        f"<{p}ListePrenom>PIERRE-ALAIN MURIEL FLORIANT</{p}ListePrenom><{p}Sexe>M</{p}Sexe>"
        f"<{p}DateNaissance>2009-07-14</{p}DateNaissance></{p}TIQ></{p}INDIVIDU>"
        f"</{p}RESULTAT></{body}:Body></{env}:Envelope>"
    ).encode()


@settings(max_examples=40, deadline=None)
@given(
    env=st.sampled_from(["soap", "env", "S", "s12"]),
    body=st.sampled_from(["env", "S", "soap"]),
    res=st.sampled_from([None, "ns2", "r"]),
    histo=st.sampled_from(["", HISTO_A, HISTO_A + HISTO_B_DATES_FIRST,
                           HISTO_B_DATES_FIRST + HISTO_A]),
    prenom=st.booleans(),
    header=st.booleans(),
)
def test_same_meaning_whatever_the_writing(env, body, res, histo, prenom, header) -> None:
    result = parse_answer(200, answer(env, body, res, histo, prenom, header))
    assert isinstance(result, Result) and result.cr == "00"
    ident = result.identity
    assert ident.ins.matricule == "109076322083489" and ident.ins.key_ok
    assert ident.traits.first_name == "PIERRE-ALAIN"
    assert result.first_name_derived is not prenom
    assert ident.traits.sex is Sex.M and ident.traits.birthplace is None  # kept as received
    assert len(ident.history) == histo.count("INSHISTO>") // 2
    for h in ident.history:
        assert h.ins.key_ok and h.ins.oid.endswith(".8")


def test_fault_with_off_schema_severity_and_prefixed_codes() -> None:
    data = (f'<env:Envelope xmlns:env="{SOAP}"><env:Body><env:Fault><env:Code>'
            "<env:Value>env:Receiver</env:Value><env:Subcode><env:Value>siram_40</env:Value>"
            '</env:Subcode></env:Code><env:Reason><env:Text xml:lang="en">Le service est '
            "indisponible</env:Text></env:Reason><env:Detail>"
            '<siram:Erreur xmlns:siram="urn:siram" severite="fatal" code="insi_102">'
            "erreur technique</siram:Erreur></env:Detail></env:Fault></env:Body>"
            "</env:Envelope>").encode()
    fault = parse_answer(500, data)
    assert fault == Fault("Receiver", "siram_40", "Le service est indisponible", "insi_102",
                          "fatal", "erreur technique")


@pytest.mark.parametrize(
    ("status", "data"),
    [
        (200, b"<html>maintenance</html>"),
        (200, f'<e:Envelope xmlns:e="{SOAP}"><e:Body/></e:Envelope>'.encode()),
        (500, answer("soap", "env", None)),  # a RESULTAT with HTTP 500
        (200, answer("soap", "env", None).replace(b"<NumIdentifiant>1090763220834"
                                                   b"</NumIdentifiant>", b"")),
        (200, answer("soap", "env", None)[:-40]),
        (200, b'<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"/>'),
    ],
)
def test_malformed_answers(status: int, data: bytes) -> None:
    with pytest.raises(MalformedAnswer):
        parse_answer(status, data)


def test_doctype_refused_even_without_entities() -> None:
    with pytest.raises(HostileAnswer):
        parse_answer(200, b"<!DOCTYPE x>" + answer("soap", "env", None))
