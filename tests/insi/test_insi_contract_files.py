"""The contract files: complete, loadable offline, and consistent with what we send."""

from __future__ import annotations

import importlib
import pkgutil
import socket

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from ins_tui.domain.model import Traits
from ins_tui.insi import wsdl
from ins_tui.insi.envelope import build_request, new_message_id, traits_body
from ins_tui.insi.identities import Answer, load_identities
from ins_tui.insi.namespaces import ACTIONS, OP_TRAITS, OP_VITALE, SOAP12, WSA, q
from ins_tui.insi.schema import validation_errors
from ins_tui.insi.settings import InsiSettings
from ins_tui.insi.simulator import resultat_bytes


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch):
    def refuse(*_a, **_k):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_wsdl_declares_both_operations_soap12_fault_and_headers(no_network) -> None:
    client = wsdl.load_client()
    service = client.bind(wsdl.SERVICE_NAME, wsdl.PORT_NAME)
    binding = service._binding
    assert type(binding).__name__ == "Soap12Binding"
    for op_name in (OP_TRAITS, OP_VITALE):
        op = binding.get(op_name)
        assert op.soapaction == ACTIONS[op_name]
        headers = {name for name, _ in op.input.header.type.elements}
        assert headers == {"NO1_Security", "NO1_ContexteLPS", "NO1_MessageID", "NO1_ContexteBAM"}
        assert op.output.body.qname.localname == "RESULTAT"
        assert list(op.faults) == ["Erreur"]
    assert client.get_element("{urn:siram}Erreur").type.attributes


def test_local_transport_refuses_remote_urls() -> None:
    transport = wsdl._local_transport()
    for url in ("http://www.w3.org/2006/03/addressing/ws-addr.xsd", "https://example.org/x.xsd",
                "ftp://example.org/x"):
        with pytest.raises(wsdl.RemoteFetchRefused):
            transport.load(url)


def test_wsdl_importing_a_remote_schema_is_refused(tmp_path, no_network) -> None:
    text = wsdl.wsdl_path().read_text(encoding="utf-8").replace(
        'schemaLocation="xsd/WSA/ws-addr.xsd"',
        'schemaLocation="http://www.w3.org/2006/03/addressing/ws-addr.xsd"',
    ).replace('schemaLocation="xsd/', f'schemaLocation="{wsdl.xsd_dir().as_uri()}/')
    tampered = tmp_path / "tampered.wsdl"
    tampered.write_text(text, encoding="utf-8")
    with pytest.raises(Exception, match=r"(?i)forbidden|refused|ws-addr"):
        wsdl.load_client(tampered)


def test_client_is_parsed_once_per_process() -> None:
    assert wsdl.cached_client()[0] is wsdl.cached_client()[0]


def _settings() -> InsiSettings:
    return InsiSettings(endpoint="https://127.0.0.1:1/lps", ca_bundle=None, idam="TESTSGIE0000",
                        instance_id="7f1c0a52-8d7e-4a36-9a43-0d3f6c1f2b10")


def test_built_request_validates_against_the_contract() -> None:
    body = traits_body("ADRUN", "ZOE", "F", "1975-12-31", "63220")
    mid = new_message_id()
    data = build_request(OP_TRAITS, body, _settings(), message_id=mid, emitter="10B0152872")
    root = etree.fromstring(data)
    header = root.find(q(SOAP12, "Header"))
    assert header.findtext(q(WSA, "MessageID")) == mid
    assert mid.startswith("uuid:") and mid == mid.lower()
    assert header.findtext(q(WSA, "Action")) == ACTIONS[OP_TRAITS]
    assert len(header.findall(q(WSA, "MessageID"))) == 1
    assert header.find("{*}Security") is None  # mTLS: no wsse:Security
    for el in [*header, root.find(q(SOAP12, "Body"))[0]]:
        assert validation_errors(el) == [], el.tag
    bam = header.find("{urn:siram:bam:ctxbam}ContexteBAM")
    assert len(bam.find("{urn:siram:bam:ctxbam}COUVERTURE")) == 0  # empty for the traits search


def test_schema_rejects_out_of_order_body() -> None:
    el = etree.fromstring(b'<RECSANSVITALE xmlns="http://www.cnamts.fr/INSiRecSans">'
                          b"<Sexe>M</Sexe><NomNaissance>X</NomNaissance></RECSANSVITALE>")
    assert validation_errors(el)


def test_every_simulated_answer_follows_the_result_schema() -> None:
    """Except the CNDA replay that breaks element order on purpose (2.04 cas 2)."""
    table = load_identities()
    checked = 0
    for identity in table.identities:
        if not identity.get("individu") or identity.get("variant") == "2.04 cas 2":
            continue
        answer = Answer(cr="00", individu=identity["individu"],
                        render_prefix=identity.get("render_prefix"))
        resultat = etree.fromstring(resultat_bytes(answer)).find(q(SOAP12, "Body"))[0]
        assert validation_errors(resultat) == [], identity["case"]
        checked += 1
    assert checked >= 13


def test_identity_table_covers_the_contract_cases() -> None:
    cases = {i["case"] for i in load_identities().identities}
    for case in ("2.03 cas 1", "2.03 cas 2", "2.03 cas 3", "2.04", "2.04 cas 2", "2.05",
                 "2.06 cas 1-2", "2.07 cas 1", "2.07 cas 2", "2.08 cas 1", "2.08 cas 2",
                 "ADRUN ZOE", "1.10", "3.05 cas 3", "ADRTROIS DOMINIQUE", "NESSI MICHELANGELO"):
        assert case in cases


def test_traits_type_is_shared_with_the_domain() -> None:
    # The client takes domain Traits: no parallel model of a person in the INSi layer.
    import inspect
    import typing

    import ins_tui.insi as insi_package
    from ins_tui.insi.client import InsiClient

    assert typing.get_type_hints(InsiClient.search_traits)["traits"] is Traits
    own = []
    for info in pkgutil.iter_modules(insi_package.__path__, "ins_tui.insi."):
        module = importlib.import_module(info.name)
        own += [f"{info.name}.{name}" for name, obj in inspect.getmembers(module, inspect.isclass)
                if obj.__module__ == info.name and name.endswith(("Traits", "Person", "Patient"))]
    assert own == []


_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Cn", "Co")),
    min_size=1, max_size=30,
)
_TRAITS_BODY = st.fixed_dictionaries(
    {"NomNaissance": _TEXT, "Prenom": st.lists(_TEXT, min_size=1, max_size=4), "Sexe": _TEXT,
     "DateNaissance": _TEXT},
    optional={"LieuNaissance": _TEXT},
)
_VITALE_BODY = st.fixed_dictionaries(
    {},
    optional={
        "MatriculeIndividu": st.fixed_dictionaries({}, optional={"NumIdentifiant": _TEXT,
                                                                 "Cle": _TEXT}),
        "MatriculeOD": st.fixed_dictionaries({"NumIdentifiant": _TEXT}),
        "NomNaissance": _TEXT, "DateNaissance": _TEXT, "RangNaissance": _TEXT,
    },
)


@settings(max_examples=60, deadline=None)
@given(case=st.one_of(st.tuples(st.just(OP_TRAITS), _TRAITS_BODY),
                      st.tuples(st.just(OP_VITALE), _VITALE_BODY)))
def test_request_body_is_byte_for_byte_what_zeep_renders(case) -> None:
    """The client is zeep in substance: the body it posts is the bytes zeep itself renders
    for the same values from the loaded WSDL (order, namespaces, prefixes, escaping)."""
    operation, body = case
    request = build_request(operation, body, _settings(), message_id=new_message_id(),
                            emitter=None)
    client, service = wsdl.cached_client()
    zeep_request = etree.tostring(client.create_message(service, operation, **body))

    def body_bytes(data: bytes) -> bytes:
        return data.split(b"<soap-env:Body>", 1)[1].rsplit(b"</soap-env:Body>", 1)[0]

    assert body_bytes(request) == body_bytes(zeep_request)
    assert validation_errors(etree.fromstring(request).find(q(SOAP12, "Body"))[0]) == []


def test_body_plan_refuses_an_element_the_schema_lacks() -> None:
    from ins_tui.insi.envelope import _render, body_plan

    with pytest.raises(TypeError, match="Inconnu"):
        _render(etree.Element("B"), body_plan(OP_TRAITS), {"Inconnu": "x"})
