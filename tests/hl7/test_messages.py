"""Message content: every built message is parsed back with hl7apy and read field by field.

Tried: a provisional identity, a retrieved one (INS stored, not sendable), a qualified one
under the production OID and under the test OID, a used name, a doubtful identity that
still has its INS in the base, a homonym, A47 on an INS change, A40 for a merge, escaping,
and settings that would put a delimiter in MSH. Patients come from a real store file.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from hl7apy.exceptions import ValidationError

from ins_tui.domain.model import Attribute
from ins_tui.domain.status import AttributeSet, apply
from ins_tui.hl7 import fields
from ins_tui.hl7.messages import build_a40, build_a47, build_person, parse, sent_ins, zfd_of
from ins_tui.hl7.settings import Hl7SettingsError, from_config, parse_target
from ins_tui.hl7.transmitter import Hl7Transmitter
from ins_tui.store import Store

from .helpers import ADRUN_TEST, ECETINSI, ECETINSI_OLD, qualify, recup, settings_for, traits

MOMENT = datetime(2026, 3, 2, 9, 30)
SETTINGS = settings_for(2575)
INS_CX = "109076322083489^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS"


def _person(store: Store, pid: int, event: str = "A28", **kw) -> object:
    built = build_person(event, store.get_patient(pid), control_id="CTRL0001",
                         header=SETTINGS.header, authority=SETTINGS.authority, moment=MOMENT,
                         **kw)
    msg = parse(built.payload)
    assert msg.validate()  # the v2.5 structure, checked again on the bytes we would send
    return msg


def _pid3(msg) -> list[str]:
    return [cx.to_er7() for cx in msg.pid.pid_3]


def test_provisional_identity_has_local_id_only_and_its_traits(store: Store) -> None:
    """PROV: PID-3 the local id (PI, practice OID), no INS; names, date, sex, COG, PROV."""
    pid = store.create_patient(traits(), actor="accueil")
    msg = _person(store, pid)
    assert msg.msh.msh_9.to_er7() == "ADT^A28^ADT_A05"
    assert msg.msh.msh_10.to_er7() == "CTRL0001"
    assert msg.msh.msh_12.to_er7() == "2.5^FRA^2.11"
    assert msg.msh.msh_21.to_er7() == "2.11^IHE_FRANCE-2.11-PAM"
    assert msg.msh.msh_18.to_er7() == "UNICODE UTF-8"
    assert (msg.msh.msh_3.to_er7(), msg.msh.msh_5.to_er7()) == ("INS-TUI", "GAM")
    assert _pid3(msg) == [f"{pid}^^^CABINET&1.2.250.1.999.1&ISO^PI"]
    (birth,) = msg.pid.pid_5
    assert birth.to_er7() == "ECETINSI^PIERRE-ALAIN^PIERRE-ALAIN MURIEL FLORIANT^^^^L"
    assert birth.xpn_7.to_er7() == "L"
    assert msg.pid.pid_7.to_er7() == "20090714"
    assert msg.pid.pid_8.to_er7() == "M"
    address = msg.pid.pid_11
    assert (address.xad_7.to_er7(), address.xad_9.to_er7()) == ("BDL", "63220")
    assert [c.to_er7() for c in msg.pid.pid_32] == ["PROV"]
    assert msg.pid.pid_30.to_er7() == "N"
    assert msg.pv1.pv1_2.to_er7() == "N"
    assert sent_ins(msg.to_er7().encode()) is None


def test_retrieved_identity_keeps_its_ins_at_home(store: Store) -> None:
    """RECUP: the INS is stored but is not qualified, so it does not leave (RNIV)."""
    pid = store.create_patient(traits(), actor="accueil")
    recup(store, pid)
    assert store.get_patient(pid).ins == ECETINSI
    msg = _person(store, pid, "A31")
    assert not any(cx.cx_5.to_er7() == "INS" for cx in msg.pid.pid_3)
    assert [c.to_er7() for c in msg.pid.pid_32] == ["RECUP"]


def test_qualified_identity_carries_the_ins_and_its_authority(store: Store) -> None:
    """QUAL: PID-3 INS repetition exactly as interop.md §3.2; ZFD mode, INSi date, proof."""
    pid = store.create_patient(traits(), actor="accueil")
    qualify(store, pid)
    collection = Hl7Transmitter(store, SETTINGS).collection(pid)
    msg = _person(store, pid, "A31", collection=collection)
    local, ins = msg.pid.pid_3
    assert ins.to_er7() == INS_CX
    assert ins.cx_4.to_er7() == "ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO"
    assert (ins.cx_5.to_er7(), local.cx_5.to_er7()) == ("INS", "PI")
    assert len(ins.cx_1.to_er7()) == 15
    assert [c.to_er7() for c in msg.pid.pid_32] == ["QUAL"]
    built = build_person("A31", store.get_patient(pid), control_id="C", header=SETTINGS.header,
                         authority=SETTINGS.authority, moment=MOMENT, collection=collection)
    assert built.text.split("\r")[-1] == "ZFD|||N|N|CV|20260302|PA"
    zfd = zfd_of(built.payload)
    assert (zfd.zfd_5.to_er7(), zfd.zfd_6.to_er7(), zfd.zfd_7.to_er7()) == (
        "CV", "20260302", "PA")
    assert sent_ins(msg.to_er7().encode()) == ("109076322083489", "1.2.250.1.213.1.4.8")


def test_test_oid_uses_the_same_namespace(store: Store) -> None:
    """A test patient (OID .10): `ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10&ISO^INS`."""
    pid = store.create_patient(traits("ADRUN", "ZOE", birth_date="1975-12-31"), actor="a")
    qualify(store, pid, ADRUN_TEST)
    msg = _person(store, pid)
    assert _pid3(msg)[1] == "275126322074974^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10&ISO^INS"


def test_used_name_is_a_second_name_of_type_d(store: Store) -> None:
    """Used name present: `DURAND^<used first name or first birth first name>^^^^^D`."""
    pid = store.create_patient(traits(used_name="DURAND"), actor="accueil")
    birth, used = _person(store, pid).pid.pid_5
    assert (birth.xpn_7.to_er7(), used.xpn_7.to_er7()) == ("L", "D")
    assert used.to_er7() == "DURAND^PIERRE-ALAIN^^^^^D"
    pid2 = store.create_patient(traits("MARTIN", "MARIE", used_first_name="MAYA"), actor="a")
    _birth, used2 = _person(store, pid2).pid.pid_5
    assert used2.to_er7() == "MARTIN^MAYA^^^^^D"


def test_doubtful_identity_is_prov_with_dout_and_no_ins(store: Store) -> None:
    """Douteuse forces PROV: `PROV~DOUT`, and the INS still in the base is not sent."""
    pid = store.create_patient(traits(), actor="accueil")
    qualify(store, pid)
    with store.action("accueil", "Identité douteuse"):
        store.set_identity_state(pid, apply(store.get_patient(pid).state,
                                            AttributeSet(Attribute.DOUTEUSE)))
    record = store.get_patient(pid)
    assert record.ins is not None
    msg = _person(store, pid, "A31")
    assert [c.to_er7() for c in msg.pid.pid_32] == ["PROV", "DOUT"]
    assert len(msg.pid.pid_3) == 1


def test_homonym_keeps_qual_and_adds_homa(store: Store) -> None:
    pid = store.create_patient(traits(), actor="accueil")
    qualify(store, pid)
    with store.action("accueil", "Homonyme"):
        store.set_identity_state(pid, apply(store.get_patient(pid).state,
                                            AttributeSet(Attribute.HOMONYME)))
    msg = _person(store, pid, "A31")
    assert [c.to_er7() for c in msg.pid.pid_32] == ["QUAL", "HOMA"]
    assert _pid3(msg)[1] == INS_CX


def test_a47_replaces_the_ins_last_sent(store: Store) -> None:
    """A47 (ADT_A30): new INS in PID-3, the INS last sent in MRG-1; refused without QUAL."""
    pid = store.create_patient(traits(), actor="accueil")
    qualify(store, pid)
    built = build_a47(store.get_patient(pid), ECETINSI_OLD, control_id="C47",
                      header=SETTINGS.header, authority=SETTINGS.authority, moment=MOMENT)
    msg = parse(built.payload)
    assert msg.validate() and msg.name == "ADT_A30"
    assert msg.msh.msh_9.to_er7() == "ADT^A47^ADT_A30"
    assert _pid3(msg)[1] == INS_CX
    assert msg.mrg.mrg_1.to_er7() == (
        "209076322083439^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS")
    other = store.create_patient(traits("ADRUN", "ZOE"), actor="accueil")
    with pytest.raises(ValueError):
        build_a47(store.get_patient(other), ECETINSI_OLD, control_id="C", header=SETTINGS.header,
                  authority=SETTINGS.authority, moment=MOMENT)


def test_a40_merges_the_absorbed_record_into_the_survivor(store: Store) -> None:
    """A40 (ADT_A39): PID the record kept; MRG-1 the absorbed one's local id (and INS if
    QUAL); a record cannot be merged into itself."""
    survivor = store.create_patient(traits(), actor="accueil")
    qualify(store, survivor)
    absorbed = store.create_patient(traits(first_names="PIERRE-ALAIN"), actor="accueil")
    built = build_a40(store.get_patient(survivor), store.get_patient(absorbed),
                      control_id="C40", header=SETTINGS.header,
                      authority=SETTINGS.authority, moment=MOMENT)
    msg = parse(built.payload)
    assert msg.validate() and msg.name == "ADT_A39"
    assert msg.msh.msh_9.to_er7() == "ADT^A40^ADT_A39"
    group = msg.adt_a39_patient
    assert [cx.to_er7() for cx in group.pid.pid_3][1] == INS_CX
    assert [cx.to_er7() for cx in group.mrg.mrg_1] == [
        f"{absorbed}^^^CABINET&1.2.250.1.999.1&ISO^PI"]
    assert sent_ins(built.payload) == ("109076322083489", "1.2.250.1.213.1.4.8")
    with pytest.raises(ValueError):
        build_a40(store.get_patient(survivor), store.get_patient(survivor), control_id="C",
                  header=SETTINGS.header, authority=SETTINGS.authority, moment=MOMENT)


def test_hl7apy_validation_catches_a_broken_structure(store: Store) -> None:
    """The check the builders rely on can fail: ADT_A05 without its PV1 is refused."""
    pid = store.create_patient(traits(), actor="accueil")
    text = build_person("A28", store.get_patient(pid), control_id="C", header=SETTINGS.header,
                        authority=SETTINGS.authority, moment=MOMENT).text
    broken = "\r".join(s for s in text.split("\r") if not s.startswith("PV1"))
    with pytest.raises(ValidationError):
        parse(broken).validate()


def test_escape_keeps_delimiters_inside_their_field() -> None:
    assert fields.escape("A|B^C&D~E\\F") == "A\\F\\B\\S\\C\\T\\D\\R\\E\\E\\F"
    assert fields.escape("LIGNE\rDEUX") == "LIGNE DEUX"


def test_settings_refuse_delimiters_and_bad_ports() -> None:
    """Bad `[hl7]` values get a French message before anything is built or sent."""
    from ins_tui.config import Config

    with pytest.raises(Hl7SettingsError, match="séparateur HL7"):
        from_config(Config(hl7_host="gam", hl7_sending_facility="CAB|INET"))
    with pytest.raises(Hl7SettingsError, match="Port HL7"):
        from_config(Config(hl7_host="gam", hl7_port="99999"))
    with pytest.raises(Hl7SettingsError, match="OID"):
        from_config(Config(hl7_host="gam", hl7_local_oid="1.2.x"))
    with pytest.raises(Hl7SettingsError, match="HÔTE:PORT"):
        parse_target("gam")
    assert parse_target("[::1]:2575") == ("::1", 2575)
    ok = from_config(Config(hl7_host="gam", hl7_port="2575", hl7_local_oid="1.2.250.1"))
    assert (ok.host, ok.port, ok.authority.er7()) == ("gam", 2575, "CABINET&1.2.250.1&ISO")
